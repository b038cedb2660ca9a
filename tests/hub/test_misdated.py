"""Intervals stamped far from the hub's clock (a Pi without its clock battery says 1970 until
NTP) are real events with a wrong time: kept apart and flagged, out of the totals, and re-based
from the monotonic stamp and boot id once a stamp of the same boot made with the clock set
tells the hub the kiosk's real time."""

from __future__ import annotations

from datetime import datetime

import pytest

from kiosk.clock import Stamp
from kiosk.hub import indicators as ind
from kiosk.hub.ingest import ACCEPTED, MISDATED, Ingestor, Message
from kiosk.hub.models import IntervalCount, MisdatedCount, Received
from kiosk.telemetry import payloads

DOAN_KET = "06001"
KIOSK = "06001-01"
NOW = datetime(2026, 11, 25, 10, 0)


@pytest.fixture
def ingestor(hub_data):
    hub_data.add_kiosk(KIOSK, DOAN_KET)
    return Ingestor()


def counts(seq: int, start: datetime, loans: int, first: Stamp, sent: Stamp) -> Message:
    body = payloads.counts(
        KIOSK, "20", DOAN_KET, seq, start, 15, [("loans", "adult", loans)], first, sent, 0
    )
    return Message(f"thuvien/v1/20/{DOAN_KET}/{KIOSK}/counts", payloads.encode(body))


def health(stamp: Stamp) -> Message:
    figures = {
        "outbox_depth": 0,
        "outbox_dropped": 0,
        "disk_free_mb": 900.0,
        "cpu_temp_c": None,
        "rfid": "ok",
        "scanner": "ok",
        "version": "0.1.0",
    }
    body = payloads.health(KIOSK, "20", DOAN_KET, stamp, figures)
    return Message(f"thuvien/v1/20/{DOAN_KET}/{KIOSK}/health", payloads.encode(body))


def wrong(moment: datetime, mono: float, boot: str = "b1") -> Stamp:
    return Stamp(moment, mono, boot, False)


@pytest.mark.parametrize(
    "start",
    [datetime(1970, 1, 1, 0, 0), datetime(1999, 12, 31, 23, 45), datetime(2100, 1, 1, 0, 0)],
    ids=["1970", "1999", "2100"],
)
def test_an_interval_far_from_the_hub_clock_is_kept_apart(ingestor, start):
    stamp = wrong(start, 100.0)
    assert ingestor.handle_batch([counts(1, start, 4, stamp, stamp)], NOW) == [MISDATED]
    assert IntervalCount.select().count() == 0  # not in any total
    assert [r.seq for r in Received.select()] == [1]  # received all the same: no gap to repair
    row = MisdatedCount.get()
    assert (row.interval_start, row.n, row.rebased_start) == (start.isoformat(), 4, None)
    assert ind.period_sums(datetime(start.year, 1, 1), datetime(start.year + 1, 1, 1)) == {}
    (kiosk,) = ind.kiosks("20")
    assert kiosk.misdated == 1  # shown on the kiosk's block


def test_rebased_once_the_same_boot_reports_with_its_clock_set(ingestor):
    # Counted 100 s after boot, 1 min 40 s into the 1970 interval the kiosk believed in...
    first = wrong(datetime(1970, 1, 1, 0, 1, 40), 100.0)
    assert ingestor.handle_batch(
        [
            counts(1, datetime(1970, 1, 1), 2, first, first),
            counts(2, datetime(1970, 1, 1), 5, first, first),
        ],
        NOW,
    ) == [MISDATED, MISDATED]
    # ...another boot syncing tells nothing about this one...
    other = Stamp(datetime(2026, 11, 25, 9, 50), 30.0, "b2", True)
    # ...nor does a stamp that says "synchronised" and 1970 at once
    liar = Stamp(datetime(1970, 1, 1, 0, 20), 1300.0, "b1", True)
    assert ingestor.handle_batch([health(other), health(liar)], NOW) == [ACCEPTED, ACCEPTED]
    assert IntervalCount.select().count() == 0
    # 900 s after that first event, the clock set: it said 9:40
    synced = Stamp(datetime(2026, 11, 25, 9, 40), 1000.0, "b1", True)
    assert ingestor.handle_batch([health(synced)], NOW) == [ACCEPTED]
    row = IntervalCount.get()
    # first event at 9:25:00, its interval started 100 s before by the kiosk's count: 9:23:20,
    # in the interval from 9:15; the highest seq's totals, flagged as from an unset clock
    assert (row.interval_start, row.n, row.seq, bool(row.clock_synced)) == (
        datetime(2026, 11, 25, 9, 15),
        5,
        2,
        False,
    )
    assert MisdatedCount.get().rebased_start == datetime(2026, 11, 25, 9, 15)
    assert ind.kiosks("20")[0].misdated == 0
    sums = ind.period_sums(datetime(2026, 11, 1), datetime(2026, 12, 1))
    assert sums[DOAN_KET].get("loans") == 5 and sums[DOAN_KET].unsynced == 1
    # a later message of the same interval, once the boot's clock is known, is re-based at once
    assert ingestor.handle_batch([counts(3, datetime(1970, 1, 1), 6, first, first)], NOW) == [
        MISDATED
    ]
    assert IntervalCount.get().n == 6


def test_an_implausible_interval_that_stays_implausible_after_rebasing_stays_apart(ingestor):
    # the monotonic stamp itself is absurd (decades of uptime): re-basing cannot help
    first = wrong(datetime(1970, 1, 1, 0, 0), 9e8)
    sent = Stamp(datetime(2026, 11, 25, 9, 40), 1000.0, "b1", True)
    assert ingestor.handle_batch([counts(1, datetime(1970, 1, 1), 2, first, sent)], NOW) == [
        MISDATED
    ]
    assert IntervalCount.select().count() == 0
    assert MisdatedCount.get().rebased_start is None
