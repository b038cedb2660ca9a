"""`kiosk run`: the touch kiosk on the configured store and hardware (fullscreen on the Pi)."""

from __future__ import annotations

import argparse

from kiosk import config as config_mod
from kiosk.ui.text import tr


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser("run", help=tr("start the touch kiosk"))
    run.add_argument("--window", action="store_true", help=tr("a window instead of fullscreen"))
    run.add_argument("--size", default="800x480", help=tr("window size with --window"))
    run.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    config = config_mod.load(args.config)
    from kiosk.ui import boot, script

    boot.configure(
        script.parse_size(args.size), fullscreen=not args.window, touchscreen=not args.window
    )
    from kiosk.ui.wiring import open_kiosk

    kiosk = open_kiosk(config)
    try:
        kiosk.make_app().run()
    finally:
        kiosk.close()
    return 0
