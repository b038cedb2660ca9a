"""Counts per interval and reader group: what the commune reports and the province sees.

No personal data: a bucket is (interval start, metric, reader group) -> count. `bump` is
called inside the transaction of the event it counts, and marks the interval for sending in
the same transaction, so a crash never separates an event, its count and its outbox row.
"""

from __future__ import annotations

from datetime import datetime

from peewee import fn

from kiosk.circulation import Refusal
from kiosk.clock import Stamp
from kiosk.store import outbox
from kiosk.store.db import db
from kiosk.store.models import CounterBucket

INTERVAL_MINUTES = 15

VISITS_DOOR = "visits_door"
VISITS_CARD = "visits_card"
LOANS = "loans"
RETURNS = "returns"
RENEWALS = "renewals"
NEW_READERS = "new_readers"
SEARCHES = "searches"
REFUSAL_PREFIX = "refused_"
# Every metric a kiosk may count: the counts schema (telemetry/schemas/counts.v1.json) pins
# its `metric` to exactly this list, and tests/telemetry/test_payloads.py keeps the two equal.
METRICS = (
    *(VISITS_DOOR, VISITS_CARD, LOANS, RETURNS, RENEWALS, NEW_READERS, SEARCHES),
    *(REFUSAL_PREFIX + reason for reason in Refusal),
)

_UPSERT = (
    "INSERT INTO counter_bucket (interval_start, metric, reader_group, count) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (interval_start, metric, reader_group) DO UPDATE SET count = count + ?"
)


def interval_start(at: datetime, minutes: int = INTERVAL_MINUTES) -> datetime:
    """The start of the interval that contains `at`."""
    minute = at.minute - at.minute % minutes
    return at.replace(minute=minute, second=0, microsecond=0)


def bump(metric: str, stamp: Stamp, group: str = "", n: int = 1) -> None:
    """Add `n` to a bucket and mark its interval for sending (call inside the transaction of
    the counted event)."""
    start = interval_start(stamp.wall)
    db.execute_sql(_UPSERT, (str(start), metric, group, n, n))
    outbox.mark(start, stamp)


def totals(start: datetime, end: datetime) -> dict[tuple[str, str], int]:
    """Sum of every (metric, group) over buckets starting in [start, end)."""
    query = (
        CounterBucket.select(
            CounterBucket.metric,
            CounterBucket.reader_group,
            fn.SUM(CounterBucket.count).alias("total"),
        )
        .where((CounterBucket.interval_start >= start) & (CounterBucket.interval_start < end))
        .group_by(CounterBucket.metric, CounterBucket.reader_group)
    )
    return {(row.metric, row.reader_group): row.total for row in query}


def interval_counts(start: datetime) -> list[tuple[str, str, int]]:
    """(metric, group, count) of one interval, in a stable order."""
    rows = db.execute_sql(
        "SELECT metric, reader_group, count FROM counter_bucket WHERE interval_start = ?"
        " ORDER BY metric, reader_group",
        (str(start),),
    )
    return [tuple(row) for row in rows.fetchall()]
