"""The dates that break software, with the clock pinned: New Year's Eve to New Year's Day, a
leap day, the last day of every month, due dates on closed days and through Tết, and a kiosk
clock that is decades wrong before NTP sets it (1970, and 2038 past the 32-bit epoch).

Every test says the moment it means (a FixedClock, or time-machine for the system clock);
none depends on the day the suite runs. The December report once came out titled as the
annual report: the period tests below fail if that comes back.
"""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
import time_machine

from kiosk import counters
from kiosk.circulation import due_date, next_open_day
from kiosk.clock import FixedClock, SystemClock
from kiosk.demo import sample
from kiosk.desk import Desk
from kiosk.readers import register
from kiosk.reports import figures as reports
from kiosk.reports import page as report_page
from kiosk.store import outbox
from kiosk.store.db import db

ADULT, CHILD = sample.SAMPLE_CARDS["reader"], sample.SAMPLE_CARDS["child"]
NEW_YEARS_EVE = datetime(2026, 12, 31, 23, 59)  # a Thursday
UNIT = report_page.Unit("Xã Đoàn Kết", "Thư viện cơ sở", "06001-01")


def months(first_year: int, last_year: int) -> list[tuple[int, int]]:
    return [(y, m) for y in range(first_year, last_year + 1) for m in range(1, 13)]


def figure(period: reports.Period, metric: str, rules) -> int:
    return reports.build(period, rules.groups).value(metric)


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize(("year", "month"), months(2026, 2028))
def test_a_month_runs_from_its_first_day_to_the_first_of_the_next(year, month):
    period = reports.Period(year, month)
    last_day = calendar.monthrange(year, month)[1]
    assert period.start == datetime(year, month, 1)
    assert period.end - timedelta(days=1) == datetime(year, month, last_day)
    assert period.step(1).start == period.end and period.step(-1).end == period.start
    assert not period.annual and period.slug() == f"{year}-{month:02d}"
    assert period.title() == f"Month {month} of {year}"


def test_december_steps_into_january_and_the_year_is_not_the_month():
    december = reports.Period(2026, 12)
    assert december.end == datetime(2027, 1, 1)
    assert december.step(1) == reports.Period(2027, 1)
    assert reports.Period(2027, 1).step(-1) == december
    assert december.toggled(date(2026, 12, 3)) == reports.Period(2026)
    assert reports.Period(2026).toggled(date(2026, 12, 31)) == december
    assert reports.Period(2026).toggled(date(2027, 1, 1)) == december  # a past year: its last
    year = reports.Period(2026)
    assert (year.start, year.end) == (datetime(2026, 1, 1), datetime(2027, 1, 1))
    assert year.annual and year.title() == "Year 2026" and year.step(-1).slug() == "2025"
    assert (year.end - year.start).days == 365
    assert (reports.Period(2028).end - reports.Period(2028).start).days == 366
    with pytest.raises(ValueError):
        reports.Period(2026, 13)
    for year in (0, 9999):  # 9999: its end, 1 January 10000, cannot be represented
        with pytest.raises(ValueError):
            reports.Period(year)
    assert reports.Period(9998, 12).end == datetime(9999, 1, 1)


@pytest.mark.parametrize("month", range(1, 13))
def test_the_printed_page_names_the_month_in_every_month_of_the_year(store, rules, month):
    html = report_page.render(reports.month(2026, month, rules.groups), UNIT, date(2026, 12, 8))
    assert f'<p class="period">Tháng {month} năm 2026</p>' in html
    assert "Năm 2026" not in html  # the annual title, which December once got


def test_the_annual_page_and_the_text_report_name_the_year(store, rules):
    annual = reports.year(2026, rules.groups)
    html = report_page.render(annual, UNIT, date(2026, 12, 8))
    assert '<p class="period">Năm 2026</p>' in html and "Tháng" not in html.split("<table>")[0]
    assert reports.to_text(annual).startswith("Report 2026\n")
    assert reports.to_text(reports.month(2026, 12, rules.groups)).startswith("Report 2026-12\n")


# --------------------------------------------------------------------------- New Year


