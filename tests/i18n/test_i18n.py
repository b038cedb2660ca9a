"""Translations: complete Vietnamese, string-by-string fallback, site overrides, .po parsing."""

from __future__ import annotations

import re
from datetime import date

import pytest

from kiosk import i18n
from kiosk.i18n import Translator, parse_po
from kiosk.i18n import extract as i18n_tools


def test_vietnamese_catalog_is_complete_and_reviewed():
    catalog = i18n.load_catalog("vi")
    missing = [m for m in i18n_tools.extract() if not catalog.messages.get(m)]
    assert missing == []
    assert catalog.fuzzy == set()


def test_vietnamese_keeps_placeholders():
    catalog = i18n.load_catalog("vi")
    import string

    for msgid, msgstr in catalog.messages.items():
        fields = {f for _, f, _, _ in string.Formatter().parse(msgid) if f}
        assert fields == {f for _, f, _, _ in string.Formatter().parse(msgstr) if f}, msgid


def test_fallback_to_vietnamese_string_by_string(tmp_path):
    (tmp_path / "tyz.po").write_text(
        'msgid "Title"\nmsgstr "Chư sle"\n\n#, fuzzy\nmsgid "Author"\nmsgstr "Cần tẻng"\n',
        encoding="utf-8",
    )
    tay = Translator("tyz", site_dir=tmp_path)
    assert tay.gettext("Title") == "Chư sle"
    assert tay.gettext("Author") == "Cần tẻng"  # unreviewed, still used
    assert tay.gettext("Shelf") == "Giá sách"  # not translated: Vietnamese, never English
    assert Translator("en").gettext("Shelf") == "Shelf"


def test_site_po_overrides_packaged_string(tmp_path):
    (tmp_path / "vi.po").write_text('msgid "Shelf"\nmsgstr "Kệ sách"\n', encoding="utf-8")
    translator = Translator("vi", site_dir=tmp_path)
    assert translator.gettext("Shelf") == "Kệ sách"
    assert translator.gettext("Title") == "Nhan đề"


def test_parse_po_multiline_escapes_and_fuzzy():
    catalog = parse_po(
        '#, fuzzy\nmsgid ""\n"two "\n"lines"\nmsgstr "hai \\"dòng\\"\\n"\n\n'
        'msgid "empty"\nmsgstr ""\n',
        "vi",
    )
    assert catalog.messages == {"two lines": 'hai "dòng"\n'}
    assert catalog.fuzzy == {"two lines"}


def test_round_trip_through_render(tmp_path):
    text = i18n_tools.render_po(
        "vi", {'say "hi"\n': ["x.py:1"]}, {'say "hi"\n': 'chào "bạn"\n'}, set()
    )
    assert parse_po(text, "vi").messages == {'say "hi"\n': 'chào "bạn"\n'}


def test_dates_are_written_day_first():
    assert i18n.format_date(date(2026, 12, 16)) == "16/12/2026"


# -- plurals --
PLURAL_PO = (
    '#, fuzzy\nmsgid "{count} book"\nmsgid_plural "{count} books"\nmsgstr[0] "{count} cuốn"\n\n'
    'msgid "{count} copy"\nmsgid_plural "{count} copies"\nmsgstr[0] "{count} bản"\n'
)


def test_parse_po_reads_plural_entries():
    catalog = parse_po(PLURAL_PO, "vi")
    assert catalog.plurals == {"{count} book": ["{count} cuốn"], "{count} copy": ["{count} bản"]}
    assert catalog.messages["{count} book"] == "{count} cuốn"
    assert catalog.fuzzy == {"{count} book"}


def test_half_translated_english_plural_is_ignored():
    po = 'msgid "a file"\nmsgid_plural "files"\nmsgstr[0] "one file"\nmsgstr[1] ""\n'
    assert parse_po(po, "en").messages == {}  # an empty second form must never be shown


def test_ngettext_one_form_languages_and_english(tmp_path):
    (tmp_path / "tyz.po").write_text(PLURAL_PO.replace("cuốn", "pỉnh"), encoding="utf-8")
    tay = Translator("tyz", site_dir=tmp_path)
    assert tay.ngettext("{count} book", "{count} books", 1) == "{count} pỉnh"
    assert tay.ngettext("{count} book", "{count} books", 7) == "{count} pỉnh"
    vietnamese = Translator("vi")
    assert vietnamese.ngettext("{count} book found.", "{count} books found.", 3) == (
        "Tìm thấy {count} cuốn."
    )
    # Tày without the entry falls back to the Vietnamese one form.
    assert Translator("tyz").ngettext("{count} book found.", "{count} books found.", 3) == (
        "Tìm thấy {count} cuốn."
    )
    english = Translator("en")
    assert english.ngettext("{count} book found.", "{count} books found.", 1) == (
        "{count} book found."
    )
    assert english.ngettext("{count} book found.", "{count} books found.", 0) == (
        "{count} books found."
    )


def test_site_english_po_rewords_with_two_forms(tmp_path):
    (tmp_path / "en.po").write_text(
        'msgid "{count} book found."\nmsgid_plural "{count} books found."\n'
        'msgstr[0] "One match."\nmsgstr[1] "{count} matches."\n',
        encoding="utf-8",
    )
    english = Translator("en", site_dir=tmp_path)
    assert english.ngettext("{count} book found.", "{count} books found.", 1) == "One match."
    assert english.ngettext("{count} book found.", "{count} books found.", 2) == "{count} matches."


