"""`kiosk reader add|list|export|delete` and `kiosk staff add`."""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from kiosk import readers, staff
from kiosk.cli.common import open_store, print_table
from kiosk.clock import SystemClock
from kiosk.i18n import _, format_date, ngettext
from kiosk.store.models import Loan, Reader


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("reader", help=_("register, list, export or delete readers"))
    commands = parser.add_subparsers(dest="reader_command", required=True, metavar=_("COMMAND"))
    add = commands.add_parser("add", help=_("register a reader who accepted the consent notice"))
    add.add_argument("--card", required=True, help=_("card id (UID in hex)"))
    add.add_argument("--name", required=True, help=_("full name"))
    add.add_argument("--group", required=True, help=_("reader group, e.g. child, adult, elder"))
    add.set_defaults(func=reader_add)
    commands.add_parser("list", help=_("list readers")).set_defaults(func=reader_list)
    export = commands.add_parser("export", help=_("print everything held about a reader (JSON)"))
    export.add_argument("reader", help=_("reader number or card id"))
    export.set_defaults(func=reader_export)
    delete = commands.add_parser("delete", help=_("erase a reader (their loans stay counted)"))
    delete.add_argument("reader", help=_("reader number or card id"))
    delete.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))
    delete.set_defaults(func=reader_delete)
    commands.add_parser(
        "forget-old-loans",
        help=_("unlink returned loans older than loans.retention_days from their readers"),
    ).set_defaults(func=reader_forget_old_loans)

    staff_parser = subparsers.add_parser("staff", help=_("manage staff accounts"))
    staff_commands = staff_parser.add_subparsers(
        dest="staff_command", required=True, metavar=_("COMMAND")
    )
    staff_add = staff_commands.add_parser("add", help=_("add a staff member (card and PIN)"))
    staff_add.add_argument("--card", required=True, help=_("staff card id (UID in hex)"))
    staff_add.add_argument("--name", required=True, help=_("full name"))
    staff_add.add_argument(
        "--pin-stdin",
        action="store_true",
        help=_("read the PIN from standard input instead of asking"),
    )
    staff_add.set_defaults(func=staff_add_command)


def reader_add(args: argparse.Namespace) -> int:
    config = open_store(args)
    reader = readers.register(
        args.card,
        args.name,
        args.group,
        config.loans.groups,
        SystemClock(),
        config.loans.card_validity_days,
    )
    print(
        _("Reader #{number} registered, card {card}, valid until {date}.").format(
            number=reader.id, card=reader.card_id, date=format_date(reader.expires)
        )
    )
    return 0


def reader_list(args: argparse.Namespace) -> int:
    open_store(args)
    rows = [["#", _("Card"), _("Name"), _("Group"), _("Valid until"), _("Loans")]]
    for reader in Reader.select().order_by(Reader.id):
        held = Loan.select().where((Loan.reader == reader) & Loan.returned_at.is_null()).count()
        blocked = " " + _("(blocked)") if reader.blocked else ""
        rows.append(
            [
                str(reader.id),
                reader.card_id,
                reader.name + blocked,
                reader.reader_group,
                str(reader.expires or ""),
                str(held),
            ]
        )
    print_table(rows)
    return 0


def reader_export(args: argparse.Namespace) -> int:
    open_store(args)
    print(json.dumps(readers.export(readers.lookup(args.reader)), ensure_ascii=False, indent=2))
    return 0


def reader_delete(args: argparse.Namespace) -> int:
    open_store(args)
    reader = readers.lookup(args.reader)
    readers.ensure_erasable(reader)  # say so before asking, not after
    if not args.yes:
        try:
            answer = input(
                _("Erase reader #{number} {name}? [y/N] ").format(
                    number=reader.id, name=reader.name
                )
            )
        except EOFError:  # no terminal (cron, a pipe): never erase without a yes
            answer = ""
        if answer.strip().lower() not in ("y", "yes", "c", "co", "có"):
            print(_("Nothing erased."))
            return 1
    readers.delete(reader)
    print(_("Reader #{number} erased.").format(number=reader.id))
    return 0


def reader_forget_old_loans(args: argparse.Namespace) -> int:
    """The loan-history retention the consent notice promises (nightly: kiosk-backup.service,
    before the backup, so backups do not keep what the kiosk has forgotten)."""
    config = open_store(args)
    days = config.loans.retention_days
    count = readers.forget_old_loans(SystemClock().now().date(), days)
    print(
        ngettext(
            "{count} returned loan older than {days} days no longer names its reader.",
            "{count} returned loans older than {days} days no longer name their readers.",
            count,
        ).format(count=count, days=days)
    )
    return 0


def staff_add_command(args: argparse.Namespace) -> int:
    open_store(args)
    if args.pin_stdin:
        pin = sys.stdin.readline().strip()
    else:
        pin = getpass.getpass(_("PIN (4-8 digits): "))
        if getpass.getpass(_("PIN again: ")) != pin:
            raise staff.StaffError(_("the two PINs differ"))
    member = staff.add(args.card, args.name, pin, SystemClock().now())
    print(
        _("Staff member {name} added (card {card}).").format(name=member.name, card=member.card_id)
    )
    return 0
