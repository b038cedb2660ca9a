"""Any sequence of taps and removals on the borrow screen's session leaves the list, the
summary and the store in agreement: one line per book however it is named (tag, barcode,
accession), a removal undoes exactly its own line's loan, and the loans counted are the
loans that exist. Property-tested over random sequences on a real SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk import counters
from kiosk.circulation import Refusal
from kiosk.demo import sample
from kiosk.flows.session import ReaderSession, Services, classify
from kiosk.store.db import db

CARD = sample.SAMPLE_CARDS["child"]  # the smallest limit: sequences reach it
OTHER = sample.SAMPLE_CARDS["reader"]
#: Copies by number: available ones, a reference-only one (25), one lent to another reader (2),
#: a rotation item (47 is LC-0047, named by accession only).
NUMBERS = (1, 3, 4, 6, 8, 25, 2)


def names(number: int) -> list[str]:
    """Every way a reader's tap can name sample copy `number`."""
    accession = f"LS-{number:04d}"
    return [accession, sample.tag_uid(number), sample.tag_uid(number).lower(), f"20{number:010d}"]


BOOK_NAMES = [name for n in NUMBERS for name in names(n)] + ["LC-0047", "NO-SUCH-BOOK", "ABCDEF12"]
tap = st.tuples(st.just("tap"), st.sampled_from(BOOK_NAMES))
remove = st.tuples(st.just("remove"), st.integers(min_value=0, max_value=9))
pair = st.tuples(st.just("pair"), st.sampled_from(BOOK_NAMES), st.sampled_from(BOOK_NAMES))
actions = st.lists(st.one_of(tap, tap, remove, pair), max_size=12)


def open_loans(card: str) -> list[str]:
    return sorted(
        row[0]
        for row in db.execute_sql(
            "SELECT c.accession FROM loan l JOIN copy c ON c.id = l.copy_id"
            " JOIN reader r ON r.id = l.reader_id WHERE r.card_id = ? AND l.returned_at IS NULL",
            (card,),
        ).fetchall()
    )


def loans_counted() -> int:
    return db.execute_sql(
        "SELECT coalesce(sum(count), 0) FROM counter_bucket WHERE metric = ?", (counters.LOANS,)
    ).fetchone()[0]


def forget_loans(card: str) -> None:
    """Back to the state before the example: the reader's loans and the loan counts go."""
    with db.atomic():
        db.execute_sql(
            "UPDATE copy SET status = 'available' WHERE id IN (SELECT copy_id FROM loan"
            " WHERE reader_id = (SELECT id FROM reader WHERE card_id = ?))",
            (card,),
        )
        db.execute_sql(
            "DELETE FROM loan WHERE reader_id = (SELECT id FROM reader WHERE card_id = ?)",
            (card,),
        )
        db.execute_sql(
            "DELETE FROM counter_bucket WHERE metric = ? AND reader_group = 'child'",
            (counters.LOANS,),
        )


def play(session: ReaderSession, steps: list[tuple]) -> None:
    for step in steps:
        if step[0] == "remove":
            if session.borrowed:
                session.undo(step[1] % len(session.borrowed))
        else:
            for name in step[1:]:  # two tags at once are read one after the other
                session.borrow(name)


