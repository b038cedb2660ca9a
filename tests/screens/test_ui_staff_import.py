"""Catalogue import and export through the real app: staff login, the staff menu, a USB stick
(a folder the config points at) holding real-shaped exports (Koha ISO 2709 with a broken
record, MARC-8, a CSV with a bad row), the dry run, Import, and the database afterwards."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.store.db import db
from tests.catalog.marc_records import koha_record, marc8_record
from tests.screens.conftest import shows, texts

GOOD_CSV = Path(__file__).parent.parent / "fixtures" / "catalog_good.csv"


@pytest.fixture
def usb(kiosk, tmp_path: Path) -> Path:
    """A USB stick mounted at tmp/media/KINGSTON, which the config's import_dirs names."""
    stick = tmp_path / "media" / "KINGSTON"
    stick.mkdir(parents=True)
    config = kiosk.services.config
    pattern = str(tmp_path / "media" / "*")
    kiosk.services.config = dataclasses.replace(config, import_dirs=(pattern,))
    return stick


def staff_login(ui) -> None:
    ui.press("staff")
    ui.tap_card("staff")
    for digit in "1234":
        ui.press(f"pin-{digit}")
    ui.press("pin-ok")
    assert ui.app.screen.name == "staff_menu"


def open_import(ui) -> None:
    staff_login(ui)
    ui.press("staff_import")
    assert ui.app.screen.name == "staff_import"


def wait_idle(ui) -> None:
    """Until the background work is done and its result shown."""
    ui.frames(2)
    ui.wait_until(lambda: not ui.app.screen.busy, "the import to finish")
    ui.frames(3)


def choose(ui, name: str) -> None:
    """Press the file button whose label starts with `name`."""
    from kiosk.demo.driver import visible

    buttons = [
        b
        for b in ui.app.screen.ids.lines.items
        if getattr(b, "action", "").startswith("file-") and b.text.startswith(name + " ")
    ]
    assert buttons and visible(buttons[0]), f"no file {name}: {texts(ui)}"
    ui.press(buttons[0].action)
    wait_idle(ui)


def copies(prefix: str) -> list[tuple[str, str, str]]:
    return db.execute_sql(
        "SELECT c.accession, t.title, c.shelf FROM copy c JOIN title t ON t.id = c.title_id"
        " WHERE c.accession LIKE ? ORDER BY c.accession",
        (prefix + "%",),
    ).fetchall()


def koha_export(count: int = 5) -> tuple[bytes, int]:
    """A Koha export of `count` records whose second record's leader length is wrong;
    returns the bytes and the byte offset of the broken record."""
    records = [
        koha_record(
            f"K{n}",
            f"Sách Koha số {n}",
            "Nguyễn Nhật Ánh",
            items=({"i": f"KH-{n:03d}", "p": f"77{n:06d}", "o": "Thiếu nhi"},),
        ).as_marc()
        for n in range(1, count + 1)
    ]
    broken = b"99999" + records[1][5:]
    return records[0] + broken + b"".join(records[2:]), len(records[0])


def test_marc_dry_run_then_import(ui, usb):
    data, offset = koha_export()
    (usb / "koha-2026.mrc").write_bytes(data)
    (usb / "marc8.iso").write_bytes(
        marc8_record("M1", "Truyện cổ tích Tày Nùng", "Hoàng Văn Thụ", "M8-001")
    )
    (usb / "notes.txt").write_text("not a catalogue")
    open_import(ui)
    assert shows(ui, "koha-2026.mrc") and shows(ui, "marc8.iso")
    assert not shows(ui, "notes.txt")

    choose(ui, "koha-2026.mrc")
    assert copies("KH-") == []  # the dry run wrote nothing
    assert shows(ui, "Số biểu ghi MARC trong tệp: 5")
    assert shows(ui, "Bản sách thêm: 4")
    assert shows(ui, f"biểu ghi 2 (byte {offset})")
    assert shows(ui, "99999")

    ui.press("import")
    wait_idle(ui)
    assert [a for a, _t, _s in copies("KH-")] == ["KH-001", "KH-003", "KH-004", "KH-005"]
    assert copies("KH-001")[0][1] == "Sách Koha số 1"
    assert shows(ui, "Đã nhập: 4 bản sách.")

    ui.press("files")
    choose(ui, "marc8.iso")
    ui.press("import")
    wait_idle(ui)
    assert copies("M8-") == [("M8-001", "Truyện cổ tích Tày Nùng", "Văn học")]


