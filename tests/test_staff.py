"""Staff accounts: card AND PIN, only a salted slow hash stored, lockout after wrong PINs."""

from __future__ import annotations

import pytest

from kiosk import staff
from kiosk.store.models import Staff

CARD, PIN = "5AFF0001", "2468"


@pytest.fixture
def member(store, clock):
    return staff.add(CARD, "Chu Thị Hằng", PIN, clock.now())


def test_pin_is_never_stored(member):
    stored = Staff.get().pin_hash
    assert PIN not in stored and stored.startswith("scrypt$")
    assert staff.hash_pin(PIN) != staff.hash_pin(PIN)  # salted


def test_card_and_pin_verify(member, clock):
    assert staff.verify(CARD.lower(), PIN, clock.now()).name == "Chu Thị Hằng"


def test_wrong_pin_and_unknown_card(member, clock):
    with pytest.raises(staff.StaffError, match="wrong PIN"):
        staff.verify(CARD, "1111", clock.now())
    with pytest.raises(staff.StaffError, match="not a staff card"):
        staff.verify("A1B2C3D4", PIN, clock.now())


def test_lockout_after_repeated_wrong_pins(member, clock):
    for _ in range(staff.MAX_FAILED):
        with pytest.raises(staff.StaffError, match="wrong PIN"):
            staff.verify(CARD, "0000", clock.now())
    with pytest.raises(staff.StaffError, match="too many wrong PINs"):
        staff.verify(CARD, PIN, clock.now())  # even the right PIN, while locked
    clock.advance(minutes=6)
    assert staff.verify(CARD, PIN, clock.now())


def test_success_resets_the_failure_count(member, clock):
    for _ in range(staff.MAX_FAILED - 1):
        with pytest.raises(staff.StaffError):
            staff.verify(CARD, "0000", clock.now())
    staff.verify(CARD, PIN, clock.now())
    with pytest.raises(staff.StaffError, match="wrong PIN"):
        staff.verify(CARD, "0000", clock.now())
    assert staff.verify(CARD, PIN, clock.now())


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", ""])
def test_pin_format(store, clock, pin):
    with pytest.raises(staff.StaffError, match="4 to 8 digits"):
        staff.add("5AFF0002", "Lý Văn B", pin, clock.now())
    assert Staff.select().count() == 0


def test_duplicate_staff_card(member, clock):
    with pytest.raises(staff.StaffError, match="already belongs"):
        staff.add(CARD, "Người khác", "9999", clock.now())
