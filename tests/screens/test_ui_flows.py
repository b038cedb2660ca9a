"""The real app, driven with simulated touches and tags on the emulated reader: borrow, return,
renew, search, staff login with lockout, inactivity, and every refusal's message."""

from __future__ import annotations

from datetime import timedelta

from kiosk import messages
from kiosk.circulation import Refusal
from kiosk.demo import sample
from kiosk.i18n import format_date
from kiosk.store.db import db
from tests.screens.conftest import IDLE_COUNTDOWN, IDLE_WARNING, shows


def open_loans(reader_id: int = 1) -> list[tuple[str, str]]:
    return db.execute_sql(
        "SELECT c.accession, l.due FROM loan l JOIN copy c ON c.id = l.copy_id"
        " WHERE l.returned_at IS NULL AND l.reader_id = ? ORDER BY c.accession",
        (reader_id,),
    ).fetchall()


def test_full_borrow(ui):
    from kiosk.screens.wording import tr

    ui.press("borrow")
    assert ui.app.screen.name == "identify"
    assert shows(ui, "Hãy chạm thẻ của bạn vào đầu đọc")
    ui.tap_card("reader")
    assert ui.app.screen.name == "borrow"
    assert shows(ui, "Xin chào, Hoàng Văn Tâm")
    ui.tap_book("LS-0001")
    ui.tap_book("LS-0004")
    due = ui.app.session.lent()[0].due
    assert shows(ui, "Dế Mèn phiêu lưu ký") and shows(ui, "Đất rừng phương Nam")
    assert shows(ui, tr("Bring it back by {date}.").format(date=format_date(due)))
    assert [a for a, _ in open_loans()] == ["LS-0001", "LS-0004"]
    ui.press("finish")
    assert ui.app.screen.name == "summary"
    assert shows(ui, format_date(due))
    assert shows(ui, "Bạn đã mượn 2 cuốn sách.")
    ui.press("done")
    assert ui.app.screen.name == "home"
    assert not ui.app.session.identified


def test_a_mistaken_book_is_removed(ui):
    ui.press("borrow")
    ui.tap_card("reader")
    ui.tap_book("LS-0001")
    ui.tap_book("LS-0004")
    ui.press("remove-1")  # the newest line is on top
    assert [a for a, _ in open_loans()] == ["LS-0001"]
    assert len(ui.app.session.lent()) == 1
    # cancelled, not returned: one loan counted, no return
    from kiosk import counters
    from kiosk.store.models import CounterBucket

    totals = {
        m: sum(b.count for b in CounterBucket.select().where(CounterBucket.metric == m))
        for m in (counters.LOANS, counters.RETURNS)
    }
    assert totals == {counters.LOANS: 1, counters.RETURNS: 0}


def test_a_card_on_home_starts_borrowing(ui):
    ui.tap_card("reader")
    assert ui.app.screen.name == "borrow"


def test_return_without_a_card(ui, kiosk):
    card = sample.SAMPLE_CARDS["reader"]
    kiosk.services.desk.borrow(card, "LS-0001")
    kiosk.services.desk.borrow(card, "LC-0047")
    ui.press("return")
    ui.tap_book("LS-0001")
    assert shows(ui, "Đã trả — hãy đặt sách lên xe đẩy.")
    ui.tap_book("LC-0047")
    assert shows(ui, messages.notice_text(messages.Notice.ROTATION_ITEM))
    assert shows(ui, "LC-2026-07")
    assert open_loans() == []


def test_my_loans_renew_one_and_all(ui, kiosk):
    card = sample.SAMPLE_CARDS["reader"]
    kiosk.services.desk.borrow(card, "LS-0001")
    kiosk.services.desk.borrow(card, "LS-0004")
    kiosk.services.clock.advance(days=18)
    ui.press("loans")
    ui.tap_card("reader")
    assert ui.app.screen.name == "loans"
    assert shows(ui, "Đang mượn 2 cuốn.")
    before = dict(open_loans())
    ui.press("renew-0")
    after = dict(open_loans())
    assert after["LS-0001"] > before["LS-0001"]
    assert shows(ui, "Đã gia hạn đến")
    ui.press("renew-all")
    # LS-0001 was just renewed: renewing again now would not move its due date.
    assert shows(ui, messages.refusal_text(Refusal.TOO_EARLY))
    assert dict(open_loans())["LS-0004"] > before["LS-0004"]


