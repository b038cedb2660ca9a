"""UI text: every user-facing string of the touch screens goes through :func:`tr`.

`tr` is `kiosk.i18n._` (catalogue, site overrides, string-by-string fallback to Vietnamese)
with one difference: a `.kv` rule passes ``app.lang`` as an extra argument, so that Kivy
re-evaluates the text when the reader picks another language. `kiosk.i18n.extract` extracts
`tr()` strings from `.py` and `.kv` files like `_()` strings.
"""

from __future__ import annotations

from kiosk import i18n

#: Each language named in its own script, in the order of the picker.
LANGUAGE_NAMES: dict[str, str] = {
    "vi": "Tiếng Việt",
    "en": "English",
    "tyz": "Tày",
    "nut": "Nùng",
    "hnj": "Hmôngz",  # Vietnamese-based H'Mông script (RPA: Hmoob); to be confirmed
}


def tr(message: str, *_depends: object) -> str:
    """`message` in the current language; extra arguments are ignored (a .kv rule passes
    ``app.lang`` so that Kivy re-evaluates the text when the language changes)."""
    return i18n._(message)


def tr_n(singular: str, plural: str, n: int, *_depends: object) -> str:
    """The form of a counted message for `n` in the current language (`kiosk.i18n.ngettext`);
    extra arguments are ignored, as for :func:`tr`."""
    return i18n.ngettext(singular, plural, n)
