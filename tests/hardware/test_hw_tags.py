"""The item label layout (kiosk.hardware.tags): round trips and every corruption case."""

from __future__ import annotations

import pytest

from kiosk.hardware.interfaces import TagStatus
from kiosk.hardware.tags import (
    BLOCK_SIZE,
    BasicBlock,
    Label,
    LabelError,
    crc16,
    decode_basic_block,
    decode_classic,
    decode_ndef_text,
    decode_ntag,
    encode_basic_block,
    encode_classic_blocks,
    encode_ndef_text,
    encode_ntag_area,
    scan_tlvs,
)

CC_213 = bytes((0xE1, 0x10, 0x12, 0x00))  # NTAG213: 144-byte data area
IDS = ["LS-0025", "ĐB-0012", "Sách-Tày-7", "LC-0101", "A", "Đ" * 10]


def test_crc_is_ibm_3740_check_value() -> None:
    assert crc16(b"123456789") == 0x29B1  # the catalogue check value of CRC-16/IBM-3740
    assert crc16(b"") == 0xFFFF


@pytest.mark.parametrize("item_id", IDS)
def test_basic_block_round_trip(item_id: str) -> None:
    block = BasicBlock(item_id, usage=2, parts=2, part=1, library="06001")
    data = encode_basic_block(block)
    assert len(data) == BLOCK_SIZE
    label, decoded = decode_basic_block(data)
    assert label == Label(TagStatus.OK, item_id)
    assert decoded == block


def test_item_id_is_nfc_normalised() -> None:
    decomposed = "A\u0309-1"  # A + combining hook above, as some keyboards send "Ả"
    assert encode_basic_block(BasicBlock(decomposed)) == encode_basic_block(BasicBlock("\u1ea2-1"))
    label, _ = decode_basic_block(encode_basic_block(BasicBlock(decomposed)))
    assert label.item_id == "\u1ea2-1"


@pytest.mark.parametrize("bad", ["", "   ", "A\nB", "Đ" * 11, "X" * 21])
def test_unwritable_item_ids(bad: str) -> None:
    with pytest.raises(LabelError):
        encode_basic_block(BasicBlock(bad))


def test_blank_basic_block() -> None:
    assert decode_basic_block(bytes(34))[0].status is TagStatus.BLANK
    assert decode_basic_block(b"\xff" * 34)[0].status is TagStatus.BLANK


def _with_crc(body: bytes) -> bytes:
    return body + crc16(body).to_bytes(2, "big")


def _corrupt(index: int, value: int) -> bytes:
    body = bytearray(encode_basic_block(BasicBlock("LS-0025"))[:32])
    body[index] = value
    return _with_crc(bytes(body))


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (encode_basic_block(BasicBlock("LS-0025"))[:-1] + b"\x00", TagStatus.CORRUPT),  # CRC
        (encode_basic_block(BasicBlock("LS-0025"))[:33], TagStatus.CORRUPT),  # short
        (_corrupt(3, 0), TagStatus.CORRUPT),  # length 0
        (_corrupt(3, 21), TagStatus.CORRUPT),  # length past the field
        (_corrupt(3, 6), TagStatus.CORRUPT),  # truncated id: "5" left in the padding
        (_corrupt(3, 9), TagStatus.CORRUPT),  # longer than what is there? NUL is a control
        (_corrupt(12, 0x41), TagStatus.CORRUPT),  # garbage in the padding
        (_corrupt(4, 0xC3), TagStatus.CORRUPT),  # invalid UTF-8
        (_corrupt(2, 3), TagStatus.CORRUPT),  # part 3 of 1
        (_corrupt(0, 0x21), TagStatus.FOREIGN),  # version 2: not ours to read
    ],
)
def test_corrupt_basic_blocks_never_yield_an_id(data: bytes, status: TagStatus) -> None:
    label, block = decode_basic_block(data)
    assert label.status is status and label.item_id is None and block is None


