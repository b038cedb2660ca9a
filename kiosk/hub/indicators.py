"""The dashboard's and the annual report's numbers: pure functions over the hub's tables.

Every function takes the moment it is asked about ("now", hub local time), so tests and the
report for a past year get the same answers as the live page would have.

Decisions, also stated on the pages:

- **Visits.** A kiosk with a door beam counts people entering (`visits_door`); card visits
  (`visits_card`) count only readers who identified themselves, so adding both would count a
  reader twice. Per kiosk and per period: if the kiosk sent any `visits_door` row in the period,
  its visits are its door counts, otherwise its card visits. The rule is per kiosk, not per
  commune, so a commune with one door-counting kiosk and one card-only kiosk loses neither.
- **Active model library.** A commune whose registered kiosk reported (any message) within
  `active_days` of now. For a past year's report, as of 31 December of that year: a commune
  whose kiosks sent counts for an interval in that year's last `active_days` days.
- **Targets** (provincial plan, DESIGN §1). The share target shown for a year is the next
  milestone (15% by 2026, 50% by 2030, 90% by 2045; 90% after). Visit growth targets are read as
  a yearly rate: +10% a year up to 2026, +15% a year to 2030, +30% a year to 2045.
- **Clock.** Intervals stamped before a kiosk's clock was set are counted, and their number is
  reported next to the figures they are part of.

Only aggregates exist at the hub: no reader, card or title ever reaches these tables.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from peewee import JOIN, SQL, fn

from kiosk import communes
from kiosk.hub.models import (
    IntervalCount,
    KioskState,
    MisdatedCount,
    Received,
    RegisteredKiosk,
    Rejection,
    SeqWatermark,
    hub_db,
)
from kiosk.text import collate

VISITS_DOOR = "visits_door"
VISITS_CARD = "visits_card"
REPORT_METRICS = ("loans", "returns", "renewals", "new_readers")
SERIES_DAYS = 30

# (year, percent): 15% of communes with the model by 2026, 50% by 2030, 90% by 2045.
SHARE_TARGETS = ((2026, 15.0), (2030, 50.0), (2045, 90.0))
# (last year of the period, yearly growth of visits in percent).
GROWTH_TARGETS = ((2026, 10.0), (2030, 15.0), (2045, 30.0))

# Where a commune's visit figures come from.
SOURCE_DOOR = "door"
SOURCE_CARD = "card"
SOURCE_MIXED = "mixed"  # one kiosk counts at its door, another only card visits
SOURCE_NONE = "none"


# ---------------------------------------------------------------------------------------------
# Periods and targets


def day_start(day: date) -> datetime:
    """Midnight at the start of `day`."""
    return datetime(day.year, day.month, day.day)


def same_day_last_year(day: date) -> date:
    """The same calendar day a year earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def share_target(year: int) -> tuple[int, float]:
    """The plan's milestone (year, percent of communes) that applies in `year`: the next one."""
    for milestone, percent in SHARE_TARGETS:
        if year <= milestone:
            return milestone, percent
    return SHARE_TARGETS[-1]


def growth_target(year: int) -> float:
    """The plan's yearly visit growth target (percent) for `year`."""
    for last_year, percent in GROWTH_TARGETS:
        if year <= last_year:
            return percent
    return GROWTH_TARGETS[-1][1]


def growth(current: int, previous: int) -> float | None:
    """Growth in percent from `previous` to `current`; None when there is nothing to compare."""
    if previous <= 0:
        return None
    return (current - previous) * 100.0 / previous


def commune_name(code: str) -> str:
    """The commune's Vietnamese name, or its code if it is not in the shipped list."""
    found = communes.find(code)
    return found.name if found else code


def _sort_name(code: str) -> str:
    """Sort communes by their proper name: "Xã Đoàn Kết" under Đ, not all "Xã" after "Phường"."""
    found = communes.find(code)
    if found is None:
        return code
    return found.name.removeprefix(found.division_type.capitalize()).strip()


def province_communes(province: str) -> list[str]:
    """Codes of every commune of the province (65 for Lạng Sơn)."""
    return [c.code for c in communes.all_communes().values() if c.province_code == province]


