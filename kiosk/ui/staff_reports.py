"""Monthly and annual figures as the staff screen shows them: pure Python, no Kivy.

A :class:`Period` is a month or a year that staff step through with "previous"/"next"; the
figures come from kiosk.reports. Exports go to the USB stick (kiosk.ui.staff_files): CSV in
UTF-8 with a byte-order mark (Excel then reads Vietnamese letters right) and the printable
A4 page of kiosk.report_page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from kiosk import report_page, reports
from kiosk.config import Config
from kiosk.i18n import _
from kiosk.ui import staff_files


@dataclass(frozen=True)
class Period:
    """A calendar month (``month`` 1-12) or a whole year (``month`` 0)."""

    year: int
    month: int = 0

    @classmethod
    def this_month(cls, today: date) -> Period:
        return cls(today.year, today.month)

    @property
    def annual(self) -> bool:
        return self.month == 0

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

    def label(self) -> str:
        if self.annual:
            return _("Year {year}").format(year=self.year)
        return _("Month {month} of {year}").format(month=self.month, year=self.year)

    def slug(self) -> str:
        """For file names: 2026 or 2026-11."""
        return f"{self.year:04d}" if self.annual else f"{self.year:04d}-{self.month:02d}"

    def report(self, groups: tuple[str, ...]) -> reports.Report:
        if self.annual:
            return reports.year(self.year, groups)
        return reports.month(self.year, self.month, groups)


def table(report: reports.Report) -> list[list[str]]:
    """Header plus rows, translated (kiosk.reports.Report.table)."""
    return report.table()


def write_csv(report: reports.Report, path: Path) -> Path:
    """The report as CSV for a spreadsheet: UTF-8 with BOM, so Excel shows Vietnamese right."""
    Path(path).write_text(reports.to_csv(report), encoding="utf-8-sig", newline="")
    return Path(path)


def write_page(report: reports.Report, config: Config, path: Path, today: date) -> Path:
    """The printable A4 page (kiosk.report_page)."""
    unit = report_page.unit_from_config(config)
    return report_page.write(path, report, unit, today, config.data_dir / "locale")


def export(config: Config, period: Period, kind: str, now: datetime) -> Path:
    """Write the period's report as "csv" or "html" to the USB stick; the file's path."""
    report = period.report(config.loans.groups)
    suffix = ".csv" if kind == "csv" else ".html"
    path = staff_files.export_path(config, f"bao-cao-{period.slug()}", suffix, now)
    if kind == "csv":
        return write_csv(report, path)
    return write_page(report, config, path, now.date())