def test_a_loan_on_new_years_eve_and_its_return_on_new_years_day(library, rules):
    clock = FixedClock(NEW_YEARS_EVE)
    desk = Desk(rules, clock)
    assert desk.borrow(ADULT, "LS-0001").due == date(2027, 1, 21)
    assert desk.borrow(CHILD, "LS-0002").due == date(2027, 1, 14)
    clock.advance(minutes=1)  # midnight: 2027-01-01 00:00
    assert desk.return_item("LS-0001").ok
    renewed = desk.renew(CHILD, "LS-0002")
    assert renewed.ok and renewed.due == date(2027, 1, 15)  # 14 days from New Year's Day

    assert counters.interval_start(NEW_YEARS_EVE) == datetime(2026, 12, 31, 23, 45)
    assert counters.interval_start(clock.now()) == datetime(2027, 1, 1, 0, 0)
    december, january = reports.Period(2026, 12), reports.Period(2027, 1)
    assert figure(december, counters.LOANS, rules) == 2
    assert figure(december, counters.RETURNS, rules) == 0
    assert figure(january, counters.LOANS, rules) == 0
    assert figure(january, counters.RETURNS, rules) == 1
    assert figure(january, counters.RENEWALS, rules) == 1
    assert figure(reports.Period(2026), counters.LOANS, rules) == 2
    assert figure(reports.Period(2027), counters.RETURNS, rules) == 1
    assert figure(reports.Period(2027), counters.LOANS, rules) == 0


def test_counter_buckets_split_at_midnight(library, rules):
    desk = Desk(rules, FixedClock(datetime(2026, 12, 31, 23, 59, 59)))
    desk.count_passage()
    desk.count_passage(stamp=replace(desk.clock.stamp(), wall=datetime(2027, 1, 1)))
    rows = db.execute_sql(
        "SELECT interval_start, count FROM counter_bucket WHERE metric = ? ORDER BY 1",
        (counters.VISITS_DOOR,),
    ).fetchall()
    assert rows == [("2026-12-31 23:45:00", 1), ("2027-01-01 00:00:00", 1)]
    day = counters.totals(datetime(2026, 12, 31), datetime(2027, 1, 1))
    assert day == {(counters.VISITS_DOOR, ""): 1}


# --------------------------------------------------------------------------- leap day


def test_the_leap_day_2028(library, rules):
    clock = FixedClock(datetime(2028, 2, 8, 10, 0))  # a Tuesday
    desk = Desk(rules, clock)
    assert desk.borrow(ADULT, "LS-0001").due == date(2028, 2, 29)  # Tuesday 29 February
    clock.set(datetime(2028, 2, 29, 23, 59, 30))
    assert desk.borrow(ADULT, "LS-0003").due == date(2028, 3, 21)
    assert desk.return_item("LS-0001").ok
    clock.set(datetime(2028, 3, 1, 0, 0, 30))
    assert desk.return_item("LS-0003").ok
    february = reports.Period(2028, 2)
    assert february.end == datetime(2028, 3, 1)
    assert figure(february, counters.LOANS, rules) == 2
    assert figure(february, counters.RETURNS, rules) == 1
    assert figure(february.step(1), counters.RETURNS, rules) == 1
    assert due_date(date(2028, 2, 29), "elder", rules) == date(2028, 3, 28)
    assert due_date(date(2027, 3, 1), "child", rules) == date(2027, 3, 16)  # Monday 15 -> 16


def test_a_loan_on_the_last_minute_of_every_month(library, rules):
    """36 months: the loan and its return count in their month only; the due date is the
    period later, moved off a Monday."""
    clock = FixedClock(datetime(2026, 1, 31, 23, 59, 59))
    desk = Desk(rules, clock)
    for year, month in months(2026, 2028):
        last = date(year, month, calendar.monthrange(year, month)[1])
        clock.set(datetime.combine(last, datetime.max.time()).replace(microsecond=0))
        expected = last + timedelta(days=21)
        while expected.weekday() == 0:  # the default rules close on Mondays
            expected += timedelta(days=1)
        assert desk.borrow(ADULT, "LS-0001").due == expected, last
        assert desk.return_item("LS-0001").ok
    for year, month in months(2026, 2028):
        period = reports.Period(year, month)
        assert figure(period, counters.LOANS, rules) == 1, period
        assert figure(period, counters.RETURNS, rules) == 1, period
    assert figure(reports.Period(2027), counters.LOANS, rules) == 12
    assert figure(reports.Period(2029, 1), counters.LOANS, rules) == 0


# --------------------------------------------------------------------------- closed days


def tet_rules(rules):
    """The room closes for Tết 2027 (Saturday 6 February) from Thursday 4 to Sunday 14
    February, then Monday 15 is its weekly closing day; and for New Year's Day."""
    closed = {date(2027, 2, 4) + timedelta(days=n) for n in range(11)} | {date(2027, 1, 1)}
    return replace(rules, closed_dates=frozenset(closed))


