"""The circulation desk: applies the rules of `kiosk.circulation` to the store.

Each borrow, return or renewal reads what it needs, decides, and writes the loan and its
counters in ONE immediate transaction, so a crash leaves either all of it or none of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from kiosk import counters, text
from kiosk.circulation import (
    CopyView,
    Decision,
    LoanView,
    Notice,
    ReaderView,
    Refusal,
    decide_borrow,
    decide_renew,
    decide_return,
)
from kiosk.clock import Clock, SystemClock
from kiosk.config import LoanRules
from kiosk.store.db import write_transaction
from kiosk.store.models import Copy, CopyTag, Loan, Reader, Visit


@dataclass(frozen=True)
class Result:
    """What happened to one copy, for the screen, the CLI and the tests."""

    action: str  # "borrow", "return" or "renew"
    refusal: Refusal | None = None
    item: str = ""
    accession: str = ""
    title: str = ""
    due: date | None = None
    notices: tuple[Notice, ...] = field(default_factory=tuple)
    batch_code: str = ""  # where a rotation item goes back to

    @property
    def ok(self) -> bool:
        return self.refusal is None


def find_copy(item: str) -> Copy | None:
    """The copy an item identifier names: a tag UID, a barcode or an accession number."""
    item = text.clean(item)
    tag = CopyTag.get_or_none(CopyTag.uid == item.upper())
    if tag is not None:
        return tag.copy
    return Copy.get_or_none(Copy.barcode == item) or Copy.get_or_none(Copy.accession == item)


def find_reader(card_id: str) -> Reader | None:
    """The reader holding that card."""
    return Reader.get_or_none(Reader.card_id == text.clean(card_id).upper())


def _reader_view(reader: Reader) -> ReaderView:
    return ReaderView(reader.id, reader.reader_group, reader.blocked, reader.expires)


def _copy_view(copy: Copy) -> CopyView:
    return CopyView(
        copy.id, copy.loanable, copy.status, copy.batch.due_back if copy.batch_id else None
    )


def _loan_view(loan: Loan) -> LoanView:
    return LoanView(loan.id, loan.copy_id, loan.reader_id, loan.due, loan.renewals)


def open_loan(copy: Copy) -> Loan | None:
    """The loan of `copy` that has not been returned, if any."""
    return Loan.get_or_none((Loan.copy == copy) & Loan.returned_at.is_null())


def open_loans(reader: Reader) -> list[Loan]:
    """The reader's current loans, soonest due first."""
    return list(
        Loan.select()
        .where((Loan.reader == reader) & Loan.returned_at.is_null())
        .order_by(Loan.due, Loan.id)
    )


class Desk:
    """Borrow, return and renew against the store, with the commune's loan rules."""

    def __init__(self, rules: LoanRules, clock: Clock | None = None):
        self.rules = rules
        self.clock = clock or SystemClock()

    def _result(self, action: str, copy: Copy | None, item: str, decision: Decision) -> Result:
        return Result(
            action=action,
            refusal=decision.refusal,
            item=item,
            accession=copy.accession if copy else "",
            title=copy.title.title if copy else "",
            due=decision.due,
            notices=decision.notices,
            batch_code=copy.batch.code if copy and copy.batch_id else "",
        )

    def _refused(
        self, action: str, reason: Refusal, item: str, copy: Copy | None = None, group: str = ""
    ) -> Result:
        counters.bump(counters.REFUSAL_PREFIX + reason, self.clock.now(), group)
        return self._result(action, copy, item, Decision(refusal=reason))

    def identify(self, card_id: str) -> Reader | None:
        """The reader for a tapped card; counts their first visit of the day."""
        with write_transaction():
            reader = find_reader(card_id)
            now = self.clock.now()
            if reader is None:
                counters.bump(counters.REFUSAL_PREFIX + Refusal.UNKNOWN_READER, now)
                return None
            if reader.last_visit != now.date():
                Reader.update(last_visit=now.date()).where(Reader.id == reader.id).execute()
                Visit.create(at=now, source="card", reader_group=reader.reader_group)
                counters.bump(counters.VISITS_CARD, now, reader.reader_group)
            return reader

    def borrow(self, card_id: str, item: str) -> Result:
        """Lend the copy named by `item` to the reader holding `card_id`."""
        with write_transaction():
            reader, copy = find_reader(card_id), find_copy(item)
            if reader is None:
                return self._refused("borrow", Refusal.UNKNOWN_READER, item, copy)
            if copy is None:
                return self._refused(
                    "borrow", Refusal.UNKNOWN_ITEM, item, None, reader.reader_group
                )
            current = open_loan(copy)
            now = self.clock.now()
            decision = decide_borrow(
                _reader_view(reader),
                _copy_view(copy),
                _loan_view(current) if current else None,
                [_loan_view(loan) for loan in open_loans(reader)],
                now.date(),
                self.rules,
            )
            if not decision.ok:
                return self._refused("borrow", decision.refusal, item, copy, reader.reader_group)
            if Notice.ALREADY_YOURS not in decision.notices:
                Loan.create(
                    copy=copy,
                    reader=reader,
                    reader_group=reader.reader_group,
                    out_at=now,
                    due=decision.due,
                )
                Copy.update(status="on_loan").where(Copy.id == copy.id).execute()
                counters.bump(counters.LOANS, now, reader.reader_group)
            return self._result("borrow", copy, item, decision)

    def return_item(self, item: str) -> Result:
        """Take back the copy named by `item`, whoever had it (no card needed)."""
        with write_transaction():
            copy = find_copy(item)
            if copy is None:
                return self._refused("return", Refusal.UNKNOWN_ITEM, item)
            loan = open_loan(copy)
            now = self.clock.now()
            decision = decide_return(
                _copy_view(copy), _loan_view(loan) if loan else None, now.date()
            )
            if loan is not None:
                Loan.update(returned_at=now).where(Loan.id == loan.id).execute()
                counters.bump(counters.RETURNS, now, loan.reader_group)
            if copy.status in ("on_loan", "missing", "lost"):
                Copy.update(status="available").where(Copy.id == copy.id).execute()
            return self._result("return", copy, item, decision)

    def renew(self, card_id: str, item: str) -> Result:
        """Extend the reader's loan of the copy named by `item`."""
        with write_transaction():
            reader, copy = find_reader(card_id), find_copy(item)
            if reader is None:
                return self._refused("renew", Refusal.UNKNOWN_READER, item, copy)
            if copy is None:
                return self._refused("renew", Refusal.UNKNOWN_ITEM, item, None, reader.reader_group)
            loan = open_loan(copy)
            now = self.clock.now()
            decision = decide_renew(
                _reader_view(reader),
                _copy_view(copy),
                _loan_view(loan) if loan else None,
                [_loan_view(other) for other in open_loans(reader)],
                now.date(),
                self.rules,
            )
            if not decision.ok:
                return self._refused("renew", decision.refusal, item, copy, reader.reader_group)
            Loan.update(due=decision.due, renewals=Loan.renewals + 1).where(
                Loan.id == loan.id
            ).execute()
            counters.bump(counters.RENEWALS, now, reader.reader_group)
            return self._result("renew", copy, item, decision)

    def renew_all(self, card_id: str) -> list[Result]:
        """Try to renew every current loan of the reader; one result each."""
        reader = find_reader(card_id)
        if reader is None:
            return [self._refused_now("renew", Refusal.UNKNOWN_READER)]
        return [self.renew(card_id, loan.copy.accession) for loan in open_loans(reader)]

    def _refused_now(self, action: str, reason: Refusal) -> Result:
        with write_transaction():
            return self._refused(action, reason, "")