def test_csv_with_a_bad_row_imports_nothing(ui, usb):
    bad = (
        "title,author,year,accession\n"
        "Tắt đèn,Ngô Tất Tố,2016,BAD-1\n"
        "Số đỏ,Vũ Trọng Phụng,năm 1936,BAD-2\n"
    )
    (usb / "sach-moi.csv").write_text(bad, encoding="utf-8")
    open_import(ui)
    choose(ui, "sach-moi.csv")
    assert shows(ui, "dòng 3: 'năm 1936'")
    assert ui.buttons("import") == []  # nothing to confirm
    assert copies("BAD-") == []


def test_good_csv_and_export_to_the_stick(ui, usb, kiosk):
    (usb / "catalog_good.csv").write_bytes(GOOD_CSV.read_bytes())
    open_import(ui)
    choose(ui, "catalog_good.csv")
    ui.press("import")
    wait_idle(ui)
    assert [a for a, _t, _s in copies("CSV-")][:4] == [
        "CSV-0001",
        "CSV-0002",
        "CSV-0003",
        "CSV-0004",
    ]

    ui.press("files")
    ui.press("export-csv")
    wait_idle(ui)
    written = sorted(usb.glob("catalogue-*.csv"))
    assert len(written) == 1
    assert shows(ui, str(written[0]))
    content = written[0].read_text(encoding="utf-8-sig")
    assert "CSV-0001" in content and "Dế Mèn phiêu lưu ký" in content
    ui.press("export-marc")
    wait_idle(ui)
    marc = sorted(usb.glob("catalogue-*.mrc"))
    assert len(marc) == 1 and b"CSV-0004" in marc[0].read_bytes()


def test_broken_file_and_no_stick(ui, usb, kiosk, tmp_path):
    (usb / "hong.mrc").write_bytes(b"00100nam a2200000 a 4500garbage")
    open_import(ui)
    choose(ui, "hong.mrc")
    assert shows(ui, "Không nhập được gì từ tệp này")
    assert shows(ui, "biểu ghi 1")
    assert ui.buttons("import") == []
    # The stick is pulled out: the list says where it looked.
    (usb / "hong.mrc").unlink()
    usb.rmdir()
    ui.press("files")
    assert shows(ui, "Không tìm thấy tệp danh mục")
    assert shows(ui, str(kiosk.config.data_dir / "import"))


def test_excel_file_and_a_manifest_picked_here(ui, usb):
    """An .xlsx with Vietnamese headers is listed and imported; a rotation manifest picked
    on this screen opens on the rotation screen, checked there."""
    import openpyxl

    from tests.screens.test_ui_staff_rotation import write_manifest

    book = openpyxl.Workbook()
    book.active.append(["Nhan đề", "Tác giả", "Năm xuất bản", "Số đăng ký cá biệt"])
    book.active.append(["Sách Excel", "Hoàng Văn Thụ", 2019, "XL-001"])
    book.save(usb / "danh-muc.xlsx")
    write_manifest(usb)
    open_import(ui)
    choose(ui, "danh-muc.xlsx")
    assert shows(ui, "Số dòng trong tệp: 1")
    ui.press("import")
    wait_idle(ui)
    assert copies("XL-") == [("XL-001", "Sách Excel", "")]
    ui.press("files")
    choose(ui, "danh-sach-LC-2026-12.csv")
    wait_idle(ui)
    assert ui.app.screen.name == "staff_rotation"
    assert ui.app.screen.view == "manifest" and shows(ui, "LC-2026-12")
    assert ui.buttons("import")


