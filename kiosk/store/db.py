"""The kiosk's SQLite database: one deferred peewee database, opened with safe pragmas.

WAL lets the UI read while the single writer writes; `synchronous=FULL` makes every commit
durable across a power cut (a circulation transaction that said "ok" to a reader is on disk).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from peewee import OperationalError, SqliteDatabase

PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "full",
}

db = SqliteDatabase(None, pragmas=PRAGMAS)


def open_database(path: str | Path, migrate: bool = True) -> SqliteDatabase:
    """Bind the models to the database file at `path` and bring its schema up to date."""
    from kiosk.store import migrations  # late: migrations imports the models

    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    if not db.is_closed():
        db.close()
    db.init(str(path), pragmas=PRAGMAS)
    db.connect()
    if migrate:
        migrations.upgrade(db)
    return db


@contextmanager
def write_transaction() -> Iterator:
    """One IMMEDIATE write transaction (takes the write lock up front, so no deadlock later).

    When SQLite itself aborts a transaction (SQLITE_FULL on a full card, SQLITE_IOERR), it has
    already rolled back, and peewee's own ROLLBACK then fails with "no transaction is active",
    hiding the real error: re-raise the real one so the user hears "disk full".
    """
    try:
        with db.atomic("IMMEDIATE") as transaction:
            yield transaction
    except (OperationalError, sqlite3.OperationalError) as exc:
        real: BaseException | None = exc
        while real is not None and "no transaction is active" in str(real):
            real = real.__context__
        if real is None or real is exc:
            raise
        raise real from None


@contextmanager
def short_wait(milliseconds: int) -> Iterator[None]:
    """Wait at most `milliseconds` for the write lock instead of the usual 5 s: for writes the
    UI thread can retry later (a door count while a long import holds the lock) rather than
    freezing the screen."""
    db.execute_sql(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        db.execute_sql(f"PRAGMA busy_timeout = {PRAGMAS['busy_timeout']}")


@contextmanager
def relaxed_durability() -> Iterator[None]:
    """Writes whose loss in a power cut is harmless (an acknowledgement that will be asked
    for again) skip the fsync of `synchronous=FULL`; still atomic, still safe from a crash
    of the process (WAL)."""
    db.execute_sql("PRAGMA synchronous = NORMAL")
    try:
        yield
    finally:
        db.execute_sql("PRAGMA synchronous = FULL")


def close_database() -> None:
    """Close this thread's connection, if open."""
    if not db.is_closed():
        db.close()


def integrity_ok() -> bool:
    """True when SQLite's own integrity check finds nothing wrong."""
    return db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
