"""Messages the hub cannot store never block the province's ingest: each is rejected, counted
per kiosk and reason, kept in the dead-letter table, and the messages behind it go through.

The cases are those a provincial technician found by hand (issue 20): valid-looking payloads
with impossible dates, numbers at and past the limits, junk metrics and groups, deep nesting,
lone surrogates, NaN — then a property test that throws many more such payloads at it."""

from __future__ import annotations

import itertools
import json
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk import config, counters
from kiosk.clock import Stamp
from kiosk.hub.ingest import ACCEPTED, MISDATED, UNSTORABLE, Ingestor, Message
from kiosk.hub.models import (
    DeadLetter,
    IntervalCount,
    Received,
    RegisteredKiosk,
    Rejection,
    open_hub_database,
)
from kiosk.telemetry import payloads
from tests.conftest import HUB_BACKENDS

NOW = datetime(2026, 11, 25, 10, 0)
STAMP = Stamp(datetime(2026, 11, 25, 9, 40), 100.0, "boot", True)
KIOSK = "06001-01"
TOPIC = f"thuvien/v1/20/06001/{KIOSK}/{{kind}}"
GOOD_SEQ = 10_000  # the good message sent after each bad one


@pytest.fixture
def ingestor(hub_database_url):
    database = open_hub_database(hub_database_url)
    RegisteredKiosk.create(kiosk_id=KIOSK, province="20", commune="06001", created_at=NOW)
    yield Ingestor()
    database.close()


def counts_body(seq: int = 1, **changes) -> dict:
    body = payloads.counts(
        KIOSK,
        "20",
        "06001",
        seq,
        datetime(2026, 11, 25, 9, 30),
        15,
        [("loans", "adult", 2), ("visits_door", "", 3)],
        STAMP,
        STAMP,
        0,
    )
    body.update(changes)
    return body


def health_body(v2: bool = False, **changes) -> dict:
    """A kiosk's health: version 1 as kiosks in the field send it, or 2 (the kept seqs)."""
    figures = {
        "outbox_depth": 4,
        "outbox_dropped": 0,
        "disk_free_mb": 900.0,
        "cpu_temp_c": 51.2,
        "rfid": "ok",
        "scanner": "ok",
        "version": "0.1.0",
        "uptime_s": 10.0,
    }
    if v2:
        figures |= {"latest_seq": 3, "oldest_seq": 1}
    return {**payloads.health(KIOSK, "20", "06001", STAMP, figures), **changes}


def raw(kind: str, body: dict | str) -> Message:
    """A message as a kiosk (or anyone) might send it: ASCII-escaped JSON, so lone surrogates
    and NaN survive the encoding."""
    text = body if isinstance(body, str) else json.dumps(body)
    return Message(TOPIC.format(kind=kind), text.encode())


def with_count(**count) -> dict:
    return counts_body(counts=[{"metric": "loans", "group": "adult", "n": 1, **count}])


def with_interval(start: str) -> dict:
    return counts_body(interval={"start": start, "minutes": 15})


def deep(levels: int) -> str:
    text = json.dumps(counts_body())
    return text[:-1] + ', "x": ' + "[" * levels + "]" * levels + "}"


def float_for(field: str, value: str) -> str:
    """The good counts payload with one integer field written as a float literal."""
    text = json.dumps(counts_body())
    assert f'"{field}": ' in text
    return text.replace(f'"{field}": 1', f'"{field}": {value}', 1).replace(
        f'"{field}": 0', f'"{field}": {value}', 1
    )


CASES = [
    # what the issue lists, one at a time
    ("counts", with_interval("2026-02-30T00:00:00"), "bad_date"),
    ("counts", with_interval("0000-11-25T09:30:00"), "bad_date"),
    ("counts", with_interval("2026-11-25T25:00:00"), "bad_date"),
    ("counts", counts_body(seq=2**63), "bad_schema"),
    ("counts", counts_body(dropped=2**64), "bad_schema"),
    ("health", health_body(outbox_dropped=2**63), "bad_schema"),
    ("counts", deep(30_000), "bad_json"),
    ("health", health_body(version="0.1\ud800"), "bad_text"),
    # U+0000: SQLite would store it, PostgreSQL's text cannot hold it: refused on both
    ("health", health_body(version="0.1\u0000"), "bad_text"),
    ("counts", counts_body(stamp={**STAMP.as_json(), "boot": "b\u0000"}), "bad_text"),
    ("counts", float_for("seq", "1e20"), "bad_schema"),
    ("counts", float_for("seq", "5e0"), "bad_number"),
    ("counts", float_for("dropped", "1e5"), "bad_number"),
    ("health", health_body(disk_free_mb=float("nan")), "bad_json"),
    ("health", health_body(cpu_temp_c=float("inf")), "bad_json"),
    ("counts", counts_body(stamp={**STAMP.as_json(), "wall": "2026-13-01T00:00:00"}), "bad_date"),
    # junk that used to reach the totals
    ("counts", with_count(metric="bogus"), "bad_schema"),
    ("counts", with_count(metric="loans_fake"), "bad_schema"),
    ("counts", with_count(metric="refused_made_up"), "bad_schema"),
    ("counts", with_count(metric="visits"), "bad_schema"),
    ("counts", with_count(group="nobody"), "bad_schema"),
    ("counts", with_count(group="admin_"), "bad_schema"),
    ("counts", with_count(group="a" * 20), "bad_schema"),
    ("counts", with_count(n=1e20), "bad_schema"),
    ("counts", with_count(n=2.0), "bad_number"),
    (
        "counts",
        counts_body(counts=[{"metric": "loans", "group": "", "n": 1}] * 2),
        "bad_counts",
    ),
    ("counts", with_interval("2026-11-25T09:31:00"), "bad_interval"),
    ("counts", counts_body(schema="thuvien.counts.v9"), "bad_schema"),
    ("health", health_body(schema="thuvien.counts.v1"), "bad_schema"),
    ("health", health_body(v2=True, latest_seq=2**62), "bad_schema"),
    ("health", health_body(v2=True, oldest_seq=1.0), "bad_number"),
]


