"""The reader's visit at the kiosk, as the screens see it: pure Python, no Kivy.

The screens call this module, which calls the core (``Desk``, search, staff); it holds what
belongs to one reader's session (card, the books tapped so far) so that the screens keep no
state of their own and "clear the reader's data" is one call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from kiosk import counters, staff
from kiosk.clock import Clock
from kiosk.config import Config
from kiosk.desk import Desk, LoanLine, ReaderRow, Result, find_copy, find_reader, loan_lines
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


def classify(uid_hex: str, item_id: str | None = None) -> Tap:
    """What a tapped tag is. Read-only: nothing is counted."""
    if find_copy(uid_hex) is not None:
        return Tap("item", uid_hex)
    if item_id and find_copy(item_id) is not None:
        return Tap("item", item_id)  # a labelled tag whose UID is not registered (yet)
    if find_reader(uid_hex) is not None:
        return Tap("reader", uid_hex)
    if Staff.get_or_none(Staff.card_id == uid_hex) is not None:
        return Tap("staff", uid_hex)
    return Tap("unknown", item_id or uid_hex)


@dataclass
class ReaderSession:
    """One reader's visit: identify, borrow (and undo), loans and renewals, then clear."""

    services: Services
    card: str = ""
    reader: ReaderRow | None = None
    borrowed: list[Result] = field(default_factory=list)

    @property
    def identified(self) -> bool:
        return self.reader is not None

    def identify(self, card: str) -> ReaderRow | None:
        """The reader of a tapped card (None: not registered); starts a fresh session."""
        self.clear()
        self.reader = self.services.desk.identify(card)
        self.card = card if self.reader else ""
        return self.reader

    def borrow(self, item: str) -> Result:
        """Lend a tapped book to the identified reader; the result is kept for the summary."""
        result = self.services.desk.borrow(self.card, item)
        self.borrowed.append(result)
        return result

    def undo(self, index: int) -> Result | None:
        """Cancel a loan made by mistake in this session (it is not counted at all)."""
        result = self.borrowed.pop(index)
        if not result.ok or not self.services.desk.cancel_loan(self.card, result.item):
            return None
        return result

    def lent(self) -> list[Result]:
        """The books that went through in this session."""
        return [r for r in self.borrowed if r.ok]

    def latest_due(self) -> date | None:
        """The latest due date of this session's loans (the summary's big date)."""
        dues = [r.due for r in self.lent() if r.due]
        return max(dues) if dues else None

    def earliest_due(self) -> date | None:
        dues = [r.due for r in self.lent() if r.due]
        return min(dues) if dues else None

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
        self.card, self.reader, self.borrowed = "", None, []


def return_item(services: Services, item: str) -> Result:
    """Return a book (no card needed)."""
    return services.desk.return_item(item)


@dataclass(frozen=True)
class StaffLogin:
    """The outcome of a staff card + PIN check: the name, or the translated reason."""

    name: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def staff_login(services: Services, card: str, pin: str) -> StaffLogin:
    """Check a staff card and PIN (lockout after repeated failures is the core's)."""
    try:
        member = services.verify_staff(card, pin, services.clock.now())
    except staff.StaffError as exc:
        return StaffLogin(error=str(exc))
    return StaffLogin(name=member.name)


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
