"""MARC import and export on files shaped like Koha / Libol exports, built here with pymarc."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import pymarc
import pytest

from kiosk.catalog import csv_import as catalog_csv
from kiosk.catalog import export as catalog_export
from kiosk.catalog import marc as catalog_marc
from kiosk.catalog.csv_import import ImportRejected
from kiosk.store.models import Copy, Title
from tests.catalog.marc_records import iso2709, koha_record, libol_record, marc8, marc8_record

KIEU = "Truyện Kiều"


def koha_file(tmp_path: Path) -> Path:
    records = [
        koha_record(
            "1001",
            "Dế Mèn phiêu lưu ký",
            "Tô Hoài",
            "978-604-2-00000-0",
            items=(
                {"p": "8930000000011", "i": "DKCB-001", "o": "Thiếu nhi", "y": "BK"},
                {"p": "8930000000028", "i": "DKCB-002", "o": "Thiếu nhi", "7": "1"},
            ),
            subjects=("Văn học thiếu nhi", "Truyện"),
        ),
        # the same book again under its ISBN-10: merged into one title
        koha_record("1002", "Dế mèn phiêu lưu ký", "Tô Hoài", "604-2-00000-4", items=()),
        koha_record(
            "1003",
            unicodedata.normalize("NFD", KIEU),  # decomposed marks, as some exports have
            "Nguyễn Du",
            subtitle="bản đầy đủ",
            items=({"p": "8930000000035", "o": "Văn học", "y": "REF"},),
        ),
        koha_record("1004", "Sách lỗi ISBN", "Ai đó", "978-0-306-40615-8", items=({"i": "X1"},)),
    ]
    path = tmp_path / "koha.mrc"
    path.write_bytes(b"".join(r.as_marc() for r in records))
    return path


def test_koha_export_imports_titles_items_and_merges(store, tmp_path):
    summary = catalog_marc.import_marc(koha_file(tmp_path))
    assert (summary.records, summary.skipped) == (4, 0)
    assert (summary.titles_new, summary.copies) == (3, 4)
    den = Title.get(Title.isbn == "9786042000000")
    assert den.author == "Tô Hoài" and den.year == 2019 and den.publisher == "Kim Đồng"
    assert den.subjects == "Văn học thiếu nhi; Truyện" and den.language == "vi"
    copies = {c.accession: c for c in den.copies}
    assert copies["DKCB-001"].barcode == "8930000000011" and copies["DKCB-001"].loanable
    assert not copies["DKCB-002"].loanable  # 952 $7 not for loan
    kieu = Title.get(Title.author == "Nguyễn Du")
    assert kieu.title == f"{KIEU} : bản đầy đủ"
    assert unicodedata.is_normalized("NFC", kieu.title)
    (ref,) = kieu.copies
    assert ref.accession == "8930000000035" and not ref.loanable  # item type REF
    # a wrong ISBN check digit is a warning: the record is imported without it
    (warning,) = summary.problems
    assert not warning.skipped and "978-0-306-40615-8" in str(warning)
    assert Title.get(Title.title == "Sách lỗi ISBN").isbn is None


def test_importing_twice_adds_nothing(store, tmp_path):
    path = koha_file(tmp_path)
    catalog_marc.import_marc(path)
    again = catalog_marc.import_marc(path)
    assert (again.titles_new, again.copies, again.copies_existing) == (0, 0, 4)
    assert again.titles_merged == 3
    assert Copy.select().count() == 4


def test_dry_run_writes_nothing(store, tmp_path):
    summary = catalog_marc.import_marc(koha_file(tmp_path), dry_run=True)
    assert summary.dry_run and summary.copies == 4
    assert Title.select().count() == 0


def test_libol_852_holdings(store, tmp_path):
    path = tmp_path / "libol.mrc"
    record = libol_record("LB9", "Lịch sử Lạng Sơn", "Nhiều tác giả", ("VV.0012", "VV.0013"))
    path.write_bytes(record.as_marc())
    catalog_marc.import_marc(path)
    title = Title.get()
    assert title.year == 2021 and title.publisher == "NXB Giáo dục"
    assert sorted((c.accession, c.shelf, c.barcode) for c in title.copies) == [
        ("VV.0012", "895.922", None),
        ("VV.0013", "895.922", None),
    ]


def test_marc8_record_with_vietnamese_marks(store, tmp_path):
    title = "Đường Kách Mệnh : người ở phố Ưng"
    assert marc8("ở")[:2] == bytes([0xE0, 0xBC])  # hook above, then ơ: marks come first
    path = tmp_path / "marc8.mrc"
    path.write_bytes(marc8_record("M1", title, "Hồ Chí Minh", "M8-001"))
    summary = catalog_marc.import_marc(path)
    assert summary.skipped == 0 and summary.copies == 1
    stored = Title.get()
    assert stored.title == title and stored.author == "Hồ Chí Minh"
    assert Copy.get().shelf == "Văn học"
    assert unicodedata.is_normalized("NFC", stored.title)


def test_utf8_record_with_blank_leader_is_read_as_utf8(store, tmp_path):
    """Some Vietnamese systems write UTF-8 and leave leader/09 blank."""
    path = tmp_path / "mislabelled.mrc"
    raw = iso2709([("245", b"10\x1fa" + KIEU.encode()), ("952", b"  \x1fiU1")], b" ")
    path.write_bytes(raw)
    catalog_marc.import_marc(path)
    assert Title.get().title == KIEU


def _good(n: int) -> bytes:
    return koha_record(f"G{n}", f"Sách số {n}", "Tác giả", items=({"i": f"G-{n}"},)).as_marc()


def test_broken_records_are_reported_and_the_rest_import(store, tmp_path):
    good = [_good(n) for n in range(1, 6)]
    bad_length = b"99999" + good[1][5:]  # the leader's length is wrong
    truncated = good[2][:-40]  # cut: no record terminator before the next record's
    bad_directory = good[3][:27] + b"0X1" + good[3][30:]  # a non-numeric directory entry
    data = good[0] + bad_length + good[4] + bad_directory + truncated
    path = tmp_path / "broken.mrc"
    path.write_bytes(data)
    summary = catalog_marc.import_marc(path)
    offsets = [0, len(good[0]), len(good[0]) + len(bad_length)]
    offsets.append(offsets[-1] + len(good[4]))
    offsets.append(offsets[-1] + len(bad_directory))
    skipped = {p.record: p for p in summary.problems if p.skipped}
    assert set(skipped) == {2, 4, 5}
    assert skipped[2].offset == offsets[1] and "99999" in str(skipped[2])
    assert skipped[4].offset == offsets[3] and "directory is damaged" in str(skipped[4])
    assert skipped[5].offset == offsets[4] and "cut short" in str(skipped[5])
    assert f"record 2 (byte {offsets[1]})" in str(skipped[2])
    assert (summary.records, summary.skipped, summary.copies) == (5, 3, 2)
    assert sorted(c.accession for c in Copy.select()) == ["G-1", "G-5"]


def test_nothing_readable_is_rejected(store, tmp_path):
    path = tmp_path / "junk.mrc"
    path.write_bytes(b"00100nam a2200000 a 4500garbage")
    with pytest.raises(ImportRejected, match="record 1"):
        catalog_marc.import_marc(path)


def test_marcxml(store, tmp_path):
    records = [
        koha_record("X1", KIEU, "Nguyễn Du", items=({"i": "X-1", "o": "Văn học"},)),
        koha_record("X2", "Lục Vân Tiên", "Nguyễn Đình Chiểu", items=({"i": "X-2"},)),
    ]
    xml = b'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="http://www.loc.gov/MARC21/slim">\n'
    xml += b"\n".join(pymarc.record_to_xml(r, namespace=False) for r in records)
    path = tmp_path / "export.xml"
    path.write_bytes(xml + b"\n</collection>\n")
    assert catalog_marc.detect_format(path.read_bytes()) == "marcxml"
    summary = catalog_marc.import_marc(path)
    assert (summary.records, summary.copies, summary.skipped) == (2, 2, 0)
    assert Title.get(Title.author == "Nguyễn Đình Chiểu").title == "Lục Vân Tiên"

    broken = tmp_path / "broken.xml"
    broken.write_bytes(xml + b"<record><datafield tag='245'")  # cut mid-record
    Copy.delete().execute()
    summary = catalog_marc.import_marc(broken)
    (problem,) = summary.problems
    assert problem.record == 3 and problem.line is not None and "XML" in str(problem)
    assert summary.copies == 2


def test_detect_format():
    assert catalog_marc.detect_format(b"\xef\xbb\xbftitle,accession\n") == "csv"
    assert catalog_marc.detect_format(_good(1)) == "marc"
    assert catalog_marc.detect_format(b"  <?xml version='1.0'?><collection/>") == "marcxml"


def test_csv_export_round_trips(library, tmp_path):
    """The sample library out to CSV and into an empty kiosk: the same copies and titles."""
    before_titles = {(t.title, t.author, t.isbn, t.year) for t in Title.select()}
    before_copies = {
        (c.accession, c.barcode, c.shelf, c.loanable, tuple(sorted(t.uid for t in c.tags)))
        for c in Copy.select().where(Copy.batch.is_null())
    }
    out = tmp_path / "export.csv"
    summary = catalog_export.to_csv(out)
    assert summary.copies == len(before_copies)
    from kiosk.store.db import open_database

    open_database(tmp_path / "other.db")
    catalog_csv.import_csv(out)
    assert {(t.title, t.author, t.isbn, t.year) for t in Title.select()} <= before_titles
    after = {
        (c.accession, c.barcode, c.shelf, c.loanable, tuple(sorted(t.uid for t in c.tags)))
        for c in Copy.select()
    }
    assert after == before_copies
    header = next(csv.reader(out.open(encoding="utf-8-sig")))
    assert tuple(header) == catalog_csv.COLUMNS


def test_marc_export_round_trips(library, tmp_path):
    before = {
        (c.accession, c.barcode, c.shelf, c.loanable, c.title.title, c.title.author)
        for c in Copy.select().where(Copy.batch.is_null())
    }
    out = tmp_path / "export.mrc"
    catalog_export.to_marc(out)
    for record in pymarc.MARCReader(out.read_bytes()):
        assert record.leader[9] == "a"
    from kiosk.store.db import open_database

    open_database(tmp_path / "other.db")
    summary = catalog_marc.import_marc(out)
    assert summary.skipped == 0
    after = {
        (c.accession, c.barcode, c.shelf, c.loanable, c.title.title, c.title.author)
        for c in Copy.select()
    }
    assert after == before
