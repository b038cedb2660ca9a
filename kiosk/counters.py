"""Counts per interval and reader group: what the commune reports and the province sees.

No personal data: a bucket is (interval start, metric, reader group) -> count. `bump` is
called inside the transaction of the event it counts, so a count and its event are never
separated by a crash.
"""

from __future__ import annotations

from datetime import datetime

from kiosk.store.models import CounterBucket

INTERVAL_MINUTES = 15

VISITS_DOOR = "visits_door"
VISITS_CARD = "visits_card"
LOANS = "loans"
RETURNS = "returns"
RENEWALS = "renewals"
NEW_READERS = "new_readers"
REFUSAL_PREFIX = "refused_"


def interval_start(at: datetime, minutes: int = INTERVAL_MINUTES) -> datetime:
    """The start of the interval that contains `at`."""
    minute = at.minute - at.minute % minutes
    return at.replace(minute=minute, second=0, microsecond=0)


def bump(metric: str, at: datetime, group: str = "", n: int = 1) -> None:
    """Add `n` to a bucket (call inside the transaction of the counted event)."""
    start = interval_start(at)
    (
        CounterBucket.insert(interval_start=start, metric=metric, reader_group=group, count=n)
        .on_conflict(
            conflict_target=[
                CounterBucket.interval_start,
                CounterBucket.metric,
                CounterBucket.reader_group,
            ],
            update={CounterBucket.count: CounterBucket.count + n},
        )
        .execute()
    )


def totals(start: datetime, end: datetime) -> dict[tuple[str, str], int]:
    """Sum of every (metric, group) over buckets starting in [start, end)."""
    from peewee import fn

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
