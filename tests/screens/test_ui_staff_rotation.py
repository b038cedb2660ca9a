"""Rotation batches through the real app: the list with due-back highlighting, a manifest from
the USB stick (dry run, import), receiving by RFID taps and barcode scans with "n of m",
a batch's status, and sending back with the checklist and the confirmation."""

from __future__ import annotations

from pathlib import Path

from kiosk.demo import sample
from kiosk.hardware.interfaces import CodeSeen
from kiosk.screens import theme
from kiosk.store.db import db
from tests.screens import test_ui_staff_import
from tests.screens.conftest import shows
from tests.screens.test_ui_staff_import import choose, staff_login, wait_idle

usb = test_ui_staff_import.usb  # the USB stick fixture
HEADER = "batch,source_library,due_back,title,author,accession,barcode,shelf,tags\n"
UIDS = ["04C0FFEE000001", "04C0FFEE000002", "04C0FFEE000003", "04C0FFEE000004"]


def write_manifest(
    folder: Path, code: str = "LC-2026-12", due: str = "05/12/2026", first: int = 1
) -> Path:
    """The province's manifest: four books, labelled with NTAG stickers and barcodes
    (`first`: the number of the first book, so that two manifests do not clash)."""
    titles = ["Truyện cổ Tày", "Then Tày – Nùng", "Sổ tay nuôi ong", "Luật Đất đai 2024"]
    lines = [
        f"{code},Thư viện tỉnh Lạng Sơn,{due},{title},Nhiều tác giả,TVT-{n:03d},"
        f"99{n:06d},Luân chuyển,04C0FFEE{n:06d}\n"
        for n, title in enumerate(titles, start=first)
    ]
    path = folder / f"danh-sach-{code}.csv"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def statuses(code: str) -> dict[str, str]:
    rows = db.execute_sql(
        "SELECT c.accession, c.status FROM copy c JOIN rotation_batch b ON b.id = c.batch_id"
        " WHERE b.code = ? ORDER BY c.accession",
        (code,),
    ).fetchall()
    return dict(rows)


def batch_button(ui, code: str):
    found = ui.buttons(f"batch-{code}")
    assert found, f"no batch {code}"
    return found[0]


def scan(ui, kiosk, code: str) -> None:
    """A barcode through the event queue, as the scanner thread would send it."""
    handled = ui.app.events_handled
    kiosk.events.put(CodeSeen(code, "CODE128"))
    ui.wait_until(lambda: ui.app.events_handled > handled, "the scan")
    ui.frames(2)


def test_import_receive_status_send_back(ui, usb, kiosk):
    write_manifest(usb)
    staff_login(ui)
    ui.press("staff_rotation")
    assert shows(ui, "LC-2026-07 · Thư viện tỉnh Lạng Sơn")
    assert shows(ui, "đã nhận 4/4 · đang mượn 0 · thiếu 0")

    ui.press("import-manifest")
    choose(ui, "danh-sach-LC-2026-12.csv")
    assert shows(ui, "Đợt: LC-2026-12") and shows(ui, "Hạn trả: 05/12/2026")
    assert shows(ui, "Số bản sách theo danh sách: 4")
    assert statuses("LC-2026-12") == {}  # the dry run wrote nothing
    ui.press("import")
    wait_idle(ui)
    assert set(statuses("LC-2026-12").values()) == {"missing"}
    assert shows(ui, "Đã nhập đợt LC-2026-12")

    ui.press("receive")
    ui.tap_card(UIDS[0])  # the RFID sticker
    assert shows(ui, "Đã nhận 1/4 cuốn") and shows(ui, "Đã nhận: Truyện cổ Tày (TVT-001)")
    scan(ui, kiosk, "99000002")  # the barcode
    ui.tap_card(UIDS[2])
    ui.tap_card(UIDS[2])  # twice: already received
    assert shows(ui, "đã nhận trước đó")
    ui.tap_book("LS-0001")  # the commune's own book
    assert shows(ui, "không phải sách của đợt này")
    assert shows(ui, "Đã nhận 3/4 cuốn")
    assert shows(ui, "Chưa nhận (1):") and shows(ui, "TVT-004  Luật Đất đai 2024")
    assert statuses("LC-2026-12") == {
        "TVT-001": "available",
        "TVT-002": "available",
        "TVT-003": "available",
        "TVT-004": "missing",
    }

    # A reader borrows one; the batch's status says so.
    kiosk.services.desk.borrow(sample.SAMPLE_CARDS["reader"], "TVT-002")
    ui.press("done")
    assert shows(ui, "Đang cho mượn (1):") and shows(ui, "TVT-002  Then Tày – Nùng")
    assert shows(ui, "Bị thiếu (1):")

    ui.press("send-back")
    assert shows(ui, "Trong thùng (2):") and shows(ui, "Vẫn đang cho mượn (1):")
    assert shows(ui, "2 cuốn của đợt không có ở đây")
    assert statuses("LC-2026-12")["TVT-001"] == "available"  # not before the confirmation
    ui.press("cancel")
    ui.press("send-back")
    ui.press("confirm-send-back")
    assert statuses("LC-2026-12") == {
        "TVT-001": "sent_back",
        "TVT-002": "on_loan",
        "TVT-003": "sent_back",
        "TVT-004": "missing",
    }
    assert shows(ui, "Đã đóng gói 2 cuốn để gửi trả.") and shows(ui, "Còn 2 cuốn chưa về.")