def test_overdue_loans_are_highlighted(ui, kiosk):
    from kiosk.screens import theme

    kiosk.services.desk.borrow(sample.SAMPLE_CARDS["reader"], "LS-0001")
    kiosk.services.clock.advance(days=40)
    ui.press("loans")
    ui.tap_card("reader")
    assert shows(ui, "Quá hạn")
    line = ui.buttons("renew-0")[0].parent
    assert tuple(line.highlight) == theme.OVERDUE_BG


def test_search_without_marks(ui):
    ui.press("search")
    ui.type("duong")
    assert shows(ui, "Đường Kách Mệnh")
    assert shows(ui, "Giá: Chính trị")
    ui.type(" kach")
    assert shows(ui, "Tìm thấy 1 cuốn.")


def test_a_reference_book_is_read_here_not_lent_out(ui):
    """Then Tày Lạng Sơn is reference only and on its shelf: "read here", not "all out"."""
    from kiosk.screens import theme

    ui.press("search")
    ui.type("then tay")
    assert shows(ui, "Then Tày Lạng Sơn")
    assert shows(ui, "Đọc tại chỗ: sách có trên giá") and not shows(ui, "Đã cho mượn hết")
    line = ui.app.screen.ids.results.items[0]
    assert tuple(line.colour) == tuple(theme.NOTICE)


def test_staff_login_wrong_then_right_pin(ui):
    ui.press("staff")
    ui.tap_card("staff")
    for digit in "9999":
        ui.press(f"pin-{digit}")
    ui.press("pin-ok")
    assert ui.app.screen.name == "staff"
    assert shows(ui, "Sai mã PIN") or shows(ui, "PIN")
    for digit in "1234":
        ui.press(f"pin-{digit}")
    ui.press("pin-ok")
    assert ui.app.screen.name == "staff_menu"
    assert shows(ui, "Chu Thị Hằng")
    assert shows(ui, "Lượt mượn: 0")


def test_staff_lockout(ui, kiosk):
    from kiosk import staff

    ui.press("staff")
    ui.tap_card("staff")
    for _ in range(staff.MAX_FAILED):
        for digit in "0000":
            ui.press(f"pin-{digit}")
        ui.press("pin-ok")
    for digit in "1234":  # the right PIN, but the card is locked now
        ui.press(f"pin-{digit}")
    ui.press("pin-ok")
    assert ui.app.screen.name == "staff"
    until = (kiosk.services.clock.now() + staff.LOCKOUT).strftime("%H:%M")
    assert shows(ui, until)


def test_a_reader_card_is_not_a_staff_card(ui):
    ui.press("staff")
    ui.tap_card("reader")
    assert shows(ui, "Đây không phải thẻ cán bộ.")


def test_inactivity_warns_then_clears_the_reader(ui):
    ui.press("borrow")
    ui.tap_card("reader")
    ui.tap_book("LS-0001")
    ui.idle(IDLE_WARNING + 1)
    assert shows(ui, "Bạn vẫn còn ở đây chứ?")
    ui.tap_at(5, 5)  # any touch: still here
    assert not shows(ui, "Bạn vẫn còn ở đây chứ?")
    assert ui.app.screen.name == "borrow"
    ui.idle(IDLE_WARNING + IDLE_COUNTDOWN + 1)
    assert ui.app.screen.name == "home"
    assert not ui.app.session.identified
    assert not shows(ui, "Dế Mèn phiêu lưu ký")


def test_home_never_times_out(ui):
    ui.idle(IDLE_WARNING + IDLE_COUNTDOWN + 1)
    assert ui.app.screen.name == "home"
    assert not shows(ui, "Bạn vẫn còn ở đây chứ?")


def test_language_picker_and_reset_after_the_session(ui):
    ui.press("lang-en")
    assert shows(ui, "Find a book")
    ui.press("borrow")
    assert shows(ui, "Tap your card on the reader")
    ui.press("home")
    assert shows(ui, "Tìm sách")  # the next reader starts in the kiosk's language


def test_unknown_card_says_how_to_register(ui):
    ui.press("borrow")
    ui.tap_card("A1B2C3FF")
    assert ui.app.screen.name == "identify"
    assert shows(ui, messages.refusal_text(Refusal.UNKNOWN_READER))


