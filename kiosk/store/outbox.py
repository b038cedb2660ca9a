"""The outbox: intervals whose counts must reach the province, in order, exactly once.

A counted event marks its interval (one *pending* row per interval; its `seq` is the kiosk's
sequence number). The uplink freezes a row's payload when it first publishes it (*inflight*);
the broker's PUBACK takes it off the queue (*sent*). A crash or a lost link sends the same
frozen payload again, and the hub drops the repeat by (kiosk, seq). Events after the freeze
mark a new pending row, so the interval's later totals follow with a higher seq.

A broker that crashes can lose a message it had already acknowledged. So sent rows are kept
for `keep_sent` days: when the hub finds a gap in a kiosk's sequence numbers it asks for those
again (`resend`), and they go out once more, frozen payload and all.

The outbox is bounded by rows and age; unsent rows dropped to keep it so are counted, and the
count is reported upstream.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.clock import Stamp
from kiosk.store.db import db, relaxed_durability, write_transaction
from kiosk.store.models import Setting

COUNTS = "counts"
DROPPED_KEY = "outbox_dropped"
UNSENT = "state != 'sent'"

_MARK = (
    "INSERT INTO outbox (topic, payload, created_at, monotonic, clock_synced, interval_start,"
    " boot_id, state) SELECT ?, '', ?, ?, ?, ?, ?, 'pending'"
    " WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE state = 'pending' AND interval_start = ?)"
)
_COLUMNS = "seq, interval_start, payload, created_at, monotonic, boot_id, clock_synced"


@dataclass(frozen=True)
class Entry:
    """One outbox row as the uplink sees it."""

    seq: int
    interval_start: datetime
    payload: str  # empty until frozen
    stamp: Stamp  # when the first event of the row was counted


def mark(interval_start: datetime, stamp: Stamp) -> None:
    """Make sure the interval has a pending row (call inside the event's transaction)."""
    start = str(interval_start)
    db.execute_sql(
        _MARK,
        (COUNTS, str(stamp.wall), stamp.mono, stamp.clock_synced, start, stamp.boot_id, start),
    )


def depth() -> int:
    """Rows waiting to be sent or acknowledged."""
    return db.execute_sql(f"SELECT count(*) FROM outbox WHERE {UNSENT}").fetchone()[0]


def dropped() -> int:
    """How many unsent rows were ever dropped to keep the outbox bounded."""
    row = db.execute_sql("SELECT value FROM meta WHERE key = ?", (DROPPED_KEY,)).fetchone()
    return int(row[0]) if row else 0


def kept_range() -> tuple[int, int]:
    """(oldest seq still kept, latest seq the broker acknowledged; 0 if none): announced in
    health, so the hub sees the gaps at the end too, and stops asking for what is gone."""
    oldest, latest = db.execute_sql(
        "SELECT min(seq), max(CASE WHEN state = 'sent' THEN seq END) FROM outbox"
    ).fetchone()
    if oldest is None:  # nothing kept: everything up to the last seq handed out is gone
        row = db.execute_sql("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").fetchone()
        oldest = (row[0] if row else 0) + 1
    return oldest, latest or 0


def _entry(row: tuple) -> Entry:
    seq, start, payload, wall, mono, boot, synced = row
    stamp = Stamp(datetime.fromisoformat(wall), mono, boot, bool(synced))
    return Entry(seq, datetime.fromisoformat(start), payload, stamp)


def due(now: Stamp, interval: timedelta, coalesce_s: float, limit: int) -> list[Entry]:
    """Rows to publish now, oldest first: frozen ones (a resend), closed intervals, and the open
    interval's row once it has waited `coalesce_s` (so a busy hour costs a message per ~30 s)."""
    rows = db.execute_sql(
        f"SELECT {_COLUMNS} FROM outbox WHERE {UNSENT} ORDER BY seq LIMIT ?", (limit,)
    )
    ready = []
    for entry in map(_entry, rows.fetchall()):
        open_interval = entry.interval_start + interval > now.wall
        young = entry.stamp.boot_id == now.boot_id and now.mono - entry.stamp.mono < coalesce_s
        if not entry.payload and open_interval and young:
            break  # keep the order: nothing after a row that must wait
        ready.append(entry)
    return ready


def freeze(entries: list[Entry], render: Callable[[Entry], str]) -> dict[int, str]:
    """Fix the payloads of rows about to be published, in one transaction; seq -> payload.

    Rendering reads the interval's counts inside the same write transaction: an event either
    committed before (and is in the payload) or commits after (and finds the row no longer
    pending, so it marks a new one). No count can fall between the two. A row frozen before
    (a resend) keeps its payload, byte for byte.
    """
    frozen = {e.seq: e.payload for e in entries if e.payload}
    fresh = [e.seq for e in entries if not e.payload]
    if not fresh:
        return frozen
    with write_transaction():
        rows = db.execute_sql(f"SELECT {_COLUMNS} FROM outbox WHERE seq IN ({_in(fresh)})", fresh)
        for entry in map(_entry, rows.fetchall()):
            payload = entry.payload or render(entry)
            if not entry.payload:
                db.execute_sql(
                    "UPDATE outbox SET payload = ?, state = 'inflight' WHERE seq = ?",
                    (payload, entry.seq),
                )
            frozen[entry.seq] = payload
    return frozen


def _in(seqs: list[int]) -> str:
    return ",".join("?" * len(seqs))


def acknowledge(seqs: list[int]) -> None:
    """The broker has the rows: take them off the queue (kept a while for resend requests).

    Without an fsync: if a power cut loses this, the rows are sent again and the hub drops
    the repeats; an fsync per acknowledgement would halve the drain rate on an SD card."""
    if seqs:
        with relaxed_durability(), write_transaction():
            db.execute_sql(f"UPDATE outbox SET state = 'sent' WHERE seq IN ({_in(seqs)})", seqs)


def resend(seqs: list[int]) -> int:
    """Queue sent rows again, at the hub's request; how many were still here."""
    if not seqs:
        return 0
    with write_transaction():
        return db.execute_sql(
            f"UPDATE outbox SET state = 'inflight' WHERE state = 'sent' AND seq IN ({_in(seqs)})",
            seqs,
        ).rowcount


def prune(now: datetime, max_rows: int, max_age: timedelta, keep_sent: timedelta) -> int:
    """Forget sent rows older than `keep_sent`, and drop the oldest unsent rows beyond the
    bounds (counted); how many unsent rows were dropped."""
    with write_transaction():
        db.execute_sql(
            "DELETE FROM outbox WHERE state = 'sent' AND created_at < ?", (str(now - keep_sent),)
        )
        # A row stamped before the clock was set (a Pi that woke up in 1970) has no age worth
        # the name: only the row bound below limits those, or NTP would throw them away.
        gone = db.execute_sql(
            f"DELETE FROM outbox WHERE {UNSENT} AND clock_synced AND created_at < ?",
            (str(now - max_age),),
        ).rowcount
        gone += db.execute_sql(
            f"DELETE FROM outbox WHERE {UNSENT} AND seq NOT IN (SELECT seq FROM outbox"
            f" WHERE {UNSENT} ORDER BY seq DESC LIMIT ?)",
            (max_rows,),
        ).rowcount
        db.execute_sql(
            "DELETE FROM outbox WHERE state = 'sent' AND seq NOT IN (SELECT seq"
            " FROM outbox WHERE state = 'sent' ORDER BY seq DESC LIMIT ?)",
            (max_rows,),
        )
        if gone:
            total = dropped() + gone
            Setting.insert(key=DROPPED_KEY, value=str(total)).on_conflict_replace().execute()
    return gone
