"""The item label stored in a book's RFID tag: layout, encoding and checked decoding.

Every function here is pure (bytes in, bytes or a :class:`Label` out), so the layout is
tested without a reader; ``kiosk.hardware.rfid`` moves the bytes to and from the tag.

What is stored: the copy's **item identifier** (its accession number, e.g. ``LS-0025`` or
``ĐB-0012``), UTF-8, 1 to 20 bytes, NFC-normalised. A tag is an identifier, never a
credential (MIFARE Classic keys are broken): nothing secret is ever written.

Basic block (34 bytes), modelled on the ISO 28560-3 fixed-length "basic block" of library
RFID (version, type of usage, parts, primary item identifier, owner library, CRC-16), with
an explicit length byte so a truncated identifier cannot pass for a shorter one::

    offset size  field
    0      1     version (high nibble, 1) | type of usage (low nibble: 1 = lendable item,
                 2 = reference only, as in ISO 28560-3)
    1      1     parts in item (1..255)          e.g. a book with its CD: 2
    2      1     part number (1..parts)
    3      1     n = length of the item identifier in bytes (1..20)
    4      20    item identifier, UTF-8 (n bytes), then NUL padding (checked to be NUL)
    24     2     country of the owner library, ISO 3166-1 alpha-2, ASCII ("VN")
    26     6     owner library: the commune code, ASCII, NUL padded ("06001")
    32     2     CRC-16 of bytes 0..31, most significant byte first

The CRC is **CRC-16/IBM-3740** (often called CRC-16/CCITT-FALSE: polynomial 0x1021,
initial value 0xFFFF, not reflected, no final XOR; check value 0x29B1 for "123456789").
Why: it is the CCITT CRC-16 family that ISO 28560-3 (the Danish data model) uses for its
basic block, and the non-reflected 0xFFFF variant is the one library RFID software commonly
implements; it also differs from the CRC_A that protects each radio frame (reflected,
preset 0x6363), so a block copied with a frame CRC cannot pass by accident. This layout is
"ISO 28560-3 style", not a certified ISO 28560-3 encoding: third-party library readers are
not expected to read it.

Where it goes:

* **NTAG21x** (Type 2 tags): the user memory from page 4 holds a TLV chain, as NFC Forum
  Type 2 Tag specifies, so any phone reads the label::

      03 L  <NDEF message: one short Text record, language "vi", the item identifier>
      FD 22 <the 34-byte basic block>          (a Proprietary TLV: phones skip it)
      FE                                       (Terminator TLV)

  The capability container (page 3) must say NDEF (0xE1). The basic block is the
  authority; when the NDEF text is present it must agree with it, else the tag is
  corrupt (a half-finished relabelling). A tag with only an NDEF Text record (labelled
  with a phone) is read from that record.
* **MIFARE Classic 1K**: the basic block in sector 1 (blocks 4, 5, 6; 48 bytes, the last
  14 NUL), read and written with the configured keys.

A blank tag (factory state: empty NDEF TLV, or all NUL / all 0xFF) is BLANK; anything that
looks like our layout but fails a check (CRC, length, padding, truncated TLV, invalid
UTF-8, NDEF structure) is CORRUPT; a tag holding someone else's data is FOREIGN. None of
them ever yields an identifier.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from kiosk.hardware.interfaces import TagStatus
from kiosk.i18n import _

BLOCK_SIZE = 34
ITEM_ID_MAX = 20
VERSION = 1
USAGE_LENDABLE = 1
USAGE_REFERENCE = 2
COUNTRY = "VN"

TLV_NULL, TLV_NDEF, TLV_PROPRIETARY, TLV_TERMINATOR = 0x00, 0x03, 0xFD, 0xFE
TLV_KNOWN = {0x01, 0x02, TLV_NDEF, TLV_PROPRIETARY}  # Lock / Memory Control, NDEF, proprietary
CC_MAGIC = 0xE1
NTAG_FIRST_USER_PAGE = 4
CLASSIC_LABEL_BLOCKS = (4, 5, 6)  # sector 1, the trailer (block 7) left alone
CLASSIC_LABEL_SECTOR = 1

NDEF_MB, NDEF_ME, NDEF_CF, NDEF_SR, NDEF_IL = 0x80, 0x40, 0x20, 0x10, 0x08
TNF_WELL_KNOWN = 0x01


class LabelError(ValueError):
    """An item identifier or label that cannot be written (the message is user-facing)."""


@dataclass(frozen=True)
class Label:
    """What a tag's memory says: a status, the identifier when OK, and why when not."""

    status: TagStatus
    item_id: str | None = None
    reason: str = ""  # English, for logs and tests

    def __post_init__(self) -> None:
        # The rule the whole module exists for: no identifier unless everything checked.
        if (self.item_id is not None) != (self.status is TagStatus.OK):
            raise ValueError("a label carries an item id exactly when its status is OK")


