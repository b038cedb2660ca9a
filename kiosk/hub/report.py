"""The annual report (due to the Department of Culture before 10 December): as CSV for Excel
and as the body of a printable A4 page; and the number and date formats the hub's pages share.

Formats follow Vietnamese usage: 1.234 (dot groups thousands), 15,4% (comma decimals),
dd/mm/yyyy. In the CSV, counts are plain integers (any spreadsheet reads them as numbers) and
percentages are written the Vietnamese way, as text.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from html import escape

from kiosk.hub.indicators import (
    SOURCE_CARD,
    SOURCE_DOOR,
    SOURCE_MIXED,
    AnnualReport,
    ReportRow,
)
from kiosk.i18n import N_, _, format_date

BOM = "\ufeff"  # lets Excel recognise UTF-8, so Vietnamese names are not mangled
DASH = "—"

SOURCE_LABELS = {
    SOURCE_DOOR: N_("door counter"),
    SOURCE_CARD: N_("card taps"),
    SOURCE_MIXED: N_("door counter and card taps"),
}


# ---------------------------------------------------------------------------------------------
# Formatting shared with the web pages


def esc(value: object) -> str:
    """Text for HTML (element content or a quoted attribute)."""
    return escape(str(value), quote=True)


def fmt_int(n: int) -> str:
    """12345 -> "12.345"."""
    return f"{n:,}".replace(",", ".")


def fmt_pct(value: float | None, signed: bool = False) -> str:
    """15.38 -> "15,4%", 15.0 -> "15%" (or "+15,4%" when signed); None -> a dash."""
    if value is None:
        return DASH
    text = f"{value:+,.1f}" if signed else f"{value:,.1f}"
    # swap the separators: 1,011.4 -> 1.011,4
    return text.removesuffix(".0").translate(str.maketrans(",.", ".,")) + "%"


def fmt_time(moment: datetime | None) -> str:
    """dd/mm/yyyy hh:mm, or a dash for never."""
    if moment is None:
        return DASH
    return f"{format_date(moment.date())} {moment:%H:%M}"


def source_label(source: str) -> str:
    """Where visits were counted, in words."""
    label = SOURCE_LABELS.get(source)
    return _(label) if label else DASH


def met_label(met: bool | None) -> str:
    """Whether a target is met, in words."""
    if met is None:
        return _("no data to compare")
    return _("met") if met else _("not met")


def visits_note() -> str:
    """How visits are counted: shown on every page that shows visits."""
    return _(
        "Visits: a kiosk with a door counter counts the people entering; a kiosk without one "
        "counts readers who tapped their card. The two are never added together."
    )


def unsynced_note(n: int) -> str:
    """The flag for counts stamped before a kiosk's clock was set."""
    return _("{n} intervals stamped before the kiosk's clock was set (counted).").format(
        n=fmt_int(n)
    )


# ---------------------------------------------------------------------------------------------
# The report


def columns() -> list[str]:
    """The report's column headings."""
    return [
        _("Commune code"),
        _("Commune"),
        _("Kiosks"),
        _("Active"),
        _("Visits"),
        _("Visits counted by"),
        _("Loans"),
        _("Returns"),
        _("Renewals"),
        _("New readers"),
        _("Visits, same period last year"),
        _("Visit growth"),
        _("Intervals before clock set"),
    ]


def _cells(row: ReportRow, total: bool = False) -> list[str]:
    """A row's cells as text for the CSV."""
    return [
        row.code,
        _("Whole province") if total else row.name,
        str(row.kiosks),
        "" if total else (_("yes") if row.active else _("no")),
        str(row.visits),
        source_label(row.source),
        str(row.loans),
        str(row.returns),
        str(row.renewals),
        str(row.new_readers),
        str(row.visits_last_year),
        fmt_pct(row.growth, signed=True),
        str(row.unsynced),
    ]


def indicator_rows(report: AnnualReport) -> list[list[str]]:
    """The plan's indicators as (indicator, value, target, assessment) rows."""
    return [
        [
            _("Communes with an active model library"),
            f"{report.active_communes}/{report.communes_total} ({fmt_pct(report.share)})",
            _("{percent} by {year}").format(
                percent=fmt_pct(report.target_share), year=report.target_year
            ),
            met_label(report.share_met),
        ],
        [
            _("Visit growth over the same period last year"),
            fmt_pct(report.total.growth, signed=True),
            _("+{percent} a year").format(percent=fmt_pct(report.growth_target)),
            met_label(report.growth_met),
        ],
    ]