def test_refusals_through_the_reader(ui, kiosk):
    kiosk.services.desk.borrow(sample.SAMPLE_CARDS["child"], "LS-0002")
    ui.press("borrow")
    ui.tap_card("reader")
    ui.tap_book("LS-0025")  # reference only
    assert shows(ui, messages.refusal_text(Refusal.NOT_LOANABLE))
    ui.tap_book("LS-0002")  # lent to the child
    assert shows(ui, messages.refusal_text(Refusal.ON_LOAN_TO_OTHER))
    assert ui.app.session.lent() == []


def test_every_refusal_has_its_icon_colour_and_translated_text(ui):
    from kiosk.desk import Result
    from kiosk.screens import theme

    ui.press("borrow")
    ui.tap_card("reader")
    for reason in Refusal:
        ui.app.session.borrowed.append(Result("borrow", refusal=reason, title="Truyện Kiều"))
        ui.app.screen.refresh()
        ui.frames(2)
        text = messages.refusal_text(reason)
        assert shows(ui, text), reason
        assert text != messages.REFUSALS[reason]  # Vietnamese, not the English source
        line = ui.app.screen.ids.lines.items[0]  # the newest, on top
        ask = reason in messages.ASK_STAFF
        assert tuple(line.colour) == (theme.ASK_STAFF if ask else theme.REFUSED), reason
        assert line.icon == theme.ICONS["ask" if ask else "refused"], reason


def test_due_dates_follow_the_clock(ui, kiosk):
    ui.press("borrow")
    ui.tap_card("child")
    ui.tap_book("LS-0001")
    due = ui.app.session.lent()[0].due
    assert due > kiosk.services.clock.now().date() + timedelta(days=1)


def test_door_passages_and_searches_are_counted(ui, kiosk):
    from kiosk import counters
    from kiosk.flows import session as session_mod
    from kiosk.hardware.interfaces import Direction, Passage

    handled = ui.app.events_handled
    kiosk.events.put(Passage(Direction.IN))
    kiosk.events.put(Passage(Direction.OUT))
    ui.wait_until(lambda: ui.app.events_handled >= handled + 2)
    ui.press("search")
    ui.type("kieu")
    ui.press("home")
    counts = session_mod.today_counts(kiosk.services)
    assert counts[counters.VISITS_DOOR] == 1
    assert db.execute_sql(
        "SELECT sum(count) FROM counter_bucket WHERE metric = ?", (counters.SEARCHES,)
    ).fetchone() == (1,)


def test_a_door_visit_waits_while_the_store_is_locked_and_is_not_lost(ui, kiosk):
    """A long import holds the write lock: the door count does not freeze the screen for the
    store's 5 s busy wait, does not crash the app, and is written (with its time) later."""
    import sqlite3
    import time

    from kiosk import counters
    from kiosk.flows import session as session_mod
    from kiosk.hardware.interfaces import Direction, Passage

    clock = kiosk.services.clock
    visits = "SELECT at FROM visit WHERE source = 'door'"
    other = sqlite3.connect(kiosk.config.db_path, timeout=5)
    other.execute("BEGIN IMMEDIATE")  # as an import in the staff worker thread does
    try:
        started = time.monotonic()
        ui.app.on_hardware_event(Passage(Direction.IN))
        assert time.monotonic() - started < 2  # not the 5 s busy timeout
        when = clock.now()
        clock.advance(minutes=5)
        assert db.execute_sql(visits).fetchall() == []
        ui.run_for(2.5)  # the retry finds the lock still held
        assert db.execute_sql(visits).fetchall() == []
    finally:
        other.rollback()
        other.close()
    ui.run_for(2.5)
    assert db.execute_sql(visits).fetchall() == [(str(when),)]
    assert session_mod.today_counts(kiosk.services)[counters.VISITS_DOOR] == 1


def test_a_tag_not_in_the_catalogue(ui):
    ui.press("borrow")
    ui.tap_card("reader")
    ui.tap_card("04AABBCCDDEEFF")  # a blank sticker: not any copy's tag
    assert shows(ui, messages.refusal_text(Refusal.UNKNOWN_ITEM))
    ui.press("home")
    ui.press("return")
    ui.tap_card("04AABBCCDDEEFF")
    assert shows(ui, messages.refusal_text(Refusal.UNKNOWN_ITEM))
