"""Translations: gettext-style catalogs read straight from `.po` files (with polib).

Source strings are English. Catalogs live in `kiosk/locale/<lang>.po`; a `.po` file in the site
locale folder (`<data_dir>/locale/<lang>.po`, written by `kiosk i18n import`) overrides the
packaged one string by string, so staff can correct a translation without reinstalling. Reading
`.po` directly (no `.mo` compile step) is what makes that possible: a new Translator (each
`set_language`) reads the files again. Entries marked `#, fuzzy` are unreviewed: they are used,
but counted apart. Lookup falls back string by string: the chosen language, then Vietnamese (the
language every reader here understands best), then the English source. English is the source
language: its "catalog" is the msgids themselves (a site `en.po` may still reword one).

Plurals: `ngettext(singular, plural, n)`. Vietnamese, Tày, Nùng and H'Mông have no grammatical
plural (one form, `nplurals=1`); English has two. The rules come from `PLURAL_RULES`, never from
evaluating a `.po` header.

Locale data (dates, numbers, sorting): CLDR and Babel have nothing for Tày or Nùng, so every
language says explicitly which locale's conventions it borrows: see `LOCALES` and `locale_for`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

import polib

log = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "vi"
FALLBACK = "vi"
SOURCE_LANGUAGE = "en"


@dataclass(frozen=True)
class PluralRule:
    """How many forms a language's plural entries have and which one a count takes."""

    nplurals: int
    header: str  # the Plural-Forms value written into the .po header
    index: Callable[[int], int]


_ONE_FORM = PluralRule(1, "nplurals=1; plural=0;", lambda n: 0)
PLURAL_RULES: dict[str, PluralRule] = {
    "vi": _ONE_FORM,  # no grammatical plural: "3 cuốn sách"
    "tyz": _ONE_FORM,  # Tày: no grammatical plural either (classifiers and numbers)
    "nut": _ONE_FORM,  # Nùng: likewise
    "hnj": _ONE_FORM,  # H'Mông: likewise
    "en": PluralRule(2, "nplurals=2; plural=(n != 1);", lambda n: 0 if n == 1 else 1),
}


def plural_rule(language: str) -> PluralRule:
    """The plural rule of `language` (one form for a language we know nothing about)."""
    return PLURAL_RULES.get(language, _ONE_FORM)


@dataclass
class Catalog:
    """One language's translations: msgid -> msgstr, with the unreviewed msgids.

    For a plural entry `messages` holds its first form and `plurals` every form."""

    language: str
    messages: dict[str, str] = field(default_factory=dict)
    fuzzy: set[str] = field(default_factory=set)
    plurals: dict[str, list[str]] = field(default_factory=dict)

    def copy(self) -> Catalog:
        """A copy that can be merged into without changing this one."""
        return Catalog(self.language, dict(self.messages), set(self.fuzzy), dict(self.plurals))

    def merge(self, other: Catalog) -> None:
        """Take every translated string of `other`, replacing ours."""
        self.messages.update(other.messages)
        self.plurals.update(other.plurals)
        for msgid in other.messages.keys() - other.plurals.keys():
            self.plurals.pop(msgid, None)  # a singular override replaces every form
        self.fuzzy -= other.messages.keys() - other.fuzzy
        self.fuzzy |= other.fuzzy


def parse_po(text: str, language: str) -> Catalog:
    """Parse the text of a `.po` file with polib (singular and plural entries; msgctxt and
    obsolete entries are ignored). polib.POFile's OSError on a file it cannot parse is the
    caller's to handle (see `site_catalog`)."""
    catalog = Catalog(language)
    nplurals = plural_rule(language).nplurals
    for entry in polib.pofile(text):
        if entry.obsolete or not entry.msgid:
            continue  # the header, or an entry the code no longer has
        msgstr = entry.msgstr
        if entry.msgid_plural:
            forms = [entry.msgstr_plural.get(i, "") for i in range(nplurals)]
            if not all(forms):
                continue  # a half-translated plural would show an empty string
            catalog.plurals[entry.msgid] = forms
            msgstr = forms[0]
        if msgstr:
            catalog.messages[entry.msgid] = msgstr
            if entry.fuzzy:
                catalog.fuzzy.add(entry.msgid)
    return catalog


def packaged_catalog(language: str) -> Catalog:
    """The catalog shipped in the package (empty when there is none, e.g. English)."""
    packaged = resources.files("kiosk.locale").joinpath(f"{language}.po")
    if not packaged.is_file():
        return Catalog(language)
    return _parsed(str(packaged), Path(str(packaged)).stat().st_mtime_ns, language).copy()


@lru_cache(maxsize=16)
def _parsed(path: str, _mtime_ns: int, language: str) -> Catalog:
    """A packaged file parsed once (per modification): every language switch makes a new
    Translator, and parsing the Vietnamese file takes ~0.1 s here, several times that on a
    Pi, on the UI thread."""
    return parse_po(Path(path).read_text(encoding="utf-8"), language)


