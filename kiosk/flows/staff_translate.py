"""Staff: translate the reader's texts on the kiosk, with the on-screen keyboard.

The reader-priority texts (kiosk.audio.readiness) are listed with their state (not translated,
draft, reviewed by N); staff pick one, see the English and the Vietnamese, and type the
translation. The keyboard has every letter of the Tày–Nùng 1961 script (f, j, w, z, t') and of
the Vietnamese-based H'Mông script; Telex composes Vietnamese-style tone marks (Tày, Nùng) and
can be turned off where final letters are the tones (H'Mông). Placeholders such as ``{count}``
are keys of their own and the translation must keep exactly the ones of the English text, or
it is refused with the reason. A saved translation goes into the site catalogue the spreadsheet
import writes (``<data_dir>/locale/<lang>.po``, marked unreviewed) and is stamped with the
staff account and the time (kiosk.i18n.provenance). Pure Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kiosk import i18n
from kiosk.audio import readiness
from kiosk.audio.prompts import PROMPTS
from kiosk.clock import Clock
from kiosk.flows import keyboard
from kiosk.flows.staff_voices import Said
from kiosk.i18n import _, spreadsheet
from kiosk.i18n import provenance as prov

MISSING, DRAFT, REVIEWED = "missing", "draft", "reviewed"
TELEX_OFF = frozenset({"hnj"})  # H'Mông: tones are final letters, Telex would eat them
_TRAILING_FIELD = re.compile(r"\{[a-z_]+\}$")


@dataclass(frozen=True)
class Row:
    """One reader-priority text and how far its translation is."""

    msgid: str
    vietnamese: str
    translation: str
    state: str  # MISSING | DRAFT | REVIEWED
    reviews: int = 0  # kiosk reviews recorded (REVIEWED from the package counts as 0)


def plurals() -> dict[str, str]:
    """The plural form of each counted prompt's singular msgid (their placeholders count)."""
    return {s: p for prompt in PROMPTS.values() for s, p, _n in prompt.counted}


def sentence_case(text: str) -> str:
    """A capital letter at the start and after . ! ? (what staff would type with Shift)."""
    return re.sub(r"(^|[.!?]\s+)(\w)", lambda m: m.group(1) + m.group(2).upper(), text)


def keyboard_rows(fields: list[str]) -> list[tuple[str, ...]]:
    """The translation keyboard: the Vietnamese one (kiosk.flows.keyboard.ROWS) with a
    punctuation key at the end of each row, and the text's placeholders as keys of their own
    on the last row (four rows, so the whole keyboard fits a 800x480 screen)."""
    rows = [list(row) for row in keyboard.ROWS]
    punctuation = list(keyboard.PUNCTUATION)
    for row in rows[:-1]:
        row.append(punctuation.pop(0))
    width = len(rows[0])
    rows[-1] += fields
    rows[-1] += punctuation[: max(0, width - len(rows[-1]))]
    return [tuple(row) for row in rows]