def test_single_bit_flips_are_all_caught() -> None:
    data = encode_basic_block(BasicBlock("ĐB-0012", library="06001"))
    for i in range(len(data) * 8):
        flipped = bytearray(data)
        flipped[i // 8] ^= 1 << (i % 8)
        label, _ = decode_basic_block(bytes(flipped))
        assert label.item_id is None, f"bit {i}"


def test_ndef_text_record_is_what_phones_expect() -> None:
    message = encode_ndef_text("LS-0025")
    # MB|ME|SR, TNF well-known; type length 1; payload length; "T"; status 2 (UTF-8, "vi").
    assert message == bytes((0xD1, 0x01, 10)) + b"T\x02viLS-0025"
    assert decode_ndef_text(message) == Label(TagStatus.OK, "LS-0025")


def test_ndef_other_cases() -> None:
    assert decode_ndef_text(b"").status is TagStatus.BLANK
    uri = bytes((0xD1, 0x01, 0x08)) + b"U\x04abc.vn/"
    assert decode_ndef_text(uri).status is TagStatus.FOREIGN
    assert decode_ndef_text(encode_ndef_text("x" * 40)).status is TagStatus.FOREIGN  # too long
    utf16 = bytes((0xD1, 0x01, 3 + 10)) + b"T\x82vi" + "Đ-12".encode("utf-16")
    assert decode_ndef_text(utf16) == Label(TagStatus.OK, "Đ-12")


@pytest.mark.parametrize(
    "message",
    [
        encode_ndef_text("LS-0025")[:-2],  # payload runs past the message
        bytes((0x91, 0x01, 0x02)) + b"T\x00",  # no ME on the only record
        bytes((0x51, 0x01, 0x02)) + b"T\x00",  # no MB on the first record
        bytes((0xD1, 0x01, 0x02)) + b"T\x05v",  # language longer than the payload
        bytes((0xD1, 0x01, 0x03)) + b"T\x00\xc3\x28",  # invalid UTF-8
        encode_ndef_text("LS-1") + b"\x00",  # bytes after the last record
    ],
)
def test_broken_ndef_messages_are_corrupt(message: bytes) -> None:
    assert decode_ndef_text(message).status is TagStatus.CORRUPT


@pytest.mark.parametrize("item_id", IDS)
def test_ntag_area_round_trip(item_id: str) -> None:
    area = encode_ntag_area(BasicBlock(item_id), capacity=144)
    assert area[0] == 0x03 and len(area) % 4 == 0
    scan = scan_tlvs(area)
    assert scan.terminated and scan.needed <= len(area)
    assert decode_ntag(CC_213, area) == Label(TagStatus.OK, item_id)
    # Only the bytes up to the terminator are needed (the reader stops there).
    assert decode_ntag(CC_213, area[: scan.needed]).item_id == item_id


def test_ntag_factory_state_and_unformatted_tags_are_blank() -> None:
    assert decode_ntag(CC_213, bytes((0x03, 0x00, 0xFE, 0x00))).status is TagStatus.BLANK
    assert decode_ntag(CC_213, bytes(144)).status is TagStatus.BLANK  # all NULL TLVs
    assert decode_ntag(CC_213, bytes(16)).status is TagStatus.CORRUPT  # read stopped early
    assert decode_ntag(bytes(4), bytes(16)).status is TagStatus.BLANK
    assert decode_ntag(bytes(4), b"\x01" * 16).status is TagStatus.FOREIGN


def test_ntag_labelled_by_a_phone_reads_its_text() -> None:
    message = encode_ndef_text("LS-0025")
    area = bytes((0x03, len(message))) + message + b"\xfe"
    assert decode_ntag(CC_213, area) == Label(TagStatus.OK, "LS-0025")


def test_ntag_text_and_block_must_agree() -> None:
    area = bytearray(encode_ntag_area(BasicBlock("LS-0025"), 144))
    area[2 + 3 + 1 + 3 + 6] = ord("6")  # the NDEF text now says LS-0026
    assert decode_ntag(CC_213, bytes(area)).status is TagStatus.CORRUPT


def test_ntag_truncated_tlvs_are_corrupt() -> None:
    area = encode_ntag_area(BasicBlock("LS-0025"), 144)
    scan = scan_tlvs(area)
    for cut in range(1, scan.needed):  # every prefix that stops before the terminator
        assert decode_ntag(CC_213, area[:cut]).item_id is None, cut
    # A TLV length running past the tag's capacity.
    assert decode_ntag(CC_213, bytes((0x03, 0xFF, 0x01, 0x00)) + bytes(140)).status is (
        TagStatus.CORRUPT
    )


def test_ntag_garbage_tlvs_are_corrupt() -> None:
    area = bytearray(encode_ntag_area(BasicBlock("LS-0025"), 144))
    area[17] = 2  # the proprietary TLV's length: the text alone must not be trusted then
    assert decode_ntag(CC_213, bytes(area)).status is TagStatus.CORRUPT
    area = bytes((0x03, 0x00, 0x42, 0x01)) + bytes(140)  # 0x42 is no TLV type
    assert decode_ntag(CC_213, area).status is TagStatus.CORRUPT


def test_ntag_damaged_block_is_corrupt() -> None:
    area = bytearray(encode_ntag_area(BasicBlock("LS-0025"), 144))
    area[-8] ^= 0x01
    assert decode_ntag(CC_213, bytes(area)).status is TagStatus.CORRUPT


def test_ntag_label_must_fit() -> None:
    with pytest.raises(LabelError):
        encode_ntag_area(BasicBlock("LS-0025"), capacity=48)


@pytest.mark.parametrize("item_id", IDS)
def test_classic_round_trip(item_id: str) -> None:
    blocks = encode_classic_blocks(BasicBlock(item_id))
    assert [len(b) for b in blocks] == [16, 16, 16]
    assert decode_classic(b"".join(blocks)) == Label(TagStatus.OK, item_id)


def test_classic_blank_corrupt_and_foreign() -> None:
    assert decode_classic(bytes(48)).status is TagStatus.BLANK
    assert decode_classic(b"\xff" * 48).status is TagStatus.BLANK
    data = bytearray(b"".join(encode_classic_blocks(BasicBlock("LS-0025"))))
    data[40] = 1
    assert decode_classic(bytes(data)).status is TagStatus.CORRUPT
    assert decode_classic(bytes(data[:32])).status is TagStatus.CORRUPT
    simple = "Truyen Kieu".ljust(48).encode()  # what SimpleMFRC522 writes
    assert decode_classic(simple).status is TagStatus.CORRUPT
    assert decode_classic(bytes(34) + b"\x01" * 14).status is TagStatus.FOREIGN


def test_a_label_cannot_carry_an_id_without_ok() -> None:
    with pytest.raises(ValueError):
        Label(TagStatus.CORRUPT, "LS-0025")
    with pytest.raises(ValueError):
        Label(TagStatus.OK)
