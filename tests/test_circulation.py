"""The loan rules, one test per rule and refusal, on plain snapshots (no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from kiosk.circulation import (
    CopyView,
    LoanView,
    Notice,
    ReaderView,
    Refusal,
    decide_borrow,
    decide_renew,
    decide_return,
    due_date,
    is_closed,
    next_open_day,
)

TODAY = date(2026, 11, 25)  # a Wednesday
ADULT = ReaderView(id=1, group="adult", expires=date(2027, 12, 31))
BOOK = CopyView(id=10)


def loan(copy_id=10, reader_id=1, due=TODAY + timedelta(days=21), renewals=0, id_=100):
    return LoanView(id_, copy_id, reader_id, due, renewals)


def test_due_date_uses_the_group_period(rules):
    assert due_date(TODAY, "child", rules) == TODAY + timedelta(days=14)
    assert due_date(TODAY, "elder", rules) == TODAY + timedelta(days=28)


def test_due_date_skips_closed_weekdays_and_dates(rules):
    # 2026-11-25 + 21 days = 2026-12-16 (Wednesday); close Wednesday and the 17th.
    closed = replace(
        rules, closed_weekdays=frozenset({2}), closed_dates=frozenset({date(2026, 12, 17)})
    )
    assert due_date(TODAY, "adult", closed) == date(2026, 12, 18)
    assert is_closed(date(2026, 12, 17), closed)


def test_default_rules_close_on_monday(rules):
    monday = date(2026, 11, 30)
    assert is_closed(monday, rules)
    assert next_open_day(monday, rules) == date(2026, 12, 1)
    assert next_open_day(monday, rules, step=-1) == date(2026, 11, 29)


def test_borrow_allowed_gives_due_date(rules):
    decision = decide_borrow(ADULT, BOOK, None, [], TODAY, rules)
    assert decision.ok and decision.due == date(2026, 12, 16) and decision.notices == ()


@pytest.mark.parametrize(
    ("reader", "refusal"),
    [
        (replace(ADULT, blocked=True), Refusal.READER_BLOCKED),
        (replace(ADULT, expires=TODAY - timedelta(days=1)), Refusal.READER_EXPIRED),
    ],
)
def test_reader_state_refusals(rules, reader, refusal):
    assert decide_borrow(reader, BOOK, None, [], TODAY, rules).refusal == refusal


def test_card_valid_on_its_last_day(rules):
    assert decide_borrow(replace(ADULT, expires=TODAY), BOOK, None, [], TODAY, rules).ok


def test_overdue_beyond_threshold_blocks_borrowing(rules):
    late = loan(copy_id=11, due=TODAY - timedelta(days=rules.overdue_block_days + 1))
    assert decide_borrow(ADULT, BOOK, None, [late], TODAY, rules).refusal == Refusal.OVERDUE
    slightly_late = loan(copy_id=11, due=TODAY - timedelta(days=rules.overdue_block_days))
    assert decide_borrow(ADULT, BOOK, None, [slightly_late], TODAY, rules).ok


@pytest.mark.parametrize("status", ["lost", "withdrawn", "sent_back"])
def test_unavailable_copies_refused(rules, status):
    copy = replace(BOOK, status=status)
    assert decide_borrow(ADULT, copy, None, [], TODAY, rules).refusal == Refusal.ITEM_UNAVAILABLE


def test_reference_only_refused(rules):
    copy = replace(BOOK, loanable=False)
    assert decide_borrow(ADULT, copy, None, [], TODAY, rules).refusal == Refusal.NOT_LOANABLE


def test_on_loan_to_someone_else_refused(rules):
    other = loan(reader_id=2)
    assert decide_borrow(ADULT, BOOK, other, [], TODAY, rules).refusal == Refusal.ON_LOAN_TO_OTHER


def test_borrowing_again_own_copy_changes_nothing_and_says_so(rules):
    mine = loan(due=date(2026, 12, 3))
    decision = decide_borrow(ADULT, BOOK, mine, [mine], TODAY, rules)
    assert decision.ok and decision.due == date(2026, 12, 3)
    assert decision.notices == (Notice.ALREADY_YOURS,)


@pytest.mark.parametrize("group", ["child", "adult", "elder"])
def test_limit_per_group(rules, group):
    reader = replace(ADULT, group=group)
    held = [loan(copy_id=50 + i, id_=i) for i in range(rules.limit[group])]
    assert decide_borrow(reader, BOOK, None, held, TODAY, rules).refusal == Refusal.LIMIT_REACHED
    assert decide_borrow(reader, BOOK, None, held[:-1], TODAY, rules).ok


def test_blocked_reader_refused_before_item_checks(rules):
    """The reader hears the reason they can act on, not a detail about the book."""
    blocked = replace(ADULT, blocked=True)
    copy = replace(BOOK, loanable=False)
    assert decide_borrow(blocked, copy, None, [], TODAY, rules).refusal == Refusal.READER_BLOCKED


def test_rotation_item_due_date_capped_before_batch_goes_back(rules):
    copy = replace(BOOK, batch_due_back=TODAY + timedelta(days=10))
    decision = decide_borrow(ADULT, copy, None, [], TODAY, rules)
    assert decision.ok
    assert decision.due == TODAY + timedelta(days=10 - rules.rotation_margin_days)
    assert Notice.DUE_SHORTENED in decision.notices


def test_rotation_item_not_capped_when_batch_stays_long(rules):
    copy = replace(BOOK, batch_due_back=TODAY + timedelta(days=90))
    decision = decide_borrow(ADULT, copy, None, [], TODAY, rules)
    assert decision.due == date(2026, 12, 16) and decision.notices == ()


def test_rotation_item_refused_when_batch_due_back(rules):
    copy = replace(BOOK, batch_due_back=TODAY + timedelta(days=rules.rotation_margin_days))
    decision = decide_borrow(ADULT, copy, None, [], TODAY, rules)
    assert decision.refusal == Refusal.ROTATION_DUE_BACK


def test_rotation_cap_lands_on_an_open_day(rules):
    # batch due back Thursday 2026-12-03, margin 3 -> Monday 11-30 (closed) -> Sunday 11-29
    copy = replace(BOOK, batch_due_back=date(2026, 12, 3))
    assert decide_borrow(ADULT, copy, None, [], TODAY, rules).due == date(2026, 11, 29)


def test_borrowing_a_missing_copy_found_on_the_shelf(rules):
    decision = decide_borrow(ADULT, replace(BOOK, status="missing"), None, [], TODAY, rules)
    assert decision.ok and Notice.FOUND in decision.notices


def test_renew_counts_from_today(rules):
    mine = loan(due=TODAY + timedelta(days=2))
    decision = decide_renew(ADULT, BOOK, mine, [mine], TODAY, rules)
    assert decision.ok and decision.due == date(2026, 12, 16)


def test_renew_too_early(rules):
    mine = loan(due=date(2026, 12, 16))
    assert decide_renew(ADULT, BOOK, mine, [mine], TODAY, rules).refusal == Refusal.TOO_EARLY


def test_renewal_limit(rules):
    mine = loan(due=TODAY, renewals=rules.max_renewals)
    assert decide_renew(ADULT, BOOK, mine, [mine], TODAY, rules).refusal == Refusal.RENEWAL_LIMIT


def test_renew_not_on_loan_or_not_yours(rules):
    assert decide_renew(ADULT, BOOK, None, [], TODAY, rules).refusal == Refusal.NOT_ON_LOAN
    theirs = loan(reader_id=2, due=TODAY)
    assert decide_renew(ADULT, BOOK, theirs, [], TODAY, rules).refusal == Refusal.NOT_YOUR_LOAN


def test_renew_refused_for_blocked_or_long_overdue_reader(rules):
    mine = loan(due=TODAY - timedelta(days=rules.overdue_block_days + 1))
    assert decide_renew(ADULT, BOOK, mine, [mine], TODAY, rules).refusal == Refusal.OVERDUE
    slightly = loan(due=TODAY - timedelta(days=1))
    assert (
        decide_renew(replace(ADULT, blocked=True), BOOK, slightly, [slightly], TODAY, rules).refusal
        == Refusal.READER_BLOCKED
    )
    assert decide_renew(ADULT, BOOK, slightly, [slightly], TODAY, rules).ok


def test_renew_rotation_item_without_gain_refused(rules):
    copy = replace(BOOK, batch_due_back=TODAY + timedelta(days=8))
    mine = loan(due=TODAY + timedelta(days=5))  # cap: due back - 3 = today + 5
    assert (
        decide_renew(ADULT, copy, mine, [mine], TODAY, rules).refusal == Refusal.ROTATION_DUE_BACK
    )


def test_return_notices(rules):
    assert decide_return(BOOK, None, TODAY).notices == (Notice.WAS_NOT_ON_LOAN,)
    assert decide_return(BOOK, loan(due=TODAY), TODAY).notices == ()
    assert decide_return(BOOK, loan(due=TODAY - timedelta(days=1)), TODAY).notices == (
        Notice.RETURNED_LATE,
    )
    rotation = replace(BOOK, batch_due_back=TODAY, status="missing")
    assert set(decide_return(rotation, None, TODAY).notices) == {
        Notice.WAS_NOT_ON_LOAN,
        Notice.FOUND,
        Notice.ROTATION_ITEM,
    }


def test_every_refusal_has_a_message():
    from kiosk import messages

    assert set(messages.REFUSALS) == set(Refusal)
    assert set(messages.NOTICES) == set(Notice)


def test_core_imports_no_ui_network_or_hardware_library():
    """The core must be testable without Kivy, paho or the GPIO/SPI libraries."""
    import subprocess
    import sys

    code = (
        "import sys, kiosk.circulation, kiosk.desk, kiosk.counters, kiosk.readers, "
        "kiosk.catalog.csv_import, kiosk.cli; bad = [m for m in ('kivy', 'paho', 'RPi', 'spidev', "
        "'mfrc522') if m in sys.modules]; print(bad); sys.exit(bool(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
