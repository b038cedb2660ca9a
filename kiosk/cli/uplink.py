"""`kiosk uplink run|status`: the link to the provincial hub."""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from kiosk.cli.common import open_store, print_table
from kiosk.i18n import _
from kiosk.telemetry import outbox


def register(subparsers: argparse._SubParsersAction) -> None:
    uplink = subparsers.add_parser("uplink", help=_("send the counts to the provincial hub"))
    commands = uplink.add_subparsers(dest="uplink_command", required=True, metavar=_("COMMAND"))
    commands.add_parser("run", help=_("send the outbox until stopped")).set_defaults(
        func=run_command
    )
    commands.add_parser("status", help=_("what is waiting to be sent")).set_defaults(
        func=status_command
    )


def run_command(args: argparse.Namespace) -> int:
    from kiosk.telemetry.uplink import Uplink

    config = open_store(args)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    uplink = Uplink(config)
    uplink.start()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_args: stop.set())
    stop.wait()
    uplink.stop()
    return 0


def status_command(args: argparse.Namespace) -> int:
    config = open_store(args)
    print_table(
        [
            [_("Broker"), config.uplink.broker_url],
            [_("Intervals waiting"), str(outbox.depth())],
            [_("Intervals dropped (outbox full)"), str(outbox.dropped())],
        ]
    )
    return 0
