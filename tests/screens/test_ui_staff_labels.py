"""Staff labelling screen, through the real app on the emulated MFRC522: a blank NTAG213 put
on the reader is written by the screen and read back by the real driver; barcodes; a bulk
session; and the failures (write-protected tag, tag pulled away, a tag of another copy)."""

from __future__ import annotations

from kiosk.catalog import titles as catalog
from kiosk.hardware.emulator import Ntag213
from kiosk.hardware.emulator.iso14443 import from_bits
from kiosk.hardware.interfaces import CodeSeen
from kiosk.store.db import db
from kiosk.store.models import Copy, CopyTag
from tests.screens.conftest import shows

SHELF = "Văn hoá địa phương"
TITLE = "Truyện cổ Tày – Nùng: Nàng Ngọc Hoa và chàng Khun Chấu"


def add_unlabelled() -> None:
    """Three new copies on one shelf and one on another, none with a tag yet."""
    title = catalog.add_title(TITLE, "Nông Minh Châu")
    for n in (101, 102, 103):
        catalog.add_copy(title, f"LS-{n:04d}", shelf=SHELF)
    catalog.add_copy(catalog.add_title("Kể chuyện Bác Hồ"), "LS-0104", shelf="Thiếu nhi")


def open_labelling(ui) -> None:
    add_unlabelled()
    ui.press("staff")
    ui.tap_card("staff")
    for digit in "1234":
        ui.press(f"pin-{digit}")
    ui.press("pin-ok")
    ui.press("staff_labels")
    assert ui.app.screen.name == "staff_labels"


def blank(n: int) -> Ntag213:
    return Ntag213(bytes.fromhex(f"04C0FFEE0000{n:02X}"))


def put_tag(ui, kiosk, card: Ntag213) -> None:
    """Leave `card` on the reader until the screen has handled it (and written it)."""
    handled = ui.app.events_handled
    kiosk.hardware.rig.reader.place(card)
    ui.wait_until(lambda: ui.app.events_handled > handled, "the tag's event")
    ui.wait_until(lambda: not ui.app.screen.flow.pending, "the write")
    ui.frames(2)


def take_tag(ui, kiosk, card: Ntag213) -> None:
    kiosk.hardware.rig.reader.remove(card)
    ui.wait_until(lambda: kiosk.hardware.tag_reader.current is None, "the tag to leave")


def scan(ui, kiosk, code: str) -> None:
    """A barcode through the event queue, as the scanner thread sends it."""
    handled = ui.app.events_handled
    kiosk.events.put(CodeSeen(code, "EAN13"))
    ui.wait_until(lambda: ui.app.events_handled > handled, "the scan")
    ui.frames(2)


def tag_owner(card: Ntag213) -> str | None:
    row = CopyTag.get_or_none(CopyTag.uid == card.uid.hex().upper())
    return row.copy.accession if row else None


def read_back(kiosk, card: Ntag213) -> str | None:
    """The label as the real mfrc522 driver reads it on a fresh tap (poller stopped)."""
    hardware = kiosk.hardware
    hardware.poller.stop()
    reader = hardware.tag_reader
    if card in hardware.rig.reader.cards:
        hardware.rig.reader.remove(card)
    reader.poll(), reader.poll()
    hardware.rig.reader.place(card)
    event = reader.poll()
    hardware.rig.reader.remove(card)
    return event.item_id


def test_type_a_number_write_a_blank_tag_and_read_it_back(ui, kiosk):
    open_labelling(ui)
    assert shows(ui, "Chưa có thẻ: 4")
    assert shows(ui, TITLE)
    for key in "101":
        ui.press(f"pad-{key}")
    ui.press("find")  # "101" finds LS-0101 without its prefix
    assert ui.app.screen.ids.steps.current == "copy"
    assert shows(ui, TITLE) and shows(ui, f"Giá: {SHELF}")
    card = blank(1)
    put_tag(ui, kiosk, card)
    assert shows(ui, "Đã ghi và kiểm tra thẻ: LS-0101")
    assert tag_owner(card) == "LS-0101"
    # The poller does not fight the writer: the written tag, still on the reader, gives no
    # second tap (which would be taken for a new tag).
    handled = ui.app.events_handled
    ui.run_for(0.6)
    assert ui.app.events_handled == handled
    assert ui.app.screen.ids.steps.current == "pick"  # the next tag is for another book
    assert shows(ui, "Chưa có thẻ: 3")
    # Tapped again, the labelled tag says whose it is.
    take_tag(ui, kiosk, card)
    ui.place(card)
    assert shows(ui, "Thẻ này là nhãn của LS-0101.")
    assert read_back(kiosk, card) == "LS-0101"


