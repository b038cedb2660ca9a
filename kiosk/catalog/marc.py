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
import logging
import re
import unicodedata
import warnings
import xml.sax
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from xml.parsers.expat import errors as expat_errors

import pymarc
from pymarc import marc8_mapping

from kiosk import isbn, text
from kiosk.catalog import limits, tables
from kiosk.catalog.csv_import import (
    ImportRejected,
    RowProblem,
    Summary,
    _existing_titles,
    file_problem,
    find_or_add_title,
)
from kiosk.clock import Clock, SystemClock
from kiosk.i18n import N_, _, ngettext
from kiosk.store.db import db, write_transaction

RECORD_END, FIELD_END = 0x1D, 0x1E
LANGUAGES = {"vie": "vi", "eng": "en", "fre": "fr", "chi": "zh", "rus": "ru", "ger": "de"}
REFERENCE_TYPES = {"REF", "TK", "TRA CUU", "TRACUU", "THAM KHAO", "DOC TAI CHO"}
YEAR = re.compile(r"(1[4-9]\d\d|20\d\d|2100)")
ISBN_TOKEN = re.compile(r"[0-9Xx][0-9Xx\- ]{8,16}[0-9Xx]")


@dataclass(frozen=True)
class RecordProblem:
    """A record skipped (or imported with a warning): its number, where it starts, why."""

    record: int | None  # None: bytes between records that are no record at all
    offset: int | None  # byte offset in an ISO 2709 file
    message: str
    line: int | None = None  # line in a MARCXML file
    skipped: bool = True

    def __str__(self) -> str:
        if self.record is None:
            where = _("byte {offset}").format(offset=self.offset)
        elif self.record == 0:
            return self.message  # the file as a whole
        elif self.offset is not None:
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


@dataclass
class Bib:
    """One usable record: the title's fields and its items."""

    record: int
    title: dict
    copies: list[dict] = field(default_factory=list)


# --------------------------------------------------------------------------- reading


def detect_format(data: bytes, path: Path | None = None) -> str:
    """'marcxml', 'marc' (ISO 2709), 'xlsx' or 'csv', from the first bytes of a file; when
    they do not tell (an empty file), from the name's extension."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "marcxml"
    if len(head) >= 24 and head[:5].isdigit() and head[20:24] == b"4500":
        return "marc"
    if data.startswith((tables.XLSX_MAGIC, tables.XLS_MAGIC)):
        return "xlsx"
    if path is not None and not head:
        return SUFFIX_FORMATS.get(path.suffix.lower(), "csv")
    return "csv"


SUFFIX_FORMATS = {".mrc": "marc", ".marc": "marc", ".iso": "marc", ".xml": "marcxml"}
SUFFIX_FORMATS[".xlsx"] = "xlsx"


# ---- ISO 2709 -------------------------------------------------------------------------------
# A leader as MARC 21 writes it: length, status, type, level, control, coding scheme, "22",
# base address, three codes, "4500". Used to find where the next record starts after damage.
LEADER = re.compile(rb"\d{5}[\x20-\x7e]{5}22\d{5}[\x20-\x7e]{3}4500")
LOOSE_LEADER = re.compile(rb"\d{5}[\x20-\x7e]{15}4500")
PADDING = b"\r\n \x00\x1a"


def _is_leader(data: bytes, at: int) -> bool:
    """Whether a record plausibly starts at `at`: a leader whose base address lands just after
    a directory of whole 12-byte entries that ends with a field terminator."""
    if not LEADER.match(data, at):
        return False
    base = int(data[at + 12 : at + 17])
    return base >= 37 and (base - 25) % 12 == 0 and data[at + base - 1 : at + base] == b"\x1e"


def _next_leader(data: bytes, start: int) -> int:
    """Where the next plausible record starts after `start` (len(data) if none does)."""
    for match in LEADER.finditer(data, start):
        if _is_leader(data, match.start()):
            return match.start()
    return len(data)


@dataclass(frozen=True)
class Chunk:
    """A stretch of an ISO 2709 file: a record's bytes, or damage with its reason."""

    number: int | None  # its number in the file; None for bytes that are no record at all
    offset: int
    data: bytes
    reason: str = ""  # why it cannot be read ("" for a record that looks whole)


