"""Translator tooling: find every user-facing string in the code and keep the `.po` files in
step with it (new strings added untranslated, translations kept, their order stable), and count
how far each language is translated and reviewed.

Run `python -m kiosk.i18n.extract` after adding or changing messages: it rewrites every packaged
catalogue (English is the source language and has none).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import polib

from kiosk.i18n import (
    SOURCE_LANGUAGE,
    Catalog,
    load_catalog,
    parse_po,
    plural_rule,
)

PACKAGE = Path(__file__).parent.parent  # kiosk/
#: The packaged catalogues, in the order coverage is shown.
CATALOGUES = ("vi", "tyz", "nut", "hnj")
MARKERS = {
    "_",
    "N_",
    "tr",
}  # tr: the touch screens' marker (kiosk.screens.wording), also in .kv files
# (singular, plural[, n]): kiosk.i18n (Nn_ marks a pair for later) / kiosk.screens.wording
PLURAL_MARKERS = {"ngettext", "tr_n", "Nn_"}
KV_CALL = re.compile(r"""\btr\(\s*(['"])(.*?)(?<!\\)\1""")
KV_PLURAL = re.compile(r"""\btr_n\(\s*(['"])(.*?)(?<!\\)\1\s*,\s*(['"])(.*?)(?<!\\)\3""")
#: The translator comment on every unreviewed (fuzzy) entry.
REVIEW_NOTE = "Unreviewed: needs a native speaker's review."
HEADER_COMMENT = """{name} translations of thuvien-kiosk.
Entries marked "#, fuzzy" are unreviewed: used, but to be checked by a native speaker.
Untranslated entries (msgstr "") are shown in Vietnamese.{note}"""
NAMES = {
    "vi": "Vietnamese",
    "en": "English",
    "tyz": "Tày",
    "nut": "Nùng",
    "hnj": "H'Mông",
}
#: What a translator of each minority language should know before trusting this file.
NOTES = {
    "tyz": (
        "\nScript: the 1961 Tày–Nùng Latin script. The few translations here were written\n"
        "without a native speaker: every one is fuzzy (unreviewed) until one checks it."
    ),
    "nut": (
        "\nScript: the 1961 Tày–Nùng Latin script. The few translations here were written\n"
        "without a native speaker: every one is fuzzy (unreviewed) until one checks it."
    ),
    "hnj": (
        "\nScript: the Vietnamese-based H'Mông orthography. No string is translated yet:\n"
        "nothing could be written with confidence without a native speaker."
    ),
}


class Messages(dict[str, list[str]]):
    """msgid -> where it is used, in code order; `plurals` maps a plural entry's msgid
    (its singular) to its msgid_plural."""

    def __init__(self) -> None:
        super().__init__()
        self.plurals: dict[str, str] = {}


def _literal(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _scan_python(path: Path, root: Path, found: Messages) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args):
            continue
        where = f"{path.relative_to(root.parent)}:{node.lineno}"
        first = _literal(node.args[0])
        if node.func.id in MARKERS and first is not None:
            found.setdefault(first, []).append(where)
        elif node.func.id in PLURAL_MARKERS and first is not None and len(node.args) >= 2:
            second = _literal(node.args[1])
            if second is not None:
                found.setdefault(first, []).append(where)
                found.plurals[first] = second


def _kv_text(raw: str) -> str:
    return raw.replace("\\'", "'").replace('\\"', '"')


def _scan_kv(path: Path, root: Path, found: Messages) -> None:
    text = path.read_text(encoding="utf-8")

    def where(match: re.Match) -> str:
        return f"{path.relative_to(root.parent)}:{text.count(chr(10), 0, match.start()) + 1}"

    for match in KV_CALL.finditer(text):
        found.setdefault(_kv_text(match.group(2)), []).append(where(match))
    for match in KV_PLURAL.finditer(text):
        singular = _kv_text(match.group(2))
        found.setdefault(singular, []).append(where(match))
        found.plurals[singular] = _kv_text(match.group(4))


def extract(root: Path = PACKAGE) -> Messages:
    """Every string literal passed to _(), N_(), tr(), ngettext() or tr_n() under `root`
    (.py and .kv files), with where it appears."""
    found = Messages()
    for path in sorted(root.rglob("*.py")):
        _scan_python(path, root, found)
    for path in sorted(root.rglob("*.kv")):
        _scan_kv(path, root, found)
    return found


def new_po(language: str, note: str = "") -> polib.POFile:
    """An empty `.po` file for `language`: its header comment (plus `note`) and metadata."""
    po = polib.POFile(wrapwidth=0)  # one line per message: the files are read with grep too
    po.header = HEADER_COMMENT.format(
        name=NAMES.get(language, language), note=NOTES.get(language, "") + note
    )
    po.metadata = {
        "Project-Id-Version": "thuvien-kiosk",
        "Language": language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": plural_rule(language).header,
    }
    return po


def header(language: str) -> str:
    """The header entry of `language`'s `.po` file (with its Plural-Forms), as written."""
    return str(new_po(language))


def _occurrence(place: str) -> tuple[str, str]:
    """A place such as kiosk/x.py:12 as polib's (path, line)."""
    path, sep, line = place.rpartition(":")
    return (path, line) if sep and line.isdigit() else (place, "")


def render_po(
    language: str,
    messages: dict[str, list[str]],
    translations: dict[str, str],
    fuzzy: set[str],
    plural_forms: dict[str, list[str]] | None = None,
    note: str = "",
) -> str:
    """A complete `.po` file for `language` holding `messages` in code order.

    `translations` gives each msgid's (first) form; `plural_forms` every form of the plural
    entries of a language with more than one (`messages.plurals`, from `extract`, says which
    entries are plural). `note`: more header comment lines."""
    plurals = getattr(messages, "plurals", {})
    nplurals = plural_rule(language).nplurals
    po = new_po(language, note)
    for msgid, places in messages.items():
        first = translations.get(msgid, "")
        entry = polib.POEntry(msgid=msgid, occurrences=[_occurrence(p) for p in places[:3]])
        if msgid in plurals:
            forms = list((plural_forms or {}).get(msgid) or [first])
            forms = (forms + [""] * nplurals)[:nplurals]
            entry.msgid_plural = plurals[msgid]
            entry.msgstr_plural = dict(enumerate(forms))
        else:
            entry.msgstr = first
        if msgid in fuzzy and first:
            entry.tcomment, entry.flags = REVIEW_NOTE, ["fuzzy"]
        po.append(entry)
    return str(po)


def update(language: str, root: Path = PACKAGE) -> tuple[int, int]:
    """Rewrite `locale/<language>.po` for the current code; (total, untranslated) strings."""
    path = root / "locale" / f"{language}.po"
    old = parse_po(path.read_text("utf-8"), language) if path.is_file() else Catalog(language)
    messages = extract(root)
    path.write_text(
        render_po(language, messages, old.messages, old.fuzzy, old.plurals), encoding="utf-8"
    )
    return len(messages), sum(1 for m in messages if not old.messages.get(m))


def update_all(root: Path = PACKAGE) -> dict[str, tuple[int, int]]:
    """Rewrite every packaged catalogue; language -> (total, untranslated)."""
    return {language: update(language, root) for language in CATALOGUES}


@dataclass(frozen=True)
class Coverage:
    """How much of the code's text one language has: every msgid is exactly one of
    reviewed, unreviewed (fuzzy) or missing (shown in Vietnamese, or English for English)."""

    language: str
    total: int
    reviewed: int
    unreviewed: int

    @property
    def translated(self) -> int:
        return self.reviewed + self.unreviewed

    @property
    def missing(self) -> int:
        return self.total - self.translated

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0


def status(catalog: Catalog, msgid: str) -> str:
    """The state of one msgid in one language's catalogue: reviewed, unreviewed or missing."""
    if catalog.language == SOURCE_LANGUAGE and msgid not in catalog.messages:
        return "reviewed"  # the English source is the English text
    if not catalog.messages.get(msgid):
        return "missing"
    return "unreviewed" if msgid in catalog.fuzzy else "reviewed"


def coverage(
    language: str, site_dir: Path | None = None, messages: dict[str, list[str]] | None = None
) -> Coverage:
    """The coverage of `language` (packaged catalogue plus the site's corrections)."""
    messages = messages if messages is not None else extract()
    catalog = load_catalog(language, site_dir)
    counts = {"reviewed": 0, "unreviewed": 0, "missing": 0}
    for msgid in messages:
        counts[status(catalog, msgid)] += 1
    return Coverage(language, len(messages), counts["reviewed"], counts["unreviewed"])


if __name__ == "__main__":
    for lang, (total, missing) in update_all().items():
        print(f"{lang}: {total} strings, {missing} untranslated")
