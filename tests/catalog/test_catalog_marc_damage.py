"""MARC files as libraries really have them: damaged ISO 2709 streams (a record cut short,
garbage between records, a wrong length, a file ending mid-record), MARCXML with a damaged
leader or a broken field, text in bad encodings, over-long values, and records too large
for MARC 21 on export. Every file is generated here in the shape found in real exports."""

from __future__ import annotations

import pymarc
import pytest

from kiosk import i18n
from kiosk.catalog import export as catalog_export
from kiosk.catalog import marc as catalog_marc
from kiosk.catalog.csv_import import ImportRejected
from kiosk.flows import staff_import
from kiosk.store.db import db
from kiosk.store.models import Copy, Title
from tests.catalog.marc_records import iso2709, koha_record, marc8


def record(n: int) -> bytes:
    return koha_record(f"G{n}", f"Sách số {n}", "Tác giả", items=({"i": f"G-{n}"},)).as_marc()


def accessions() -> list[str]:
    return sorted((c.accession for c in Copy.select()), key=lambda a: int(a.split("-")[1]))


def xml_file(*records: bytes) -> bytes:
    head = b'<?xml version="1.0" encoding="UTF-8"?>\n'
    head += b'<collection xmlns="http://www.loc.gov/MARC21/slim">\n'
    return head + b"\n".join(records) + b"\n</collection>\n"


def xml_record(n: int, leader: str = "00000nam a2200000 a 4500", extra: str = "") -> bytes:
    return (
        f"<record><leader>{leader}</leader><controlfield tag='001'>X{n}</controlfield>"
        f"<datafield tag='245' ind1='1' ind2='0'><subfield code='a'>Sách XML {n}</subfield>"
        f"</datafield>{extra}<datafield tag='952' ind1=' ' ind2=' '>"
        f"<subfield code='i'>X-{n}</subfield></datafield></record>"
    ).encode()


# --------------------------------------------------------------------------- ISO 2709 resync


def test_a_truncated_record_loses_nothing_after_it(store, tmp_path, capfd):
    """Ten records, the fifth cut short with the sixth right after it: 1-4 and 6-10 import,
    record 5 is reported as record 5 at its byte offset, and the count is right."""
    records = [record(n) for n in range(1, 11)]
    cut = records[4][:-60]  # no record terminator: record 6's leader follows at once
    data = b"".join(records[:4]) + cut + b"".join(records[5:])
    path = tmp_path / "export.mrc"
    path.write_bytes(data)
    summary = catalog_marc.import_marc(path)
    assert (summary.records, summary.skipped, summary.copies) == (10, 1, 9)
    assert accessions() == [f"G-{n}" for n in (1, 2, 3, 4, 6, 7, 8, 9, 10)]
    (problem,) = summary.problems
    offset = sum(len(r) for r in records[:4])
    assert (problem.record, problem.offset, problem.skipped) == (5, offset, True)
    assert str(problem).startswith(f"record 5 (byte {offset}): the record is cut short")
    assert f"{len(cut)} of the {len(records[4])} bytes" in str(problem)
    assert capfd.readouterr().err == ""


def test_garbage_a_wrong_length_and_a_cut_end(store, tmp_path):
    """Garbage between records is reported (without a record number), a record whose leader
    gives a wrong length is skipped with both lengths, and the file ending mid-record loses
    only that record; every other record imports and keeps its number."""
    records = [record(n) for n in range(1, 7)]
    garbage = b"\r\n-- exported by Libol 6.0 --\r\n"
    wrong = b"00050" + records[2][5:]
    data = records[0] + records[1] + garbage + wrong + records[3] + records[4] + records[5][:90]
    path = tmp_path / "messy.mrc"
    path.write_bytes(data)
    summary = catalog_marc.import_marc(path)
    assert accessions() == ["G-1", "G-2", "G-4", "G-5"]
    assert (summary.records, summary.skipped) == (6, 2)
    by_record = {p.record: p for p in summary.problems}
    assert set(by_record) == {None, 3, 6}
    assert by_record[None].offset == len(records[0]) + len(records[1]) + 2  # after the CRLF
    assert "not a MARC record" in str(by_record[None]) and not by_record[None].record
    assert f"says 50 bytes but the record has {len(wrong)}" in str(by_record[3])
    assert "cut short (end of file)" in str(by_record[6])
    view = staff_import.check(path)
    assert view.ok and any("not a MARC record" in line for line in view.problems)


def test_a_damaged_record_never_echoes_its_bytes(store, tmp_path):
    """A record pymarc refuses is reported by a short reason, not by pymarc's text (which can
    carry the whole record)."""
    bad_base = record(2)[:12] + b"00000" + record(2)[17:]
    path = tmp_path / "b.mrc"
    path.write_bytes(record(1) + bad_base)
    summary = catalog_marc.import_marc(path)
    (problem,) = [p for p in summary.problems if p.skipped]
    assert problem.record == 2 and len(str(problem)) < 120
    assert "Sách số 2" not in str(problem)


