"""Translations: complete Vietnamese, string-by-string fallback, site overrides, .po parsing."""

from __future__ import annotations

from datetime import date

from kiosk import i18n, i18n_tools
from kiosk.i18n import Translator, parse_po


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