def chunks(data: bytes) -> Iterator[Chunk]:
    """The records of an ISO 2709 file, cut by their leaders and terminators, in file order.

    A record whose leader's length lands on its record terminator (and has no other inside)
    is whole. Any other is damaged: it is cut at its own terminator or where the next
    plausible leader starts, whichever comes first, so a record cut short does not swallow
    the intact record after it; reading goes on from there. Bytes between records that are
    not a record (no leader, no field or record terminator) are reported without a number.
    """
    offset, number, size = 0, 0, len(data)
    while True:
        while offset < size and data[offset] in PADDING:
            offset += 1
        if offset >= size:
            return
        start = offset
        head = data[start : start + 5]
        length = int(head) if head.isdigit() else 0
        end = start + length
        if (
            length >= 24
            and end <= size
            and data[end - 1] == RECORD_END
            and data.find(b"\x1d", start, end - 1) < 0
            and LOOSE_LEADER.match(data, start)
        ):
            number += 1
            yield Chunk(number, start, data[start:end])
            offset = end
            continue
        stop = data.find(b"\x1d", start)
        following = _next_leader(data, start + 1)
        cut_at = following if stop < 0 or following <= stop else stop + 1
        piece, offset = data[start:cut_at], cut_at
        if not LOOSE_LEADER.match(data, start) and b"\x1e" not in piece and b"\x1d" not in piece:
            yield Chunk(
                None,
                start,
                piece,
                _("{count} bytes that are not a MARC record").format(count=len(piece)),
            )
            continue
        number += 1
        if not LOOSE_LEADER.match(data, start):
            reason = _("the leader is damaged")
        elif piece[-1] != RECORD_END:
            reason = (
                _("the record is cut short (end of file)")
                if cut_at >= size
                else _(
                    "the record is cut short: it has {actual} of the {length} bytes its leader"
                    " says, and the next record starts right after it"
                ).format(actual=len(piece), length=length)
            )
        else:
            reason = _("the leader says {length} bytes but the record has {actual}").format(
                length=length, actual=len(piece)
            )
        yield Chunk(number, start, piece, reason)


def _utf8_despite_leader(chunk: bytes) -> bool:
    """A record labelled MARC-8 whose bytes are in fact UTF-8 (see the module docstring)."""
    if b"\x1b" in chunk or all(b < 0x80 for b in chunk):
        return False
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _mostly_utf8(chunk: bytes) -> bool:
    """Labelled UTF-8 and not valid UTF-8: damaged UTF-8 (it has valid multi-byte letters
    too) rather than MARC-8 under the wrong label (it has none)."""
    decoded = chunk.decode("utf-8", "replace")
    return any(ord(c) > 0x7F and c != "\ufffd" for c in decoded)


_ANSEL = marc8_mapping.CODESETS[0x45]


def _marc8_damaged(raw: bytes) -> bool:
    """Whether MARC-8 bytes hold what pymarc's decoder silently drops or blanks: an escape
    to a character set that does not exist, or a byte that is no ANSEL character."""
    pos = raw.find(b"\x1b")
    while pos >= 0:
        mark = raw[pos + 1 : pos + 2]
        if mark in (b"(", b",", b"$"):  # G0: ESC ( F, ESC , F, ESC $ F, ESC $ , F
            final = (
                raw[pos + 3 : pos + 4] if raw[pos + 2 : pos + 3] == b"," else raw[pos + 2 : pos + 3]
            )
        elif mark in (b")", b"-"):  # G1
            final = raw[pos + 2 : pos + 3]
        else:  # technique 2: ESC F
            final = mark
        if not final or (final[0] not in marc8_mapping.CODESETS and final != b"s"):
            return True
        pos = raw.find(b"\x1b", pos + 1)
    if b"\x1b" in raw:
        return False  # other character sets: trust pymarc's tables
    return any(b >= 0x80 and b not in _ANSEL for b in raw)


def _text(raw: bytes, utf8: bool) -> tuple[str, bool]:
    """One value's text, and whether it may be damaged (bad bytes replaced or dropped)."""
    if utf8:
        try:
            return raw.decode("utf-8"), False
        except UnicodeDecodeError:
            return raw.decode("utf-8", "replace"), True
    damaged = _marc8_damaged(raw)
    try:
        return pymarc.MARC8ToUnicode(quiet=True).translate(raw), damaged
    except (IndexError, TypeError, KeyError, ValueError):
        return raw.decode("latin-1"), True


