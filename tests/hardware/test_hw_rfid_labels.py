"""Labels through kiosk.hardware.rfid on the unmodified mfrc522 driver and the emulator:
reading the item id as part of the tap, writing and verifying, keys, pulls mid-read."""

from __future__ import annotations

import pytest
from hw_support import CLASSIC_UID, NTAG_UID

from kiosk.hardware import tags
from kiosk.hardware.emulator import MifareClassic1K, Ntag213, Rig
from kiosk.hardware.emulator.iso14443 import from_bits
from kiosk.hardware.interfaces import TagSeen, TagStatus, TagWriter
from kiosk.hardware.rfid import Mfrc522TagReader, TagWriteError

KEY_K = bytes.fromhex("A0A1A2A3A4A5")
OTHER_NTAG_UID = bytes.fromhex("04112233445566")


def make_reader(rig: Rig, **kwargs) -> Mfrc522TagReader:
    import RPi.GPIO as GPIO

    if GPIO.getmode() is None:
        GPIO.setmode(GPIO.BCM)
    return Mfrc522TagReader(rst_pin=rig.rst_pin, clock=lambda: 0.0, **kwargs)


@pytest.fixture
def reader(rig: Rig) -> Mfrc522TagReader:
    return make_reader(rig)


def is_read(bits: list[int]) -> bool:
    """A READ command (0x30, block, CRC) on its way to the cards."""
    return len(bits) == 32 and from_bits(bits)[0] == 0x30