@pytest.mark.parametrize(
    ("kind", "body", "reason"), CASES, ids=[f"{i}-{c[2]}" for i, c in enumerate(CASES)]
)
def test_a_bad_message_is_dead_lettered_and_never_blocks(ingestor, kind, body, reason):
    bad = raw(kind, body)
    good = raw("counts", counts_body(seq=GOOD_SEQ))
    assert ingestor.handle_batch([bad, good], NOW) == [reason, ACCEPTED]
    letter = DeadLetter.get()
    assert (letter.kiosk_id, letter.reason, bytes(letter.payload)) == (KIOSK, reason, bad.payload)
    assert letter.topic == bad.topic and letter.received_at == NOW
    assert Rejection.get(kiosk_id=KIOSK, reason=reason).count == 1
    # only the good message reached the totals
    assert sorted((r.metric, r.reader_group, r.n) for r in IntervalCount.select()) == [
        ("loans", "adult", 2),
        ("visits_door", "", 3),
    ]
    assert [r.seq for r in Received.select()] == [GOOD_SEQ]


def test_a_failure_while_storing_rolls_back_that_message_only(ingestor, monkeypatch):
    """Whatever the checks miss and the database refuses is this message's fault: its
    savepoint is rolled back (no seq recorded, so gap repair asks for it again) and it is
    dead-lettered; a database that is away would instead raise and the batch be retried."""
    real = Ingestor._counts

    def overflowing(self, body, now):
        result = real(self, body, now)  # stores, then fails as SQLite does on a huge int
        if body["seq"] == 1:
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        return result

    monkeypatch.setattr(Ingestor, "_counts", overflowing)
    outcomes = ingestor.handle_batch(
        [raw("counts", counts_body(seq=1)), raw("counts", counts_body(seq=2))], NOW
    )
    assert outcomes == [UNSTORABLE, ACCEPTED]
    assert [r.seq for r in Received.select()] == [2]
    assert "OverflowError" in DeadLetter.get().detail


def test_rejections_are_counted_per_kiosk(ingestor):
    RegisteredKiosk.create(kiosk_id="06001-02", province="20", commune="06001", created_at=NOW)
    other = Message("thuvien/v1/20/06001/06001-02/counts", b"{")
    ingestor.handle_batch([raw("counts", "{"), other, other, Message("x/y", b"{}")], NOW)
    found = {(r.kiosk_id, r.reason): r.count for r in Rejection.select()}
    assert found == {(KIOSK, "bad_json"): 1, ("06001-02", "bad_json"): 2, ("", "bad_topic"): 1}


def test_only_the_newest_dead_letters_are_kept(ingestor, monkeypatch):
    monkeypatch.setattr("kiosk.hub.ingest.DEAD_LETTERS_KEPT", 5)
    for _ in range(3):
        ingestor.handle_batch([raw("counts", "{")] * 4, NOW)
    assert DeadLetter.select().count() == 5
    assert Rejection.get(kiosk_id=KIOSK, reason="bad_json").count == 12


# --- the property: valid-looking payloads at every edge ---------------------------------

