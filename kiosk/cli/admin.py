"""`kiosk init|communes|config|report`: setting up a kiosk and its figures."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from kiosk import communes
from kiosk import config as config_mod
from kiosk.cli.common import load_config, open_store, print_table
from kiosk.clock import SystemClock
from kiosk.demo import sample
from kiosk.i18n import _
from kiosk.reports import figures, page
from kiosk.store import migrations
from kiosk.store.db import db
from kiosk.store.models import Title


def register(subparsers: argparse._SubParsersAction) -> None:
    init = subparsers.add_parser("init", help=_("create or upgrade the kiosk's database"))
    init.add_argument(
        "--sample", action="store_true", help=_("fill an empty catalogue with the sample library")
    )
    init.set_defaults(func=init_command)
    subparsers.add_parser("communes", help=_("list the province's commune codes")).set_defaults(
        func=communes_command
    )
    config = subparsers.add_parser("config", help=_("show or check the configuration"))
    config_commands = config.add_subparsers(
        dest="config_command", required=True, metavar=_("COMMAND")
    )
    config_commands.add_parser(
        "show", help=_("print the settings in force (secrets masked)")
    ).set_defaults(func=config_show)
    config_commands.add_parser(
        "check", help=_("report every problem in the configuration")
    ).set_defaults(func=config_check)
    report = subparsers.add_parser("report", help=_("monthly or annual figures"))
    period = report.add_subparsers(dest="period", required=True, metavar=_("PERIOD"))
    month = period.add_parser("month", help=_("one month (default: this month)"))
    month.add_argument("month", nargs="?", help="YYYY-MM")
    year = period.add_parser("year", help=_("one year (default: this year)"))
    year.add_argument("year", nargs="?", type=int, help="YYYY")
    for sub in (month, year):
        sub.add_argument("--csv", action="store_true", help=_("print CSV for a spreadsheet"))
        sub.add_argument(
            "--html",
            type=Path,
            metavar=_("FILE"),
            help=_("also write the printable A4 page (HTML, in Vietnamese) to FILE"),
        )
        sub.set_defaults(func=report_command)


def init_command(args: argparse.Namespace) -> int:
    config = open_store(args)
    print(
        _("Database {path} is at schema version {version}.").format(
            path=config.db_path, version=migrations.version(db)
        )
    )
    if args.sample:
        if Title.select().exists():
            print(_("The catalogue is not empty: sample library not added."), file=sys.stderr)
            return 1
        sample.create(SystemClock(), config.loans)
        print(_("Sample library added: {titles} titles.").format(titles=Title.select().count()))
    return 0


def communes_command(args: argparse.Namespace) -> int:
    rows = [[c.code, c.name] for c in communes.all_communes().values()]
    print_table([[_("Code"), _("Commune")], *rows])
    return 0


def config_show(args: argparse.Namespace) -> int:
    config = load_config(args)
    print(json.dumps(config_mod.masked(config), ensure_ascii=False, indent=2, default=str))
    return 0


def config_check(args: argparse.Namespace) -> int:
    config = load_config(args)
    print(_("Configuration OK ({source}).").format(source=config.source))
    return 0


def report_command(args: argparse.Namespace) -> int:
    config = open_store(args)
    today = SystemClock().now().date()
    try:
        if args.period == "month":
            when = date.fromisoformat(f"{args.month}-01") if args.month else today
            period = figures.Period(when.year, when.month)
        else:
            period = figures.Period(today.year if args.year is None else args.year)
    except ValueError:
        if args.period == "month":
            message = _("'{value}' is not a month: use YYYY-MM").format(value=args.month)
        else:
            message = _("'{value}' is not a year: use YYYY").format(value=args.year)
        print(message, file=sys.stderr)
        return 1
    report = figures.build(period, config.loans.groups)
    print(
        figures.to_csv(report) if args.csv else figures.to_text(report),
        end="" if args.csv else "\n",
    )
    if args.html:
        unit = page.unit_from_config(config)
        page.write(args.html, report, unit, today, config.data_dir / "locale")
        print(_("Printable page written to {file}.").format(file=args.html), file=sys.stderr)
    return 0
