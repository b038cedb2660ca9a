"""Staff inventory screen, through the real app: start, choose the shelf, tap books (each tap's
verdict), progress per shelf, finish with the result grouped by kind, CSV export to a USB stick
or to the data folder; and an inventory interrupted by closing the app, resumed by a new one."""

from __future__ import annotations

import csv
import dataclasses

from kiosk.demo import sample
from kiosk.demo.driver import Driver
from kiosk.hardware.interfaces import CodeSeen
from kiosk.ops import inventory
from kiosk.store.models import Copy, InventorySession, Loan
from kiosk.wiring import open_kiosk
from tests.screens.conftest import shows

LAW = "Tủ sách pháp luật"


def shelf_copies(shelf: str) -> list[str]:
    query = Copy.select().where(Copy.shelf == shelf).order_by(Copy.accession)
    return [c.accession for c in query]


def open_inventory(ui) -> None:
    ui.press("staff")
    ui.tap_card("staff")
    for digit in "1234":
        ui.press(f"pin-{digit}")
    ui.press("pin-ok")
    ui.press("staff_inventory")
    assert ui.app.screen.name == "staff_inventory"


def step(ui) -> str:
    return ui.app.screen.ids.steps.current


def use_stick(kiosk, pattern: str) -> None:
    config = kiosk.services.config
    kiosk.services.config = dataclasses.replace(config, import_dirs=(pattern,))


def test_a_whole_inventory_with_every_kind_of_finding(ui, kiosk, tmp_path):
    law = shelf_copies(LAW)
    literature = shelf_copies("Văn học")
    kiosk.services.desk.borrow(sample.SAMPLE_CARDS["reader"], law[0])  # on loan ...
    open_inventory(ui)
    assert step(ui) == "start"
    ui.tap_book(law[1])  # nothing open yet
    assert shows(ui, "Hãy bắt đầu kiểm kê trước.")
    ui.press("start")
    assert step(ui) == "shelf"
    assert shows(ui, LAW) and shows(ui, "Thiếu nhi") and shows(ui, "Sách luân chuyển")
    ui.tap_book(law[1])  # no shelf chosen yet
    assert shows(ui, "Hãy chọn giá trước, rồi chạm sách.")
    ui.press(f"shelf-{LAW}")
    assert step(ui) == "scan"
    assert shows(ui, f"Giá: {LAW}")
    ui.tap_book(law[0])  # ... but here on the shelf
    assert shows(ui, "Đang cho mượn nhưng lại ở đây: hãy để riêng ra.")
    ui.tap_book(law[1])
    assert shows(ui, "Có trên giá: đúng chỗ.")
    ui.tap_book(literature[0])
    assert shows(ui, "Thuộc nơi khác: giá Văn học.")
    ui.tap_card("04112233445566")  # a blank tag: no book
    assert shows(ui, "Thẻ hoặc mã không xác định.")
    ui.tap_card("reader")
    assert shows(ui, "Đây là thẻ của người, không phải sách.")
    # A barcode scan counts as well.
    handled = ui.app.events_handled
    barcode = Copy.get(Copy.accession == law[2]).barcode
    kiosk.events.put(CodeSeen(barcode, "CODE128"))
    ui.wait_until(lambda: ui.app.events_handled > handled, "the scan")
    ui.frames(2)
    seen, expected = inventory.progress().shelves[LAW]
    assert (seen, expected) == (3, len(law) - 1)
    assert shows(ui, f"{LAW}: 3 / {expected}")
    assert shows(ui, "Thẻ hoặc mã không xác định: 1")
    ui.press("finish")
    assert step(ui) == "confirm"
    assert shows(ui, "sẽ bị đánh dấu là bị thiếu")
    ui.press("confirm-finish")
    assert step(ui) == "result"
    missing = len(law) - 3
    assert shows(ui, f"Bị thiếu: {missing}")
    assert shows(ui, "Đang cho mượn nhưng có trên giá: 1")
    assert shows(ui, "màn hình Trả sách")  # what to do with it
    assert shows(ui, "Thuộc nơi khác: 1") and shows(ui, "Thẻ hoặc mã không xác định: 1")
    # The loan is flagged, not closed; the copies not seen are missing now.
    assert Loan.select().where(Loan.returned_at.is_null()).count() == 1
    assert Copy.get(Copy.accession == law[-1]).status == "missing"
    assert inventory.open_session() is None
    # Export: no stick plugged in -> the data folder.
    use_stick(kiosk, str(tmp_path / "no-media" / "*"))
    ui.press("export")
    exports = kiosk.config.data_dir / "exports"
    (written,) = exports.glob("kiem-ke-*.csv")
    assert shows(ui, "Không có USB: đã lưu trên kiosk")
    assert shows(ui, str(written))
    rows = list(csv.reader(written.open(encoding="utf-8-sig")))
    assert rows[0][:2] == ["result", "item"]
    assert sorted(r[0] for r in rows[1:]).count("missing") == missing
    # With a stick mounted, the file goes there.
    stick = tmp_path / "media" / "KINGSTON"
    stick.mkdir(parents=True)
    use_stick(kiosk, str(tmp_path / "media" / "*"))
    ui.press("export")
    (on_stick,) = stick.glob("kiem-ke-*.csv")
    assert shows(ui, "Đã lưu vào USB")
    assert on_stick.read_bytes() == written.read_bytes()
    # The last result stays available after leaving.
    ui.press("staff-menu")
    ui.press("staff_inventory")
    assert step(ui) == "start"
    ui.press("last-result")
    assert shows(ui, f"Bị thiếu: {missing}")


