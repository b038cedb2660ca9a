"""The UI font draws every letter any catalogue uses, and the whole Tày–Nùng alphabet.

Kivy (SDL2_ttf) draws a missing glyph as an empty box, silently: the font's own character map
(read with fontTools) is the check that cannot be fooled by a rendering that "worked"."""

from __future__ import annotations

import unicodedata
from importlib import resources

import pytest
from fontTools.ttLib import TTFont

from kiosk import i18n
from kiosk.i18n import extract as i18n_tools
from kiosk.screens import fonts
from kiosk.screens.wording import LANGUAGE_NAMES

VIETNAMESE_VOWELS = "aăâeêioôơuưy"
TONES = "\u0300\u0301\u0303\u0309\u0323"
#: The 1961 Tày–Nùng script adds f, j, w, z to the Vietnamese letters (digraphs bj, mj, pj,
#: phj, sl need nothing new), writes t' with an apostrophe, and keeps the five tone marks.
TAY_NUNG_EXTRA = "fjwzFJWZ'\u2019"


def alphabet() -> set[str]:
    """Every precomposed Vietnamese letter with every tone, both cases, plus đ and the
    Tày–Nùng additions."""
    chars = set("abcdefghijklmnopqrstuvwxyzđ" + TAY_NUNG_EXTRA)
    for vowel in VIETNAMESE_VOWELS:
        for tone in ("", *TONES):
            chars.add(unicodedata.normalize("NFC", vowel + tone))
    return chars | {c.upper() for c in chars}


def catalogue_characters() -> set[str]:
    """Every character of every msgstr of every packaged catalogue, and the language names."""
    chars = set("".join(LANGUAGE_NAMES.values()))
    for language in i18n_tools.CATALOGUES:
        catalog = i18n.load_catalog(language)
        for forms in [[m] for m in catalog.messages.values()] + list(catalog.plurals.values()):
            chars |= set("".join(forms))
    return {c for c in chars if not c.isspace()}


@pytest.fixture(scope="module")
def cmaps() -> dict[str, set[int]]:
    found = fonts.locate()
    return {
        str(path): set(TTFont(path, lazy=True).getBestCmap())
        for path in {found.regular, found.bold}
    }


def test_the_text_font_is_noto_sans(cmaps):
    assert any(path.endswith("NotoSans-Regular.ttf") for path in cmaps)
    for cmap in cmaps.values():
        assert ord("ệ") in cmap and ord("中") not in cmap  # a real map, not "everything"


def test_font_covers_every_catalogue_character(cmaps):
    needed = catalogue_characters()
    assert len(needed) > 60  # the Vietnamese catalogue alone uses far more
    for path, cmap in cmaps.items():
        assert sorted(c for c in needed if ord(c) not in cmap) == [], path


def test_font_covers_vietnamese_and_tay_nung_alphabets(cmaps):
    needed = alphabet()
    assert {"ẳ", "Ữ", "ự", "đ", "f", "W", "'"} <= needed and len(needed) > 150
    for path, cmap in cmaps.items():
        assert sorted(c for c in needed if ord(c) not in cmap) == [], path
        # A translator may type a decomposed letter: the combining marks must be there too.
        assert all(ord(mark) in cmap for mark in TONES + "\u0306\u0302\u031b"), path


def test_packaged_catalogues_are_nfc():
    for language in i18n_tools.CATALOGUES:
        text = resources.files("kiosk.locale").joinpath(f"{language}.po").read_text("utf-8")
        assert unicodedata.normalize("NFC", text) == text, language
