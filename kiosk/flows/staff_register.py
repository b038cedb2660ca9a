"""Reader registration and lost cards, as the staff screen sees them: pure Python, no Kivy.

`Registration` walks a new reader through card -> name -> group -> consent -> done and calls
`kiosk.readers.register` only when the consent notice is accepted. `CardReplacement` finds a
reader (by name, or by tapping the old card), takes the new card and, once confirmed, calls
`kiosk.readers.replace_card` (loans are kept). Both keep everything typed when something goes
wrong: the screen shows `error` and the step that needs fixing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from kiosk import readers, text
from kiosk.clock import Clock
from kiosk.config import LoanRules
from kiosk.flows import keyboard
from kiosk.flows.session import Tap
from kiosk.i18n import _, format_date, ngettext
from kiosk.reports import figures
from kiosk.store.models import Loan, Reader

CARD, NAME, GROUP, CONSENT, DONE = "card", "name", "group", "consent", "done"
FIND, NEW_CARD, CONFIRM = "find", "new_card", "confirm"
MAX_NAME = 80
MAX_MATCHES = 6


def sentence(message: str) -> str:
    """A core message ("card ... already belongs ...") as a sentence on screen."""
    return message[:1].upper() + message[1:]


@dataclass(frozen=True)
class ReaderInfo:
    """A reader as the staff screens show them."""

    number: int
    name: str
    group: str
    card: str
    expires: date | None
    loans: int

    @classmethod
    def of(cls, reader: Reader) -> ReaderInfo:
        held = Loan.select().where((Loan.reader == reader) & Loan.returned_at.is_null()).count()
        return cls(
            reader.id, reader.name, reader.reader_group, reader.card_id, reader.expires, held
        )

    @property
    def group_label(self) -> str:
        return figures.group_label(self.group)

    @property
    def valid_until(self) -> str:
        return format_date(self.expires) if self.expires else "—"

    def summary(self) -> str:
        """One line: group, card, validity and books on loan."""
        return ngettext(
            "{group} · card {card} · valid until {date} · {count} book on loan",
            "{group} · card {card} · valid until {date} · {count} books on loan",
            self.loans,
        ).format(group=self.group_label, card=self.card, date=self.valid_until, count=self.loans)


def reader_of_card(card: str) -> ReaderInfo | None:
    """The reader holding `card`, if any."""
    reader = Reader.get_or_none(Reader.card_id == card.upper())
    return ReaderInfo.of(reader) if reader else None


def find_readers(query: str, limit: int = MAX_MATCHES) -> list[ReaderInfo]:
    """Readers whose name contains every word typed (marks and case folded), in name order."""
    words = text.search_key(query).split()
    if not words:
        return []
    found = []
    for reader in Reader.select():
        key = text.search_key(reader.name)
        if all(word in key for word in words):
            found.append(reader)
    found = text.collate(found, key=lambda r: r.name)[:limit]
    return [ReaderInfo.of(r) for r in found]


def type_name(name: str, key: str) -> str:
    """A name after a key press: the keyboard's editing, each word starting with a capital."""
    if len(name) >= MAX_NAME and len(key) == 1:
        return name
    typed = keyboard.press(name, key)
    if len(key) == 1 and key not in keyboard.TONES and (not name or name.endswith(" ")):
        typed = typed[:-1] + typed[-1].upper()
    return typed


def card_from_tap(tap: Tap) -> str:
    """A tapped card's id in the store's form; ReaderError when it cannot be a card number."""
    return readers.normalize_card(tap.key)


def not_a_card(tap: Tap) -> str:
    """Why a tapped reader, staff card or book cannot be used as a new card ('' if it can)."""
    if tap.kind == "staff":
        return _("This is a staff card: use a new reader's card.")
    if tap.kind == "item":
        return _("This is a book's tag, not a reader's card.")
    return ""


