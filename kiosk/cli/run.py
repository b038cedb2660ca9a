"""`kiosk run`: the touch kiosk on the configured store and hardware (fullscreen on the Pi)."""

from __future__ import annotations

import argparse

from kiosk import config as config_mod
from kiosk.screens.wording import tr


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser("run", help=tr("start the touch kiosk"))
    run.add_argument("--window", action="store_true", help=tr("a window instead of fullscreen"))
    run.add_argument("--size", default="800x480", help=tr("window size with --window"))
    run.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    config = config_mod.load(args.config)
    from kiosk.demo import script
    from kiosk.screens import boot

    boot.configure(
        script.parse_size(args.size), fullscreen=not args.window, touchscreen=not args.window
    )
    from kiosk.wiring import open_kiosk

    kiosk = open_kiosk(config)
    uplink = None
    if config.uplink.enabled:  # the counts go to the province from the kiosk process itself
        from kiosk.telemetry.uplink import Uplink

        uplink = Uplink(config)
        uplink.start()
    try:
        kiosk.make_app(uplink=uplink).run()
    finally:
        if uplink is not None:
            uplink.stop()
        kiosk.close()
    return 0