def _bad(reason: str) -> Label:
    return Label(TagStatus.CORRUPT, reason=reason)


# -- CRC ---------------------------------------------------------------------------------------
def crc16(data: bytes) -> int:
    """CRC-16/IBM-3740 ("CCITT-FALSE"): poly 0x1021, init 0xFFFF, MSB first, no final XOR."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _bit in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


# -- item identifiers --------------------------------------------------------------------------
def check_item_id(item_id: str) -> bytes:
    """The identifier's UTF-8 bytes (NFC), or :class:`LabelError` saying what is wrong."""
    text = unicodedata.normalize("NFC", item_id.strip())
    if not text:
        raise LabelError(_("The item identifier is empty."))
    if any(unicodedata.category(c)[0] == "C" for c in text):
        raise LabelError(_("The item identifier contains control characters."))
    raw = text.encode("utf-8")
    if len(raw) > ITEM_ID_MAX:
        raise LabelError(
            _("The item identifier is too long for a tag ({size} bytes, at most {limit}).").format(
                size=len(raw), limit=ITEM_ID_MAX
            )
        )
    return raw


def _decode_item_id(raw: bytes) -> str | None:
    """UTF-8 bytes back to an identifier; None when invalid (bad UTF-8, control chars)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text or any(unicodedata.category(c)[0] == "C" for c in text):
        return None
    return unicodedata.normalize("NFC", text)


# -- basic block -------------------------------------------------------------------------------
@dataclass(frozen=True)
class BasicBlock:
    """The fields of the 34-byte basic block."""

    item_id: str
    usage: int = USAGE_LENDABLE
    parts: int = 1
    part: int = 1
    country: str = COUNTRY
    library: str = ""


def encode_basic_block(block: BasicBlock) -> bytes:
    """The 34 bytes of ``block`` (raises :class:`LabelError` for what does not fit)."""
    raw_id = check_item_id(block.item_id)
    if not 1 <= block.part <= block.parts <= 255:
        raise LabelError(_("The part number must be between 1 and the number of parts."))
    if not 0 <= block.usage <= 15:
        raise ValueError("type of usage is a 4-bit value")
    country = block.country.encode("ascii")
    library = block.library.encode("ascii")
    if len(country) != 2 or len(library) > 6:
        raise ValueError("country is 2 ASCII letters, library at most 6 ASCII characters")
    body = bytes((VERSION << 4 | block.usage, block.parts, block.part, len(raw_id)))
    body += raw_id.ljust(ITEM_ID_MAX, b"\0") + country + library.ljust(6, b"\0")
    return body + crc16(body).to_bytes(2, "big")


def decode_basic_block(data: bytes) -> tuple[Label, BasicBlock | None]:
    """Check and decode 34 bytes; the label says OK / BLANK / FOREIGN / CORRUPT."""
    if len(data) != BLOCK_SIZE:
        return _bad(f"basic block has {len(data)} bytes, not {BLOCK_SIZE}"), None
    if data in (bytes(BLOCK_SIZE), b"\xff" * BLOCK_SIZE):
        return Label(TagStatus.BLANK, reason="empty basic block"), None
    if crc16(data[:32]) != int.from_bytes(data[32:34], "big"):
        return _bad("basic block CRC mismatch"), None
    if data[0] >> 4 != VERSION:
        return Label(TagStatus.FOREIGN, reason=f"basic block version {data[0] >> 4}"), None
    parts, part, size = data[1], data[2], data[3]
    if not 1 <= size <= ITEM_ID_MAX:
        return _bad(f"item id length {size}"), None
    if any(data[4 + size : 4 + ITEM_ID_MAX]):
        return _bad("bytes after the item id are not NUL"), None
    if not 1 <= part <= parts:
        return _bad(f"part {part} of {parts}"), None
    item_id = _decode_item_id(data[4 : 4 + size])
    if item_id is None:
        return _bad("item id is not valid UTF-8 text"), None
    try:
        country = data[24:26].decode("ascii")
        library = data[26:32].rstrip(b"\0").decode("ascii")
    except UnicodeDecodeError:
        return _bad("owner library is not ASCII"), None
    block = BasicBlock(item_id, data[0] & 0x0F, parts, part, country, library)
    return Label(TagStatus.OK, item_id), block


# -- NDEF Text record --------------------------------------------------------------------------
def encode_ndef_text(text: str, language: str = "vi") -> bytes:
    """An NDEF message of one short Text record (UTF-8), as phones write it."""
    lang = language.encode("ascii")
    payload = bytes((len(lang),)) + lang + text.encode("utf-8")
    if len(payload) > 255 or len(lang) > 63:
        raise LabelError(_("The text is too long for a tag."))
    header = NDEF_MB | NDEF_ME | NDEF_SR | TNF_WELL_KNOWN
    return bytes((header, 1, len(payload))) + b"T" + payload


@dataclass(frozen=True)
class _Record:
    tnf: int
    type: bytes
    payload: bytes


def _ndef_records(message: bytes) -> list[_Record] | None:
    """Split an NDEF message into records; None when its structure is broken."""
    records: list[_Record] = []
    pos = 0
    while pos < len(message):
        header = message[pos]
        if header & NDEF_CF or (not records) != bool(header & NDEF_MB):
            return None  # chunked records are not used for labels; MB only on the first
        pos += 1
        fixed = 2 if header & NDEF_SR else 5  # type length + 1- or 4-byte payload length
        if pos + fixed + (1 if header & NDEF_IL else 0) > len(message):
            return None
        type_len = message[pos]
        if header & NDEF_SR:
            payload_len = message[pos + 1]
        else:
            payload_len = int.from_bytes(message[pos + 1 : pos + 5], "big")
        pos += fixed
        id_len = 0
        if header & NDEF_IL:
            id_len = message[pos]
            pos += 1
        end = pos + type_len + id_len + payload_len
        if end > len(message):
            return None
        rtype = message[pos : pos + type_len]
        payload = message[pos + type_len + id_len : end]
        records.append(_Record(header & 0x07, rtype, payload))
        pos = end
        if header & NDEF_ME:
            return records if pos == len(message) else None
    return None  # no record carried ME


def decode_ndef_text(message: bytes) -> Label:
    """The first Text record of an NDEF message, checked as an item identifier."""
    if not message:
        return Label(TagStatus.BLANK, reason="empty NDEF message")
    records = _ndef_records(message)
    if records is None:
        return _bad("malformed NDEF message")
    for record in records:
        if record.tnf == TNF_WELL_KNOWN and record.type == b"T":
            return _text_payload(record.payload)
    return Label(TagStatus.FOREIGN, reason="NDEF message without a Text record")


def _text_payload(payload: bytes) -> Label:
    if not payload:
        return _bad("empty Text record")
    status = payload[0]
    lang_len = status & 0x3F
    if 1 + lang_len > len(payload):
        return _bad("Text record language runs past its payload")
    raw = payload[1 + lang_len :]
    try:
        text = raw.decode("utf-16" if status & 0x80 else "utf-8")
    except UnicodeDecodeError:
        return _bad("Text record is not valid UTF-8/UTF-16")
    try:
        check_item_id(text)
    except LabelError:
        return Label(TagStatus.FOREIGN, reason="Text record is not an item identifier")
    if text != text.strip():
        return Label(TagStatus.FOREIGN, reason="Text record has surrounding spaces")
    return Label(TagStatus.OK, unicodedata.normalize("NFC", text))


# -- NTAG (Type 2 tag) user memory -------------------------------------------------------------
def encode_ntag_area(block: BasicBlock, capacity: int) -> bytes:
    """The TLV chain for the user memory (from page 4), padded to whole 4-byte pages."""
    basic = encode_basic_block(block)
    ndef = encode_ndef_text(unicodedata.normalize("NFC", block.item_id.strip()))
    area = _tlv(TLV_NDEF, ndef) + _tlv(TLV_PROPRIETARY, basic) + bytes((TLV_TERMINATOR,))
    area += bytes(-len(area) % 4)
    if len(area) > capacity:
        raise LabelError(_("The label does not fit in this tag's memory."))
    return area


def _tlv(tag: int, value: bytes) -> bytes:
    if len(value) < 0xFF:
        return bytes((tag, len(value))) + value
    return bytes((tag, 0xFF)) + len(value).to_bytes(2, "big") + value


@dataclass(frozen=True)
class TlvScan:
    """The TLV chain found in (a prefix of) a Type 2 tag's data area."""

    needed: int  # bytes of the area the chain needs (may exceed what was read)
    ndef: bytes | None = None
    proprietary: tuple[bytes, ...] = ()
    terminated: bool = False
    exhausted: bool = False  # every byte given was walked, no TLV cut: maybe more follow
    invalid: bool = False  # a byte where a TLV should start is no TLV type: garbage


