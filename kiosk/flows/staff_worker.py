"""Run a long store operation (an import of 50,000 rows) off the UI thread: pure Python.

The UI thread must keep drawing (and pinging the systemd watchdog) while a large file is
imported, so the work runs in a thread of its own and its result is handed back through
``post`` (the screen passes a wrapper of Kivy's ``Clock.schedule_once``, the only safe way
back to widgets). peewee keeps one SQLite connection per thread: the worker opens its own on
first use and closes it when done; WAL lets the UI thread go on reading meanwhile, and the
import's write transaction is the single writer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.store.db import close_database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Done:
    """What the work returned, or the exception it raised."""

    value: Any = None
    error: BaseException | None = None


def start(
    work: Callable[[], Any],
    done: Callable[[Done], None],
    post: Callable[[Callable[[], None]], None],
) -> threading.Thread:
    """Run `work` in a daemon thread; `post(lambda: done(result))` when it ends, either way."""

    def run() -> None:
        try:
            result = Done(work())
        except Exception as exc:  # handed to the screen, which says it in words
            log.exception("staff operation failed")
            result = Done(error=exc)
        finally:
            close_database()  # this thread's own connection
        post(lambda: done(result))

    thread = threading.Thread(target=run, name="staff-work", daemon=True)
    thread.start()
    return thread
