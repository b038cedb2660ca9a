"""`kiosk borrow|return|renew|loans`: the desk from the command line."""

from __future__ import annotations

import argparse

from kiosk import messages
from kiosk.cli.common import open_store, print_table
from kiosk.clock import SystemClock
from kiosk.desk import Desk, Result
from kiosk.i18n import _, format_date
from kiosk.store.models import Copy, Loan, Reader, Title


def register(subparsers: argparse._SubParsersAction) -> None:
    borrow = subparsers.add_parser("borrow", help=_("lend books to a reader"))
    borrow.add_argument("card", help=_("the reader's card id"))
    borrow.add_argument("items", nargs="+", help=_("tag UID, barcode or accession number"))
    borrow.set_defaults(func=borrow_command)
    returning = subparsers.add_parser("return", help=_("take books back"))
    returning.add_argument("items", nargs="+", help=_("tag UID, barcode or accession number"))
    returning.set_defaults(func=return_command)
    renew = subparsers.add_parser(
        "renew", help=_("renew a reader's loans (all, or the ones named)")
    )
    renew.add_argument("card", help=_("the reader's card id"))
    renew.add_argument("items", nargs="*", help=_("tag UID, barcode or accession number"))
    renew.set_defaults(func=renew_command)
    loans = subparsers.add_parser("loans", help=_("list current loans"))
    loans.add_argument("--overdue", action="store_true", help=_("only overdue loans"))
    loans.set_defaults(func=loans_command)


def describe(result: Result) -> str:
    """One line saying what happened to one book, in the reader's words."""
    name = result.title or result.item
    if not result.ok:
        return f"✗ {name}: {messages.refusal_text(result.refusal)}"
    verbs = {
        "borrow": _("borrowed, due {date}"),
        "renew": _("renewed, due {date}"),
        "return": _("returned"),
    }
    line = f"✓ {name}: " + verbs[result.action].format(
        date=format_date(result.due) if result.due else ""
    )
    notes = " ".join(messages.notice_text(n) for n in result.notices)
    if result.batch_code:
        notes += " " + _("(batch {code})").format(code=result.batch_code)
    return line + (f" — {notes.strip()}" if notes.strip() else "")


def _report(results: list[Result]) -> int:
    for result in results:
        print(describe(result))
    return 0 if all(r.ok for r in results) else 1


def borrow_command(args: argparse.Namespace) -> int:
    desk = Desk(open_store(args).loans)
    if desk.identify(args.card) is None:
        return _report([desk.borrow(args.card, args.items[0])])
    return _report([desk.borrow(args.card, item) for item in args.items])


def return_command(args: argparse.Namespace) -> int:
    desk = Desk(open_store(args).loans)
    return _report([desk.return_item(item) for item in args.items])


def renew_command(args: argparse.Namespace) -> int:
    desk = Desk(open_store(args).loans)
    if not args.items:
        results = desk.renew_all(args.card)
        if not results:
            print(_("No loans to renew."))
        return _report(results)
    return _report([desk.renew(args.card, item) for item in args.items])


def loans_command(args: argparse.Namespace) -> int:
    open_store(args)
    today = SystemClock().now().date()
    query = (
        Loan.select(Loan, Copy, Title, Reader)
        .join(Copy)
        .join(Title)
        .switch(Loan)
        .join(Reader)
        .where(Loan.returned_at.is_null())
        .order_by(Loan.due)
    )
    if args.overdue:
        query = query.where(Loan.due < today)
    rows = [[_("Due"), _("Days late"), _("Accession"), _("Title"), _("Reader"), _("Card")]]
    for loan in query:
        late = (today - loan.due).days
        rows.append(
            [
                format_date(loan.due),
                str(late) if late > 0 else "",
                loan.copy.accession,
                loan.copy.title.title,
                loan.reader.name,
                loan.reader.card_id,
            ]
        )
    if len(rows) == 1:
        print(_("No overdue loans.") if args.overdue else _("No current loans."))
        return 0
    print_table(rows)
    return 0
