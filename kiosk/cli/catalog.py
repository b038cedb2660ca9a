"""`kiosk catalog import|search`."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk import catalog_csv
from kiosk.cli.common import open_store, print_table
from kiosk.i18n import _
from kiosk.store import search


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("catalog", help=_("import and search the catalogue"))
    commands = parser.add_subparsers(dest="catalog_command", required=True, metavar=_("COMMAND"))
    importer = commands.add_parser(
        "import",
        help=_("import titles and copies from a CSV file"),
        description=catalog_csv.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    importer.add_argument("file", type=Path, help=_("CSV file (UTF-8, with a header row)"))
    importer.add_argument(
        "--dry-run",
        action="store_true",
        help=_("check the file and show what would change, write nothing"),
    )
    importer.set_defaults(func=import_command)
    finder = commands.add_parser("search", help=_("find titles by title or author"))
    finder.add_argument("query", nargs="+", help=_("words of the title or author"))
    finder.add_argument("--limit", type=int, default=20, help=_("most results to show"))
    finder.set_defaults(func=search_command)


def import_command(args: argparse.Namespace) -> int:
    open_store(args)
    summary = catalog_csv.import_csv(args.file, dry_run=args.dry_run)
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
