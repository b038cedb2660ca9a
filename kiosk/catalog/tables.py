"""Catalogue tables as librarians save them: the header and the rows of a CSV or `.xlsx` file.

CSV: UTF-8 with or without a BOM, separated by commas or, as Excel writes it in Vietnamese
locales (decimal comma), by semicolons (tabs too). Excel: the first sheet whose header has a
title column (a workbook often has a second sheet of notes), read with openpyxl; numbers come
back as the text a librarian typed (2019, not 2019.0; an ISBN stored as a number keeps its
digits). Rows are numbered as the file shows them (the CSV line, the spreadsheet row), and
empty rows are left out.

Column names may be English (the export's own) or Vietnamese as a librarian writes them
("Nhan đề", "Tác giả", "Năm xuất bản", "Số đăng ký cá biệt", "Mã vạch" ...); case, marks
and spacing do not matter.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
import zipfile
from dataclasses import dataclass, field

from kiosk import text
from kiosk.i18n import _, format_number

#: Every name a column may have, by its key. Keys are the CSV export's column names.
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "nhan đề", "nhan đề chính", "tên sách", "tên tài liệu", "tên ấn phẩm"),
    "author": ("author", "tác giả", "tác giả chính"),
    "publisher": ("publisher", "nhà xuất bản", "nxb"),
    "year": ("year", "năm xuất bản", "năm xb", "năm"),
    "isbn": ("isbn", "mã isbn", "số isbn"),
    "language": ("language", "ngôn ngữ"),
    "subjects": ("subjects", "chủ đề", "từ khoá", "từ khóa"),
    "local_document": ("local_document", "tài liệu địa phương"),
    "accession": (
        "accession",
        "số đăng ký cá biệt",
        "đăng ký cá biệt",
        "số đkcb",
        "đkcb",
        "số cá biệt",
    ),
    "barcode": ("barcode", "mã vạch"),
    "shelf": ("shelf", "kho", "giá sách", "vị trí", "ký hiệu xếp giá", "kí hiệu xếp giá"),
    "loanable": ("loanable", "cho mượn", "được mượn"),
    "tags": ("tags", "thẻ rfid", "mã thẻ rfid", "mã thẻ"),
    # A rotation manifest's own columns (kiosk.ops.rotation): they mark a file as a manifest.
    "batch": ("batch",),
    "source_library": ("source_library",),
    "due_back": ("due_back",),
}
_KEYS = {text.search_key(name): key for key, names in ALIASES.items() for name in names}
MANIFEST_COLUMNS = ("batch", "source_library", "due_back")
XLSX_MAGIC = b"PK\x03\x04"  # a zip archive, as every .xlsx is
XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary Excel format (.xls)


def column_key(name: str) -> str | None:
    """The key of a column heading ("Nhan đề" -> "title"), None for an unknown one."""
    key = text.search_key(name)
    return _KEYS.get(key) or _KEYS.get(key.replace(" ", "_"))


@dataclass
class Table:
    """A file's header and rows, each row with its number as the file shows it."""

    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    header_line: int = 1
    #: Where and why reading stopped early, if it did (a damaged CSV).
    error: tuple[int, str] | None = None


class TableError(Exception):
    """The file cannot be read as a table at all: the line (0: the whole file) and why."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def read(data: bytes, kind: str) -> Table:
    """The table in `data`, a "csv" or "xlsx" file."""
    return read_xlsx(data) if kind == "xlsx" else read_csv(data)


def is_manifest(data: bytes, kind: str) -> bool:
    """Whether the table is a rotation manifest: its header has a batch column."""
    try:
        header = read(data, kind).header
    except TableError:
        return False
    return any(column_key(h) in MANIFEST_COLUMNS for h in header if h.strip())


def delimiter(first_line: str) -> str:
    """The separator of the header line: Excel in Vietnamese (decimal comma) writes ";"."""
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read_csv(data: bytes) -> Table:
    """The table of a CSV file; TableError if it is not UTF-8 text."""
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TableError(line, _("not UTF-8 text (save the file as CSV UTF-8)")) from None
    table = Table()
    reader = csv.reader(
        io.StringIO(content, newline=""), delimiter=delimiter(content.split("\n", 1)[0])
    )
    ended = 0  # the line the last row ended on: the next row starts after it
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                ended = reader.line_num
                continue
            if not table.header:
                table.header, table.header_line = cells, reader.line_num
            else:
                table.rows.append((reader.line_num, cells))
            ended = reader.line_num
    except csv.Error as exc:
        # Python's csv stops at a field over 131,072 characters: no real value is that long,
        # it is a quote that was never closed, running over the rest of the file. Nothing
        # after it can be trusted; the row it starts on is the one to fix.
        if "field larger than field limit" in str(exc):
            message = _(
                'a value of more than {count} characters starts here: a quote (") is'
                " probably not closed"
            ).format(count=format_number(csv.field_size_limit()))
        else:
            message = _("the file cannot be read as CSV from here on")
        table.error = (ended + 1, message)
    return table


def _cell_text(value: object, key: str | None) -> str:
    """A cell as the text a librarian typed: 2019 not 2019.0, dates as 2026-12-31."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        digits = str(value)
        # An ISBN-10 typed as a number loses its leading zero (0306406152 -> 306406152);
        # the check digit then tells whether putting it back was right.
        return digits.zfill(10) if key == "isbn" and len(digits) == 9 else digits
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _sheet_rows(sheet) -> list[tuple[int, list[object]]]:
    rows = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if any(v is not None and str(v).strip() for v in values):
            rows.append((number, list(values)))
    return rows


def read_xlsx(data: bytes) -> Table:
    """The table of an Excel workbook (.xlsx); TableError if it is not one."""
    import openpyxl  # here, not at the top: only a spreadsheet import needs it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            # openpyxl warns in English about styles and extensions it does not read.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheets = [_sheet_rows(sheet) for sheet in book.worksheets]
            book.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, EOFError):
        raise TableError(
            0, _("not an Excel workbook (.xlsx), or a damaged one: save it again from Excel")
        ) from None
    rows = next(
        (s for s in sheets if s and any(column_key(str(v or "")) == "title" for v in s[0][1])),
        next((s for s in sheets if s), []),
    )
    if not rows:
        return Table()
    header_line, header_values = rows[0]
    keys = [column_key(str(v or "")) for v in header_values]
    header = [_cell_text(v, None) for v in header_values]
    table = Table(header=header, header_line=header_line)
    for number, values in rows[1:]:
        cells = [_cell_text(v, keys[i] if i < len(keys) else None) for i, v in enumerate(values)]
        while cells and not cells[-1].strip():  # trailing empty cells of a wide sheet
            cells.pop()
        table.rows.append((number, cells))
    return table
