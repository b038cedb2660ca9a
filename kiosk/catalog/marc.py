"""Catalogue import from MARC 21: ISO 2709 (`.mrc`) and MARCXML, as Koha, Vebrary and Libol export.

Unlike the CSV import (all or nothing), a MARC file imports its good records: library exports
are large and made by other systems, and one damaged record must not hold back thousands of
good ones. Each record that cannot be used is reported with its number in the file and its
byte offset (ISO 2709) or line (MARCXML), and the summary says how many were skipped.

What is read from each record:

    245 $a $b      title (ISBD punctuation at the end removed); a record without one is skipped
    100/110/700 $a author (the first present)
    260/264 $b $c  publisher, year (the first 4-digit year in $c)
    020 $a         ISBN: the first one with a right check digit (a wrong one is a warning)
    041 $a, 008    language (041 first, then 008/35-37); MARC codes mapped (vie -> vi)
    650 $a         subjects, separated by "; "
    952            Koha items: $p barcode, $i inventory number, $o call number (shelf),
                   $y item type (REF/TK: reference only), $7 not for loan, $1 lost, $0 withdrawn
    852            Vebrary/Libol holdings: $j registration number (ĐKCB), $p barcode,
                   $h $i call number (shelf), $c location when there is no call number

Each item becomes a copy. Its accession number is the inventory/registration number, else
its barcode, else the record's 001 with the item's position ("001-2"). An item whose
accession or barcode is already in the catalogue (or earlier in the file) is skipped as
"already held": importing the same export twice adds nothing.

Text: leader/09 'a' means UTF-8, blank means MARC-8 (decoded by pymarc). Some Vietnamese
systems write UTF-8 but leave leader/09 blank: such a record (valid UTF-8 with non-ASCII
bytes and no MARC-8 escape) is read as UTF-8. Every value is then NFC-normalised, as MARC-8
and many UTF-8 exports carry decomposed marks. Titles are merged as in the CSV import: same
ISBN, or same title and author ignoring case and marks, within the file and with the catalogue.
"""

from __future__ import annotations

import io
import re
import xml.sax
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pymarc

from kiosk import isbn, text
from kiosk.catalog.csv_import import (
    ImportRejected,
    RowProblem,
    Summary,
    _existing_titles,
    find_or_add_title,
)
from kiosk.clock import Clock, SystemClock
from kiosk.i18n import _
from kiosk.store.db import db, write_transaction

RECORD_END, FIELD_END = 0x1D, 0x1E
LANGUAGES = {"vie": "vi", "eng": "en", "fre": "fr", "chi": "zh", "rus": "ru", "ger": "de"}
REFERENCE_TYPES = {"REF", "TK", "TRA CUU", "TRACUU", "THAM KHAO", "DOC TAI CHO"}
YEAR = re.compile(r"(1[4-9]\d\d|20\d\d|2100)")
ISBN_TOKEN = re.compile(r"[0-9Xx][0-9Xx\- ]{8,16}[0-9Xx]")


@dataclass(frozen=True)
class RecordProblem:
    """A record skipped (or imported with a warning): its number, where it starts, why."""

    record: int
    offset: int | None  # byte offset in an ISO 2709 file
    message: str
    line: int | None = None  # line in a MARCXML file
    skipped: bool = True

    def __str__(self) -> str:
        if self.offset is not None:
            where = _("record {number} (byte {offset})").format(
                number=self.record, offset=self.offset
            )
        elif self.line is not None:
            where = _("record {number} (line {line})").format(number=self.record, line=self.line)
        else:
            where = _("record {number}").format(number=self.record)
        return f"{where}: {self.message}"


@dataclass
class MarcSummary(Summary):
    """What a MARC import did: the CSV summary plus the records skipped and the warnings."""

    records: int = 0
    skipped: int = 0
    copies_existing: int = 0
    problems: list[RecordProblem] = field(default_factory=list)


@dataclass
class Bib:
    """One usable record: the title's fields and its items."""

    record: int
    title: dict
    copies: list[dict] = field(default_factory=list)


# --------------------------------------------------------------------------- reading


