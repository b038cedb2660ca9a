"""The unmodified mfrc522 0.0.7 driver against the emulated chip and cards."""

from __future__ import annotations

import pytest
from hw_support import CLASSIC_UID, NTAG_UID

from kiosk.hardware.emulator import MifareClassic1K, Ntag213, Rig, access_bytes
from kiosk.hardware.emulator.iso14443 import bcc

KEY = [0xFF] * 6


def select(reader) -> list[int]:
    """REQA, anticollision and SELECT through the driver; returns the 5 anticoll bytes."""
    status, bits = reader.MFRC522_Request(reader.PICC_REQIDL)
    assert (status, bits) == (reader.MI_OK, 16)
    status, uid = reader.MFRC522_Anticoll()
    assert status == reader.MI_OK
    assert reader.MFRC522_SelectTag(uid) == 0x08
    return uid


def test_version_register_reads_genuine_v2(rig: Rig, reader) -> None:
    assert reader.Read_MFRC522(reader.VersionReg) == 0x92


def test_request_anticoll_select_auth_read_write(rig: Rig, reader) -> None:
    card = rig.reader.place(MifareClassic1K(CLASSIC_UID))
    uid = select(reader)
    assert uid == [*CLASSIC_UID, bcc(CLASSIC_UID)]

    assert reader.MFRC522_Auth(reader.PICC_AUTHENT1A, 7, KEY, uid) == reader.MI_OK
    assert rig.chip.read_register(0x08) & 0x08  # Status2Reg.MFCrypto1On
    payload = list(b"Tho Xuan Dieu 01")
    reader.MFRC522_Write(5, payload)
    assert card.block(5) == bytes(payload)
    assert reader.MFRC522_Read(5) == payload
    # Block 0 carries UID, BCC, SAK and ATQA; other sectors need their own authentication.
    assert reader.MFRC522_Read(0) is None
    reader.MFRC522_StopCrypto1()
    assert not rig.chip.read_register(0x08) & 0x08


def test_wrong_key_fails_authentication(rig: Rig, reader) -> None:
    card = rig.reader.place(MifareClassic1K(CLASSIC_UID))
    card.set_trailer(2, key_a=bytes.fromhex("A0A1A2A3A4A5"))
    uid = select(reader)
    assert reader.MFRC522_Auth(reader.PICC_AUTHENT1A, 11, KEY, uid) == reader.MI_ERR
    assert not rig.chip.read_register(0x08) & 0x08
    # After a failed authentication the card is back in IDLE: it answers a new REQA.
    uid = select(reader)
    key = list(bytes.fromhex("A0A1A2A3A4A5"))
    assert reader.MFRC522_Auth(reader.PICC_AUTHENT1A, 11, key, uid) == reader.MI_OK
    assert reader.MFRC522_Read(9) == [0] * 16


def test_trailer_hides_key_a_and_enforces_access_bits(rig: Rig, reader) -> None:
    card = rig.reader.place(MifareClassic1K(CLASSIC_UID))
    key_b = bytes.fromhex("B0B1B2B3B4B5")
    # Data blocks: read A|B, write B only (100); trailer: keys and access writable by B (011).
    access = access_bytes([(1, 0, 0), (1, 0, 0), (1, 0, 0), (0, 1, 1)])
    card.set_trailer(1, key_b=key_b, access=access)
    uid = select(reader)
    assert reader.MFRC522_Auth(reader.PICC_AUTHENT1A, 4, KEY, uid) == reader.MI_OK
    trailer = reader.MFRC522_Read(7)
    assert trailer[:6] == [0] * 6  # key A is never readable
    assert bytes(trailer[6:10]) == access
    assert trailer[10:] == [0] * 6  # key B not readable under 011
    before = card.block(4)
    reader.MFRC522_Write(4, list(b"written with A!!"))  # key A may not write: NAK
    assert card.block(4) == before
    # The NAK sent the card back to IDLE; the chip's Crypto1 is still on and garbles the
    # REQA, so switch it off and start again, now with key B.
    assert reader.MFRC522_Request(reader.PICC_REQIDL)[0] == reader.MI_ERR
    reader.MFRC522_StopCrypto1()
    uid = select(reader)
    assert reader.MFRC522_Auth(reader.PICC_AUTHENT1B, 4, list(key_b), uid) == reader.MI_OK
    reader.MFRC522_Write(4, list(b"written with B!!"))
    assert card.block(4) == b"written with B!!"
    # Key B rewrites key A in the trailer; the access bits stay valid.
    reader.MFRC522_Write(7, list(bytes.fromhex("111111111111") + access + key_b))
    assert card.block(7)[:6] == bytes.fromhex("111111111111")


