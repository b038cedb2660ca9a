"""The circulation desk: applies the rules of `kiosk.circulation` to the store.

Each borrow, return or renewal reads what it needs, decides, and writes the loan, its counter
and its outbox mark in ONE immediate transaction, so a crash leaves all of it or none of it.
The statements are plain SQL on peewee's connection: this is the kiosk's hot path, and the
ORM's query building cost several times the work itself (see bench/store.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from kiosk import counters, text
from kiosk.circulation import (
    CopyView,
    Decision,
    LoanView,
    Notice,
    ReaderView,
    Refusal,
    Standing,
    decide_borrow,
    decide_renew,
    decide_return,
    standing,
)
from kiosk.clock import Clock, Stamp, SystemClock
from kiosk.config import LoanRules
from kiosk.store import search
from kiosk.store.db import db, write_transaction


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
    loan: int | None = None  # the loan this borrow made (None: refused, or already the reader's)

    @property
    def ok(self) -> bool:
        return self.refusal is None


@dataclass(frozen=True)
class CopyRow:
    """A copy with what the desk shows about it."""

    view: CopyView
    accession: str
    title: str
    batch_code: str


@dataclass(frozen=True)
class ReaderRow:
    """A reader as the desk needs them."""

    view: ReaderView
    name: str


_COPY_SQL = """
SELECT c.id, c.loanable, c.status, b.due_back, c.accession, t.title, b.code
FROM copy c JOIN title t ON t.id = c.title_id LEFT JOIN rotation_batch b ON b.id = c.batch_id
WHERE c.id = coalesce((SELECT copy_id FROM copy_tag WHERE uid = ?),
                      (SELECT id FROM copy WHERE barcode = ?),
                      (SELECT id FROM copy WHERE accession = ?))
"""
_READER_SQL = "SELECT id, reader_group, blocked, expires, name FROM reader WHERE card_id = ?"
_LOAN_COLUMNS = "id, copy_id, reader_id, due, renewals"


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _loan(row: tuple) -> LoanView:
    return LoanView(row[0], row[1], row[2], date.fromisoformat(row[3]), row[4])


def find_copy(item: str) -> CopyRow | None:
    """The copy an item identifier names: a tag UID, a barcode or an accession number."""
    item = text.clean(item)
    row = db.execute_sql(_COPY_SQL, (item.upper(), item, item)).fetchone()
    if row is None:
        return None
    view = CopyView(row[0], bool(row[1]), row[2], _date(row[3]))
    return CopyRow(view, row[4], row[5], row[6] or "")


def find_reader(card_id: str) -> ReaderRow | None:
    """The reader holding that card."""
    row = db.execute_sql(_READER_SQL, (text.clean(card_id).upper(),)).fetchone()
    if row is None:
        return None
    return ReaderRow(ReaderView(row[0], row[1], bool(row[2]), _date(row[3])), row[4])


def copy_loan(copy_id: int) -> LoanView | None:
    """The loan of the copy that has not been returned, if any."""
    row = db.execute_sql(
        f"SELECT {_LOAN_COLUMNS} FROM loan WHERE copy_id = ? AND returned_at IS NULL", (copy_id,)
    ).fetchone()
    return _loan(row) if row else None


def reader_loans(reader_id: int) -> list[LoanView]:
    """The reader's current loans, soonest due first."""
    rows = db.execute_sql(
        f"SELECT {_LOAN_COLUMNS} FROM loan WHERE reader_id = ?"
        " AND returned_at IS NULL ORDER BY due, id",
        (reader_id,),
    )
    return [_loan(row) for row in rows.fetchall()]


@dataclass(frozen=True)
class LoanLine:
    """One current loan as a reader sees it: what to renew, the title and the due date."""

    accession: str
    title: str
    due: date
    overdue: bool


def loan_lines(reader_id: int, today: date) -> list[LoanLine]:
    """The reader's current loans with their titles, soonest due first (read-only)."""
    rows = db.execute_sql(
        "SELECT c.accession, t.title, l.due FROM loan l JOIN copy c ON c.id = l.copy_id"
        " JOIN title t ON t.id = c.title_id WHERE l.reader_id = ? AND l.returned_at IS NULL"
        " ORDER BY l.due, l.id",
        (reader_id,),
    ).fetchall()
    lines = []
    for accession, title, due in rows:
        day = date.fromisoformat(due)
        lines.append(LoanLine(accession, title, day, day < today))
    return lines


