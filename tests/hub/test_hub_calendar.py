"""The hub on the dates that break software: the plan's year and the annual report across New
Year, the leap day, and counts stamped by kiosks whose clocks were decades wrong (1970, 2038).
Every test says the moment it asks about."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kiosk.clock import Stamp
from kiosk.hub import indicators as ind
from kiosk.hub.ingest import MISDATED, Ingestor, Message
from kiosk.hub.models import IntervalCount
from kiosk.telemetry import payloads

DOAN_KET = "06001"
LAST_MINUTE = datetime(2026, 12, 31, 23, 59, 30)
FIRST_MINUTE = datetime(2027, 1, 1, 0, 0, 30)


def visits(hub_data, start: datetime, n: int, synced: bool = True) -> None:
    hub_data.count("06001-01", DOAN_KET, start, "visits_door", n, group="", synced=synced)


@pytest.fixture
def new_year(hub_data):
    """Visits on 1 January 2026, all through 2026 up to its last interval, and just after
    midnight on 1 January 2027."""
    hub_data.add_kiosk("06001-01", DOAN_KET, last_seen=FIRST_MINUTE)
    visits(hub_data, datetime(2026, 1, 1, 8, 0), 4)
    visits(hub_data, datetime(2026, 6, 15, 9, 0), 100)
    visits(hub_data, datetime(2026, 12, 31, 23, 45), 7)
    visits(hub_data, datetime(2027, 1, 1, 0, 0), 2)
    return hub_data


def test_the_plan_year_turns_at_midnight(new_year):
    eve, day = ind.plan("20", LAST_MINUTE, 30), ind.plan("20", FIRST_MINUTE, 30)
    assert (eve.target_year, eve.target_share, eve.growth_target) == (2026, 15, 10)
    assert (day.target_year, day.target_share, day.growth_target) == (2030, 50, 15)
    assert (eve.visits_ytd, eve.visits_ytd_last_year) == (111, 0)
    assert (day.visits_ytd, day.visits_ytd_last_year) == (2, 4)  # 1 January of each year
    assert eve.years == [] and [(y.year, y.visits) for y in day.years] == [(2026, 111)]


def test_the_annual_report_asked_for_on_new_years_day_covers_the_whole_year(new_year):
    on_eve = ind.annual_report("20", 2026, LAST_MINUTE, 30)
    after = ind.annual_report("20", 2026, FIRST_MINUTE, 30)
    assert (on_eve.first_day, on_eve.last_day) == (date(2026, 1, 1), date(2026, 12, 31))
    assert on_eve.total.visits == after.total.visits == 111
    assert after.last_day == date(2026, 12, 31) and after.active_communes == 1
    begun = ind.annual_report("20", 2027, FIRST_MINUTE, 30)
    assert begun.last_day == date(2027, 1, 1) and begun.total.visits == 2
    assert begun.total.visits_last_year == 4  # the same day of 2026


def test_the_leap_day(hub_data):
    hub_data.add_kiosk("06001-01", DOAN_KET, last_seen=datetime(2028, 2, 29, 12, 0))
    visits(hub_data, datetime(2027, 2, 28, 10, 0), 5)
    visits(hub_data, datetime(2027, 3, 1, 10, 0), 50)  # not in the same days of last year
    visits(hub_data, datetime(2028, 2, 29, 10, 0), 6)
    assert ind.same_day_last_year(date(2028, 2, 29)) == date(2027, 2, 28)
    plan = ind.plan("20", datetime(2028, 2, 29, 12, 0), 30)
    assert (plan.visits_ytd, plan.visits_ytd_last_year) == (6, 5)
    report = ind.annual_report("20", 2028, datetime(2028, 2, 29, 12, 0), 30)
    assert report.last_day == date(2028, 2, 29) and report.total.visits_last_year == 5


def test_counts_from_a_clock_in_1970_do_not_stretch_the_plan_back_to_1970(new_year):
    visits(new_year, datetime(1970, 1, 1, 0, 0), 3, synced=False)
    plan = ind.plan("20", FIRST_MINUTE, 30)
    assert [y.year for y in plan.years] == [2026]
    assert ind.first_year() == 2026


@pytest.mark.parametrize(
    "moment", [datetime(1970, 1, 1, 0, 0), datetime(2038, 1, 19, 3, 0)], ids=["1970", "2038"]
)
def test_counts_stamped_by_a_clock_that_was_wrong_are_rebased_from_the_monotonic_time(
    hub_data, moment
):
    """The interval's first event was counted 86.5 s of monotonic time before the payload was
    frozen with the clock set (same boot): its real time is known, and so is its interval."""
    hub_data.add_kiosk("06001-01", DOAN_KET)
    stamp = Stamp(moment, 12.5, "boot", False)
    sent = Stamp(datetime(2026, 12, 3, 9, 0), 99.0, "boot", True)
    body = payloads.counts(
        "06001-01", "20", DOAN_KET, 1, moment, 15, [("loans", "adult", 2)], stamp, sent, 0
    )
    message = Message("thuvien/v1/20/06001/06001-01/counts", payloads.encode(body))
    assert Ingestor().handle_batch([message], datetime(2026, 12, 3, 9, 0, 5)) == [MISDATED]
    row = IntervalCount.get()
    assert (row.interval_start, row.n, bool(row.clock_synced)) == (
        datetime(2026, 12, 3, 8, 45),  # 8:58:33.5, in the interval from 8:45
        2,
        False,  # flagged: the dashboard notes it
    )
    assert ind.period_sums(datetime(moment.year, 1, 1), datetime(moment.year + 1, 1, 1)) == {}
    sums = ind.period_sums(datetime(2026, 12, 1), datetime(2027, 1, 1))
    assert sums[DOAN_KET].get("loans") == 2 and sums[DOAN_KET].unsynced == 1