def test_simple_mfrc522_write_then_read_on_classic(rig: Rig) -> None:
    from mfrc522 import SimpleMFRC522

    rig.reader.place(MifareClassic1K(CLASSIC_UID))
    simple = SimpleMFRC522()
    card_id, text = simple.write_no_block("Truyen Kieu")
    expected_id = simple.uid_to_num([*CLASSIC_UID, bcc(CLASSIC_UID)])
    assert card_id == expected_id == int.from_bytes(CLASSIC_UID + bytes([bcc(CLASSIC_UID)]))
    assert text == "Truyen Kieu"
    # The card was left authenticated (no HALT): the next REQA sends it to IDLE unanswered,
    # so SimpleMFRC522 sees "no card" on every other poll, as with a real card.
    assert simple.read_no_block() == (None, None)
    card_id, text = simple.read_no_block()
    assert card_id == expected_id
    assert text == "Truyen Kieu".ljust(48)


def test_empty_field_means_no_card_after_about_2000_reads(rig: Rig, reader) -> None:
    rig.chip.stats.reset()
    status, _bits = reader.MFRC522_Request(reader.PICC_REQIDL)
    assert status == reader.MI_ERR
    # The driver's wait loop uses "~" where "not" was meant: it ignores TimerIRq and only
    # stops after 2000 reads of ComIrqReg.
    assert rig.chip.stats.reads[0x04] == 2001  # 2000 in the loop + 1 in ClearBitMask
    assert rig.chip.stats.transfers == 2013
    assert rig.chip.read_register(0x04) & 0x01  # the chip's timer did expire meanwhile


def test_two_cards_collide_instead_of_giving_a_wrong_uid(rig: Rig, reader) -> None:
    rig.reader.place(MifareClassic1K(bytes.fromhex("DEADBEEF")))
    rig.reader.place(MifareClassic1K(bytes.fromhex("DEADBEEE")))
    status, _ = reader.MFRC522_Request(reader.PICC_REQIDL)
    assert status == reader.MI_OK  # same ATQA: no collision yet
    status, _ = reader.MFRC522_Anticoll()
    assert status == reader.MI_ERR
    assert reader.Read_MFRC522(reader.ErrorReg) & 0x08  # CollErr
    coll = reader.Read_MFRC522(reader.CollReg)
    assert coll & 0x20 == 0  # CollPos valid
    assert coll & 0x1F == 25  # UIDs differ first in bit 0 of byte 3: bit 25 of the frame


def test_two_different_card_types_collide_on_atqa(rig: Rig, reader) -> None:
    rig.reader.place(MifareClassic1K(CLASSIC_UID))
    rig.reader.place(Ntag213(NTAG_UID))
    status, _ = reader.MFRC522_Request(reader.PICC_REQIDL)
    assert status == reader.MI_ERR
    assert reader.Read_MFRC522(reader.ErrorReg) & 0x08


