"""`kiosk rotation|inventory|label ...` and `kiosk reader replace-card`: staff operations.

The errors of these operations (RotationError, InventoryError, LabelError, a tag that could
not be written, missing hardware) are a person's to fix: each command prints them as one
translated line and exits 1 (see `_user_errors`), like the errors `kiosk.cli.main` catches.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import queue
import sys
import time
from collections.abc import Callable
from pathlib import Path

from kiosk import readers
from kiosk.cli.common import open_store, print_table
from kiosk.clock import SystemClock
from kiosk.config import Config
from kiosk.hardware.rfid import TagWriteError
from kiosk.hardware.tags import LabelError as TagLabelError
from kiosk.i18n import _, format_date
from kiosk.ops import inventory, labelling, rotation

USER_ERRORS = (
    rotation.RotationError,
    inventory.InventoryError,
    labelling.LabelError,
    TagWriteError,
    TagLabelError,
)


def _user_errors(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    @functools.wraps(func)
    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except USER_ERRORS as exc:
            print(_("Error: {message}").format(message=exc), file=sys.stderr)
            return 1

    return run


def register(subparsers: argparse._SubParsersAction) -> None:
    _register_rotation(subparsers)
    _register_inventory(subparsers)
    _register_label(subparsers)
    _register_replace_card(subparsers)


# --------------------------------------------------------------------------- rotation


def _register_rotation(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "rotation", help=_("rotation batches from the provincial library (luân chuyển)")
    )
    commands = parser.add_subparsers(dest="rotation_command", required=True, metavar=_("COMMAND"))
    imp = commands.add_parser(
        "import",
        help=_("import a batch manifest (CSV or MARC)"),
        description=rotation.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imp.add_argument("file", type=Path, help=_("manifest: CSV, MARC (ISO 2709) or MARCXML"))
    imp.add_argument("--code", default="", help=_("batch code (if not in the file)"))
    imp.add_argument("--source", default="", help=_("source library (if not in the file)"))
    imp.add_argument("--due-back", default="", help=_("due-back date, e.g. 2027-03-31"))
    imp.add_argument(
        "--dry-run", action="store_true", help=_("check the file and show what would change")
    )
    imp.set_defaults(func=_user_errors(rotation_import))
    rec = commands.add_parser("receive", help=_("record the books of a delivery as they arrive"))
    rec.add_argument("code", help=_("batch code"))
    rec.add_argument("items", nargs="*", help=_("tag UID, barcode or accession number"))
    rec.set_defaults(func=_user_errors(rotation_receive))
    stat = commands.add_parser("status", help=_("list batches, or where a batch's books are"))
    stat.add_argument("code", nargs="?", help=_("batch code"))
    stat.set_defaults(func=_user_errors(rotation_status))
    back = commands.add_parser(
        "send-back", help=_("pack a batch to go back, with a checklist of what is still out")
    )
    back.add_argument("code", help=_("batch code"))
    back.add_argument(
        "items", nargs="*", help=_("only these books (as they go in the box); default: all")
    )
    back.add_argument("--dry-run", action="store_true", help=_("only show the checklist"))
    back.set_defaults(func=_user_errors(rotation_send_back))


def _print_items(heading: str, items: list[rotation.Item]) -> None:
    if not items:
        return
    print(heading.format(count=len(items)))
    for item in items:
        due = "  " + _("due {date}").format(date=format_date(item.due)) if item.due else ""
        print(f"  {item.accession}  {item.title}{due}")


def rotation_import(args: argparse.Namespace) -> int:
    open_store(args)
    due = rotation.parse_date(args.due_back) if args.due_back else None
    summary = rotation.import_manifest(args.file, args.code, args.source, due, args.dry_run)
    if summary.dry_run:
        print(_("Dry run: nothing was written."))
    print(
        _(
            "Batch {code} from {source}, due back {date}: {copies} copies expected"
            " ({new} new titles, {again} copies back again)."
        ).format(
            code=summary.code,
            source=summary.source_library,
            date=format_date(summary.due_back),
            copies=summary.copies + summary.reattached,
            new=summary.titles_new,
            again=summary.reattached,
        )
    )
    for problem in summary.skipped:
        print("  " + _("Skipped: {problem}").format(problem=problem), file=sys.stderr)
    return 1 if summary.skipped else 0


def rotation_receive(args: argparse.Namespace) -> int:
    open_store(args)
    result = rotation.receive(args.code, args.items, SystemClock())
    for item in result.received:
        print(
            "✓ "
            + _("{accession} {title}: received").format(accession=item.accession, title=item.title)
        )
    for item in result.already:
        print("· " + _("{item}: already received").format(item=item))
    for item in result.not_in_batch:
        print("✗ " + _("{item}: not a book of this batch").format(item=item))
    for item in result.unknown:
        print("✗ " + _("{item}: unknown tag or code").format(item=item))
    _print_items(_("Not received yet ({count}):"), result.still_missing)
    if not result.still_missing:
        print(_("Every book of the batch has arrived."))
    return 1 if result.unknown or result.not_in_batch else 0


def rotation_status(args: argparse.Namespace) -> int:
    open_store(args)
    if not args.code:
        rows = [[_("Batch"), _("From"), _("Due back"), _("Received"), _("Sent back")]]
        for batch in rotation.batches():
            rows.append(
                [
                    batch.code,
                    batch.source_library,
                    format_date(batch.due_back),
                    str(batch.received_at or "")[:10],
                    str(batch.sent_back_at or "")[:10],
                ]
            )
        if len(rows) == 1:
            print(_("No rotation batches."))
        else:
            print_table(rows)
        return 0
    state = rotation.status(args.code)
    batch = state.batch
    print(
        _("Batch {code} from {source}, due back {date}.").format(
            code=batch.code, source=batch.source_library, date=format_date(batch.due_back)
        )
    )
    print(
        _(
            "In the room: {available}, on loan: {on_loan}, missing: {missing}, sent back: {sent}."
        ).format(
            available=len(state.available),
            on_loan=len(state.on_loan),
            missing=len(state.missing),
            sent=len(state.sent_back),
        )
    )
    _print_items(_("On loan ({count}):"), state.on_loan)
    _print_items(_("Missing ({count}):"), state.missing)
    return 0


def rotation_send_back(args: argparse.Namespace) -> int:
    open_store(args)
    items = args.items or None
    checklist = rotation.send_back(args.code, SystemClock(), items, dry_run=args.dry_run)
    if args.dry_run:
        print(_("Dry run: nothing was written."))
    _print_items(_("In the box ({count}):"), checklist.packed)
    _print_items(_("Still on loan ({count}):"), checklist.on_loan)
    _print_items(_("Missing ({count}):"), checklist.missing)
    if checklist.complete:
        print(_("The whole batch is packed."))
    return 0


# --------------------------------------------------------------------------- inventory


def _register_inventory(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("inventory", help=_("check the shelves, shelf by shelf"))
    commands = parser.add_subparsers(dest="inventory_command", required=True, metavar=_("COMMAND"))
    start = commands.add_parser(
        "start",
        help=_("open an inventory session"),
        description=inventory.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    start.add_argument("--shelf", default="", help=_("the first shelf"))
    start.set_defaults(func=_user_errors(inventory_start))
    scan = commands.add_parser("scan", help=_("record books seen on the current shelf"))
    scan.add_argument("items", nargs="+", help=_("tag UID, barcode or accession number"))
    scan.add_argument("--shelf", help=_("the shelf these books are on (becomes current)"))
    scan.set_defaults(func=_user_errors(inventory_scan))
    status = commands.add_parser("status", help=_("progress of the open session"))
    status.set_defaults(func=_user_errors(inventory_status))
    finish = commands.add_parser("finish", help=_("close the session and show the result"))
    finish.add_argument("--csv", type=Path, metavar="FILE", help=_("also write the result here"))
    finish.set_defaults(func=_user_errors(inventory_finish))
    report = commands.add_parser("report", help=_("the result of the last finished session"))
    report.add_argument("--csv", type=Path, metavar="FILE", help=_("write the result here"))
    report.set_defaults(func=_user_errors(inventory_report))


def inventory_start(args: argparse.Namespace) -> int:
    open_store(args)
    session = inventory.start(SystemClock(), args.shelf)
    print(_("Inventory #{number} started.").format(number=session.id))
    return 0


def inventory_scan(args: argparse.Namespace) -> int:
    open_store(args)
    labels = {
        "found": _("found"),
        "on_loan_found": _("on loan but on the shelf"),
        "elsewhere": _("belongs elsewhere"),
        "unknown": _("unknown tag or code"),
    }
    for finding in inventory.scan(args.items, SystemClock(), args.shelf):
        where = f" ({finding.shelf})" if finding.kind == "elsewhere" and finding.shelf else ""
        parts = (finding.item, finding.title, labels[finding.kind] + where)
        print("  ".join(p for p in parts if p))
    return 0


def inventory_status(args: argparse.Namespace) -> int:
    open_store(args)
    state = inventory.progress()
    print(
        _("Inventory #{number}, current shelf: {shelf}").format(
            number=state.session_id, shelf=state.current_shelf or "-"
        )
    )
    rows = [[_("Shelf"), _("Seen"), _("Expected")]]
    rows += [[shelf or "-", str(s), str(e)] for shelf, (s, e) in state.shelves.items()]
    print_table(rows)
    if state.unknown:
        print(_("Unknown tags or codes: {count}").format(count=state.unknown))
    return 0


def _print_findings(findings: list[inventory.Finding]) -> None:
    counts = {kind: sum(1 for f in findings if f.kind == kind) for kind in inventory.KINDS}
    print(
        _(
            "Found {found}, missing {missing}, on loan but on the shelf {on_loan_found},"
            " belongs elsewhere {elsewhere}, unknown {unknown}."
        ).format(**counts)
    )
    for f in findings:
        if f.kind == "found":
            continue
        label = _(inventory.KIND_LABELS[f.kind])
        seen = " " + _("(seen on {shelf})").format(shelf=f.seen_shelf) if f.seen_shelf else ""
        note = f" — {f.note}" if f.note else ""
        print(f"  [{label}] {f.item} {f.title} {f.shelf}{seen}{note}".rstrip())


def inventory_finish(args: argparse.Namespace) -> int:
    open_store(args)
    findings = inventory.finish(SystemClock())
    _print_findings(findings)
    if args.csv:
        inventory.to_csv(findings, args.csv)
    return 0


def inventory_report(args: argparse.Namespace) -> int:
    open_store(args)
    findings = inventory.results()
    if args.csv:
        inventory.to_csv(findings, args.csv)
    _print_findings(findings)
    return 0


# --------------------------------------------------------------------------- labels


def _register_label(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("label", help=_("write RFID labels or assign barcodes"))
    commands = parser.add_subparsers(dest="label_command", required=True, metavar=_("COMMAND"))
    write = commands.add_parser(
        "write",
        help=_("write each copy's identifier into the tag on the reader, one after another"),
    )
    write.add_argument(
        "items", nargs="*", help=_("accession, barcode or tag (default: all unlabelled)")
    )
    write.add_argument("--shelf", help=_("with no items: only this shelf's unlabelled copies"))
    write.add_argument(
        "--wait", type=float, default=30.0, help=_("seconds to wait for each tag (default 30)")
    )
    write.set_defaults(func=_user_errors(label_write))
    barcode = commands.add_parser("barcode", help=_("give a copy a barcode"))
    barcode.add_argument("item", help=_("accession number or tag UID"))
    barcode.add_argument("code", help=_("the barcode printed on the label"))
    barcode.set_defaults(func=_user_errors(label_barcode))
    todo = commands.add_parser("list", help=_("copies without a tag"))
    todo.add_argument("--shelf", help=_("only this shelf"))
    todo.set_defaults(func=_user_errors(label_list))


def _emulated_uid(accession: str) -> bytes:
    """A stable NTAG-like UID for the demo's virtual tag of a copy (0x04: NXP)."""
    return b"\x04" + hashlib.sha256(accession.encode("utf-8")).digest()[:6]


