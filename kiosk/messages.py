"""The reader-facing words for every refusal and notice of the circulation core.

One table, so the CLI, the touch screens and the audio prompts say the same thing. `ASK_STAFF`
lists the refusals a reader cannot fix alone.
"""

from __future__ import annotations

from kiosk.circulation import Notice, Refusal
from kiosk.i18n import N_, _

REFUSALS: dict[Refusal, str] = {
    Refusal.UNKNOWN_ITEM: N_("This book is not in our catalogue."),
    Refusal.UNKNOWN_READER: N_("This card is not registered. Ask the librarian to register you."),
    Refusal.ITEM_UNAVAILABLE: N_("This book cannot be lent: it is marked lost or withdrawn."),
    Refusal.NOT_LOANABLE: N_("This book is for reading here only."),
    Refusal.ON_LOAN_TO_OTHER: N_("This book is on loan to another reader."),
    Refusal.LIMIT_REACHED: N_("You already have as many books as you may borrow."),
    Refusal.READER_BLOCKED: N_("Your card is blocked."),
    Refusal.READER_EXPIRED: N_("Your card has expired."),
    Refusal.OVERDUE: N_("Please return your overdue books first."),
    Refusal.RENEWAL_LIMIT: N_("This book cannot be renewed again."),
    Refusal.TOO_EARLY: N_("It is too early to renew this book: it is not due yet."),
    Refusal.ROTATION_DUE_BACK: N_("This book must go back to the provincial library soon."),
    Refusal.NOT_ON_LOAN: N_("This book is not on loan."),
    Refusal.NOT_YOUR_LOAN: N_("This book is on loan to another reader."),
}

NOTICES: dict[Notice, str] = {
    Notice.ALREADY_YOURS: N_("You already have this book."),
    Notice.WAS_NOT_ON_LOAN: N_("This book was not on loan. Put it on the cart."),
    Notice.FOUND: N_("This book was marked missing: thank you for bringing it back."),
    Notice.RETURNED_LATE: N_("This book is returned late."),
    Notice.ROTATION_ITEM: N_(
        "This book belongs to the provincial library: put it on the rotation shelf."
    ),
    Notice.DUE_SHORTENED: N_("Shorter loan: this book must go back to the provincial library."),
}

ASK_STAFF = frozenset(
    {
        Refusal.UNKNOWN_ITEM,
        Refusal.UNKNOWN_READER,
        Refusal.ITEM_UNAVAILABLE,
        Refusal.READER_BLOCKED,
        Refusal.READER_EXPIRED,
        Refusal.OVERDUE,
    }
)


ASK_LIBRARIAN = N_("Please ask the librarian.")


def refusal_msgids(reason: Refusal) -> tuple[str, ...]:
    """The untranslated sentences of a refusal, with 'ask the librarian' where it applies
    (the audio prompts speak them in the reader's language, see kiosk.audio.prompts)."""
    if reason in ASK_STAFF and reason != Refusal.UNKNOWN_READER:
        return (REFUSALS[reason], ASK_LIBRARIAN)
    return (REFUSALS[reason],)


def refusal_text(reason: Refusal) -> str:
    """The translated sentence for a refusal, with 'ask the librarian' where it applies."""
    return " ".join(_(message) for message in refusal_msgids(reason))


def notice_text(notice: Notice) -> str:
    """The translated sentence for a notice."""
    return _(NOTICES[notice])
