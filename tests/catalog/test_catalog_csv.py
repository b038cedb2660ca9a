"""Catalogue import from CSV (kiosk.catalog.csv_import): merging, validation, all-or-nothing."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import pytest

from kiosk.catalog.csv_import import ImportRejected, RowProblem, Summary, import_csv
from kiosk.demo import sample
from kiosk.store.models import Copy, CopyTag, Title
from kiosk.store.search import search

FIXTURES = Path(__file__).parent.parent / "fixtures"

HEADER = "title,author,year,isbn,accession,barcode,shelf,tags,local_document,loanable\n"


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


def write(tmp_path: Path, content: str | bytes, name: str = "books.csv") -> Path:
    """Write a CSV file (str is encoded as UTF-8, bytes are written as they are)."""
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def counts() -> tuple[int, int, int]:
    return Title.select().count(), Copy.select().count(), CopyTag.select().count()


def rejected(path: Path, **kwargs) -> tuple[list[RowProblem], str]:
    """Import `path`, expecting a rejection that wrote nothing; the problems and the message."""
    before = counts()
    with pytest.raises(ImportRejected) as info:
        import_csv(path, **kwargs)
    assert counts() == before, "a rejected import wrote to the catalogue"
    return info.value.problems, str(info.value)


def lines(problems: list[RowProblem]) -> list[int]:
    return [p.line for p in problems]


# --------------------------------------------------------------------------- good files


def test_good_file_imports_titles_and_copies(store, tmp_path):
    path = write(tmp_path, (FIXTURES / "catalog_good.csv").read_bytes())
    summary = import_csv(path)
    assert summary == Summary(rows=6, titles_new=4, titles_merged=0, copies=6, dry_run=False)
    assert counts() == (4, 6, 4)

    kieu = Title.get(Title.isbn == "9786042000000")
    assert (kieu.title, kieu.author, kieu.year, kieu.language) == (
        "Truyện Kiều",
        "Nguyễn Du",
        2015,
        "vi",
    )
    assert sorted(c.accession for c in kieu.copies) == ["CSV-0001", "CSV-0002"]

    then = Title.get(Title.title == "Then Tày Lạng Sơn")
    assert then.local_document is True
    assert then.language == "tyz"
    (reference,) = then.copies
    assert reference.loanable is False
    assert reference.barcode is None  # empty cell: no barcode, not ""
    assert reference.shelf == "Văn hoá địa phương"

    copy = Copy.get(Copy.accession == "CSV-0001")
    assert copy.barcode == "8930000000011"
    assert copy.loanable is True
    assert sorted(t.uid for t in copy.tags) == ["04A1B2C3D4E5F6", "04A1B2C3D4E5F7"]
    assert CopyTag.get(CopyTag.uid == "04AABBCCDDEEFF").copy.accession == "CSV-0003"


def test_rows_with_the_same_isbn_become_copies_of_one_title(store, tmp_path):
    """The ISBN is compared without hyphens/spaces; the title text of later rows is ignored."""
    path = write(
        tmp_path,
        "title,isbn,accession\n"
        "Kính vạn hoa,978-604-1-00123-7,A-1\n"
        "Kính vạn hoa (tập 1),9786041001237,A-2\n"
        "Kinh van hoa,978 604 1 00123 7,A-3\n",
    )
    summary = import_csv(path)
    assert (summary.titles_new, summary.titles_merged, summary.copies) == (1, 0, 3)
    (title,) = Title.select()
    assert title.title == "Kính vạn hoa"
    assert title.isbn == "9786041001237"
    assert title.copies.count() == 3


def test_rows_with_the_same_title_and_author_ignoring_marks_merge(store, tmp_path):
    """NFC, NFD, upper case and unmarked spellings of one title+author are the same book."""
    path = write(
        tmp_path,
        "title,author,accession\n"
        "Đất rừng phương Nam,Đoàn Giỏi,B-1\n"
        f"{nfd('Đất rừng phương Nam')},{nfd('Đoàn Giỏi')},B-2\n"
        "ĐẤT RỪNG PHƯƠNG NAM,đoàn giỏi,B-3\n"
        "Dat rung phuong Nam,Doan Gioi,B-4\n"
        "Đất rừng phương Nam,Tô Hoài,B-5\n",  # another author: another title
    )
    summary = import_csv(path)
    assert (summary.titles_new, summary.titles_merged, summary.copies) == (2, 0, 5)
    merged = Title.get(Title.author == "Đoàn Giỏi")
    assert merged.title == "Đất rừng phương Nam"  # the first row's spelling, NFC
    assert sorted(c.accession for c in merged.copies) == ["B-1", "B-2", "B-3", "B-4"]
    assert Title.get(Title.author == "Tô Hoài").copies.count() == 1


def test_second_import_merges_with_titles_already_in_the_catalogue(store, tmp_path):
    first = write(
        tmp_path,
        "title,author,isbn,accession\n"
        "Truyện Kiều,Nguyễn Du,978-604-2-00000-0,K-1\n"
        "Tắt đèn,Ngô Tất Tố,,K-2\n",
        "first.csv",
    )
    assert import_csv(first).titles_new == 2
    second = write(
        tmp_path,
        "title,author,isbn,accession\n"
        "Truyen Kieu,,9786042000000,K-3\n"  # same ISBN, other spelling
        f"{nfd('Tắt đèn')},{nfd('Ngô Tất Tố')},,K-4\n"  # same text, NFD
        f"{nfd('Tắt đèn')},{nfd('Ngô Tất Tố')},,K-5\n"
        "Số đỏ,Vũ Trọng Phụng,,K-6\n",  # new
        "second.csv",
    )
    summary = import_csv(second)
    assert summary == Summary(rows=4, titles_new=1, titles_merged=2, copies=4)
    assert Title.select().count() == 3
    assert Title.get(Title.isbn == "9786042000000").copies.count() == 2
    assert Title.get(Title.title == "Tắt đèn").copies.count() == 3


def test_import_merges_with_the_sample_library(library, tmp_path):
    before_titles = Title.select().count()
    path = write(tmp_path, "title,author,accession\nDế Mèn phiêu lưu ký,Tô Hoài,NEW-1\n")
    summary = import_csv(path)
    assert (summary.titles_new, summary.titles_merged) == (0, 1)
    assert Title.select().count() == before_titles
    de_men = Title.get(Title.title == "Dế Mèn phiêu lưu ký")
    assert de_men.copies.count() == 4  # 3 sample copies + 1


# --------------------------------------------------------------------------- ISBN


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("0-306-40615-2", "9780306406157"),  # ISBN-10 stored as its ISBN-13
        ("0306406152", "9780306406157"),
        ("0-8044-2957-X", "9780804429573"),
        ("080442957x", "9780804429573"),
        ("604-1-23456-7", "9786041234567"),
        ("978-0-306-40615-7", "9780306406157"),
        ("9786042000000", "9786042000000"),
        ("978 604 1 00123 7", "9786041001237"),
        ("979-10-90636-07-1", "9791090636071"),
    ],
)
def test_valid_isbn_is_accepted_and_stored_as_isbn13(store, tmp_path, raw, stored):
    import_csv(write(tmp_path, f"title,isbn,accession\nSách,{raw},I-1\n"))
    assert Title.get().isbn == stored


def test_isbn10_and_isbn13_of_one_book_merge(store, tmp_path):
    import_csv(
        write(
            tmp_path,
            "title,isbn,accession\nSách,0-306-40615-2,I-1\nSách khác tên,978-0-306-40615-7,I-2\n",
        )
    )
    assert Title.select().count() == 1 and Copy.select().count() == 2


@pytest.mark.parametrize(
    "raw",
    [
        "0-306-40615-3",  # ISBN-10, wrong check digit
        "0-8044-2957-1",
        "604-1-23456-X",
        "978-0-306-40615-8",  # ISBN-13, wrong check digit
        "978-604-2-00000-1",
        "978604200000",  # 12 digits
        "12345",
        "abcdefghij",
    ],
)
def test_invalid_isbn_is_rejected_with_its_line(store, tmp_path, raw):
    path = write(tmp_path, f"title,isbn,accession\nGood,0-306-40615-2,I-1\nBad,{raw},I-2\n")
    problems, _message = rejected(path)
    assert lines(problems) == [3]
    assert "check digit" in problems[0].message
    assert raw in problems[0].message


# --------------------------------------------------------------------------- bad files


def test_missing_required_column(store, tmp_path):
    problems, message = rejected(write(tmp_path, "title,author\nTruyện Kiều,Nguyễn Du\n"))
    assert lines(problems) == [1]
    assert "accession" in problems[0].message
    assert "missing" in problems[0].message
    assert "line 1" in message


def test_both_required_columns_missing_are_both_reported(store, tmp_path):
    problems, _ = rejected(write(tmp_path, "author,year\nNguyễn Du,2015\n"))
    assert lines(problems) == [1, 1]
    assert {"title", "accession"} == {
        col for p in problems for col in ("title", "accession") if f"'{col}'" in p.message
    }


def test_unknown_column(store, tmp_path):
    """A misspelt header is an error, not silently dropped data."""
    problems, _ = rejected(write(tmp_path, "title,accession,auther\nTruyện Kiều,K-1,Nguyễn Du\n"))
    assert lines(problems) == [1]
    assert "unknown column 'auther'" in problems[0].message


def test_unknown_and_missing_columns_are_reported_together(store, tmp_path):
    problems, _ = rejected(write(tmp_path, "title,acession\nTruyện Kiều,K-1\n"))
    messages = " | ".join(p.message for p in problems)
    assert len(problems) == 2
    assert "'accession'" in messages
    assert "'acession'" in messages


def test_header_names_ignore_case_and_spaces(store, tmp_path):
    import_csv(write(tmp_path, " Title , ACCESSION \nTruyện Kiều,K-1\n"))
    assert Copy.get().accession == "K-1"


def test_duplicate_column_is_rejected(store, tmp_path):
    """Two 'title' columns: one of them would be silently dropped, so refuse the file."""
    problems, _ = rejected(write(tmp_path, "title,title,accession\nTruyện Kiều,Tắt đèn,K-1\n"))
    assert lines(problems) == [1]
    assert "title" in problems[0].message


def test_empty_required_cells(store, tmp_path):
    path = write(
        tmp_path,
        "title,accession\n,E-1\nTruyện Kiều,\n   ,E-3\nTắt đèn,E-4\n",
    )
    problems, _ = rejected(path)
    assert lines(problems) == [2, 3, 4]
    assert "'title' is empty" in problems[0].message
    assert "'accession' is empty" in problems[1].message
    assert "'title' is empty" in problems[2].message  # only spaces counts as empty


@pytest.mark.parametrize("year", ["19x9", "2200", "1399", "-2015", "2015.0", "MMXV"])
def test_bad_year(store, tmp_path, year):
    problems, _ = rejected(write(tmp_path, f"title,year,accession\nA,2015,Y-1\nB,{year},Y-2\n"))
    assert lines(problems) == [3]
    assert "not a year" in problems[0].message


@pytest.mark.parametrize(
    ("local", "loanable", "expected"),
    [
        ("yes", "no", (True, False)),
        ("Có", "Không", (True, False)),
        ("x", "", (True, True)),
        ("", "", (False, True)),
        ("0", "1", (False, True)),
    ],
)
def test_yes_no_values(store, tmp_path, local, loanable, expected):
    path = write(tmp_path, f"title,accession,local_document,loanable\nA,F-1,{local},{loanable}\n")
    import_csv(path)
    assert (Title.get().local_document, Copy.get().loanable) == expected


def test_bad_yes_no_values(store, tmp_path):
    path = write(
        tmp_path,
        "title,accession,local_document,loanable\nA,F-1,maybe,yes\nB,F-2,no,có lẽ\n",
    )
    problems, _ = rejected(path)
    assert lines(problems) == [2, 3]
    assert "local_document" in problems[0].message
    assert "maybe" in problems[0].message
    assert "loanable" in problems[1].message
    assert "yes or no" in problems[1].message


def test_row_with_too_many_fields(store, tmp_path):
    """An unquoted comma in a title shifts the row: refuse it instead of guessing."""
    path = write(tmp_path, "title,accession\nTruyện Kiều,K-1\nHỏi, đáp pháp luật,K-2\n")
    problems, _ = rejected(path)
    assert lines(problems) == [3]
    assert "more fields than columns" in problems[0].message


def test_quoted_comma_and_short_rows_are_fine(store, tmp_path):
    path = write(tmp_path, 'title,accession,author\n"Hỏi, đáp pháp luật",K-2\n')
    import_csv(path)
    assert Title.get().title == "Hỏi, đáp pháp luật"
    assert Title.get().author == ""


# --------------------------------------------------------------------------- uniqueness


def test_duplicate_accession_within_the_file(store, tmp_path):
    path = write(tmp_path, "title,accession\nA,D-1\nB,D-2\nC,D-1\n")
    problems, _ = rejected(path)
    assert lines(problems) == [4]
    assert "accession 'D-1' is already used" in problems[0].message


def test_duplicate_accession_against_the_catalogue(library, tmp_path):
    path = write(tmp_path, "title,accession\nNew book,NEW-1\nOther book,LS-0001\n")
    problems, _ = rejected(path)
    assert lines(problems) == [3]
    assert "LS-0001" in problems[0].message


def test_duplicate_barcode_within_the_file_and_against_the_catalogue(library, tmp_path):
    path = write(
        tmp_path,
        "title,accession,barcode\n"
        "A,NEW-1,8930000000011\n"
        "B,NEW-2,\n"  # empty barcodes never clash
        "C,NEW-3,\n"
        "D,NEW-4,8930000000011\n"
        "E,NEW-5,200000000001\n",  # the sample's first copy
    )
    problems, _ = rejected(path)
    assert lines(problems) == [5, 6]
    assert all("barcode" in p.message and "already used" in p.message for p in problems)
    assert "200000000001" in problems[1].message


def test_duplicate_tag(library, tmp_path):
    """Tag UIDs are compared in upper case, within a row, across rows and with the catalogue."""
    path = write(
        tmp_path,
        "title,accession,tags\n"
        "A,NEW-1,04aabbccddeeff\n"
        "B,NEW-2,04AABBCCDDEEFF\n"
        f"C,NEW-3,{sample.tag_uid(1).lower()}\n"
        "D,NEW-4,04112233445566 04112233445566\n",
    )
    problems, _ = rejected(path)
    assert lines(problems) == [3, 4, 5]
    assert all("tag" in p.message and "already used" in p.message for p in problems)


def test_tag_that_is_not_hex_is_rejected(store, tmp_path):
    """Tags are documented as hex UIDs: '04:A1:B2:C3' or a typo would never match a tap."""
    path = write(tmp_path, "title,accession,tags\nA,T-1,04A1B2C3\nB,T-2,04:A1:B2:C3\nC,T-3,ZZ\n")
    problems, _ = rejected(path)
    assert lines(problems) == [3, 4]


# --------------------------------------------------------------------------- every problem


def test_three_bad_rows_give_three_problems_with_their_lines(store, tmp_path):
    path = write(tmp_path, (FIXTURES / "catalog_three_bad_rows.csv").read_bytes())
    problems, message = rejected(path)
    assert lines(problems) == [3, 5, 7]
    assert "check digit" in problems[0].message
    assert "not a year" in problems[1].message
    assert "'accession' is empty" in problems[2].message
    assert "nothing imported, 3 problems" in message
    for line in (3, 5, 7):
        assert f"line {line}:" in message
    assert str(path) in message


def test_every_problem_of_one_row_is_reported(store, tmp_path):
    path = write(tmp_path, "title,year,isbn,accession,loanable\n,20x5,978-0-306-40615-8,,nope\n")
    problems, _ = rejected(path)
    assert lines(problems) == [2] * 5


def test_a_bad_row_is_still_checked_for_duplicates(store, tmp_path):
    """One pass must find everything: a row with a bad year AND a reused accession."""
    path = write(tmp_path, "title,year,accession\nA,2015,D-1\nB,20x5,D-1\n")
    problems, _ = rejected(path)
    assert lines(problems) == [3, 3]
    assert any("not a year" in p.message for p in problems)
    assert any("already used" in p.message for p in problems)


def test_many_problems_are_all_kept_and_the_message_is_capped(store, tmp_path):
    rows = "".join(f"Book {n},{n},M-{n}\n" for n in range(60))  # 60 years out of range
    problems, message = rejected(write(tmp_path, "title,year,accession\n" + rows))
    assert len(problems) == 60
    assert lines(problems) == list(range(2, 62))
    assert "60 problems" in message
    assert "and 10 more" in message


def test_rejection_after_a_good_import_leaves_it_intact(store, tmp_path):
    import_csv(write(tmp_path, "title,accession\nA,G-1\n", "good.csv"))
    before = counts()
    assert before == (1, 1, 0)
    rejected(write(tmp_path, "title,accession,tags\nA,G-2,04A1\nB,G-3\nC,G-1\n", "bad.csv"))
    assert counts() == before


# --------------------------------------------------------------------------- encodings, files


@pytest.mark.parametrize("encoding", ["cp1258", "latin-1"])
def test_non_utf8_file_is_rejected_with_its_line(store, tmp_path, encoding):
    content = "title,accession\nSach,N-1\nTruyen,N-2\nCà phê,N-3\n".encode(encoding)
    problems, message = rejected(write(tmp_path, content))
    assert lines(problems) == [4]
    assert "UTF-8" in problems[0].message
    assert "line 4" in message


def test_utf8_bom_is_accepted(store, tmp_path):
    """Excel's 'CSV UTF-8' starts with a BOM; the first column must still be 'title'."""
    path = write(tmp_path, "title,accession\nTruyện Kiều,K-1\n".encode("utf-8-sig"))
    assert import_csv(path).copies == 1
    assert Title.get().title == "Truyện Kiều"


