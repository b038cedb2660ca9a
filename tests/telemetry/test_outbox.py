"""The outbox: one pending row per interval, written with the event; frozen, resent, bounded."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from kiosk import counters
from kiosk.demo import sample
from kiosk.store import outbox
from kiosk.store.db import db

CARD = sample.SAMPLE_CARDS["reader"]
INTERVAL = timedelta(minutes=counters.INTERVAL_MINUTES)


def rows() -> list[tuple]:
    return db.execute_sql("SELECT seq, interval_start, state FROM outbox ORDER BY seq").fetchall()


def test_events_mark_their_interval_once(desk, clock):
    before = outbox.depth()  # the sample library's registrations
    desk.borrow(CARD, "LS-0001")
    desk.borrow(CARD, "LS-0004")
    assert outbox.depth() == before  # same interval, still pending: no new row
    clock.advance(minutes=15)
    desk.return_item("LS-0001")
    assert outbox.depth() == before + 1
    assert rows()[-1][1] == "2026-11-25 09:45:00"


def test_mark_is_part_of_the_event_transaction(desk, monkeypatch):
    """If the outbox write fails, the loan is not written either."""
    depth = outbox.depth()
    db.execute_sql("DELETE FROM outbox")

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(outbox, "mark", broken)
    with pytest.raises(OSError):
        desk.borrow(CARD, "LS-0001")
    assert db.execute_sql("SELECT count(*) FROM loan").fetchone()[0] == 0
    assert outbox.depth() == 0 < depth


def render(entry: outbox.Entry) -> str:
    return json.dumps({"seq": entry.seq, "counts": counters.interval_counts(entry.interval_start)})


def test_freeze_then_new_events_make_a_new_row(desk, clock):
    db.execute_sql("DELETE FROM outbox")
    desk.borrow(CARD, "LS-0001")
    (entry,) = outbox.due(clock.stamp(), INTERVAL, coalesce_s=0, limit=10)
    frozen = outbox.freeze([entry], render)[entry.seq]
    assert ["loans", "adult", 1] in json.loads(frozen)["counts"]
    assert outbox.freeze([entry], render)[entry.seq] == frozen  # a resend is byte-identical
    desk.borrow(CARD, "LS-0004")
    assert [r[2] for r in rows()] == ["inflight", "pending"]
    outbox.acknowledge([entry.seq])
    assert [r[2] for r in rows()] == ["sent", "pending"]  # kept a while for the hub
    assert outbox.depth() == 1


def test_sent_rows_can_be_asked_for_again(desk, clock):
    db.execute_sql("DELETE FROM outbox")
    desk.borrow(CARD, "LS-0001")
    clock.advance(minutes=15)
    (entry,) = outbox.due(clock.stamp(), INTERVAL, coalesce_s=0, limit=10)
    frozen = outbox.freeze([entry], render)[entry.seq]
    outbox.acknowledge([entry.seq])
    assert outbox.due(clock.stamp(), INTERVAL, coalesce_s=0, limit=10) == []
    assert outbox.resend([entry.seq, 999]) == 1  # 999 was never here
    (again,) = outbox.due(clock.stamp(), INTERVAL, coalesce_s=0, limit=10)
    assert again.seq == entry.seq and again.payload == frozen


def test_open_interval_waits_for_coalescing(desk, clock):
    db.execute_sql("DELETE FROM outbox")
    desk.borrow(CARD, "LS-0001")
    assert outbox.due(clock.stamp(), INTERVAL, coalesce_s=30, limit=10) == []
    clock.advance(seconds=31)
    assert len(outbox.due(clock.stamp(), INTERVAL, coalesce_s=30, limit=10)) == 1


def test_closed_intervals_go_at_once_and_in_order(desk, clock):
    db.execute_sql("DELETE FROM outbox")
    for _ in range(3):
        desk.borrow(CARD, "LS-0001")
        desk.return_item("LS-0001")
        clock.advance(minutes=15)
    desk.borrow(CARD, "LS-0001")  # the open interval: not yet
    due = outbox.due(clock.stamp(), INTERVAL, coalesce_s=30, limit=10)
    assert [e.interval_start for e in due] == [
        datetime(2026, 11, 25, 9, 30),
        datetime(2026, 11, 25, 9, 45),
        datetime(2026, 11, 25, 10, 0),
    ]
    assert [e.seq for e in due] == sorted(e.seq for e in due)


def test_rows_from_a_previous_boot_are_due(desk, clock):
    db.execute_sql("DELETE FROM outbox")
    desk.borrow(CARD, "LS-0001")
    clock.boot_id = "after-power-cut"  # the monotonic time of the old boot means nothing now
    assert len(outbox.due(clock.stamp(), INTERVAL, coalesce_s=30, limit=10)) == 1


def test_prune_bounds_by_rows_and_age_and_counts_drops(desk, clock):
    db.execute_sql("DELETE FROM outbox")
    for _ in range(10):
        desk.borrow(CARD, "LS-0001")
        desk.return_item("LS-0001")
        clock.advance(days=1)
    keep = timedelta(days=14)
    assert outbox.prune(clock.now(), max_rows=100, max_age=timedelta(days=7), keep_sent=keep) == 3
    assert outbox.prune(clock.now(), max_rows=5, max_age=timedelta(days=7), keep_sent=keep) == 2
    assert outbox.depth() == 5 and outbox.dropped() == 5
    newest = rows()[-1][1]
    assert newest == "2026-12-04 09:30:00"  # the oldest went first


def test_prune_forgets_old_sent_rows_without_counting_them_dropped(desk, clock):
    db.execute_sql("DELETE FROM outbox")
    desk.borrow(CARD, "LS-0001")
    outbox.acknowledge([rows()[0][0]])
    clock.advance(days=15)
    assert outbox.prune(clock.now(), 100, timedelta(days=400), timedelta(days=14)) == 0
    assert rows() == [] and outbox.dropped() == 0


def test_kept_range_announces_the_latest_sent_and_the_oldest_kept_seq(desk, clock):
    """What health v2 tells the hub: gaps up to `latest` are worth asking for, below
    `oldest` nothing can come."""
    for _ in range(4):
        desk.borrow(CARD, "LS-0001")
        desk.return_item("LS-0001")
        clock.advance(minutes=15)
    seqs = [seq for seq, _start, _state in rows()]
    assert outbox.kept_range() == (seqs[0], 0)  # nothing acknowledged yet
    outbox.acknowledge(seqs[:3])
    assert outbox.kept_range() == (seqs[0], seqs[2])
    db.execute_sql("DELETE FROM outbox WHERE seq <= ?", (seqs[1],))  # pruned
    assert outbox.kept_range() == (seqs[2], seqs[2])
    db.execute_sql("DELETE FROM outbox")
    assert outbox.kept_range() == (seqs[-1] + 1, 0)  # nothing kept: all below the next
