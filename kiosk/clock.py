"""Time as the kiosk sees it: wall time that may be wrong (no RTC), and a monotonic time.

Everything that stamps or dates something asks a Clock, so tests can fix the time and a clock
jump can be simulated.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """A source of wall time (local, naive) and monotonic seconds."""

    def now(self) -> datetime: ...

    def monotonic(self) -> float: ...


class SystemClock:
    """The Pi's own clock."""

    def now(self) -> datetime:
        return datetime.now().replace(microsecond=0)

    def monotonic(self) -> float:
        return time.monotonic()


class FixedClock:
    """A clock that moves only when told to: for tests and scripted demos."""

    def __init__(self, start: datetime):
        self._now = start
        self._mono = 1000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, **delta: float) -> None:
        """Move forward by a timedelta's keywords (days=, hours=, minutes=, seconds=)."""
        step = timedelta(**delta)
        self._now += step
        self._mono += step.total_seconds()

    def set(self, moment: datetime) -> None:
        """Jump the wall clock (as NTP does after boot); the monotonic time does not jump."""
        self._now = moment


def today(clock: Clock) -> date:
    """The local date according to `clock`."""
    return clock.now().date()
