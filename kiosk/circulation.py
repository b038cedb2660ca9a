"""Circulation rules: who may borrow, renew or return what, and until when.

Pure functions over plain snapshots; they decide, `kiosk.desk` applies the decision to the
store. Every refusal is a `Refusal` code the UI translates; every remark that is not a refusal
(a late return, a book that was not on loan ...) is a `Notice`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from kiosk.config import LoanRules


class Refusal(StrEnum):
    """Why a transaction was not done."""

    UNKNOWN_ITEM = "unknown_item"
    UNKNOWN_READER = "unknown_reader"
    ITEM_UNAVAILABLE = "item_unavailable"  # lost, withdrawn or sent back to the province
    NOT_LOANABLE = "not_loanable"  # reference only
    ON_LOAN_TO_OTHER = "on_loan_to_other"
    LIMIT_REACHED = "limit_reached"
    READER_BLOCKED = "reader_blocked"
    READER_EXPIRED = "reader_expired"
    OVERDUE = "overdue"  # the reader holds a loan overdue beyond the threshold
    RENEWAL_LIMIT = "renewal_limit"
    TOO_EARLY = "too_early"  # renewing now would not move the due date
    ROTATION_DUE_BACK = "rotation_due_back"
    NOT_ON_LOAN = "not_on_loan"  # renewing a copy that is not lent
    NOT_YOUR_LOAN = "not_your_loan"  # renewing someone else's loan


class Notice(StrEnum):
    """Something the reader or staff should know about a transaction that went through."""

    ALREADY_YOURS = "already_yours"  # borrowed again: nothing changed, here is the due date
    WAS_NOT_ON_LOAN = "was_not_on_loan"  # returned a copy the system thought was on the shelf
    FOUND = "found"  # a copy marked missing or lost turned up
    RETURNED_LATE = "returned_late"
    ROTATION_ITEM = "rotation_item"  # goes to the rotation shelf, not the commune's own
    DUE_SHORTENED = "due_shortened"  # capped so a rotation item is back before its batch


UNAVAILABLE_STATUSES = frozenset({"lost", "withdrawn", "sent_back"})


@dataclass(frozen=True)
class ReaderView:
    """What the rules need to know about a reader."""

    id: int
    group: str
    blocked: bool = False
    expires: date | None = None


@dataclass(frozen=True)
class CopyView:
    """What the rules need to know about a copy."""

    id: int
    loanable: bool = True
    status: str = "available"
    batch_due_back: date | None = None  # set for rotation items


@dataclass(frozen=True)
class LoanView:
    """An open loan."""

    id: int
    copy_id: int
    reader_id: int | None
    due: date
    renewals: int = 0


@dataclass(frozen=True)
class Decision:
    """The outcome of a rule check: refused with a reason, or allowed with a due date."""

    refusal: Refusal | None = None
    due: date | None = None
    notices: tuple[Notice, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.refusal is None


def refuse(reason: Refusal) -> Decision:
    """A refusal decision."""
    return Decision(refusal=reason)


def is_closed(day: date, rules: LoanRules) -> bool:
    """True when the reading room is closed that day."""
    return day.weekday() in rules.closed_weekdays or day in rules.closed_dates


def next_open_day(day: date, rules: LoanRules, step: int = 1) -> date:
    """`day` itself if the room is open, else the nearest open day in the direction of `step`."""
    for _ in range(400):  # the config forbids closing every weekday, so this always ends
        if not is_closed(day, rules):
            return day
        day += timedelta(days=step)
    raise ValueError("no open day within a year: check loans.closed_dates")


def due_date(start: date, group: str, rules: LoanRules) -> date:
    """The due date of a loan made on `start`: the group's period, moved off closing days."""
    return next_open_day(start + timedelta(days=rules.period_days[group]), rules)


def check_reader(
    reader: ReaderView, loans: list[LoanView], today: date, rules: LoanRules
) -> Refusal | None:
    """Whether this reader may take anything home today at all."""
    if reader.blocked:
        return Refusal.READER_BLOCKED
    if reader.expires is not None and reader.expires < today:
        return Refusal.READER_EXPIRED
    if any((today - loan.due).days > rules.overdue_block_days for loan in loans):
        return Refusal.OVERDUE
    return None


