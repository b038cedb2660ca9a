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

The driver is imported lazily, in the constructor, so importing this module needs neither
``spidev`` nor ``RPi.GPIO``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# MFRC522 registers and bits used directly (datasheet names).
COMMAND_REG, COM_IRQ_REG, ERROR_REG = 0x01, 0x04, 0x06
FIFO_DATA_REG, FIFO_LEVEL_REG, CONTROL_REG, BIT_FRAMING_REG = 0x09, 0x0A, 0x0C, 0x0D
T_MODE_REG, T_PRESCALER_REG, T_RELOAD_H, T_RELOAD_L = 0x2A, 0x2B, 0x2C, 0x2D
IDLE, TRANSCEIVE = 0x00, 0x0C
RX_IRQ, IDLE_IRQ, ERR_IRQ, TIMER_IRQ = 0x20, 0x10, 0x02, 0x01
COLL_ERR, HARD_ERRORS = 0x08, 0x13  # BufferOvfl | ParityErr | ProtocolErr

WUPA = 0x52
SEL = (0x93, 0x95, 0x97)
CASCADE_TAG = 0x88
MAX_WAIT_READS = 200  # safety net should the timer never fire (e.g. chip unplugged)
MISSES_BEFORE_GONE = 2


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


@dataclass(frozen=True)
class SeveralTags:
    """More than one tag answered at once: the user should present one at a time."""


class _Collision(Exception):
    """Several tags answered the same frame."""


class Mfrc522TagReader:
    """Non-blocking tag reader over ``mfrc522.MFRC522`` (BCM numbering, explicit RST pin).

    ``driver`` may be given (tests, or a driver constructed elsewhere); otherwise one is
    built on SPI ``bus``/``device`` with ``rst_pin`` in BCM numbering.
    """

    def __init__(
        self, *, bus: int = 0, device: int = 0, rst_pin: int = 25, driver: Any = None
    ) -> None:
        if driver is None:
            from mfrc522 import MFRC522  # vendor library: imported only when used

            bcm = 11  # RPi.GPIO.BCM; passing it keeps the driver from picking BOARD
            driver = MFRC522(bus=bus, device=device, pin_mode=bcm, pin_rst=rst_pin)
        self.driver = driver
        self._current: Tag | None = None
        self._misses = 0
        self._several_reported = False
        self._configure_timer()

    def _configure_timer(self) -> None:
        # TAuto, prescaler 169: 25 us ticks; 40 ticks is about 1 ms, ten times the longest
        # ISO 14443-A frame delay for the answers we wait for ourselves (ATQA).
        self.driver.Write_MFRC522(T_MODE_REG, 0x80)
        self.driver.Write_MFRC522(T_PRESCALER_REG, 0xA9)
        self.driver.Write_MFRC522(T_RELOAD_H, 0x00)
        self.driver.Write_MFRC522(T_RELOAD_L, 40)

    # -- public ----------------------------------------------------------------------------------
    def poll(self) -> Tag | SeveralTags | None:
        """Look once at the field: a new tag, several tags, or None (nothing new)."""
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
        self._halt()
        self._several_reported = False
        self._misses = 0
        if tag == self._current:
            return None
        self._current = tag
        return tag

    @property
    def current(self) -> Tag | None:
        """The tag resting on the reader since its event, if any."""
        return self._current

    def close(self) -> None:
        """Release SPI and GPIO (the driver's own cleanup)."""
        self.driver.Close_MFRC522()

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
        if self._several_reported:
            return None
        self._several_reported = True
        return SeveralTags()

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
        irq = 0
        for _ in range(MAX_WAIT_READS):
            irq = d.Read_MFRC522(COM_IRQ_REG)
            if irq & (RX_IRQ | IDLE_IRQ | ERR_IRQ | TIMER_IRQ):
                break
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