def test_windows_line_endings(store, tmp_path):
    path = write(tmp_path, "title,accession\r\nTruyện Kiều,K-1\r\nTắt đèn,K-2\r\n")
    assert import_csv(path).copies == 2
    assert Copy.get(Copy.accession == "K-2").title.title == "Tắt đèn"


def test_empty_file(store, tmp_path):
    """A 0-byte file (or only a BOM and blank lines) is said to be empty, for the file as a
    whole (no line number), not as missing its columns."""
    for content in (b"", "\ufeff\r\n\r\n".encode()):
        problems, message = rejected(write(tmp_path, content))
        assert lines(problems) == [0]
        assert problems[0].message == "the file is empty"
        assert "line 0" not in message


def test_header_only_file(store, tmp_path):
    problems, _ = rejected(write(tmp_path, "title,accession\n"))
    assert lines(problems) == [1]
    assert "no rows" in problems[0].message


def test_nonexistent_file(store, tmp_path):
    path = tmp_path / "missing.csv"
    problems, message = rejected(path)
    assert len(problems) == 1
    assert str(path) in message


# --------------------------------------------------------------------------- dry run


def test_dry_run_reports_the_same_summary_and_writes_nothing(library, tmp_path):
    path = write(tmp_path, (FIXTURES / "catalog_good.csv").read_bytes())
    path2 = write(tmp_path, "title,author,accession\nTắt đèn,Ngô Tất Tố,NEW-1\n", "merge.csv")
    before = counts()
    dry = import_csv(path, dry_run=True)
    dry2 = import_csv(path2, dry_run=True)
    assert counts() == before
    assert dry.dry_run and dry2.dry_run
    assert not Copy.select().where(Copy.accession.in_(["CSV-0001", "NEW-1"])).exists()

    real = import_csv(path)
    real2 = import_csv(path2)
    assert not real.dry_run
    assert (dry.rows, dry.titles_new, dry.titles_merged, dry.copies) == (
        real.rows,
        real.titles_new,
        real.titles_merged,
        real.copies,
    )
    assert (
        (dry2.titles_new, dry2.titles_merged)
        == (real2.titles_new, real2.titles_merged)
        == (
            0,
            1,
        )
    )
    assert counts()[1] == before[1] + real.copies + real2.copies


