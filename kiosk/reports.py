"""Monthly and annual figures for the commune: visits, loans, returns, renewals, new readers.

Built from the counter buckets only, so they survive the anonymisation of old loans and carry
no personal data.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from kiosk import counters
from kiosk.i18n import N_, _

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


@dataclass(frozen=True)
class Report:
    """Totals per metric and reader group for one period."""

    label: str
    start: datetime
    end: datetime
    groups: tuple[str, ...]
    totals: dict[tuple[str, str], int]

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
        return rows


def month(year: int, month_: int, groups: tuple[str, ...]) -> Report:
    """The report for one calendar month."""
    start = datetime(year, month_, 1)
    end = datetime(year + month_ // 12, month_ % 12 + 1, 1)
    return Report(f"{year:04d}-{month_:02d}", start, end, groups, counters.totals(start, end))


def year(year_: int, groups: tuple[str, ...]) -> Report:
    """The report for one calendar year."""
    start, end = datetime(year_, 1, 1), datetime(year_ + 1, 1, 1)
    return Report(f"{year_:04d}", start, end, groups, counters.totals(start, end))


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
