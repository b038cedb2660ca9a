"""kiosk.threads.Loop: the one start/stop and exception policy of every worker thread."""

from __future__ import annotations

import threading
import time

from kiosk.threads import Loop


def wait_until(condition, timeout: float = 2.0) -> bool:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.005)
    return True


def test_start_is_idempotent_and_stop_joins():
    steps: list[str] = []
    loop = Loop("t-steps", lambda: steps.append(threading.current_thread().name) or 0.01)
    loop.start()
    loop.start()
    assert wait_until(lambda: len(steps) >= 3)
    assert loop.stop() and not loop.alive
    count = len(steps)
    time.sleep(0.05)
    assert len(steps) == count and set(steps) == {"t-steps"}  # one thread, and it ended


def test_a_failing_step_is_logged_counted_and_retried(caplog):
    calls = []

    def step() -> float:
        calls.append(time.monotonic())
        if len(calls) < 3:
            raise OSError("reader unplugged")
        return 60.0

    loop = Loop("t-retry", step, retry_s=0.05)
    loop.start()
    assert wait_until(lambda: len(calls) == 3)
    assert loop.errors == 2 and loop.alive
    assert calls[1] - calls[0] >= 0.04  # the pause before trying again
    assert "t-retry" in caplog.text and "reader unplugged" in caplog.text
    assert loop.stop(timeout=1.0)  # the 60 s wait ends on stop()


def test_without_retry_an_error_ends_the_thread_for_health_checks_to_see(caplog):
    finished = []
    loop = Loop("t-end", lambda: 1 / 0, retry_s=None, finish=lambda: finished.append(1))
    loop.start()
    assert wait_until(lambda: not loop.alive)
    assert loop.errors == 1 and finished == [1]
    assert "stopped by an error" in caplog.text


def test_a_step_returning_none_ends_the_loop_and_wake_cuts_the_wait():
    seen = []
    loop = Loop("t-wake", lambda: seen.append(1) or (None if len(seen) == 2 else 30.0))
    loop.start()
    assert wait_until(lambda: len(seen) == 1)
    loop.wake()  # new work: the 30 s wait ends now
    assert wait_until(lambda: not loop.alive, timeout=1.0) and len(seen) == 2


def test_a_thread_that_does_not_stop_in_time_is_reported(caplog):
    release = threading.Event()
    loop = Loop("t-stuck", lambda: release.wait(5) and None, join_s=0.05)
    loop.start()
    time.sleep(0.02)
    assert loop.stop() is False and "did not stop in time" in caplog.text
    release.set()