def _decode(chunk: bytes) -> tuple[pymarc.Record, list[str], str]:
    """The record in Unicode, the tags of the fields whose text may be damaged, and a note on
    its encoding ("" if the leader said it right). pymarc cuts the record into raw fields; the
    text is decoded here, field by field, so damage is found and said where it is."""
    note, clean_utf8 = "", False
    utf8 = chunk[9:10] == b"a"
    if utf8:
        try:
            chunk.decode("utf-8")
            clean_utf8 = True
        except UnicodeDecodeError:
            if not _mostly_utf8(chunk):
                utf8, note = False, _("labelled UTF-8 but is not: read as MARC-8")
    elif _utf8_despite_leader(chunk):
        utf8 = clean_utf8 = True
    if utf8 and clean_utf8:  # the common case: pymarc decodes it all, nothing can be damaged
        return pymarc.Record(data=chunk, to_unicode=True, force_utf8=True), [], note
    raw = pymarc.Record(data=chunk, to_unicode=False)
    record = pymarc.Record(leader=str(raw.leader))
    damaged: list[str] = []
    for f in raw.fields:
        if f.control_field:
            value, bad = _text(f.data, utf8)
            record.add_field(pymarc.Field(tag=f.tag, data=value))
        else:
            subfields, bad = [], False
            for sub in f.subfields:
                value, sub_bad = _text(sub.value, utf8)
                subfields.append(pymarc.Subfield(sub.code, unicodedata.normalize("NFC", value)))
                bad = bad or sub_bad
            record.add_field(pymarc.Field(f.tag, f.indicators, subfields))
        if bad and f.tag not in damaged:
            damaged.append(f.tag)
    return record, damaged, note


def _reason(exc: Exception) -> str:
    """A short reason a person can pass on to whoever made the export (never pymarc's
    English, nor the record's bytes, which an exception's text may carry)."""
    names = {
        "RecordLeaderInvalid": _("the leader is damaged"),
        "BaseAddressNotFound": _("the leader has no base address"),
        "BaseAddressInvalid": _("the base address points outside the record"),
        "TruncatedRecord": _("the record is shorter than its leader says"),
        "RecordDirectoryInvalid": _("the directory is damaged"),
        "EndOfRecordNotFound": _("the record has no end mark"),
        "NoFieldsFound": _("the record has no fields"),
    }
    name = type(exc).__name__
    if name in names:
        return names[name]
    if isinstance(exc, UnicodeDecodeError):
        return _("the leader or the directory is not plain text")
    if isinstance(exc, ValueError):
        return _("a number in the leader or the directory is damaged")
    return _("the record's structure is damaged")