def scan_tlvs(area: bytes) -> TlvScan:
    """Walk the TLVs of ``area``. ``needed`` > len(area) means: read more, then call again.

    The reader uses ``needed`` to stop reading pages as soon as the chain is complete.
    """
    pos, ndef, proprietary = 0, None, []
    while pos < len(area):
        tag = area[pos]
        if tag == TLV_NULL:
            pos += 1
            continue
        if tag == TLV_TERMINATOR:
            return TlvScan(pos + 1, ndef, tuple(proprietary), terminated=True)
        if tag not in TLV_KNOWN:
            return TlvScan(pos + 1, ndef, tuple(proprietary), invalid=True)
        if pos + 2 > len(area):
            return TlvScan(pos + 2, ndef, tuple(proprietary))
        length, start = area[pos + 1], pos + 2
        if length == 0xFF:
            if pos + 4 > len(area):
                return TlvScan(pos + 4, ndef, tuple(proprietary))
            length, start = int.from_bytes(area[pos + 2 : pos + 4], "big"), pos + 4
        end = start + length
        if end > len(area):
            return TlvScan(end, ndef, tuple(proprietary))
        if tag == TLV_NDEF and ndef is None:
            ndef = area[start:end]
        elif tag == TLV_PROPRIETARY:
            proprietary.append(area[start:end])
        pos = end
    # No terminator yet: the next byte decides (another TLV, or the terminator).
    return TlvScan(len(area) + 1, ndef, tuple(proprietary), exhausted=True)


