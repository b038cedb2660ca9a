"""The borrow screen as a reader meets it, in the real app on the emulated reader: the account
right after the card, a book tapped twice, Remove on the right line, a card tapped where a
book is expected, and the summary when nothing went home. What is on screen, in the store and
what is said are checked together."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk import messages
from kiosk.circulation import Refusal
from kiosk.demo import sample
from tests.flows.test_session_taps import forget_loans, open_loans
from tests.screens.conftest import shows, texts
from tests.screens.test_ui_access import heard, start

CHILD = sample.SAMPLE_CARDS["child"]
READER = sample.SAMPLE_CARDS["reader"]


@pytest.fixture
def ui(kiosk):
    driver = start(kiosk)
    yield driver
    driver.stop()


def theme():
    from kiosk.screens import theme

    return theme


def lines(ui) -> list:
    """The borrow screen's lines, top (newest) first."""
    return ui.app.screen.ids.lines.items


def test_the_account_shows_right_after_the_card(ui):
    ui.press("borrow")
    ui.tap_card("reader")
    assert shows(ui, "Đang mượn: 0/5.") and shows(ui, "Bạn còn được mượn 5 cuốn.")
    assert ui.app.screen.account_colour == list(theme().HEADER)
    assert heard(ui)[-2:] == ["account?count=0&more=5", "screen-borrow"]
    said = [played.source.text for played in ui.app.audio.sink.played]
    assert "Bạn đang mượn không cuốn. Bạn còn được mượn năm cuốn." in said


def test_a_reader_at_the_limit_is_told_before_tapping(ui, kiosk):
    for number in (1, 3, 4):
        kiosk.services.desk.borrow(CHILD, f"LS-{number:04d}")
    ui.press("borrow")
    ui.tap_card("child")
    assert shows(ui, messages.refusal_text(Refusal.LIMIT_REACHED))
    assert ui.app.screen.account_colour == list(theme().REFUSED)
    assert heard(ui)[-1] == "refusal-limit-reached"


def test_a_late_book_is_a_warning_then_a_block(ui, kiosk):
    desk, clock = kiosk.services.desk, kiosk.services.clock
    desk.borrow(READER, "LS-0001")
    clock.advance(days=desk.rules.period_days["adult"] + 2)
    ui.press("borrow")
    ui.tap_card("reader")
    assert shows(ui, "1 cuốn đã quá hạn: hãy mang trả.")
    assert ui.app.screen.account_colour == list(theme().ASK_STAFF)
    assert heard(ui)[-3:] == ["overdue-warning", "account?count=1&more=4", "screen-borrow"]
    ui.app.end_session()
    clock.advance(days=desk.rules.overdue_block_days)
    ui.press("borrow")
    ui.tap_card("reader")
    assert shows(ui, messages.refusal_text(Refusal.OVERDUE))  # with "ask the librarian"
    assert heard(ui)[-1] == "refusal-overdue"


def test_a_repeat_tap_points_at_its_line_and_remove_undoes_exactly_it(ui):
    ui.press("borrow")
    ui.tap_card("reader")
    ui.tap_book("LS-0001")
    ui.tap_book("LS-0004")
    ui.tap_book("LS-0001")  # again: nothing new, the line is pointed out
    assert len(lines(ui)) == 2 and shows(ui, "Số sách: 2")
    assert [line.picked for line in lines(ui)] == [False, True]
    assert shows(ui, "Cuốn sách này đã có trong danh sách của bạn.")
    assert heard(ui)[-1] == "already-listed"
    assert open_loans(READER) == ["LS-0001", "LS-0004"]
    ui.press("remove-1")  # Đất rừng phương Nam's line
    assert open_loans(READER) == ["LS-0001"]
    assert len(lines(ui)) == 1 and "Dế Mèn phiêu lưu ký" in lines(ui)[0].headline
    ui.press("finish")
    assert shows(ui, "Bạn đã mượn 1 cuốn sách.")
    assert [r.accession for r in ui.app.session.lent()] == ["LS-0001"]
    due = ui.app.session.earliest_due()
    assert heard(ui)[-1] == f"summary-lent?count=1&due={due.isoformat()}"
    spoken = ui.app.audio.sink.played[-1].source
    assert spoken.kind == "speech"
    assert spoken.text.startswith("Bạn đã mượn một cuốn sách. Hạn trả ngày")


def test_an_unknown_card_on_the_borrow_screen_is_a_card_not_a_book(ui):
    ui.press("borrow")
    ui.tap_card("reader")
    ui.tap_card("A1B2C3FF")
    assert lines(ui) == [] and not any("A1B2C3FF" in text for text in texts(ui))
    assert shows(ui, "Đây là thẻ, không phải sách. Hãy chạm một cuốn sách.")
    assert heard(ui)[-1] == "card-not-book"


