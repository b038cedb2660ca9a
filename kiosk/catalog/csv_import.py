"""Catalogue import from CSV or Excel: validate every row first, then write all of it or nothing.

The file is a CSV in UTF-8 (with or without a BOM; separated by commas, or by semicolons as
Excel writes it in Vietnamese) or an Excel workbook (.xlsx), with a header row; column names
may be English, as below, or Vietnamese as librarians write them ("Nhan đề", "Tác giả",
"Năm xuất bản", "Số đăng ký cá biệt", "Mã vạch", see kiosk.catalog.tables). One row per copy;
rows with the same ISBN (or, without ISBN, the same title and author ignoring marks) become
copies of one title, also merged with titles already in the catalogue. Columns:

    title          required   the title as printed
    accession      required   the copy's accession number (unique)
    author, publisher, subjects, language (default vi), shelf
    year           a year, e.g. 2019
    isbn           ISBN-10 or ISBN-13; the check digit is verified
    barcode        the copy's barcode (unique)
    tags           RFID tag UIDs in hex, separated by spaces
    local_document yes/no (Tày/Nùng local documents)
    loanable       yes/no (default yes; no = reference only)

Values longer than any real one are damage (kiosk.catalog.limits): descriptive text is cut
with a note, an over-long accession number or barcode rejects the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from kiosk import isbn, text
from kiosk.catalog import limits, tables, titles
from kiosk.clock import Clock, SystemClock
from kiosk.i18n import _, ngettext
from kiosk.store.db import db, write_transaction
from kiosk.store.models import Copy, CopyTag, Title

COLUMNS = (
    "title",
    "author",
    "publisher",
    "year",
    "isbn",
    "language",
    "subjects",
    "local_document",
    "accession",
    "barcode",
    "shelf",
    "loanable",
    "tags",
)
REQUIRED = ("title", "accession")
TAG_UID = re.compile(r"(?:[0-9A-F]{2}){4,10}")
YES, NO = (
    {"yes", "y", "1", "true", "có", "co", "x"},
    {"no", "n", "0", "false", "không", "khong", ""},
)


@dataclass(frozen=True)
class RowProblem:
    """A rejected row (or, with `skipped` False, a note on an imported one): the line in the
    file (0 for the file as a whole) and what is wrong."""

    line: int
    message: str
    skipped: bool = True

    def __str__(self) -> str:
        if self.line == 0:
            return self.message
        return _("line {line}: {message}").format(line=self.line, message=self.message)


def file_problem(exc: OSError) -> RowProblem:
    """Why a file cannot be read, in words staff can act on (not the system's English)."""
    if isinstance(exc, IsADirectoryError):
        message = _("this is a folder, not a file")
    elif isinstance(exc, FileNotFoundError):
        message = _("the file is not there (was the USB stick pulled out?)")
    elif isinstance(exc, PermissionError):
        message = _("the kiosk is not allowed to read this file")
    else:
        message = _("the file cannot be read (the USB stick may be damaged)")
    return RowProblem(0, message)


class ImportRejected(Exception):
    """The file was not imported; every problem found is listed."""

    def __init__(self, source: str, problems: list[RowProblem]):
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:50])
        more = len(problems) - 50
        tail = "\n  " + _("... and {count} more").format(count=more) if more > 0 else ""
        super().__init__(
            ngettext(
                "{source}: nothing imported, {count} problem:",
                "{source}: nothing imported, {count} problems:",
                len(problems),
            ).format(source=source, count=len(problems))
            + "\n"
            + shown
            + tail
        )


@dataclass
class Summary:
    """What an import did (or, in a dry run, would do), with the notes on what it imported
    (a value cut to its limit) or, for MARC, the records it skipped."""

    rows: int = 0
    titles_new: int = 0
    titles_merged: int = 0
    copies: int = 0
    dry_run: bool = False
    problems: list = field(default_factory=list)


@dataclass
class _Row:
    line: int
    title: dict
    copy: dict
    tags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _flag(value: str, line: int, name: str, problems: list[RowProblem], default: bool) -> bool:
    word = value.strip().lower()
    if not word:
        return default
    if word in YES or word in NO:
        return word in YES
    problems.append(
        RowProblem(
            line, _("{column} must be yes or no, not '{value}'").format(column=name, value=value)
        )
    )
    return default


def _tags(value: str, line: int, problems: list[RowProblem]) -> list[str]:
    tags = [tag.upper() for tag in value.split()]
    for tag in tags:
        if not TAG_UID.fullmatch(tag):
            problems.append(
                RowProblem(
                    line,
                    _(
                        "'{tag}' is not a tag UID (4 to 10 bytes in hex, e.g. 04A1B2C3D4E580)"
                    ).format(tag=tag),
                )
            )
    return tags