def _wait_for_tag(bundle, config: Config, accession: str, wait: float) -> None:
    """On the emulator, stick a blank tag in the field; on a Pi, wait until one is there."""
    if bundle.rig is not None:
        from kiosk.hardware.emulator import Ntag213

        bundle.rig.reader.clear()
        bundle.rig.reader.place(Ntag213(_emulated_uid(accession)))
        return
    deadline = time.monotonic() + wait
    while bundle.tag_reader.current is None and time.monotonic() < deadline:
        bundle.tag_reader.poll()
        time.sleep(0.1)


def label_write(args: argparse.Namespace) -> int:
    config = open_store(args)
    session = labelling.LabelSession(args.shelf)
    items = args.items or [a for a, _t, _s in session.todo]
    if not items:
        print(_("Every copy is labelled."))
        return 0
    # Imported here: the camera's numpy and the drivers cost every other command 0.3 s.
    from kiosk.hardware.backend import HardwareUnavailable, open_hardware

    try:
        bundle = open_hardware(config.hardware, queue.Queue(), start=False)
    except HardwareUnavailable as exc:
        print(_("Error: {message}").format(message=exc), file=sys.stderr)
        return 1
    failed = 0
    try:
        for number, item in enumerate(items, 1):
            print(
                _("[{number}/{total}] Put the tag of {item} on the reader.").format(
                    number=number, total=len(items), item=item
                )
            )
            _wait_for_tag(bundle, config, item, args.wait)
            try:
                done = labelling.write_label(bundle.tag_reader, item)
            except (labelling.LabelError, TagWriteError, TagLabelError) as exc:
                failed += 1
                print("✗ " + _("{item}: {message}").format(item=item, message=exc))
                continue
            print(
                "✓ "
                + _("{accession} {title}: tag {uid}").format(
                    accession=done.accession, title=done.title, uid=done.uid
                )
            )
            if bundle.rig is None:  # let staff take the tag away before the next one
                while bundle.tag_reader.current is not None:
                    bundle.tag_reader.poll()
                    time.sleep(0.1)
    finally:
        bundle.close()
    left = len(labelling.unlabelled(args.shelf))
    print(
        _("Labelled {done} of {total}; {left} copies still without a tag.").format(
            done=len(items) - failed, total=len(items), left=left
        )
    )
    return 1 if failed else 0


