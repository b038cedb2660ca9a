"""Monthly and annual figures as the staff screen shows them: pure Python, no Kivy.

A :class:`kiosk.reports.figures.Period` is a month or a year that staff step through with
"previous"/"next"; the figures come from kiosk.reports.figures. Exports go to the USB stick
(kiosk.flows.staff_files): CSV in UTF-8 with a byte-order mark (Excel then reads Vietnamese
letters right) and the printable A4 page of kiosk.reports.page.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from kiosk.config import Config
from kiosk.flows import staff_files
from kiosk.reports import figures, page


def table(report: figures.Report) -> list[list[str]]:
    """Header plus rows, translated (kiosk.reports.figures.Report.table)."""
    return report.table()


def write_csv(report: figures.Report, path: Path) -> Path:
    """The report as CSV for a spreadsheet: UTF-8 with BOM, so Excel shows Vietnamese right."""
    Path(path).write_text(figures.to_csv(report), encoding="utf-8-sig", newline="")
    return Path(path)


def write_page(report: figures.Report, config: Config, path: Path, today: date) -> Path:
    """The printable A4 page (kiosk.reports.page)."""
    unit = page.unit_from_config(config)
    return page.write(path, report, unit, today, config.data_dir / "locale")


def export(config: Config, period: figures.Period, kind: str, now: datetime) -> Path:
    """Write the period's report as "csv" or "html" to the USB stick; the file's path."""
    report = figures.build(period, config.loans.groups)
    suffix = ".csv" if kind == "csv" else ".html"
    path = staff_files.export_path(config, f"bao-cao-{period.slug()}", suffix, now)
    if kind == "csv":
        return write_csv(report, path)
    return write_page(report, config, path, now.date())
