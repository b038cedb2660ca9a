"""The staff-operation commands, run as `kiosk ...` subprocesses on a sample kiosk."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.catalog.marc_records import iso2709, koha_record
from tests.cli.test_cli import Site, make_site


@pytest.fixture
def kiosk(tmp_path) -> Site:
    site = make_site(tmp_path / "site")
    site.ok("init", "--sample")
    return site


def test_catalog_import_marc_picks_the_format_and_reports_broken_records(kiosk, tmp_path):
    good = koha_record("9", "Sách mới", "Tác giả", items=({"i": "M-1", "o": "Mới"},)).as_marc()
    path = tmp_path / "export.dat"  # no telling extension: the content decides
    path.write_bytes(good + b"00999nam a2200000 a 4500broken\x1d")
    dry = kiosk.run("catalog", "import", "--dry-run", str(path))
    assert dry.returncode == 1
    assert "Dry run" in dry.stdout and "2 MARC records: 1 new titles" in dry.stdout
    assert "record 2 (byte 0" not in dry.stderr and f"record 2 (byte {len(good)})" in dry.stderr
    assert "the other records were imported" in dry.stderr
    assert kiosk.sql("SELECT count(*) FROM copy WHERE accession = 'M-1'") == [(0,)]
    kiosk.fails("catalog", "import", str(path))
    assert kiosk.sql("SELECT shelf FROM copy WHERE accession = 'M-1'") == [("Mới",)]


def test_catalog_export_both_formats(kiosk, tmp_path):
    out = kiosk.ok("catalog", "export", "--format", "csv", str(tmp_path / "c.csv"))
    assert "copies written" in out
    rows = list(csv.DictReader((tmp_path / "c.csv").open(encoding="utf-8-sig")))
    assert {"LS-0001", "LS-0002"} <= {r["accession"] for r in rows}
    kiosk.ok("catalog", "export", "--format", "marc", str(tmp_path / "c.mrc"))
    other = make_site(tmp_path / "other")
    other.ok("init")
    assert "0 existing titles" in other.ok("catalog", "import", str(tmp_path / "c.csv"))
    again = other.ok("catalog", "import", str(tmp_path / "c.mrc"))
    assert f"{len(rows)} already in the catalogue" in again


def test_rotation_commands(kiosk, tmp_path: Path):
    path = tmp_path / "m.csv"
    path.write_text("title,accession\nSách A,RT-1\nSách B,RT-2\n", encoding="utf-8")
    missing = kiosk.fails("rotation", "import", str(path))
    assert "due-back" in missing.stderr
    out = kiosk.ok(
        "rotation",
        "import",
        str(path),
        "--code",
        "LC-X",
        "--source",
        "Tỉnh",
        "--due-back",
        "2027-06-30",
    )
    assert "2 copies expected" in out
    out = kiosk.ok("rotation", "receive", "LC-X", "RT-1")
    assert "RT-1 Sách A: received" in out and "Not received yet (1):" in out
    assert "LC-X" in kiosk.ok("rotation", "status")
    kiosk.ok("borrow", "A1B2C3D4", "RT-1")
    status = kiosk.ok("rotation", "status", "LC-X")
    assert "on loan: 1, missing: 1" in status
    out = kiosk.ok("rotation", "send-back", "LC-X")
    assert "Still on loan (1):" in out and "Missing (1):" in out
    unknown = kiosk.fails("rotation", "status", "NOPE")
    assert "no rotation batch 'NOPE'" in unknown.stderr


def test_inventory_commands(kiosk, tmp_path):
    kiosk.ok("inventory", "start", "--shelf", "Thiếu nhi")
    assert "already open" in kiosk.fails("inventory", "start").stderr
    out = kiosk.ok("inventory", "scan", "LS-0001", "LS-0004", "ZZZ")
    assert "found" in out and "belongs elsewhere (Văn học)" in out and "unknown" in out
    assert "Thiếu nhi" in kiosk.ok("inventory", "status")
    report = tmp_path / "inv.csv"
    out = kiosk.ok("inventory", "finish", "--csv", str(report))
    assert out.startswith("Found 1, missing")
    assert report.read_text(encoding="utf-8-sig").startswith("result,item")
    assert "Found 1" in kiosk.ok("inventory", "report")


def test_label_and_replace_card_commands(kiosk):
    kiosk.sql(
        "INSERT INTO copy (title_id, accession, shelf, status, created_at)"
        " VALUES (1, 'NEW-9', 'Mới', 'available', '2026-01-01')"
    )
    assert "NEW-9" in kiosk.ok("label", "list")
    out = kiosk.ok("label", "write", "NEW-9")  # the emulator puts a blank tag on the reader
    assert "✓ NEW-9" in out and "0 copies still without a tag" in out
    assert kiosk.sql(
        "SELECT count(*) FROM copy_tag t JOIN copy c ON c.id = t.copy_id"
        " WHERE c.accession = 'NEW-9'"
    ) == [(1,)]
    assert "barcode 123456" in kiosk.ok("label", "barcode", "NEW-9", "123456")
    assert "already on copy NEW-9" in kiosk.fails("label", "barcode", "LS-0001", "123456").stderr
    kiosk.ok("borrow", "A1B2C3D4", "LS-0001")
    out = kiosk.ok("reader", "replace-card", "1", "0F0F0F0F")
    assert "card A1B2C3D4 replaced by 0F0F0F0F" in out
    assert "LS-0001" in kiosk.ok("reader", "export", "0F0F0F0F")


def test_catalog_import_of_damaged_files_speaks_vietnamese_on_stderr(kiosk, tmp_path):
    """A real `kiosk catalog import` on a stream with a record cut short, damaged UTF-8 and
    a field without indicators: the intact records import, the broken one is named with its
    number, and nothing of pymarc's English, nor a traceback, reaches the terminal."""
    records = [
        koha_record(f"D{n}", f"Sách hỏng {n}", items=({"i": f"D-{n}"},)).as_marc()
        for n in range(1, 5)
    ]
    damaged = iso2709([("245", "\x1faSách chữ ".encode() + b"l\xf4i"), ("952", b"  \x1fiD-9")])
    path = tmp_path / "damaged.mrc"
    path.write_bytes(records[0] + records[1][:-30] + records[2] + damaged + records[3])
    result = kiosk.fails("catalog", "import", str(path), language="vi")
    assert "5 biểu ghi MARC" in result.stdout
    assert "chữ có thể bị lỗi (ký tự hỏng) ở trường 245" in result.stdout
    assert f"biểu ghi 2 (byte {len(records[0])}): biểu ghi bị cắt cụt" in result.stderr
    for english in ("Traceback", "Warning", "indicator", "record 2", "line 0"):
        assert english not in result.stdout + result.stderr
    assert kiosk.sql("SELECT count(*) FROM copy WHERE accession LIKE 'D-%'") == [(4,)]
    folder = kiosk.fails("catalog", "import", str(tmp_path), language="vi")
    assert "đây là thư mục, không phải tệp" in folder.stderr
    assert "Is a directory" not in folder.stderr and "dòng 0" not in folder.stderr