def test_pick_from_the_list_and_the_failures(ui, kiosk):
    open_labelling(ui)
    ui.press("choose-LS-0102")
    ui.press("write")  # nothing on the reader
    assert shows(ui, "Không có thẻ trên đầu đọc.")
    # A write-protected tag: refused, nothing recorded.
    locked = blank(2)
    page2 = locked.page(2)
    locked.set_page(2, bytes((page2[0], page2[1], 0xF0, 0xFF)))
    put_tag(ui, kiosk, locked)
    assert shows(ui, "Chưa ghi được nhãn.")
    assert shows(ui, "Thẻ từ chối ghi nhãn: thẻ đã bị khóa ghi.")
    assert tag_owner(locked) is None
    take_tag(ui, kiosk, locked)
    # A tag pulled away while its pages are being written.
    moved = blank(3)
    rig = kiosk.hardware.rig
    unsubscribe = rig.reader.on_frame(
        lambda bits: (
            rig.reader.remove(moved)
            if moved in rig.reader.cards and len(bits) >= 16 and from_bits(bits)[0] == 0xA2
            else None
        )
    )
    put_tag(ui, kiosk, moved)
    unsubscribe()
    assert shows(ui, "Thẻ bị dịch ra trong khi đang ghi")
    assert tag_owner(moved) is None
    # The tag of a book already labelled.
    from kiosk.demo.driver import book_tag

    other = book_tag("LS-0001")
    ui.wait_until(lambda: kiosk.hardware.tag_reader.current is None, "the reader to be free")
    put_tag(ui, kiosk, other)
    assert shows(ui, "đã gắn cho bản sách khác")
    assert tag_owner(other) == "LS-0001"
    take_tag(ui, kiosk, other)
    # A reader's card is not a book's tag.
    ui.tap_card("reader")
    assert shows(ui, "Đây là thẻ của người, không phải thẻ dán sách.")
    # Still LS-0102, and a good tag now works.
    good = blank(4)
    put_tag(ui, kiosk, good)
    assert tag_owner(good) == "LS-0102"
    # An unknown number.
    for key in "999":
        ui.press(f"pad-{key}")
    ui.press("find")
    assert shows(ui, "Không có bản sách '999'.")
    assert ui.app.screen.typed == "999"  # kept, to be corrected


def test_barcodes(ui, kiosk):
    open_labelling(ui)
    scan(ui, kiosk, "8935236401234")  # no copy has it, none chosen
    assert shows(ui, "Không có bản sách nào mang mã 8935236401234.")
    ui.press("choose-LS-0103")
    scan(ui, kiosk, "8935236401234")  # chosen, but not asked for a barcode
    assert Copy.get(Copy.accession == "LS-0103").barcode is None
    ui.press("barcode")
    assert shows(ui, "Quét mã vạch dán cho bản sách này ngay bây giờ.")
    scan(ui, kiosk, "8935236401234")
    assert Copy.get(Copy.accession == "LS-0103").barcode == "8935236401234"
    assert shows(ui, "Đã gán mã vạch 8935236401234 cho LS-0103.")
    # A barcode already on another copy cannot be given twice.
    ui.press("back")
    ui.press("choose-LS-0104")
    ui.press("barcode")
    scan(ui, kiosk, "8935236401234")
    assert shows(ui, "8935236401234 đã gắn cho bản LS-0103")
    assert Copy.get(Copy.accession == "LS-0104").barcode is None
    # Scanning a copy's barcode chooses it.
    ui.press("back")
    scan(ui, kiosk, "8935236401234")
    assert ui.app.screen.ids.steps.current == "copy"
    assert ui.app.screen.flow.chosen.accession == "LS-0103"


def test_bulk_session_of_a_shelf(ui, kiosk):
    open_labelling(ui)
    ui.press("bulk")
    assert shows(ui, "Tất cả các giá: 4")
    ui.press(f"shelf-{SHELF}")
    assert shows(ui, "Đã dán nhãn 0 / 3")
    assert shows(ui, TITLE) and shows(ui, "LS-0101")
    first = blank(5)
    put_tag(ui, kiosk, first)
    assert tag_owner(first) == "LS-0101"
    assert shows(ui, "Đã dán nhãn 1 / 3")
    take_tag(ui, kiosk, first)
    ui.press("skip")  # LS-0102 is not at hand
    assert ui.app.screen.flow.target.accession == "LS-0103"
    second = blank(6)
    put_tag(ui, kiosk, second)
    assert tag_owner(second) == "LS-0103"
    assert shows(ui, "Đã dán nhãn 2 / 3")
    assert shows(ui, "Còn lại: 1")
    assert shows(ui, "LS-0102")
    take_tag(ui, kiosk, second)
    assert read_back(kiosk, second) == "LS-0103"
    left = db.execute_sql(
        "SELECT c.accession FROM copy c WHERE NOT EXISTS"
        " (SELECT 1 FROM copy_tag g WHERE g.copy_id = c.id) ORDER BY c.accession"
    ).fetchall()
    assert left == [("LS-0102",), ("LS-0104",)]


def layout_scenes(ui, kiosk, show):
    """Labelling steps with long titles and a long failure, for tests/screens/test_ui_layout.py."""
    from kiosk.flows.staff_labels import Line

    long_title = "Kỹ thuật trồng và chăm sóc cây hồi, cây quế theo hướng hữu cơ ở vùng biên giới"
    title = catalog.add_title(long_title, "Trung tâm Khuyến nông tỉnh Lạng Sơn")
    for n in (201, 202, 203):
        catalog.add_copy(title, f"LS-{n:04d}", shelf=SHELF)
    show("staff_labels", staff_name="Chu Thị Hằng")
    screen = ui.app.screen
    ui.frames(5)
    yield "staff_labels-pick"
    screen.choose("LS-0201")
    screen.flow.line = Line(
        False,
        "Chưa ghi được nhãn.",
        "Thẻ bị dịch ra trong khi đang ghi. Hãy giữ yên thẻ và thử lại.",
    )
    screen.refresh()
    ui.frames(5)
    yield "staff_labels-copy"
    screen.back()
    screen.choose_shelves()
    ui.frames(5)
    yield "staff_labels-shelves"
    screen.start_bulk(SHELF)
    screen.skip()
    ui.frames(5)
    yield "staff_labels-bulk"