def test_ntag_through_level1_only_anticoll_yields_cascade_tag(rig: Rig, reader) -> None:
    rig.reader.place(Ntag213(NTAG_UID))
    status, bits = reader.MFRC522_Request(reader.PICC_REQIDL)
    assert (status, bits) == (reader.MI_OK, 16)
    status, uid = reader.MFRC522_Anticoll()
    # The driver stops at cascade level 1: CT 0x88 + the first 3 UID bytes + BCC0.
    assert status == reader.MI_OK
    assert uid == [0x88, *NTAG_UID[:3], 0x88 ^ NTAG_UID[0] ^ NTAG_UID[1] ^ NTAG_UID[2]]
    assert reader.MFRC522_SelectTag(uid) == 0x04  # SAK: "UID not complete"


def test_card_removed_mid_read_is_an_error_not_a_crash(rig: Rig) -> None:
    from mfrc522 import SimpleMFRC522

    card = rig.reader.place(MifareClassic1K(CLASSIC_UID))
    card.set_block(8, b"A" * 16)
    card.set_block(9, b"B" * 16)

    def pull_on_second_read(bits: list[int]) -> None:
        if len(bits) == 32 and bits[:8] == [0, 0, 0, 0, 1, 1, 0, 0] and bits[8:16][0] == 1:
            rig.reader.remove(card)  # READ 0x30 of block 9 is on its way

    rig.reader.on_frame(pull_on_second_read)
    simple = SimpleMFRC522()
    card_id, text = simple.read_no_block()
    assert card_id is not None
    assert text == "A" * 16  # only the block read before the card left
    assert simple.read_no_block() == (None, None)


def test_card_removed_before_write_crashes_the_driver(rig: Rig, reader) -> None:
    """Documents a driver trap: MFRC522_Write indexes an empty answer when nobody replies."""
    card = rig.reader.place(MifareClassic1K(CLASSIC_UID))
    uid = select(reader)
    assert reader.MFRC522_Auth(reader.PICC_AUTHENT1A, 8, KEY, uid) == reader.MI_OK
    rig.reader.remove(card)
    with pytest.raises(IndexError):
        reader.MFRC522_Write(8, [0] * 16)


def test_antenna_off_means_no_card(rig: Rig, reader) -> None:
    rig.reader.place(MifareClassic1K(CLASSIC_UID))
    reader.AntennaOff()
    assert not rig.reader.energised
    assert reader.MFRC522_Request(reader.PICC_REQIDL)[0] == reader.MI_ERR
    reader.AntennaOn()
    assert reader.MFRC522_Request(reader.PICC_REQIDL) == (reader.MI_OK, 16)


def test_simple_mfrc522_in_bcm_mode_drives_gpio15_as_rst(rig: Rig) -> None:
    import RPi.GPIO as GPIO
    from mfrc522 import SimpleMFRC522

    GPIO.setmode(GPIO.BCM)
    rig.reader.place(MifareClassic1K(CLASSIC_UID))
    simple = SimpleMFRC522()
    assert rig.gpio.is_output(15)  # not the RST line (BCM 25) of the usual wiring
    assert not rig.gpio.is_output(rig.rst_pin)
    assert simple.read_id_no_block() is not None  # works only thanks to the board pull-up


def test_board_default_then_bcm_raises_like_real_gpio(rig: Rig, reader) -> None:
    import RPi.GPIO as GPIO

    assert GPIO.getmode() == GPIO.BOARD  # MFRC522() chose it
    assert rig.gpio.is_output(rig.rst_pin)  # header pin 22 = BCM 25
    with pytest.raises(ValueError, match="A different mode has already been set!"):
        GPIO.setmode(GPIO.BCM)


def test_rst_low_holds_chip_in_reset(rig: Rig, reader) -> None:
    import RPi.GPIO as GPIO

    rig.reader.place(MifareClassic1K(CLASSIC_UID))
    GPIO.output(22, 0)
    assert rig.chip.in_reset and not rig.reader.energised
    assert reader.Read_MFRC522(reader.VersionReg) == 0
    GPIO.output(22, 1)
    assert reader.Read_MFRC522(reader.TxControlReg) == 0x80  # hard reset: antenna off
    reader.MFRC522_Init()
    assert reader.MFRC522_Request(reader.PICC_REQIDL) == (reader.MI_OK, 16)