def detect_format(data: bytes) -> str:
    """'marcxml', 'marc' (ISO 2709) or 'csv', from the first bytes of a file."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "marcxml"
    if len(head) >= 24 and head[:5].isdigit() and head[20:24] == b"4500":
        return "marc"
    return "csv"


def _utf8_despite_leader(chunk: bytes) -> bool:
    """A record labelled MARC-8 whose bytes are in fact UTF-8 (see the module docstring)."""
    if b"\x1b" in chunk or all(b < 0x80 for b in chunk):
        return False
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decode(chunk: bytes) -> pymarc.Record:
    force = chunk[9:10] != b"a" and _utf8_despite_leader(chunk)
    return pymarc.Record(data=chunk, to_unicode=True, force_utf8=force, hide_utf8_warnings=True)


def _reason(exc: Exception) -> str:
    """A short reason a person can pass on to whoever made the export."""
    names = {
        "RecordLeaderInvalid": _("the leader is damaged"),
        "BaseAddressNotFound": _("the leader has no base address"),
        "BaseAddressInvalid": _("the base address points outside the record"),
        "TruncatedRecord": _("the record is shorter than its leader says"),
        "RecordDirectoryInvalid": _("the directory is damaged"),
        "EndOfRecordNotFound": _("the record has no end mark"),
    }
    name = type(exc).__name__
    if name in names:
        return names[name]
    if isinstance(exc, UnicodeDecodeError):
        return _("the text is neither UTF-8 nor MARC-8")
    if isinstance(exc, ValueError) and "int()" in str(exc):
        return _("a number in the leader or the directory is damaged")
    return _("the record cannot be read ({error})").format(error=exc)


def read_iso2709(data: bytes) -> Iterator[tuple[int, int, pymarc.Record | None, str]]:
    """(record number, byte offset, record or None, reason or note) for each record in the file.

    We cut the records ourselves rather than trusting each leader's length: when a length is
    wrong, pymarc's reader loses its place and every later record is garbage. Here a record
    whose length does not land on a record terminator is cut at the next terminator instead,
    reported, and reading goes on from there.
    """
    offset, number, size = 0, 0, len(data)
    while offset < size:
        # Skip blank lines or padding some exporters put between records.
        while offset < size and data[offset] in b"\r\n \x00\x1a":
            offset += 1
        if offset >= size:
            break
        number += 1
        start = offset
        head = data[start : start + 5]
        length = int(head) if head.isdigit() else 0
        end = start + length
        if length >= 24 and end <= size and data[end - 1] == RECORD_END:
            chunk, offset = data[start:end], end
        else:
            stop = data.find(bytes([RECORD_END]), start)
            offset = size if stop < 0 else stop + 1
            chunk = data[start:offset]
            if not head.isdigit() or length < 24:
                yield number, start, None, _("the leader's record length is not a number")
                continue
            if stop < 0:
                yield number, start, None, _("the record is cut short (end of file)")
                continue
            yield (
                number,
                start,
                None,
                _("the leader says {length} bytes but the record has {actual}").format(
                    length=length, actual=len(chunk)
                ),
            )
            continue
        try:
            record, note = _decode(chunk), ""
        except UnicodeDecodeError:
            # Labelled UTF-8 but not UTF-8: an exporter that wrote MARC-8 and the wrong label.
            try:
                record = _decode(chunk[:9] + b" " + chunk[10:])
                note = _("labelled UTF-8 but is not: read as MARC-8")
            except Exception as exc:
                yield number, start, None, _reason(exc)
                continue
        except Exception as exc:  # pymarc raises many kinds, and ValueError on bad numbers
            yield number, start, None, _reason(exc)
            continue
        yield number, start, record, note


class _Collector(pymarc.XmlHandler):
    """Keeps each record with its number and the line where it ended."""

    def __init__(self) -> None:
        super().__init__(strict=False, normalize_form="NFC")
        self.found: list[tuple[int, int, pymarc.Record]] = []
        self.locator = None

    def setDocumentLocator(self, locator) -> None:  # SAX calls it by this name
        self.locator = locator

    def process_record(self, record: pymarc.Record) -> None:
        line = self.locator.getLineNumber() if self.locator else 0
        self.found.append((len(self.found) + 1, line, record))


def read_marcxml(data: bytes) -> tuple[list[tuple[int, int, pymarc.Record]], RecordProblem | None]:
    """The records of a MARCXML file; a file broken part-way keeps the records before it."""
    collector = _Collector()
    parser = xml.sax.make_parser()
    parser.setContentHandler(collector)
    parser.setFeature(xml.sax.handler.feature_namespaces, 1)
    # No external entities: an import file must not make us read other files.
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    try:
        parser.parse(io.BytesIO(data))
    except xml.sax.SAXParseException as exc:
        problem = RecordProblem(
            len(collector.found) + 1,
            None,
            _("the XML is broken ({error}); the records after it were not read").format(
                error=exc.getMessage()
            ),
            line=exc.getLineNumber(),
        )
        return collector.found, problem
    return collector.found, None


# --------------------------------------------------------------------------- fields


def _first(record: pymarc.Record, tags: tuple[str, ...], code: str) -> str:
    for tag in tags:
        for f in record.get_fields(tag):
            for value in f.get_subfields(code):
                if value.strip():
                    return value
    return ""


def _trim(value: str) -> str:
    """A value without the ISBD punctuation that ends MARC fields (" /", " :", ",", ".")."""
    value = text.clean(value)
    value = re.sub(r"[\s/:;,=]+$", "", value)
    # A final full stop is punctuation, except after an initial or an abbreviation ("Jr.").
    if value.endswith(".") and not re.search(r"(\b\w|\.\.)\.$", value):
        value = value[:-1]
    return value.strip()


def _title(record: pymarc.Record) -> str:
    for f in record.get_fields("245"):
        main = _trim(" ".join(f.get_subfields("a")))
        rest = _trim(" ".join(f.get_subfields("b")))
        if main:
            return f"{main} : {rest}" if rest else main
    return ""


def _language(record: pymarc.Record) -> str:
    code = text.clean(_first(record, ("041",), "a"))[:3].lower()
    if not code:
        f008 = record.get_fields("008")
        data = f008[0].data if f008 and f008[0].data else ""
        code = data[35:38].strip().lower() if len(data) >= 38 else ""
    if not code or not code.isalpha():
        return "vi"
    return LANGUAGES.get(code, code)


def _isbn(record: pymarc.Record, number: int, warnings: list[RecordProblem]) -> str | None:
    seen = []
    for f in record.get_fields("020"):
        for value in f.get_subfields("a"):
            match = ISBN_TOKEN.search(value)
            if not match:
                continue
            code = isbn.normalize(match.group())
            if code:
                return code
            seen.append(match.group())
    if seen:
        warnings.append(
            RecordProblem(
                number,
                None,
                _("ISBN '{value}' has a wrong check digit: imported without it").format(
                    value=seen[0]
                ),
                skipped=False,
            )
        )
    return None


def _flagged(value: str) -> bool:
    """Koha's status subfields: empty or 0 means no."""
    value = value.strip()
    return bool(value) and value != "0"