# ---------------------------------------------------------------------------------------------
# Sums over intervals


@dataclass
class Sums:
    """Totals of one commune over one period."""

    visits: int = 0
    source: str = SOURCE_NONE
    metrics: dict[str, int] = field(default_factory=dict)
    unsynced: int = 0  # intervals stamped before the kiosk's clock was set

    def get(self, metric: str) -> int:
        """The total of a metric (0 if none was sent)."""
        return self.metrics.get(metric, 0)


def _in_period(start: datetime, end: datetime):
    return (IntervalCount.interval_start >= start) & (IntervalCount.interval_start < end)


def _kiosk_sums(start: datetime, end: datetime, commune: str | None):
    """(kiosk, commune, metric, total) rows of the period, all reader groups together."""
    where = _in_period(start, end)
    if commune is not None:
        where &= IntervalCount.commune == commune
    query = (
        IntervalCount.select(
            IntervalCount.kiosk_id,
            IntervalCount.commune,
            IntervalCount.metric,
            fn.SUM(IntervalCount.n),
        )
        .where(where)
        .group_by(IntervalCount.kiosk_id, IntervalCount.commune, IntervalCount.metric)
        .tuples()
    )
    return list(query)


def _source(sources: set[str]) -> str:
    sources.discard(SOURCE_NONE)
    if not sources:
        return SOURCE_NONE
    return sources.pop() if len(sources) == 1 else SOURCE_MIXED


def _unsynced(start: datetime, end: datetime, commune: str | None) -> dict[str, int]:
    """Per commune: how many (kiosk, interval) pairs were stamped with an unset clock."""
    where = _in_period(start, end) & (IntervalCount.clock_synced == False)  # noqa: E712
    if commune is not None:
        where &= IntervalCount.commune == commune
    query = (
        IntervalCount.select(
            IntervalCount.commune, IntervalCount.kiosk_id, IntervalCount.interval_start
        )
        .where(where)
        .distinct()
        .tuples()
    )
    found: dict[str, int] = defaultdict(int)
    for code, _kiosk, _start in query:
        found[code] += 1
    return found


def period_sums(start: datetime, end: datetime, commune: str | None = None) -> dict[str, Sums]:
    """Per commune, the totals of every metric in [start, end), with its visits by the door/card
    rule (see the module docstring) and its unsynced intervals."""
    by_kiosk: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for kiosk_id, code, metric, total in _kiosk_sums(start, end, commune):
        by_kiosk[kiosk_id, code][metric] = int(total or 0)
    result: dict[str, Sums] = defaultdict(Sums)
    sources: dict[str, set[str]] = defaultdict(set)
    for (_kiosk_id, code), metrics in by_kiosk.items():
        sums = result[code]
        for metric, total in metrics.items():
            sums.metrics[metric] = sums.metrics.get(metric, 0) + total
        visits, source = kiosk_visits(metrics)
        sums.visits += visits
        sources[code].add(source)
    for code, n in _unsynced(start, end, commune).items():
        result[code].unsynced = n
    for code, sums in result.items():
        sums.source = _source(sources[code])
    return dict(result)


def kiosk_visits(metrics: dict[str, int]) -> tuple[int, str]:
    """One kiosk's visits in a period from its metric totals, and where they come from."""
    if VISITS_DOOR in metrics:
        return metrics[VISITS_DOOR], SOURCE_DOOR
    if VISITS_CARD in metrics:
        return metrics[VISITS_CARD], SOURCE_CARD
    return 0, SOURCE_NONE


