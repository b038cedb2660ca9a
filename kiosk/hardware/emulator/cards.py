"""Virtual ISO/IEC 14443-A cards for the emulated MFRC522's field.

Each card runs the ISO/IEC 14443-3 state machine (IDLE, READY per cascade level, ACTIVE,
HALT) and answers frames bit by bit, so the chip can superimpose the answers of several
cards and see real collisions. Two products are modelled:

* :class:`MifareClassic1K` - 4-byte UID, 16 sectors of 4 blocks, sector trailers holding
  key A, access bits and key B; authentication, READ, two-step WRITE, HALT.
* :class:`Ntag213` - 7-byte UID (two cascade levels), 45 pages of 4 bytes, READ (4 pages),
  FAST_READ, WRITE, COMPATIBILITY_WRITE, GET_VERSION, static and dynamic lock bits.

Crypto1 itself is not simulated: the chip tells a card whether its transmission is
encrypted, and a card that expects the other thing treats the frame as garbage, which is
what a real card does with a frame it cannot decrypt.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from .iso14443 import ACK, Bits, bcc, crc_ok, from_bits, nibble, to_bits, with_crc

DEFAULT_KEY = b"\xff" * 6
"""Transport key of new MIFARE Classic cards (both key A and key B)."""

TRANSPORT_ACCESS = bytes((0xFF, 0x07, 0x80, 0x69))
"""Access bytes 6..9 of a new sector trailer: data blocks 000, trailer 001."""

REQA = 0x26
WUPA = 0x52
HLTA = 0x50
SEL_CODES = (0x93, 0x95, 0x97)
CASCADE_TAG = 0x88


class State(enum.Enum):
    """ISO/IEC 14443-3 card states (READY and ACTIVE carry the cascade level elsewhere)."""

    OFF = "off"
    IDLE = "idle"
    READY = "ready"
    ACTIVE = "active"
    HALT = "halt"


class AuthOutcome(enum.Enum):
    """What the reader sees when it runs MIFARE three-pass authentication against a card."""

    NO_ANSWER = "no answer"  # card silent from the start
    OK = "ok"
    FAILED = "failed"  # card sent its nonce, then fell silent: wrong key or wrong UID
    BAD_REPLY = "bad reply"  # card answered with something that is not a nonce (a NAK)


class Card:
    """Base class: UID, anticollision and selection, HALT, and error handling.

    Subclasses implement :meth:`_command` for frames received in the ACTIVE state.
    """

    atqa: bytes = b"\x04\x00"
    sak: int = 0x08
    name: str = "card"

    def __init__(self, uid: bytes) -> None:
        if len(uid) not in (4, 7, 10):
            raise ValueError("an ISO 14443-A UID has 4, 7 or 10 bytes")
        self.uid = bytes(uid)
        self.state = State.OFF
        self.level = 0  # cascade level being resolved (READY) - 0-based
        self._from_halt = False  # READY*/ACTIVE* states return to HALT on error
        self.frames_received = 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.uid.hex().upper()})"

    # -- power -------------------------------------------------------------------------
    def power_on(self) -> None:
        """The card enters a field: it starts in IDLE."""
        self.state = State.IDLE
        self._from_halt = False
        self._reset_session()

    def power_off(self) -> None:
        """The card leaves the field or the field is switched off: all volatile state is lost."""
        self.state = State.OFF
        self._reset_session()

    def _reset_session(self) -> None:
        """Forget per-session state (authentication, pending two-step commands)."""

    # -- anticollision helpers -------------------------------------------------------------
    @property
    def cascade_levels(self) -> int:
        """Number of cascade levels needed to select this card (1, 2 or 3)."""
        return {4: 1, 7: 2, 10: 3}[len(self.uid)]

    def uid_cl(self, level: int) -> bytes:
        """UID CLn (4 bytes, with the cascade tag where needed) plus its BCC, for level 0.."""
        last = level == self.cascade_levels - 1
        if last:
            part = self.uid[-4:]
        else:
            start = 3 * level
            part = bytes((CASCADE_TAG,)) + self.uid[start : start + 3]
        return part + bytes((bcc(part),))

    def _fail(self) -> None:
        """Protocol error: back to IDLE, or to HALT when the card was woken from HALT."""
        self.state = State.HALT if self._from_halt else State.IDLE
        self._reset_session()

    # -- air interface ---------------------------------------------------------------------
    def receive(self, bits: Bits, encrypted: bool = False) -> Bits | None:
        """Handle one frame from the reader and return the answer bits, or None for silence."""
        if self.state is State.OFF:
            return None
        self.frames_received += 1
        if len(bits) == 7:
            return self._short_frame(bits, encrypted)
        if self.state in (State.IDLE, State.HALT):
            return None  # only REQA / WUPA wake a card up
        if self.state is State.READY:
            return self._anticollision(bits, encrypted)
        if encrypted != self._expects_encryption():
            self._fail()  # undecryptable frame, or plain frame where cipher text is due
            return None
        data = from_bits(bits)
        if len(bits) % 8:
            self._fail()
            return None
        if data[:2] == bytes((HLTA, 0)) and len(data) == 4:
            if crc_ok(data):
                self.state = State.HALT
                self._reset_session()
            else:
                self._fail()
            return None
        return self._command(data)

    def _expects_encryption(self) -> bool:
        return False

    def _short_frame(self, bits: Bits, encrypted: bool) -> Bits | None:
        cmd = from_bits(bits)[0]
        if encrypted:
            cmd = -1  # garbled
        if cmd == WUPA and self.state in (State.IDLE, State.HALT):
            self._from_halt = self.state is State.HALT
        elif cmd == REQA and self.state is State.IDLE:
            self._from_halt = False
        else:
            if self.state in (State.READY, State.ACTIVE):
                self._fail()
            return None
        self.state = State.READY
        self.level = 0
        return to_bits(self.atqa)

    def _anticollision(self, bits: Bits, encrypted: bool) -> Bits | None:
        data = from_bits(bits)
        if encrypted or len(bits) < 16 or data[0] != SEL_CODES[self.level]:
            self._fail()
            return None
        nvb = data[1]
        uid_cl = self.uid_cl(self.level)
        if nvb == 0x70:
            return self._select(data, uid_cl)
        known = ((nvb >> 4) - 2) * 8 + (nvb & 0x0F)
        if not 0 <= known < 40 or len(bits) != 16 + known:
            self._fail()
            return None
        uid_bits = to_bits(uid_cl)
        if bits[16:] != uid_bits[:known]:
            return None  # not addressed: stay READY and keep quiet
        return uid_bits[known:]

    def _select(self, data: bytes, uid_cl: bytes) -> Bits | None:
        if len(data) != 9 or not crc_ok(data):
            self._fail()
            return None
        if data[2:7] != uid_cl:
            return None  # another card is being selected
        if self.level + 1 < self.cascade_levels:
            self.level += 1
            return to_bits(with_crc([0x04]))  # SAK: UID not complete
        self.state = State.ACTIVE
        return to_bits(with_crc([self.sak]))

    def _command(self, data: bytes) -> Bits | None:
        self._fail()
        return None

    def mf_authenticate(
        self, key_type: int, block: int, key: bytes, uid4: bytes, encrypted: bool
    ) -> AuthOutcome:
        """MIFARE three-pass authentication as run by the MFRC522's MFAuthent command."""
        if self.state is not State.ACTIVE:
            if self.state is State.READY:
                self._fail()
            return AuthOutcome.NO_ANSWER
        if encrypted != self._expects_encryption():
            self._fail()
            return AuthOutcome.NO_ANSWER
        self._fail()  # a card without Crypto1 NAKs the AUTH command
        return AuthOutcome.BAD_REPLY


