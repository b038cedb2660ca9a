"""Staff registration screen, through the real app: new card, name on the on-screen keyboard,
group, consent notice, Accept (or Decline); a lost card replaced; every bad input."""

from __future__ import annotations

from datetime import timedelta

from kiosk import readers
from kiosk.demo import sample
from kiosk.i18n import format_date
from kiosk.store.models import Loan, Reader
from tests.screens.conftest import shows

NEW_CARD = "A1B2C3FF"


def open_registration(ui) -> None:
    ui.press("staff")
    ui.tap_card("staff")
    for digit in "1234":
        ui.press(f"pin-{digit}")
    ui.press("pin-ok")
    ui.press("staff_register")
    assert ui.app.screen.name == "staff_register"


def type_name(ui, name: str) -> None:
    """Type `name` as staff do: each letter's key, then its tone key."""
    from kiosk.flows.keyboard import keys_for

    for key in keys_for(name):
        ui.press(f"key-{key}")


def step(ui) -> str:
    return ui.app.screen.ids.steps.current


def test_register_a_reader_who_accepts(ui, kiosk):
    open_registration(ui)
    assert shows(ui, "Chạm thẻ mới của bạn đọc vào đầu đọc.")
    ui.tap_card(NEW_CARD)
    assert step(ui) == "name"
    for letter in "fjwzđăâêôơư":  # Tày-Nùng and Vietnamese letters are keys of their own
        assert ui.buttons(f"key-{letter}"), letter
    ui.type("nông văn faạ")  # "ạ" is the dot-below tone key: it marks the last vowel
    assert ui.app.screen.reader_name == "Nông Văn Fạ"
    ui.press("next")
    assert step(ui) == "group"
    assert shows(ui, "Người lớn") and shows(ui, "Thiếu nhi") and shows(ui, "Người cao tuổi")
    ui.press("group-adult")
    assert step(ui) == "consent"
    clock = kiosk.services.clock
    expires = clock.now().date() + timedelta(days=kiosk.config.loans.card_validity_days)
    assert shows(ui, "Chúng tôi lưu họ tên, nhóm, số thẻ của bạn và những cuốn sách bạn mượn.")
    assert shows(ui, format_date(expires))
    assert shows(ui, "xem hoặc xoá")
    assert Reader.get_or_none(Reader.card_id == NEW_CARD) is None  # nothing before Accept
    ui.press("accept")
    reader = Reader.get(Reader.card_id == NEW_CARD)
    assert (reader.name, reader.reader_group) == ("Nông Văn Fạ", "adult")
    assert reader.consent_version == readers.CONSENT_VERSION
    assert reader.consent_at == clock.now()
    assert reader.expires == expires
    assert step(ui) == "done"
    assert shows(ui, "Nông Văn Fạ")
    assert shows(ui, f"Có giá trị đến {format_date(expires)}")
    # The new card works at once on the reader's side of the kiosk.
    ui.press("register-another")
    assert step(ui) == "card"
    ui.press("staff-menu")
    ui.press("back-to-kiosk")
    ui.tap_card(NEW_CARD)
    assert ui.app.screen.name == "borrow"
    assert shows(ui, "Nông Văn Fạ")


def test_decline_registers_nothing(ui):
    open_registration(ui)
    before = Reader.select().count()
    ui.tap_card(NEW_CARD)
    type_name(ui, "lý thị mai")
    ui.press("next")
    ui.press("group-child")
    ui.press("lang-en")  # the reader reads the notice in their language
    assert shows(ui, "We keep your name, your group, your card number and the books you borrow.")
    ui.press("decline")
    assert ui.app.lang == "vi"  # the staff's language again
    assert Reader.select().count() == before
    assert step(ui) == "card"
    assert shows(ui, "Đã huỷ, không đăng ký gì.")
    assert ui.app.screen.reader_name == ""


def test_known_cards_and_tags_are_not_new_cards(ui):
    open_registration(ui)
    ui.tap_card("reader")
    assert shows(ui, "Thẻ này đã là của Hoàng Văn Tâm.")
    assert shows(ui, "Người lớn")  # whose card it is: group, validity, loans
    assert step(ui) == "card"
    ui.tap_card("staff")
    assert shows(ui, "Đây là thẻ cán bộ")
    ui.tap_book("LS-0001")
    assert shows(ui, "Đây là thẻ của sách, không phải thẻ bạn đọc.")
    assert step(ui) == "card"


