"""The translators' spreadsheet: a language's catalogue out to CSV and back into the site folder.

Commune staff translate in Excel or LibreOffice, not in `.po` files. `export_csv` writes one row
per message (English, Vietnamese, the current translation, reviewed or not, its status, where it
is used), UTF-8 with a BOM so that Excel opens the Vietnamese letters right. `import_csv` reads
the sheet back and writes the site's `<data_dir>/locale/<lang>.po`, which overrides the packaged
catalogue string by string (`kiosk.i18n`), so no reinstall is needed.

An import is checked first and written whole or not at all: a translation whose `{placeholders}`
differ from the English text would break the screen that shows it, so the file is refused with
every such line listed, and the site catalogue stays as it was. Rows whose English text this
version does not use (a sheet from an older version) are skipped and reported.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import string
import threading
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.i18n import (
    N_,
    SOURCE_LANGUAGE,
    Catalog,
    _,
    extract,
    load_catalog,
    packaged_catalog,
    plural_rule,
    site_catalog,
)

#: The sheet's columns: (key, heading). Headings are bilingual so every translator reads them.
COLUMNS = (
    ("msgid", "English (msgid)"),
    ("vi", "Tiếng Việt (Vietnamese)"),
    ("translation", "Bản dịch (translation)"),
    ("reviewed", "Đã duyệt (reviewed)"),
    ("status", "Trạng thái (status)"),
    ("where", "Dùng ở (where used)"),
)
STATUS_TEXT = {
    "reviewed": N_("reviewed"),
    "unreviewed": N_("translated, not reviewed"),
    "missing": N_("not translated"),
}
#: What a translator may type in the reviewed column to say "reviewed" (case is ignored).
REVIEWED_WORDS = {"x", "yes", "y", "1", "true", "reviewed", "có", "co", "rồi", "đã duyệt", "ok"}
SITE_NOTE = "\nSite corrections written by `kiosk i18n import`: they override the packaged text."


class TranslationImportRejected(Exception):
    """The sheet was not imported (nothing was written); every problem is listed."""

    def __init__(self, source: str, problems: list[str]):
        self.problems = problems
        super().__init__(
            _("{source}: nothing imported, fix these lines first:").format(source=source)
            + "".join(f"\n  {p}" for p in problems)
        )


@dataclass
class ImportResult:
    """What an import did: entries now in the site file, rows changed, rows skipped."""

    path: Path
    entries: int
    changed: int
    warnings: list[str] = field(default_factory=list)
    changed_msgids: list[str] = field(default_factory=list)


@functools.cache
def _messages() -> extract.Messages:
    """The messages of this version's code (scanned once: the kiosk's translation screen saves
    one text at a time, and a scan of the sources takes a second on a Pi)."""
    return extract.extract()


def prepare() -> None:
    """Scan the code's messages now, in a thread of its own, so the first save on the kiosk's
    translation screen does not wait for it."""
    threading.Thread(target=_messages, name="i18n-scan", daemon=True).start()


def _heading(key: str) -> str:
    return dict(COLUMNS)[key]


def export_csv(language: str, path: Path, site_dir: Path | None) -> int:
    """Write `language`'s sheet to `path`; the number of messages written."""
    messages = _messages()
    catalog = load_catalog(language, site_dir)
    vietnamese = load_catalog("vi", site_dir)
    nplurals = plural_rule(language).nplurals
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([heading for _key, heading in COLUMNS])
        for msgid, places in messages.items():
            state = extract.status(catalog, msgid)
            forms = catalog.plurals.get(msgid) or [catalog.messages.get(msgid, "")]
            translation = "\n".join(forms) if nplurals > 1 else forms[0]
            reviewed = state == "reviewed" and bool(catalog.messages.get(msgid))
            writer.writerow(
                [
                    msgid,
                    vietnamese.messages.get(msgid, ""),
                    translation,
                    "x" if reviewed else "",
                    _(STATUS_TEXT[state]),
                    " ".join(places[:3]),
                ]
            )
    return len(messages)


def placeholders(text: str) -> set[str]:
    """The `{placeholder}` names of `text`; ValueError for unbalanced braces."""
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def _columns(header: list[str], source: str) -> dict[str, int]:
    """Where each known column is, found by its heading (or its key), in any order."""
    wanted = {}
    for key, heading in COLUMNS:
        names = {key.casefold(), heading.casefold()}
        for index, cell in enumerate(header):
            if cell.strip().casefold() in names:
                wanted[key] = index
    missing = [_heading(k) for k in ("msgid", "translation") if k not in wanted]
    if missing:
        raise TranslationImportRejected(
            source, [_("line 1: no column {column}").format(column=c) for c in missing]
        )
    return wanted


def _check_row(
    line: int, msgid: str, forms: list[str], plural: str | None, nplurals: int
) -> list[str]:
    """The problems of one translated row (placeholders, plural forms)."""
    if plural is not None and nplurals > 1 and len(forms) != nplurals:
        return [
            _("line {line}: {count} forms needed, one per line in the cell").format(
                line=line, count=nplurals
            )
        ]
    try:
        expected = placeholders(msgid) | (placeholders(plural) if plural else set())
        for form in forms:
            got = placeholders(form)
            if got != expected:
                return [
                    _(
                        "line {line}: the translation must contain exactly {expected} "
                        "(it has {got})"
                    ).format(
                        line=line,
                        expected=", ".join(f"{{{n}}}" for n in sorted(expected)) or "-",
                        got=", ".join(f"{{{n}}}" for n in sorted(got)) or "-",
                    )
                ]
    except ValueError:
        return [_("line {line}: a {{ or }} is not closed").format(line=line)]
    return []


