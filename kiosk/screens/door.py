"""The door's visits, written to the store without ever holding up the screen."""

from __future__ import annotations

import logging
from collections import deque

from kivy.clock import Clock

from kiosk.clock import Stamp
from kiosk.desk import Desk
from kiosk.store.db import short_wait

log = logging.getLogger(__name__)

PASSAGE_WAIT_MS = 100  # a door count waits this long for the store's write lock
PASSAGE_RETRY_S = 2.0  # then it is tried again after this long
PASSAGES_KEPT = 10_000  # door visits kept while the store cannot take them


class DoorCounter:
    """Counts each passage through the door beam as a visit. When the store cannot take it
    now (a long import holds the write lock, a full card), the visit is kept with its time
    and tried again shortly: the screen never waits long and no visit is lost."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self._passages: deque[Stamp] = deque(maxlen=PASSAGES_KEPT)
        self._retry = Clock.create_trigger(self.write, PASSAGE_RETRY_S)

    def count(self, stamp: Stamp) -> None:
        """A person came in at `stamp`."""
        self._passages.append(stamp)
        self.write()

    def write(self, _dt: float = 0) -> None:
        """Write the visits kept so far, oldest first."""
        while self._passages:
            try:
                with short_wait(PASSAGE_WAIT_MS):
                    self.desk.count_passage(stamp=self._passages[0])
            except Exception as exc:  # the UI must not die for a door count
                log.warning("door visit not counted yet (%s); retrying", exc)
                self._retry()  # a trigger: one retry pending at most
                return
            self._passages.popleft()

    def cancel(self) -> None:
        """No retry fires after this (the Clock outlives the app)."""
        self._retry.cancel()
