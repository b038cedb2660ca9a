"""Monthly and annual figures for the commune: visits, loans, returns, renewals, new readers,
copies held and rotation activity.

The event figures come from the counter buckets, so they survive the anonymisation of old
loans and carry no personal data. The holdings and rotation figures come from the catalogue:
copies held at the end of the period (created before it ends, not withdrawn, lost or sent
back; today's status is used, as the store keeps no status history), rotation batches
received and sent back in the period, and loans of rotation copies (loan rows stay after
anonymisation, with their reader group).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from kiosk import counters
from kiosk.i18n import N_, _
from kiosk.store.db import db

ROWS = (
    (counters.VISITS_DOOR, N_("Visits (door counter)")),
    (counters.VISITS_CARD, N_("Visits (readers with a card)")),
    (counters.LOANS, N_("Loans")),
    (counters.RETURNS, N_("Returns")),
    (counters.RENEWALS, N_("Renewals")),
    (counters.NEW_READERS, N_("New readers")),
    (counters.SEARCHES, N_("Searches")),
)


GROUP_LABELS = {"child": N_("Children"), "adult": N_("Adults"), "elder": N_("Elderly")}


def group_label(group: str) -> str:
    """A reader group's name for people (groups added in the config show their code)."""
    return _(GROUP_LABELS[group]) if group in GROUP_LABELS else group


MONTH_TITLE = N_("Month {month} of {year}")
YEAR_TITLE = N_("Year {year}")


@dataclass(frozen=True)
class Period:
    """A calendar month (``month`` 1-12) or a whole year (``month`` 0) that a report covers.

    Whether a report is monthly or annual is this value, never worked out again from two
    dates: comparing months without wrapping the year once titled December as the year.
    """

    year: int
    month: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not 1-12 (or 0 for a year)")
        if not 1 <= self.year <= 9998:  # its end, 1 January of the next year, must exist
            raise ValueError(f"year {self.year} is outside 1-9998")

    @classmethod
    def this_month(cls, today: date) -> Period:
        return cls(today.year, today.month)

    @property
    def annual(self) -> bool:
        return self.month == 0

    @property
    def start(self) -> datetime:
        """The first moment of the period."""
        return datetime(self.year, self.month or 1, 1)

    @property
    def end(self) -> datetime:
        """The first moment after the period (1 January of the next year after December)."""
        if self.annual:
            return datetime(self.year + 1, 1, 1)
        return datetime(self.year + self.month // 12, self.month % 12 + 1, 1)

    def step(self, delta: int) -> Period:
        """The period `delta` months (or years) away."""
        if self.annual:
            return Period(self.year + delta)
        index = self.year * 12 + self.month - 1 + delta
        return Period(index // 12, index % 12 + 1)

    def toggled(self, today: date) -> Period:
        """Month <-> year: the year of this month, or this year's current (or last) month."""
        if not self.annual:
            return Period(self.year)
        return Period(self.year, today.month if self.year == today.year else 12)

    def title(self, gettext: Callable[[str], str] | None = None) -> str:
        """The period for people (Month 12 of 2026, Year 2026), in the UI language unless
        another `gettext` is given (the printed page is always in Vietnamese)."""
        t = gettext or _
        if self.annual:
            return t(YEAR_TITLE).format(year=self.year)
        return t(MONTH_TITLE).format(month=self.month, year=self.year)

    def slug(self) -> str:
        """For labels and file names: 2026 or 2026-11."""
        return f"{self.year:04d}" if self.annual else f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Report:
    """Totals per metric and reader group for one period."""

    period: Period
    groups: tuple[str, ...]
    totals: dict[tuple[str, str], int]
    # (label, total, per-group values or None when the figure has no groups)
    extra: tuple[tuple[str, int, tuple[int, ...] | None], ...] = field(default=())

    @property
    def label(self) -> str:
        return self.period.slug()

    @property
    def start(self) -> datetime:
        return self.period.start

    @property
    def end(self) -> datetime:
        return self.period.end

    def value(self, metric: str, group: str | None = None) -> int:
        """One cell: a metric for one group, or for all groups with group=None."""
        if group is not None:
            return self.totals.get((metric, group), 0)
        return sum(v for (m, _g), v in self.totals.items() if m == metric)

    def table(self) -> list[list[str]]:
        """Header plus one row per metric: label, total, then one column per group."""
        rows = [[_("Indicator"), _("Total"), *(group_label(g) for g in self.groups)]]
        for metric, label in ROWS:
            rows.append(
                [
                    _(label),
                    str(self.value(metric)),
                    *(str(self.value(metric, g)) for g in self.groups),
                ]
            )
        for label, total, by_group in self.extra:
            cells = [str(v) for v in by_group] if by_group else [""] * len(self.groups)
            rows.append([_(label), str(total), *cells])
        return rows


EXTRA_ROWS = (
    N_("Copies held"),
    N_("Rotation copies held"),
    N_("Rotation batches received"),
    N_("Rotation batches sent back"),
    N_("Rotation loans"),
)


def _extra(start: datetime, end: datetime, groups: tuple[str, ...]) -> tuple:
    """The catalogue-based figures (see the module docstring)."""
    held_sql = (
        "SELECT count(*), count(batch_id) FROM copy WHERE created_at < ?"
        " AND status NOT IN ('withdrawn', 'lost', 'sent_back')"
    )
    held, rotation_held = db.execute_sql(held_sql, (str(end),)).fetchone()
    window = (str(start), str(end))
    received = db.execute_sql(
        "SELECT count(*) FROM rotation_batch WHERE received_at >= ? AND received_at < ?", window
    ).fetchone()[0]
    sent = db.execute_sql(
        "SELECT count(*) FROM rotation_batch WHERE sent_back_at >= ? AND sent_back_at < ?", window
    ).fetchone()[0]
    loans = dict(
        db.execute_sql(
            "SELECT l.reader_group, count(*) FROM loan l JOIN copy c ON c.id = l.copy_id"
            " WHERE c.batch_id IS NOT NULL AND l.out_at >= ? AND l.out_at < ?"
            " GROUP BY l.reader_group",
            window,
        ).fetchall()
    )
    labels = EXTRA_ROWS
    return (
        (labels[0], held, None),
        (labels[1], rotation_held, None),
        (labels[2], received, None),
        (labels[3], sent, None),
        (labels[4], sum(loans.values()), tuple(loans.get(g, 0) for g in groups)),
    )


def build(period: Period, groups: tuple[str, ...]) -> Report:
    """The report for one month or year."""
    start, end = period.start, period.end
    return Report(period, groups, counters.totals(start, end), _extra(start, end, groups))


def month(year: int, month_: int, groups: tuple[str, ...]) -> Report:
    """The report for one calendar month."""
    return build(Period(year, month_), groups)


def year(year_: int, groups: tuple[str, ...]) -> Report:
    """The report for one calendar year."""
    return build(Period(year_), groups)


def to_csv(report: Report) -> str:
    """The report as CSV text (UTF-8, for a spreadsheet)."""
    out = io.StringIO()
    csv.writer(out).writerows(report.table())
    return out.getvalue()


def to_text(report: Report) -> str:
    """The report as an aligned plain-text table."""
    rows = report.table()
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    return "\n".join([_("Report {period}").format(period=report.label), *lines])
