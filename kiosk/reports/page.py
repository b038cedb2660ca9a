"""The monthly or annual report as a printable A4 page (self-contained HTML, in Vietnamese).

Reports go up to the commune and the Department of Culture on paper, signed: the page has the
usual heading of a Vietnamese administrative document (the unit on the left, the national
motto on the right, place and date), the period, the figures by reader group, and the two
signature blocks "Người lập biểu" and "Thủ trưởng đơn vị". It is always in Vietnamese, the
language of the report, whatever the kiosk's screen language; the labels still go through
the catalogue (with the site's overrides) like every other text. No scripts, no external
files: the browser prints it as it is (``@page { size: A4 }``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path

from kiosk import communes
from kiosk.i18n import N_, Translator
from kiosk.reports import figures

# The page's own texts (English msgids, Vietnamese in kiosk/locale/vi.po).
TEXTS = {
    "nation": N_("SOCIALIST REPUBLIC OF VIETNAM"),
    "motto": N_("Independence - Freedom - Happiness"),
    "people_committee": N_("PEOPLE'S COMMITTEE OF {commune}"),
    "title": N_("REPORT ON THE LIBRARY'S ACTIVITY"),
    "place_date": N_("{place}, day {day} month {month} year {year}"),
    "number": N_("No."),
    "indicator": N_("Indicator"),
    "total": N_("Total"),
    "by_group": N_("By reader group"),
    "preparer": N_("Prepared by"),
    "head": N_("Head of the unit"),
    "sign": N_("(signature, full name)"),
    "sign_stamp": N_("(signature, full name, seal)"),
    "kiosk": N_("Kiosk {kiosk}; figures from the kiosk's counters, without personal data."),
}


@dataclass(frozen=True)
class Unit:
    """Who reports: the commune (from the shipped list), the room and the kiosk."""

    commune: str  # "Xã Đoàn Kết"
    room: str  # "Thư viện cơ sở"
    kiosk_id: str

    @property
    def place(self) -> str:
        """The place name in the date line: the commune without "Xã"/"Phường"."""
        for prefix in ("Xã ", "Phường ", "Thị trấn "):
            if self.commune.startswith(prefix):
                return self.commune[len(prefix) :]
        return self.commune


def unit_from_config(config) -> Unit:
    """The reporting unit of a kiosk's configuration (kiosk.config.Config)."""
    found = communes.find(config.commune)
    return Unit(found.name if found else config.commune, config.room_name, config.kiosk_id)


def _rows(report: figures.Report, t) -> list[list[str]]:
    """Label, total and one value per group; a figure without groups has empty cells."""
    rows = []
    for metric, label in figures.ROWS:
        values = [report.value(metric, g) for g in report.groups]
        rows.append([t(label), str(report.value(metric)), *map(str, values)])
    for label, total, by_group in report.extra:
        cells = [str(v) for v in by_group] if by_group else [""] * len(report.groups)
        rows.append([t(label), str(total), *cells])
    return rows


STYLE = """
@page { size: A4; margin: 20mm 15mm 20mm 25mm; }
* { box-sizing: border-box; }
body { font-family: "Times New Roman", "Noto Serif", "DejaVu Serif", serif; font-size: 13pt;
       color: #000; margin: 0; }
.head { display: flex; justify-content: space-between; text-align: center; }
.head { font-size: 12pt; }
.head > div:first-child { width: 40%; }
.head > div:last-child { width: 58%; }
.head b { display: block; white-space: nowrap; }
.rule { width: 40%; margin: 2pt auto 0; border-top: 1px solid #000; }
.date { text-align: right; font-style: italic; margin: 10pt 0 14pt; }
h1 { font-size: 15pt; text-align: center; margin: 0; }
.period { text-align: center; font-weight: bold; margin: 4pt 0 12pt; }
table { width: 100%; border-collapse: collapse; page-break-inside: auto; }
th, td { border: 1px solid #000; padding: 3pt 5pt; }
th { background: #eee; font-size: 11.5pt; }
th.no { width: 1%; white-space: nowrap; }
td.n { text-align: right; }
td.c { text-align: center; }
tr { page-break-inside: avoid; }
.note { font-size: 10pt; font-style: italic; margin-top: 6pt; }
.sign { display: flex; justify-content: space-between; text-align: center; margin-top: 18pt;
        page-break-inside: avoid; }
.sign div { width: 45%; min-height: 32mm; }
.sign i { font-size: 11pt; }
"""


def render(report: figures.Report, unit: Unit, today: date, site_dir: Path | None = None) -> str:
    """The whole page as one HTML string (`site_dir`: the kiosk's locale overrides)."""
    t = Translator("vi", site_dir).gettext
    groups = [figures.GROUP_LABELS.get(g, g) for g in report.groups]
    head_cells = "".join(f"<th>{escape(t(g))}</th>" for g in groups)
    body = "".join(
        "<tr>"
        f'<td class="c">{n}</td><td>{escape(row[0])}</td>'
        + "".join(f'<td class="n">{escape(v)}</td>' for v in row[1:])
        + "</tr>"
        for n, row in enumerate(_rows(report, t), start=1)
    )
    group_head = (
        f'<th colspan="{len(groups)}">{escape(t(TEXTS["by_group"]))}</th>' if groups else ""
    )
    period = report.period.title(t)
    place_date = t(TEXTS["place_date"]).format(
        place=unit.place, day=f"{today.day:02d}", month=f"{today.month:02d}", year=today.year
    )
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>{escape(t(TEXTS["title"]))} – {escape(period)} – {escape(unit.commune)}</title>
<style>{STYLE}</style></head>
<body>
<div class="head">
  <div><b>{escape(t(TEXTS["people_committee"]).format(commune=unit.commune.upper()))}</b>
    <b>{escape(unit.room.upper())}</b><div class="rule"></div></div>
  <div><b>{escape(t(TEXTS["nation"]))}</b><b>{escape(t(TEXTS["motto"]))}</b>
    <div class="rule"></div></div>
</div>
<p class="date">{escape(place_date)}</p>
<h1>{escape(t(TEXTS["title"]))}</h1>
<p class="period">{escape(period)}</p>
<table>
<thead>
<tr><th class="no" rowspan="2">{escape(t(TEXTS["number"]))}</th>
<th rowspan="2">{escape(t(TEXTS["indicator"]))}</th>
<th rowspan="2">{escape(t(TEXTS["total"]))}</th>{group_head}</tr>
<tr>{head_cells}</tr>
</thead>
<tbody>{body}</tbody>
</table>
<p class="note">{escape(t(TEXTS["kiosk"]).format(kiosk=unit.kiosk_id))}</p>
<div class="sign">
  <div><b>{escape(t(TEXTS["preparer"]))}</b><br><i>{escape(t(TEXTS["sign"]))}</i></div>
  <div><b>{escape(t(TEXTS["head"]))}</b><br><i>{escape(t(TEXTS["sign_stamp"]))}</i></div>
</div>
</body></html>
"""


def write(path: Path, report: figures.Report, unit: Unit, today: date, site_dir=None) -> Path:
    """Write the page to `path` (UTF-8)."""
    Path(path).write_text(render(report, unit, today, site_dir), encoding="utf-8")
    return Path(path)
