"""One start/stop for the kiosk's worker threads: a named daemon thread repeating one step.

Every long-lived thread of the kiosk and the hub (the RFID poller, the camera and wedge
barcode sources, the buzzer/LED indicator, the voice, the uplink, the hub's ingest, the UI's
event pump, the watchdog heartbeat) is a :class:`Loop`: ``start()`` is idempotent,
``stop()`` asks the thread to end, wakes it and joins it with a timeout, and one exception
policy holds for all of them:

- a step that raises is logged with the thread's name and counted in ``errors``;
- with ``retry_s`` set (the default) the step is tried again after that pause: a loose wire
  or an unplugged camera must not end the thread;
- with ``retry_s=None`` the thread ends there and ``alive`` turns False, for the threads whose
  death the health page and the systemd watchdog must see rather than a retry hide.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

#: A step returns how long to wait before the next one (0: at once), or None: the loop is done.
Step = Callable[[], float | None]


class Loop:
    """A named daemon thread calling `step` until it returns None or `stop()` is called.

    The wait between steps ends early on `stop()` and on `wake()`. `finish` runs on the thread
    as it ends, whatever ended it (a thread-bound resource: the uplink's database connection).
    A stopped loop can be started again (a fresh thread)."""

    def __init__(
        self,
        name: str,
        step: Step,
        *,
        retry_s: float | None = 1.0,
        join_s: float = 2.0,
        finish: Callable[[], None] | None = None,
    ) -> None:
        self.name = name
        self.step = step
        self.retry_s = retry_s
        self.join_s = join_s
        self.finish = finish
        self.errors = 0
        self._stopping = False
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def alive(self) -> bool:
        """True while the thread runs."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def stopping(self) -> bool:
        """True once `stop()` was called (until the next `start()`)."""
        return self._stopping

    def start(self) -> None:
        """Start the thread (nothing happens when it already runs)."""
        if self._thread is not None:
            return
        self._stopping = False
        self._wake.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> bool:
        """Ask the thread to end, wake it and wait for it at most `timeout` seconds (default:
        `join_s`); whether it ended. A thread still busy after that is logged and left (it is
        a daemon: it cannot hold the process)."""
        self._stopping = True
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is None or thread is threading.current_thread():
            return True
        thread.join(self.join_s if timeout is None else timeout)
        if thread.is_alive():
            log.warning("thread %s did not stop in time", self.name)
            return False
        return True

    def wake(self) -> None:
        """End the current wait between steps now (new work has arrived)."""
        self._wake.set()

    def sleep(self, seconds: float) -> bool:
        """Wait inside a step (a pause before reopening a device); True if stopping."""
        if seconds > 0:
            self._wake.wait(seconds)
            self._wake.clear()
        return self._stopping

    def _run(self) -> None:
        try:
            while not self._stopping:
                try:
                    delay = self.step()
                except Exception:
                    self.errors += 1
                    if self.retry_s is None:
                        log.critical("thread %s stopped by an error", self.name, exc_info=True)
                        return
                    log.exception(
                        "thread %s: step failed; again in %.1f s", self.name, self.retry_s
                    )
                    delay = self.retry_s
                if delay is None:
                    return
                self.sleep(delay)
        finally:
            if self.finish is not None:
                self.finish()
