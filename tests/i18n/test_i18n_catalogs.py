"""The packaged catalogues: every msgid in every one, plural headers, unreviewed minority
translations, placeholders, English as the complete source language, the extractor."""

from __future__ import annotations

import re
import string
import unicodedata
from importlib import resources

import polib
import pytest

from kiosk import i18n
from kiosk.i18n import Translator, parse_po
from kiosk.i18n import extract as i18n_tools

MINORITY = ("tyz", "nut", "hnj")


def po_text(language: str) -> str:
    return resources.files("kiosk.locale").joinpath(f"{language}.po").read_text("utf-8")


def po_entries(language: str) -> dict[str, polib.POEntry]:
    """Every entry of the packaged file, translated or not, by msgid."""
    return {entry.msgid: entry for entry in polib.pofile(po_text(language))}


def msgids_in_file(language: str) -> set[str]:
    """Every msgid of the file, translated or not."""
    return set(po_entries(language))


def fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", i18n_tools.CATALOGUES)
def test_every_catalogue_has_every_msgid(language):
    """Made by the tooling (python -m kiosk.i18n.extract): nothing missing, nothing stale."""
    assert msgids_in_file(language) == set(i18n_tools.extract())


@pytest.mark.parametrize("language", i18n_tools.CATALOGUES)
def test_headers_name_language_and_plural_forms(language):
    text = po_text(language)
    assert f'"Language: {language}\\n"' in text
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in text


def test_english_plural_rule_in_a_rendered_header():
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in i18n_tools.header("en")


def test_plural_entries_are_written_with_msgid_plural():
    text = po_text("vi")
    entry = text[text.index('msgid "{count} book found."') :].split("\n\n")[0]
    assert entry.splitlines() == [
        'msgid "{count} book found."',
        'msgid_plural "{count} books found."',
        'msgstr[0] "Tìm thấy {count} cuốn."',
    ]


@pytest.mark.parametrize("language", MINORITY)
def test_minority_translations_are_all_marked_unreviewed(language):
    """Written without a native speaker: every one fuzzy, with a note saying so."""
    catalog = i18n.load_catalog(language)
    assert set(catalog.messages) == catalog.fuzzy
    entries = po_entries(language)
    for msgid in catalog.messages:
        entry = entries[msgid]
        assert entry.tcomment == i18n_tools.REVIEW_NOTE and entry.fuzzy, msgid


def test_what_was_shipped_for_the_minority_languages():
    """The honest short lists (see docs/translating.md): a change here is a reviewed decision."""
    assert i18n.load_catalog("tyz").messages == {
        "Books: {count}": "Slư: {count}",
        "No book found.": "Bấu mì slư.",
    }
    assert i18n.load_catalog("nut").messages == {"Books: {count}": "Slư: {count}"}
    assert i18n.load_catalog("hnj").messages == {}
    assert "without a native speaker" in po_text("tyz")
    assert "No string is translated yet" in po_text("hnj")


@pytest.mark.parametrize("language", i18n_tools.CATALOGUES)
def test_translations_keep_the_placeholders(language):
    catalog = i18n.load_catalog(language)
    plurals = i18n_tools.extract().plurals
    for msgid, msgstr in catalog.messages.items():
        expected = fields(msgid) | fields(plurals.get(msgid, ""))
        assert fields(msgstr) == expected, (language, msgid)


TONES = dict.fromkeys(map(ord, "\u0300\u0301\u0303\u0309\u0323"))
TAY_NUNG_LETTERS = set("abcdefghijklmnopqrstuvwxyzăâđêôơư")  # f j w z included: the 1961 script


@pytest.mark.parametrize("language", MINORITY)
def test_minority_translations_use_nfc_and_the_tay_nung_alphabet(language):
    for msgstr in i18n.load_catalog(language).messages.values():
        assert unicodedata.normalize("NFC", msgstr) == msgstr
        toneless = unicodedata.normalize(
            "NFC", unicodedata.normalize("NFD", msgstr).translate(TONES)
        )
        assert {c for c in toneless.casefold() if c.isalpha()} <= TAY_NUNG_LETTERS, msgstr


