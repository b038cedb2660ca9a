"""The on-screen QR receipt after borrowing: a phone camera (zbar here) reads the list of books
and due dates off a screenshot; a kiosk configured without receipts offers none."""

from __future__ import annotations

from dataclasses import replace

from PIL import Image
from pyzbar import pyzbar

from kiosk.i18n import format_date
from tests.screens.conftest import shows


def borrow_two(ui) -> None:
    ui.press("borrow")
    ui.tap_card("reader")
    ui.tap_book("LS-0001")
    ui.tap_book("LS-0004")
    ui.press("finish")


def test_receipt_is_readable_off_the_screen(ui, tmp_path):
    borrow_two(ui)
    ui.press("receipt")
    assert shows(ui, "Chụp mã này bằng điện thoại")
    shot = ui.screenshot(tmp_path / "receipt.png")
    found = pyzbar.decode(Image.open(shot))
    assert len(found) == 1
    text = found[0].data.decode("utf-8")
    due = format_date(ui.app.session.lent()[0].due)
    assert text.splitlines()[1:] == [
        f"Mượn ngày {format_date(ui.app.services.clock.now().date())}:",
        f"1. Dế Mèn phiêu lưu ký — hạn trả {due}",
        f"2. Đất rừng phương Nam — hạn trả {due}",
    ]
    assert "Hoàng Văn Tâm" not in text
    ui.press("close-receipt")
    assert not shows(ui, "Chụp mã này bằng điện thoại")
    ui.press("done")  # the receipt leaves with the reader
    assert ui.app.screen.name == "home"
    assert ui.app.manager.get_screen("summary").receipt == ""


def test_no_receipt_when_switched_off_or_nothing_borrowed(ui, kiosk):
    kiosk.services.config = replace(kiosk.services.config, qr_receipt=False)
    borrow_two(ui)
    assert ui.buttons("receipt") == []
    ui.press("done")
    kiosk.services.config = replace(kiosk.services.config, qr_receipt=True)
    ui.press("borrow")
    ui.tap_card("reader")
    ui.press("finish")
    assert shows(ui, "Không có cuốn sách nào được mượn.") or ui.app.screen.name == "summary"
    assert ui.buttons("receipt") == []