def label_barcode(args: argparse.Namespace) -> int:
    open_store(args)
    done = labelling.assign_barcode(args.item, args.code)
    print(
        "✓ "
        + _("{accession} {title}: barcode {code}").format(
            accession=done.accession, title=done.title, code=done.uid
        )
    )
    return 0


def label_list(args: argparse.Namespace) -> int:
    open_store(args)
    todo = labelling.unlabelled(args.shelf)
    if not todo:
        print(_("Every copy is labelled."))
        return 0
    print_table([[_("Accession"), _("Title"), _("Shelf")], *[list(row) for row in todo]])
    return 0


# --------------------------------------------------------------------------- readers


def _register_replace_card(subparsers: argparse._SubParsersAction) -> None:
    """`kiosk reader replace-card`, added to the `reader` command of kiosk.cli.people (which
    must be registered first)."""
    reader_parser = subparsers.choices["reader"]
    (commands,) = (a for a in reader_parser._actions if isinstance(a, argparse._SubParsersAction))
    replace = commands.add_parser(
        "replace-card", help=_("give a reader a new card (lost card); loans are kept")
    )
    replace.add_argument("reader", help=_("reader number or old card id"))
    replace.add_argument("card", help=_("the new card id (UID in hex)"))
    replace.set_defaults(func=reader_replace_card)


def reader_replace_card(args: argparse.Namespace) -> int:
    open_store(args)
    old = readers.lookup(args.reader).card_id
    reader = readers.replace_card(args.reader, args.card)
    print(
        _("Reader #{number}: card {old} replaced by {card}; the old card no longer works.").format(
            number=reader.id, old=old, card=reader.card_id
        )
    )
    return 0