def _parse_row(raw: dict[str, str], line: int, problems: list[RowProblem]) -> _Row:
    """One row's values; problems are recorded, and the row is still returned so that its
    accession, barcode and tags are checked for duplicates too (any problem rejects the file)."""
    values, notes = {}, []
    for name in COLUMNS:
        values[name] = text.clean(raw.get(name) or "")
        try:
            values[name], note = limits.cut(name, values[name])
        except ValueError as exc:  # kept whole: the row is rejected, and checked for the rest
            problems.append(RowProblem(line, str(exc)))
            continue
        if note:
            notes.append(note)
    for name in REQUIRED:
        if not values[name]:
            problems.append(RowProblem(line, _("'{column}' is empty").format(column=name)))
    year = None
    if values["year"]:
        if values["year"].isdigit() and 1400 <= int(values["year"]) <= 2100:
            year = int(values["year"])
        else:
            problems.append(
                RowProblem(line, _("'{value}' is not a year").format(value=values["year"]))
            )
    code = None
    if values["isbn"]:
        code = isbn.normalize(values["isbn"])
        if code is None:
            problems.append(
                RowProblem(
                    line, _("ISBN '{value}' has a wrong check digit").format(value=values["isbn"])
                )
            )
    local = _flag(values["local_document"], line, "local_document", problems, False)
    loanable = _flag(values["loanable"], line, "loanable", problems, True)
    return _Row(
        line,
        title={
            "title": values["title"],
            "author": values["author"],
            "year": year,
            "publisher": values["publisher"],
            "isbn": code,
            "subjects": values["subjects"],
            "language": values["language"] or "vi",
            "local_document": local,
        },
        copy={
            "accession": values["accession"],
            "barcode": values["barcode"] or None,
            "shelf": values["shelf"],
            "loanable": loanable,
        },
        tags=_tags(values["tags"], line, problems),
        notes=notes,
    )


def _columns(table: tables.Table, problems: list[RowProblem]) -> dict[int, str]:
    """Which column holds which value, by position; the header's problems are recorded."""
    line = table.header_line
    by_index: dict[int, str] = {}
    for index, heading in enumerate(table.header):
        if not heading.strip():
            continue  # spreadsheets often add empty trailing columns: ignored
        key = tables.column_key(heading)
        if key in tables.MANIFEST_COLUMNS:
            problems.append(
                RowProblem(
                    line,
                    _(
                        "this is a rotation manifest (column '{column}'): import it on the"
                        " rotation screen or with 'kiosk rotation import'"
                    ).format(column=heading.strip()),
                )
            )
            return {}
        if key is None:
            problems.append(
                RowProblem(line, _("unknown column '{column}'").format(column=heading.strip()))
            )
        elif key in by_index.values():
            problems.append(
                RowProblem(
                    line, _("column '{column}' appears twice").format(column=heading.strip())
                )
            )
        else:
            by_index[index] = key
    for name in REQUIRED:
        if name not in by_index.values():
            problems.append(RowProblem(line, _("column '{column}' is missing").format(column=name)))
    return by_index


def _read_rows(data: bytes, problems: list[RowProblem], kind: str = "csv") -> list[_Row]:
    """The rows of a CSV ("csv") or Excel ("xlsx") file, checked; problems are recorded."""
    try:
        table = tables.read(data, kind)
    except tables.TableError as exc:
        problems.append(RowProblem(exc.line, exc.message))
        return []
    if not table.header:
        return []
    columns = _columns(table, problems)
    if problems:
        return []
    rows = []
    for line, cells in table.rows:
        if any(cell.strip() for cell in cells[len(table.header) :]):
            problems.append(RowProblem(line, _("more fields than columns")))
            continue
        raw = {key: cells[index] for index, key in columns.items() if index < len(cells)}
        rows.append(_parse_row(raw, line, problems))
    if table.error:
        problems.append(RowProblem(*table.error))
    return rows


def _check_unique(rows: list[_Row], problems: list[RowProblem]) -> None:
    """Accession numbers, barcodes and tags must be new, in the file and in the catalogue."""
    taken = {
        "accession": {c for (c,) in Copy.select(Copy.accession).tuples()},
        "barcode": {
            c for (c,) in Copy.select(Copy.barcode).where(Copy.barcode.is_null(False)).tuples()
        },
        "tag": {c for (c,) in CopyTag.select(CopyTag.uid).tuples()},
    }
    for row in rows:
        values = [("accession", row.copy["accession"]), ("barcode", row.copy["barcode"])]
        values += [("tag", tag) for tag in row.tags]
        for kind, value in values:
            if not value:
                continue
            if value in taken[kind]:
                problems.append(
                    RowProblem(
                        row.line,
                        _("{kind} '{value}' is already used").format(kind=kind, value=value),
                    )
                )
            taken[kind].add(value)