def _items(record: pymarc.Record, control: str) -> list[dict]:
    items = []
    for f in record.get_fields("952", "852"):
        sub = {code: text.clean(f.get(code) or "") for code in "pijhocy7102b"}
        if f.tag == "952":
            number, shelf = sub["i"], sub["o"]
        else:
            number = sub["j"]
            shelf = " ".join(v for v in (sub["h"], sub["i"]) if v) or sub["c"]
        barcode = sub["p"] or None
        accession = number or barcode or f"{control or 'MARC'}-{len(items) + 1}"
        item_type = text.search_key(sub["y"]).upper() if f.tag == "952" else ""
        status = "available"
        if f.tag == "952" and _flagged(sub["1"]):
            status = "lost"
        if f.tag == "952" and _flagged(sub["0"]):
            status = "withdrawn"
        items.append(
            {
                "accession": accession,
                "barcode": barcode,
                "shelf": shelf,
                "loanable": not (
                    (f.tag == "952" and _flagged(sub["7"])) or item_type in REFERENCE_TYPES
                ),
                "status": status,
            }
        )
    return items


def extract(record: pymarc.Record, number: int, warnings: list[RecordProblem]) -> Bib | str:
    """The title and items of one record, or the reason it cannot be imported."""
    title = _title(record)
    if not title:
        return _("no title (field 245 $a)")
    author = _trim(_first(record, ("100", "110", "700", "710"), "a"))
    publisher = _trim(_first(record, ("260", "264"), "b"))
    year_match = YEAR.search(_first(record, ("260", "264"), "c"))
    subjects = [_trim(" -- ".join(f.get_subfields("a", "x"))) for f in record.get_fields("650")]
    first_001 = record.get("001")
    control = text.clean(first_001.data or "") if first_001 is not None else ""
    return Bib(
        number,
        title={
            "title": title,
            "author": author,
            "year": int(year_match.group()) if year_match else None,
            "publisher": publisher,
            "isbn": _isbn(record, number, warnings),
            "subjects": "; ".join(dict.fromkeys(s for s in subjects if s)),
            "language": _language(record),
            "local_document": False,
        },
        copies=_items(record, control or str(number)),
    )


