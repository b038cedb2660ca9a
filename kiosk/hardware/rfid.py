"""Tag reader on the third-party ``mfrc522`` driver's ``MFRC522`` class, without its traps.

:class:`Mfrc522TagReader.poll` never blocks for long and reports each tap once:

* Presence is checked with WUPA through a short wait loop of our own that stops on the
  chip's TimerIRq (about 1 ms), instead of the driver's ``MFRC522_ToCard`` whose wait loop
  (``~`` where ``not`` was meant) reads ComIrqReg 2000 times when no tag answers.
* The UID is resolved over every cascade level the tag needs (SEL 0x93, 0x95, 0x97 sent
  through the driver's ``MFRC522_ToCard``), so 7-byte NTAG UIDs come out right; the driver
  alone stops at level 1 and returns the cascade tag 0x88.
* After each read the tag is sent to HALT and woken with WUPA at the next poll: a tag
  resting on the reader is seen again with the same UID and produces no new event. A tag
  counts as gone after it failed to answer on two polls in a row.
* Several tags answering at once give a collision, reported once as :class:`SeveralTags`,
  never a wrong UID. A tag pulled away mid-read yields None, not an exception.
* A new tag's label (:mod:`kiosk.hardware.tags`) is read while the tag is still selected,
  so the tap event (:class:`~kiosk.hardware.interfaces.TagSeen`) carries the item id:
  NTAG with READ (4 pages at a time, no authentication, stopping at the end of the TLV
  chain); MIFARE Classic with MFAuthent on sector 1, trying each configured key (a wrong
  key makes the card drop out: it is woken and selected again before the next key).
  Authentication and data exchanges use our own wait loop too (the driver's
  ``MFRC522_Auth`` waits 2000 reads when a key is wrong), a software CRC_A, and one SPI
  transfer to fill or empty the FIFO instead of one per byte.
* A tag pulled away mid-read is retried at once (woken and selected again); if it is gone
  the event says INCOMPLETE, never an item id. If the tag is in fact still there, the next
  polls read it again (up to :data:`MAX_ATTEMPTS` reads in all) and a second event with the
  complete label follows; that is the only case where one tap gives two events.
* :meth:`Mfrc522TagReader.write_item` labels the tag on the reader and verifies the label
  by reading it back in a new session.

The driver is imported lazily, in the constructor, so importing this module needs neither
``spidev`` nor ``RPi.GPIO``. :meth:`poll` and :meth:`write_item` may be called from
different threads (the poller and the staff screen): a lock serialises them.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kiosk.hardware import tags
from kiosk.hardware.interfaces import SeveralTags, TagSeen, TagStatus
from kiosk.i18n import _

__all__ = ["DEFAULT_KEYS", "Mfrc522TagReader", "SeveralTags", "Tag", "TagWriteError"]

# MFRC522 registers and bits used directly (datasheet names).
COMMAND_REG, COM_IRQ_REG, ERROR_REG = 0x01, 0x04, 0x06
FIFO_DATA_REG, FIFO_LEVEL_REG, CONTROL_REG, BIT_FRAMING_REG = 0x09, 0x0A, 0x0C, 0x0D
T_MODE_REG, T_PRESCALER_REG, T_RELOAD_H, T_RELOAD_L = 0x2A, 0x2B, 0x2C, 0x2D
IDLE, TRANSCEIVE = 0x00, 0x0C
RX_IRQ, IDLE_IRQ, ERR_IRQ, TIMER_IRQ = 0x20, 0x10, 0x02, 0x01
COLL_ERR, HARD_ERRORS = 0x08, 0x13  # BufferOvfl | ParityErr | ProtocolErr
STATUS2_REG, CONTROL_RX_LAST_BITS, MF_CRYPTO1_ON = 0x08, 0x07, 0x08
MF_AUTHENT = 0x0E

WUPA = 0x52
SEL = (0x93, 0x95, 0x97)
CASCADE_TAG = 0x88
MAX_WAIT_READS = 200  # safety net should the timer never fire (e.g. chip unplugged)
MISSES_BEFORE_GONE = 2
MAX_ATTEMPTS = 3  # reads of one tap's label before we stop retrying an incomplete one

# Timer reloads in 25 us ticks. Answers to REQA/SELECT/READ start within about 0.1 ms: 1 ms
# is plenty. Authentication runs three frames, and a WRITE is acknowledged only once the
# EEPROM is programmed (NTAG: 4.1 ms at most, MIFARE Classic a few ms): wait longer there.
SHORT_TICKS, AUTH_TICKS, WRITE_TICKS = 40, 400, 800

PICC_READ, NTAG_WRITE, MF_WRITE, MF_AUTH_A = 0x30, 0xA2, 0xA0, 0x60
ACK = 0x0A

DEFAULT_KEYS: tuple[bytes, ...] = (b"\xff" * 6,)
"""MIFARE Classic keys tried when none are configured: the transport key of new cards."""


class TagWriteError(Exception):
    """A label could not be written or verified; the message is user-facing (translated)."""


class _NoAnswer(Exception):
    """The tag did not answer (gone) or its answer was garbled: the read is incomplete."""


class _Nak(Exception):
    """The tag answered with a NAK: it refuses the command (locked page, access bits)."""


def crc_a(data: Sequence[int]) -> bytes:
    """ISO/IEC 14443-A CRC_A (preset 0x6363), low byte first as sent on air.

    Computed here rather than by the chip's coprocessor: it saves SPI transfers per frame.
    """
    crc = 0x6363
    for byte in data:
        byte ^= crc & 0xFF
        byte = (byte ^ (byte << 4)) & 0xFF
        crc = ((crc >> 8) ^ (byte << 8) ^ (byte << 3) ^ (byte >> 4)) & 0xFFFF
    return bytes((crc & 0xFF, crc >> 8))


@dataclass(frozen=True)
class Tag:
    """A tag on the reader: its UID (4, 7 or 10 bytes), SAK and a family guessed from both."""

    uid: bytes
    sak: int

    @property
    def kind(self) -> str:
        """``mifare-classic-1k``, ``mifare-classic-4k``, ``ntag`` (Ultralight family) or
        ``unknown``."""
        if self.sak & 0x18 == 0x08:
            return "mifare-classic-1k"
        if self.sak & 0x18 == 0x18:
            return "mifare-classic-4k"
        if self.sak == 0x00 and len(self.uid) == 7:
            return "ntag"
        return "unknown"


class _Collision(Exception):
    """Several tags answered the same frame."""


class Mfrc522TagReader:
    """Non-blocking tag reader over ``mfrc522.MFRC522`` (BCM numbering, explicit RST pin).

    ``driver`` may be given (tests, or a driver constructed elsewhere); otherwise one is
    built on SPI ``bus``/``device`` with ``rst_pin`` in BCM numbering.
    """

    def __init__(
        self,
        *,
        bus: int = 0,
        device: int = 0,
        rst_pin: int = 25,
        driver: Any = None,
        keys: Sequence[bytes] = DEFAULT_KEYS,
        read_data: bool = True,
        library: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if driver is None:
            from mfrc522 import MFRC522  # vendor library: imported only when used

            bcm = 11  # RPi.GPIO.BCM; passing it keeps the driver from picking BOARD
            driver = MFRC522(bus=bus, device=device, pin_mode=bcm, pin_rst=rst_pin)
        if not keys or any(len(k) != 6 for k in keys):
            raise ValueError("MIFARE Classic keys are 6 bytes each")
        self.driver = driver
        self.keys = tuple(bytes(k) for k in keys)
        self.read_data = read_data
        self.library = library
        self.clock = clock
        self._lock = threading.RLock()
        self._current: Tag | None = None
        self._misses = 0
        self._several_reported = False
        self._attempts = 0  # label reads spent on the current tap
        self._retry = False  # the current tap's label is incomplete: read again next poll
        self._configure_timer()

    def _configure_timer(self) -> None:
        # TAuto, prescaler 169: 25 us ticks; 40 ticks is about 1 ms, ten times the longest
        # ISO 14443-A frame delay for the answers we wait for ourselves (ATQA).
        self.driver.Write_MFRC522(T_MODE_REG, 0x80)
        self.driver.Write_MFRC522(T_PRESCALER_REG, 0xA9)
        self._set_timeout(SHORT_TICKS)

    def _set_timeout(self, ticks: int) -> None:
        self.driver.Write_MFRC522(T_RELOAD_H, ticks >> 8)
        self.driver.Write_MFRC522(T_RELOAD_L, ticks & 0xFF)

    # -- public ----------------------------------------------------------------------------------
    def poll(self) -> TagSeen | SeveralTags | None:
        """Look once at the field: a new tap (with its label), several tags, or None."""
        with self._lock:
            try:
                atqa = self._transceive([WUPA], last_bits=7)
            except _Collision:
                return self._several()
            if atqa is None:
                return self._nobody()
            try:
                tag = self._identify()
            except _Collision:
                return self._several()
            if tag is None:
                return None  # pulled away mid-read, or a garbled answer: try again next poll
            self._several_reported = False
            self._misses = 0
            if tag == self._current and not self._retry:
                self._halt()
                return None
            return self._tap(tag)

    @property
    def current(self) -> Tag | None:
        """The tag resting on the reader since its event, if any."""
        return self._current

    def close(self) -> None:
        """Release SPI and GPIO (the driver's own cleanup)."""
        with self._lock:
            self.driver.Close_MFRC522()

    def write_item(
        self, item_id: str, *, uid: bytes | None = None, usage: int = tags.USAGE_LENDABLE
    ) -> TagSeen:
        """Write ``item_id`` as the label of the tag on the reader and verify it.

        ``uid``, when given, must be the tag's (the one staff tapped). The label is read back
        in a new session and compared; :class:`TagWriteError` (translated message) on any
        failure, :class:`~kiosk.hardware.tags.LabelError` for an identifier that cannot be
        stored. The tag then counts as resting on the reader: no new tap event for it.
        """
        block = tags.BasicBlock(item_id, usage, library=self.library)
        tags.encode_basic_block(block)  # a bad identifier fails before the tag is touched
        expected = tags.check_item_id(item_id).decode("utf-8")
        with self._lock:
            try:
                tag = self._select_for_write(uid)
                self._write_label(tag, block)
                seen = self._verify(tag, expected)
            finally:
                self._end_session()
            self._current, self._retry, self._attempts = tag, False, 1
            return seen

    # -- states ----------------------------------------------------------------------------------
    def _nobody(self) -> None:
        self._several_reported = False
        if self._current is not None:
            self._misses += 1
            if self._misses >= MISSES_BEFORE_GONE:
                self._current = None
                self._misses = 0
        return None

    def _several(self) -> SeveralTags | None:
        self._current = None
        self._misses = 0
        self._retry = False
        self._stop_crypto()
        if self._several_reported:
            return None
        self._several_reported = True
        return SeveralTags(at=self.clock())

    def _tap(self, tag: Tag) -> TagSeen | None:
        """Read the label of a tag just selected; the event for it, or None if unchanged."""
        retrying = tag == self._current and self._retry
        if not retrying:
            self._attempts = 0
        label = self._read_with_retry(tag)
        self._end_session()
        self._current = tag
        self._retry = label.status is TagStatus.INCOMPLETE and self._attempts < MAX_ATTEMPTS
        if retrying and label.status is TagStatus.INCOMPLETE:
            return None  # still incomplete: already reported
        return TagSeen(
            tag.uid,
            tag.kind,
            label.status,
            label.item_id,
            attempts=max(self._attempts, 1),
            at=self.clock(),
        )

    def _read_with_retry(self, tag: Tag) -> tags.Label:
        """Read the label; if the tag stopped answering, wake it and try once more."""
        label = self._read_label(tag)
        if label.status is not TagStatus.INCOMPLETE or self._attempts >= MAX_ATTEMPTS:
            return label
        self._stop_crypto()
        try:
            again = self._wake_and_select()
        except _Collision:
            return label
        if again != tag:
            return label  # gone (or another tag): never mix two tags' data
        return self._read_label(tag)

    # -- labels ----------------------------------------------------------------------------------
    def _read_label(self, tag: Tag) -> tags.Label:
        """The label of the selected ``tag``; INCOMPLETE when it stops answering."""
        if not self.read_data or tag.kind == "unknown":
            return tags.Label(TagStatus.NOT_READ, reason="not read")
        self._attempts += 1
        try:
            if tag.kind == "ntag":
                return self._read_ntag()
            return self._read_classic(tag)
        except _NoAnswer:
            return tags.Label(TagStatus.INCOMPLETE, reason="no answer mid-read")
        except _Collision:
            return tags.Label(TagStatus.INCOMPLETE, reason="another tag answered mid-read")

    def _read_ntag(self) -> tags.Label:
        try:
            first = self._read_block(3)  # pages 3..6: capability container + 12 data bytes
        except _Nak:
            return tags.Label(TagStatus.FOREIGN, reason="READ refused")
        cc, area = first[:4], first[4:]
        capacity = tags.ndef_capacity(cc)
        if capacity is None:
            return tags.decode_ntag(cc, area)
        page = tags.NTAG_FIRST_USER_PAGE + len(area) // 4
        while len(area) < capacity and tags.scan_tlvs(area).needed > len(area):
            try:
                area += self._read_block(page)
            except _Nak:
                return tags.Label(TagStatus.CORRUPT, reason="capability container too large")
            page += 4
        return tags.decode_ntag(cc, area[:capacity])

    def _read_classic(self, tag: Tag) -> tags.Label:
        if not self._unlock_label_sector(tag):
            return tags.Label(TagStatus.LOCKED, reason="no configured key opens sector 1")
        try:
            data = b"".join(self._read_block(b) for b in tags.CLASSIC_LABEL_BLOCKS)
        except _Nak:
            return tags.Label(TagStatus.LOCKED, reason="access bits refuse reading")
        return tags.decode_classic(data)

    def _unlock_label_sector(self, tag: Tag) -> bool:
        """Authenticate for sector 1 with each configured key in turn (key A)."""
        block = tags.CLASSIC_LABEL_BLOCKS[0]
        for n, key in enumerate(self.keys):
            if n and self._wake_and_select() != tag:
                raise _NoAnswer  # a failed authentication drops the card: it must answer again
            if self._authenticate(MF_AUTH_A, block, key, tag.uid):
                return True
        return False

    def _select_for_write(self, uid: bytes | None) -> Tag:
        self._stop_crypto()
        try:
            tag = self._wake_and_select()
        except _Collision:
            raise TagWriteError(
                _("Several tags are on the reader: leave only the one to label.")
            ) from None
        if tag is None:
            raise TagWriteError(_("No tag on the reader."))
        if uid is not None and tag.uid != uid:
            raise TagWriteError(_("A different tag is on the reader."))
        return tag

    def _write_label(self, tag: Tag, block: tags.BasicBlock) -> None:
        moved = _("The tag moved away while it was being written. Hold it still and try again.")
        try:
            if tag.kind == "ntag":
                self._write_ntag(block)
            elif tag.kind.startswith("mifare-classic"):
                self._write_classic(tag, block)
            else:
                raise TagWriteError(_("This kind of tag cannot be labelled."))
        except (_NoAnswer, _Collision):
            raise TagWriteError(moved) from None
        except _Nak:
            raise TagWriteError(_("The tag refused the label: it is write-protected.")) from None

    def _write_ntag(self, block: tags.BasicBlock) -> None:
        capacity = tags.ndef_capacity(self._read_block(3)[:4])
        if capacity is None:
            raise TagWriteError(_("This tag is not formatted for NDEF: it cannot be labelled."))
        area = tags.encode_ntag_area(block, capacity)
        for i in range(0, len(area), 4):
            page = tags.NTAG_FIRST_USER_PAGE + i // 4
            self._expect_ack([NTAG_WRITE, page, *area[i : i + 4]])

    def _write_classic(self, tag: Tag, block: tags.BasicBlock) -> None:
        if not self._unlock_label_sector(tag):
            raise TagWriteError(_("None of the configured keys opens this card."))
        for number, data in zip(
            tags.CLASSIC_LABEL_BLOCKS, tags.encode_classic_blocks(block), strict=True
        ):
            self._expect_ack([MF_WRITE, number])
            self._expect_ack(list(data))

    def _verify(self, tag: Tag, expected: str) -> TagSeen:
        """Read the label back in a new session (the card re-selected from scratch)."""
        self._end_session()
        try:
            again = self._wake_and_select()
        except _Collision:
            again = None
        label = self._read_label(tag) if again == tag else None
        if label is None or label.status is not TagStatus.OK or label.item_id != expected:
            raise TagWriteError(
                _("The label could not be checked after writing. Try again, holding the tag still.")
            )
        return TagSeen(tag.uid, tag.kind, label.status, label.item_id, at=self.clock())

    # -- ISO 14443-3 -----------------------------------------------------------------------------
    def _identify(self) -> Tag | None:
        """Anticollision and selection over as many cascade levels as the tag needs."""
        uid = b""
        for sel in SEL:
            cl = self._anticollision(sel)
            if cl is None:
                return None
            sak = self._select(sel, cl)
            if sak is None:
                return None
            if not sak & 0x04:  # UID complete
                return Tag(uid + bytes(cl[:4]), sak)
            if cl[0] != CASCADE_TAG:
                return None
            uid += bytes(cl[1:4])
        return None

    def _anticollision(self, sel: int) -> list[int] | None:
        d = self.driver
        d.Write_MFRC522(BIT_FRAMING_REG, 0x00)
        status, data, _ = d.MFRC522_ToCard(d.PCD_TRANSCEIVE, [sel, 0x20])
        if d.Read_MFRC522(ERROR_REG) & COLL_ERR:
            raise _Collision
        if status != d.MI_OK or len(data) != 5:
            return None
        if data[0] ^ data[1] ^ data[2] ^ data[3] != data[4]:
            return None
        return data

    def _select(self, sel: int, cl: list[int]) -> int | None:
        d = self.driver
        frame = [sel, 0x70, *cl[:5]]
        frame += d.CalulateCRC(frame)
        status, data, bits = d.MFRC522_ToCard(d.PCD_TRANSCEIVE, frame)
        if status != d.MI_OK or bits != 24:
            return None
        return data[0]

    def _halt(self) -> None:
        d = self.driver
        frame = [0x50, 0x00]
        self._transceive(frame + d.CalulateCRC(frame), last_bits=0)  # no answer expected

    def _end_session(self) -> None:
        """HALT the tag (encrypted if authenticated, as the card expects), then Crypto1 off."""
        with contextlib.suppress(_Collision):
            self._halt()
        self._stop_crypto()

    def _stop_crypto(self) -> None:
        # Left on, Crypto1 would garble the next WUPA and every tag would look absent.
        d = self.driver
        if d.Read_MFRC522(STATUS2_REG) & MF_CRYPTO1_ON:
            d.Write_MFRC522(STATUS2_REG, 0x00)

    def _wake_and_select(self) -> Tag | None:
        """WUPA, then anticollision and selection; None when no tag answers."""
        if self._transceive([WUPA], last_bits=7) is None:
            return None
        return self._identify()

    def _authenticate(self, key_type: int, block: int, key: bytes, uid: bytes) -> bool:
        """MFAuthent with our own bounded wait (the driver's waits 2000 reads on a wrong key)."""
        d = self.driver
        d.Write_MFRC522(COMMAND_REG, IDLE)
        d.Write_MFRC522(COM_IRQ_REG, 0x7F)
        d.Write_MFRC522(FIFO_LEVEL_REG, 0x80)
        self._fifo_write([key_type, block, *key, *uid[-4:]])
        self._set_timeout(AUTH_TICKS)
        try:
            d.Write_MFRC522(COMMAND_REG, MF_AUTHENT)
            self._wait_irq(IDLE_IRQ | ERR_IRQ | TIMER_IRQ, AUTH_TICKS)
        finally:
            d.Write_MFRC522(COMMAND_REG, IDLE)
            self._set_timeout(SHORT_TICKS)
        return bool(d.Read_MFRC522(STATUS2_REG) & MF_CRYPTO1_ON)

    def _read_block(self, number: int) -> bytes:
        """READ: 16 bytes (one Classic block, or four NTAG pages), CRC_A checked."""
        data, bits = self._exchange([PICC_READ, number])
        if len(data) == 1 and bits == 4:
            raise _Nak
        if len(data) != 18 or bits != 0 or crc_a(data[:16]) != bytes(data[16:]):
            raise _NoAnswer  # garbled: the tag is leaving, or noise
        return bytes(data[:16])

    def _expect_ack(self, frame: list[int]) -> None:
        """Send a WRITE step and require the 4-bit ACK (EEPROM programmed)."""
        data, bits = self._exchange(frame, ticks=WRITE_TICKS)
        if len(data) == 1 and bits == 4 and data[0] & 0x0F == ACK:
            return
        if len(data) == 1 and bits == 4:
            raise _Nak
        raise _NoAnswer

    def _exchange(self, frame: list[int], ticks: int = SHORT_TICKS) -> tuple[list[int], int]:
        """Transceive ``frame`` + CRC_A; the answer bytes and the valid bits of the last byte.

        Raises :class:`_NoAnswer` on silence or a damaged frame, :class:`_Collision`.
        """
        d = self.driver
        if ticks != SHORT_TICKS:
            self._set_timeout(ticks)
        try:
            d.Write_MFRC522(COMMAND_REG, IDLE)
            d.Write_MFRC522(COM_IRQ_REG, 0x7F)
            d.Write_MFRC522(FIFO_LEVEL_REG, 0x80)
            self._fifo_write([*frame, *crc_a(frame)])
            d.Write_MFRC522(BIT_FRAMING_REG, 0x00)
            d.Write_MFRC522(COMMAND_REG, TRANSCEIVE)
            d.Write_MFRC522(BIT_FRAMING_REG, 0x80)  # StartSend
            irq = self._wait_irq(RX_IRQ | IDLE_IRQ | ERR_IRQ | TIMER_IRQ, ticks)
            d.Write_MFRC522(BIT_FRAMING_REG, 0x00)
            d.Write_MFRC522(COMMAND_REG, IDLE)
        finally:
            if ticks != SHORT_TICKS:
                self._set_timeout(SHORT_TICKS)
        if not irq & RX_IRQ:
            raise _NoAnswer
        errors = d.Read_MFRC522(ERROR_REG)
        if errors & COLL_ERR:
            raise _Collision
        if errors & HARD_ERRORS:
            raise _NoAnswer
        level = d.Read_MFRC522(FIFO_LEVEL_REG)
        bits = d.Read_MFRC522(CONTROL_REG) & CONTROL_RX_LAST_BITS
        return self._fifo_read(level), bits

    def _wait_irq(self, mask: int, ticks: int) -> int:
        """Read ComIrqReg until a bit of ``mask``; bounded in case the timer never fires."""
        irq = 0
        for _read in range(max(MAX_WAIT_READS, ticks * 5)):
            irq = self.driver.Read_MFRC522(COM_IRQ_REG)
            if irq & mask:
                break
        return irq

    def _fifo_write(self, data: Sequence[int]) -> None:
        """Fill the FIFO in one SPI transfer (the chip keeps the address for every byte)."""
        spi = getattr(self.driver, "spi", None)
        if spi is None:
            for byte in data:
                self.driver.Write_MFRC522(FIFO_DATA_REG, byte)
            return
        spi.xfer2([(FIFO_DATA_REG << 1) & 0x7E, *data])

    def _fifo_read(self, count: int) -> list[int]:
        """Empty ``count`` bytes from the FIFO in one SPI transfer."""
        if count <= 0:
            return []
        spi = getattr(self.driver, "spi", None)
        if spi is None:
            return [self.driver.Read_MFRC522(FIFO_DATA_REG) for _ in range(count)]
        address = ((FIFO_DATA_REG << 1) & 0x7E) | 0x80
        return list(spi.xfer2([address] * count + [0])[1:])

    def _transceive(self, frame: list[int], last_bits: int) -> list[int] | None:
        """Send a frame and wait for the answer or the chip's timer; None on silence."""
        d = self.driver
        d.Write_MFRC522(COMMAND_REG, IDLE)
        d.Write_MFRC522(COM_IRQ_REG, 0x7F)  # Set1 = 0: clear every interrupt request
        d.Write_MFRC522(FIFO_LEVEL_REG, 0x80)  # flush
        for byte in frame:
            d.Write_MFRC522(FIFO_DATA_REG, byte)
        d.Write_MFRC522(BIT_FRAMING_REG, last_bits)
        d.Write_MFRC522(COMMAND_REG, TRANSCEIVE)
        d.Write_MFRC522(BIT_FRAMING_REG, 0x80 | last_bits)  # StartSend
        irq = self._wait_irq(RX_IRQ | IDLE_IRQ | ERR_IRQ | TIMER_IRQ, SHORT_TICKS)
        d.Write_MFRC522(BIT_FRAMING_REG, 0x00)
        d.Write_MFRC522(COMMAND_REG, IDLE)
        if not irq & RX_IRQ:
            return None
        errors = d.Read_MFRC522(ERROR_REG)
        if errors & COLL_ERR:
            raise _Collision
        if errors & HARD_ERRORS:
            return None
        level = d.Read_MFRC522(FIFO_LEVEL_REG)
        return [d.Read_MFRC522(FIFO_DATA_REG) for _ in range(level)]