def test_another_readers_card_ends_this_readers_visit(ui):
    ui.press("borrow")
    ui.tap_card("reader")
    ui.tap_book("LS-0001")
    ui.tap_card("child")
    assert ui.app.screen.name == "borrow" and ui.app.session.card == CHILD
    assert lines(ui) == [] and shows(ui, "Xin chào, ")
    assert not shows(ui, "Hoàng Văn Tâm") and not shows(ui, "Dế Mèn phiêu lưu ký")
    assert open_loans(READER) == ["LS-0001"]  # the first reader's loan is kept


def test_a_summary_with_nothing_borrowed_says_so_and_why(ui):
    ui.press("borrow")
    ui.tap_card("reader")
    ui.tap_book("LS-0025")  # reference only
    ui.press("finish")
    assert shows(ui, "Chưa mượn cuốn sách nào.") and not shows(ui, "Cảm ơn bạn!")
    assert shows(ui, messages.refusal_text(Refusal.NOT_LOANABLE))
    assert ui.app.screen.title_icon == theme().ICONS["notice"]
    assert heard(ui)[-1] == "nothing-borrowed"


BOOKS = ["LS-0001", "LS-0003", "LS-0004", "LS-0025", "LS-0006", "LS-0008", "LS-0002"]


def tapped(ui, accession: str) -> None:
    """A labelled book tag as the reader reports it (the emulated reader's own path is covered
    above; here the sequences are many)."""
    from kiosk.hardware.interfaces import TagSeen, TagStatus

    number = int(accession.rsplit("-", 1)[1])
    uid = bytes.fromhex(sample.tag_uid(number))
    ui.app.on_hardware_event(TagSeen(uid, "ntag", TagStatus.OK, item_id=accession))
    ui.frames(2)


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.one_of(st.sampled_from(BOOKS), st.integers(min_value=0, max_value=5)), max_size=10
    )
)
def test_screen_summary_and_store_agree_after_any_taps(ui, steps):
    """Taps (a book) and Remove presses (a line number) in any order, through the app and the
    touch screen: the screen's lines, its count, the summary and the store agree."""
    ui.press("borrow")
    ui.tap_card("child")
    try:
        for step in steps:
            if isinstance(step, str):
                tapped(ui, step)
            elif ui.buttons(f"remove-{step}"):
                ui.press(f"remove-{step}")
        lent = sorted(r.accession for r in ui.app.session.lent())
        listed = [r.accession for r in ui.app.session.borrowed]
        assert len(listed) == len(set(listed)) == len(lines(ui))
        removable = [line for line in lines(ui) if line.button_text]
        assert len(removable) == len(lent)
        assert shows(ui, f"Số sách: {len(lent)}")
        assert lent == open_loans(CHILD)
        ui.press("finish")
        if lent:
            assert shows(ui, f"Bạn đã mượn {len(lent)} cuốn sách.")
        else:
            assert shows(ui, "Chưa mượn cuốn sách nào.")
    finally:
        ui.app.end_session()
        forget_loans(CHILD)


def test_search_results_are_said_on_request(ui):
    ui.press("search")
    ui.type("truyen")
    assert shows(ui, "Tìm thấy 3 cuốn.")
    ui.press("listen-results")
    assert heard(ui)[-1].startswith("search-found?count=3&titles=Truy")
    spoken = ui.app.audio.sink.played[-1].source.text
    assert spoken.startswith("Tìm thấy ba cuốn: Truyện") and spoken.count(";") == 2


def test_staff_help_gives_the_provincial_hotline(kiosk):
    """Each staff screen has its own steps, and the hotline set in kiosk.toml is shown and
    said (digit by digit) under them."""
    from dataclasses import replace

    from kiosk.audio import prompts

    kiosk.services.config = replace(kiosk.services.config, hotline="0205 3870 555")
    driver = start(kiosk)
    try:
        driver.app.show("staff_reports", staff_name="Chu Thị Hằng")
        driver.frames(2)
        driver.app.open_help()
        driver.frames(3)
        lines = driver.app._help.lines
        assert lines[0] == "Chạm mũi tên để đổi tháng, hoặc xem cả năm."
        assert lines[-1] == "Thư viện tỉnh: 0205 3870 555"
        assert heard(driver)[-2:] == ["help-staff-reports", "hotline?phone=0205+3870+555"]
        said = driver.app.audio.sink.played[-1].source.text
        assert said == "Thư viện tỉnh: không hai không năm, ba tám bảy không, năm năm năm"
        driver.app._help.dismiss(animation=False)
        driver.app.show("borrow")  # a reader screen: no staff number
        driver.app.open_help()
        driver.frames(3)
        assert not any("0205" in line for line in driver.app._help.lines)
    finally:
        driver.stop()
    assert all(
        prompts.help_topic(f"staff_{name}") == f"staff_{name}"
        for name in ("register", "labels", "inventory", "import", "rotation", "reports")
    )
