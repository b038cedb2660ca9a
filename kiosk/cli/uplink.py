"""`kiosk uplink run|status`: the link to the provincial hub."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from typing import TYPE_CHECKING

from kiosk import watchdog
from kiosk.cli.common import open_store, print_table
from kiosk.i18n import _
from kiosk.store import outbox

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)
CHECK_EVERY_S = 5.0  # how often the worker is checked when systemd sets no watchdog


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
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_args: stop.set())
    uplink.start()
    watchdog.ready(uplink.describe())
    code = 0
    # Ping systemd's watchdog only while the worker thread lives: it owns the outbox, and
    # if it died nothing is being sent any more. Exiting then lets Restart= start afresh.
    while not stop.wait(watchdog.interval() or CHECK_EVERY_S):
        if not uplink.alive:
            log.error("the uplink worker has stopped; exiting so that systemd restarts us")
            code = 1
            break
        watchdog.ping(uplink.describe())
    watchdog.stopping()
    uplink.stop()
    return code


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
