"""`kiosk demo`: a narrated session on the sample library, run in a throw-away folder.

Until the touch screens land this is the command-line demo: a reader taps a card, borrows and
renews books, one book is refused, books are returned, the catalogue is searched.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from kiosk import config as config_mod
from kiosk import i18n, messages, reports, sample
from kiosk.cli.circulation import describe
from kiosk.clock import FixedClock, SystemClock
from kiosk.desk import Desk
from kiosk.i18n import _
from kiosk.store import search
from kiosk.store.db import close_database, open_database


def register(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser("demo", help=_("run the demo on the sample library"))
    demo.add_argument(
        "--data-dir", type=Path, help=_("keep the demo's data here (default: a temporary folder)")
    )
    demo.add_argument("--language", choices=config_mod.LANGUAGES, help=_("language of the demo"))
    demo.set_defaults(func=demo_command)


def _say(line: str) -> None:
    print(f"\n▶ {line}")


def run_demo(data_dir: Path, commune: str = "06001") -> None:
    """Create the sample library in `data_dir` and narrate a session on it."""
    config = config_mod.load(
        None, overrides={"kiosk": {"commune": commune, "data_dir": str(data_dir)}}
    )
    open_database(config.db_path)
    clock = FixedClock(SystemClock().now())
    sample.create(clock, config.loans)
    desk = Desk(config.loans, clock)
    card = sample.SAMPLE_CARDS["reader"]
    reader = desk.identify(card)
    _say(_("{name} taps the reader card.").format(name=reader.name))
    _say(_("Tapping two books on the reader:"))
    for item in (sample.tag_uid(1), sample.tag_uid(4)):
        print(describe(desk.borrow(card, item)))
    _say(_("A reference book is tapped:"))
    print(describe(desk.borrow(card, "LS-0025")))
    _say(_("An unknown card is tapped:"))
    print(messages.refusal_text(messages.Refusal.UNKNOWN_READER))
    clock.advance(days=18)
    _say(_("Eighteen days later, renewing all loans:"))
    for result in desk.renew_all(card):
        print(describe(result))
    _say(_('Searching for "duong" (without marks):'))
    for hit in search.search("duong"):
        print(
            f"  {hit.title} — {hit.author} [{', '.join(hit.shelves)}] {hit.available}/{hit.copies}"
        )
    _say(_("Returning a book, and a book that was not on loan:"))
    print(describe(desk.return_item(sample.tag_uid(1))))
    print(describe(desk.return_item("LS-0003")))
    today = clock.now().date()
    _say(reports.to_text(reports.month(today.year, today.month, config.loans.groups)))
    close_database()


def demo_command(args: argparse.Namespace) -> int:
    if args.language:
        i18n.set_language(args.language)
    if args.data_dir:
        run_demo(args.data_dir)
        return 0
    with tempfile.TemporaryDirectory(prefix="kiosk-demo-") as folder:
        run_demo(Path(folder))
    return 0