@dataclass(frozen=True)
class Standing:
    """Where a reader stands, shown right after the card: loans now, how many more they may
    take home, how many are overdue, and why they can borrow nothing today (if so)."""

    on_loan: int
    limit: int
    overdue: int
    refusal: Refusal | None = None  # blocked, expired, overdue past the block, limit reached

    @property
    def may_borrow(self) -> int:
        return 0 if self.refusal else max(0, self.limit - self.on_loan)


def standing(reader: ReaderView, loans: list[LoanView], today: date, rules: LoanRules) -> Standing:
    """The reader's account at the start of a visit, by the same rules as `decide_borrow`."""
    limit = rules.limit[reader.group]
    refusal = check_reader(reader, loans, today, rules)
    if refusal is None and len(loans) >= limit:
        refusal = Refusal.LIMIT_REACHED
    overdue = sum(1 for loan in loans if loan.due < today)
    return Standing(len(loans), limit, overdue, refusal)


def _rotation_cap(copy: CopyView, due: date, today: date, rules: LoanRules) -> Decision:
    """Cap a rotation item's due date so it is back before its batch goes home."""
    if copy.batch_due_back is None:
        return Decision(due=due)
    latest = copy.batch_due_back - timedelta(days=rules.rotation_margin_days)
    if due <= latest:
        return Decision(due=due)
    capped = next_open_day(latest, rules, step=-1)
    if capped <= today:
        return refuse(Refusal.ROTATION_DUE_BACK)
    return Decision(due=capped, notices=(Notice.DUE_SHORTENED,))


def decide_borrow(
    reader: ReaderView,
    copy: CopyView,
    copy_loan: LoanView | None,
    reader_loans: list[LoanView],
    today: date,
    rules: LoanRules,
) -> Decision:
    """May `reader` take `copy` home today, and until when?"""
    if copy_loan is not None and copy_loan.reader_id == reader.id:
        return Decision(due=copy_loan.due, notices=(Notice.ALREADY_YOURS,))
    refusal = check_reader(reader, reader_loans, today, rules)
    if refusal:
        return refuse(refusal)
    if copy.status in UNAVAILABLE_STATUSES:
        return refuse(Refusal.ITEM_UNAVAILABLE)
    if not copy.loanable:
        return refuse(Refusal.NOT_LOANABLE)
    if copy_loan is not None:
        return refuse(Refusal.ON_LOAN_TO_OTHER)
    if len(reader_loans) >= rules.limit[reader.group]:
        return refuse(Refusal.LIMIT_REACHED)
    decision = _rotation_cap(copy, due_date(today, reader.group, rules), today, rules)
    if decision.ok and copy.status in ("missing", "lost"):
        return Decision(due=decision.due, notices=(*decision.notices, Notice.FOUND))
    return decision


def decide_renew(
    reader: ReaderView,
    copy: CopyView,
    loan: LoanView | None,
    reader_loans: list[LoanView],
    today: date,
    rules: LoanRules,
) -> Decision:
    """May `reader` keep `copy` longer, and until when?"""
    if loan is None:
        return refuse(Refusal.NOT_ON_LOAN)
    if loan.reader_id != reader.id:
        return refuse(Refusal.NOT_YOUR_LOAN)
    refusal = check_reader(reader, reader_loans, today, rules)
    if refusal:
        return refuse(refusal)
    if loan.renewals >= rules.max_renewals:
        return refuse(Refusal.RENEWAL_LIMIT)
    new_due = due_date(today, reader.group, rules)  # a renewal counts from today
    if new_due <= loan.due:
        return refuse(Refusal.TOO_EARLY)
    decision = _rotation_cap(copy, new_due, today, rules)
    if decision.ok and decision.due is not None and decision.due <= loan.due:
        return refuse(Refusal.ROTATION_DUE_BACK)  # the cap leaves nothing to gain
    return decision


def decide_return(copy: CopyView, loan: LoanView | None, today: date) -> Decision:
    """What to tell the person returning `copy` (returns are never refused)."""
    notices: list[Notice] = []
    if loan is None:
        notices.append(Notice.WAS_NOT_ON_LOAN)
    elif loan.due < today:
        notices.append(Notice.RETURNED_LATE)
    if copy.status in ("missing", "lost"):
        notices.append(Notice.FOUND)
    if copy.batch_due_back is not None:
        notices.append(Notice.ROTATION_ITEM)
    return Decision(notices=tuple(notices))