# --------------------------------------------------------------------------- text damage


def test_damaged_utf8_is_imported_and_reported_with_its_field(store, tmp_path, capfd):
    title = "Truyện Kiều".encode() + b"\xff\xfe " + "bản mới".encode()
    data = iso2709([("001", b"U1"), ("245", b"10\x1fa" + title), ("952", b"  \x1fiU-1")])
    path = tmp_path / "u.mrc"
    path.write_bytes(record(1) + data)
    summary = catalog_marc.import_marc(path)
    assert summary.skipped == 0 and summary.copies == 2
    (note,) = summary.problems
    assert not note.skipped and note.record == 2
    assert "text may be damaged" in str(note) and "field 245" in str(note)
    stored = Copy.get(Copy.accession == "U-1").title.title
    assert stored.startswith("Truyện Kiều") and stored.endswith("bản mới")
    assert capfd.readouterr().err == ""


def test_a_bad_marc8_escape_is_imported_and_reported(store, tmp_path, capfd):
    """An escape to a character set that does not exist (ESC ( Z) and a byte that is no
    ANSEL character: pymarc drops or blanks them silently; here the field is named."""
    fields = [
        ("001", b"M1"),
        ("100", b"1 \x1fa" + marc8("Hồ Chí Minh")),
        ("245", b"10\x1fa" + marc8("Nhật ký") + b" \x1b(Z trong t\xfcu"),
        ("952", b"  \x1fiM8-1"),
    ]
    path = tmp_path / "m8.mrc"
    path.write_bytes(iso2709(fields, leader9=b" "))
    summary = catalog_marc.import_marc(path)
    assert summary.copies == 1
    (note,) = summary.problems
    assert "text may be damaged" in str(note) and "field 245" in str(note)
    assert "100" not in str(note)
    assert Title.get().author == "Hồ Chí Minh"
    assert capfd.readouterr().err == ""


def test_pymarc_warnings_do_not_reach_stderr(store, tmp_path, capfd):
    """A field without indicators makes pymarc log in English; it becomes a note."""
    fields = [("001", b"W1"), ("245", "\x1faSách thiếu chỉ thị".encode()), ("952", b"  \x1fiW-1")]
    path = tmp_path / "w.mrc"
    path.write_bytes(iso2709(fields))
    summary = catalog_marc.import_marc(path)
    assert summary.copies == 1
    assert any("indicators" in str(p) and not p.skipped for p in summary.problems)
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_utf8_marcxml_with_a_bad_byte_keeps_every_record(store, tmp_path):
    bad = xml_record(2).replace("Sách XML 2".encode(), b"S\xe1ch XML 2")
    path = tmp_path / "bad-bytes.xml"
    path.write_bytes(xml_file(xml_record(1), bad, xml_record(3)))
    summary = catalog_marc.import_marc(path)
    assert summary.copies == 3 and summary.skipped == 0
    (note,) = summary.problems
    assert note.record == 2 and "text may be damaged" in str(note) and "245" in str(note)


# --------------------------------------------------------------------------- MARCXML


def test_marcxml_with_an_invalid_leader_imports_with_a_note(store, tmp_path, capfd):
    """pymarc raises RecordLeaderInvalid for a leader that is not 24 characters: that ended
    the import with a traceback. The record is read without it and noted."""
    path = tmp_path / "leader.xml"
    path.write_bytes(xml_file(xml_record(1), xml_record(2, leader="00000nam"), xml_record(3)))
    summary = catalog_marc.import_marc(path)
    assert summary.copies == 3 and summary.records == 3
    (note,) = summary.problems
    assert note.record == 2 and not note.skipped and "leader is damaged" in str(note)
    assert capfd.readouterr().err == ""


def test_marcxml_field_without_a_tag_skips_that_record_only(store, tmp_path):
    broken = xml_record(2, extra="<datafield ind1=' '><subfield code='a'>x</subfield></datafield>")
    path = tmp_path / "tagless.xml"
    path.write_bytes(xml_file(xml_record(1), broken, xml_record(3)))
    summary = catalog_marc.import_marc(path)
    assert sorted(c.accession for c in Copy.select()) == ["X-1", "X-3"]
    (problem,) = summary.problems
    assert problem.record == 2 and problem.skipped and "no tag" in str(problem)
    assert (summary.records, summary.skipped) == (3, 1)


