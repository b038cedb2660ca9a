"""Catalogue export: CSV in the import's own format (round-trips) and MARC 21 (ISO 2709, UTF-8).

CSV: one row per copy, the columns of `kiosk.catalog.csv_import`; importing the file into an empty
kiosk gives the same titles, copies, barcodes, shelves and tags. Titles without any copy have
no row (the CSV format needs an accession number); their number is returned so it is said.

MARC: one record per title, leader/09 'a' (UTF-8), 001 = the kiosk's title number, and one
952 field per copy in Koha's layout ($i accession, $p barcode, $o shelf, $7 1 = reference
only), so that Koha, and this kiosk's own MARC import, read the copies back.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pymarc
from pymarc import Field, Indicators, Subfield

from kiosk.catalog.csv_import import COLUMNS
from kiosk.catalog.marc import LANGUAGES
from kiosk.store.db import db

_MARC_LANGUAGE = {short: code for code, short in LANGUAGES.items()}
_EXPORTED_STATUSES = ("available", "on_loan", "missing", "lost")  # not withdrawn / sent back


@dataclass(frozen=True)
class ExportSummary:
    """What was written."""

    titles: int
    copies: int
    titles_without_copies: int = 0


def _titles() -> list[tuple]:
    return db.execute_sql(
        "SELECT id, title, author, publisher, year, isbn, language, subjects, local_document"
        " FROM title ORDER BY id"
    ).fetchall()


def _copies() -> dict[int, list[tuple]]:
    """Copies by title id, the commune's own (rotation copies go back to their library)."""
    marks = ", ".join("?" * len(_EXPORTED_STATUSES))
    rows = db.execute_sql(
        "SELECT id, title_id, accession, barcode, shelf, loanable FROM copy"
        f" WHERE batch_id IS NULL AND status IN ({marks}) ORDER BY id",
        _EXPORTED_STATUSES,
    ).fetchall()
    by_title: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        by_title[row[1]].append(row)
    return by_title


def _tags() -> dict[int, list[str]]:
    tags: dict[int, list[str]] = defaultdict(list)
    for uid, copy_id in db.execute_sql("SELECT uid, copy_id FROM copy_tag ORDER BY uid"):
        tags[copy_id].append(uid)
    return tags


def to_csv(path: Path) -> ExportSummary:
    """Write the catalogue as an import CSV (UTF-8 with BOM, for spreadsheets)."""
    copies, tags = _copies(), _tags()
    titles = _titles()
    count = bare = 0
    with Path(path).open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for tid, title, author, publisher, year, code, language, subjects, local in titles:
            if not copies.get(tid):
                bare += 1
                continue
            for copy_id, _tid, accession, barcode, shelf, loanable in copies[tid]:
                values = {
                    "title": title,
                    "author": author,
                    "publisher": publisher,
                    "year": year or "",
                    "isbn": code or "",
                    "language": language,
                    "subjects": subjects,
                    "local_document": "yes" if local else "no",
                    "accession": accession,
                    "barcode": barcode or "",
                    "shelf": shelf,
                    "loanable": "yes" if loanable else "no",
                    "tags": " ".join(tags.get(copy_id, ())),
                }
                writer.writerow([values[c] for c in COLUMNS])
                count += 1
    return ExportSummary(len(titles) - bare, count, bare)


def _record(row: tuple, copies: list[tuple]) -> pymarc.Record:
    tid, title, author, publisher, year, code, language, subjects, _local = row
    record = pymarc.Record(force_utf8=True)
    record.leader = pymarc.Leader("00000nam a2200000 a 4500")
    record.add_field(Field(tag="001", data=str(tid)))
    lang = _MARC_LANGUAGE.get(language, language if len(language) == 3 else "und")
    record.add_field(Field(tag="008", data=" " * 35 + lang + " d"))
    if code:
        record.add_field(Field("020", Indicators(" ", " "), [Subfield("a", code)]))
    record.add_field(Field("041", Indicators("0", " "), [Subfield("a", lang)]))
    if author:
        record.add_field(Field("100", Indicators("1", " "), [Subfield("a", author)]))
    main, _sep, rest = title.partition(" : ")
    parts = [Subfield("a", main)] + ([Subfield("b", rest)] if rest else [])
    record.add_field(Field("245", Indicators("1" if author else "0", "0"), parts))
    if publisher or year:
        parts = [Subfield("b", publisher)] if publisher else []
        parts += [Subfield("c", str(year))] if year else []
        record.add_field(Field("260", Indicators(" ", " "), parts))
    for subject in filter(None, (s.strip() for s in subjects.split(";"))):
        record.add_field(Field("650", Indicators(" ", "7"), [Subfield("a", subject)]))
    for _cid, _tid, accession, barcode, shelf, loanable in copies:
        parts = [Subfield("i", accession)]
        parts += [Subfield("p", barcode)] if barcode else []
        parts += [Subfield("o", shelf)] if shelf else []
        parts += [] if loanable else [Subfield("7", "1")]
        record.add_field(Field("952", Indicators(" ", " "), parts))
    return record


def to_marc(path: Path) -> ExportSummary:
    """Write every title (with its own copies as 952 items) as ISO 2709 in UTF-8."""
    copies = _copies()
    titles = _titles()
    count = 0
    with Path(path).open("wb") as out:
        for row in titles:
            held = copies.get(row[0], [])
            out.write(_record(row, held).as_marc())
            count += len(held)
    return ExportSummary(len(titles), count)