def _nak(code: int) -> Bits:
    return nibble(code)


# ---------------------------------------------------------------------------------------
# MIFARE Classic 1K
# ---------------------------------------------------------------------------------------

# Rights per access condition (C1, C2, C3) for data blocks: (read, write) as sets of keys.
_A, _B, _AB, _NEVER = frozenset("A"), frozenset("B"), frozenset("AB"), frozenset()
_DATA_RIGHTS: dict[tuple[int, int, int], tuple[frozenset[str], frozenset[str]]] = {
    (0, 0, 0): (_AB, _AB),
    (0, 1, 0): (_AB, _NEVER),
    (1, 0, 0): (_AB, _B),
    (1, 1, 0): (_AB, _B),
    (0, 0, 1): (_AB, _NEVER),
    (0, 1, 1): (_B, _B),
    (1, 0, 1): (_B, _NEVER),
    (1, 1, 1): (_NEVER, _NEVER),
}
# Sector trailer rights: (write key A, read access, write access, read key B, write key B).
_TRAILER_RIGHTS: dict[tuple[int, int, int], tuple[frozenset[str], ...]] = {
    (0, 0, 0): (_A, _A, _NEVER, _A, _A),
    (0, 1, 0): (_NEVER, _A, _NEVER, _A, _NEVER),
    (1, 0, 0): (_B, _AB, _NEVER, _NEVER, _B),
    (1, 1, 0): (_NEVER, _AB, _NEVER, _NEVER, _NEVER),
    (0, 0, 1): (_A, _A, _A, _A, _A),
    (0, 1, 1): (_B, _AB, _B, _NEVER, _B),
    (1, 0, 1): (_NEVER, _AB, _B, _NEVER, _NEVER),
    (1, 1, 1): (_NEVER, _AB, _NEVER, _NEVER, _NEVER),
}