def _as_date(value: object) -> date:
    """A truncated day from the database: a string in SQLite, a datetime in PostgreSQL."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def daily_visits(
    today: date, days: int = SERIES_DAYS, commune: str | None = None
) -> list[tuple[date, int]]:
    """Visits per day for the `days` days ending today (province, or one commune). The door/card
    choice is made per kiosk over the whole window, so a day without door counts from a
    door-counting kiosk shows 0 instead of switching to its card counts."""
    first = today - timedelta(days=days - 1)
    where = _in_period(day_start(first), day_start(today + timedelta(days=1)))
    where &= IntervalCount.metric.in_([VISITS_DOOR, VISITS_CARD])
    if commune is not None:
        where &= IntervalCount.commune == commune
    day = hub_db.truncate_date("day", IntervalCount.interval_start).alias("day")
    query = (
        IntervalCount.select(
            IntervalCount.kiosk_id, IntervalCount.metric, day, fn.SUM(IntervalCount.n)
        )
        .where(where)
        # by the column's name, not the expression again: PostgreSQL (psycopg binds on the
        # server) would see DATE_TRUNC($1, ...) and DATE_TRUNC($5, ...) as two expressions
        .group_by(IntervalCount.kiosk_id, IntervalCount.metric, SQL('"day"'))
        .tuples()
    )
    per_kiosk: dict[str, dict[str, dict[date, int]]] = defaultdict(lambda: defaultdict(dict))
    for kiosk_id, metric, value, total in query:
        per_kiosk[kiosk_id][metric][_as_date(value)] = int(total or 0)
    series = {first + timedelta(days=i): 0 for i in range(days)}
    for metrics in per_kiosk.values():
        chosen = metrics.get(VISITS_DOOR) or metrics.get(VISITS_CARD) or {}
        for when, total in chosen.items():
            if when in series:
                series[when] += total
    return list(series.items())


# ---------------------------------------------------------------------------------------------
# Kiosks and communes


@dataclass(frozen=True)
class KioskInfo:
    """A registered kiosk and the last state it reported."""

    kiosk_id: str
    commune: str
    online: bool
    last_seen: datetime | None
    version: str
    clock_synced: bool
    dropped: int
    health: dict
    rejected: dict[str, int] = field(default_factory=dict)  # by reason
    misdated: int = 0  # intervals held apart: stamped far from the hub's clock, not re-based
    lost: int = 0  # seqs the kiosk no longer keeps and the hub never received


def kiosks(province: str, commune: str | None = None) -> list[KioskInfo]:
    """The province's registered kiosks (optionally one commune's), by id."""
    query = (
        RegisteredKiosk.select(RegisteredKiosk, KioskState)
        .join(
            KioskState,
            on=(KioskState.kiosk_id == RegisteredKiosk.kiosk_id),
            join_type=JOIN.LEFT_OUTER,
            attr="state",
        )
        .where(RegisteredKiosk.province == province)
        .order_by(RegisteredKiosk.kiosk_id)
    )
    if commune is not None:
        query = query.where(RegisteredKiosk.commune == commune)
    found = [_kiosk_info(row) for row in query]
    rejected, misdated, lost = rejections_by_kiosk(), _misdated_by_kiosk(), _lost_by_kiosk()
    return [
        replace(
            k,
            rejected=rejected.get(k.kiosk_id, {}),
            misdated=misdated.get(k.kiosk_id, 0),
            lost=lost.get(k.kiosk_id, 0),
        )
        for k in found
    ]


def _lost_by_kiosk() -> dict[str, int]:
    """Per kiosk: seqs below the oldest it still keeps (health v2) that never arrived."""
    mark, received = SeqWatermark._meta.table_name, Received._meta.table_name
    rows = hub_db.execute_sql(
        f"SELECT w.kiosk_id, w.oldest_seq - 1 - (SELECT count(*) FROM {received} r"
        f" WHERE r.kiosk_id = w.kiosk_id AND r.seq < w.oldest_seq) FROM {mark} w"
    ).fetchall()
    return {kiosk_id: int(n) for kiosk_id, n in rows if n}


def _misdated_by_kiosk() -> dict[str, int]:
    """Per kiosk: its intervals still held apart for a wrong clock."""
    query = (
        MisdatedCount.select(MisdatedCount.kiosk_id, MisdatedCount.interval_start)
        .where(MisdatedCount.rebased_start.is_null())
        .distinct()
        .tuples()
    )
    found: dict[str, int] = {}
    for kiosk_id, _start in query:
        found[kiosk_id] = found.get(kiosk_id, 0) + 1
    return found


def _kiosk_info(row: RegisteredKiosk) -> KioskInfo:
    state = getattr(row, "state", None)
    if state is None or state.kiosk_id is None:
        return KioskInfo(row.kiosk_id, row.commune, False, None, "", True, 0, {})
    return KioskInfo(
        row.kiosk_id,
        row.commune,
        bool(state.online),
        state.last_seen,
        state.version or "",
        bool(state.clock_synced),
        int(state.dropped or 0),
        _health(state.health),
    )


def _health(text: str | None) -> dict:
    """The stored health figures; a damaged value shows as none rather than breaking a page."""
    try:
        figures = json.loads(text or "{}")
    except ValueError:
        return {}
    return figures if isinstance(figures, dict) else {}


def is_active(kiosk: KioskInfo, now: datetime, active_days: int) -> bool:
    """The kiosk reported within the last `active_days` days."""
    return kiosk.last_seen is not None and kiosk.last_seen >= now - timedelta(days=active_days)


def active_communes(province: str, now: datetime, active_days: int) -> set[str]:
    """Communes of the province with an active model library now (see the module docstring)."""
    valid = set(province_communes(province))
    return {
        k.commune for k in kiosks(province) if is_active(k, now, active_days) and k.commune in valid
    }


def active_communes_at_year_end(province: str, year: int, active_days: int) -> set[str]:
    """Communes whose kiosks sent counts in the last `active_days` days of `year`."""
    end = datetime(year + 1, 1, 1)
    query = (
        IntervalCount.select(IntervalCount.commune)
        .where(_in_period(end - timedelta(days=active_days), end))
        .distinct()
        .tuples()
    )
    return {code for (code,) in query} & set(province_communes(province))


@dataclass(frozen=True)
class CommuneRow:
    """One line of the province overview."""

    code: str
    name: str
    kiosks: int
    online: int
    last_seen: datetime | None
    active: bool
    visits_today: int
    visits_month: int
    loans_today: int
    loans_month: int
    source_month: str
    unsynced_month: int


@dataclass(frozen=True)
class Overview:
    """The province overview at one moment."""

    now: datetime
    communes: list[CommuneRow]
    daily: list[tuple[date, int]]
    rejections: dict[str, int]

    @property
    def visits_today(self) -> int:
        return sum(c.visits_today for c in self.communes)

    @property
    def visits_month(self) -> int:
        return sum(c.visits_month for c in self.communes)

    @property
    def loans_today(self) -> int:
        return sum(c.loans_today for c in self.communes)

    @property
    def loans_month(self) -> int:
        return sum(c.loans_month for c in self.communes)

    @property
    def kiosks_online(self) -> int:
        return sum(c.online for c in self.communes)

    @property
    def kiosk_count(self) -> int:
        return sum(c.kiosks for c in self.communes)

    @property
    def unsynced_month(self) -> int:
        return sum(c.unsynced_month for c in self.communes)


def today_and_month(now: datetime, commune: str | None = None) -> tuple[dict, dict]:
    """Period sums per commune for today and for this month (up to the end of today)."""
    today = now.date()
    end = day_start(today + timedelta(days=1))
    return (
        period_sums(day_start(today), end, commune),
        period_sums(day_start(today.replace(day=1)), end, commune),
    )


def commune_rows(
    province: str, now: datetime, active_days: int, commune: str | None = None
) -> list[CommuneRow]:
    """One row per commune with a registered kiosk, in Vietnamese order of the commune name."""
    by_commune: dict[str, list[KioskInfo]] = defaultdict(list)
    for kiosk in kiosks(province, commune):
        by_commune[kiosk.commune].append(kiosk)
    day, month = today_and_month(now, commune)
    rows = [_commune_row(code, ks, day, month, now, active_days) for code, ks in by_commune.items()]
    return collate(rows, key=lambda r: _sort_name(r.code))


def _commune_row(
    code: str,
    kiosk_list: list[KioskInfo],
    day: dict[str, Sums],
    month: dict[str, Sums],
    now: datetime,
    active_days: int,
) -> CommuneRow:
    seen = [k.last_seen for k in kiosk_list if k.last_seen is not None]
    today_sums, month_sums = day.get(code, Sums()), month.get(code, Sums())
    return CommuneRow(
        code=code,
        name=commune_name(code),
        kiosks=len(kiosk_list),
        online=sum(k.online for k in kiosk_list),
        last_seen=max(seen) if seen else None,
        active=any(is_active(k, now, active_days) for k in kiosk_list),
        visits_today=today_sums.visits,
        visits_month=month_sums.visits,
        loans_today=today_sums.get("loans"),
        loans_month=month_sums.get("loans"),
        source_month=month_sums.source,
        unsynced_month=month_sums.unsynced,
    )


def rejections() -> dict[str, int]:
    """Messages the hub rejected, by reason."""
    query = (
        Rejection.select(Rejection.reason, fn.SUM(Rejection.count))
        .group_by(Rejection.reason)
        .order_by(Rejection.reason)
        .tuples()
    )
    return {reason: int(count) for reason, count in query}


def rejections_by_kiosk() -> dict[str, dict[str, int]]:
    """Messages the hub rejected, per kiosk ("" for a topic that named none) and reason."""
    found: dict[str, dict[str, int]] = {}
    for r in Rejection.select().order_by(Rejection.kiosk_id, Rejection.reason):
        found.setdefault(r.kiosk_id, {})[r.reason] = r.count
    return found


def overview(province: str, now: datetime, active_days: int) -> Overview:
    """Everything the province overview shows."""
    return Overview(
        now=now,
        communes=commune_rows(province, now, active_days),
        daily=daily_visits(now.date()),
        rejections=rejections(),
    )


# ---------------------------------------------------------------------------------------------
# The plan


@dataclass(frozen=True)
class YearVisits:
    """A full year's visits and its growth over the year before."""

    year: int
    visits: int
    growth: float | None
    target: float

    @property
    def met(self) -> bool | None:
        return None if self.growth is None else self.growth >= self.target