class Desk:
    """Borrow, return and renew against the store, with the commune's loan rules."""

    def __init__(self, rules: LoanRules, clock: Clock | None = None):
        self.rules = rules
        self.clock = clock or SystemClock()

    @staticmethod
    def _result(action: str, copy: CopyRow | None, item: str, decision: Decision) -> Result:
        return Result(
            action=action,
            refusal=decision.refusal,
            item=item,
            accession=copy.accession if copy else "",
            title=copy.title if copy else "",
            due=decision.due,
            notices=decision.notices,
            batch_code=copy.batch_code if copy else "",
        )

    def _refused(
        self,
        action: str,
        reason: Refusal,
        item: str,
        stamp: Stamp,
        copy: CopyRow | None = None,
        group: str = "",
    ) -> Result:
        counters.bump(counters.REFUSAL_PREFIX + reason, stamp, group)
        return self._result(action, copy, item, Decision(refusal=reason))

    def identify(self, card_id: str) -> ReaderRow | None:
        """The reader for a tapped card; counts their first visit of the day."""
        with write_transaction():
            reader, stamp = find_reader(card_id), self.clock.stamp()
            if reader is None:
                counters.bump(counters.REFUSAL_PREFIX + Refusal.UNKNOWN_READER, stamp)
                return None
            today, group = str(stamp.wall.date()), reader.view.group
            first = db.execute_sql(
                "UPDATE reader SET last_visit = ? WHERE id = ? AND last_visit IS NOT ?",
                (today, reader.view.id, today),
            ).rowcount
            if first:
                db.execute_sql(
                    "INSERT INTO visit (at, source, reader_group) VALUES (?, 'card', ?)",
                    (str(stamp.wall), group),
                )
                counters.bump(counters.VISITS_CARD, stamp, group)
            return reader

    def _reader_and_copy(
        self, action: str, card_id: str, item: str, stamp: Stamp
    ) -> tuple[ReaderRow, CopyRow] | Result:
        """Both ends of a loan, or the refusal when either is unknown."""
        reader, copy = find_reader(card_id), find_copy(item)
        if reader is None:
            return self._refused(action, Refusal.UNKNOWN_READER, item, stamp, copy)
        if copy is None:
            return self._refused(action, Refusal.UNKNOWN_ITEM, item, stamp, None, reader.view.group)
        return reader, copy

    def borrow(self, card_id: str, item: str) -> Result:
        """Lend the copy named by `item` to the reader holding `card_id`."""
        return self.lend(card_id, item, find_copy(item))

    def lend(self, card_id: str, item: str, copy: CopyRow | None) -> Result:
        """Lend `copy`, already looked up from `item` by the caller (the kiosk classifies a
        tap and lends with the copy it found: one lookup per tap). The write only goes through
        if the copy's status and loanability are still those decided on; a copy changed in the
        meantime is looked up again inside the transaction and decided afresh."""
        with write_transaction():
            stamp = self.clock.stamp()
            result = self._lend(card_id, item, copy, stamp)
            if result is None:  # changed since the caller's lookup: we hold the lock now
                result = self._lend(card_id, item, find_copy(item), stamp)
            return result

    def _lend(self, card_id: str, item: str, copy: CopyRow | None, stamp: Stamp) -> Result | None:
        """The borrow inside the write transaction; None when `copy` is out of date."""
        reader = find_reader(card_id)
        if reader is None:
            return self._refused("borrow", Refusal.UNKNOWN_READER, item, stamp, copy)
        group = reader.view.group
        if copy is None:
            return self._refused("borrow", Refusal.UNKNOWN_ITEM, item, stamp, None, group)
        decision = decide_borrow(
            reader.view,
            copy.view,
            copy_loan(copy.view.id),
            reader_loans(reader.view.id),
            stamp.wall.date(),
            self.rules,
        )
        if not decision.ok:
            return self._refused("borrow", decision.refusal, item, stamp, copy, group)
        result = self._result("borrow", copy, item, decision)
        if Notice.ALREADY_YOURS in decision.notices:
            return result
        if not db.execute_sql(
            "UPDATE copy SET status = 'on_loan' WHERE id = ? AND status = ? AND loanable = ?",
            (copy.view.id, copy.view.status, copy.view.loanable),
        ).rowcount:
            return None
        loan = db.execute_sql(
            "INSERT INTO loan (copy_id, reader_id, reader_group, out_at, due)"
            " VALUES (?, ?, ?, ?, ?) RETURNING id",
            (copy.view.id, reader.view.id, group, str(stamp.wall), str(decision.due)),
        ).fetchone()[0]
        counters.bump(counters.LOANS, stamp, group)
        return replace(result, loan=loan)

    def standing(self, card_id: str) -> Standing | None:
        """The account of the reader holding `card_id` today (read-only; None: no such card)."""
        reader = find_reader(card_id)
        if reader is None:
            return None
        today = self.clock.now().date()
        return standing(reader.view, reader_loans(reader.view.id), today, self.rules)

    def cancel_loan(self, card_id: str, loan_id: int) -> bool:
        """Undo loan `loan_id`, made by mistake a moment ago (the reader put the book back on
        the screen): the loan disappears and is no longer counted, rather than being counted as
        a loan and a return. Only an unrenewed open loan of this card's reader is cancelled."""
        with write_transaction():
            reader = find_reader(card_id)
            if reader is None:
                return False
            row = db.execute_sql(
                "SELECT id, out_at, reader_group, copy_id FROM loan WHERE id = ? AND reader_id = ?"
                " AND returned_at IS NULL AND renewals = 0",
                (loan_id, reader.view.id),
            ).fetchone()
            if row is None:
                return False
            db.execute_sql("DELETE FROM loan WHERE id = ?", (row[0],))
            db.execute_sql("UPDATE copy SET status = 'available' WHERE id = ?", (row[3],))
            # Take it off the interval that counted it (its totals are sent again).
            stamp = replace(self.clock.stamp(), wall=datetime.fromisoformat(row[1]))
            counters.bump(counters.LOANS, stamp, row[2], n=-1)
            return True

    def return_item(self, item: str) -> Result:
        """Take back the copy named by `item`, whoever had it (no card needed)."""
        with write_transaction():
            copy, stamp = find_copy(item), self.clock.stamp()
            if copy is None:
                return self._refused("return", Refusal.UNKNOWN_ITEM, item, stamp)
            loan = copy_loan(copy.view.id)
            decision = decide_return(copy.view, loan, stamp.wall.date())
            if loan is not None:
                group = db.execute_sql(
                    "UPDATE loan SET returned_at = ? WHERE id = ? RETURNING reader_group",
                    (str(stamp.wall), loan.id),
                ).fetchone()[0]
                counters.bump(counters.RETURNS, stamp, group)
            if copy.view.status in ("on_loan", "missing", "lost"):
                db.execute_sql("UPDATE copy SET status = 'available' WHERE id = ?", (copy.view.id,))
            return self._result("return", copy, item, decision)

    def renew(self, card_id: str, item: str) -> Result:
        """Extend the reader's loan of the copy named by `item`."""
        with write_transaction():
            stamp = self.clock.stamp()
            found = self._reader_and_copy("renew", card_id, item, stamp)
            if isinstance(found, Result):
                return found
            reader, copy = found
            group = reader.view.group
            loan = copy_loan(copy.view.id)
            decision = decide_renew(
                reader.view,
                copy.view,
                loan,
                reader_loans(reader.view.id),
                stamp.wall.date(),
                self.rules,
            )
            if not decision.ok:
                return self._refused("renew", decision.refusal, item, stamp, copy, group)
            db.execute_sql(
                "UPDATE loan SET due = ?, renewals = renewals + 1 WHERE id = ?",
                (str(decision.due), loan.id),
            )
            counters.bump(counters.RENEWALS, stamp, group)
            return self._result("renew", copy, item, decision)

    def count_passage(self, entering: bool = True, stamp: Stamp | None = None) -> None:
        """A person broke the door beam: count a visit when they come in (a single beam cannot
        tell, so the hardware reports every pass as entering). `stamp`: when it happened, for
        a count written later than the passage."""
        if not entering:
            return
        with write_transaction():
            stamp = stamp or self.clock.stamp()
            db.execute_sql("INSERT INTO visit (at, source) VALUES (?, 'door')", (str(stamp.wall),))
            counters.bump(counters.VISITS_DOOR, stamp)

    def search(self, query: str, limit: int = 20) -> list[search.Hit]:
        """Find titles for a reader at the kiosk, and count the search (not the words)."""
        hits = search.search(query, limit)
        if query.strip():
            with write_transaction():
                counters.bump(counters.SEARCHES, self.clock.stamp())
        return hits

    def renew_all(self, card_id: str) -> list[Result]:
        """Try to renew every current loan of the reader; one result each."""
        reader = find_reader(card_id)
        if reader is None:
            with write_transaction():
                return [self._refused("renew", Refusal.UNKNOWN_READER, "", self.clock.stamp())]
        accessions = db.execute_sql(
            "SELECT c.accession FROM loan l JOIN copy c ON c.id = l.copy_id"
            " WHERE l.reader_id = ? AND l.returned_at IS NULL ORDER BY l.due, l.id",
            (reader.view.id,),
        ).fetchall()
        return [self.renew(card_id, accession) for (accession,) in accessions]
