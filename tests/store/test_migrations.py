"""Schema versions: a new file gets the latest; an older file upgrades in place, data kept."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from kiosk.desk import Desk
from kiosk.store import migrations, search
from kiosk.store.db import close_database, db, integrity_ok, open_database
from kiosk.store.models import Loan, Title

V1_DUMP = Path(__file__).parent / "fixtures" / "schema_v1.sql"


@pytest.fixture
def v1_file(tmp_path: Path) -> Path:
    """A database file made by schema v1 (from its SQL dump), with titles, a reader, a loan."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(V1_DUMP.read_text(encoding="utf-8"))
    conn.close()
    return path


def test_new_file_is_at_latest_version(tmp_path):
    open_database(tmp_path / "new.db")
    try:
        assert migrations.version(db) == migrations.LATEST >= 3
        assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 5000
    finally:
        close_database()


def test_v1_file_upgrades_in_place_and_keeps_its_data(v1_file, rules, clock):
    conn = sqlite3.connect(v1_file)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()
    open_database(v1_file)
    try:
        assert migrations.version(db) == migrations.LATEST
        assert integrity_ok()
        assert Title.select().count() == 3
        assert Loan.get().due == date(2025, 9, 22)
        # the upgrade filled the search keys and the index for the old titles
        assert [h.title for h in search.search("duong kach")] == ["Đường Kách Mệnh"]
        assert [h.title for h in search.search("hoà bình")] == ["Hòa Bình và những câu chuyện"]
        assert search.search("hoà bình")[0].exact
        # and the old loan can be returned by its tag with the new code
        result = Desk(rules, clock).return_item("04a1b2c3d4e580")
        assert result.ok and result.title == "Đường Kách Mệnh"
    finally:
        close_database()


def test_upgrade_is_idempotent(v1_file):
    open_database(v1_file)
    close_database()
    open_database(v1_file)
    try:
        assert migrations.upgrade(db) == migrations.LATEST
        assert Title.select().count() == 3
    finally:
        close_database()


def test_failed_step_leaves_previous_version(v1_file, monkeypatch):
    """A crash inside a step rolls the whole step back: the next start retries it."""

    def broken(database):
        database.execute_sql("ALTER TABLE title ADD COLUMN title_key TEXT")
        raise RuntimeError("power cut")

    monkeypatch.setattr(migrations, "STEPS", [migrations.STEPS[0], broken])
    with pytest.raises(RuntimeError):
        open_database(v1_file)
    assert migrations.version(db) == 1
    columns = [row[1] for row in db.execute_sql("PRAGMA table_info(title)").fetchall()]
    assert "title_key" not in columns
    close_database()


def test_newer_file_is_refused(tmp_path):
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(RuntimeError, match="newer"):
        open_database(path)
    close_database()