class Translation:
    """Translating one language; `selected` is the text being edited (or "")."""

    def __init__(self, data_dir: Path, language: str, author: prov.Author, clock: Clock) -> None:
        self.data_dir = data_dir
        self.site_dir = data_dir / "locale"
        self.language = language
        self.author = author
        self.clock = clock
        self.ledger = prov.Ledger(data_dir, language)
        self.plurals = plurals()
        self.telex = language not in TELEX_OFF
        self.selected = ""
        self.text = ""
        self.message = Said(_("Choose a text to translate. The first ones matter most."))
        self.reload()

    def reload(self) -> None:
        self.catalog = i18n.load_catalog(self.language, self.site_dir)
        self.vietnamese = i18n.load_catalog("vi", self.site_dir)

    # -- the list -----------------------------------------------------------------------------
    def row(self, msgid: str) -> Row:
        translation = self.catalog.messages.get(msgid, "")
        entry = self.ledger.get(prov.STRING, msgid)
        if not translation:
            state, reviews = MISSING, 0
        elif entry is not None:
            state, reviews = (REVIEWED if entry.reviews else DRAFT), entry.reviews
        else:
            state, reviews = (DRAFT if msgid in self.catalog.fuzzy else REVIEWED), 0
        return Row(msgid, self.vietnamese.messages.get(msgid, msgid), translation, state, reviews)

    def rows(self) -> list[Row]:
        return [self.row(m) for m in readiness.priority_msgids()]

    def next_missing(self) -> str:
        """The first text after the selected one (in reader order) not translated yet."""
        msgids = readiness.priority_msgids()
        start = msgids.index(self.selected) + 1 if self.selected in msgids else 0
        later = msgids[start:] + msgids[:start]
        return next((m for m in later if not self.catalog.messages.get(m)), "")

    def counts(self) -> tuple[int, int]:
        """(reader-priority texts translated, how many there are)."""
        rows = self.rows()
        return sum(r.state != MISSING for r in rows), len(rows)

    # -- editing ------------------------------------------------------------------------------
    def select(self, msgid: str) -> None:
        self.selected = msgid
        self.text = self.catalog.messages.get(msgid, "")
        self.message = Said(_("Type the translation, then press Save."))

    def fields(self) -> list[str]:
        """The placeholders the selected text must keep, as keys ("{count}")."""
        if not self.selected:
            return []
        names = spreadsheet.placeholders(self.selected)
        names |= spreadsheet.placeholders(self.plurals.get(self.selected, ""))
        return [f"{{{name}}}" for name in sorted(names)]

    def press(self, key: str) -> None:
        """A key of the keyboard, a punctuation key or a placeholder key."""
        if key.startswith("{"):
            self.text += key
        elif key == keyboard.BACKSPACE and _TRAILING_FIELD.search(self.text):
            self.text = _TRAILING_FIELD.sub("", self.text)  # a placeholder goes whole
        else:
            self.text = sentence_case(keyboard.press(self.text, key, use_telex=self.telex))

    def toggle_telex(self) -> None:
        self.telex = not self.telex

    def problem(self, text: str) -> str:
        """Why `text` cannot be saved as the selected text's translation ("" if it can)."""
        try:
            got = spreadsheet.placeholders(text)
        except ValueError:
            return _("A {{ or }} is not closed.")
        expected = {f[1:-1] for f in self.fields()}
        if got != expected:
            return _(
                "The translation must contain exactly {expected} (it has {got}). Use the keys"
                " of the placeholders."
            ).format(
                expected=", ".join(f"{{{n}}}" for n in sorted(expected)) or "-",
                got=", ".join(f"{{{n}}}" for n in sorted(got)) or "-",
            )
        return ""

    def save(self) -> bool:
        """Check and write the translation (a draft until reviewed); False with the reason."""
        text = " ".join(self.text.split())
        if not self.selected or not text:
            self.message = Said(_("Type the translation first."), "error")
            return False
        if why := self.problem(text):
            self.message = Said(why, "error")
            return False
        if not self._write([text], reviewed=False):
            return False
        self.ledger.record(prov.STRING, self.selected, self.author, self.clock.now())
        self.message = Said(_("Saved. Readers see it from the next visit."), "ok")
        return True

    def review(self) -> bool:
        """The staff member on duty confirms the translation another one made."""
        msgid = self.selected
        if not self.ledger.review(prov.STRING, msgid, self.author, self.clock.now()):
            self.message = Said(
                _("Only another staff member can review this translation."), "error"
            )
            return False
        forms = self.catalog.plurals.get(msgid) or [self.catalog.messages[msgid]]
        self._write(forms, reviewed=True)
        self.message = Said(_("Marked as reviewed by {name}.").format(name=self.author.name), "ok")
        return True

    def _write(self, forms: list[str], reviewed: bool) -> bool:
        """Into the site catalogue (unreviewed entries are marked fuzzy there)."""
        try:
            spreadsheet.save_translation(
                self.language, self.selected, forms, reviewed, self.site_dir
            )
        except OSError as exc:
            self.message = Said(_("Not saved: {error}").format(error=exc.strerror or exc), "error")
            return False
        self.reload()
        return True