def _title_key(fields: dict, keys: dict[str, str]) -> tuple:
    if fields["isbn"]:
        return ("isbn", fields["isbn"])
    return ("text", keys["title_key"], keys["author_key"])


def _existing_titles() -> dict[tuple, int]:
    known: dict[tuple, int] = {}
    for tid, code, tkey, akey in Title.select(
        Title.id, Title.isbn, Title.title_key, Title.author_key
    ).tuples():
        known.setdefault(("isbn", code) if code else ("text", tkey, akey), tid)
    return known


def read_file(path: Path) -> bytes:
    """The file's bytes, or ImportRejected saying (in words staff can act on) why not."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ImportRejected(str(path), [file_problem(exc)]) from None


def table_kind(path: Path, data: bytes) -> str:
    """ "xlsx" for an Excel workbook, else "csv"; an old .xls is refused with what to do."""
    if data.startswith(tables.XLS_MAGIC):
        raise ImportRejected(
            str(path),
            [RowProblem(0, _("an old Excel file (.xls): save it as .xlsx or as CSV UTF-8"))],
        )
    if data.startswith(tables.XLSX_MAGIC) or (not data and path.suffix.lower() == ".xlsx"):
        return "xlsx"
    return "csv"


def import_csv(path: Path, dry_run: bool = False, clock: Clock | None = None) -> Summary:
    """Import a catalogue CSV or Excel file; raise ImportRejected (writing nothing) if any
    row is bad. Values cut to their limit are listed in the summary's problems (as notes).

    New titles and copies are stamped with the `clock`'s time (the kiosk's, by default).
    """
    data = read_file(path)
    problems: list[RowProblem] = []
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise ImportRejected(str(path), [RowProblem(0, _("the file is empty"))])
    rows = _read_rows(data, problems, table_kind(Path(path), data))
    if not rows and not problems:
        problems.append(RowProblem(1, _("the file has no rows")))
    _check_unique(rows, problems)
    if problems:
        raise ImportRejected(str(path), sorted(problems, key=lambda p: p.line))
    summary = Summary(rows=len(rows), dry_run=dry_run)
    summary.problems = [RowProblem(r.line, n, skipped=False) for r in rows for n in r.notes]
    with write_transaction() as transaction:
        _write(rows, summary, (clock or SystemClock()).now())
        if dry_run:
            transaction.rollback()
    return summary


_INSERT_TITLE = (
    "INSERT INTO title (title, author, publisher, year, isbn, language, subjects,"
    " local_document, created_at, title_key, author_key, exact_key)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_COPY = (
    "INSERT INTO copy (title_id, accession, barcode, shelf, loanable, status, created_at)"
    " VALUES (?, ?, ?, ?, ?, 'available', ?)"
)


def _insert_title(fields: dict, keys: dict[str, str], now: str) -> int:
    values = (
        fields["title"],
        fields["author"],
        fields["publisher"],
        fields["year"],
        fields["isbn"],
        fields["language"],
        fields["subjects"],
        fields["local_document"],
        now,
        keys["title_key"],
        keys["author_key"],
        keys["exact_key"],
    )
    return db.execute_sql(_INSERT_TITLE, values).lastrowid


def find_or_add_title(
    fields: dict, known: dict[tuple, int], new_ids: set[int], merged_ids: set[int], now: str
) -> int:
    """The id of the title these fields describe: an existing one (recorded in `merged_ids`
    unless this import created it) or a new one (recorded in `new_ids`)."""
    keys = titles.title_keys(fields["title"], fields["author"])
    key = _title_key(fields, keys)
    if key not in known:
        known[key] = _insert_title(fields, keys, now)
        new_ids.add(known[key])
    elif known[key] not in new_ids:
        merged_ids.add(known[key])
    return known[key]


def _write(rows: list[_Row], summary: Summary, when: datetime) -> None:
    """Insert the validated rows (plain SQL: 50k rows must import in seconds on a Pi)."""
    known = _existing_titles()
    new_ids: set[int] = set()
    merged_ids: set[int] = set()
    now = str(when.replace(microsecond=0))
    for row in rows:
        title_id = find_or_add_title(row.title, known, new_ids, merged_ids, now)
        copy = row.copy
        copy_id = db.execute_sql(
            _INSERT_COPY,
            (title_id, copy["accession"], copy["barcode"], copy["shelf"], copy["loanable"], now),
        ).lastrowid
        for uid in row.tags:
            db.execute_sql("INSERT INTO copy_tag (uid, copy_id) VALUES (?, ?)", (uid, copy_id))
        summary.copies += 1
    summary.titles_new, summary.titles_merged = len(new_ids), len(merged_ids)
