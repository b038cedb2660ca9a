"""The outbox: intervals whose counts must reach the province, in order, exactly once.

A counted event marks its interval (one *pending* row per interval; its `seq` is the kiosk's
sequence number). The uplink freezes a row's payload when it first publishes it (*inflight*)
and deletes the row only on the broker's PUBACK; a crash or a lost link sends the same frozen
payload again, and the hub drops the repeat by (kiosk, seq). Events after the freeze mark a new
pending row, so the interval's later totals follow with a higher seq.

The outbox is bounded by rows and age; what is dropped is counted and reported upstream.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.clock import Stamp
from kiosk.store.db import db, write_transaction
from kiosk.store.models import Setting

COUNTS = "counts"
DROPPED_KEY = "outbox_dropped"

_MARK = (
    "INSERT INTO outbox (topic, payload, created_at, monotonic, clock_synced, interval_start,"
    " boot_id, state) SELECT ?, '', ?, ?, ?, ?, ?, 'pending'"
    " WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE state = 'pending' AND interval_start = ?)"
)


@dataclass(frozen=True)
class Entry:
    """One outbox row as the uplink sees it."""

    seq: int
    interval_start: datetime
    payload: str  # empty until frozen
    created_mono: float
    boot_id: str
    clock_synced: bool


def mark(interval_start: datetime, stamp: Stamp) -> None:
    """Make sure the interval has a pending row (call inside the event's transaction)."""
    start = str(interval_start)
    db.execute_sql(
        _MARK,
        (COUNTS, str(stamp.wall), stamp.mono, stamp.clock_synced, start, stamp.boot_id, start),
    )


def depth() -> int:
    """Rows waiting to be sent or acknowledged."""
    return db.execute_sql("SELECT count(*) FROM outbox").fetchone()[0]


def dropped() -> int:
    """How many rows were ever dropped to keep the outbox bounded."""
    setting = Setting.get_or_none(Setting.key == DROPPED_KEY)
    return int(setting.value) if setting else 0


def _entry(row: tuple) -> Entry:
    seq, start, payload, mono, boot, synced = row
    return Entry(seq, datetime.fromisoformat(start), payload, mono, boot, bool(synced))


def due(now: Stamp, interval: timedelta, coalesce_s: float, limit: int) -> list[Entry]:
    """Rows to publish now, oldest first: frozen ones (a resend), closed intervals, and the open
    interval's row once it has waited `coalesce_s` (so a busy hour costs a message per ~30 s)."""
    rows = db.execute_sql(
        "SELECT seq, interval_start, payload, monotonic, boot_id, clock_synced FROM outbox"
        " ORDER BY seq LIMIT ?",
        (limit,),
    ).fetchall()
    ready = []
    for entry in map(_entry, rows):
        open_interval = entry.interval_start + interval > now.wall
        young = entry.boot_id == now.boot_id and now.mono - entry.created_mono < coalesce_s
        if not entry.payload and open_interval and young:
            break  # keep the order: nothing after a row that must wait
        ready.append(entry)
    return ready


def freeze(seq: int, payload: str) -> None:
    """Fix the payload of a row about to be published for the first time."""
    with write_transaction():
        db.execute_sql(
            "UPDATE outbox SET payload = ?, state = 'inflight' WHERE seq = ?", (payload, seq)
        )


def acknowledge(seqs: list[int]) -> None:
    """The broker has the rows: forget them."""
    if seqs:
        with write_transaction():
            marks = ",".join("?" * len(seqs))
            db.execute_sql(f"DELETE FROM outbox WHERE seq IN ({marks})", seqs)


def prune(now: datetime, max_rows: int, max_age: timedelta) -> int:
    """Drop the oldest rows beyond the bounds; count them; how many were dropped."""
    with write_transaction():
        cutoff = str(now - max_age)
        gone = db.execute_sql("DELETE FROM outbox WHERE created_at < ?", (cutoff,)).rowcount
        gone += db.execute_sql(
            "DELETE FROM outbox WHERE seq NOT IN (SELECT seq FROM outbox ORDER BY seq DESC"
            " LIMIT ?)",
            (max_rows,),
        ).rowcount
        if gone:
            total = dropped() + gone
            Setting.insert(key=DROPPED_KEY, value=str(total)).on_conflict_replace().execute()
    return gone