def test_an_interrupted_inventory_resumes_in_a_new_app(ui, kiosk):
    from tests.screens.conftest import IDLE_COUNTDOWN, IDLE_WARNING, still

    children = shelf_copies("Thiếu nhi")
    open_inventory(ui)
    ui.press("start")
    ui.press("shelf-Thiếu nhi")
    ui.tap_book(children[0])
    ui.tap_book(children[1])
    # The app is closed mid-way (power cut, or someone quits it): a new one on the same data.
    ui.stop()
    config, clock = kiosk.config, kiosk.services.clock
    kiosk.close()
    again = open_kiosk(config, clock)
    app = again.make_app(idle_warning=IDLE_WARNING, idle_countdown=IDLE_COUNTDOWN, monotonic=still)
    second = Driver(app, again.hardware).start()
    try:
        second.resize(800, 480)
        open_inventory(second)
        assert step(second) == "scan"  # resumed on the shelf it was on
        assert shows(second, "Giá: Thiếu nhi")
        assert shows(second, f"Thiếu nhi: 2 / {len(children)}")
        second.tap_book(children[2])
        assert shows(second, f"Thiếu nhi: 3 / {len(children)}")
        second.press("finish")
        second.press("confirm-finish")
        assert shows(second, "Có trên giá: 3")
        assert shows(second, f"Bị thiếu: {len(children) - 3}")
        assert InventorySession.select().count() == 1
        found = [f.item for f in inventory.results() if f.kind == "found"]
        assert found == children[:3]
    finally:
        second.stop()
        again.close()


def test_an_export_that_cannot_be_written_says_why(ui, kiosk, tmp_path):
    open_inventory(ui)
    ui.press("start")
    ui.press("shelf-Chính trị")
    ui.press("finish")
    ui.press("confirm-finish")
    stick = tmp_path / "media" / "KINGSTON"
    stamp = kiosk.services.clock.now().strftime("%Y%m%d-%H%M")
    (stick / f"kiem-ke-{stamp}.csv").mkdir(parents=True)  # a folder where the file should go
    use_stick(kiosk, str(tmp_path / "media" / "*"))
    ui.press("export")
    assert shows(ui, "Không ghi được tệp:")
    assert step(ui) == "result"  # the result is still there to export again
    (stick / f"kiem-ke-{stamp}.csv").rmdir()
    ui.press("export")
    assert (stick / f"kiem-ke-{stamp}.csv").is_file()
    assert shows(ui, "Đã lưu vào USB")


def layout_scenes(ui, kiosk, show):
    """Inventory steps with every kind of finding, for tests/screens/test_ui_layout.py."""
    from kiosk.flows.session import Tap

    law = shelf_copies(LAW)
    show("staff_inventory", staff_name="Chu Thị Hằng")
    screen = ui.app.screen
    screen.start()
    ui.frames(5)
    yield "staff_inventory-shelf"
    screen.choose_shelf(LAW)
    for item in (law[0], law[1], "LS-0001", "04112233445566", "LC-0047"):
        screen.on_tag(Tap("item", item))
    ui.frames(5)
    yield "staff_inventory-scan"
    screen.ask_finish()
    ui.frames(5)
    yield "staff_inventory-confirm"
    screen.finish()
    screen.exported = "Đã lưu vào USB: /media/thuvien/KINGSTON/kiem-ke-20261125-0930.csv"
    ui.frames(5)
    yield "staff_inventory-result"
