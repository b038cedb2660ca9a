"""`kiosk backup run|list|restore`: backups of the kiosk database, also to a USB stick.

kiosk-backup.timer runs `kiosk backup run` every night. A USB stick is used only when it is
really mounted at the given folder: otherwise that folder is a plain directory on the SD card
(or on the RAM overlay of a read-only root), and a "backup" there would protect nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kiosk.cli.common import load_config, print_table
from kiosk.config import Config
from kiosk.i18n import _
from kiosk.store import backup

EXIT_FAILED = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("backup", help=_("back up or restore the kiosk database"))
    commands = parser.add_subparsers(dest="backup_command", required=True, metavar=_("COMMAND"))
    run = commands.add_parser("run", help=_("back up the database now"))
    _folder_options(run)
    run.add_argument(
        "--keep",
        type=int,
        default=backup.DEFAULT_KEEP,
        help=_("how many backups to keep in each folder (default: {n})").format(
            n=backup.DEFAULT_KEEP
        ),
    )
    run.set_defaults(func=run_command)
    listing = commands.add_parser("list", help=_("list the backups"))
    _folder_options(listing)
    listing.set_defaults(func=list_command)
    restore = commands.add_parser(
        "restore", help=_("replace the database by a backup (stop the kiosk first)")
    )
    restore.add_argument("backup", help=_("a backup file, or its number in `kiosk backup list`"))
    restore.add_argument("--dest", metavar=_("FOLDER"), help=_("the backup folder"))
    restore.add_argument("--yes", action="store_true", help=_("really replace the database"))
    restore.set_defaults(func=restore_command)


def _folder_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dest",
        metavar=_("FOLDER"),
        help=_("the backup folder (default: backups in the data folder)"),
    )
    parser.add_argument(
        "--usb",
        metavar=_("FOLDER"),
        help=_("also use the USB stick mounted here, if one is"),
    )


def _dest(args: argparse.Namespace, config: Config) -> Path:
    return Path(args.dest) if args.dest else config.data_dir / "backups"


def usb_mounted(folder: Path) -> bool:
    """Whether a file system is mounted at `folder` and answers (touching an automount point
    mounts the stick; with none plugged in that fails)."""
    if not os.path.ismount(folder):
        return False
    try:
        os.listdir(folder)
    except OSError:
        return False
    return True


def _fail(error: Exception) -> int:
    print(_("Error: {message}").format(message=error), file=sys.stderr)
    return EXIT_FAILED


def run_command(args: argparse.Namespace) -> int:
    config = load_config(args)
    try:
        made = backup.take(config.db_path, _dest(args, config), args.keep)
    except backup.BackupError as exc:
        return _fail(exc)
    print(_("Backup {number} written: {file}").format(number=made.number, file=made.path))
    if not args.usb:
        return 0
    usb = Path(args.usb)
    if not usb_mounted(usb):
        print(
            _("No USB stick at {folder}: only the backup on the card was made.").format(folder=usb)
        )
        return 0
    try:
        copied = backup.copy_to(made, usb, args.keep)
    except backup.BackupError as exc:
        return _fail(exc)
    print(_("Backup {number} written: {file}").format(number=copied.number, file=copied.path))
    return 0


def list_command(args: argparse.Namespace) -> int:
    config = load_config(args)
    folders = [_dest(args, config)]
    if args.usb and usb_mounted(Path(args.usb)):
        folders.append(Path(args.usb))
    rows = [[_("No."), _("Taken"), _("Size (KiB)"), _("File")]]
    for folder in folders:
        for found in backup.list_backups(folder):
            rows.append(
                [str(found.number), found.taken, str(round(found.size / 1024)), str(found.path)]
            )
    if len(rows) == 1:
        print(_("No backups in {folder}.").format(folder=", ".join(map(str, folders))))
        return 0
    print_table(rows)
    return 0


def _find(args: argparse.Namespace, config: Config) -> Path:
    """The backup the technician named: a path, or a number in the backup folder."""
    if args.backup.isdigit():
        wanted = int(args.backup)
        for found in backup.list_backups(_dest(args, config)):
            if found.number == wanted:
                return found.path
        raise backup.BackupError(_("no backup number {number}").format(number=wanted))
    return Path(args.backup)


def restore_command(args: argparse.Namespace) -> int:
    config = load_config(args)
    try:
        source = _find(args, config)
        backup.check(source)
        if not args.yes:
            print(
                _(
                    "This replaces the database {db} by {file}. Stop the kiosk first "
                    "(sudo systemctl stop kiosk), then run again with --yes."
                ).format(db=config.db_path, file=source)
            )
            return EXIT_FAILED
        safety = backup.restore(source, config.db_path, _dest(args, config))
    except backup.BackupError as exc:
        return _fail(exc)
    if safety:
        print(_("The database as it was is kept in {file}.").format(file=safety.path))
    print(_("Database restored from {file}.").format(file=source))
    return 0
