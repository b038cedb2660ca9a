"""The inactivity timer: after a while without a touch or a tap on a reader's screen, a
warning with a countdown, then back to Home with the reader's data cleared."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

IDLE_WARNING_S = 45.0  # no touch nor tap for this long on a reader screen: warn
IDLE_COUNTDOWN_S = 15.0  # then count down this long before going back to Home


class IdleTimer:
    """Watches for someone at the kiosk. `check(in_session)` runs four times a second on the
    UI thread; `expired()` ends the session, `warned()` says "still there?"."""

    def __init__(
        self,
        monotonic: Callable[[], float],
        *,
        warning_s: float = IDLE_WARNING_S,
        countdown_s: float = IDLE_COUNTDOWN_S,
        expired: Callable[[], None],
        warned: Callable[[], None],
    ) -> None:
        self._monotonic = monotonic
        self.warning_s = warning_s
        self.countdown_s = countdown_s
        self.expired = expired
        self.warned = warned
        self.skew = 0.0  # scripts and tests "wait" by moving the idle clock forward
        self.checks = 0  # how often inactivity was checked (the demo driver waits on it)
        self.warning: Any = None  # the InactivityWarning overlay, made once Kivy runs
        self._last_activity = monotonic()

    def now(self) -> float:
        return self._monotonic() + self.skew

    def touch(self) -> None:
        """Someone is here: restart the timer."""
        self._last_activity = self.now()

    def dismiss(self) -> bool:
        """Close the warning if it is up; whether it was."""
        if self.warning is None or self.warning.parent is None:
            return False
        self.warning.dismiss(animation=False)
        return True

    def check(self, in_session: bool) -> None:
        """Warn, count down or end the session, as the time since the last activity says."""
        self.checks += 1
        if not in_session:
            return
        idle = self.now() - self._last_activity
        if idle >= self.warning_s + self.countdown_s:
            self.expired()
        elif idle >= self.warning_s:
            self.warning.remaining = max(1, round(self.warning_s + self.countdown_s - idle))
            if self.warning.parent is None:
                self.warning.open(animation=False)
                self.warned()