def test_dry_run_of_a_bad_file_is_rejected_too(store, tmp_path):
    problems, _ = rejected(write(tmp_path, "title,accession\nA,\n"), dry_run=True)
    assert lines(problems) == [2]


# --------------------------------------------------------------------------- text, search


def test_imported_text_is_nfc_and_searchable_with_a_folded_query(store, tmp_path):
    path = write(
        tmp_path,
        "title,author,publisher,subjects,accession,shelf\n"
        f"  {nfd('Đường')}   {nfd('Kách Mệnh')}\u200b ,{nfd('Hồ Chí Minh')},"
        f"{nfd('NXB Chính trị quốc gia')},{nfd('lịch sử')},{nfd(' ĐKCB-01 ')},{nfd('Chính trị')}\n",
    )
    import_csv(path)
    title = Title.get()
    for value in (title.title, title.author, title.publisher, title.subjects):
        assert value == unicodedata.normalize("NFC", value)
    assert title.title == "Đường Kách Mệnh"
    assert title.author == "Hồ Chí Minh"
    assert title.publisher == "NXB Chính trị quốc gia"
    copy = Copy.get()
    assert copy.accession == "ĐKCB-01"
    assert copy.shelf == "Chính trị"

    for query in ("duong kach menh", "DUONG", "kach", "ho chi minh", nfd("Đường Kách")):
        hits = search(query)
        assert [h.title for h in hits] == ["Đường Kách Mệnh"], query
    (hit,) = search("duong")
    assert (hit.copies, hit.available, hit.shelves) == (1, 1, ("Chính trị",))
    assert search("kach menh tap") == []


def test_two_thousand_rows_import_quickly(store, tmp_path):
    rows = [HEADER]
    for n in range(2000):
        rows.append(
            f"Sách số {n},Tác giả {n % 97},{2000 + n % 25},,P-{n:05d},89{n:011d},"
            f"Kho {n % 7},04{n:012X},no,yes\n"
        )
    # every fifth row is a second copy of the previous title
    for n in range(0, 2000, 5):
        rows.append(f"Sách số {n},Tác giả {n % 97},,,Q-{n:05d},,,,,\n")
    path = write(tmp_path, "".join(rows))
    started = time.perf_counter()
    summary = import_csv(path)
    elapsed = time.perf_counter() - started
    assert summary == Summary(rows=2400, titles_new=2000, titles_merged=0, copies=2400)
    assert counts() == (2000, 2400, 2000)
    assert elapsed < 10, f"2,400 rows took {elapsed:.1f} s"
    assert [h.title for h in search("sach so 1999")] == ["Sách số 1999"]