def test_a_due_date_in_tet_moves_to_the_first_open_day_after_it(library, rules):
    tet = tet_rules(rules)
    assert due_date(date(2027, 1, 21), "adult", tet) == date(2027, 2, 16)  # 11 Feb -> Tue 16
    assert due_date(date(2027, 1, 21), "child", tet) == date(2027, 2, 16)  # 4 Feb -> Tue 16
    assert due_date(date(2027, 1, 13), "adult", tet) == date(2027, 2, 3)  # the day before
    assert due_date(date(2026, 12, 11), "adult", tet) == date(2027, 1, 2)  # over New Year
    clock = FixedClock(datetime(2027, 1, 21, 16, 0))
    desk = Desk(tet, clock)
    assert desk.borrow(ADULT, "LS-0001").due == date(2027, 2, 16)
    clock.set(datetime(2027, 1, 28, 9, 0))
    assert desk.renew(ADULT, "LS-0001").due == date(2027, 2, 18)
    clock.set(datetime(2027, 2, 3, 9, 0))  # the last open day before Tết
    assert desk.renew(ADULT, "LS-0001").due == date(2027, 2, 24)


def test_a_room_closed_for_more_than_a_year_is_a_configuration_error(rules):
    closed = frozenset(date(2027, 1, 1) + timedelta(days=n) for n in range(500))
    with pytest.raises(ValueError, match="no open day"):
        next_open_day(date(2027, 1, 1), replace(rules, closed_dates=closed))


# --------------------------------------------------------------------------- wrong clocks


@pytest.mark.parametrize(
    "moment",
    [datetime(1970, 1, 1, 0, 0, 5), datetime(2038, 1, 19, 3, 14, 8)],
    ids=["1970", "2038"],
)
def test_a_kiosk_whose_clock_is_decades_wrong_keeps_working(library, rules, moment):
    """Before NTP sets it, a Pi without a clock battery may think it is 1970 (or a bad RTC
    2038, past the 32-bit epoch): circulation and counting go on, and the counts are marked
    as stamped before the clock was set."""
    clock = FixedClock(moment, synced=False)
    register("C0FFEE01", "Bạn đọc mới", "adult", rules.groups, clock, rules.card_validity_days)
    desk = Desk(rules, clock)
    borrowed = desk.borrow("C0FFEE01", "LS-0001")
    assert borrowed.ok and borrowed.due == due_date(moment.date(), "adult", rules)
    desk.count_passage()
    clock.set(datetime(2026, 12, 3, 9, 0), synced=True)  # NTP
    assert desk.return_item("LS-0001").ok
    wrong = reports.Period(moment.year, moment.month)
    assert figure(wrong, counters.LOANS, rules) == 1
    assert figure(wrong, counters.VISITS_DOOR, rules) == 1
    assert figure(reports.Period(2026, 12), counters.RETURNS, rules) == 1
    rows = db.execute_sql("SELECT interval_start, clock_synced FROM outbox ORDER BY 1").fetchall()
    assert (str(counters.interval_start(moment)), 0) in rows
    assert ("2026-12-03 09:00:00", 1) in rows


def test_counts_stamped_before_ntp_are_not_pruned_as_decades_old(library, rules):
    """The outbox drops unsent rows older than outbox_max_days: a row stamped 1970 is not old,
    its clock was wrong. Only the row bound limits those."""
    desk = Desk(rules, FixedClock(datetime(1970, 1, 1, 0, 1), synced=False))
    desk.count_passage()
    Desk(rules, FixedClock(datetime(2025, 1, 1, 9, 0))).count_passage()  # really old, synced
    now = datetime(2026, 12, 3, 9, 0)
    dropped = outbox.prune(now, 50_000, timedelta(days=400), timedelta(days=14))
    assert dropped == 1
    rows = db.execute_sql("SELECT interval_start, clock_synced FROM outbox").fetchall()
    assert ("1970-01-01 00:00:00", 0) in rows and ("2025-01-01 09:00:00", 1) not in rows


def test_the_system_clock_is_the_machines(library):
    """SystemClock reads the wall clock (pinned here with time-machine): on 31 December at
    23:59:59 and a second later."""
    with time_machine.travel(NEW_YEARS_EVE.replace(second=59).astimezone(), tick=False) as t:
        assert SystemClock().now() == datetime(2026, 12, 31, 23, 59, 59)
        t.shift(timedelta(seconds=1))
        stamp = SystemClock().stamp()
        assert stamp.wall == datetime(2027, 1, 1) and isinstance(stamp.clock_synced, bool)