@dataclass(frozen=True)
class Plan:
    """The provincial plan's indicators at one moment."""

    now: datetime
    active_days: int
    communes_total: int
    active: list[str]
    target_year: int
    target_share: float
    visits_ytd: int
    visits_ytd_last_year: int
    growth_target: float
    years: list[YearVisits]

    @property
    def share(self) -> float:
        """Percent of the province's communes with an active model library."""
        return len(self.active) * 100.0 / self.communes_total if self.communes_total else 0.0

    @property
    def share_met(self) -> bool:
        return self.share >= self.target_share

    @property
    def growth_ytd(self) -> float | None:
        return growth(self.visits_ytd, self.visits_ytd_last_year)

    @property
    def growth_met(self) -> bool | None:
        g = self.growth_ytd
        return None if g is None else g >= self.growth_target


def total_visits(start: datetime, end: datetime) -> int:
    """The province's visits in [start, end) (door/card rule per kiosk)."""
    return sum(s.visits for s in period_sums(start, end).values())


def ytd_visits(today: date) -> tuple[int, int]:
    """Visits from 1 January to the end of today, and in the same days of last year."""
    last = same_day_last_year(today)
    this_year = total_visits(datetime(today.year, 1, 1), day_start(today + timedelta(days=1)))
    last_year = total_visits(datetime(last.year, 1, 1), day_start(last + timedelta(days=1)))
    return this_year, last_year


