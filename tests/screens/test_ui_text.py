"""UI text without a display: every string of the screens is extracted and translated into
Vietnamese with the same placeholders; the keyboard."""

from __future__ import annotations

import string

import pytest

from kiosk import i18n
from kiosk.flows import keyboard
from kiosk.i18n.extract import extract
from kiosk.screens.wording import LANGUAGE_NAMES, tr


def fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_ui_string_has_a_vietnamese_translation():
    kiosk_vi = i18n.load_catalog("vi")
    found = [
        m
        for m, places in extract().items()
        if any(p.startswith(("kiosk/screens/", "kiosk/flows/")) for p in places)
    ]
    assert len(found) > 40  # the .kv files are read too
    missing = [m for m in found if not kiosk_vi.messages.get(m)]
    assert missing == []
    for msgid in found:
        assert fields(tr_vi(msgid)) == fields(msgid), msgid


def tr_vi(msgid: str) -> str:
    i18n.set_language("vi")
    return tr(msgid)


def test_minority_languages_fall_back_to_vietnamese():
    i18n.set_language("tyz")
    assert tr("Borrow") == "Mượn sách"
    i18n.set_language("en")
    assert tr("Borrow") == "Borrow"


def test_languages_are_named_in_their_own_script():
    assert LANGUAGE_NAMES == {
        "vi": "Tiếng Việt",
        "en": "English",
        "tyz": "Tày",
        "nut": "Nùng",
        "hnj": "Hmôngz",
    }


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["đ", "ư", "ơ", "n", "g", "à"], "đường"),
        (["t", "a", "ả", "á"], "tá"),  # a second tone replaces the first
        (["k", "h", "ô", "ã", "space", "x"], "khỗ x"),
        (["a", "b", "backspace"], "a"),
        (["a", "clear"], ""),
        (["space"], ""),
        (["b", "ạ"], "b"),  # no vowel: nothing to mark
    ],
)
def test_keyboard(keys: list[str], expected: str):
    text = ""
    for key in keys:
        text = keyboard.press(text, key)
    assert text == expected


@pytest.mark.parametrize("typed", ["hoàng văn tâm", "đường kách mệnh", "nông văn fạ", "t'ắng"])
def test_keys_for_types_text_back_exactly(typed: str):
    text = ""
    for key in keyboard.keys_for(typed):
        assert key in keyboard.ALL_KEYS
        text = keyboard.press(text, key)
    assert text == typed
