"""Time as the kiosk sees it: wall time that may be wrong (no RTC), and a monotonic time.

Everything that stamps or dates something asks a Clock, so tests can fix the time and a clock
jump can be simulated. A `Stamp` travels with every counted event to the province: wall time,
monotonic time, boot id and whether the wall clock was synchronised, so the hub can tell the
events stamped before NTP set the Pi's clock.
"""

from __future__ import annotations

import ctypes
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Protocol

TIME_ERROR = 5  # adjtimex(): the kernel's clock is not synchronised


@dataclass(frozen=True)
class Stamp:
    """When something happened, as far as this kiosk can tell."""

    wall: datetime
    mono: float
    boot_id: str
    clock_synced: bool

    def as_json(self) -> dict:
        """The stamp in the telemetry payloads."""
        return {
            "wall": self.wall.isoformat(),
            "mono": round(self.mono, 3),
            "boot": self.boot_id,
            "clock_synced": self.clock_synced,
        }


class Clock(Protocol):
    """A source of wall time (local, naive), monotonic seconds and sync state."""

    def now(self) -> datetime: ...

    def monotonic(self) -> float: ...

    def stamp(self) -> Stamp: ...


@cache
def boot_id() -> str:
    """This boot's id (changes at every start of the Pi); monotonic times compare within it."""
    path = Path("/proc/sys/kernel/random/boot_id")
    return path.read_text().strip() if path.is_file() else "unknown"


@cache
def _adjtimex() -> tuple[ctypes.CDLL, ctypes.Array] | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.adjtimex  # noqa: B018 - AttributeError here if the C library has none
    except (OSError, AttributeError):
        return None
    return libc, ctypes.create_string_buffer(512)  # struct timex; modes = 0: read only


def kernel_clock_synced() -> bool:
    """Whether the kernel says its clock is synchronised (NTP), as `timedatectl` reports it."""
    found = _adjtimex()
    return found is not None and found[0].adjtimex(found[1]) not in (-1, TIME_ERROR)


class SystemClock:
    """The Pi's own clock."""

    def now(self) -> datetime:
        return datetime.now().replace(microsecond=0)

    def monotonic(self) -> float:
        return time.monotonic()

    def stamp(self) -> Stamp:
        return Stamp(self.now(), self.monotonic(), boot_id(), kernel_clock_synced())


class FixedClock:
    """A clock that moves only when told to: for tests and scripted demos."""

    def __init__(self, start: datetime, synced: bool = True, boot: str = "test-boot"):
        self._now = start
        self._mono = 1000.0
        self.synced = synced
        self.boot_id = boot

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def stamp(self) -> Stamp:
        return Stamp(self._now, self._mono, self.boot_id, self.synced)

    def advance(self, **delta: float) -> None:
        """Move forward by a timedelta's keywords (days=, hours=, minutes=, seconds=)."""
        step = timedelta(**delta)
        self._now += step
        self._mono += step.total_seconds()

    def set(self, moment: datetime, synced: bool | None = None) -> None:
        """Jump the wall clock (as NTP does after boot); the monotonic time does not jump."""
        self._now = moment
        if synced is not None:
            self.synced = synced