class Registration:
    """One new reader being registered at the kiosk."""

    def __init__(self, rules: LoanRules, clock: Clock) -> None:
        self.groups = rules.groups
        self.validity_days = rules.card_validity_days
        self.retention_days = rules.retention_days
        self.clock = clock
        self.reset()

    def reset(self) -> None:
        """Start again with nothing typed."""
        self.step, self.card, self.name, self.group = CARD, "", "", ""
        self.error, self.info = "", ""
        self.registered: ReaderInfo | None = None

    # -- steps --------------------------------------------------------------------------------
    def tap(self, tap: Tap) -> None:
        """A card tapped: a known one says whose it is, a new one becomes the reader's card."""
        if self.step == CONSENT:
            return  # the card is settled; a tap here is a slip of the hand
        if self.step == DONE:
            self.reset()  # the next reader's card: a new registration
        self.error = self.info = ""
        if reason := not_a_card(tap):
            self.error = reason
            return
        if tap.kind == "reader":
            owner = reader_of_card(tap.key)
            if owner is not None:
                self.error = _("This card already belongs to {name}.").format(name=owner.name)
                self.info = owner.summary()
                return
        try:
            self.card = card_from_tap(tap)
        except readers.ReaderError as exc:
            self.error = sentence(str(exc))
            return
        self.step = self._next_missing()

    def type_key(self, key: str) -> None:
        self.name = type_name(self.name, key)
        self.error = ""

    def submit_name(self) -> None:
        """The name is typed: on to the group (an empty name stays here with a message)."""
        self.name = text.clean(self.name)
        if not self.name:
            self.error = _("Type the reader's name first.")
            return
        self.error = ""
        self.step = self._next_missing()

    def choose_group(self, group: str) -> None:
        if group not in self.groups:
            self.error = _("Unknown reader group '{group}'.").format(group=group)
            return
        self.group, self.error = group, ""
        self.step = self._next_missing()

    def back(self) -> None:
        """One step back, keeping what was typed."""
        order = [CARD, NAME, GROUP, CONSENT]
        if self.step in order[1:]:
            self.step = order[order.index(self.step) - 1]
        self.error = ""

    @property
    def expires(self) -> date:
        """The card's last day if registered now."""
        return self.clock.now().date() + timedelta(days=self.validity_days)

    def consent_lines(self) -> list[str]:
        return readers.consent_notice(self.expires, self.retention_days)

    def accept(self) -> ReaderInfo | None:
        """The reader accepted the notice: register them now (with the consent's version and
        time). On an error, go back to the step to fix, keeping everything else."""
        missing = self._next_missing()
        if missing != CONSENT:
            self.step = missing
            self.error = {
                CARD: _("Tap the reader's new card first."),
                NAME: _("Type the reader's name first."),
                GROUP: _("Choose the reader's group first."),
            }[missing]
            return None
        try:
            reader = readers.register(
                self.card, self.name, self.group, self.groups, self.clock, self.validity_days
            )
        except readers.ReaderError as exc:
            self.error = sentence(str(exc))
            if reader_of_card(self.card) is not None:  # someone registered it meanwhile
                self.card, self.step = "", CARD
            return None
        self.registered = ReaderInfo.of(reader)
        self.step, self.error = DONE, ""
        return self.registered

    def decline(self) -> None:
        """The reader did not accept: nothing is registered, nothing typed is kept."""
        self.reset()
        self.info = _("Nothing was registered.")

    def _next_missing(self) -> str:
        if not self.card:
            return CARD
        if not self.name:
            return NAME
        if self.group not in self.groups:
            return GROUP
        return CONSENT


class CardReplacement:
    """A reader's lost card replaced by a new one (same reader, same loans)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.step, self.query, self.new_card, self.error = FIND, "", "", ""
        self.matches: list[ReaderInfo] = []
        self.reader: ReaderInfo | None = None
        self.done: ReaderInfo | None = None

    def type_key(self, key: str) -> None:
        self.query = type_name(self.query, key)
        self.matches = find_readers(self.query)
        self.error = "" if self.matches or not self.query.strip() else _("No reader found.")

    def choose(self, number: int) -> None:
        """The reader picked from the matches."""
        reader = Reader.get_or_none(Reader.id == number)
        if reader is None:
            self.error = _("No reader found.")
            return
        self.reader, self.step, self.error = ReaderInfo.of(reader), NEW_CARD, ""

    def tap(self, tap: Tap) -> None:
        """On FIND, the old card names the reader; on NEW_CARD, a new card is taken."""
        self.error = ""
        if reason := not_a_card(tap):
            self.error = reason
            return
        owner = reader_of_card(tap.key) if tap.kind == "reader" else None
        if self.step == FIND:
            if owner is None:
                self.error = _("This card is not registered: search the reader by name.")
            else:
                self.reader, self.step = owner, NEW_CARD
            return
        if self.step != NEW_CARD:
            return
        if owner is not None:
            self.error = _("This card already belongs to {name}.").format(name=owner.name)
            return
        try:
            self.new_card = card_from_tap(tap)
        except readers.ReaderError as exc:
            self.error = sentence(str(exc))
            return
        self.step = CONFIRM

    def confirm(self) -> ReaderInfo | None:
        """Give the reader the new card; the old one stops working at once."""
        if self.reader is None or not self.new_card:
            self.step = FIND if self.reader is None else NEW_CARD
            return None
        try:
            reader = readers.replace_card(str(self.reader.number), self.new_card)
        except readers.ReaderError as exc:
            self.error, self.new_card, self.step = sentence(str(exc)), "", NEW_CARD
            return None
        self.done, self.step = ReaderInfo.of(reader), DONE
        return self.done

    def back(self) -> None:
        """One step back (the reader stays chosen until FIND)."""
        if self.step == CONFIRM:
            self.step, self.new_card = NEW_CARD, ""
        elif self.step == NEW_CARD:
            self.step, self.reader = FIND, None
        self.error = ""
