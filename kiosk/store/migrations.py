"""Schema versions and the steps between them, run at start-up.

The version lives in `PRAGMA user_version`. Each step runs in its own transaction, so a power
cut during an upgrade leaves the file at the previous version, and the next start retries.
Never edit a released step: add a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from peewee import SqliteDatabase

from kiosk import text

V1_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE title (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    author TEXT NOT NULL DEFAULT '',
    publisher TEXT NOT NULL DEFAULT '',
    year INTEGER,
    isbn TEXT,
    language TEXT NOT NULL DEFAULT 'vi',
    subjects TEXT NOT NULL DEFAULT '',
    local_document INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX title_isbn ON title (isbn);
CREATE TABLE rotation_batch (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    source_library TEXT NOT NULL,
    received_at TEXT,
    due_back TEXT NOT NULL,
    sent_back_at TEXT
);
CREATE TABLE copy (
    id INTEGER PRIMARY KEY,
    title_id INTEGER NOT NULL REFERENCES title (id) ON DELETE CASCADE,
    accession TEXT NOT NULL UNIQUE,
    barcode TEXT UNIQUE,
    shelf TEXT NOT NULL DEFAULT '',
    batch_id INTEGER REFERENCES rotation_batch (id),
    loanable INTEGER NOT NULL DEFAULT 1,
    status TEXT NOT NULL DEFAULT 'available' CHECK (status IN
        ('available', 'on_loan', 'missing', 'lost', 'withdrawn', 'sent_back')),
    created_at TEXT NOT NULL
);
CREATE INDEX copy_title ON copy (title_id);
CREATE INDEX copy_batch ON copy (batch_id);
CREATE TABLE copy_tag (
    uid TEXT PRIMARY KEY,
    copy_id INTEGER NOT NULL REFERENCES copy (id) ON DELETE CASCADE
);
CREATE INDEX copy_tag_copy ON copy_tag (copy_id);
CREATE TABLE reader (
    id INTEGER PRIMARY KEY,
    card_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    reader_group TEXT NOT NULL,
    consent_at TEXT,
    consent_version TEXT,
    expires TEXT,
    blocked INTEGER NOT NULL DEFAULT 0,
    blocked_reason TEXT NOT NULL DEFAULT '',
    last_visit TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE loan (
    id INTEGER PRIMARY KEY,
    copy_id INTEGER NOT NULL REFERENCES copy (id),
    reader_id INTEGER REFERENCES reader (id) ON DELETE SET NULL,
    reader_group TEXT NOT NULL,
    out_at TEXT NOT NULL,
    due TEXT NOT NULL,
    returned_at TEXT,
    renewals INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX loan_open_copy ON loan (copy_id) WHERE returned_at IS NULL;
CREATE INDEX loan_reader ON loan (reader_id) WHERE reader_id IS NOT NULL;
CREATE INDEX loan_due ON loan (due) WHERE returned_at IS NULL;
CREATE INDEX loan_returned ON loan (returned_at) WHERE reader_id IS NOT NULL;
CREATE TABLE visit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('door', 'card')),
    reader_group TEXT
);
CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    card_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    pin_hash TEXT NOT NULL,
    failed_pins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE counter_bucket (
    interval_start TEXT NOT NULL,
    metric TEXT NOT NULL,
    reader_group TEXT NOT NULL DEFAULT '',
    count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (interval_start, metric, reader_group)
) WITHOUT ROWID;
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    monotonic REAL NOT NULL,
    clock_synced INTEGER NOT NULL
);
"""

# v2: a search index over folded title and author keys (case, marks, đ and tone placement
# ignored), and an exact key (marks kept, tone placement unified) to rank exact matches first.
V2_SCHEMA = """
ALTER TABLE title ADD COLUMN title_key TEXT NOT NULL DEFAULT '';
ALTER TABLE title ADD COLUMN author_key TEXT NOT NULL DEFAULT '';
ALTER TABLE title ADD COLUMN exact_key TEXT NOT NULL DEFAULT '';
CREATE VIRTUAL TABLE title_fts USING fts5 (
    title_key, author_key, content='title', content_rowid='id',
    tokenize="unicode61 remove_diacritics 2 tokenchars '0123456789'"
);
CREATE TRIGGER title_fts_insert AFTER INSERT ON title BEGIN
    INSERT INTO title_fts (rowid, title_key, author_key)
    VALUES (new.id, new.title_key, new.author_key);
END;
CREATE TRIGGER title_fts_delete AFTER DELETE ON title BEGIN
    INSERT INTO title_fts (title_fts, rowid, title_key, author_key)
    VALUES ('delete', old.id, old.title_key, old.author_key);
END;
"""

