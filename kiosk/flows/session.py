"""The reader's visit at the kiosk, as the screens see it: pure Python, no Kivy.

The screens call this module, which calls the core (``Desk``, search, staff); it holds what
belongs to one reader's session (card, the books tapped so far) so that the screens keep no
state of their own and "clear the reader's data" is one call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from kiosk import counters, staff, text
from kiosk.circulation import Standing
from kiosk.clock import Clock
from kiosk.config import Config
from kiosk.desk import (
    CopyRow,
    Desk,
    LoanLine,
    ReaderRow,
    Result,
    find_copy,
    find_reader,
    loan_lines,
)
from kiosk.store import search as store_search
from kiosk.store.models import Staff


@dataclass
class Services:
    """What the touch UI is given: configuration, the desk, and the core's functions."""

    config: Config
    desk: Desk
    clock: Clock
    search: Callable[[str], list[store_search.Hit]] = store_search.search
    verify_staff: Callable[..., object] = staff.verify

    def count_search(self, query: str) -> None:
        """Count one search in the statistics (``Desk.search`` counts each call it answers)."""
        self.desk.search(query, limit=1)


@dataclass(frozen=True)
class Tap:
    """A tag tapped on the reader, classified: a reader card, a staff card, a book or unknown."""

    kind: str  # "reader", "staff", "item", "unknown"
    key: str  # the card id, or the item identifier the desk understands
    source: str = "tag"  # "tag" (RFID) or "barcode" (scanner): labelling tells them apart
    card_like: bool = False  # unknown, and shaped like a card (not like a book's tag)
    copy: CopyRow | None = None  # the book, as looked up when the tap was classified

    @property
    def unknown_card(self) -> bool:
        """An unregistered card: not a book, whatever screen it is tapped on."""
        return self.kind == "unknown" and self.card_like


#: Reader and staff cards are MIFARE-style cards with 4-byte UIDs; book labels are NTAG-style
#: tags with 7-byte UIDs and an item record written on them (kiosk.hardware.tags).
CARD_UID_HEX_LENGTH = 8


def classify(uid_hex: str, item_id: str | None = None) -> Tap:
    """What a tapped tag is. Read-only: nothing is counted. A book's tap carries its copy, so
    that lending it needs no second lookup."""
    copy = find_copy(uid_hex)
    if copy is not None:
        return Tap("item", uid_hex, copy=copy)
    if item_id and item_id != uid_hex:
        copy = find_copy(item_id)
        if copy is not None:  # a labelled tag whose UID is not registered (yet)
            return Tap("item", item_id, copy=copy)
    if find_reader(uid_hex) is not None:
        return Tap("reader", uid_hex)
    if Staff.get_or_none(Staff.card_id == uid_hex) is not None:
        return Tap("staff", uid_hex)
    card_like = not item_id and len(text.clean(uid_hex)) == CARD_UID_HEX_LENGTH
    return Tap("unknown", item_id or uid_hex, card_like=card_like)


@dataclass(frozen=True)
class Tapped:
    """What one book tap did to the session's list: its line (an index into
    ``ReaderSession.borrowed``), and whether the book was already on the list (a repeat tap:
    nothing lent or listed again, the line is pointed out)."""

    result: Result
    line: int
    repeat: bool = False


def _same_book(result: Result, key: str) -> bool:
    """Whether a line is about the book named by `key` (its accession, else what was tapped)."""
    return (result.accession or text.clean(result.item).upper()) == key


