"""Reports through the real app: this month's figures after real loans and returns, stepping
to other months and to the year, and saving CSV (UTF-8 with BOM) and the printable page
to the USB stick."""

from __future__ import annotations

import csv
import io

from kiosk.demo import sample
from tests.screens import test_ui_staff_import
from tests.screens.conftest import shows
from tests.screens.test_ui_staff_import import staff_login, wait_idle

usb = test_ui_staff_import.usb  # the USB stick fixture
READER, CHILD = sample.SAMPLE_CARDS["reader"], sample.SAMPLE_CARDS["child"]


def row_cells(ui, label: str) -> list[str]:
    """The cells of the table row whose first cell is `label`."""
    from kiosk.screens.staff_panel import PanelRow

    for row in ui.app.screen.ids.lines.items:
        if isinstance(row, PanelRow):
            cells = [c.text for c in reversed(row.children)]
            if cells[0] == label:
                return cells
    raise AssertionError(f"no row {label}")


def lend(kiosk) -> None:
    """Three loans (one of a rotation book, by a child) and one return, this month."""
    desk = kiosk.services.desk
    desk.borrow(READER, "LS-0001")
    desk.borrow(READER, "LS-0004")
    desk.borrow(CHILD, "LC-0047")
    desk.return_item("LS-0001")


def test_month_year_and_exports(ui, usb, kiosk):
    lend(kiosk)
    staff_login(ui)
    ui.press("staff_reports")
    assert shows(ui, "Tháng 11 năm 2026")
    header = row_cells(ui, "Chỉ tiêu")
    assert header[2:] == ["Thiếu nhi", "Người lớn", "Người cao tuổi"]
    assert row_cells(ui, "Lượt mượn")[1:] == ["3", "1", "2", "0"]
    assert row_cells(ui, "Lượt trả")[1] == "1"
    assert row_cells(ui, "Lượt mượn sách luân chuyển")[1:] == ["1", "1", "0", "0"]

    ui.press("previous")
    assert shows(ui, "Tháng 10 năm 2026")
    assert row_cells(ui, "Lượt mượn")[1] == "0"
    ui.press("next")
    ui.press("next")
    assert shows(ui, "Tháng 12 năm 2026")
    ui.press("toggle-period")
    assert shows(ui, "Năm 2026")
    assert row_cells(ui, "Lượt mượn")[1] == "3"
    ui.press("previous")
    assert shows(ui, "Năm 2025") and row_cells(ui, "Lượt mượn")[1] == "0"
    ui.press("toggle-period")
    assert shows(ui, "Tháng 12 năm 2025")
    ui.press("next")
    ui.press("toggle-period")
    ui.press("toggle-period")  # the year of this month, then back to this month
    assert shows(ui, "Tháng 11 năm 2026")

    ui.press("export-csv")
    wait_idle(ui)
    saved = list(usb.glob("bao-cao-2026-11-*.csv"))
    assert len(saved) == 1 and shows(ui, str(saved[0]))
    raw = saved[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert ["Lượt mượn", "3", "1", "2", "0"] in rows

    ui.press("export-page")
    wait_idle(ui)
    pages = list(usb.glob("bao-cao-2026-11-*.html"))
    assert len(pages) == 1 and shows(ui, str(pages[0]))
    html = pages[0].read_text(encoding="utf-8")
    for text in ("Xã Đoàn Kết", "Tháng 11 năm 2026", "Người lập biểu", "Thủ trưởng đơn vị"):
        assert text in html


def test_english_screen_still_prints_a_vietnamese_page(ui, usb, kiosk):
    lend(kiosk)
    staff_login(ui)
    ui.app.set_language("en")
    ui.press("staff_reports")
    assert shows(ui, "Month 11 of 2026")
    assert row_cells(ui, "Loans")[1] == "3"
    ui.press("export-page")
    wait_idle(ui)
    html = next(usb.glob("*.html")).read_text(encoding="utf-8")
    assert "BÁO CÁO KẾT QUẢ HOẠT ĐỘNG THƯ VIỆN" in html and "Lượt mượn" in html


def test_staff_mode_times_out_on_the_reports_screen(ui):
    from tests.screens.conftest import IDLE_COUNTDOWN, IDLE_WARNING

    staff_login(ui)
    ui.press("staff_reports")
    ui.idle(IDLE_WARNING + IDLE_COUNTDOWN + 1)
    assert ui.app.screen.name == "home"  # nobody finds the staff screens open
