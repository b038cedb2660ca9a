"""Catalogue import and export as the staff screen shows them: pure Python, no Kivy.

``check`` is the dry run (what would change, what is wrong, nothing written), ``apply`` the
import itself; both return an :class:`ImportView` of translated lines, and neither raises for a
bad file: a broken file is a reason to show, not a crash. CSV and Excel files are all or
nothing; MARC files import their good records and list the others (see kiosk.catalog.marc).
Either kind lists its notes ("text may be damaged", a value cut to its limit) under the
result, the way it lists skipped records. A rotation manifest picked here is recognised and
handed to the rotation screen (``ImportView.manifest``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from kiosk.catalog import csv_import, marc, tables
from kiosk.catalog.csv_import import ImportRejected
from kiosk.catalog.export import to_csv, to_marc
from kiosk.clock import Clock
from kiosk.config import Config
from kiosk.flows import staff_files
from kiosk.i18n import _, ngettext

MAX_PROBLEMS = 500  # listed on screen; the count says how many there are in all


@dataclass
class ImportView:
    """The result of a dry run or an import, ready to show."""

    ok: bool  # something can be (or was) imported
    dry_run: bool
    headline: str
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    manifest: bool = False  # a rotation manifest: the rotation screen imports it


def problem_text(problem: object) -> str:
    """A problem of either importer; a whole-file one (line 0) is only its message."""
    if isinstance(problem, csv_import.RowProblem) and problem.line == 0:
        return problem.message
    return str(problem)


def rejection(exc: ImportRejected) -> tuple[str, list[str]]:
    """The headline and the (capped) problem lines of a file refused as a whole."""
    problems = [problem_text(p) for p in exc.problems]
    headline = ngettext(
        "Nothing can be imported from this file: {count} problem.",
        "Nothing can be imported from this file: {count} problems.",
        len(problems),
    ).format(count=len(problems))
    return headline, cap_problems(problems)


def _rejected(exc: ImportRejected, dry_run: bool) -> ImportView:
    headline, problems = rejection(exc)
    return ImportView(False, dry_run, headline, [], problems)


def cap_problems(problems: list[str]) -> list[str]:
    """At most MAX_PROBLEMS lines, the last one saying how many more there are."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    more = len(problems) - MAX_PROBLEMS
    return [*problems[:MAX_PROBLEMS], _("... and {count} more").format(count=more)]


def _added(summary: csv_import.Summary | marc.MarcSummary) -> list[str]:
    """What a CSV or MARC import adds: new titles, merged titles, copies."""
    return [
        _("New titles: {count}").format(count=summary.titles_new),
        _("Titles already in the catalogue (copies added): {count}").format(
            count=summary.titles_merged
        ),
        _("Copies added: {count}").format(count=summary.copies),
    ]


def _listed(problems: list) -> list[str]:
    """Each problem of a summary as a line: a skipped record, or a note on an imported one."""
    return cap_problems(
        [
            (_("Skipped: {problem}") if p.skipped else _("Note: {problem}")).format(problem=p)
            for p in problems
        ]
    )


def _csv_view(summary: csv_import.Summary) -> ImportView:
    lines = [_("Rows in the file: {count}").format(count=summary.rows), *_added(summary)]
    if summary.dry_run:
        headline = _("The file is correct. Check what will change, then press Import.")
    else:
        headline = _("Imported: {copies} copies.").format(copies=summary.copies)
    return ImportView(True, summary.dry_run, headline, lines, _listed(summary.problems))


def _marc_view(summary: marc.MarcSummary) -> ImportView:
    lines = [
        _("MARC records in the file: {count}").format(count=summary.records),
        *_added(summary),
        _("Copies already held (left as they are): {count}").format(count=summary.copies_existing),
    ]
    if summary.dry_run:
        headline = _("Check what will change, then press Import.")
        if summary.skipped:
            headline = ngettext(
                "{count} record cannot be read and will be skipped; the others can be imported.",
                "{count} records cannot be read and will be skipped; the others can be imported.",
                summary.skipped,
            ).format(count=summary.skipped)
    else:
        headline = _("Imported: {copies} copies.").format(copies=summary.copies)
        if summary.skipped:
            headline += " " + ngettext(
                "{count} record skipped.", "{count} records skipped.", summary.skipped
            ).format(count=summary.skipped)
    return ImportView(True, summary.dry_run, headline, lines, _listed(summary.problems))


def run(path: Path, dry_run: bool, clock: Clock | None = None) -> ImportView:
    """Check (dry run) or import the file at `path`: CSV, Excel or MARC as its first bytes
    (or, for an empty file, its name) say."""
    try:
        data = marc.read_file(path)
        kind = marc.detect_format(data, Path(path))
        if kind in ("csv", "xlsx"):
            if tables.is_manifest(data, kind):
                return ImportView(
                    False,
                    dry_run,
                    _("This is a rotation manifest: it is imported on the rotation screen."),
                    manifest=True,
                )
            return _csv_view(csv_import.import_csv(path, dry_run=dry_run, clock=clock))
        return _marc_view(marc.import_marc(path, dry_run=dry_run, clock=clock))
    except ImportRejected as exc:
        return _rejected(exc, dry_run)


def check(path: Path) -> ImportView:
    """The dry run: what importing `path` would change; nothing is written."""
    return run(path, dry_run=True)


def apply(path: Path, clock: Clock | None = None) -> ImportView:
    """Import `path`, stamping what it adds with the `clock`'s time."""
    return run(path, dry_run=False, clock=clock)


@dataclass(frozen=True)
class Exported:
    """Where an export went and what it holds."""

    path: Path
    titles: int
    copies: int

    def message(self) -> str:
        return _("{titles} titles, {copies} copies written to {file}.").format(
            titles=self.titles, copies=self.copies, file=self.path
        )


def export(config: Config, kind: str, now: datetime) -> Exported:
    """Write the catalogue as CSV (`kind` "csv") or MARC ("marc") to the USB stick."""
    suffix = ".csv" if kind == "csv" else ".mrc"
    path = staff_files.export_path(config, "catalogue", suffix, now)
    writer = to_csv if kind == "csv" else to_marc
    summary = writer(path)
    return Exported(path, summary.titles, summary.copies)
