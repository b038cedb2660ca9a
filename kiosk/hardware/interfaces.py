"""What the core expects from the kiosk's hardware: small protocols and the events they produce.

The core (session, circulation, counters) never imports a hardware library. It receives
*events* from a queue filled by hardware threads, and asks an :class:`Indicator` for
feedback. Each protocol below says what an implementation MUST do (the core relies on it)
and what it MAY do (the core copes either way). Implementations: ``kiosk.hardware.rfid``
(tag reader), ``kiosk.hardware.peripherals`` (indicator, visitor sensor) and the barcode
modules (barcode source); ``kiosk.hardware.backend`` picks and wires them.

Events are small frozen dataclasses carrying a monotonic time ``at`` (seconds, from
``time.monotonic`` or an injected clock), so they can be ordered and deduplicated without
trusting the wall clock (the Pi has no RTC).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


class TagStatus(enum.StrEnum):
    """What could be read from a tag's memory, beyond its UID."""

    OK = "ok"  # an item identifier was read and checked
    BLANK = "blank"  # factory-fresh or erased: no label yet (a reader card, or a new sticker)
    FOREIGN = "foreign"  # holds data in a layout that is not ours (e.g. a URL written by a phone)
    CORRUPT = "corrupt"  # our layout, but a check failed (CRC, length, TLV, UTF-8, mismatch)
    INCOMPLETE = "incomplete"  # the tag left the field (or stopped answering) mid-read
    LOCKED = "locked"  # MIFARE Classic: none of the configured keys opens the label sector
    NOT_READ = "not read"  # the reader was asked for UIDs only, or the tag type is unknown


@dataclass(frozen=True)
class TagSeen:
    """A tag was tapped: its UID (hex upper case is the store's form), and its label.

    ``item_id`` is set only when ``status`` is OK: a blank, corrupt or half-read tag never
    carries an identifier, so it cannot be mistaken for another item. ``attempts`` counts
    the reads it took (more than 1 when a read was retried).
    """

    uid: bytes
    kind: str  # "mifare-classic-1k", "mifare-classic-4k", "ntag", "unknown"
    status: TagStatus
    item_id: str | None = None
    attempts: int = 1
    at: float = 0.0

    @property
    def uid_hex(self) -> str:
        """The UID as the store keeps it (``CopyTag.uid``, ``Reader.card_id``)."""
        return self.uid.hex().upper()


@dataclass(frozen=True)
class SeveralTags:
    """More than one tag answered at once: the reader should present one at a time."""

    at: float = 0.0


class Direction(enum.StrEnum):
    """Which way a visitor went through the door."""

    IN = "in"
    OUT = "out"
    UNKNOWN = "unknown"  # one beam only: a pass is counted, its direction cannot be known


@dataclass(frozen=True)
class Passage:
    """A visitor went through the door beam(s)."""

    direction: Direction
    at: float = 0.0


@dataclass(frozen=True)
class CodeSeen:
    """A barcode was read (and, where the symbology has one, its check digit verified)."""

    value: str
    symbology: str  # "EAN13", "ISBN13", "CODE128", "QRCODE", ...
    at: float = 0.0


HardwareEvent = TagSeen | SeveralTags | CodeSeen | Passage
"""Everything a hardware thread may put on the events queue."""


class Pattern(enum.StrEnum):
    """Feedback patterns an indicator can show (sound and light, so reading is optional)."""

    SUCCESS = "success"  # a loan or return went through
    REFUSAL = "refusal"  # the rules say no (limit reached, reference book, blocked card)
    ERROR = "error"  # something is wrong with the tag or the kiosk: ask staff


@runtime_checkable
class TagReader(Protocol):
    """An RFID reader, polled by a background thread.

    MUST: ``poll()`` return within a few tens of milliseconds and never block waiting for a
    tag; return None when nothing *new* happened; report a tag resting on the reader once
    (one event per tap), and again only after it left and came back; return
    :class:`SeveralTags` (once) rather than any UID when several tags answer; never raise
    because a tag was pulled away, and never put an ``item_id`` on an event whose data was
    not completely read and checked. ``close()`` releases the bus and pins.

    MAY: read the tag's memory as part of the tap (``status`` then says what was found);
    retry a failed read on the next poll while the tag stays (``attempts`` > 1).
    """

    def poll(self) -> TagSeen | SeveralTags | None: ...

    def close(self) -> None: ...


