"""`kiosk ...`: the command line for staff, technicians and the demo.

Each sub-module adds its commands with `register(subparsers)`; a command is a function taking
the parsed arguments and returning an exit code. Errors a person can fix are printed as one
clear, translated message on stderr with a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from peewee import DatabaseError

from kiosk import __version__, i18n
from kiosk.catalog.csv_import import ImportRejected
from kiosk.config import ConfigError
from kiosk.hub.registry import RegistryError
from kiosk.i18n import _
from kiosk.readers import ReaderError
from kiosk.staff import StaffError

EXIT_USER_ERROR = 1
EXIT_CONFIG_ERROR = 2
EXIT_STORE_ERROR = 3


def build_parser() -> argparse.ArgumentParser:
    """The full `kiosk` argument parser."""
    from kiosk.cli import (
        admin,
        audio,
        backup,
        catalog,
        circulation,
        demo,
        doctor,
        hub,
        people,
        run,
        staffops,
        translations,
        uplink,
    )

    parser = argparse.ArgumentParser(
        prog="kiosk",
        description=_("Self-service library kiosk for commune reading rooms."),
    )
    parser.add_argument("--version", action="version", version=f"thuvien-kiosk {__version__}")
    parser.add_argument(
        "--config",
        metavar="FILE",
        help=_("configuration file (default: $KIOSK_CONFIG or /etc/kiosk/kiosk.toml)"),
    )
    subparsers = parser.add_subparsers(dest="command", metavar=_("COMMAND"), required=True)
    for module in (
        admin,
        catalog,
        people,
        staffops,
        circulation,
        uplink,
        hub,
        doctor,
        audio,
        demo,
        backup,
        translations,
        run,
    ):
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `kiosk` console script."""
    # Before the config is read, speak the language the environment asks for (default vi).
    i18n.set_language(os.environ.get("KIOSK_LANGUAGE", i18n.DEFAULT_LANGUAGE))
    args = build_parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIG_ERROR
    except (ReaderError, StaffError, ImportRejected, RegistryError) as exc:
        print(_("Error: {message}").format(message=exc), file=sys.stderr)
        return EXIT_USER_ERROR
    except DatabaseError as exc:
        # e.g. a full SD card: the transaction was rolled back, nothing half-written.
        print(
            _(
                "The database could not be used ({error}). Nothing was changed. Check the free "
                "space on the card."
            ).format(error=exc),
            file=sys.stderr,
        )
        return EXIT_STORE_ERROR
    except BrokenPipeError:  # `kiosk communes | head`: the reader of our output has gone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