# -- English: the source language --------------------------------------------------------------
VIETNAMESE_ONLY = re.compile(r"[đĐăĂơƠưƯ\u0300\u0301\u0303\u0309\u0323]")


def test_english_is_complete_every_msgid_is_the_english_text_shown():
    """No en.po is shipped: the msgids are the English text, shown as they are, and none of
    them is Vietnamese (a Vietnamese term is allowed only as a gloss in parentheses)."""
    english, messages = Translator("en"), i18n_tools.extract()
    assert [m for m in messages if english.gettext(m) != m] == []
    for singular, plural in messages.plurals.items():
        assert english.ngettext(singular, plural, 1) == singular
        assert english.ngettext(singular, plural, 3) == plural
    outside_glosses = {m: re.sub(r"\([^)]*\)", "", m) for m in messages}
    not_english = [
        m
        for m, text in outside_glosses.items()
        if VIETNAMESE_ONLY.search(unicodedata.normalize("NFD", text))
    ]
    assert not_english == []
    assert not resources.files("kiosk.locale").joinpath("en.po").is_file()


def test_coverage_counts(tmp_path):
    messages = i18n_tools.extract()
    total = len(messages)
    english = i18n_tools.coverage("en", messages=messages)
    assert (english.reviewed, english.missing, english.percent) == (total, 0, 100.0)
    tay = i18n_tools.coverage("tyz", messages=messages)
    assert (tay.reviewed, tay.unreviewed, tay.missing) == (0, 2, total - 2)
    (tmp_path / "tyz.po").write_text(
        'msgid "Borrow"\nmsgstr "Yêm slư"\n\nmsgid "Books: {count}"\nmsgstr "Slư: {count}"\n',
        encoding="utf-8",
    )
    tay = i18n_tools.coverage("tyz", tmp_path, messages)
    assert (tay.reviewed, tay.unreviewed, tay.translated) == (2, 1, 3)
    assert tay.percent == pytest.approx(300 / total)


# -- the extractor -----------------------------------------------------------------------------
def test_extractor_finds_plural_markers_in_python_and_kv(tmp_path):
    package = tmp_path / "pkg"
    (package / "locale").mkdir(parents=True)
    (package / "a.py").write_text(
        'ngettext("{n} cat", "{n} cats", n)\n_("Dog")\ntr_n("{n} fish", "{n} fishes", n, lang)\n',
        encoding="utf-8",
    )
    (package / "b.kv").write_text(
        "Label:\n    text: tr_n('{n} bird', \"{n} birds\", 2, app.lang).format(n=2)\n",
        encoding="utf-8",
    )
    found = i18n_tools.extract(package)
    assert list(found) == ["{n} cat", "Dog", "{n} fish", "{n} bird"]
    assert found.plurals == {
        "{n} cat": "{n} cats",
        "{n} fish": "{n} fishes",
        "{n} bird": "{n} birds",
    }
    assert found["{n} bird"] == ["pkg/b.kv:2"]
    total, missing = i18n_tools.update("tyz", package)
    assert (total, missing) == (4, 4)
    text = (package / "locale" / "tyz.po").read_text("utf-8")
    assert 'msgid "{n} cat"\nmsgid_plural "{n} cats"\nmsgstr[0] ""' in text
    # A translation made in the file survives the next update.
    (package / "locale" / "tyz.po").write_text(
        text.replace('msgid "Dog"\nmsgstr ""', '#, fuzzy\nmsgid "Dog"\nmsgstr "Ma"'), "utf-8"
    )
    i18n_tools.update("tyz", package)
    again = parse_po((package / "locale" / "tyz.po").read_text("utf-8"), "tyz")
    assert again.messages == {"Dog": "Ma"} and again.fuzzy == {"Dog"}