def ndef_capacity(cc: bytes) -> int | None:
    """Bytes of NDEF data area a capability container announces; None if not NDEF."""
    if len(cc) != 4 or cc[0] != CC_MAGIC:
        return None
    return cc[2] * 8


def decode_ntag(cc: bytes, area: bytes) -> Label:
    """Decode a Type 2 tag: capability container (page 3) and the data area read from page 4.

    ``area`` may be shorter than the tag's capacity when the reader stopped at the end of
    the TLV chain; a chain running past what the capacity allows is CORRUPT (truncated).
    """
    capacity = ndef_capacity(cc)
    if capacity is None:
        if not any(cc) and not any(area):
            return Label(TagStatus.BLANK, reason="no capability container, empty memory")
        return Label(TagStatus.FOREIGN, reason="not NDEF formatted")
    data = area[:capacity]
    scan = scan_tlvs(data)
    # A chain may fill the whole data area without a terminator; anywhere else it is cut.
    fills_area = scan.exhausted and len(data) == capacity
    if scan.needed > len(data) and not fills_area:
        return _bad("TLV runs past the end of the data")
    if scan.invalid:
        return _bad("not a TLV where one should start")
    if any(len(p) != BLOCK_SIZE for p in scan.proprietary):
        # We write one proprietary TLV of 34 bytes; phones write none. Another size means
        # its length byte was damaged or overwritten halfway: do not fall back on the text.
        return _bad("proprietary TLV of an unexpected size")
    ours = list(scan.proprietary)
    text = decode_ndef_text(scan.ndef) if scan.ndef is not None else None
    if ours:
        label, _block = decode_basic_block(ours[0])
        if label.status is TagStatus.BLANK:
            return _bad("empty basic block behind a label")
        if label.status is not TagStatus.OK:
            return label
        if text is not None and text.status is TagStatus.OK and text.item_id != label.item_id:
            return _bad("NDEF text and basic block disagree")
        if text is not None and text.status is TagStatus.CORRUPT:
            return _bad("NDEF message is damaged")
        return label
    if text is None:
        if any(b not in (TLV_NULL, TLV_TERMINATOR) for b in area[: scan.needed]):
            return Label(TagStatus.FOREIGN, reason="TLVs but no NDEF message")
        return Label(TagStatus.BLANK, reason="no NDEF message")
    return text


# -- MIFARE Classic ----------------------------------------------------------------------------
def encode_classic_blocks(block: BasicBlock) -> list[bytes]:
    """The three 16-byte blocks of sector 1 (basic block, then NUL padding)."""
    data = encode_basic_block(block).ljust(16 * len(CLASSIC_LABEL_BLOCKS), b"\0")
    return [data[i : i + 16] for i in range(0, len(data), 16)]


def decode_classic(data: bytes) -> Label:
    """Decode the 48 bytes of sector 1 (blocks 4, 5, 6)."""
    if len(data) != 16 * len(CLASSIC_LABEL_BLOCKS):
        return _bad(f"{len(data)} bytes read, not 48")
    if data in (bytes(48), b"\xff" * 48):
        return Label(TagStatus.BLANK, reason="empty sector")
    label, _block = decode_basic_block(data[:BLOCK_SIZE])
    if label.status is TagStatus.OK and any(data[BLOCK_SIZE:]):
        return _bad("bytes after the basic block are not NUL")
    if label.status is TagStatus.BLANK:
        return Label(TagStatus.FOREIGN, reason="data after an empty basic block")
    return label