EDGE_INTS = st.one_of(
    st.integers(min_value=-2, max_value=20),
    st.sampled_from([2**31 - 1, 2**31, 2**53, 2**62, 2**63 - 1, 2**63, 2**64]),
    st.integers(),
    st.sampled_from([1e20, 1.0, 5e0, -0.0, 1e308]),
    st.floats(),
)
EDGE_NUMBERS = st.one_of(EDGE_INTS, st.floats(allow_nan=True, allow_infinity=True))
EDGE_TEXT = st.one_of(
    st.text(max_size=50),
    st.sampled_from(["", "\ud800", "\udfff", "a\x00", "a" * 64, "a" * 65, "0.1.0", "Đoàn Kết"]),
)
DATES = st.builds(
    "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}".format,
    st.sampled_from([0, 1, 1970, 1999, 2025, 2026, 2027, 2100, 9999]),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(0, 25),
    st.sampled_from([0, 15, 30, 31, 45, 59, 60, 61]),
    st.sampled_from([0, 1, 59, 60, 61]),
    st.sampled_from(["", ".0", ".123456", ".1234567", ".5"]),
)
# Real moments anywhere in two centuries, on an interval's start: most are far from the hub's
# clock (held apart, maybe re-based), some near it (stored)
MOMENTS = st.datetimes(datetime(1970, 1, 1), datetime(2170, 1, 1)).map(
    lambda d: d.replace(minute=d.minute - d.minute % 15, second=0, microsecond=0).isoformat()
)
METRICS = st.sampled_from([*counters.METRICS, "bogus", "loans_fake", "refused_x", "visits", ""])
GROUPS = st.sampled_from(["", *config.READER_GROUPS, "nobody", "admin_", "a" * 20, "Adult"])


def maybe(value: st.SearchStrategy, usual: object) -> st.SearchStrategy:
    """Mostly the good value, sometimes an edge: most payloads then have one or two edges, and
    reach the checks past the schema (dates, integers, text, clocks) and the storing."""
    return st.integers(0, 9).flatmap(lambda pick: value if pick == 0 else st.just(usual))


@st.composite
def stamps(draw) -> dict:
    return {
        "wall": draw(maybe(DATES | MOMENTS, "2026-11-25T09:40:00")),
        "mono": draw(maybe(EDGE_NUMBERS, 100.0)),
        "boot": draw(maybe(EDGE_TEXT, "boot")),
        "clock_synced": draw(st.booleans()),
    }


@st.composite
def counts_payloads(draw) -> dict:
    entry = st.fixed_dictionaries(
        {
            "metric": maybe(METRICS, draw(st.sampled_from(counters.METRICS))),
            "group": maybe(GROUPS, "adult"),
            "n": maybe(EDGE_INTS, 1),
        }
    )
    entries = st.lists(entry, max_size=5, unique_by=lambda c: (c["metric"], c["group"]))
    return counts_body(
        seq=draw(maybe(EDGE_INTS, draw(st.integers(1, 10**6)))),
        interval={
            "start": draw(maybe(DATES | MOMENTS | MOMENTS, "2026-11-25T09:30:00")),
            "minutes": draw(maybe(EDGE_INTS, 15)),
        },
        counts=draw(st.one_of(entries, entries, st.lists(entry, max_size=3))),
        stamp=draw(stamps()),
        sent=draw(stamps()),
        dropped=draw(maybe(EDGE_INTS, 0)),
    )


@st.composite
def health_payloads(draw) -> dict:
    v2 = draw(st.booleans())
    kept = (
        {"latest_seq": draw(maybe(EDGE_INTS, 3)), "oldest_seq": draw(maybe(EDGE_INTS, 1))}
        if v2
        else {}
    )
    return health_body(
        v2=v2,
        **kept,
        stamp=draw(stamps()),
        outbox_depth=draw(maybe(EDGE_INTS, 4)),
        outbox_dropped=draw(maybe(EDGE_INTS, 0)),
        disk_free_mb=draw(maybe(EDGE_NUMBERS, 900.0)),
        cpu_temp_c=draw(maybe(EDGE_NUMBERS, 51.2)),
        uptime_s=draw(maybe(EDGE_NUMBERS, 10.0)),
        version=draw(maybe(EDGE_TEXT, "0.1.0")),
    )


PAYLOADS = st.one_of(
    st.tuples(st.just("counts"), counts_payloads()),
    st.tuples(st.just("health"), health_payloads()),
)


@pytest.fixture(scope="module", params=HUB_BACKENDS)
def shared_ingestor(request, tmp_path_factory):
    """One hub database for all the examples (a fresh one each would cost most of the run),
    on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('hub') / 'hub.db'}"
    else:
        url = request.getfixturevalue("postgres_cluster").database()
    database = open_hub_database(url)
    RegisteredKiosk.create(kiosk_id=KIOSK, province="20", commune="06001", created_at=NOW)
    yield Ingestor()
    database.close()


_good_seqs = itertools.count(1_000_000_007)  # no drawn seq is likely to hit these


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(PAYLOADS)
def test_valid_looking_payloads_never_raise_nor_block(shared_ingestor, kind_and_body):
    kind, body = kind_and_body
    good_seq = next(_good_seqs)
    outcomes = shared_ingestor.handle_batch(
        [raw(kind, json.dumps(body)), raw("counts", counts_body(seq=good_seq))], NOW
    )
    # every payload is judged by a check, not by a crash inside the storing
    assert outcomes[0] != UNSTORABLE, DeadLetter.select().order_by(DeadLetter.id.desc()).get()
    assert outcomes[1] == ACCEPTED
    if outcomes[0] in (ACCEPTED, MISDATED) and kind == "counts":
        assert Received.get_or_none(kiosk_id=KIOSK, seq=body["seq"]) is not None
    assert Received.get_or_none(kiosk_id=KIOSK, seq=good_seq) is not None