def site_catalog(language: str, site_dir: Path | None) -> Catalog:
    """The site's own corrections for `language` (empty when there are none, or when the file
    cannot be read: the packaged text is shown and the reason logged, never a broken screen)."""
    path = site_dir / f"{language}.po" if site_dir is not None else None
    if path is None or not path.is_file():
        return Catalog(language)
    try:
        return parse_po(path.read_text("utf-8"), language)
    except (OSError, UnicodeDecodeError) as exc:  # polib: OSError for a syntax error
        log.warning("site translations %s not used: %s", path, exc)
        return Catalog(language)


def load_catalog(language: str, site_dir: Path | None = None) -> Catalog:
    """The packaged catalog for `language`, overlaid with the site's own `.po` if present."""
    catalog = packaged_catalog(language)
    catalog.merge(site_catalog(language, site_dir))
    return catalog


def fallback_chain(language: str) -> list[str]:
    """The languages looked in, in order, before the English source: Tày -> [tyz, vi]."""
    if language == SOURCE_LANGUAGE:
        return [SOURCE_LANGUAGE]  # only a site en.po; an English reader never gets Vietnamese
    return list(dict.fromkeys([language, FALLBACK]))


class Translator:
    """Looks strings up in the chosen language with the string-by-string fallback chain.

    The `.po` files are read when the Translator is made, so a new one (`set_language`) sees
    translations imported since."""

    def __init__(self, language: str = DEFAULT_LANGUAGE, site_dir: Path | None = None):
        self.language = language
        self._chain = [load_catalog(lang, site_dir) for lang in fallback_chain(language)]

    def gettext(self, message: str) -> str:
        """The translation of `message`, or its fallback (never an empty string)."""
        for catalog in self._chain:
            found = catalog.messages.get(message)
            if found:
                return found
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The form of a counted message for `n`, with the same fallback chain."""
        for catalog in self._chain:
            forms = catalog.plurals.get(singular)
            if forms:
                index = plural_rule(catalog.language).index(n)
                return forms[min(index, len(forms) - 1)]
            found = catalog.messages.get(singular)
            if found and plural_rule(catalog.language).nplurals == 1:
                return found  # a one-form language may translate a plural entry as a singular
        return singular if n == 1 else plural


_current = Translator()


def set_language(language: str, site_dir: Path | None = None) -> None:
    """Switch the process-wide language (the CLI's and the kiosk's current reader's)."""
    global _current
    _current = Translator(language, site_dir)


def current_language() -> str:
    """The language currently used by `_()`."""
    return _current.language


# -- locale data -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class LocaleData:
    """The conventions a language's screens and printouts follow for dates, numbers and sorting."""

    source: str  # the locale whose conventions these are
    date_format: str
    decimal: str
    group: str
    collation: str  # "vi": kiosk.text.sort_key (Vietnamese dictionary order)


_VIETNAMESE = LocaleData("vi", "%d/%m/%Y", ",", ".", "vi")
#: Which locale data each language uses. Tày, Nùng and H'Mông have no CLDR/Babel data: they
#: borrow Vietnam's conventions explicitly (readers learnt dates and numbers in Vietnamese
#: school, and their names and titles sort in the Vietnamese alphabet their scripts extend).
#: English readers here are in Vietnam too: day-first dates (never the ambiguous US order) and
#: the same Vietnamese sorting of Vietnamese titles, but English digit grouping.
LOCALES: dict[str, LocaleData] = {
    "vi": _VIETNAMESE,
    "tyz": _VIETNAMESE,
    "nut": _VIETNAMESE,
    "hnj": _VIETNAMESE,
    "en": LocaleData("en", "%d/%m/%Y", ".", ",", "vi"),
}


def locale_for(language: str | None = None) -> LocaleData:
    """The locale data of `language` (default: the current one; Vietnamese for any other)."""
    return LOCALES.get(language or current_language(), _VIETNAMESE)


def format_date(day: date, language: str | None = None) -> str:
    """A date as readers here write it: dd/mm/yyyy in every language (see LOCALES)."""
    return day.strftime(locale_for(language).date_format)


def format_number(value: int | float, language: str | None = None, decimals: int = 0) -> str:
    """A number with the language's grouping: 12.345 in Vietnamese (and Tày ...), 12,345 in
    English."""
    data = locale_for(language)
    text = f"{value:,.{decimals}f}"
    return text.translate(str.maketrans({",": data.group, ".": data.decimal}))


def sort_key(language: str | None = None) -> Callable[[str], tuple]:
    """The sort key for lists shown in `language` (Vietnamese collation for all of them)."""
    from kiosk import text  # late: kiosk.text is larger and not needed by most callers

    return text.sort_key


def _(message: str) -> str:
    """Translate a user-facing message into the current language."""
    return _current.gettext(message)


def N_(message: str) -> str:
    """Mark a string for translation without translating it yet (tables of messages)."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a counted message (singular, plural) for translation without translating it."""
    return singular, plural


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a counted message into the current language: `n` picks the form."""
    return _current.ngettext(singular, plural, n)
