"""The hub's ingestor: validation, deduplication, latest totals, and 1000 fuzzed payloads."""

from __future__ import annotations

import json
import random
from datetime import datetime

import pytest
from peewee import SqliteDatabase

from kiosk.clock import Stamp
from kiosk.hub.ingest import ACCEPTED, DUPLICATE, Ingestor, Message
from kiosk.hub.models import (
    IntervalCount,
    KioskState,
    Received,
    RegisteredKiosk,
    Rejection,
    hub_db,
    open_hub_database,
)
from kiosk.telemetry import payloads

NOW = datetime(2026, 11, 25, 10, 0)
STAMP = Stamp(datetime(2026, 11, 25, 9, 40), 100.0, "boot", True)
TOPIC = "thuvien/v1/20/06001/06001-01/{kind}"


@pytest.fixture
def ingestor(hub_database_url):
    database = open_hub_database(hub_database_url)
    RegisteredKiosk.create(kiosk_id="06001-01", province="20", commune="06001", created_at=NOW)
    yield Ingestor()
    database.close()


def counts(seq: int, loans: int, start: str = "2026-11-25T09:30:00", **changes) -> Message:
    body = payloads.counts(
        "06001-01",
        "20",
        "06001",
        seq,
        datetime.fromisoformat(start),
        15,
        [("loans", "adult", loans), ("visits_door", "", 3)],
        STAMP,
        STAMP,
        0,
    )
    body.update(changes)
    return Message(TOPIC.format(kind="counts"), payloads.encode(body))


def loans_total() -> int:
    return sum(row.n for row in IntervalCount.select().where(IntervalCount.metric == "loans"))


def test_counts_stored_and_latest_totals_win(ingestor):
    assert ingestor.handle_batch([counts(1, 2), counts(2, 5)], NOW) == [ACCEPTED, ACCEPTED]
    assert loans_total() == 5
    assert ingestor.handle_batch([counts(3, 1, start="2026-11-25T09:45:00")], NOW) == [ACCEPTED]
    assert loans_total() == 6
    assert KioskState.get().last_seen == NOW


def test_repeats_are_dropped_and_late_messages_never_regress(ingestor):
    ingestor.handle_batch([counts(1, 2), counts(2, 5)], NOW)
    assert ingestor.handle_batch([counts(2, 5), counts(1, 2)], NOW) == [DUPLICATE, DUPLICATE]
    assert loans_total() == 5 and Received.select().count() == 2
    # an older seq arriving late for the first time does not overwrite the newer totals
    ingestor.handle_batch([counts(4, 9)], NOW)
    assert ingestor.handle_batch([counts(3, 7)], NOW) == [ACCEPTED]
    assert loans_total() == 9


def test_status_and_health(ingestor):
    status = payloads.status("06001-01", "20", "06001", "online", STAMP, "0.1.0")
    health = payloads.health(
        "06001-01",
        "20",
        "06001",
        STAMP,
        {
            "outbox_depth": 4,
            "outbox_dropped": 2,
            "disk_free_mb": 900.0,
            "cpu_temp_c": 51.2,
            "rfid": "ok",
            "scanner": "ok",
            "version": "0.1.0",
        },
    )
    outcomes = ingestor.handle_batch(
        [
            Message(TOPIC.format(kind="status"), payloads.encode(status)),
            Message(TOPIC.format(kind="health"), payloads.encode(health)),
        ],
        NOW,
    )
    assert outcomes == [ACCEPTED, ACCEPTED]
    state = KioskState.get()
    assert state.online and state.dropped == 2 and json.loads(state.health)["cpu_temp_c"] == 51.2


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (Message("thuvien/v1/20/06001/06001-01/secrets", b"{}"), "bad_topic"),
        (Message("other/topic", b"{}"), "bad_topic"),
        (Message(TOPIC.format(kind="counts"), b"{not json"), "bad_json"),
        (Message(TOPIC.format(kind="counts"), b"\xff\xfe"), "bad_json"),
        (
            Message(TOPIC.format(kind="counts"), b"x" * (payloads.MAX_PAYLOAD_BYTES + 1)),
            "too_large",
        ),
        (counts(1, "two"), "bad_schema"),
        (counts(1, 2, name="Hoàng Văn Tâm"), "bad_schema"),  # personal data has no place
        (counts(1, 2, commune="06013"), "topic_mismatch"),
        (
            Message(
                "thuvien/v1/20/06013/06001-01/counts",
                payloads.encode({**json.loads(counts(1, 2).payload), "commune": "06013"}),
            ),
            "unregistered",
        ),  # a registered kiosk claiming another commune
        (
            Message(
                "thuvien/v1/20/06001/06001-99/counts",
                payloads.encode({**json.loads(counts(1, 2).payload), "kiosk": "06001-99"}),
            ),
            "unregistered",
        ),
    ],
)
def test_bad_messages_rejected_and_counted(ingestor, message, reason):
    assert ingestor.handle_batch([message], NOW) == [reason]
    assert Rejection.get(Rejection.reason == reason).count == 1
    assert IntervalCount.select().count() == 0


def mutate(rng: random.Random, body: object) -> object:
    """One random corruption of a JSON value: wrong types, huge numbers, deletions, junk."""
    junk = [None, True, -1, 2**70, 1.5, "", "x" * 300, [], {}, "'; DROP TABLE x;--", "Đ"]
    if isinstance(body, dict) and body:
        key = rng.choice(list(body))
        choice = rng.random()
        copy = dict(body)
        if choice < 0.3:
            del copy[key]
        elif choice < 0.6:
            copy[key] = rng.choice(junk)
        else:
            copy[key] = mutate(rng, copy[key])
        return copy
    if isinstance(body, list) and body:
        copy = list(body)
        copy[rng.randrange(len(copy))] = mutate(rng, rng.choice(copy))
        return copy
    return rng.choice(junk)


def test_thousand_fuzzed_payloads_are_all_rejected_and_counted(ingestor):
    rng = random.Random(5)
    valid = json.loads(counts(1, 2).payload)
    messages = []
    for i in range(1000):
        kind = i % 4
        if kind == 0:
            raw = payloads.encode(mutate(rng, valid))
        elif kind == 1:
            raw = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
        elif kind == 2:
            raw = payloads.encode(valid)[: rng.randrange(1, 100)]
        else:
            raw = json.dumps(mutate(rng, mutate(rng, valid))).encode()
        messages.append(Message(TOPIC.format(kind="counts"), raw))
    outcomes = ingestor.handle_batch(messages, NOW)
    accepted = outcomes.count(ACCEPTED)
    rejected = sum(r.count for r in Rejection.select())
    assert accepted + outcomes.count(DUPLICATE) + rejected == 1000
    assert rejected >= 900  # a mutation may by chance leave a valid message
    # the hub still works afterwards
    assert ingestor.handle_batch([counts(500, 3)], NOW) == [ACCEPTED]
    assert not hub_db.in_transaction()  # no transaction left open (or aborted, on PostgreSQL)
    if isinstance(hub_db.obj, SqliteDatabase):
        assert hub_db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