V2_UPDATE_TRIGGER = """
CREATE TRIGGER title_fts_update AFTER UPDATE OF title_key, author_key ON title BEGIN
    INSERT INTO title_fts (title_fts, rowid, title_key, author_key)
    VALUES ('delete', old.id, old.title_key, old.author_key);
    INSERT INTO title_fts (rowid, title_key, author_key)
    VALUES (new.id, new.title_key, new.author_key);
END;
"""


# v3: the outbox holds one row per counting interval to send; the row's payload is frozen
# (state 'inflight') when it is first published, so a resend after a crash is byte-identical.
V3_SCHEMA = """
ALTER TABLE outbox ADD COLUMN interval_start TEXT;
ALTER TABLE outbox ADD COLUMN boot_id TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN state TEXT NOT NULL DEFAULT 'pending';
CREATE INDEX outbox_pending ON outbox (interval_start) WHERE state = 'pending';
CREATE INDEX outbox_unsent ON outbox (seq) WHERE state != 'sent';
"""


# v4: inventory sessions kept in the database, so an interrupted check of the shelves resumes
# (a power cut, the staff member called away); the result is frozen when the session finishes,
# because finishing changes copy statuses that the result is computed from.
V4_SCHEMA = """
CREATE TABLE inventory_session (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    current_shelf TEXT NOT NULL DEFAULT ''
);
CREATE TABLE inventory_scan (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES inventory_session (id) ON DELETE CASCADE,
    item_key TEXT NOT NULL,
    item TEXT NOT NULL,
    copy_id INTEGER REFERENCES copy (id) ON DELETE SET NULL,
    shelf TEXT NOT NULL DEFAULT '',
    seen_at TEXT NOT NULL,
    UNIQUE (session_id, item_key)
);
CREATE TABLE inventory_result (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES inventory_session (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    item TEXT NOT NULL,
    copy_id INTEGER REFERENCES copy (id) ON DELETE SET NULL,
    title TEXT NOT NULL DEFAULT '',
    shelf TEXT NOT NULL DEFAULT '',
    seen_shelf TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX inventory_result_session ON inventory_result (session_id, kind);
"""


def _script(database: SqliteDatabase, sql: str) -> None:
    """Run a multi-statement script inside the current transaction.

    (sqlite3's executescript() would COMMIT first, breaking the one-transaction-per-step rule.)
    """
    statement = ""
    for line in sql.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            database.execute_sql(statement)
            statement = ""


def _v1(database: SqliteDatabase) -> None:
    _script(database, V1_SCHEMA)


def _v2(database: SqliteDatabase) -> None:
    _script(database, V2_SCHEMA)
    rows = database.execute_sql("SELECT id, title, author FROM title").fetchall()
    for row_id, title, author in rows:
        # The keys as version 2 defined them, spelled out here rather than taken from the
        # catalogue's code: a released step must not change when the domain code does.
        keys = (
            text.search_key(title),
            text.search_key(author),
            text.exact_key(f"{title} {author}"),
        )
        database.execute_sql(
            "UPDATE title SET title_key = ?, author_key = ?, exact_key = ? WHERE id = ?",
            (*keys, row_id),
        )
    # Build the index once, then keep it in step with later edits.
    database.execute_sql("INSERT INTO title_fts (title_fts) VALUES ('rebuild')")
    _script(database, V2_UPDATE_TRIGGER)


def _v3(database: SqliteDatabase) -> None:
    _script(database, V3_SCHEMA)


def _v4(database: SqliteDatabase) -> None:
    _script(database, V4_SCHEMA)


STEPS: list[Callable[[SqliteDatabase], None]] = [_v1, _v2, _v3, _v4]
LATEST = len(STEPS)


def version(database: SqliteDatabase) -> int:
    """The schema version of the open database (0 for a new file)."""
    return database.execute_sql("PRAGMA user_version").fetchone()[0]


def upgrade(database: SqliteDatabase, target: int = LATEST) -> int:
    """Apply every step from the file's version up to `target`; return the new version."""
    current = version(database)
    if current > LATEST:
        raise RuntimeError(f"database schema v{current} is newer than this software (v{LATEST})")
    while current < target:
        with database.atomic("IMMEDIATE"):
            STEPS[current](database)
            current += 1
            database.execute_sql(f"PRAGMA user_version = {current}")
    return current
