"""Catalogue spreadsheets as librarians save them (kiosk.catalog.tables, csv_import): Vietnamese
column names, CSV with or without a BOM and with ';' (Excel in Vietnamese), Excel .xlsx made
with openpyxl as staff save them, fields over any sane length, and files that are no table."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from kiosk.catalog import tables
from kiosk.catalog.csv_import import ImportRejected, import_csv
from kiosk.flows import staff_import
from kiosk.store.models import Copy, Title

VIETNAMESE_HEADER = [
    "Nhan đề",
    "Tác giả",
    "Năm xuất bản",
    "ISBN",
    "Số đăng ký cá biệt",
    "Mã vạch",
    "Kho",
]


def write(tmp_path: Path, content: bytes, name: str = "sach.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def rejected(path: Path) -> ImportRejected:
    with pytest.raises(ImportRejected) as info:
        import_csv(path)
    assert Copy.select().count() == 0
    return info.value


@pytest.mark.parametrize(
    ("encoding", "separator"),
    [("utf-8-sig", ";"), ("utf-8", ";"), ("utf-8", ","), ("utf-8-sig", "\t")],
)
def test_vietnamese_headers_bom_and_separators(store, tmp_path, encoding, separator):
    """Excel set to Vietnamese saves "CSV UTF-8" with a BOM and ';' between fields."""
    rows = [
        VIETNAMESE_HEADER,
        ["Truyện Kiều", "Nguyễn Du", "2015", "978-604-2-00000-0", "ĐKCB-001", "893001", "Văn học"],
        ["Tắt đèn; bản in lại", "Ngô Tất Tố", "", "", "ĐKCB-002", "", ""],
    ]
    quote = '"' if separator == ";" else ""
    lines = [separator.join(rows[0])]
    for row in rows[1:]:
        lines.append(separator.join(f"{quote}{v}{quote}" if ";" in v else v for v in row))
    path = write(tmp_path, ("\r\n".join(lines) + "\r\n").encode(encoding))
    summary = import_csv(path)
    assert (summary.rows, summary.copies, summary.problems) == (2, 2, [])
    kieu = Copy.get(Copy.accession == "ĐKCB-001")
    assert (kieu.title.title, kieu.title.author, kieu.title.year) == (
        "Truyện Kiều",
        "Nguyễn Du",
        2015,
    )
    assert (kieu.barcode, kieu.shelf, kieu.title.isbn) == ("893001", "Văn học", "9786042000000")
    assert Copy.get(Copy.accession == "ĐKCB-002").title.title == "Tắt đèn; bản in lại"


def test_headers_without_marks_or_in_capitals(store, tmp_path):
    path = write(
        tmp_path, "NHAN DE,so dang ky ca biet,Tac gia\nSố đỏ,K-9,Vũ Trọng Phụng\n".encode()
    )
    import_csv(path)
    assert Title.get().author == "Vũ Trọng Phụng"


def test_an_unknown_vietnamese_column_is_named(store, tmp_path):
    path = write(tmp_path, "Nhan đề,Số ĐKCB,Ghi chú lạ\nSách,K-1,x\n".encode())
    (problem,) = rejected(path).problems
    assert problem.line == 1 and "unknown column 'Ghi chú lạ'" in problem.message


def workbook(path: Path, rows: list[list], notes_first: bool = False) -> Path:
    """An .xlsx as staff save it: a Vietnamese header, numbers as numbers, a notes sheet."""
    book = openpyxl.Workbook()
    data = book.active
    data.title = "Danh mục"
    for row in rows:
        data.append(row)
    for _ in range(3):
        data.append([None] * len(rows[0]))  # empty trailing rows that still have cells
    notes = book.create_sheet("Ghi chú", 0 if notes_first else 1)
    notes.append(["Danh sách sách nhập tháng 12, lập bởi thủ thư"])
    notes.append(["Người lập", "Hoàng Thị Mai"])
    book.save(path)
    return path


def test_xlsx_as_staff_save_it(store, tmp_path):
    rows = [
        VIETNAMESE_HEADER,
        ["Truyện Kiều", "Nguyễn Du", 2019, 9786042000000, "ĐKCB-001", 893000000011, "Văn học"],
        ["Dế Mèn phiêu lưu ký", "Tô Hoài", 2020.0, 9786042000000.0, "ĐKCB-002", None, None],
        # an ISBN-10 typed as a number loses its leading zero: the check digit puts it back
        ["Sách tiếng Anh", "", 2001, 306406152, "ĐKCB-003", None, "Ngoại văn"],
        [None, None, None, None, None, None, None],  # an empty row in the middle
        ["Tắt đèn", "Ngô Tất Tố", None, None, 4, None, None],  # accession typed as a number
    ]
    path = workbook(tmp_path / "danh-muc.xlsx", rows, notes_first=True)
    summary = import_csv(path)
    assert (summary.rows, summary.copies, summary.titles_new) == (4, 4, 3)
    kieu = Title.get(Title.isbn == "9786042000000")
    assert (kieu.title, kieu.year) == ("Truyện Kiều", 2019)
    assert kieu.copies.count() == 2  # the same ISBN as a float: the same title
    assert Copy.get(Copy.accession == "ĐKCB-001").barcode == "893000000011"
    assert Title.get(Title.title == "Sách tiếng Anh").isbn == "9780306406157"
    assert Copy.get(Copy.accession == "4").title.title == "Tắt đèn"


def test_xlsx_rows_are_numbered_as_the_sheet_shows_them(store, tmp_path):
    rows = [["Nhan đề", "Số ĐKCB", "Năm xuất bản"], ["A", "X-1", 2019], ["B", "X-2", 2500]]
    (problem,) = rejected(workbook(tmp_path / "bad.xlsx", rows)).problems
    assert problem.line == 3 and "not a year" in problem.message


def test_the_staff_flow_imports_xlsx(store, tmp_path):
    rows = [["Nhan đề", "Số ĐKCB"], ["Lịch sử Lạng Sơn", "LS-1"]]
    path = workbook(tmp_path / "ls.xlsx", rows)
    view = staff_import.check(path)
    assert view.ok and "Rows in the file: 1" in view.lines
    assert staff_import.apply(path).ok and Copy.get().accession == "LS-1"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Excel file (.xls)"),
        (b"PK\x03\x04 this is no workbook", "not an Excel workbook"),
    ],
)
def test_files_that_are_no_workbook(store, tmp_path, content, words):
    (problem,) = rejected(write(tmp_path, content, "sach.xlsx")).problems
    assert problem.line == 0 and words in problem.message


# --------------------------------------------------------------------------- lengths


def test_a_field_over_csvs_limit_is_reported_not_a_traceback(store, tmp_path):
    """Python's csv refuses a field over 131,072 characters with _csv.Error: that was a
    traceback. It is a quote never closed: the row where that value starts is named."""
    title = "x" * 300_000
    path = write(tmp_path, f'title,accession\nSách ngắn,A-1\n"{title}",A-2\nSách,A-3\n'.encode())
    (problem,) = rejected(path).problems
    assert problem.line == 3 and "more than 131,072 characters" in problem.message
    rows = "".join(f"Sách {n},K-{n}\n" for n in range(20_000))
    path = write(tmp_path, f'title,accession\nA,K-A\n"Hỏi, đáp,K-0\n{rows}'.encode())
    (problem,) = rejected(path).problems
    assert problem.line == 3 and "quote" in problem.message


def test_a_value_over_its_limit_is_cut_with_a_note(store, tmp_path):
    """A 20,000-character title (under csv's limit) imports cut to 500, with a note."""
    title = "Nhan đề dài " * 1666 + "hết"
    path = write(tmp_path, f'title,accession\nSách ngắn,A-1\n"{title}",A-2\n'.encode())
    view = staff_import.check(path)  # the dry run shows the note, as it shows rejections
    assert any(line.startswith("Note: line 3: the title was") for line in view.problems)
    summary = import_csv(path)
    assert summary.copies == 2
    (note,) = summary.problems
    assert note.line == 3 and not note.skipped
    assert f"title was {len(title):,} characters long: cut to 500" in note.message
    assert len(Copy.get(Copy.accession == "A-2").title.title) <= 500


def test_an_identifier_over_its_limit_rejects_the_file(store, tmp_path):
    path = write(tmp_path, f"title,accession\nSách,{'9' * 200}\n".encode())
    (problem,) = rejected(path).problems
    assert problem.line == 2 and "accession number is 200 characters long (at most 64)" in (
        problem.message
    )


def test_a_nul_byte_is_dropped(store, tmp_path):
    path = write(tmp_path, b"title,accession\nA,K-1\nB\x00,K-2\n")
    assert import_csv(path).copies == 2
    assert Copy.get(Copy.accession == "K-2").title.title == "B"


# --------------------------------------------------------------------------- files, manifests


def test_a_folder_is_said_plainly_and_without_line_0(store, tmp_path):
    error = rejected(tmp_path)
    assert "this is a folder, not a file" in str(error)
    assert "line 0" not in str(error) and "Is a directory" not in str(error)


def test_a_rotation_manifest_picked_in_catalogue_import_is_recognised(store, tmp_path):
    path = write(
        tmp_path,
        "title;accession;batch;source_library;due_back\r\n"
        "Sách A;RT-1;LC-2026-12;Thư viện tỉnh Lạng Sơn;31/12/2026\r\n".encode("utf-8-sig"),
        "luan-chuyen.csv",
    )
    assert tables.is_manifest(path.read_bytes(), "csv")
    view = staff_import.check(path)
    assert view.manifest and not view.ok and "rotation manifest" in view.headline
    assert Copy.select().count() == 0
    error = rejected(path)  # the CLI: said what it is, instead of "unknown column 'batch'"
    assert "rotation manifest" in str(error) and "kiosk rotation import" in str(error)


def test_a_manifest_saved_by_excel_in_vietnamese_imports_on_the_rotation_side(
    store, tmp_path, clock
):
    """Where catalogue import sends it: the rotation import reads the same ';' file."""
    from kiosk.ops import rotation

    path = write(
        tmp_path,
        "title;accession;batch;source_library;due_back\r\n"
        "Sách A;RT-1;LC-2026-12;Thư viện tỉnh Lạng Sơn;31/12/2026\r\n"
        "Sách B;RT-2;LC-2026-12;Thư viện tỉnh Lạng Sơn;31/12/2026\r\n".encode("utf-8-sig"),
        "luan-chuyen.csv",
    )
    summary = rotation.import_manifest(path, clock=clock)
    assert (summary.code, summary.copies) == ("LC-2026-12", 2)
    assert summary.source_library == "Thư viện tỉnh Lạng Sơn"
