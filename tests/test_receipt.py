"""The QR receipt: what it says, in which language, and that a camera reads it back."""

from __future__ import annotations

from datetime import date

import numpy as np
from PIL import Image
from pyzbar import pyzbar

from kiosk import i18n, receipt
from kiosk.demo import sample
from kiosk.desk import Result

DAY = date(2026, 11, 25)


def book(title: str, due: date = date(2026, 12, 16)) -> Result:
    return Result("borrow", item="LS-0001", accession="LS-0001", title=title, due=due)


def scan(modules: list[list[bool]], scale: int = 4) -> str:
    """Read the code back as a phone would (zbar on the rendered picture)."""
    pixels = (1 - np.array(modules, dtype=np.uint8)) * 255
    size = len(modules) * scale
    image = Image.fromarray(pixels).resize((size, size), Image.NEAREST)
    found = pyzbar.decode(image)
    assert len(found) == 1
    return found[0].data.decode("utf-8")


def test_receipt_lists_books_and_due_dates_in_vietnamese():
    i18n.set_language("vi")
    text = receipt.receipt_text("Thư viện xã Hữu Lũng", DAY, [book("Dế Mèn phiêu lưu ký")])
    assert text.splitlines() == [
        "Thư viện xã Hữu Lũng",
        "Mượn ngày 25/11/2026:",
        "1. Dế Mèn phiêu lưu ký — hạn trả 16/12/2026",
    ]
    assert scan(receipt.qr_modules(text)) == text


def test_long_lists_are_cut_and_titles_shortened_so_the_code_stays_readable():
    i18n.set_language("en")
    lent = [
        book("Truyện cổ tích Việt Nam chọn lọc cho thiếu nhi, tập " + str(n)) for n in range(12)
    ]
    text = receipt.receipt_text("Room", DAY, lent)
    lines = text.splitlines()
    assert len(lines) == 2 + receipt.MAX_LINES + 1 and lines[-1] == "and 6 more"
    assert all(len(line) < receipt.MAX_TITLE + 30 for line in lines)
    assert "…" in lines[2]
    modules = receipt.qr_modules(text)
    assert len(modules) <= 100  # about 4 px a module on the 480-pixel-high screen
    assert scan(modules) == text
    i18n.set_language("vi")


def test_the_receipt_names_no_reader():
    text = receipt.receipt_text("Room", DAY, [book("Sách")])
    for name in ("Hoàng Văn Tâm", sample.SAMPLE_CARDS["reader"]):
        assert name not in text