def access_bytes(conditions: Sequence[tuple[int, int, int]], gpb: int = 0x69) -> bytes:
    """Encode access conditions (C1, C2, C3) for blocks 0..3 of a sector into bytes 6..9."""
    if len(conditions) != 4:
        raise ValueError("give (C1, C2, C3) for each of the 4 blocks of the sector")
    c1 = c2 = c3 = 0
    for block, (b1, b2, b3) in enumerate(conditions):
        c1 |= b1 << block
        c2 |= b2 << block
        c3 |= b3 << block
    byte6 = ((~c2 & 0x0F) << 4) | (~c1 & 0x0F)
    byte7 = (c1 << 4) | (~c3 & 0x0F)
    byte8 = (c3 << 4) | c2
    return bytes((byte6, byte7, byte8, gpb))


def decode_access(access: bytes) -> list[tuple[int, int, int]] | None:
    """Decode bytes 6..8 of a trailer; None when the inverted copies do not match."""
    b6, b7, b8 = access[0], access[1], access[2]
    c1, c2, c3 = b7 >> 4, b8 & 0x0F, b8 >> 4
    if (b6 & 0x0F) != (~c1 & 0x0F) or (b6 >> 4) != (~c2 & 0x0F) or (b7 & 0x0F) != (~c3 & 0x0F):
        return None
    return [((c1 >> b) & 1, (c2 >> b) & 1, (c3 >> b) & 1) for b in range(4)]


