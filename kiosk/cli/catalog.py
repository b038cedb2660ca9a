"""`kiosk catalog import|export|search`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.catalog import csv_import, export, marc
from kiosk.cli.common import open_store, print_table
from kiosk.i18n import _, ngettext
from kiosk.store import search


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("catalog", help=_("import and search the catalogue"))
    commands = parser.add_subparsers(dest="catalog_command", required=True, metavar=_("COMMAND"))
    importer = commands.add_parser(
        "import",
        help=_("import titles and copies from a CSV or MARC file"),
        description=csv_import.__doc__ + "\n" + (marc.__doc__ or ""),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    importer.add_argument(
        "file",
        type=Path,
        help=_("CSV (UTF-8, with a header row), Excel (.xlsx), MARC (ISO 2709) or MARCXML file"),
    )
    importer.add_argument(
        "--dry-run",
        action="store_true",
        help=_("check the file and show what would change, write nothing"),
    )
    importer.set_defaults(func=import_command)
    exporter = commands.add_parser("export", help=_("write the catalogue to a CSV or MARC file"))
    exporter.add_argument("file", type=Path, help=_("file to write"))
    exporter.add_argument(
        "--format",
        choices=("csv", "marc"),
        default="csv",
        help=_("csv: the import's own format; marc: MARC 21 ISO 2709 in UTF-8"),
    )
    exporter.set_defaults(func=export_command)
    finder = commands.add_parser("search", help=_("find titles by title or author"))
    finder.add_argument("query", nargs="+", help=_("words of the title or author"))
    finder.add_argument("--limit", type=int, default=20, help=_("most results to show"))
    finder.set_defaults(func=search_command)


def import_command(args: argparse.Namespace) -> int:
    open_store(args)
    data = marc.read_file(args.file)
    if marc.detect_format(data, args.file) not in ("csv", "xlsx"):
        return _import_marc(args)
    summary = csv_import.import_csv(args.file, dry_run=args.dry_run)
    if summary.dry_run:
        print(_("Dry run: nothing was written."))
    print(
        _("{rows} rows: {new} new titles, {merged} existing titles, {copies} copies.").format(
            rows=summary.rows,
            new=summary.titles_new,
            merged=summary.titles_merged,
            copies=summary.copies,
        )
    )
    for problem in summary.problems:
        print("  " + _("Note: {problem}").format(problem=problem))
    return 0


def _import_marc(args: argparse.Namespace) -> int:
    """The good records are imported; the broken ones are listed (exit 1 if there are any)."""
    summary = marc.import_marc(args.file, dry_run=args.dry_run)
    if summary.dry_run:
        print(_("Dry run: nothing was written."))
    print(
        _(
            "{records} MARC records: {new} new titles, {merged} existing titles, {copies} copies"
            " ({existing} already in the catalogue)."
        ).format(
            records=summary.records,
            new=summary.titles_new,
            merged=summary.titles_merged,
            copies=summary.copies,
            existing=summary.copies_existing,
        )
    )
    warnings = [p for p in summary.problems if not p.skipped]
    skipped = [p for p in summary.problems if p.skipped]
    for problem in warnings:
        print("  " + _("Note: {problem}").format(problem=problem))
    if skipped:
        print(
            ngettext(
                "{count} record could not be read and was skipped; the other records were"
                " imported:",
                "{count} records could not be read and were skipped; the other records were"
                " imported:",
                summary.skipped,
            ).format(count=summary.skipped),  # records: garbage between them is listed, not counted
            file=sys.stderr,
        )
        for problem in skipped:
            print(f"  {problem}", file=sys.stderr)
        return 1
    return 0


def export_command(args: argparse.Namespace) -> int:
    open_store(args)
    write = export.to_marc if args.format == "marc" else export.to_csv
    summary = write(args.file)
    print(
        _("{titles} titles, {copies} copies written to {file}.").format(
            titles=summary.titles, copies=summary.copies, file=args.file
        )
    )
    if summary.titles_without_copies:
        print(
            ngettext(
                "{count} title without copies is not in the CSV file.",
                "{count} titles without copies are not in the CSV file.",
                summary.titles_without_copies,
            ).format(count=summary.titles_without_copies)
        )
    return 0


def search_command(args: argparse.Namespace) -> int:
    open_store(args)
    hits = search.search(" ".join(args.query), limit=args.limit)
    if not hits:
        print(_("No title found."))
        return 0
    rows = [[_("Title"), _("Author"), _("Year"), _("Shelf"), _("Available")]]
    for hit in hits:
        rows.append(
            [
                hit.title,
                hit.author,
                str(hit.year or ""),
                ", ".join(hit.shelves),
                f"{hit.available}/{hit.copies}",
            ]
        )
    print_table(rows)
    return 0
