"""Borrow, return and renew against a real SQLite file with the sample library."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kiosk import counters
from kiosk.circulation import Notice, Refusal
from kiosk.demo import sample
from kiosk.store.models import Copy, CounterBucket, Loan, Reader, Visit

CARD = sample.SAMPLE_CARDS["reader"]
CHILD = sample.SAMPLE_CARDS["child"]


def count(metric: str, group: str = "") -> int:
    query = CounterBucket.select().where(CounterBucket.metric == metric)
    if group:
        query = query.where(CounterBucket.reader_group == group)
    return sum(bucket.count for bucket in query)


def test_borrow_by_tag_barcode_or_accession(desk):
    results = [
        desk.borrow(CARD, sample.tag_uid(1)),
        desk.borrow(CARD, "200000000004"),
        desk.borrow(CARD, "ls-0006".upper()),
    ]
    assert [r.ok for r in results] == [True, True, True]
    assert results[0].title == "Dế Mèn phiêu lưu ký" and results[0].due == date(2026, 12, 16)
    assert Loan.select().where(Loan.returned_at.is_null()).count() == 3
    assert Copy.get(Copy.accession == "LS-0001").status == "on_loan"
    assert count(counters.LOANS, "adult") == 3


def test_tag_uid_is_case_insensitive(desk):
    assert desk.borrow(CARD, sample.tag_uid(1).lower()).ok


def test_unknown_card_and_item_refused_and_counted(desk):
    assert desk.borrow("DEADBEEF", "LS-0001").refusal == Refusal.UNKNOWN_READER
    assert desk.borrow(CARD, "NO-SUCH").refusal == Refusal.UNKNOWN_ITEM
    assert count("refused_unknown_reader") == 1
    assert count("refused_unknown_item", "adult") == 1
    assert Loan.select().count() == 0


def test_second_reader_refused_and_first_reader_told_already_yours(desk):
    assert desk.borrow(CARD, "LS-0001").ok
    again = desk.borrow(CARD, "LS-0001")
    assert again.ok and again.notices == (Notice.ALREADY_YOURS,)
    assert desk.borrow(CHILD, "LS-0001").refusal == Refusal.ON_LOAN_TO_OTHER
    assert Loan.select().count() == 1 and count(counters.LOANS) == 1


def test_child_limit(desk, rules):
    items = [f"LS-{n:04d}" for n in (1, 4, 6, 8, 10)]
    results = [desk.borrow(CHILD, item) for item in items]
    assert [r.ok for r in results] == [True] * rules.limit["child"] + [False] * (
        len(items) - rules.limit["child"]
    )
    assert results[-1].refusal == Refusal.LIMIT_REACHED


def test_return_without_card_and_late_notice(desk, clock):
    desk.borrow(CARD, "LS-0001")
    clock.advance(days=30)
    result = desk.return_item(sample.tag_uid(1))
    assert result.ok and result.notices == (Notice.RETURNED_LATE,)
    assert Copy.get(Copy.accession == "LS-0001").status == "available"
    loan = Loan.get()
    assert loan.returned_at == clock.now()
    assert count(counters.RETURNS, "adult") == 1


def test_return_of_a_copy_not_on_loan(desk):
    result = desk.return_item("LS-0002")
    assert result.ok and result.notices == (Notice.WAS_NOT_ON_LOAN,)
    assert count(counters.RETURNS) == 0


def test_return_of_a_missing_copy_marks_it_found(desk):
    Copy.update(status="missing").where(Copy.accession == "LS-0002").execute()
    result = desk.return_item("LS-0002")
    assert Notice.FOUND in result.notices
    assert Copy.get(Copy.accession == "LS-0002").status == "available"


def test_rotation_item_return_says_where_it_goes(desk):
    rotation_copy = Copy.select().where(Copy.batch.is_null(False)).first()
    assert desk.borrow(CARD, rotation_copy.accession).ok
    result = desk.return_item(rotation_copy.accession)
    assert Notice.ROTATION_ITEM in result.notices and result.batch_code == "LC-2026-07"


def test_reference_book_refused(desk):
    reference = Copy.get(Copy.loanable == False)  # noqa: E712 - peewee expression
    assert desk.borrow(CARD, reference.accession).refusal == Refusal.NOT_LOANABLE


def test_renew_and_renew_all(desk, clock, rules):
    desk.borrow(CARD, "LS-0001")
    desk.borrow(CARD, "LS-0004")
    assert desk.renew(CARD, "LS-0001").refusal == Refusal.TOO_EARLY
    clock.advance(days=20)
    results = desk.renew_all(CARD)
    assert [r.ok for r in results] == [True, True]
    assert {loan.renewals for loan in Loan.select()} == {1}
    assert results[0].due == date(2027, 1, 5)  # 2026-12-15 + 21, a Tuesday
    for _ in range(rules.max_renewals - 1):
        clock.advance(days=20)
        assert all(r.ok for r in desk.renew_all(CARD))
    clock.advance(days=20)
    assert desk.renew(CARD, "LS-0001").refusal == Refusal.RENEWAL_LIMIT
    assert count(counters.RENEWALS) == 2 * rules.max_renewals


def test_renew_someone_elses_loan(desk, clock):
    desk.borrow(CARD, "LS-0001")
    clock.advance(days=20)
    assert desk.renew(CHILD, "LS-0001").refusal == Refusal.NOT_YOUR_LOAN
    assert desk.renew(CHILD, "LS-0002").refusal == Refusal.NOT_ON_LOAN


def test_expired_and_blocked_readers(desk):
    Reader.update(blocked=True).where(Reader.card_id == CARD).execute()
    assert desk.borrow(CARD, "LS-0001").refusal == Refusal.READER_BLOCKED
    Reader.update(blocked=False, expires=date(2026, 1, 1)).where(Reader.card_id == CARD).execute()
    assert desk.borrow(CARD, "LS-0001").refusal == Refusal.READER_EXPIRED


def test_long_overdue_blocks_new_loans(desk, clock, rules):
    desk.borrow(CARD, "LS-0001")
    clock.advance(days=21 + rules.overdue_block_days + 1)
    assert desk.borrow(CARD, "LS-0004").refusal == Refusal.OVERDUE


def test_card_visit_counted_once_a_day(desk, clock):
    assert desk.identify(CARD).name == "Hoàng Văn Tâm"
    desk.identify(CARD)
    assert Visit.select().count() == 1 and count(counters.VISITS_CARD, "adult") == 1
    clock.advance(days=1)
    desk.identify(CARD)
    assert count(counters.VISITS_CARD) == 2
    assert desk.identify("00000000") is None


def test_visit_rows_hold_no_reader_identity(desk):
    desk.identify(CARD)
    assert set(Visit._meta.fields) == {"id", "at", "source", "reader_group"}


def test_a_failure_inside_the_transaction_leaves_nothing(desk, monkeypatch):
    """Loan row, copy status and counter are written together or not at all."""

    def broken_bump(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(counters, "bump", broken_bump)
    with pytest.raises(OSError):
        desk.borrow(CARD, "LS-0001")
    assert Loan.select().count() == 0
    assert Copy.get(Copy.accession == "LS-0001").status == "available"


def test_counters_are_bucketed_by_interval(desk, clock):
    desk.borrow(CARD, "LS-0001")
    clock.advance(minutes=20)
    desk.borrow(CARD, "LS-0004")
    starts = sorted(
        b.interval_start
        for b in CounterBucket.select().where(CounterBucket.metric == counters.LOANS)
    )
    assert starts == [datetime(2026, 11, 25, 9, 30), datetime(2026, 11, 25, 9, 45)]


def test_full_disk_refuses_cleanly_and_loses_nothing(desk, store):
    """SQLITE_FULL mid-transaction: an exception, no half-written loan, earlier loans kept."""
    from peewee import OperationalError

    pages = store.execute_sql("PRAGMA page_count").fetchone()[0]
    store.execute_sql(f"PRAGMA max_page_count = {pages + 2}")
    with pytest.raises(OperationalError, match="full"):
        for _ in range(5000):  # borrow and return until the pages run out
            assert desk.borrow(CARD, "LS-0001").ok
            assert desk.return_item("LS-0001").ok
    loans = list(Loan.select())
    assert len(loans) > 10
    status = Copy.get(Copy.accession == "LS-0001").status
    assert status == ("on_loan" if loans[-1].returned_at is None else "available")
    assert sum(
        b.count for b in CounterBucket.select().where(CounterBucket.metric == counters.LOANS)
    ) == len(loans)


def test_kiosk_search_is_counted_without_the_words(desk):
    hits = desk.search("duong")
    assert [h.title for h in hits] == ["Đường Kách Mệnh"]
    desk.search("   ")
    buckets = list(CounterBucket.select().where(CounterBucket.metric == counters.SEARCHES))
    assert [(b.reader_group, b.count) for b in buckets] == [("", 1)]


def test_door_passages_count_visits_coming_in(desk):
    desk.count_passage()
    desk.count_passage(entering=False)  # someone leaving, seen by a two-beam counter
    desk.count_passage()
    assert Visit.select().where(Visit.source == "door").count() == 2
    assert count(counters.VISITS_DOOR) == 2


def test_a_mistaken_loan_is_cancelled_not_counted(desk, clock):
    loan = desk.borrow(CARD, "LS-0001").loan
    clock.advance(minutes=20)  # the loan's interval has closed meanwhile
    assert desk.cancel_loan(CARD, loan)
    assert Loan.select().count() == 0
    assert Copy.get(Copy.accession == "LS-0001").status == "available"
    assert count(counters.LOANS) == 0 and count(counters.RETURNS) == 0
    assert not desk.cancel_loan(CARD, loan)  # nothing left to cancel
    others = desk.borrow(CHILD, "LS-0004").loan
    assert not desk.cancel_loan(CARD, others)  # someone else's loan
    assert Loan.select().count() == 1


def test_only_the_loan_a_borrow_made_is_named_for_cancelling(desk):
    first = desk.borrow(CARD, "LS-0001")
    again = desk.borrow(CARD, sample.tag_uid(1))  # the same book tapped again
    refused = desk.borrow(CHILD, "LS-0001")
    assert first.loan is not None
    assert again.ok and again.loan is None and Notice.ALREADY_YOURS in again.notices
    assert refused.loan is None


def test_standing_after_the_card(desk, clock, rules):
    assert desk.standing("DEADBEEF") is None
    fresh = desk.standing(CHILD)
    assert (fresh.on_loan, fresh.limit, fresh.overdue, fresh.refusal) == (
        0,
        rules.limit["child"],
        0,
        None,
    )
    assert fresh.may_borrow == rules.limit["child"]
    for n in range(rules.limit["child"]):
        assert desk.borrow(CHILD, f"LS-{2 * n + 2:04d}").ok
    full = desk.standing(CHILD)
    assert full.refusal == Refusal.LIMIT_REACHED and full.may_borrow == 0
    desk.borrow(CARD, "LS-0001")
    clock.advance(days=rules.period_days["adult"] + 1)
    late = desk.standing(CARD)
    assert late.overdue == 1 and late.refusal is None and late.may_borrow == late.limit - 1
    clock.advance(days=rules.overdue_block_days)
    assert desk.standing(CARD).refusal == Refusal.OVERDUE


def test_loan_lines_show_titles_soonest_first_and_overdue(desk, clock):
    from kiosk.desk import find_reader, loan_lines

    desk.borrow(CARD, "LS-0004")
    clock.advance(days=3)
    desk.borrow(CARD, "LS-0001")
    reader = find_reader(CARD).view.id
    lines = loan_lines(reader, clock.now().date())
    assert [line.accession for line in lines] == ["LS-0004", "LS-0001"]
    assert lines[1].title == "Dế Mèn phiêu lưu ký" and not any(x.overdue for x in lines)
    late = loan_lines(reader, lines[1].due)  # the first is overdue that day, the second due
    assert [x.overdue for x in late] == [True, False]
    desk.return_item("LS-0004")
    assert [x.accession for x in loan_lines(reader, clock.now().date())] == ["LS-0001"]