def first_year() -> int | None:
    """The year of the earliest interval at the hub stamped by a set clock: a kiosk that woke up
    in 1970 must not make the plan list every year since."""
    synced = IntervalCount.clock_synced == True  # noqa: E712 - peewee builds SQL from ==
    earliest = IntervalCount.select(fn.MIN(IntervalCount.interval_start)).where(synced).scalar()
    if earliest is None:
        return None
    if isinstance(earliest, str):
        return int(earliest[:4])
    return earliest.year


def yearly_visits(before_year: int) -> list[YearVisits]:
    """Every full year with data before `before_year`, with its growth over the year before."""
    start = first_year()
    if start is None or start >= before_year:
        return []
    totals = {
        y: total_visits(datetime(y, 1, 1), datetime(y + 1, 1, 1)) for y in range(start, before_year)
    }
    return [
        YearVisits(y, totals[y], growth(totals[y], totals.get(y - 1, 0)), growth_target(y))
        for y in range(start, before_year)
    ]


def plan(province: str, now: datetime, active_days: int) -> Plan:
    """The plan's indicators now."""
    year = now.year
    milestone, percent = share_target(year)
    this_year, last_year = ytd_visits(now.date())
    return Plan(
        now=now,
        active_days=active_days,
        communes_total=len(province_communes(province)),
        active=collate(active_communes(province, now, active_days), key=_sort_name),
        target_year=milestone,
        target_share=percent,
        visits_ytd=this_year,
        visits_ytd_last_year=last_year,
        growth_target=growth_target(year),
        years=yearly_visits(year),
    )


