"""Catalogue export: CSV in the import's own format (round-trips) and MARC 21 (ISO 2709, UTF-8).

CSV: one row per copy, the columns of `kiosk.catalog.csv_import`; importing the file into an empty
kiosk gives the same titles, copies, barcodes, shelves and tags. Titles without any copy have
no row (the CSV format needs an accession number); their number is returned so it is said.

MARC: one record per title, leader/09 'a' (UTF-8), 001 = the kiosk's title number, and one
952 field per copy in Koha's layout ($i accession, $p barcode, $o shelf, $7 1 = reference
only), so that Koha, and this kiosk's own MARC import, read the copies back.

MARC 21 allows at most 99,999 bytes per record and 9,999 per field (the leader's and the
directory's digits). A field longer than that (a damaged title stored before the import had
limits) is cut at a character boundary; a title whose copies do not fit in one record is
written as several records, each with the whole description and some of the copies (the
import merges them back into one title); subjects that still do not fit are left out. Each
such record carries a 500 note saying what was cut, so every export re-imports.
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
from kiosk.i18n import _
from kiosk.store.db import db

_MARC_LANGUAGE = {short: code for code, short in LANGUAGES.items()}
_EXPORTED_STATUSES = ("available", "on_loan", "missing", "lost")  # not withdrawn / sent back
RECORD_MAX = 99_999  # MARC 21: the leader's five digits
FIELD_MAX = 9_999  # MARC 21: the directory's four digits of a field's length
_FIXED = 24 + 1 + 1  # leader, directory terminator, record terminator
BIB_MAX = 40_000  # the most a record's description (without copies) may take; see _records


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


def _bib_fields(row: tuple) -> list[Field]:
    """The descriptive fields of one title (no items), in tag order."""
    tid, title, author, publisher, year, code, language, subjects, _local = row
    fields = [Field(tag="001", data=str(tid))]
    lang = _MARC_LANGUAGE.get(language, language if len(language) == 3 else "und")
    fields.append(Field(tag="008", data=" " * 35 + lang + " d"))
    if code:
        fields.append(Field("020", Indicators(" ", " "), [Subfield("a", code)]))
    fields.append(Field("041", Indicators("0", " "), [Subfield("a", lang)]))
    if author:
        fields.append(Field("100", Indicators("1", " "), [Subfield("a", author)]))
    main, _sep, rest = title.partition(" : ")
    parts = [Subfield("a", main)] + ([Subfield("b", rest)] if rest else [])
    fields.append(Field("245", Indicators("1" if author else "0", "0"), parts))
    if publisher or year:
        parts = [Subfield("b", publisher)] if publisher else []
        parts += [Subfield("c", str(year))] if year else []
        fields.append(Field("260", Indicators(" ", " "), parts))
    for subject in filter(None, (s.strip() for s in subjects.split(";"))):
        fields.append(Field("650", Indicators(" ", "7"), [Subfield("a", subject)]))
    return fields


def _item_field(copy: tuple) -> Field:
    _cid, _tid, accession, barcode, shelf, loanable = copy
    parts = [Subfield("i", accession)]
    parts += [Subfield("p", barcode)] if barcode else []
    parts += [Subfield("o", shelf)] if shelf else []
    parts += [] if loanable else [Subfield("7", "1")]
    return Field("952", Indicators(" ", " "), parts)


def _size(field: Field) -> int:
    """What a field adds to a record: its bytes and its directory entry."""
    return len(field.as_marc("utf-8")) + 12


def _fit(field: Field) -> bool:
    """Cut the field's longest values until it fits MARC's 9,999 bytes; True if it was cut."""
    cut = False
    while not field.control_field and len(field.as_marc("utf-8")) > FIELD_MAX:
        excess = len(field.as_marc("utf-8")) - FIELD_MAX
        longest = max(field.subfields, key=lambda sub: len(sub.value.encode("utf-8")))
        raw = longest.value.encode("utf-8")
        if len(raw) <= 3:
            break  # nothing left to cut (never with the kiosk's few subfields per field)
        value = raw[: max(0, len(raw) - excess - 3)].decode("utf-8", "ignore").rstrip()
        index = field.subfields.index(longest)
        field.subfields[index] = Subfield(longest.code, value + "...")
        cut = True
    return cut


def _note(text: str) -> Field:
    return Field("500", Indicators(" ", " "), [Subfield("a", text)])


def _records(row: tuple, copies: list[tuple]) -> list[pymarc.Record]:
    """One title as MARC records within MARC 21's limits: usually one record; more when its
    copies do not fit in one (see the module docstring)."""
    bib = _bib_fields(row)
    items = [_item_field(copy) for copy in copies]
    notes = []
    if any([_fit(f) for f in bib] + [_fit(f) for f in items]):
        notes.append(_("Some text was cut to fit the MARC 21 limit of 9,999 bytes per field."))
    # The description may take at most this much, so that each record has room for copies
    # (a title whose subjects alone filled a record would need a record per copy).
    dropped, room = 0, BIB_MAX
    while sum(_size(f) for f in bib) > room and bib[-1].tag == "650":
        bib.pop()
        dropped += 1
    if dropped:
        notes.append(
            _("{count} subjects were left out to fit the MARC 21 limit of 99,999 bytes.").format(
                count=dropped
            )
        )
    groups: list[list[Field]] = [[]]
    used = sum(_size(f) for f in bib) + sum(_size(_note(n)) for n in notes)
    free = RECORD_MAX - _FIXED - used - 600  # room for a "part n of m" note
    filled = 0
    for item in items:
        size = _size(item)
        if groups[-1] and filled + size > free:
            groups.append([])
            filled = 0
        groups[-1].append(item)
        filled += size
    records = []
    for part, group in enumerate(groups, start=1):
        record = pymarc.Record(force_utf8=True)
        record.leader = pymarc.Leader("00000nam a2200000 a 4500")
        fields = [Field(tag="001", data=f"{row[0]}-{part}")] if part > 1 else []
        fields += bib[1:] if part > 1 else bib
        part_notes = list(notes)
        if len(groups) > 1:
            part_notes.append(
                _("Part {part} of {parts}: this title's copies did not fit in one record.").format(
                    part=part, parts=len(groups)
                )
            )
        for field in [*fields, *(_note(n) for n in part_notes), *group]:
            record.add_field(field)
        records.append(record)
    return records


def to_marc(path: Path) -> ExportSummary:
    """Write every title (with its own copies as 952 items) as ISO 2709 in UTF-8."""
    copies = _copies()
    titles = _titles()
    count = 0
    with Path(path).open("wb") as out:
        for row in titles:
            held = copies.get(row[0], [])
            for record in _records(row, held):
                out.write(record.as_marc())
            count += len(held)
    return ExportSummary(len(titles), count)
