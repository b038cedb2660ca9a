"""Readers: registration with recorded consent, listing, and the privacy duties.

A reader's personal data (name, card, loan history) stays on the kiosk. After the configured
retention a returned loan stops naming its reader (`forget_old_loans`); the aggregates stay.
A reader can ask for everything held about them (`export`) and to be erased (`delete`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from kiosk import counters, text
from kiosk.clock import Clock
from kiosk.i18n import N_, _, format_date, ngettext
from kiosk.store.db import write_transaction
from kiosk.store.models import Loan, Reader

CONSENT_VERSION = "2026-1"
# The consent notice a reader accepts: its wording is version CONSENT_VERSION (change both
# together). Short, plain sentences (many readers read little); {date} and {days} are filled
# in for the reader when it is shown (see `consent_notice`).
CONSENT_NOTICE = (
    N_("We keep your name, your group, your card number and the books you borrow."),
    N_("We keep them only to lend you books and to remind you to bring them back."),
    N_(
        "Your card is valid until {date}. When you return a book, your name is taken off it"
        " after {days} days."
    ),
    N_("Your name never leaves this library: the province gets only counts."),
    N_("You may ask the librarian at any time to see all we keep about you, or to erase it."),
)


class ReaderError(ValueError):
    """A reader operation that cannot be done, with a translated reason."""


def normalize_card(card_id: str) -> str:
    """Card ids are the card's UID in upper-case hex (or a printed number)."""
    card = text.clean(card_id).replace(":", "").replace(" ", "").upper()
    if not card or not card.isalnum() or len(card) > 32:
        raise ReaderError(_("'{card}' is not a valid card number").format(card=card_id))
    return card


def register(
    card_id: str,
    name: str,
    group: str,
    groups: tuple[str, ...],
    clock: Clock,
    validity_days: int,
    consent_version: str = CONSENT_VERSION,
) -> Reader:
    """Register a reader who accepted the consent notice `consent_version` just now."""
    card, name = normalize_card(card_id), text.clean(name)
    if not name:
        raise ReaderError(_("the reader's name is empty"))
    if group not in groups:
        raise ReaderError(
            _("unknown reader group '{group}' (one of: {groups})").format(
                group=group, groups=", ".join(groups)
            )
        )
    with write_transaction():
        stamp = clock.stamp()
        now = stamp.wall
        if Reader.get_or_none(Reader.card_id == card) is not None:
            raise ReaderError(_("card {card} already belongs to a reader").format(card=card))
        reader = Reader.create(
            card_id=card,
            name=name,
            reader_group=group,
            consent_at=now,
            consent_version=consent_version,
            expires=now.date() + timedelta(days=validity_days),
            created_at=now,
        )
        counters.bump(counters.NEW_READERS, stamp, group)
    return reader


def consent_notice(expires: date, retention_days: int) -> list[str]:
    """The consent notice in the current language, with the reader's dates filled in."""
    return [
        _(line).format(date=format_date(expires), days=retention_days) for line in CONSENT_NOTICE
    ]


def lookup(reference: str) -> Reader:
    """A reader by number (`12` or `#12`) or by card id."""
    ref = text.clean(reference).lstrip("#")
    reader = Reader.get_or_none(Reader.id == int(ref)) if ref.isdigit() else None
    reader = reader or Reader.get_or_none(Reader.card_id == ref.upper())
    if reader is None:
        raise ReaderError(_("no reader '{ref}'").format(ref=reference))
    return reader


def export(reader: Reader) -> dict[str, Any]:
    """Everything the kiosk holds about one reader, as plain JSON-ready data."""
    loans = Loan.select().where(Loan.reader == reader).order_by(Loan.out_at)
    return {
        "reader": {
            "number": reader.id,
            "card_id": reader.card_id,
            "name": reader.name,
            "group": reader.reader_group,
            "registered": str(reader.created_at),
            "consent_at": str(reader.consent_at),
            "consent_version": reader.consent_version,
            "expires": str(reader.expires),
            "blocked": reader.blocked,
            "blocked_reason": reader.blocked_reason,
            "last_visit": str(reader.last_visit),
        },
        "loans": [
            {
                "title": loan.copy.title.title,
                "accession": loan.copy.accession,
                "out": str(loan.out_at),
                "due": str(loan.due),
                "returned": str(loan.returned_at) if loan.returned_at else None,
                "renewals": loan.renewals,
            }
            for loan in loans
        ],
    }


def ensure_erasable(reader: Reader) -> None:
    """Raise ReaderError while the reader still holds books (they must come back first)."""
    held = Loan.select().where((Loan.reader == reader) & Loan.returned_at.is_null()).count()
    if held:
        raise ReaderError(
            ngettext(
                "reader #{number} still has {count} book on loan",
                "reader #{number} still has {count} books on loan",
                held,
            ).format(number=reader.id, count=held)
        )


def delete(reader: Reader) -> None:
    """Erase a reader; their past loans stay as anonymous counts."""
    with write_transaction():
        ensure_erasable(reader)
        Loan.update(reader=None).where(Loan.reader == reader).execute()
        reader.delete_instance()


def forget_old_loans(today: date, retention_days: int) -> int:
    """Unlink returned loans older than the retention from their readers; how many."""
    cutoff = datetime.combine(today - timedelta(days=retention_days), datetime.min.time())
    with write_transaction():
        return (
            Loan.update(reader=None)
            .where(Loan.reader.is_null(False) & (Loan.returned_at < cutoff))
            .execute()
        )


def replace_card(reference: str, new_card: str) -> Reader:
    """Give a reader a new card (the old one was lost): same reader, same loans and history.

    The old card stops working at once: it no longer names anyone, so a finder cannot borrow
    with it. The new card must not belong to another reader.
    """
    card = normalize_card(new_card)
    with write_transaction():
        reader = lookup(reference)
        if reader.card_id == card:
            raise ReaderError(_("card {card} is already this reader's card").format(card=card))
        if Reader.get_or_none(Reader.card_id == card) is not None:
            raise ReaderError(_("card {card} already belongs to a reader").format(card=card))
        reader.card_id = card
        reader.save()
    return reader
