"""`kiosk hub ...`: the provincial hub — run it, and manage the kiosk registry."""

from __future__ import annotations

import argparse
import logging
import secrets
import signal
import threading

from kiosk import watchdog
from kiosk.cli.common import print_table
from kiosk.clock import SystemClock
from kiosk.hub import config as hub_config
from kiosk.hub import registry
from kiosk.hub.models import RegisteredKiosk, open_hub_database
from kiosk.i18n import _


def register(subparsers: argparse._SubParsersAction) -> None:
    hub = subparsers.add_parser("hub", help=_("the provincial hub: run it, register kiosks"))
    hub.add_argument(
        "--hub-config",
        metavar="FILE",
        help=_("hub configuration file (default: $KIOSK_HUB_CONFIG or /etc/kiosk/hub.toml)"),
    )
    commands = hub.add_subparsers(dest="hub_command", required=True, metavar=_("COMMAND"))
    run = commands.add_parser("run", help=_("receive the kiosks' counts and serve the dashboard"))
    run.add_argument("--no-web", action="store_true", help=_("do not serve the dashboard"))
    run.add_argument("--name", default="", help=_("this worker's name (several may run)"))
    run.set_defaults(func=run_command)
    init = commands.add_parser("init", help=_("create the hub database and its broker account"))
    init.set_defaults(func=init_command)
    kiosk = commands.add_parser("kiosk", help=_("register, list or remove kiosks"))
    kiosk_commands = kiosk.add_subparsers(dest="kiosk_command", required=True, metavar=_("COMMAND"))
    add = kiosk_commands.add_parser("add", help=_("register a kiosk and issue its credentials"))
    add.add_argument("kiosk_id", help=_("the kiosk's id, e.g. 06001-01"))
    add.add_argument("--commune", required=True, help=_("the commune code, e.g. 06001"))
    add.set_defaults(func=kiosk_add)
    kiosk_commands.add_parser("list", help=_("list registered kiosks")).set_defaults(
        func=kiosk_list
    )
    remove = kiosk_commands.add_parser("remove", help=_("unregister a kiosk"))
    remove.add_argument("kiosk_id", help=_("the kiosk's id"))
    remove.set_defaults(func=kiosk_remove)


def _open(args: argparse.Namespace) -> hub_config.HubConfig:
    config = hub_config.load(args.hub_config)
    open_hub_database(config.database_url)
    return config


def init_command(args: argparse.Namespace) -> int:
    """Create the database, write the ACL and the hub's broker account. A password already in
    the hub configuration (setup-broker.sh wrote one) is kept, so hub.toml stays right."""
    config = _open(args)
    registry.write_acl(config)
    print(_("Hub database ready: {url}").format(url=config.database_url))
    if config.password:
        registry.set_password(config, config.username, config.password)
        print(
            _(
                "Broker account '{user}' written to {file}, with the password of the hub "
                "configuration."
            ).format(user=config.username, file=config.password_file)
        )
        return 0
    password = secrets.token_urlsafe(18)
    registry.set_password(config, config.username, password)
    print(
        _("Broker account '{user}' written to {file}. Put this in the hub configuration:").format(
            user=config.username, file=config.password_file
        )
    )
    print(f'\n[broker]\nusername = "{config.username}"\npassword = "{password}"\n')
    return 0


def kiosk_add(args: argparse.Namespace) -> int:
    config = _open(args)
    credentials = registry.add(config, args.kiosk_id, args.commune, SystemClock().now())
    print(
        _(
            "Kiosk {id} registered. Its /etc/kiosk/kiosk.toml (keep the password secret; "
            "reload Mosquitto to apply):"
        ).format(id=credentials.kiosk_id)
    )
    print()
    print(credentials.kiosk_toml(config.broker_url))
    return 0


def kiosk_list(args: argparse.Namespace) -> int:
    _open(args)
    rows = [[_("Kiosk"), _("Commune"), _("Registered")]]
    for kiosk in RegisteredKiosk.select().order_by(RegisteredKiosk.kiosk_id):
        rows.append([kiosk.kiosk_id, kiosk.commune, str(kiosk.created_at)[:16]])
    print_table(rows)
    return 0


def kiosk_remove(args: argparse.Namespace) -> int:
    config = _open(args)
    registry.remove(config, args.kiosk_id)
    print(_("Kiosk {id} removed.").format(id=args.kiosk_id))
    return 0


def run_command(args: argparse.Namespace) -> int:
    from kiosk.hub.service import HubService

    # journald adds the time; the level and the module say what and where
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    config = _open(args)
    service = HubService(config, args.name)
    service.start()
    server = None
    if not args.no_web:
        from kiosk.hub import web

        server = web.make_server(config, ingest_alive=lambda: service.alive)
        threading.Thread(target=server.serve_forever, name="hub-web", daemon=True).start()
        print(
            _("Dashboard on http://{host}:{port}/").format(
                host=config.web_host, port=config.web_port
            ),
            flush=True,
        )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_args: stop.set())
    # systemd (Type=notify, WatchdogSec=) restarts the hub when the pings stop: they stop
    # when the ingest thread has died, though the dashboard would still answer
    watchdog.ready(_("receiving"))
    heartbeat = watchdog.Heartbeat(lambda: service.alive).start()
    stop.wait()
    watchdog.stopping()
    heartbeat.stop()
    if server:
        server.shutdown()
    service.stop()
    return 0