def test_due_back_dates_are_highlighted(ui, usb, kiosk):
    from kiosk.ops.rotation import import_manifest

    import_manifest(write_manifest(usb, "LC-2026-11", "20/11/2026"))  # already past
    import_manifest(write_manifest(usb, "LC-2026-12", "05/12/2026", first=11))
    staff_login(ui)
    ui.press("staff_rotation")
    assert tuple(batch_button(ui, "LC-2026-11").colour) == theme.REFUSED
    assert tuple(batch_button(ui, "LC-2026-12").colour) == theme.ASK_STAFF
    assert tuple(batch_button(ui, "LC-2026-07").colour) == theme.HEADER
    assert shows(ui, "hạn trả 20/11/2026: đã quá 5 ngày")
    assert shows(ui, "hạn trả 05/12/2026 (còn 10 ngày)")
    kiosk.services.clock.advance(days=80)  # the sample batch is due in 90 days
    ui.press("back")
    ui.press("staff_rotation")
    assert tuple(batch_button(ui, "LC-2026-07").colour) == theme.ASK_STAFF
    ui.press("batch-LC-2026-11")
    assert shows(ui, "LC-2026-11: hạn trả 20/11/2026: đã quá 85 ngày")
    assert tuple(ui.app.screen.status_colour) == theme.REFUSED


def test_bad_manifests(ui, usb, kiosk):
    write_manifest(usb, "LC-2026-07")  # the sample batch: already imported
    (usb / "khong-ma.csv").write_text("title,accession\nSách không rõ đợt,X-1\n", encoding="utf-8")
    (usb / "dong-loi.csv").write_text(
        HEADER + "LC-2027-02,Thư viện tỉnh,31/03/2027,,,Y-1,,,\n", encoding="utf-8"
    )
    (usb / "koha-luan-chuyen.mrc").write_bytes(test_ui_staff_import.koha_export(2)[0])
    staff_login(ui)
    ui.press("staff_rotation")
    ui.press("import-manifest")
    choose(ui, "koha-luan-chuyen.mrc")
    assert shows(ui, "kiosk rotation import")
    assert ui.buttons("import") == []
    ui.press("files")
    choose(ui, "danh-sach-LC-2026-07.csv")
    assert shows(ui, "Đợt 'LC-2026-07' đã được nhập rồi")
    assert ui.buttons("import") == []
    ui.press("files")
    choose(ui, "khong-ma.csv")
    assert shows(ui, "Một đợt cần có mã, thư viện gửi và hạn trả")
    ui.press("files")
    choose(ui, "dong-loi.csv")
    assert shows(ui, "dòng 2:")
    assert ui.buttons("import") == []
    assert statuses("LC-2027-02") == {}
    # Taps outside the receiving view are not taken as receipts.
    ui.press("batches")
    ui.tap_book("LC-0047")
    assert statuses("LC-2026-07")["LC-0047"] == "available"