class RestingTag(Protocol):
    """The tag lying on a reader: at least its UID."""

    uid: bytes


@runtime_checkable
class TagWriter(TagReader, Protocol):
    """A tag reader that can also label tags (staff labelling at the kiosk).

    MUST: ``current`` be the tag resting on the reader since its tap event (None when none);
    ``write_item(item_id, uid=...)`` write ``item_id`` as the label of that tag (``uid``, when
    given, must be the tag's), read it back in a new session and compare, raise an error with
    a translated message on any failure (nothing is then recorded by the caller), and leave
    the tag counted as resting on the reader: no new tap event for it.
    """

    @property
    def current(self) -> RestingTag | None: ...

    def write_item(self, item_id: str, *, uid: bytes | None = None) -> TagSeen: ...


@runtime_checkable
class BarcodeSource(Protocol):
    """A camera or keyboard-wedge scanner producing checked codes.

    MUST: after ``start(on_code)``, call ``on_code`` from its own thread (never the UI's)
    with one :class:`CodeSeen` per accepted code, only for codes read twice identically and
    whose check digit (EAN-13, ISBN) is right; never call it after ``stop()`` returned;
    abandon a decode that takes too long rather than fall behind. ``stop()`` is idempotent.

    MAY: suppress a code repeated within a short time (the same book held in front of it).
    """

    def start(self, on_code: Callable[[CodeSeen], None]) -> None: ...

    def stop(self) -> None: ...


@runtime_checkable
class VisitorSensor(Protocol):
    """A door beam (or two) counting visitors.

    MUST: after ``start(on_passage)``, call ``on_passage`` once per person going through,
    from a hardware thread; ignore contact bounce and interruptions shorter than a person
    takes to pass; with two beams, give the direction and not count someone who turns back.
    ``count`` is the number of passages since start. ``stop()`` releases the pins.

    MAY: report :attr:`Direction.UNKNOWN` when it has one beam only.
    """

    @property
    def count(self) -> int: ...

    def start(self, on_passage: Callable[[Passage], None]) -> None: ...

    def stop(self) -> None: ...


@runtime_checkable
class Indicator(Protocol):
    """Buzzer and LED feedback.

    MUST: ``show(pattern)`` return at once (never sleep in the caller: it is the UI or the
    session thread); a new pattern replaces the one playing; ``cancel()`` stops at once and
    leaves buzzer and LED off; ``close()`` cancels and releases the pins.

    MAY: ignore patterns it cannot show (an LED-only board).
    """

    def show(self, pattern: Pattern) -> None: ...

    def cancel(self) -> None: ...

    def close(self) -> None: ...


class PrintOutcome(enum.StrEnum):
    """How a paper slip went (the screens say each in the reader's language)."""

    PRINTED = "printed"  # the whole slip was sent and the printer still has paper
    NO_PAPER = "no paper"  # out of paper before or while printing: nothing is claimed printed
    MISSING = "missing"  # no printer at the configured place, or it does not answer


@runtime_checkable
class SlipPrinter(Protocol):
    """A receipt printer for the paper slip of a reader's loans.

    MUST: ``print_slip(lines)`` print the lines (any Unicode, Vietnamese marks included) as
    one slip and cut it, and return an outcome rather than raise, whatever the printer does
    (unplugged, out of paper, a write that fails half-way); say PRINTED only when the whole slip
    was accepted and the printer did not report paper out. It may take seconds (a serial
    printer at 9600 baud): call it off the UI thread. ``close()`` releases the device.

    MAY: open the device per slip (a USB printer may be unplugged between two readers).
    """

    def print_slip(self, lines: Sequence[str]) -> PrintOutcome: ...

    def close(self) -> None: ...