def test_errors_keep_what_was_typed(ui, kiosk):
    open_registration(ui)
    ui.tap_card(NEW_CARD)
    ui.press("next")  # no name yet
    assert step(ui) == "name"
    assert shows(ui, "Hãy gõ tên bạn đọc trước.")
    type_name(ui, "giàng a sử")
    ui.press("next")
    ui.press("group-elder")
    # Meanwhile someone registers the same card (e.g. at the command line).
    rules = kiosk.config.loans
    clock = kiosk.services.clock
    readers.register(NEW_CARD, "Người khác", "adult", rules.groups, clock, 30)
    ui.press("accept")
    assert step(ui) == "card"
    assert shows(ui, f"Thẻ {NEW_CARD} đã thuộc về một bạn đọc")
    ui.tap_card("04A1B2C3D4E5F6")  # another new card (NTAG, 7-byte UID)
    assert step(ui) == "consent"  # the name and the group were kept
    ui.press("accept")
    reader = Reader.get(Reader.card_id == "04A1B2C3D4E5F6")
    assert (reader.name, reader.reader_group) == ("Giàng A Sử", "elder")


def test_unknown_group_and_back_keep_the_name(ui):
    open_registration(ui)
    ui.tap_card(NEW_CARD)
    type_name(ui, "vi thị lan")
    ui.press("next")
    ui.app.screen.choose_group("soldier")  # not a group of the config
    ui.frames(2)
    assert shows(ui, "Không có nhóm bạn đọc 'soldier'.")
    ui.press("back")
    assert step(ui) == "name"
    assert ui.app.screen.reader_name == "Vi Thị Lan"
    ui.press("key-backspace")
    assert ui.app.screen.reader_name == "Vi Thị La"


def test_lost_card_by_name_keeps_the_loans(ui, kiosk):
    old = sample.SAMPLE_CARDS["reader"]
    kiosk.services.desk.borrow(old, "LS-0001")
    open_registration(ui)
    ui.press("lost-card")
    ui.type("xyz")
    assert shows(ui, "Không tìm thấy bạn đọc.")
    for _ in "xyz":
        ui.press("key-backspace")
    ui.type("tam")  # without marks
    ui.press("reader-1")
    assert shows(ui, "Hoàng Văn Tâm")
    ui.tap_card("child")  # somebody else's card
    assert shows(ui, "Thẻ này đã là của Lý Thị Mai.")
    ui.tap_card(NEW_CARD)
    assert step(ui) == "confirm"
    assert shows(ui, NEW_CARD) and shows(ui, old)
    ui.press("confirm")
    reader = Reader.get_by_id(1)
    assert reader.card_id == NEW_CARD
    open_loans = Loan.select().where((Loan.reader == reader) & Loan.returned_at.is_null())
    assert [loan.copy.accession for loan in open_loans] == ["LS-0001"]
    assert Reader.get_or_none(Reader.card_id == old) is None
    assert shows(ui, "Hoàng Văn Tâm")
    assert shows(ui, f"Có giá trị đến {format_date(reader.expires)}")


def test_lost_card_by_tapping_the_old_card(ui):
    open_registration(ui)
    ui.press("lost-card")
    ui.tap_card(NEW_CARD)  # not registered: cannot name anyone
    assert shows(ui, "Thẻ này chưa đăng ký: hãy tìm bạn đọc theo tên.")
    ui.tap_card("child")
    assert step(ui) == "new_card"
    ui.tap_card("04A1B2C3D4E5F6")
    ui.press("back")
    assert step(ui) == "new_card"
    ui.tap_card("04A1B2C3D4E5F6")
    ui.press("confirm")
    assert Reader.get(Reader.card_id == "04A1B2C3D4E5F6").name == "Lý Thị Mai"


def layout_scenes(ui, kiosk, show):
    """Registration and lost-card steps with long names, for tests/screens/test_ui_layout.py."""
    from kiosk.flows.session import Tap

    show("staff_register", staff_name="Chu Thị Hằng")
    screen = ui.app.screen
    screen.on_tag(Tap("reader", sample.SAMPLE_CARDS["reader"]))  # whose card it is
    ui.frames(5)
    yield "staff_register-card"
    screen.on_tag(Tap("unknown", NEW_CARD))
    screen.type_text("hoàng thị phương thảo nguyễn lộc bình")
    ui.frames(5)
    yield "staff_register-name"
    screen.submit_name()
    ui.frames(5)
    yield "staff_register-group"
    screen.choose_group("elder")
    ui.frames(5)
    yield "staff_register-consent"
    screen.accept()
    ui.frames(5)
    yield "staff_register-done"
    screen.start_replace()
    screen.type_text("thị")
    ui.frames(5)
    yield "staff_register-find"
    screen.choose_reader(2)
    screen.on_tag(Tap("unknown", "04A1B2C3D4E5F6"))
    ui.frames(5)
    yield "staff_register-confirm"