def labelled_ntag(uid: bytes, item_id: str) -> Ntag213:
    card = Ntag213(uid)
    area = tags.encode_ntag_area(tags.BasicBlock(item_id), capacity=144)
    for i in range(0, len(area), 4):
        card.set_page(4 + i // 4, area[i : i + 4])
    return card


def labelled_classic(uid: bytes, item_id: str) -> MifareClassic1K:
    card = MifareClassic1K(uid)
    blocks = tags.encode_classic_blocks(tags.BasicBlock(item_id))
    for number, data in zip((4, 5, 6), blocks, strict=True):
        card.set_block(number, data)
    return card


def test_the_mfrc522_adapter_is_a_tag_writer(reader: Mfrc522TagReader) -> None:
    """Labelling and the staff screens are typed against the protocol; the adapter fits it."""
    assert isinstance(reader, TagWriter)
    assert not isinstance(object(), TagWriter)


# -- reading as part of the tap ----------------------------------------------------------------
@pytest.mark.parametrize("item_id", ["LS-0025", "ĐB-Tày-12"])
def test_ntag_tap_carries_the_item_id(rig: Rig, reader: Mfrc522TagReader, item_id: str) -> None:
    rig.reader.place(labelled_ntag(NTAG_UID, item_id))
    assert reader.poll() == TagSeen(NTAG_UID, "ntag", TagStatus.OK, item_id)
    reads: list[list[int]] = []
    rig.reader.on_frame(lambda bits: reads.append(bits) if is_read(bits) else None)
    assert [reader.poll() for _ in range(3)] == [None] * 3  # resting: no second event
    assert reads == []  # and the label is not read again


def test_classic_tap_carries_the_item_id(rig: Rig, reader: Mfrc522TagReader) -> None:
    rig.reader.place(labelled_classic(CLASSIC_UID, "LS-0007"))
    seen = reader.poll()
    assert seen == TagSeen(CLASSIC_UID, "mifare-classic-1k", TagStatus.OK, "LS-0007")
    assert not rig.chip.read_register(0x08) & 0x08  # Crypto1 switched off afterwards
    assert reader.poll() is None


def test_ntag_read_stops_at_the_terminator(rig: Rig, reader: Mfrc522TagReader) -> None:
    rig.reader.place(labelled_ntag(NTAG_UID, "LS-0025"))
    reads: list[int] = []
    rig.reader.on_frame(lambda bits: reads.append(from_bits(bits)[1]) if is_read(bits) else None)
    assert reader.poll().status is TagStatus.OK
    assert reads == [3, 7, 11, 15]  # 57 bytes of TLVs: pages 3..18, not the whole memory


def test_configured_keys_are_tried_in_turn(rig: Rig) -> None:
    card = labelled_classic(CLASSIC_UID, "LS-0042")
    card.set_trailer(1, key_a=KEY_K)
    rig.reader.place(card)
    reader = make_reader(rig, keys=(b"\xff" * 6, KEY_K))
    rig.chip.stats.reset()
    assert reader.poll() == TagSeen(CLASSIC_UID, "mifare-classic-1k", TagStatus.OK, "LS-0042")
    # The wrong key costs a bounded wait, not the driver's 2000 reads of ComIrqReg.
    assert rig.chip.stats.transfers < 1000


def test_no_configured_key_opens_the_card(rig: Rig) -> None:
    card = labelled_classic(CLASSIC_UID, "LS-0042")
    card.set_trailer(1, key_a=KEY_K)
    rig.reader.place(card)
    reader = make_reader(rig)
    seen = reader.poll()
    assert seen is not None and seen.status is TagStatus.LOCKED and seen.item_id is None
    assert reader.poll() is None  # reported once


def test_simple_mfrc522_text_is_not_taken_for_a_label(rig: Rig) -> None:
    from mfrc522 import SimpleMFRC522

    rig.reader.place(MifareClassic1K(CLASSIC_UID))
    SimpleMFRC522().write_no_block("LS-0025")  # sector 2, plain ASCII, no CRC
    rig.gpio.cleanup()  # SimpleMFRC522 chose BOARD numbering; the app uses BCM
    reader = make_reader(rig)
    assert reader.poll().status is TagStatus.BLANK  # sector 1 untouched


@pytest.mark.parametrize("page", [6, 8, 12, 16])  # NDEF text, TLV length, basic block
def test_damaged_ntag_label_is_corrupt(rig: Rig, reader: Mfrc522TagReader, page: int) -> None:
    card = labelled_ntag(NTAG_UID, "LS-0025")
    raw = bytearray(card.page(page))
    raw[1] ^= 0x20
    card.set_page(page, bytes(raw))
    rig.reader.place(card)
    seen = reader.poll()
    assert seen is not None and seen.status is TagStatus.CORRUPT and seen.item_id is None


def test_damaged_classic_label_is_corrupt(rig: Rig, reader: Mfrc522TagReader) -> None:
    card = labelled_classic(CLASSIC_UID, "LS-0025")
    card.set_block(5, b"x" + card.block(5)[1:])
    rig.reader.place(card)
    assert reader.poll().status is TagStatus.CORRUPT


def test_uid_only_reader_does_not_touch_memory(rig: Rig) -> None:
    rig.reader.place(labelled_ntag(NTAG_UID, "LS-0025"))
    reader = make_reader(rig, read_data=False)
    reads: list[list[int]] = []
    rig.reader.on_frame(lambda bits: reads.append(bits) if is_read(bits) else None)
    assert reader.poll() == TagSeen(NTAG_UID, "ntag", TagStatus.NOT_READ)
    assert reads == []


# -- pulled away mid-read ----------------------------------------------------------------------
def test_tag_pulled_mid_read_is_incomplete_never_a_wrong_id(
    rig: Rig, reader: Mfrc522TagReader
) -> None:
    card = rig.reader.place(labelled_ntag(NTAG_UID, "LS-0025"))
    count = {"reads": 0}

    def pull_on_second_read(bits: list[int]) -> None:
        if is_read(bits):
            count["reads"] += 1
            if count["reads"] == 2:
                rig.reader.remove(card)

    unsubscribe = rig.reader.on_frame(pull_on_second_read)
    seen = reader.poll()
    assert seen == TagSeen(NTAG_UID, "ntag", TagStatus.INCOMPLETE, attempts=1)
    assert [reader.poll() for _ in range(3)] == [None] * 3
    unsubscribe()
    rig.reader.place(card)
    assert reader.poll() == TagSeen(NTAG_UID, "ntag", TagStatus.OK, "LS-0025")


def test_swapped_tag_mid_read_never_mixes_two_labels(rig: Rig, reader: Mfrc522TagReader) -> None:
    first = rig.reader.place(labelled_ntag(NTAG_UID, "LS-0001"))
    second = labelled_ntag(OTHER_NTAG_UID, "LS-0002")
    count = {"reads": 0}

    def swap_on_second_read(bits: list[int]) -> None:
        if is_read(bits):
            count["reads"] += 1
            if count["reads"] == 2:
                rig.reader.remove(first)
                rig.reader.place(second)

    rig.reader.on_frame(swap_on_second_read)
    seen = reader.poll()
    assert seen is not None and seen.uid == NTAG_UID
    assert seen.status is TagStatus.INCOMPLETE and seen.item_id is None
    assert reader.poll() == TagSeen(OTHER_NTAG_UID, "ntag", TagStatus.OK, "LS-0002")


def test_a_glitch_mid_read_is_retried_at_once(rig: Rig, reader: Mfrc522TagReader) -> None:
    card = rig.reader.place(labelled_classic(CLASSIC_UID, "LS-0031"))
    state = {"glitched": False, "back": False}

    def glitch(bits: list[int]) -> None:
        if is_read(bits) and not state["glitched"]:
            state["glitched"] = True
            rig.reader.remove(card)  # this READ goes unanswered
        elif state["glitched"] and not state["back"] and len(bits) == 7:
            state["back"] = True
            rig.reader.place(card)  # back in time for the retry's WUPA

    rig.reader.on_frame(glitch)
    seen = reader.poll()
    assert seen == TagSeen(CLASSIC_UID, "mifare-classic-1k", TagStatus.OK, "LS-0031", attempts=2)


def test_incomplete_then_complete_on_a_later_poll(rig: Rig, reader: Mfrc522TagReader) -> None:
    card = rig.reader.place(labelled_ntag(NTAG_UID, "LS-0025"))
    state = {"reads": 0}

    def flaky(bits: list[int]) -> None:
        # Both reads of the first poll fail (a tag at the edge of the field), then it settles.
        if is_read(bits) and from_bits(bits)[1] == 3:
            state["reads"] += 1
            if state["reads"] <= 2:
                rig.reader.remove(card)
        elif len(bits) == 7 and card not in rig.reader.cards:
            rig.reader.place(card)

    rig.reader.on_frame(flaky)
    first = reader.poll()
    assert first == TagSeen(NTAG_UID, "ntag", TagStatus.INCOMPLETE, attempts=2)
    second = reader.poll()
    assert second == TagSeen(NTAG_UID, "ntag", TagStatus.OK, "LS-0025", attempts=3)
    assert reader.poll() is None


# -- writing -------------------------------------------------------------------------------------
@pytest.mark.parametrize("item_id", ["LS-0025", "Sách-ĐB-9"])
def test_write_ntag_then_any_phone_reads_it(rig: Rig, reader: Mfrc522TagReader, item_id) -> None:
    card = rig.reader.place(Ntag213(NTAG_UID))
    assert reader.poll().status is TagStatus.BLANK
    seen = reader.write_item(item_id, uid=NTAG_UID)
    assert seen == TagSeen(NTAG_UID, "ntag", TagStatus.OK, item_id)
    assert reader.poll() is None  # still resting: no new tap
    memory = b"".join(card.page(p) for p in range(4, 40))
    assert memory[0] == 0x03  # NDEF TLV first, with the Text record a phone shows
    message = memory[2 : 2 + memory[1]]
    assert tags.decode_ndef_text(message).item_id == item_id
    rig.reader.remove(card)
    reader.poll(), reader.poll()
    rig.reader.place(card)
    assert reader.poll().item_id == item_id


def test_write_classic_with_a_configured_key(rig: Rig) -> None:
    card = MifareClassic1K(CLASSIC_UID)
    card.set_trailer(1, key_a=KEY_K)
    rig.reader.place(card)
    reader = make_reader(rig, keys=(b"\xff" * 6, KEY_K))
    seen = reader.write_item("LC-0101")
    assert seen.item_id == "LC-0101"
    assert tags.decode_classic(card.block(4) + card.block(5) + card.block(6)).item_id == "LC-0101"


def test_relabelling_replaces_the_old_label(rig: Rig, reader: Mfrc522TagReader) -> None:
    card = rig.reader.place(labelled_ntag(NTAG_UID, "LS-0001-OLD-LONGER"))
    reader.write_item("LS-2")
    rig.reader.remove(card)
    reader.poll(), reader.poll()
    rig.reader.place(card)
    assert reader.poll().item_id == "LS-2"


def test_write_refusals(rig: Rig, reader: Mfrc522TagReader) -> None:
    with pytest.raises(TagWriteError, match="No tag"):
        reader.write_item("LS-1")
    rig.reader.place(Ntag213(NTAG_UID))
    with pytest.raises(TagWriteError, match="different tag"):
        reader.write_item("LS-1", uid=OTHER_NTAG_UID)
    with pytest.raises(tags.LabelError):
        reader.write_item("X" * 30)
    rig.reader.place(Ntag213(OTHER_NTAG_UID))
    with pytest.raises(TagWriteError, match="Several tags"):
        reader.write_item("LS-1")


def test_locked_ntag_refuses_the_label(rig: Rig, reader: Mfrc522TagReader) -> None:
    card = Ntag213(NTAG_UID)
    card.set_page(2, card.page(2)[:2] + b"\xf0\x00")  # static lock bits: pages 4-7 read-only
    rig.reader.place(card)
    with pytest.raises(TagWriteError, match="write-protected"):
        reader.write_item("LS-1")


def test_tag_pulled_mid_write_is_an_error_and_never_reads_as_another_item(
    rig: Rig, reader: Mfrc522TagReader
) -> None:
    card = rig.reader.place(labelled_ntag(NTAG_UID, "LS-0001"))
    writes = {"n": 0}

    def pull_mid_write(bits: list[int]) -> None:
        if len(bits) == 64 and from_bits(bits)[0] == 0xA2:
            writes["n"] += 1
            if writes["n"] == 5:
                rig.reader.remove(card)

    unsubscribe = rig.reader.on_frame(pull_mid_write)
    with pytest.raises(TagWriteError, match="moved away"):
        reader.write_item("LS-0002")
    unsubscribe()
    rig.reader.place(card)
    reader.poll(), reader.poll()
    seen = reader.poll() or reader.poll()
    label = tags.decode_ntag(card.page(3), b"".join(card.page(p) for p in range(4, 40)))
    assert label.item_id in (None, "LS-0001", "LS-0002")
    assert label.status in (TagStatus.OK, TagStatus.CORRUPT)
    assert seen is None or seen.item_id in (None, "LS-0001", "LS-0002")
