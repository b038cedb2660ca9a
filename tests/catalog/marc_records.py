"""Build MARC files shaped like real exports (Koha 952 items, Vebrary/Libol 852), in the test.

pymarc writes UTF-8 (or raw bytes) but has no MARC-8 encoder: `marc8` below encodes with the
inverse of pymarc's own MARC-8 tables (ANSEL: combining marks come BEFORE their base letter;
ơ, ư, đ are single characters), which the import then decodes with pymarc's decoder.
"""

from __future__ import annotations

import unicodedata

import pymarc
from pymarc import Field, Indicators, Subfield
from pymarc import marc8_mapping as _mapping

_ANSEL = {chr(code): byte for byte, (code, _combining) in _mapping.CODESETS[0x45].items()}


def marc8(value: str) -> bytes:
    """MARC-8 bytes (ASCII + ANSEL in G1) of a Vietnamese string."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", value):
        if ord(char) < 0x80:
            out.append(ord(char))
            continue
        if char in _ANSEL:
            out.append(_ANSEL[char])
            continue
        parts = unicodedata.normalize("NFD", char)
        # Longest precomposed prefix that MARC-8 has (o + horn -> ơ), then the marks.
        for cut in range(len(parts), 0, -1):
            base = unicodedata.normalize("NFC", parts[:cut])
            if len(base) == 1 and (ord(base) < 0x80 or base in _ANSEL):
                break
        marks = parts[cut:]
        out += bytes(_ANSEL[m] for m in marks)
        out += bytes([ord(base)]) if ord(base) < 0x80 else bytes([_ANSEL[base]])
    return bytes(out)


def field(tag: str, *pairs: str, ind: str = "  ") -> Field:
    """A data field from alternating codes and values: field("245", "a", "Title", "b", "x")."""
    subs = [Subfield(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)]
    return Field(tag, Indicators(ind[0], ind[1]), subs)


def koha_record(
    control: str,
    title: str,
    author: str = "",
    isbn: str = "",
    items: tuple[dict, ...] = (),
    year: str = "2019",
    subtitle: str = "",
    subjects: tuple[str, ...] = (),
    language: str = "vie",
) -> pymarc.Record:
    """A bibliographic record as Koha exports it, with ISBD punctuation and 952 items."""
    record = pymarc.Record(force_utf8=True)
    record.leader = pymarc.Leader("00000nam a22000007a 4500")
    record.add_field(Field(tag="001", data=control))
    record.add_field(Field(tag="008", data="190101s2019    vm            000 0 " + language + " d"))
    if isbn:
        record.add_field(field("020", "a", isbn))
    if author:
        record.add_field(field("100", "a", author + ",", ind="1 "))
    parts = ["a", title + (" :" if subtitle else " /")]
    if subtitle:
        parts += ["b", subtitle + " /"]
    record.add_field(field("245", *parts, ind="10"))
    record.add_field(field("260", "a", "H. :", "b", "Kim Đồng,", "c", year + "."))
    for subject in subjects:
        record.add_field(field("650", "a", subject + ".", ind=" 7"))
    for item in items:
        pairs: list[str] = []
        for code, value in item.items():
            pairs += [code, value]
        record.add_field(field("952", *pairs))
    return record


def libol_record(control: str, title: str, author: str, numbers: tuple[str, ...]) -> pymarc.Record:
    """A Libol/Vebrary style record: holdings in 852 ($j = registration number ĐKCB)."""
    record = pymarc.Record(force_utf8=True)
    record.leader = pymarc.Leader("00000nam a2200000 a 4500")
    record.add_field(Field(tag="001", data=control))
    record.add_field(field("041", "a", "vie", ind="0 "))
    record.add_field(field("100", "a", author, ind="1 "))
    record.add_field(field("245", "a", title, ind="10"))
    record.add_field(field("264", "b", "NXB Giáo dục", "c", "c2021"))
    for number in numbers:
        record.add_field(field("852", "a", "TVX", "b", "Kho mở", "h", "895.922", "j", number))
    return record


def marc8_record(control: str, title: str, author: str, accession: str) -> bytes:
    """An ISO 2709 record in MARC-8 (leader/09 blank), built by hand."""
    fields = [
        ("001", control.encode("ascii")),
        ("100", b"1 \x1fa" + marc8(author)),
        ("245", b"10\x1fa" + marc8(title)),
        ("952", b"  \x1fi" + accession.encode("ascii") + b"\x1fo" + marc8("Văn học")),
    ]
    return iso2709(fields, leader9=b" ")


def iso2709(fields: list[tuple[str, bytes]], leader9: bytes = b"a") -> bytes:
    """Assemble a record from raw field bytes (each gets its field terminator)."""
    directory, body = b"", b""
    for tag, data in fields:
        data += b"\x1e"
        directory += tag.encode("ascii") + b"%04d%05d" % (len(data), len(body))
        body += data
    directory += b"\x1e"
    base = 24 + len(directory)
    length = base + len(body) + 1
    leader = b"%05dnam " % length + leader9 + b"22" + b"%05d" % base + b"   4500"
    assert len(leader) == 24
    return leader + directory + body + b"\x1d"
