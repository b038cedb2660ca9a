"""Backups of the kiosk database: SQLite's online backup, numbered, rotated, verified.

- The copy is taken with SQLite's backup API in one step: a consistent snapshot even while
  the kiosk is lending books (WAL: the kiosk's writer is not blocked), never a `cp` of a file
  whose last transactions still sit in the -wal file.
- A copy is written under a temporary name, checked (`PRAGMA integrity_check`), switched to
  a single-file journal mode, fsynced, then renamed: a power cut leaves either the previous
  set of backups or the new one, never a half-written file under a backup's name.
- Backups are numbered (`kiosk-000042-20261125T023000.db`) and rotation keeps the highest
  numbers. The Pi has no clock battery: sorting by date would delete the newest backup the
  day the clock comes up in 1970 or in last year.
- Restore also goes through the backup API, into the live file, so the -wal and -shm files
  stay consistent with it (copying a file over kiosk.db with a stale -wal beside it corrupts
  it). The current database is backed up first.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk.clock import SystemClock
from kiosk.i18n import _

log = logging.getLogger(__name__)

PATTERN = re.compile(r"kiosk-(\d{6})-(\d{8}T\d{6})\.db")
DEFAULT_KEEP = 14


class BackupError(Exception):
    """A backup or restore that could not be done, with a translated reason."""


@dataclass(frozen=True)
class Backup:
    """One backup file."""

    path: Path
    number: int
    taken: str  # the wall time in the name, as the kiosk's clock had it (may be wrong)

    @property
    def size(self) -> int:
        """Its size in bytes."""
        return self.path.stat().st_size


def list_backups(folder: Path) -> list[Backup]:
    """The backups in `folder`, oldest (lowest number) first."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = PATTERN.fullmatch(path.name)
        if match and path.is_file():
            found.append(Backup(path, int(match.group(1)), match.group(2)))
    return sorted(found, key=lambda b: b.number)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _connect_readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def check(path: Path) -> None:
    """Raise BackupError unless `path` is an SQLite database that passes integrity_check."""
    if not path.is_file():
        raise BackupError(_("no database at {file}").format(file=path))
    try:
        conn = _connect_readonly(path)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        result = str(exc)
    if result != "ok":
        raise BackupError(_("{file} is damaged: {error}").format(file=path, error=result))


def _copy(source: Path, target: Path) -> None:
    """A consistent single-file copy of the database `source` at `target` (replaced)."""
    target.unlink(missing_ok=True)
    src = _connect_readonly(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # pages=-1: the whole database in one step, one snapshot
        # A backup is one self-contained file: no -wal beside it to forget when copying.
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


def take(
    db_path: Path, folder: Path, keep: int = DEFAULT_KEEP, now: datetime | None = None
) -> Backup:
    """Back up `db_path` into `folder`, then delete all but the `keep` newest backups."""
    if keep < 1:
        raise BackupError(_("keep at least one backup"))
    if not db_path.is_file():
        raise BackupError(_("no database at {file}").format(file=db_path))
    folder.mkdir(parents=True, exist_ok=True)
    existing = list_backups(folder)
    number = existing[-1].number + 1 if existing else 1
    stamp = (now or SystemClock().now()).strftime("%Y%m%dT%H%M%S")
    final = folder / f"kiosk-{number:06d}-{stamp}.db"
    partial = folder / (final.name + ".partial")
    try:
        _copy(db_path, partial)
        check(partial)
        _fsync_file(partial)
        partial.replace(final)
        _fsync_dir(folder)
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(
            _("the backup to {folder} failed: {error}").format(folder=folder, error=exc)
        ) from exc
    finally:
        partial.unlink(missing_ok=True)
    rotate(folder, keep)
    return Backup(final, number, stamp)


def rotate(folder: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` highest-numbered backups (and stale partial files)."""
    removed = []
    for stale in folder.glob("kiosk-*.db.partial"):
        stale.unlink(missing_ok=True)
    for old in list_backups(folder)[:-keep]:
        old.path.unlink()
        removed.append(old.path)
    if removed:
        _fsync_dir(folder)
    return removed


def copy_to(backup: Backup, folder: Path, keep: int = DEFAULT_KEEP) -> Backup:
    """Copy a backup into another folder (a USB stick), numbered there, rotated there."""
    return take(backup.path, folder, keep, datetime.strptime(backup.taken, "%Y%m%dT%H%M%S"))


def restore(backup_path: Path, db_path: Path, safety_folder: Path) -> Backup | None:
    """Replace the contents of `db_path` by the backup's, after checking the backup and
    saving the current database into `safety_folder`. Returns that safety backup (None if
    there was no current database)."""
    check(backup_path)
    safety = None
    if db_path.is_file():
        safety = take(db_path, safety_folder, keep=max(DEFAULT_KEEP, _count(safety_folder) + 1))
    db_path.parent.mkdir(parents=True, exist_ok=True)
    src = _connect_readonly(backup_path)
    dst = sqlite3.connect(db_path, timeout=30)
    try:
        src.backup(dst)  # under SQLite's locks: safe even if another process has it open
        dst.execute("PRAGMA journal_mode=WAL")
        dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error as exc:
        raise BackupError(
            _("the restore into {file} failed: {error}").format(file=db_path, error=exc)
        ) from exc
    finally:
        dst.close()
        src.close()
    return safety


def _count(folder: Path) -> int:
    return len(list_backups(folder))