# ---------------------------------------------------------------------------------------------
# The annual report (due to the Department of Culture before 10 December)


@dataclass(frozen=True)
class ReportRow:
    """One commune's (or the province's) figures for the report year."""

    code: str
    name: str
    kiosks: int
    active: bool
    visits: int
    source: str
    loans: int
    returns: int
    renewals: int
    new_readers: int
    visits_last_year: int  # the same days of the year before
    unsynced: int

    @property
    def growth(self) -> float | None:
        return growth(self.visits, self.visits_last_year)


@dataclass(frozen=True)
class AnnualReport:
    """The report for one year, up to the end of the year or to today if it is not over."""

    year: int
    first_day: date
    last_day: date
    rows: list[ReportRow]
    total: ReportRow
    communes_total: int
    active_communes: int
    target_year: int
    target_share: float
    growth_target: float

    @property
    def share(self) -> float:
        if not self.communes_total:
            return 0.0
        return self.active_communes * 100.0 / self.communes_total

    @property
    def share_met(self) -> bool:
        return self.share >= self.target_share

    @property
    def growth_met(self) -> bool | None:
        g = self.total.growth
        return None if g is None else g >= self.growth_target


def annual_report(province: str, year: int, now: datetime, active_days: int) -> AnnualReport:
    """Per commune for `year`: visits, loans, returns, renewals, new readers; totals; the plan's
    indicators. Communes listed: those with a registered kiosk or with counts in the year."""
    last_day = min(date(year, 12, 31), now.date())
    end = day_start(last_day + timedelta(days=1))
    sums = period_sums(datetime(year, 1, 1), end)
    last = same_day_last_year(last_day)
    before = period_sums(datetime(year - 1, 1, 1), day_start(last + timedelta(days=1)))
    kiosk_count: dict[str, int] = defaultdict(int)
    for kiosk in kiosks(province):
        kiosk_count[kiosk.commune] += 1
    if now.year == year:
        active = active_communes(province, now, active_days)
    else:
        active = active_communes_at_year_end(province, year, active_days)
    valid = set(province_communes(province))
    codes = collate((set(kiosk_count) | set(sums)) & valid, key=_sort_name)
    rows = [
        _report_row(code, kiosk_count[code], code in active, sums.get(code), before.get(code))
        for code in codes
    ]
    milestone, percent = share_target(year)
    return AnnualReport(
        year=year,
        first_day=date(year, 1, 1),
        last_day=last_day,
        rows=rows,
        total=_report_total(rows),
        communes_total=len(valid),
        active_communes=len(active),
        target_year=milestone,
        target_share=percent,
        growth_target=growth_target(year),
    )


def _report_row(
    code: str, kiosk_count: int, active: bool, sums: Sums | None, before: Sums | None
) -> ReportRow:
    sums, before = sums or Sums(), before or Sums()
    return ReportRow(
        code=code,
        name=commune_name(code),
        kiosks=kiosk_count,
        active=active,
        visits=sums.visits,
        source=sums.source,
        loans=sums.get("loans"),
        returns=sums.get("returns"),
        renewals=sums.get("renewals"),
        new_readers=sums.get("new_readers"),
        visits_last_year=before.visits,
        unsynced=sums.unsynced,
    )


def _report_total(rows: Iterable[ReportRow]) -> ReportRow:
    rows = list(rows)

    def total(attribute: str) -> int:
        return sum(getattr(r, attribute) for r in rows)

    return ReportRow(
        code="",
        name="",
        kiosks=total("kiosks"),
        active=False,
        visits=total("visits"),
        source=_source({r.source for r in rows}),
        loans=total("loans"),
        returns=total("returns"),
        renewals=total("renewals"),
        new_readers=total("new_readers"),
        visits_last_year=total("visits_last_year"),
        unsynced=total("unsynced"),
    )