def parse(data: bytes) -> tuple[list[Bib], list[RecordProblem], int]:
    """Every usable record of a MARC file (either syntax), the problems, and the record count."""
    bibs: list[Bib] = []
    problems: list[RecordProblem] = []
    if detect_format(data) == "marcxml":
        found, broken = read_marcxml(data)
        for number, line, record in found:
            result = extract(record, number, problems)
            if isinstance(result, str):
                problems.append(RecordProblem(number, None, result, line=line))
            else:
                bibs.append(result)
        if broken:
            problems.append(broken)
        return bibs, problems, len(found) + (1 if broken else 0)
    count = 0
    for number, offset, record, reason in read_iso2709(data):
        count = number
        if record is None:
            problems.append(RecordProblem(number, offset, reason))
            continue
        if reason:
            problems.append(RecordProblem(number, offset, reason, skipped=False))
        try:
            result = extract(record, number, problems)
        except Exception as exc:  # a record pymarc accepted but that is malformed inside
            result = _reason(exc)
        if isinstance(result, str):
            problems.append(RecordProblem(number, offset, result))
        else:
            bibs.append(result)
    return bibs, problems, count


# --------------------------------------------------------------------------- writing

_INSERT_COPY = (
    "INSERT INTO copy (title_id, accession, barcode, shelf, batch_id, loanable, status,"
    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def write(
    bibs: list[Bib],
    summary: MarcSummary,
    when: datetime,
    batch_id: int | None = None,
    status: str | None = None,
) -> list[int]:
    """Insert the titles (merged) and their new copies; return the new copies' ids.

    `batch_id` and `status` are for rotation manifests: their copies belong to the batch and
    wait, as 'missing', until they are received. `when` stamps what is added.
    """
    known = _existing_titles()
    taken_accessions = {a for (a,) in db.execute_sql("SELECT accession FROM copy").fetchall()}
    taken_barcodes = {
        b for (b,) in db.execute_sql("SELECT barcode FROM copy WHERE barcode IS NOT NULL")
    }
    new_ids: set[int] = set()
    merged_ids: set[int] = set()
    copy_ids: list[int] = []
    now = str(when.replace(microsecond=0))
    for bib in bibs:
        title_id = find_or_add_title(bib.title, known, new_ids, merged_ids, now)
        for item in bib.copies:
            if item["accession"] in taken_accessions or item["barcode"] in taken_barcodes:
                summary.copies_existing += 1
                continue
            taken_accessions.add(item["accession"])
            if item["barcode"]:
                taken_barcodes.add(item["barcode"])
            copy_ids.append(
                db.execute_sql(
                    _INSERT_COPY,
                    (
                        title_id,
                        item["accession"],
                        item["barcode"],
                        item["shelf"],
                        batch_id,
                        item["loanable"],
                        status or item["status"],
                        now,
                    ),
                ).lastrowid
            )
            summary.copies += 1
    summary.titles_new, summary.titles_merged = len(new_ids), len(merged_ids)
    return copy_ids


def read_file(path: Path) -> bytes:
    """The file's bytes, or ImportRejected saying why it cannot be read."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ImportRejected(str(path), [RowProblem(0, exc.strerror or str(exc))]) from exc


def import_marc(path: Path, dry_run: bool = False, clock: Clock | None = None) -> MarcSummary:
    """Import a MARC file: the good records are written, the others reported in the summary.

    Raises ImportRejected only when nothing at all can be imported.
    """
    data = read_file(path)
    bibs, problems, count = parse(data)
    summary = MarcSummary(dry_run=dry_run, records=count, problems=problems)
    summary.skipped = sum(1 for p in problems if p.skipped)
    summary.rows = len(bibs)
    if not bibs:
        # ImportRejected only prints its problems: a RecordProblem says where it is itself.
        reasons = problems or [RecordProblem(0, None, _("the file has no MARC records"))]
        raise ImportRejected(str(path), reasons)  # type: ignore[arg-type]
    with write_transaction() as transaction:
        write(bibs, summary, (clock or SystemClock()).now())
        if dry_run:
            transaction.rollback()
    return summary