def title(report: AnnualReport) -> str:
    """The report's title."""
    return _("Grassroots library model: results for {year}").format(year=report.year)


def period(report: AnnualReport) -> str:
    """The days the report covers."""
    return _("From {first} to {last}").format(
        first=format_date(report.first_day), last=format_date(report.last_day)
    )


def to_csv(report: AnnualReport, province_name: str) -> bytes:
    """The report as UTF-8 CSV with a BOM: title lines, one row per commune, the province total,
    then the plan's indicators."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([title(report)])
    writer.writerow([_("Province"), province_name])
    writer.writerow([period(report)])
    writer.writerow([])
    writer.writerow(columns())
    for row in report.rows:
        writer.writerow(_cells(row))
    writer.writerow(_cells(report.total, total=True))
    writer.writerow([])
    writer.writerow([_("Indicator"), _("Value"), _("Target"), _("Assessment")])
    writer.writerows(indicator_rows(report))
    writer.writerow([])
    writer.writerow([visits_note()])
    if report.total.unsynced:
        writer.writerow([unsynced_note(report.total.unsynced)])
    return (BOM + out.getvalue()).encode("utf-8")


def _html_cells(row: ReportRow, total: bool = False) -> str:
    numbers = [row.visits, row.loans, row.returns, row.renewals, row.new_readers]
    cells = [
        f"<td>{esc(row.code)}</td>",
        f"<td>{esc(_('Whole province') if total else row.name)}</td>",
        f'<td class="num">{fmt_int(row.kiosks)}</td>',
        f"<td>{'' if total else esc(_('yes') if row.active else _('no'))}</td>",
        f'<td class="num">{fmt_int(numbers[0])}</td>',
        f"<td>{esc(source_label(row.source))}</td>",
        *(f'<td class="num">{fmt_int(n)}</td>' for n in numbers[1:]),
        f'<td class="num">{fmt_int(row.visits_last_year)}</td>',
        f'<td class="num">{esc(fmt_pct(row.growth, signed=True))}</td>',
        f'<td class="num">{fmt_int(row.unsynced) if row.unsynced else ""}</td>',
    ]
    return "".join(cells)


def html_body(report: AnnualReport, province_name: str) -> str:
    """The printable report's content (the page layout is the web module's)."""
    head = "".join(f"<th>{esc(c)}</th>" for c in columns())
    rows = "".join(f"<tr>{_html_cells(r)}</tr>" for r in report.rows)
    if not report.rows:
        rows = f'<tr><td colspan="13">{esc(_("No commune has data for this year."))}</td></tr>'
    total = f'<tr class="total">{_html_cells(report.total, total=True)}</tr>'
    indicators = "".join(
        "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>"
        for row in indicator_rows(report)
    )
    notes = [visits_note()]
    if report.total.unsynced:
        notes.append(unsynced_note(report.total.unsynced))
    notes.append(_("No personal data is held by the provincial hub: these are counts only."))
    return f"""
<section class="report">
  <p class="report-unit">{esc(_("Province"))}: {esc(province_name)}</p>
  <h1>{esc(title(report))}</h1>
  <p class="report-period">{esc(period(report))}</p>
  <p class="noprint actions">
    <button type="button" data-print>{esc(_("Print"))}</button>
    <a href="/report/{report.year}.csv" download>{esc(_("Download CSV (Excel)"))}</a>
  </p>
  <h2>{esc(_("Figures by commune"))}</h2>
  <table class="grid report-table">
    <thead><tr>{head}</tr></thead>
    <tbody>{rows}{total}</tbody>
  </table>
  <h2>{esc(_("Indicators of the provincial plan"))}</h2>
  <table class="grid">
    <thead><tr><th>{esc(_("Indicator"))}</th><th>{esc(_("Value"))}</th>
      <th>{esc(_("Target"))}</th><th>{esc(_("Assessment"))}</th></tr></thead>
    <tbody>{indicators}</tbody>
  </table>
  <ul class="notes">{"".join(f"<li>{esc(n)}</li>" for n in notes)}</ul>
  <div class="signatures">
    <div><strong>{esc(_("Prepared by"))}</strong><br>{esc(_("(sign, full name)"))}</div>
    <div><strong>{esc(_("Head of unit"))}</strong><br>{esc(_("(sign, full name, stamp)"))}</div>
  </div>
</section>"""