@dataclass
class ReaderSession:
    """One reader's visit: identify, borrow (and undo), loans and renewals, then clear."""

    services: Services
    card: str = ""
    reader: ReaderRow | None = None
    borrowed: list[Result] = field(default_factory=list)  # one line per book, in tap order
    standing: Standing | None = None  # the reader's account, kept up to date during the visit

    @property
    def identified(self) -> bool:
        return self.reader is not None

    def identify(self, card: str) -> ReaderRow | None:
        """The reader of a tapped card (None: not registered); starts a fresh session."""
        self.clear()
        self.reader = self.services.desk.identify(card)
        self.card = card if self.reader else ""
        self._update_standing()
        return self.reader

    def borrow(self, item: str, copy: CopyRow | None = None) -> Tapped:
        """Lend a tapped book to the identified reader; the result is kept for the summary.
        A book already on the list is not lent or listed twice, however it is named (tag,
        barcode, accession): a refused one is tried again, its line updated in place.
        `copy`: the book as the tap's classification found it (else it is looked up here);
        either way the copy is looked up once."""
        copy = copy or find_copy(item)
        key = copy.accession if copy else text.clean(item).upper()
        line = next((i for i, r in enumerate(self.borrowed) if _same_book(r, key)), None)
        if line is not None and (self.borrowed[line].ok or copy is None):
            return Tapped(self.borrowed[line], line, repeat=True)
        result = self.services.desk.lend(self.card, item, copy)
        if line is None:
            self.borrowed.append(result)
            line = len(self.borrowed) - 1
        else:
            self.borrowed[line] = result
        self._update_standing()
        return Tapped(result, line)

    def undo(self, index: int) -> Result | None:
        """Cancel the loan of line `index`, made by mistake in this session (it is not counted
        at all). Only a loan this session made can be undone; its line goes only if it did."""
        result = self.borrowed[index]
        if result.loan is None or not self.services.desk.cancel_loan(self.card, result.loan):
            return None
        del self.borrowed[index]
        self._update_standing()
        return result

    def lent(self) -> list[Result]:
        """The books lent in this session (not those the reader already had)."""
        return [r for r in self.borrowed if r.loan is not None]

    def earliest_due(self) -> date | None:
        """The first due date of this session's loans (the summary's big date)."""
        dues = [r.due for r in self.lent() if r.due]
        return min(dues) if dues else None

    def _update_standing(self) -> None:
        self.standing = self.services.desk.standing(self.card) if self.reader else None

    def loans(self) -> list[LoanLine]:
        """The reader's current loans, soonest due first."""
        if self.reader is None:
            return []
        return loan_lines(self.reader.view.id, self.services.clock.now().date())

    def renew(self, item: str) -> Result:
        return self.services.desk.renew(self.card, item)

    def renew_all(self) -> list[Result]:
        return self.services.desk.renew_all(self.card)

    def clear(self) -> None:
        """Forget the reader: nothing of theirs stays in memory for the next person."""
        self.card, self.reader, self.borrowed, self.standing = "", None, [], None


def return_item(services: Services, item: str) -> Result:
    """Return a book (no card needed)."""
    return services.desk.return_item(item)


@dataclass(frozen=True)
class StaffLogin:
    """The outcome of a staff card + PIN check: the name, or the translated reason."""

    name: str = ""
    error: str = ""
    staff_id: int | None = None  # the account, for what staff make (kiosk.i18n.provenance)

    @property
    def ok(self) -> bool:
        return not self.error


def staff_login(services: Services, card: str, pin: str) -> StaffLogin:
    """Check a staff card and PIN (lockout after repeated failures is the core's)."""
    try:
        member = services.verify_staff(card, pin, services.clock.now())
    except staff.StaffError as exc:
        return StaffLogin(error=str(exc))
    return StaffLogin(name=member.name, staff_id=getattr(member, "id", None))


TODAY_METRICS = (
    counters.VISITS_CARD,
    counters.VISITS_DOOR,
    counters.LOANS,
    counters.RETURNS,
    counters.RENEWALS,
)


def today_counts(services: Services) -> dict[str, int]:
    """Today's totals per metric, all reader groups together (the staff menu's figures)."""
    now = services.clock.now()
    start = datetime.combine(now.date(), datetime.min.time())
    totals = counters.totals(start, start + timedelta(days=1))
    result = dict.fromkeys(TODAY_METRICS, 0)
    for (metric, _group), n in totals.items():
        if metric in result:
            result[metric] += n
    return result