def test_broken_xml_is_said_in_the_kiosk_language(store, tmp_path):
    path = tmp_path / "cut.xml"
    path.write_bytes(xml_file(xml_record(1)).replace(b"</collection>", b"<record><leader>"))
    summary = catalog_marc.import_marc(path)
    (problem,) = summary.problems
    assert problem.record == 2 and "the records after it were not read" in str(problem)
    assert "the file ends in the middle of the XML" in str(problem)
    i18n.set_language("vi")
    try:
        vietnamese = str(catalog_marc.parse(path.read_bytes())[1][0])
    finally:
        i18n.set_language("en")
    assert vietnamese.startswith("biểu ghi 2 (dòng 5)")
    assert "no element found" not in vietnamese and "XML" in vietnamese


def test_a_huge_title_from_entity_expansion_is_cut_with_a_note(store, tmp_path):
    """An internal entity expanded 3,000 times makes a 300,000-character title."""
    doctype = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE collection [\n'
        b'<!ENTITY a "' + b"x" * 100 + b'">\n'
        b'<!ENTITY b "' + b"&a;" * 3000 + b'">\n]>\n'
        b'<collection xmlns="http://www.loc.gov/MARC21/slim">\n'
    )
    path = tmp_path / "entity.xml"
    path.write_bytes(
        doctype + xml_record(1).replace(b"S\xc3\xa1ch XML 1", b"&b;") + b"\n</collection>"
    )
    summary = catalog_marc.import_marc(path)
    assert summary.copies == 1
    assert len(Title.get().title) == 500
    (note,) = summary.problems
    assert "300,000 characters long: cut to 500" in str(note)


def test_an_accession_number_too_long_leaves_that_copy_out(store, tmp_path):
    items = ({"i": "A" * 65}, {"i": "OK-1"})
    path = tmp_path / "long.mrc"
    path.write_bytes(koha_record("L1", "Sách", items=items).as_marc())
    summary = catalog_marc.import_marc(path)
    assert [c.accession for c in Copy.select()] == ["OK-1"]
    (note,) = summary.problems
    assert "copy was left out" in str(note) and "65 characters" in str(note)


# --------------------------------------------------------------------------- files


def test_a_folder_and_an_empty_mrc_are_said_plainly(store, tmp_path):
    folder = tmp_path / "stick.mrc"
    folder.mkdir()
    with pytest.raises(ImportRejected) as info:
        catalog_marc.import_marc(folder)
    assert "this is a folder" in str(info.value) and "line 0" not in str(info.value)
    assert "Is a directory" not in str(info.value)
    empty = tmp_path / "empty.mrc"
    empty.write_bytes(b"")
    view = staff_import.check(empty)
    assert not view.ok and view.problems == ["the file is empty"]
    view = staff_import.check(folder)
    assert view.problems == ["this is a folder, not a file"]


# --------------------------------------------------------------------------- export


def test_a_title_too_large_for_one_marc_record_exports_and_reimports(store, tmp_path):
    """A title whose text is far over MARC 21's limits (a 200,000-character subject list and
    a 20,000-character title, stored before the import had limits) and whose 2,000 copies do
    not fit in 99,999 bytes: every record written is valid and the whole export re-imports."""
    subjects = "; ".join(f"Chủ đề số {n} " + "x" * 200 for n in range(1000))
    assert len(subjects) > 200_000
    cursor = db.execute_sql(
        "INSERT INTO title (title, author, publisher, language, subjects, local_document,"
        " title_key, author_key, exact_key, created_at)"
        " VALUES (?, 'Tác giả', '', 'vi', ?, 0, '', '', '', '2026-01-01 08:00:00')",
        ("Nhan đề rất dài " * 1250, subjects),
    )
    title_id = cursor.lastrowid
    with db.atomic():
        for n in range(2000):
            db.execute_sql(
                "INSERT INTO copy (title_id, accession, barcode, shelf, loanable, status,"
                " created_at) VALUES (?, ?, ?, 'Kho mở', 1, 'available', '2026-01-01 08:00:00')",
                (title_id, f"DKCB-{n:05d}", f"89300{n:08d}"),
            )
    out = tmp_path / "big.mrc"
    catalog_export.to_marc(out)
    data = out.read_bytes()
    parts = list(pymarc.MARCReader(data))
    assert len(parts) > 1 and all(r is not None for r in parts)
    for r in parts:
        raw = r.as_marc()
        assert len(raw) <= 99_999 and int(raw[:5]) == len(raw)
        assert any("MARC 21" in n.value() for n in r.get_fields("500"))
    from kiosk.store.db import open_database

    open_database(tmp_path / "other.db")
    summary = catalog_marc.import_marc(out)
    assert summary.skipped == 0 and summary.copies == 2000
    assert Title.select().count() == 1  # the parts merge back into one title
    assert summary.records == len(parts)