def test_taps_and_removals_keep_list_summary_and_store_in_step(desk, kiosk_config, rules):
    desk.borrow(OTHER, "LS-0002")  # lent to someone else before the child comes
    db.execute_sql("PRAGMA synchronous = OFF")  # 10,000 commits: durability is not tested here
    services = Services(kiosk_config, desk, desk.clock)

    @settings(
        max_examples=1000,
        deadline=None,
        database=None,  # the same sequences on every machine: nothing kept between runs
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(actions)
    def check(steps: list[tuple]) -> None:
        before = loans_counted()
        session = ReaderSession(services)
        session.identify(CARD)
        try:
            play(session, steps)
            lines = [r.accession or r.item.upper() for r in session.borrowed]
            assert len(lines) == len(set(lines)), "a book is listed twice"
            lent = sorted(r.accession for r in session.lent())
            assert lent == open_loans(CARD), "the summary and the store disagree"
            assert len(lent) <= rules.limit["child"]
            assert loans_counted() - before == len(lent), "loans counted that do not exist"
            assert session.standing.on_loan == len(lent)
        finally:
            session.clear()
            forget_loans(CARD)

    check()


def test_a_repeat_tap_points_at_the_line_and_lends_nothing(desk, kiosk_config):
    session = ReaderSession(Services(kiosk_config, desk, desk.clock))
    session.identify(CARD)
    first = session.borrow("LS-0001")
    again = session.borrow(sample.tag_uid(1))  # the same book, by its tag this time
    assert not first.repeat and again.repeat and again.line == first.line == 0
    assert len(session.borrowed) == 1 and open_loans(CARD) == ["LS-0001"]
    assert session.undo(0) is not None
    assert session.borrowed == [] and open_loans(CARD) == []


def test_a_refused_book_is_tried_again_on_its_own_line(desk, kiosk_config):
    session = ReaderSession(Services(kiosk_config, desk, desk.clock))
    session.identify(CARD)
    for number in (1, 3, 4):
        session.borrow(f"LS-{number:04d}")
    refused = session.borrow("LS-0006")
    assert refused.result.refusal is not None and session.standing.may_borrow == 0
    session.undo(0)  # the first book goes back on the shelf
    retried = session.borrow("LS-0006")
    assert retried.result.ok and not retried.repeat and retried.line == 2
    assert [r.accession for r in session.borrowed] == ["LS-0003", "LS-0004", "LS-0006"]


def test_removing_a_book_the_reader_already_had_cancels_nothing(desk, kiosk_config):
    desk.borrow(CARD, "LS-0001")  # borrowed on an earlier visit
    session = ReaderSession(Services(kiosk_config, desk, desk.clock))
    session.identify(CARD)
    tapped = session.borrow("LS-0001")
    assert tapped.result.ok and tapped.result.loan is None
    assert session.undo(0) is None and len(session.borrowed) == 1
    assert open_loans(CARD) == ["LS-0001"] and session.lent() == []


@contextmanager
def copy_lookups() -> Iterator[list[str]]:
    """The statements that resolve an item name to a copy, as SQLite runs them."""
    seen: list[str] = []
    connection = db.connection()
    connection.set_trace_callback(
        lambda sql: seen.append(sql) if "copy_tag WHERE uid" in sql else None
    )
    try:
        yield seen
    finally:
        connection.set_trace_callback(None)


def test_a_tap_looks_its_copy_up_once(desk, kiosk_config):
    session = ReaderSession(Services(kiosk_config, desk, desk.clock))
    session.identify(CARD)
    with copy_lookups() as seen:
        tap = classify(sample.tag_uid(1))
        tapped = session.borrow(tap.key, tap.copy)
    assert tap.kind == "item" and tapped.result.ok and len(seen) == 1
    with copy_lookups() as seen:  # the same book again, by accession: pointed out, one lookup
        again = session.borrow("LS-0001")
    assert again.repeat and len(seen) == 1 and open_loans(CARD) == ["LS-0001"]


def test_a_copy_changed_after_its_tap_is_decided_afresh(desk, kiosk_config):
    session = ReaderSession(Services(kiosk_config, desk, desk.clock))
    session.identify(CARD)
    tap = classify(sample.tag_uid(1))
    db.execute_sql("UPDATE copy SET status = 'lost' WHERE accession = 'LS-0001'")  # meanwhile
    tapped = session.borrow(tap.key, tap.copy)
    assert tapped.result.refusal is Refusal.ITEM_UNAVAILABLE and open_loans(CARD) == []
    lent = classify(sample.tag_uid(3))
    desk.borrow(OTHER, "LS-0003")  # someone else takes it between the tap and the loan
    tapped = session.borrow(lent.key, lent.copy)
    assert tapped.result.refusal is Refusal.ON_LOAN_TO_OTHER and open_loans(CARD) == []