class _PymarcNotes(logging.Handler):
    """Collects what pymarc logs about a record (missing indicators ...), which would otherwise
    reach stderr in English: it becomes a translated note on that record."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


_PYMARC_NOTES = _PymarcNotes()
_pymarc_log = logging.getLogger("pymarc")
_pymarc_log.addHandler(_PYMARC_NOTES)
_pymarc_log.propagate = False


def damaged_note(tags: list[str]) -> str:
    """The note on a record whose text may be damaged, naming its fields."""
    return ngettext(
        "text may be damaged (bad characters) in field {fields}: imported, please check it",
        "text may be damaged (bad characters) in fields {fields}: imported, please check them",
        len(tags),
    ).format(fields=", ".join(tags))


def read_iso2709(data: bytes) -> Iterator[tuple[int | None, int, pymarc.Record | None, list[str]]]:
    """(record number, byte offset, record or None, reasons or notes) for each record.

    The record number is None for bytes between records that are no record (see `chunks`).
    With a record, the list holds notes (the record imports); without, the reason it cannot.
    """
    for chunk in chunks(data):
        if chunk.reason:
            yield chunk.number, chunk.offset, None, [chunk.reason]
            continue
        logged = _PYMARC_NOTES.count
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                record, damaged, note = _decode(chunk.data)
        except Exception as exc:  # pymarc raises many kinds, and ValueError on bad numbers
            yield chunk.number, chunk.offset, None, [_reason(exc)]
            continue
        notes = [note] if note else []
        if damaged:
            notes.append(damaged_note(damaged))
        if caught or _PYMARC_NOTES.count != logged:
            notes.append(_("some fields have missing or extra indicators or subfield codes"))
        yield chunk.number, chunk.offset, record, notes


# ---- MARCXML --------------------------------------------------------------------------------
_DEFAULT_LEADER = "00000nam a2200000 a 4500"
_XML_ERRORS = {
    expat_errors.XML_ERROR_NO_ELEMENTS: N_("the file ends in the middle of the XML"),
    expat_errors.XML_ERROR_INVALID_TOKEN: N_("a character or sign that XML does not allow"),
    expat_errors.XML_ERROR_UNCLOSED_TOKEN: N_("a tag is not closed"),
    expat_errors.XML_ERROR_TAG_MISMATCH: N_("a closing tag does not match its opening tag"),
    expat_errors.XML_ERROR_UNDEFINED_ENTITY: N_("an unknown &name; entity"),
    expat_errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT: N_("text after the end of the collection"),
    expat_errors.XML_ERROR_SYNTAX: N_("an XML syntax error"),
}


class _Collector(pymarc.XmlHandler):
    """Keeps each record with its number, the line where it ended, and its problems.

    A damaged element (a leader of the wrong length, a field without a tag) makes pymarc
    raise mid-parse, which would end the whole file: here it is caught and said instead.
    A damaged leader does not stop a record (MARCXML text needs no leader to be read): the
    record imports with a note. Anything else damaged skips that record only."""

    def __init__(self) -> None:
        super().__init__(strict=False, normalize_form="NFC")
        self.found: list[tuple[int, int, pymarc.Record, list[str]]] = []
        self.failed: list[tuple[int, int, str]] = []
        self.locator = None
        self._notes: list[str] = []
        self._broken = ""

    def setDocumentLocator(self, locator) -> None:  # SAX calls it by this name
        self.locator = locator

    def _line(self) -> int:
        return self.locator.getLineNumber() if self.locator else 0

    def _number(self) -> int:
        return len(self.found) + len(self.failed) + 1

    def startElementNS(self, name, qname, attrs) -> None:
        if name[1] == "record":
            self._notes, self._broken = [], ""
        try:
            super().startElementNS(name, qname, attrs)
        except Exception:  # a field or subfield without its tag or code
            self._broken = self._broken or _("a field has no tag, or a subfield no code")
            self._field = None

    def endElementNS(self, name, qname) -> None:
        if name[1] == "leader" and self._record is not None:
            leader = unicodedata.normalize("NFC", "".join(self._text))
            if len(leader) != 24:
                self._notes.append(_("the leader is damaged: read without it"))
                self._text = [_DEFAULT_LEADER]
        try:
            super().endElementNS(name, qname)
        except Exception:
            self._broken = self._broken or _("the record's structure is damaged")
            self._text, self._field = [], None

    def process_record(self, record: pymarc.Record) -> None:
        if self._broken:
            self.failed.append((self._number(), self._line(), self._broken))
        else:
            self.found.append((self._number(), self._line(), record, self._notes))


def _xml_reason(exc: xml.sax.SAXParseException) -> str:
    """What is wrong with the XML, in the kiosk's language (expat's text is English)."""
    underlying = exc.getMessage()
    for message, words in _XML_ERRORS.items():
        if underlying == message:
            return _(words)
    return _("the XML is damaged")


def read_marcxml(
    data: bytes,
) -> tuple[list[tuple[int, int, pymarc.Record, list[str]]], list[RecordProblem]]:
    """The records of a MARCXML file with their notes, and the problems: records skipped, and
    the place the XML breaks, if it does (the records before it are kept).

    A UTF-8 file with bytes that are not UTF-8 is read with those bytes replaced, and each
    record holding one gets a "text may be damaged" note: otherwise the XML parser would
    stop at the first bad byte and lose every record after it."""
    try:
        data.decode("utf-8")
        repaired = False
    except UnicodeDecodeError:
        head = data[:200].lower()
        repaired = b"encoding=" not in head or b"utf-8" in head
        if repaired:
            data = data.decode("utf-8", "replace").encode("utf-8")
    collector = _Collector()
    parser = xml.sax.make_parser()
    parser.setContentHandler(collector)
    parser.setFeature(xml.sax.handler.feature_namespaces, 1)
    # No external entities: an import file must not make us read other files.
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    broken = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parser.parse(io.BytesIO(data))
    except xml.sax.SAXParseException as exc:
        broken = RecordProblem(
            len(collector.found) + len(collector.failed) + 1,
            None,
            _(
                "the XML is broken: {reason} (column {column}); the records after it were not read"
            ).format(reason=_xml_reason(exc), column=exc.getColumnNumber()),
            line=exc.getLineNumber(),
        )
    problems = [RecordProblem(n, None, r, line=ln) for n, ln, r in collector.failed]
    return _damage_notes(collector.found, repaired), problems + ([broken] if broken else [])


def _damage_notes(found, repaired: bool):
    """Add the "text may be damaged" note to records holding a replaced byte."""
    if not repaired:
        return found
    out = []
    for number, line, record, notes in found:
        tags = []
        for f in record.fields:
            values = [f.data] if f.control_field else [s.value for s in f.subfields]
            if any("\ufffd" in (v or "") for v in values) and f.tag not in tags:
                tags.append(f.tag)
        out.append((number, line, record, [*notes, damaged_note(tags)] if tags else notes))
    return out


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


def _limited(name: str, value: str, notes: list[str]) -> str:
    """`value` cut to its limit (kiosk.catalog.limits), the cut noted."""
    value, note = limits.cut(name, value)
    if note:
        notes.append(note)
    return value


def _checked_items(items: list[dict], notes: list[str]) -> list[dict]:
    """The items whose accession number and barcode are within their limits; the others
    are left out with a note (cut short, they would name another copy)."""
    kept = []
    for item in items:
        try:
            for name in ("accession", "barcode", "shelf"):
                if item[name]:
                    item[name] = _limited(name, item[name], notes)
        except ValueError as exc:
            notes.append(_("a copy was left out: {reason}").format(reason=exc))
            continue
        kept.append(item)
    return kept


def extract(
    record: pymarc.Record, number: int, warnings: list[RecordProblem], where: dict | None = None
) -> Bib | str:
    """The title and items of one record, or the reason it cannot be imported. Values over
    their limit are cut (or, for an item's identifiers, the item left out), with a note in
    `warnings` placed as `where` says (offset=, line=)."""
    where = where or {}
    notes: list[str] = []
    title = _limited("title", _title(record), notes)
    if not title:
        return _("no title (field 245 $a)")
    author = _limited("author", _trim(_first(record, ("100", "110", "700", "710"), "a")), notes)
    publisher = _limited("publisher", _trim(_first(record, ("260", "264"), "b")), notes)
    year_match = YEAR.search(_first(record, ("260", "264"), "c")[: limits.OTHER_LIMIT])
    subjects = [_trim(" -- ".join(f.get_subfields("a", "x"))) for f in record.get_fields("650")]
    first_001 = record.get("001")
    control = text.clean(first_001.data or "")[:40] if first_001 is not None else ""
    isbn_code = _isbn(record, number, warnings)
    if isbn_code and len(isbn_code) > limits.limit("isbn"):
        isbn_code = None
    bib = Bib(
        number,
        title={
            "title": title,
            "author": author,
            "year": int(year_match.group()) if year_match else None,
            "publisher": publisher,
            "isbn": isbn_code,
            "subjects": _limited(
                "subjects", "; ".join(dict.fromkeys(s for s in subjects if s)), notes
            ),
            "language": _language(record)[: limits.limit("language")],
            "local_document": False,
        },
        copies=_checked_items(_items(record, control or str(number)), notes),
    )
    for note in notes:
        warnings.append(RecordProblem(number, message=note, skipped=False, **where))
    return bib


def parse(data: bytes) -> tuple[list[Bib], list[RecordProblem], int]:
    """Every usable record of a MARC file (either syntax), the problems (records skipped, and
    notes on records imported), and the number of records in the file."""
    bibs: list[Bib] = []
    problems: list[RecordProblem] = []
    if detect_format(data) == "marcxml":
        found, xml_problems = read_marcxml(data)
        for number, line, record, notes in found:
            problems += [RecordProblem(number, None, n, line=line, skipped=False) for n in notes]
            result = extract(record, number, problems, {"offset": None, "line": line})
            if isinstance(result, str):
                problems.append(RecordProblem(number, None, result, line=line))
            else:
                bibs.append(result)
        problems += xml_problems
        numbers = [n for n, *_rest in found] + [p.record or 0 for p in xml_problems]
        return bibs, sorted(problems, key=_order), max(numbers, default=0)
    count = 0
    for number, offset, record, notes in read_iso2709(data):
        count = number or count
        if record is None:
            problems.append(RecordProblem(number, offset, notes[0]))
            continue
        problems += [RecordProblem(number, offset, note, skipped=False) for note in notes]
        try:
            result = extract(record, number, problems, {"offset": offset})
        except Exception as exc:  # a record pymarc accepted but that is malformed inside
            result = _reason(exc)
        if isinstance(result, str):
            problems.append(RecordProblem(number, offset, result))
        else:
            bibs.append(result)
    return bibs, problems, count


def _order(problem: RecordProblem) -> tuple[int, int]:
    return (problem.record or 0, 0 if problem.skipped else 1)


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
    """The file's bytes, or ImportRejected saying (in words staff can act on) why not."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ImportRejected(str(path), [file_problem(exc)]) from None


def import_marc(path: Path, dry_run: bool = False, clock: Clock | None = None) -> MarcSummary:
    """Import a MARC file: the good records are written, the others reported in the summary.

    Raises ImportRejected only when nothing at all can be imported.
    """
    data = read_file(path)
    if not data.strip(PADDING + b"\t\xef\xbb\xbf"):
        raise ImportRejected(str(path), [RowProblem(0, _("the file is empty"))])
    bibs, problems, count = parse(data)
    summary = MarcSummary(dry_run=dry_run, records=count, problems=problems)
    summary.skipped = sum(1 for p in problems if p.skipped and p.record is not None)
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
