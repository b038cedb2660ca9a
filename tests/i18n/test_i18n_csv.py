"""The translators' spreadsheet: export, edit, import into the site folder, coverage; and the
real `kiosk i18n` command on a throw-away site."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import i18n
from kiosk.i18n import Translator, provenance
from kiosk.i18n import extract as i18n_tools
from kiosk.i18n import spreadsheet as i18n_csv
from kiosk.i18n.spreadsheet import TranslationImportRejected, export_csv, import_csv

HEADINGS = [heading for _key, heading in i18n_csv.COLUMNS]


def read_sheet(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def write_sheet(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)


def row_of(rows: list[list[str]], msgid: str) -> list[str]:
    return next(r for r in rows if r[0] == msgid)


@pytest.fixture
def site_dir(tmp_path) -> Path:
    return tmp_path / "data" / "locale"


def test_export_has_one_row_per_message_with_status(tmp_path, site_dir):
    path = tmp_path / "tyz.csv"
    i18n.set_language("vi")  # the status column speaks the staff's language
    count = export_csv("tyz", path, site_dir)
    rows = read_sheet(path)
    assert rows[0] == HEADINGS
    assert len(rows) - 1 == count == len(i18n_tools.extract())
    assert row_of(rows, "Books: {count}")[1:5] == [
        "Số sách: {count}",
        "Slư: {count}",
        "",
        "đã dịch, chưa duyệt",
    ]
    borrow = row_of(rows, "Borrow")
    assert borrow[1:5] == ["Mượn sách", "", "", "chưa dịch"]
    assert borrow[5].startswith("kiosk/screens/home.kv:")
    assert row_of(rows, "{count} book found.")[2] == ""


def test_round_trip_marks_reviewed_and_is_used_without_reinstalling(tmp_path, site_dir):
    sheet = tmp_path / "tyz.csv"
    export_csv("tyz", sheet, site_dir)
    rows = read_sheet(sheet)
    row_of(rows, "Borrow")[2] = "Yêm slư"  # a new translation, not reviewed yet
    row_of(rows, "Books: {count}")[3] = "x"  # a native speaker checked this one
    row_of(rows, "{count} book found.")[2] = "Hăn {count} pỉnh slư."
    write_sheet(sheet, rows)

    result = import_csv("tyz", sheet, site_dir)

    assert result.path == site_dir / "tyz.po"
    assert (result.changed, result.entries, result.warnings) == (3, 3, [])
    tay = Translator("tyz", site_dir)
    assert tay.gettext("Borrow") == "Yêm slư"
    assert tay.ngettext("{count} book found.", "{count} books found.", 5) == "Hăn {count} pỉnh slư."
    assert tay.gettext("Return") == "Trả sách"  # still the Vietnamese fallback
    coverage = i18n_tools.coverage("tyz", site_dir)
    assert (coverage.reviewed, coverage.unreviewed) == (1, 3)
    # Exported again, the sheet shows what the kiosk now uses.
    export_csv("tyz", sheet, site_dir)
    again = read_sheet(sheet)
    assert row_of(again, "Books: {count}")[2:4] == ["Slư: {count}", "x"]
    assert row_of(again, "Borrow")[2:4] == ["Yêm slư", ""]
    # The packaged file is untouched.
    assert i18n.packaged_catalog("tyz").messages.get("Borrow") is None


def test_wrong_placeholder_refuses_the_whole_file_and_keeps_the_site_catalogue(tmp_path, site_dir):
    site_dir.mkdir(parents=True)
    before = 'msgid "Borrow"\nmsgstr "Yêm slư"\n'
    (site_dir / "tyz.po").write_text(before, encoding="utf-8")
    sheet = tmp_path / "tyz.csv"
    write_sheet(
        sheet,
        [
            HEADINGS,
            ["Return", "Trả sách", "Tỏi slư", "", "", ""],
            ["Books: {count}", "Số sách: {count}", "Slư: {sô}", "", "", ""],
            ["Open: {hours}", "", "Khai: {hours", "", "", ""],
        ],
    )
    with pytest.raises(TranslationImportRejected) as refused:
        import_csv("tyz", sheet, site_dir)
    message = str(refused.value)
    assert "tyz.csv: nothing imported" in message
    assert "line 3: the translation must contain exactly {count} (it has {sô})" in message
    assert "line 4: a { or } is not closed" in message
    assert (site_dir / "tyz.po").read_text("utf-8") == before
    assert Translator("tyz", site_dir).gettext("Return") == "Trả sách"


def test_unknown_msgids_are_reported_with_line_numbers_and_skipped(tmp_path, site_dir):
    sheet = tmp_path / "nut.csv"
    write_sheet(
        sheet,
        [
            HEADINGS,
            ["Borrow", "", "Yêm slư", "có", "", ""],
            ["A text from an old version", "", "Cắm", "", "", ""],
            ["", "", "", "", "", ""],
        ],
    )
    result = import_csv("nut", sheet, site_dir)
    assert result.warnings == [
        "line 3: skipped, this text is not used by this version: A text from an old version"
    ]
    catalog = i18n.site_catalog("nut", site_dir)
    assert catalog.messages == {"Borrow": "Yêm slư"} and catalog.fuzzy == set()


def test_columns_are_found_by_heading_in_any_order(tmp_path, site_dir):
    sheet = tmp_path / "hnj.csv"
    write_sheet(sheet, [["Translation", "msgid"], ["Qiv ntawv", "Borrow"]])
    import_csv("hnj", sheet, site_dir)
    assert i18n.site_catalog("hnj", site_dir).fuzzy == {"Borrow"}
    write_sheet(sheet, [["English", "Text"], ["Borrow", "x"]])
    with pytest.raises(TranslationImportRejected, match="line 1: "):
        import_csv("hnj", sheet, site_dir)


def test_a_sheet_saved_by_excel_in_vietnamese_uses_semicolons(tmp_path, site_dir):
    sheet = tmp_path / "tyz.csv"
    sheet.write_text(
        "\ufeff" + ";".join(HEADINGS) + '\r\nBorrow;Mượn sách;"Yêm slư; mượn";x;;\r\n',
        encoding="utf-8",
    )
    import_csv("tyz", sheet, site_dir)
    assert Translator("tyz", site_dir).gettext("Borrow") == "Yêm slư; mượn"


def test_a_sheet_saved_in_a_legacy_encoding_is_refused(tmp_path, site_dir):
    sheet = tmp_path / "tyz.csv"
    sheet.write_bytes("msgid,Translation\nBorrow,Mượn\n".encode("utf-16"))
    with pytest.raises(TranslationImportRejected, match="UTF-8"):
        import_csv("tyz", sheet, site_dir)
    assert not (site_dir / "tyz.po").exists()


def test_a_row_equal_to_the_packaged_text_leaves_no_site_override(tmp_path, site_dir):
    sheet = tmp_path / "tyz.csv"
    write_sheet(sheet, [HEADINGS, ["Books: {count}", "", "Slư: {count}", "", "", ""]])
    result = import_csv("tyz", sheet, site_dir)
    assert (result.changed, result.entries) == (0, 0)
    write_sheet(sheet, [HEADINGS, ["Books: {count}", "", "Slư: {count}", "x", "", ""]])
    assert import_csv("tyz", sheet, site_dir).entries == 1  # reviewed: that is a change


def test_english_plural_forms_one_per_line(tmp_path, site_dir):
    sheet = tmp_path / "en.csv"
    export_csv("en", sheet, site_dir)
    rows = read_sheet(sheet)
    row_of(rows, "{count} book found.")[2] = "{count} match\n{count} matches"
    row_of(rows, "Borrow")[2] = "Borrow books"
    write_sheet(sheet, rows)
    import_csv("en", sheet, site_dir)
    english = Translator("en", site_dir)
    assert english.ngettext("{count} book found.", "{count} books found.", 1) == "{count} match"
    assert english.ngettext("{count} book found.", "{count} books found.", 2) == "{count} matches"
    assert english.gettext("Borrow") == "Borrow books"
    row_of(rows, "{count} book found.")[2] = "{count} matches"
    write_sheet(sheet, rows)
    with pytest.raises(TranslationImportRejected, match="2 forms needed"):
        import_csv("en", sheet, site_dir)


# -- the real command --------------------------------------------------------------------------
def kiosk(root: Path, *args: str, language: str = "en") -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    environ |= {
        "KIOSK_CONFIG": str(root / "kiosk.toml"),
        "KIOSK_LANGUAGE": language,
        "PYTHONIOENCODING": "utf-8",
    }
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environ,
        cwd=root,
        timeout=120,
    )


def test_kiosk_i18n_commands(tmp_path):
    data = tmp_path / "data"
    (tmp_path / "kiosk.toml").write_text(
        f'[kiosk]\ncommune = "06001"\ndata_dir = "{data.as_posix()}"\n', encoding="utf-8"
    )
    sheet = tmp_path / "tyz.csv"
    out = kiosk(tmp_path, "i18n", "export", "tyz", str(sheet))
    assert out.returncode == 0, out.stderr
    assert f"texts written to {sheet}." in out.stdout
    rows = read_sheet(sheet)
    row_of(rows, "Borrow")[2] = "Yêm slư"
    row_of(rows, "Return")[2] = "Tỏi {slư}"
    write_sheet(sheet, rows)

    refused = kiosk(tmp_path, "i18n", "import", "tyz", str(sheet), language="vi")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    line = next(i for i, r in enumerate(rows, start=1) if r[0] == "Return")
    assert f"dòng {line}: bản dịch phải có đúng - (đang có {{slư}})" in refused.stderr
    assert not (data / "locale" / "tyz.po").exists()

    row_of(rows, "Return")[2] = ""
    write_sheet(sheet, rows)
    done = kiosk(tmp_path, "i18n", "import", "tyz", str(sheet))
    assert done.returncode == 0, done.stderr
    assert "1 text changed; 1 site translations" in done.stdout
    assert (data / "locale" / "tyz.po").is_file()
    entry = provenance.Ledger(data, "tyz").get(provenance.STRING, "Borrow")
    assert entry.by == f"kiosk i18n import {sheet.name}" and entry.state == "draft"
    assert provenance.Ledger(data, "tyz").get(provenance.STRING, "Return") is None

    table = kiosk(tmp_path, "i18n", "coverage").stdout.splitlines()
    total = len(i18n_tools.extract())
    tay = next(line for line in table if line.startswith("tyz"))
    assert tay.split()[2:] == ["3", "0", "3", str(total - 3), f"{300 / total:.0f}"]
    assert next(line for line in table if line.startswith("en")).split()[-1] == "100"
    priority = table[table.index("") + 1 :]  # the reader-priority table, after a blank line
    assert [line.split()[-1] for line in priority[1:]] == ["shown", "shown"] + ["hidden"] * 3

    missing = kiosk(tmp_path, "i18n", "import", "tyz", str(tmp_path / "nope.csv"))
    assert missing.returncode == 1 and "file not found" in missing.stderr
    wrong = kiosk(tmp_path, "i18n", "export", "fr", str(sheet), language="vi")
    assert wrong.returncode == 2 and "invalid choice" in wrong.stderr


def test_a_plural_entry_translated_again_takes_the_new_words(tmp_path):
    """A one-form language's plural entry, saved twice: the second words replace the first
    (the site .po keeps it as a plural entry, whose forms are what gets written)."""
    msgid = "You borrowed {count} book. Bring it back by {due}."
    for words in ("Mượn {count} slư, {due}", "Yêm {count} slư, {due}"):
        i18n_csv.save_translation("tyz", msgid, [words], False, tmp_path)
    assert i18n.load_catalog("tyz", tmp_path).messages[msgid] == "Yêm {count} slư, {due}"
