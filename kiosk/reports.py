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
from dataclasses import dataclass, field
from datetime import datetime

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


@dataclass(frozen=True)
class Report:
    """Totals per metric and reader group for one period."""

    label: str
    start: datetime
    end: datetime
    groups: tuple[str, ...]
    totals: dict[tuple[str, str], int]
    # (label, total, per-group values or None when the figure has no groups)
    extra: tuple[tuple[str, int, tuple[int, ...] | None], ...] = field(default=())

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


def month(year: int, month_: int, groups: tuple[str, ...]) -> Report:
    """The report for one calendar month."""
    start = datetime(year, month_, 1)
    end = datetime(year + month_ // 12, month_ % 12 + 1, 1)
    return Report(
        f"{year:04d}-{month_:02d}",
        start,
        end,
        groups,
        counters.totals(start, end),
        _extra(start, end, groups),
    )


def year(year_: int, groups: tuple[str, ...]) -> Report:
    """The report for one calendar year."""
    start, end = datetime(year_, 1, 1), datetime(year_ + 1, 1, 1)
    return Report(
        f"{year_:04d}", start, end, groups, counters.totals(start, end), _extra(start, end, groups)
    )


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
