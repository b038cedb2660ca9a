"""Translations: gettext-style catalogs read straight from `.po` files.

Source strings are English. Catalogs live in `kiosk/locale/<lang>.po`; a `.po` file in the site
locale folder (`<data_dir>/locale/<lang>.po`) overrides the packaged one string by string, so
staff can correct a translation without reinstalling. Reading `.po` directly (no `.mo` compile
step) is what makes that possible. Entries marked `#, fuzzy` are unreviewed: they are used, but
`coverage()` counts them apart. Lookup falls back string by string: the chosen language, then
Vietnamese (the language every reader here understands best), then the English source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

DEFAULT_LANGUAGE = "vi"
FALLBACK = "vi"
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


@dataclass
class Catalog:
    """One language's translations: msgid -> msgstr, with the unreviewed msgids."""

    language: str
    messages: dict[str, str] = field(default_factory=dict)
    fuzzy: set[str] = field(default_factory=set)

    def merge(self, other: Catalog) -> None:
        """Take every translated string of `other`, replacing ours."""
        self.messages.update(other.messages)
        self.fuzzy -= other.messages.keys() - other.fuzzy
        self.fuzzy |= other.fuzzy


def _unquote(line: str) -> str:
    body = line.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


def parse_po(text: str, language: str) -> Catalog:
    """Parse the text of a `.po` file (singular entries; msgctxt is ignored)."""
    catalog = Catalog(language)
    for block in re.split(r"\n\s*\n", text):
        fuzzy, key, parts = False, None, {"msgid": "", "msgstr": ""}
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            elif line.startswith("#") or not line:
                continue
            elif line.startswith('"') and key:
                parts[key] += _unquote(line)
            else:
                word, _, rest = line.partition(" ")
                key = {"msgstr[0]": "msgstr"}.get(word, word)
                parts[key] = _unquote(rest) if rest.startswith('"') else ""
        msgid, msgstr = parts["msgid"], parts["msgstr"]
        if msgid and msgstr:
            catalog.messages[msgid] = msgstr
            if fuzzy:
                catalog.fuzzy.add(msgid)
    return catalog


def load_catalog(language: str, site_dir: Path | None = None) -> Catalog:
    """The packaged catalog for `language`, overlaid with the site's own `.po` if present."""
    catalog = Catalog(language)
    packaged = resources.files("kiosk.locale").joinpath(f"{language}.po")
    if packaged.is_file():
        catalog = parse_po(packaged.read_text(encoding="utf-8"), language)
    if site_dir is not None and (site_dir / f"{language}.po").is_file():
        catalog.merge(parse_po((site_dir / f"{language}.po").read_text("utf-8"), language))
    return catalog


class Translator:
    """Looks strings up in the chosen language with the string-by-string fallback chain."""

    def __init__(self, language: str = DEFAULT_LANGUAGE, site_dir: Path | None = None):
        self.language = language
        # English is the source language: it needs no catalog and no Vietnamese fallback.
        chain = [] if language == "en" else list(dict.fromkeys([language, FALLBACK]))
        self._chain = [load_catalog(lang, site_dir) for lang in chain]

    def gettext(self, message: str) -> str:
        """The translation of `message`, or its fallback."""
        for catalog in self._chain:
            found = catalog.messages.get(message)
            if found:
                return found
        return message


_current = Translator()


def set_language(language: str, site_dir: Path | None = None) -> None:
    """Switch the process-wide language (the CLI's and the kiosk's current reader's)."""
    global _current
    _current = Translator(language, site_dir)


def current_language() -> str:
    """The language currently used by `_()`."""
    return _current.language


def format_date(day: date) -> str:
    """A date as readers here write it (dd/mm/yyyy); Tày and Nùng have no CLDR data, so every
    language uses the Vietnamese form."""
    return day.strftime("%d/%m/%Y")


def _(message: str) -> str:
    """Translate a user-facing message into the current language."""
    return _current.gettext(message)


def N_(message: str) -> str:
    """Mark a string for translation without translating it yet (tables of messages)."""
    return message