class MifareClassic1K(Card):
    """A MIFARE Classic 1K (MF1S50) card with a 4-byte UID.

    Memory is kept across power cycles (EEPROM). Block 0 (UID, BCC, SAK, ATQA, maker data)
    is read-only. Sector trailers start with the transport keys and access bits.
    """

    atqa = b"\x04\x00"
    sak = 0x08
    name = "MIFARE Classic 1K"
    SECTORS = 16
    BLOCKS = 64

    def __init__(self, uid: bytes) -> None:
        if len(uid) != 4:
            raise ValueError("this MIFARE Classic 1K model has a 4-byte UID")
        super().__init__(uid)
        self.memory = [bytearray(16) for _ in range(self.BLOCKS)]
        maker = bytes((0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69))
        self.memory[0][:] = self.uid + bytes((bcc(self.uid), self.sak)) + self.atqa[::-1] + maker
        for sector in range(self.SECTORS):
            self.memory[sector * 4 + 3][:] = DEFAULT_KEY + TRANSPORT_ACCESS + DEFAULT_KEY
        self._auth: tuple[int, str] | None = None  # (sector, "A" | "B")
        self._pending_write: int | None = None
        self._pending_nonce = False

    # -- test helpers ------------------------------------------------------------------------
    def block(self, number: int) -> bytes:
        """Raw content of a block as stored in EEPROM (keys included)."""
        return bytes(self.memory[number])

    def set_block(self, number: int, data: bytes) -> None:
        """Write raw EEPROM content, bypassing access rights (for test set-up)."""
        if len(data) != 16:
            raise ValueError("a block has 16 bytes")
        self.memory[number][:] = data

    def set_trailer(
        self,
        sector: int,
        key_a: bytes = DEFAULT_KEY,
        key_b: bytes = DEFAULT_KEY,
        access: bytes = TRANSPORT_ACCESS,
    ) -> None:
        """Set a sector trailer's keys and access bytes (for test set-up)."""
        self.set_block(sector * 4 + 3, bytes(key_a) + bytes(access) + bytes(key_b))

    # -- state -------------------------------------------------------------------------------
    def _reset_session(self) -> None:
        self._auth = None
        self._pending_write = None
        self._pending_nonce = False

    def _expects_encryption(self) -> bool:
        return self._auth is not None

    def _conditions(self, sector: int) -> list[tuple[int, int, int]] | None:
        return decode_access(bytes(self.memory[sector * 4 + 3][6:9]))

    def _key_b_readable(self, sector: int) -> bool:
        conditions = self._conditions(sector)
        return conditions is not None and bool(_TRAILER_RIGHTS[conditions[3]][3])

    def _allowed(self, block: int, right: int) -> bool:
        """right: 0 read, 1 write (data blocks)."""
        if self._auth is None or self._auth[0] != block // 4:
            return False
        sector, key = self._auth
        conditions = self._conditions(sector)
        if conditions is None:
            return False
        if key == "B" and self._key_b_readable(sector):
            return False  # a readable key B is data, not a key: every access is denied
        return key in _DATA_RIGHTS[conditions[block % 4]][right]

    # -- authentication ----------------------------------------------------------------------
    def mf_authenticate(
        self, key_type: int, block: int, key: bytes, uid4: bytes, encrypted: bool
    ) -> AuthOutcome:
        """Three-pass authentication: succeeds when key and UID match the sector trailer."""
        if self.state is not State.ACTIVE:
            if self.state is State.READY:
                self._fail()
            return AuthOutcome.NO_ANSWER
        if encrypted != self._expects_encryption():
            self._fail()
            return AuthOutcome.NO_ANSWER
        if key_type not in (0x60, 0x61) or block >= self.BLOCKS:
            self._fail()
            return AuthOutcome.BAD_REPLY
        sector = block // 4
        trailer = self.memory[sector * 4 + 3]
        expected = trailer[0:6] if key_type == 0x60 else trailer[10:16]
        if (
            bytes(key) != bytes(expected)
            or bytes(uid4) != self.uid
            or self._conditions(sector) is None
        ):
            self._fail()  # the card sent its nonce but the reader's answer does not verify
            return AuthOutcome.FAILED
        self._reset_session()
        self._auth = (sector, "A" if key_type == 0x60 else "B")
        return AuthOutcome.OK

    # -- commands ----------------------------------------------------------------------------
    def _command(self, data: bytes) -> Bits | None:
        if self._pending_nonce:
            self._fail()  # we do not run Crypto1 over Transceive
            return None
        if self._pending_write is not None:
            return self._write_data(data)
        if not crc_ok(data):
            self._fail()
            return _nak(0x1)
        cmd, payload = data[0], data[1:-2]
        if cmd in (0x60, 0x61) and len(payload) == 1:
            # AUTH sent by hand over Transceive: answer a nonce, then the reader would
            # need Crypto1, which is only available through MFAuthent.
            self._pending_nonce = True
            return to_bits(b"\x01\x02\x03\x04")
        if cmd == 0x30 and len(payload) == 1:
            return self._read(payload[0])
        if cmd == 0xA0 and len(payload) == 1:
            return self._write_start(payload[0])
        self._fail()
        return _nak(0x4)

    def _read(self, block: int) -> Bits | None:
        if block >= self.BLOCKS or not self._allowed_read(block):
            self._fail()
            return _nak(0x4)
        return to_bits(with_crc(self._visible(block)))

    def _allowed_read(self, block: int) -> bool:
        if block % 4 != 3:
            return self._allowed(block, 0)
        # A trailer is always readable in part once authenticated for its sector.
        return self._auth is not None and self._auth[0] == block // 4

    def _visible(self, block: int) -> bytes:
        """Block content as the card sends it: key A never, the rest per access bits."""
        raw = bytes(self.memory[block])
        if block % 4 != 3:
            return raw
        sector, key = self._auth or (block // 4, "A")
        conditions = self._conditions(sector)
        rights = _TRAILER_RIGHTS[conditions[3]] if conditions else (_NEVER,) * 5
        access = raw[6:10] if key in rights[1] else b"\x00" * 4
        key_b = raw[10:16] if key in rights[3] else b"\x00" * 6
        return b"\x00" * 6 + access + key_b

    def _write_start(self, block: int) -> Bits | None:
        if block == 0 or block >= self.BLOCKS or self._auth is None or self._auth[0] != block // 4:
            self._fail()
            return _nak(0x4)
        if block % 4 != 3 and not self._allowed(block, 1):
            self._fail()
            return _nak(0x4)
        self._pending_write = block
        return nibble(ACK)

    def _write_data(self, data: bytes) -> Bits | None:
        block, self._pending_write = self._pending_write, None
        assert block is not None
        if len(data) != 18 or not crc_ok(data):
            self._fail()
            return _nak(0x1)
        payload = data[:16]
        if block % 4 != 3:
            self.memory[block][:] = payload
            return nibble(ACK)
        return self._write_trailer(block, payload)

    def _write_trailer(self, block: int, payload: bytes) -> Bits | None:
        """Write each part of a trailer only where the access bits allow it."""
        assert self._auth is not None
        key = self._auth[1]
        conditions = self._conditions(block // 4)
        if conditions is None:
            self._fail()
            return _nak(0x4)
        write_a, _, write_access, _, write_b = _TRAILER_RIGHTS[conditions[3]]
        trailer = self.memory[block]
        parts = ((write_a, slice(0, 6)), (write_access, slice(6, 10)), (write_b, slice(10, 16)))
        written = False
        for rights, part in parts:
            if key in rights:
                trailer[part] = payload[part]
                written = True
        if not written:
            self._fail()
            return _nak(0x4)
        return nibble(ACK)


# ---------------------------------------------------------------------------------------
# NTAG213
# ---------------------------------------------------------------------------------------


class Ntag213(Card):
    """An NXP NTAG213 sticker: 7-byte UID, 45 pages of 4 bytes, lock bytes, capability container.

    Pages 0-1 hold the UID (read-only), page 2 the second BCC, internal byte and static lock
    bytes, page 3 the capability container (one-time programmable), pages 4-39 user memory,
    page 40 the dynamic lock bytes, pages 41-44 configuration (PWD and PACK read as zero).
    """

    atqa = b"\x44\x00"
    sak = 0x00
    name = "NTAG213"
    PAGES = 45
    USER_PAGES = range(4, 40)
    VERSION = bytes((0x00, 0x04, 0x04, 0x02, 0x01, 0x00, 0x0F, 0x03))

    def __init__(self, uid: bytes) -> None:
        if len(uid) != 7:
            raise ValueError("an NTAG213 has a 7-byte UID")
        super().__init__(uid)
        u = self.uid
        self.memory = [bytearray(4) for _ in range(self.PAGES)]
        self.memory[0][:] = bytes((u[0], u[1], u[2], CASCADE_TAG ^ u[0] ^ u[1] ^ u[2]))
        self.memory[1][:] = u[3:7]
        self.memory[2][:] = bytes((bcc(u[3:7]), 0x48, 0x00, 0x00))
        self.memory[3][:] = bytes((0xE1, 0x10, 0x12, 0x00))
        self.memory[4][:] = bytes((0x03, 0x00, 0xFE, 0x00))  # empty NDEF message TLV
        self.memory[40][:] = bytes((0x00, 0x00, 0x00, 0xBD))
        self.memory[41][:] = bytes((0x04, 0x00, 0x00, 0xFF))  # AUTH0 = 0xFF: no password
        self.memory[42][:] = bytes((0x00, 0x05, 0x00, 0x00))
        self.memory[43][:] = b"\xff" * 4  # PWD
        self._pending_write: int | None = None

    # -- test helpers ------------------------------------------------------------------------
    def page(self, number: int) -> bytes:
        """Raw content of a page as stored in EEPROM."""
        return bytes(self.memory[number])

    def set_page(self, number: int, data: bytes) -> None:
        """Write raw EEPROM content, bypassing locks (for test set-up)."""
        if len(data) != 4:
            raise ValueError("a page has 4 bytes")
        self.memory[number][:] = data

    def is_locked(self, page: int) -> bool:
        """Tell whether a page is read-only because of the static or dynamic lock bits."""
        lock0, lock1 = self.memory[2][2], self.memory[2][3]
        if page == 3:
            return bool(lock0 & 0x08)
        if 4 <= page <= 7:
            return bool(lock0 & (1 << page))
        if 8 <= page <= 15:
            return bool(lock1 & (1 << (page - 8)))
        if 16 <= page <= 39:
            dyn = self.memory[40]
            pair = (page - 16) // 2
            return bool((dyn[0] | (dyn[1] << 8)) & (1 << pair))
        return False

    # -- commands ----------------------------------------------------------------------------
    def _reset_session(self) -> None:
        self._pending_write = None

    def _command(self, data: bytes) -> Bits | None:
        if self._pending_write is not None:
            page, self._pending_write = self._pending_write, None
            if len(data) != 18 or not crc_ok(data):
                return self._nak(0x1)
            return self._write(page, data[:4])
        if not crc_ok(data):
            return self._nak(0x1)
        cmd, args = data[0], data[1:-2]
        if cmd == 0x30 and len(args) == 1:
            return self._read(args[0])
        if cmd == 0x3A and len(args) == 2:
            return self._fast_read(args[0], args[1])
        if cmd == 0xA2 and len(args) == 5:
            return self._write(args[0], args[1:5])
        if cmd == 0xA0 and len(args) == 1:
            if not 2 <= args[0] < self.PAGES:
                return self._nak(0x0)
            self._pending_write = args[0]
            return nibble(ACK)
        if cmd == 0x60 and not args:
            return to_bits(with_crc(self.VERSION))
        return self._nak(0x0)

    def _nak(self, code: int) -> Bits:
        self._fail()
        return _nak(code)

    def _readable(self, page: int) -> bytes:
        return b"\x00" * 4 if page >= 43 else bytes(self.memory[page])

    def _read(self, page: int) -> Bits | None:
        if page >= self.PAGES:
            return self._nak(0x0)
        data = b"".join(self._readable((page + i) % self.PAGES) for i in range(4))
        return to_bits(with_crc(data))

    def _fast_read(self, start: int, end: int) -> Bits | None:
        if start > end or end >= self.PAGES:
            return self._nak(0x0)
        data = b"".join(self._readable(p) for p in range(start, end + 1))
        return to_bits(with_crc(data))

    def _write(self, page: int, data: bytes) -> Bits | None:
        if not 2 <= page < self.PAGES or self.is_locked(page):
            return self._nak(0x0)
        stored = self.memory[page]
        if page == 2:
            stored[2] |= data[2] & self._writable_static_lock(0)
            stored[3] |= data[3] & self._writable_static_lock(1)
        elif page == 3:
            stored[:] = bytes(a | b for a, b in zip(stored, data, strict=True))  # OTP
        elif page == 40:
            frozen = stored[2]
            mask0 = (0x0F if not frozen & 1 else 0) | (0xF0 if not frozen & 2 else 0)
            mask1 = 0x0F if not frozen & 4 else 0
            stored[0] |= data[0] & mask0
            stored[1] |= data[1] & mask1
            stored[2] |= data[2] & 0x07
        elif page >= 41 and self.memory[42][0] & 0x40:
            return self._nak(0x0)  # CFGLCK: configuration locked
        else:
            stored[:] = data
        return nibble(ACK)

    def _writable_static_lock(self, index: int) -> int:
        """Lock bits that the block-locking bits still allow to be set."""
        lock0 = self.memory[2][2]
        if index == 0:
            mask = 0xFF
            if lock0 & 0x01:
                mask &= ~0x08  # BL-CC freezes L-CC
            if lock0 & 0x02:
                mask &= ~0xF0  # BL 9-4 freezes L4..L7
            return mask
        mask = 0xFF
        if lock0 & 0x02:
            mask &= ~0x03  # L8, L9
        if lock0 & 0x04:
            mask &= ~0xFC  # L10..L15
        return mask
