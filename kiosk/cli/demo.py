"""`kiosk demo`: the kiosk on emulated hardware with the sample library, in a throw-away folder.

* ``kiosk demo`` starts the touch app when a display is present (and it runs in a terminal).
  Keys put virtual tags on
  the emulated reader: F1 the reader's card, F2 a child's card, F3 the staff card, F4 an
  unknown card, 1-9 the sample books LS-0001..LS-0009, 0 a rotation book (LC-0047), R a
  reference book (LS-0025). Without any display it falls back to the narrated text demo.
* ``kiosk demo --text`` narrates a session on the command line (no display needed).
* ``kiosk demo --script FILE --screenshots DIR`` plays a scripted session (format:
  ``kiosk/demo/script.py``; ``--script default`` is the packaged one) and saves a PNG per step;
  without a display it starts its own virtual display (Xvfb).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import sys
import tempfile
from functools import partial
from pathlib import Path

from kiosk import config as config_mod
from kiosk import i18n, messages
from kiosk.cli.circulation import describe
from kiosk.clock import FixedClock, SystemClock
from kiosk.demo import sample
from kiosk.desk import Desk
from kiosk.i18n import _
from kiosk.reports import figures
from kiosk.screens.wording import tr
from kiosk.store import search
from kiosk.store.db import close_database, open_database


def register(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser(
        "demo",
        help=_("run the demo on the sample library"),
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument(
        "--data-dir", type=Path, help=_("keep the demo's data here (default: a temporary folder)")
    )
    demo.add_argument("--language", choices=config_mod.LANGUAGES, help=_("language of the demo"))
    demo.add_argument("--text", action="store_true", help=tr("narrated demo on the command line"))
    demo.add_argument(
        "--script", metavar="FILE", help=tr('play a scripted session ("default": the packaged one)')
    )
    demo.add_argument(
        "--screenshots", metavar="DIR", type=Path, help=tr("save a PNG per step in this folder")
    )
    demo.add_argument(
        "--size", default="800x480", help=tr("window size, e.g. 1024x600 or 720x1280")
    )
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
    _say(figures.to_text(figures.month(today.year, today.month, config.loans.groups)))
    close_database()


def _folder(args: argparse.Namespace) -> contextlib.AbstractContextManager[Path]:
    if args.data_dir:
        return contextlib.nullcontext(args.data_dir)
    return tempfile.TemporaryDirectory(prefix="kiosk-demo-")


def demo_command(args: argparse.Namespace) -> int:
    if args.language:
        i18n.set_language(args.language)
    from kiosk.screens import boot

    if args.script or args.screenshots:
        with _folder(args) as folder:
            return run_script(Path(folder), args)
    # The window only for a person at a terminal with a display: a demo started by another
    # program (a test, a pipe) narrates instead of waiting for someone to close a window.
    if args.text or not boot.has_display() or not sys.stdin.isatty():
        if not args.text:  # on stdout: a fallback, not an error
            print(tr("No display: the narrated demo (kiosk demo --help shows the others)."))
        with _folder(args) as folder:
            run_demo(Path(folder))
        return 0
    with _folder(args) as folder:
        return run_interactive(Path(folder), args)


def run_script(data_dir: Path, args: argparse.Namespace) -> int:
    """Play a script (own Xvfb if there is no display) and save the screenshots."""
    from kiosk.demo import script, xvfb
    from kiosk.screens import boot

    plan = script.load(None if args.script in (None, "default") else Path(args.script))
    shots = args.screenshots or Path("demo-screenshots")
    display = contextlib.nullcontext() if boot.has_display() else xvfb.virtual_display()
    with display:
        boot.configure(plan.size)
        from kiosk.demo.driver import Driver
        from kiosk.wiring import open_demo

        kiosk = open_demo(data_dir)
        try:
            if plan.language or args.language:
                kiosk.config = dataclasses.replace(
                    kiosk.config, language=args.language or plan.language
                )
                kiosk.services.config = kiosk.config
            driver = Driver(kiosk.make_app(), kiosk.hardware).start()
            try:
                saved = script.play(driver, plan, shots, clock=kiosk.services.clock)
            finally:
                driver.stop()
        finally:
            kiosk.close()
    print(tr("{count} screenshots in {folder}").format(count=len(saved), folder=shots.resolve()))
    return 0


def run_interactive(data_dir: Path, args: argparse.Namespace) -> int:
    """The touch app on a desktop window, virtual tags on the keyboard (kiosk.demo.keys)."""
    from kiosk.demo import keys
    from kiosk.wiring import open_demo

    return keys.run(partial(open_demo, data_dir), args.size, args.language)
