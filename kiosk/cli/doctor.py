"""`kiosk doctor`: check that this Raspberry Pi is ready for the kiosk, and say how to fix it.

Prints one line per check (ok / warning / problem) with the fix under each finding; the exit
status is 1 when something is a problem, 0 otherwise (warnings included).
"""

from __future__ import annotations

import argparse

from kiosk.cli.common import load_config
from kiosk.config import ConfigError
from kiosk.hardware import doctor
from kiosk.i18n import _

EXIT_PROBLEM = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "doctor", help=_("check the reader, SPI, GPIO, camera and clock on this device")
    )
    parser.set_defaults(func=doctor_command)


def _system(args: argparse.Namespace) -> doctor.System:
    """The real machine, on the configured SPI bus; a bad configuration is one more finding."""
    try:
        hw = load_config(args).hardware
    except ConfigError as exc:
        finding = doctor.CheckResult(_("Configuration"), doctor.Status.PROBLEM, str(exc))
        return doctor.System(extra=[finding])
    return doctor.System(spi_bus=hw.spi_bus, spi_device=hw.spi_device)


def _label(status: doctor.Status) -> str:
    return {
        doctor.Status.OK: _("ok"),
        doctor.Status.WARNING: _("warning"),
        doctor.Status.PROBLEM: _("problem"),
    }[status]


def print_report(results: list[doctor.CheckResult]) -> None:
    """One line per check, the fix indented under it."""
    width = max(len(_label(s)) for s in doctor.Status)
    for result in results:
        print(f"[{_label(result.status).ljust(width)}] {result.name}: {result.message}")
        if result.fix and result.status is not doctor.Status.OK:
            print(" " * (width + 3) + _("Fix: {fix}").format(fix=result.fix))


def doctor_command(args: argparse.Namespace) -> int:
    results = doctor.run_checks(_system(args))
    print_report(results)
    return EXIT_PROBLEM if doctor.failed(results) else 0