def test_plural_rules():
    assert [i18n.plural_rule(lang).nplurals for lang in ("vi", "tyz", "nut", "hnj", "en")] == [
        1,
        1,
        1,
        1,
        2,
    ]
    assert [i18n.plural_rule("en").index(n) for n in (0, 1, 2, 21)] == [1, 0, 1, 1]


def test_the_code_counts_with_ngettext_not_parenthesised_plurals():
    """A counted noun ("{count} book(s)") reads badly in English: ngettext picks the form."""
    counted = re.compile(r"\{\w+\}[^{.;?]*\w\(s\)")
    offenders = {
        msgid: places for msgid, places in i18n_tools.extract().items() if counted.search(msgid)
    }
    assert offenders == {}


# -- fallback chains --
def test_fallback_chains():
    assert i18n.fallback_chain("tyz") == ["tyz", "vi"]
    assert i18n.fallback_chain("hnj") == ["hnj", "vi"]
    assert i18n.fallback_chain("vi") == ["vi"]
    assert i18n.fallback_chain("en") == ["en"]


@pytest.mark.parametrize("language", ["vi", "en", "tyz", "nut", "hnj"])
def test_no_language_ever_shows_an_empty_string(language):
    translator = Translator(language)
    messages = i18n_tools.extract()
    assert [m for m in messages if not translator.gettext(m).strip()] == []
    for singular, plural in messages.plurals.items():
        assert translator.ngettext(singular, plural, 2).strip()


@pytest.mark.parametrize("language", ["tyz", "nut", "hnj"])
def test_minority_reader_never_gets_english_when_vietnamese_exists(language):
    translator, vietnamese = Translator(language), i18n.load_catalog("vi")
    english = [
        m
        for m in i18n_tools.extract()
        if vietnamese.messages.get(m, m) != m and translator.gettext(m) == m
    ]
    assert english == []


def test_running_kiosk_picks_up_new_site_translations(tmp_path):
    """`kiosk i18n import` writes the site folder; the next set_language reads it."""
    i18n.set_language("tyz", tmp_path)
    try:
        assert i18n._("Borrow") == "Mượn sách"  # not translated yet: Vietnamese
        (tmp_path / "tyz.po").write_text('msgid "Borrow"\nmsgstr "Yêm slư"\n', encoding="utf-8")
        assert i18n._("Borrow") == "Mượn sách"  # the translator in use is not re-read mid-screen
        i18n.set_language("tyz", tmp_path)
        assert i18n._("Borrow") == "Yêm slư"
    finally:
        i18n.set_language(i18n.DEFAULT_LANGUAGE)


def test_site_singular_overrides_packaged_plural(tmp_path):
    (tmp_path / "vi.po").write_text(
        'msgid "{count} book found."\nmsgstr "Có {count} cuốn."\n', encoding="utf-8"
    )
    translator = Translator("vi", site_dir=tmp_path)
    found = translator.ngettext("{count} book found.", "{count} books found.", 4)
    assert found == "Có {count} cuốn."


# -- locale data --
@pytest.mark.parametrize("language", ["vi", "en", "tyz", "nut", "hnj"])
def test_every_language_writes_dates_day_first(language):
    assert i18n.format_date(date(2026, 3, 4), language) == "04/03/2026"


def test_tay_nung_and_hmong_borrow_vietnamese_locale_data_explicitly():
    for language in ("tyz", "nut", "hnj"):
        assert i18n.locale_for(language) == i18n.locale_for("vi")
        assert i18n.locale_for(language).source == "vi"
    assert i18n.format_number(1234567, "tyz") == "1.234.567"
    assert i18n.format_number(1234.5, "nut", decimals=1) == "1.234,5"
    assert i18n.format_number(1234567, "en") == "1,234,567"
    assert i18n.locale_for("xx") == i18n.locale_for("vi")  # an unknown language: Vietnamese


def test_collation_is_vietnamese_in_every_language():
    words = ["đọc", "dê", "ăn", "an", "ân", "bé"]
    expected = ["an", "ăn", "ân", "bé", "dê", "đọc"]
    for language in ("vi", "tyz", "nut", "hnj", "en"):
        assert sorted(words, key=i18n.sort_key(language)) == expected


def test_current_language_decides_default_locale():
    i18n.set_language("en")
    try:
        assert i18n.format_number(2500) == "2,500"
    finally:
        i18n.set_language(i18n.DEFAULT_LANGUAGE)
    assert i18n.format_number(2500) == "2.500"


def test_a_site_po_that_cannot_be_parsed_leaves_the_packaged_text(tmp_path, caplog):
    """A hand-edited site file with a syntax error: the packaged text is shown, the reason
    logged; the screens never break."""
    (tmp_path / "vi.po").write_text('msgid "Title"\nmsgstr "Tên"\nKệ sách\n', encoding="utf-8")
    translator = Translator("vi", site_dir=tmp_path)
    assert translator.gettext("Title") == "Nhan đề"
    assert "vi.po not used" in caplog.text
