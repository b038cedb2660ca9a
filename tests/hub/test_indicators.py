"""The dashboard's and the report's figures, on hand-made hub data."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from kiosk.hub import indicators as ind
from kiosk.hub.models import KioskState
from tests.hub.conftest import NOW

TODAY = NOW.replace(hour=8, minute=0)
YESTERDAY = TODAY - timedelta(days=1)
LAST_MONTH = datetime(2026, 10, 31, 16, 45)

# Commune codes of the shipped list (Lạng Sơn).
DOAN_KET = "06001"  # Xã Đoàn Kết
DONG_KINH = "05977"  # Phường Đông Kinh
LUONG_VAN_TRI = "05983"  # Phường Lương Văn Tri


def overview(days: int = 30) -> ind.Overview:
    return ind.overview("20", NOW, days)


def row(view: ind.Overview, code: str) -> ind.CommuneRow:
    return next(c for c in view.communes if c.code == code)


def test_no_kiosks_gives_zeros_everywhere(hub_data):
    view = overview()
    assert view.communes == [] and view.rejections == {}
    assert len(view.daily) == 30 and all(n == 0 for _, n in view.daily)
    assert view.visits_today == view.loans_month == view.kiosk_count == 0
    plan = ind.plan("20", NOW, 30)
    assert plan.communes_total == 65 and plan.active == [] and plan.share == 0
    assert not plan.share_met and plan.growth_ytd is None and plan.growth_met is None
    assert plan.years == []
    report = ind.annual_report("20", 2026, NOW, 30)
    assert report.rows == [] and report.total.visits == 0 and report.active_communes == 0


def test_door_counts_win_over_card_visits_per_kiosk(hub_data):
    hub_data.add_kiosk("06001-01", DOAN_KET)
    hub_data.count("06001-01", DOAN_KET, TODAY, "visits_door", 12, group="")
    hub_data.count("06001-01", DOAN_KET, TODAY, "visits_card", 5)
    hub_data.add_kiosk("05977-01", DONG_KINH)  # no door beam: its card visits count
    hub_data.count("05977-01", DONG_KINH, TODAY, "visits_card", 4, group="adult")
    hub_data.count("05977-01", DONG_KINH, TODAY, "visits_card", 3, group="child")
    view = overview()
    assert row(view, DOAN_KET).visits_today == 12
    assert row(view, DOAN_KET).source_month == ind.SOURCE_DOOR
    assert row(view, DONG_KINH).visits_today == 7
    assert row(view, DONG_KINH).source_month == ind.SOURCE_CARD
    assert view.visits_today == 19


def test_a_door_row_of_zero_still_means_a_door_counter(hub_data):
    hub_data.add_kiosk("06001-01", DOAN_KET)
    hub_data.count("06001-01", DOAN_KET, TODAY, "visits_door", 0, group="")
    hub_data.count("06001-01", DOAN_KET, TODAY, "visits_card", 5)
    assert row(overview(), DOAN_KET).visits_today == 0


def test_commune_with_two_kiosks(hub_data):
    hub_data.add_kiosk("06001-01", DOAN_KET, online=True, last_seen=NOW - timedelta(minutes=1))
    hub_data.add_kiosk("06001-02", DOAN_KET, online=False, last_seen=NOW - timedelta(days=2))
    hub_data.count("06001-01", DOAN_KET, TODAY, "visits_door", 10, group="")
    hub_data.count("06001-02", DOAN_KET, TODAY, "visits_card", 6)  # no door beam there
    hub_data.count("06001-01", DOAN_KET, TODAY, "loans", 2)
    hub_data.count("06001-02", DOAN_KET, TODAY, "loans", 3)
    commune = row(overview(), DOAN_KET)
    assert (commune.kiosks, commune.online) == (2, 1)
    assert commune.last_seen == NOW - timedelta(minutes=1)
    assert commune.visits_today == 16 and commune.loans_today == 5
    assert commune.source_month == ind.SOURCE_MIXED
    assert commune.active


def test_today_and_this_month(hub_data):
    hub_data.add_kiosk("06001-01", DOAN_KET)
    for when, n in [(TODAY, 3), (YESTERDAY, 4), (datetime(2026, 11, 1, 0, 0), 5)]:
        hub_data.count("06001-01", DOAN_KET, when, "loans", n)
        hub_data.count("06001-01", DOAN_KET, when, "visits_door", n * 10, group="")
    hub_data.count("06001-01", DOAN_KET, LAST_MONTH, "loans", 100)
    hub_data.count("06001-01", DOAN_KET, NOW + timedelta(days=1), "loans", 100)  # clock ahead
    commune = row(overview(), DOAN_KET)
    assert (commune.loans_today, commune.loans_month) == (3, 12)
    assert (commune.visits_today, commune.visits_month) == (30, 120)


def test_daily_series_last_30_days_province_and_commune(hub_data):
    hub_data.add_kiosk("06001-01", DOAN_KET)
    hub_data.add_kiosk("05977-01", DONG_KINH)
    hub_data.count("06001-01", DOAN_KET, TODAY, "visits_door", 7, group="")
    hub_data.count("06001-01", DOAN_KET, TODAY.replace(hour=9), "visits_door", 1, group="")
    hub_data.count("05977-01", DONG_KINH, TODAY, "visits_card", 2)
    hub_data.count("06001-01", DOAN_KET, TODAY - timedelta(days=29), "visits_door", 4, group="")
    hub_data.count("06001-01", DOAN_KET, TODAY - timedelta(days=30), "visits_door", 9, group="")
    series = ind.daily_visits(NOW.date())
    assert len(series) == 30
    assert series[0] == (NOW.date() - timedelta(days=29), 4)
    assert series[-1] == (NOW.date(), 10)
    assert sum(n for _, n in series) == 14
    assert ind.daily_visits(NOW.date(), commune=DONG_KINH)[-1] == (NOW.date(), 2)


def test_unsynced_intervals_are_counted_and_flagged(hub_data):
    hub_data.add_kiosk("06001-01", DOAN_KET)
    hub_data.count("06001-01", DOAN_KET, TODAY, "visits_door", 5, group="", synced=False)
    hub_data.count("06001-01", DOAN_KET, TODAY, "loans", 2, synced=False)  # same interval
    hub_data.count("06001-01", DOAN_KET, YESTERDAY, "loans", 1, synced=False)
    hub_data.count("06001-01", DOAN_KET, YESTERDAY.replace(hour=9), "loans", 1)
    commune = row(overview(), DOAN_KET)
    assert commune.visits_today == 5 and commune.loans_month == 4
    assert commune.unsynced_month == 2  # intervals, not rows
    report = ind.annual_report("20", 2026, NOW, 30)
    assert report.total.unsynced == 2 and report.rows[0].unsynced == 2


def test_rejections_by_reason_for_the_province_and_per_kiosk(hub_data):
    hub_data.add_kiosk("06001-01", DOAN_KET)
    hub_data.reject("bad_json", 3)
    hub_data.reject("bad_json", 4, kiosk_id="06001-01")
    hub_data.reject("unregistered", 2, kiosk_id="06001-01")
    assert overview().rejections == {"bad_json": 7, "unregistered": 2}
    (kiosk,) = ind.kiosks("20")
    assert kiosk.rejected == {"bad_json": 4, "unregistered": 2}


def test_communes_sorted_by_vietnamese_proper_name(hub_data):
    for kiosk_id, code in [
        ("a-05983", LUONG_VAN_TRI),
        ("b-06001", DOAN_KET),
        ("c-05977", DONG_KINH),
    ]:
        hub_data.add_kiosk(kiosk_id, code)
    # Đoàn Kết < Đông Kinh (o < ô) < Lương Văn Tri; "Xã"/"Phường" does not decide the order
    assert [c.code for c in overview().communes] == [DOAN_KET, DONG_KINH, LUONG_VAN_TRI]


@pytest.mark.parametrize(
    ("year", "target"),
    [
        (2024, (2026, 15.0)),
        (2026, (2026, 15.0)),
        (2027, (2030, 50.0)),
        (2030, (2030, 50.0)),
        (2031, (2045, 90.0)),
        (2050, (2045, 90.0)),
    ],
)
def test_share_target_is_the_next_milestone(year, target):
    assert ind.share_target(year) == target


@pytest.mark.parametrize(
    ("year", "target"),
    [
        (2025, 10.0),
        (2026, 10.0),
        (2027, 15.0),
        (2030, 15.0),
        (2031, 30.0),
        (2045, 30.0),
        (2046, 30.0),
    ],
)
def test_growth_target_by_period(year, target):
    assert ind.growth_target(year) == target


def _communes(n: int) -> list[str]:
    return sorted(ind.province_communes("20"))[:n]


def test_ten_of_65_communes_active_meets_2026(hub_data):
    for code in _communes(10):
        hub_data.add_kiosk(f"k-{code}", code, last_seen=NOW - timedelta(days=29, hours=23))
    plan = ind.plan("20", NOW, 30)
    assert len(plan.active) == 10 and plan.communes_total == 65
    assert plan.share == pytest.approx(15.38, abs=0.01)
    assert (plan.target_year, plan.target_share) == (2026, 15.0)
    assert plan.share_met


def test_nine_active_communes_do_not_meet_2026(hub_data):
    for code in _communes(9):
        hub_data.add_kiosk(f"k-{code}", code)
    code = _communes(10)[-1]
    hub_data.add_kiosk(f"k-{code}", code, last_seen=NOW - timedelta(days=30, minutes=1))
    hub_data.add_kiosk("never-1", _communes(11)[-1], last_seen=None)  # never reported
    hub_data.add_kiosk("other-1", "99999", province="19")  # another province's kiosk
    plan = ind.plan("20", NOW, 30)
    assert len(plan.active) == 9 and not plan.share_met
    assert len(ind.plan("20", NOW, 31).active) == 10  # the configured window decides


def test_two_active_kiosks_in_one_commune_count_once(hub_data):
    hub_data.add_kiosk("06001-01", DOAN_KET)
    hub_data.add_kiosk("06001-02", DOAN_KET)
    assert ind.plan("20", NOW, 30).active == [DOAN_KET]


def test_year_to_date_growth_and_year_boundaries(hub_data):
    hub_data.add_kiosk("06001-01", DOAN_KET)
    door = "visits_door"
    hub_data.count("06001-01", DOAN_KET, datetime(2025, 1, 1, 0, 0), door, 100, group="")
    hub_data.count("06001-01", DOAN_KET, datetime(2025, 11, 25, 23, 45), door, 10, group="")
    hub_data.count("06001-01", DOAN_KET, datetime(2025, 11, 26, 0, 0), door, 1000, group="")
    hub_data.count("06001-01", DOAN_KET, datetime(2025, 12, 31, 23, 45), door, 5, group="")
    hub_data.count("06001-01", DOAN_KET, datetime(2026, 1, 1, 0, 0), door, 121, group="")
    plan = ind.plan("20", NOW, 30)
    assert (plan.visits_ytd, plan.visits_ytd_last_year) == (121, 110)
    assert plan.growth_ytd == pytest.approx(10.0) and plan.growth_met
    assert plan.growth_target == 10.0
    assert [(y.year, y.visits, y.growth) for y in plan.years] == [(2025, 1115, None)]


def test_full_previous_years_with_growth(hub_data):
    hub_data.add_kiosk("06001-01", DOAN_KET)
    for year, n in [(2023, 100), (2024, 105), (2025, 120)]:
        hub_data.count("06001-01", DOAN_KET, datetime(year, 6, 1, 8), "visits_card", n)
    years = ind.plan("20", NOW, 30).years
    assert [(y.year, y.visits) for y in years] == [(2023, 100), (2024, 105), (2025, 120)]
    assert years[0].growth is None and years[0].met is None
    assert years[1].growth == pytest.approx(5.0) and years[1].met is False
    assert years[2].growth == pytest.approx(120 / 105 * 100 - 100) and years[2].met is True


def test_same_day_last_year_on_a_leap_day():
    assert ind.same_day_last_year(date(2028, 2, 29)) == date(2027, 2, 28)
    assert ind.same_day_last_year(date(2026, 11, 25)) == date(2025, 11, 25)


def test_growth_needs_a_previous_figure():
    assert ind.growth(10, 0) is None
    assert ind.growth(11, 10) == pytest.approx(10.0)
    assert ind.growth(5, 10) == pytest.approx(-50.0)


def test_annual_report_rows_totals_and_indicators(hub_data):
    hub_data.add_kiosk("06001-01", DOAN_KET)
    hub_data.add_kiosk("05977-01", DONG_KINH, last_seen=NOW - timedelta(days=40))
    for metric, n in [
        ("visits_door", 50),
        ("loans", 7),
        ("returns", 6),
        ("renewals", 2),
        ("new_readers", 1),
        ("refused_limit", 4),
    ]:
        hub_data.count("06001-01", DOAN_KET, datetime(2026, 3, 2, 9), metric, n, group="adult")
        hub_data.count("06001-01", DOAN_KET, datetime(2026, 3, 2, 9), metric, 1, group="child")
    hub_data.count("05977-01", DONG_KINH, datetime(2026, 2, 1, 9), "visits_card", 9)
    hub_data.count("05977-01", DONG_KINH, datetime(2025, 2, 1, 9), "visits_card", 6)
    # a commune with data but no registered kiosk any more is still reported
    hub_data.count("gone-1", LUONG_VAN_TRI, datetime(2026, 1, 5, 9), "loans", 3)
    hub_data.count("06001-01", DOAN_KET, datetime(2027, 1, 1, 0), "loans", 99)  # after "now"
    report = ind.annual_report("20", 2026, NOW, 30)
    assert (report.first_day, report.last_day) == (date(2026, 1, 1), date(2026, 11, 25))
    by_code = {r.code: r for r in report.rows}
    assert [r.code for r in report.rows] == [DOAN_KET, DONG_KINH, LUONG_VAN_TRI]
    doan_ket = by_code[DOAN_KET]
    assert (doan_ket.visits, doan_ket.loans, doan_ket.returns) == (51, 8, 7)
    assert (doan_ket.renewals, doan_ket.new_readers, doan_ket.kiosks) == (3, 2, 1)
    assert doan_ket.active and not by_code[DONG_KINH].active
    assert by_code[DONG_KINH].visits_last_year == 6
    assert by_code[DONG_KINH].growth == pytest.approx(50.0)
    assert by_code[LUONG_VAN_TRI].kiosks == 0 and by_code[LUONG_VAN_TRI].loans == 3
    total = report.total
    assert (total.visits, total.loans, total.kiosks, total.visits_last_year) == (60, 11, 2, 6)
    assert report.active_communes == 1 and report.communes_total == 65
    assert (report.target_year, report.target_share, report.growth_target) == (2026, 15.0, 10.0)
    assert not report.share_met and report.growth_met


def test_past_year_report_uses_activity_at_year_end(hub_data):
    hub_data.add_kiosk("06001-01", DOAN_KET)
    hub_data.add_kiosk("05977-01", DONG_KINH)
    hub_data.count("06001-01", DOAN_KET, datetime(2025, 12, 20, 9), "loans", 1)
    hub_data.count("05977-01", DONG_KINH, datetime(2025, 11, 1, 9), "loans", 1)
    report = ind.annual_report("20", 2025, NOW, 30)
    assert report.last_day == date(2025, 12, 31)
    assert report.active_communes == 1
    assert {r.code: r.active for r in report.rows} == {DOAN_KET: True, DONG_KINH: False}
    assert (report.target_year, report.growth_target) == (2026, 10.0)


def test_kiosk_health_is_read_and_damaged_health_is_ignored(hub_data):
    hub_data.add_kiosk("06001-01", DOAN_KET, health={"cpu_temp_c": 48.5, "rfid": "ok"})
    hub_data.add_kiosk("06001-02", DOAN_KET)
    KioskState.update(health="{not json").where(KioskState.kiosk_id == "06001-02").execute()
    kiosks = ind.kiosks("20", DOAN_KET)
    assert kiosks[0].health == {"cpu_temp_c": 48.5, "rfid": "ok"}
    assert kiosks[1].health == {}
