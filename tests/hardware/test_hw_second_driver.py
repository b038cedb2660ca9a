"""pi-rc522 (import name pirc522), an independent driver, on the same emulator.

It resolves cascade level 2 and waits for tags on the IRQ line, so it checks the parts of
the emulator that mfrc522 0.0.7 never touches.
"""

from __future__ import annotations

from hw_support import CLASSIC_UID, NTAG_UID

from kiosk.hardware.emulator import MifareClassic1K, Ntag213, Rig


def make_rfid():
    from pirc522 import RFID

    return RFID()  # BOARD numbering, RST on pin 22, IRQ on pin 18


def test_reads_seven_byte_ntag_uid(rig: Rig) -> None:
    rig.reader.place(Ntag213(NTAG_UID))
    assert bytes(make_rfid().read_id()) == NTAG_UID


def test_reads_classic_uid_and_block(rig: Rig) -> None:
    card = rig.reader.place(MifareClassic1K(CLASSIC_UID))
    card.set_block(4, b"pi-rc522 reads!!")
    rfid = make_rfid()
    assert bytes(rfid.read_id()) == CLASSIC_UID
    assert rfid.request() == (True, None)  # the card was left READY: REQA sends it to IDLE
    assert rfid.request() == (False, 16)
    error, uid = rfid.anticoll()
    assert not error and not rfid.select_tag(uid)
    assert not rfid.card_auth(rfid.auth_a, 4, [0xFF] * 6, uid)
    assert rfid.read(4) == (False, list(b"pi-rc522 reads!!"))
    assert not rfid.write(5, list(b"0123456789abcdef"))
    assert card.block(5) == b"0123456789abcdef"
    rfid.stop_crypto()


def test_ntag_pages_and_lock_bytes(rig: Rig) -> None:
    tag = rig.reader.place(Ntag213(NTAG_UID))
    rfid = make_rfid()
    assert bytes(rfid.read_id()) == NTAG_UID
    uid_cl2 = list(tag.uid_cl(1))
    # read_id left the tag selected at level 1; finish the selection at level 2.
    crc = rfid.calculate_crc([0x95, 0x70, *uid_cl2])
    error, sak, bits = rfid.card_write(rfid.mode_transrec, [0x95, 0x70, *uid_cl2, *crc])
    assert not error and bits == 24 and sak[0] == 0x00
    error, data = rfid.read(3)
    assert not error and data[:4] == [0xE1, 0x10, 0x12, 0x00]  # capability container
    # COMPATIBILITY_WRITE (two steps, first 4 of 16 bytes kept) on page 4, then lock it.
    assert not rfid.write(4, list(b"SACH") + [0] * 12)
    assert tag.page(4) == b"SACH"
    assert not rfid.write(2, [0, 0, 0x10, 0x00] + [0] * 12)  # L4: page 4 read-only
    assert rfid.write(4, list(b"XXXX") + [0] * 12)  # now refused (NAK)
    assert tag.page(4) == b"SACH" and tag.is_locked(4)


def test_collision_is_reported(rig: Rig) -> None:
    rig.reader.place(MifareClassic1K(CLASSIC_UID))
    rig.reader.place(MifareClassic1K(bytes.fromhex("12345678")))
    assert make_rfid().read_id() is None


def test_wait_for_tag_wakes_on_the_irq_line(rig: Rig) -> None:
    rig.reader.place(MifareClassic1K(CLASSIC_UID))
    rfid = make_rfid()
    rfid.irq.clear()
    rfid.wait_for_tag(timeout=1)
    assert rig.gpio.events(rig.irq_pin, "edge")  # a falling edge on header pin 18
    assert rfid.read_id() is not None