def layout_scenes(ui, kiosk, show):
    """The import, rotation and reports screens with realistic content, for test_ui_layout
    (`show(name, **kwargs)` shows a screen in the language under test)."""
    from kiosk.flows import staff_files
    from kiosk.flows.session import Tap
    from kiosk.ops import rotation
    from tests.screens.test_ui_staff_rotation import write_manifest

    app, staff = ui.app, "Chu Thị Hằng"
    folder = kiosk.config.data_dir / "import"
    folder.mkdir(parents=True, exist_ok=True)
    data, _offset = koha_export(3)
    (folder / "xuat-koha-thu-vien-tinh-lang-son-thang-11-2026.mrc").write_bytes(data)
    (folder / "sach-moi.csv").write_bytes(GOOD_CSV.read_bytes())
    show("staff_import", staff_name=staff)
    yield "staff_import"
    found = staff_files.FoundFile(folder / "xuat-koha-thu-vien-tinh-lang-son-thang-11-2026.mrc", 1)
    app.screen.chosen = found
    app.screen.show_result(staff_import_check(found.path))
    ui.frames(2)
    yield "staff_import_check"
    rotation.import_manifest(write_manifest(folder, "LC-2026-12", "05/12/2026"))
    show("staff_rotation", staff_name=staff)
    yield "staff_rotation"
    app.screen.show_batch("LC-2026-12")
    app.screen.start_receiving()
    app.screen.on_tag(Tap("item", "TVT-001"))
    app.screen.on_tag(Tap("item", "LS-0001"))
    ui.frames(2)
    yield "staff_rotation_receive"
    app.screen.show_checklist()
    ui.frames(2)
    yield "staff_rotation_send_back"
    app.screen.show_batch("LC-2026-12")
    ui.frames(2)
    yield "staff_rotation_batch"
    show("staff_reports", staff_name=staff)
    yield "staff_reports"
    app.screen.say(
        app.screen.status + " " + str(folder / "bao-cao-2026-11-20261125-0930.html"), "ok"
    )
    ui.frames(2)
    yield "staff_reports_saved"


def staff_import_check(path: Path):
    from kiosk.flows import staff_import

    return staff_import.check(path)


def test_a_large_file_imports_in_the_background(ui, usb):
    """20,000 rows: the screen says it is busy and keeps drawing frames meanwhile."""
    rows = [f"Sách số {n},Tác giả {n % 97},2020,BIG-{n:05d},Kho {n % 12}\n" for n in range(20000)]
    (usb / "kho-lon.csv").write_text("title,author,year,accession,shelf\n" + "".join(rows))
    ui.timeout = 120  # a slow machine, shared with other tests
    open_import(ui)
    choose(ui, "kho-lon.csv")
    assert shows(ui, "Số dòng trong tệp: 20000") and shows(ui, "Bản sách thêm: 20000")
    ui.press("import")
    assert ui.app.screen.busy and shows(ui, "Đang nhập kho-lon.csv")
    assert ui.buttons("import") == [] and ui.buttons("back") == []  # disabled meanwhile
    frames = []

    def finished() -> bool:
        frames.append(1)  # one more frame drawn while the import runs
        return not ui.app.screen.busy

    ui.wait_until(finished, "the large import")
    assert len(frames) > 1  # the UI thread was not blocked by the import
    ui.frames(2)
    assert shows(ui, "Đã nhập: 20000 bản sách.")
    assert db.execute_sql("SELECT count(*) FROM copy WHERE accession LIKE 'BIG-%'").fetchone() == (
        20000,
    )


def test_import_folders_and_export_target(tmp_path):
    """Pure: which folders are searched, what is listed, where exports go (no Kivy)."""
    from kiosk import config as config_mod
    from kiosk.flows import staff_files

    config = config_mod.load(
        None,
        overrides={
            "kiosk": {
                "commune": "06001",
                "data_dir": str(tmp_path / "data"),
                "import_dirs": [str(tmp_path / "media" / "*" / "*")],
            }
        },
    )
    assert staff_files.export_folder(config) == tmp_path / "data" / "exports"  # no stick
    stick = tmp_path / "media" / "pi" / "USB DISK"
    stick.mkdir(parents=True)
    for name in ("b.MRC", "a.csv", ".hidden.csv", "readme.txt", "Đọc.xml"):
        (stick / name).write_bytes(b"x")
    (stick / "sub").mkdir()
    (stick / "sub" / "deep.csv").write_bytes(b"x")
    names = [f.name for f in staff_files.importable_files(config)]
    assert names == ["a.csv", "b.MRC", "Đọc.xml"]
    assert staff_files.import_folders(config) == [stick, tmp_path / "data" / "import"]
    assert staff_files.export_folder(config) == stick
    now = datetime(2026, 11, 25, 9, 30)
    first = staff_files.export_path(config, "catalogue", ".csv", now)
    first.write_text("x")
    assert first.name == "catalogue-20261125-0930.csv"
    assert staff_files.export_path(config, "catalogue", ".csv", now).name == (
        "catalogue-20261125-0930-2.csv"
    )