def _delimiter(text: str) -> str:
    """The sheet's separator: Excel set to Vietnamese (decimal comma) saves with ";"."""
    first = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=first.count)


def _cell(row: list[str], columns: dict[str, int], key: str) -> str:
    index = columns.get(key)
    return row[index] if index is not None and index < len(row) else ""


def read_csv(language: str, path: Path) -> tuple[dict[str, tuple[list[str], bool]], list[str]]:
    """The translated rows of the sheet: msgid -> (forms, reviewed), and the warnings.

    Raises TranslationImportRejected listing every line that cannot be taken."""
    source = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise TranslationImportRejected(
            source, [_('the file is not UTF-8: save it as "CSV UTF-8"')]
        ) from None
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header = next(rows, [])
    columns = _columns(header, source)
    messages = _messages()
    nplurals = plural_rule(language).nplurals
    found: dict[str, tuple[list[str], bool]] = {}
    problems, warnings = [], []
    for line, row in enumerate(rows, start=2):  # numbered as the spreadsheet shows its rows
        msgid, translation = _cell(row, columns, "msgid"), _cell(row, columns, "translation")
        translation = translation.strip()
        if not msgid.strip() or not translation:
            continue
        if msgid not in messages:
            warnings.append(
                _("line {line}: skipped, this text is not used by this version: {text}").format(
                    line=line, text=msgid[:60]
                )
            )
            continue
        plural = messages.plurals.get(msgid)
        forms = (
            [f.strip() for f in translation.split("\n")]
            if plural and nplurals > 1
            else [translation]
        )
        problems += _check_row(line, msgid, forms, plural, nplurals)
        reviewed = _cell(row, columns, "reviewed").strip().casefold() in REVIEWED_WORDS
        found[msgid] = (forms, reviewed)
    if problems:
        raise TranslationImportRejected(source, problems)
    return found, warnings


def import_csv(language: str, path: Path, site_dir: Path) -> ImportResult:
    """Check the sheet, then write the site catalogue of `language` (all or nothing)."""
    rows, warnings = read_csv(language, path)
    packaged = packaged_catalog(language)
    site = site_catalog(language, site_dir)
    changed = [msgid for msgid, row in rows.items() if _apply(site, packaged, msgid, *row)]
    target = site_dir / f"{language}.po"
    _write_site(language, site, target)
    return ImportResult(target, len(site.messages), len(changed), warnings, changed)


def save_translation(
    language: str, msgid: str, forms: list[str], reviewed: bool, site_dir: Path
) -> bool:
    """Write one checked translation into the site catalogue (the kiosk's own translation
    screen, kiosk.flows.staff_translate); whether it changed anything."""
    site = site_catalog(language, site_dir)
    changed = _apply(site, packaged_catalog(language), msgid, forms, reviewed)
    _write_site(language, site, site_dir / f"{language}.po")
    return changed


def _apply(site: Catalog, packaged: Catalog, msgid: str, forms: list[str], reviewed: bool) -> bool:
    """Put one translation into the site catalogue; whether it differs from what was in use."""
    before = (_forms(site, msgid) or _forms(packaged, msgid), _reviewed(site, packaged, msgid))
    _set(site, msgid, forms, reviewed)
    if _forms(packaged, msgid) == forms and (msgid not in packaged.fuzzy) == reviewed:
        _drop(site, msgid)  # the same as shipped: a later package update may improve it
    return before != (forms, reviewed)


def _forms(catalog: Catalog, msgid: str) -> list[str]:
    if msgid in catalog.plurals:
        return catalog.plurals[msgid]
    return [catalog.messages[msgid]] if catalog.messages.get(msgid) else []


def _reviewed(site: Catalog, packaged: Catalog, msgid: str) -> bool:
    catalog = site if msgid in site.messages else packaged
    if catalog.language == SOURCE_LANGUAGE and msgid not in catalog.messages:
        return True
    return bool(catalog.messages.get(msgid)) and msgid not in catalog.fuzzy


def _set(catalog: Catalog, msgid: str, forms: list[str], reviewed: bool) -> None:
    catalog.messages[msgid] = forms[0]
    if len(forms) > 1 or msgid in catalog.plurals:  # a plural entry read back from the .po
        catalog.plurals[msgid] = forms  # keeps its forms there: they are what is written
    if reviewed:
        catalog.fuzzy.discard(msgid)
    else:
        catalog.fuzzy.add(msgid)


def _drop(catalog: Catalog, msgid: str) -> None:
    catalog.messages.pop(msgid, None)
    catalog.plurals.pop(msgid, None)
    catalog.fuzzy.discard(msgid)


def _write_site(language: str, site: Catalog, target: Path) -> None:
    """Write the site `.po` (entries in code order; ones the code no longer uses kept last),
    through a temporary file so a power cut never leaves half a catalogue."""
    messages = _messages()
    kept = extract.Messages()
    for msgid, places in messages.items():
        if msgid in site.messages:
            kept[msgid] = places
            if msgid in messages.plurals:
                kept.plurals[msgid] = messages.plurals[msgid]
    for msgid in site.messages.keys() - kept.keys():
        kept[msgid] = ["(no longer used)"]
    text = extract.render_po(
        language, kept, site.messages, site.fuzzy, site.plurals, note=SITE_NOTE
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".po.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, target)
