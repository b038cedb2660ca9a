"""Monthly and annual figures come from the counters, by reader group."""

from __future__ import annotations

from datetime import datetime

from kiosk import counters
from kiosk.clock import Stamp
from kiosk.demo import sample
from kiosk.reports import figures as reports


def test_month_and_year_figures(desk, clock, rules):
    adult, child = sample.SAMPLE_CARDS["reader"], sample.SAMPLE_CARDS["child"]
    desk.identify(adult)
    desk.borrow(adult, "LS-0001")
    desk.borrow(child, "LS-0004")
    desk.borrow(child, "LS-0025")  # reference only: refused, not a loan
    clock.set(datetime(2026, 12, 2, 10, 0))
    desk.return_item("LS-0001")
    counters.bump(counters.VISITS_DOOR, clock.stamp(), n=7)

    november = reports.month(2026, 11, rules.groups)
    assert november.value(counters.LOANS) == 2
    assert november.value(counters.LOANS, "child") == 1
    assert november.value(counters.NEW_READERS) == len(sample.READERS)
    assert november.value(counters.VISITS_CARD, "adult") == 1
    assert november.value(counters.RETURNS) == 0
    december = reports.month(2026, 12, rules.groups)
    assert december.value(counters.RETURNS, "adult") == 1
    assert december.value(counters.VISITS_DOOR) == 7
    year = reports.year(2026, rules.groups)
    assert year.value(counters.LOANS) == 2 and year.value(counters.RETURNS) == 1
    assert reports.year(2025, rules.groups).value(counters.LOANS) == 0


def test_report_tables(desk, rules):
    desk.borrow(sample.SAMPLE_CARDS["reader"], "LS-0001")
    report = reports.month(2026, 11, rules.groups)
    table = report.table()
    assert table[0] == ["Indicator", "Total", "Children", "Adults", "Elderly"]
    assert ["Loans", "1", "0", "1", "0"] in table
    assert "Loans,1,0,1,0" in reports.to_csv(report)
    assert reports.to_text(report).splitlines()[0] == "Report 2026-11"


def test_december_report_ends_at_new_year(store, rules):
    counters.bump(counters.LOANS, Stamp(datetime(2026, 12, 31, 23, 59), 1.0, "b", True), "adult")
    counters.bump(counters.LOANS, Stamp(datetime(2027, 1, 1, 0, 0), 2.0, "b", True), "adult")
    assert reports.month(2026, 12, rules.groups).value(counters.LOANS) == 1
    assert reports.month(2027, 1, rules.groups).value(counters.LOANS) == 1


def test_interval_start():
    assert counters.interval_start(datetime(2026, 11, 25, 9, 44, 59)) == datetime(
        2026, 11, 25, 9, 30
    )
