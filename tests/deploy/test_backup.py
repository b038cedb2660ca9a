"""Backups of a real kiosk database: taken while it is open, rotated by number, restored."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from kiosk import cli, config
from kiosk.store import backup
from kiosk.store.db import close_database, db, open_database


def titles(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM copy").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture(autouse=True)
def english_cli(monkeypatch):
    """The CLI speaks the environment's language (Vietnamese by default): these tests read
    the English source messages."""
    monkeypatch.setenv("KIOSK_LANGUAGE", "en")


@pytest.fixture
def site(tmp_path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[kiosk]\ncommune = "06001"\ndata_dir = "{tmp_path / "data"}"\n')
    return path


def test_backup_of_an_open_database_with_uncheckpointed_wal(library, kiosk_config, tmp_path):
    # the sample library is committed, much of it still in the -wal file
    wal = Path(str(kiosk_config.db_path) + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    copies = db.execute_sql("SELECT count(*) FROM copy").fetchone()[0]
    assert copies > 0
    made = backup.take(kiosk_config.db_path, tmp_path / "backups", keep=3)
    assert made.path.name.startswith("kiosk-000001-")
    assert titles(made.path) == copies
    # one self-contained file: nothing beside it
    assert sorted(p.name for p in made.path.parent.iterdir()) == [made.path.name]
    conn = sqlite3.connect(made.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


def test_rotation_keeps_the_newest_by_number_even_if_the_clock_went_back(
    tmp_path, store, kiosk_config
):
    folder = tmp_path / "backups"
    stamps = [datetime(2026, 11, d, 2, 30) for d in (20, 21, 22)]
    stamps += [datetime(1970, 1, 1, 0, 5), datetime(2026, 11, 23, 2, 30)]  # no RTC: 1970
    for stamp in stamps:
        backup.take(kiosk_config.db_path, folder, keep=3, now=stamp)
    kept = backup.list_backups(folder)
    assert [b.number for b in kept] == [3, 4, 5]
    assert kept[1].taken == "19700101T000500"  # the 1970 one is the 4th, and kept
    (folder / "kiosk-000006-x.db.partial").write_text("half")
    (folder / "notes.txt").write_text("not ours")
    backup.take(kiosk_config.db_path, folder, keep=2)
    assert sorted(p.name for p in folder.iterdir())[-1] == "notes.txt"
    assert [b.number for b in backup.list_backups(folder)] == [5, 6]
    assert not list(folder.glob("*.partial"))


def test_restore_round_trip_into_the_live_file(library, kiosk_config, tmp_path):
    folder = tmp_path / "backups"
    before = db.execute_sql("SELECT count(*) FROM copy").fetchone()[0]
    saved = backup.take(kiosk_config.db_path, folder)
    db.execute_sql("DELETE FROM copy WHERE id IN (SELECT id FROM copy LIMIT 2)")
    assert db.execute_sql("SELECT count(*) FROM copy").fetchone()[0] == before - 2
    close_database()
    safety = backup.restore(saved.path, kiosk_config.db_path, folder)
    assert safety is not None and titles(safety.path) == before - 2  # what was there, kept
    open_database(kiosk_config.db_path)
    assert db.execute_sql("SELECT count(*) FROM copy").fetchone()[0] == before
    assert db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_restore_refuses_a_damaged_backup(store, kiosk_config, tmp_path):
    bad = tmp_path / "kiosk-000001-20261125T023000.db"
    bad.write_bytes(b"SQLite format 3\0" + os.urandom(4096))
    with pytest.raises(backup.BackupError, match="damaged"):
        backup.restore(bad, kiosk_config.db_path, tmp_path / "backups")
    assert not (tmp_path / "backups").exists()  # refused before touching anything


def test_cli_run_list_restore(site, tmp_path, capsys, monkeypatch):
    loaded = config.load(site)
    open_database(loaded.db_path)
    db.execute_sql("CREATE TABLE note (text TEXT)")
    db.execute_sql("INSERT INTO note VALUES ('trước')")
    close_database()
    usb = tmp_path / "usb"
    usb.mkdir()
    # not a mount point: the "USB stick" is a plain folder on the card, and is not used
    assert cli.main(["--config", str(site), "backup", "run", "--usb", str(usb)]) == 0
    assert "No USB stick" in capsys.readouterr().out
    assert list(usb.iterdir()) == []
    # mounted: copied there too, with its own numbering and rotation
    monkeypatch.setattr(os.path, "ismount", lambda p: Path(p) == usb)
    for _ in range(3):
        assert (
            cli.main(["--config", str(site), "backup", "run", "--usb", str(usb), "--keep", "2"])
            == 0
        )
    assert [b.number for b in backup.list_backups(usb)] == [2, 3]
    assert [b.number for b in backup.list_backups(loaded.data_dir / "backups")] == [3, 4]
    capsys.readouterr()
    assert cli.main(["--config", str(site), "backup", "list", "--usb", str(usb)]) == 0
    listing = capsys.readouterr().out
    assert "kiosk-000004-" in listing and str(usb / "kiosk-000003-") in listing

    open_database(loaded.db_path)
    db.execute_sql("UPDATE note SET text = 'sau'")
    close_database()
    # without --yes: says what it would do, changes nothing
    assert cli.main(["--config", str(site), "backup", "restore", "4"]) == 1
    assert "--yes" in capsys.readouterr().out
    assert cli.main(["--config", str(site), "backup", "restore", "4", "--yes"]) == 0
    assert "restored" in capsys.readouterr().out
    conn = sqlite3.connect(loaded.db_path)
    assert conn.execute("SELECT text FROM note").fetchone()[0] == "trước"
    conn.close()
    assert cli.main(["--config", str(site), "backup", "restore", "99", "--yes"]) == 1
    assert "no backup number 99" in capsys.readouterr().err


def test_cli_backup_without_a_database(site, capsys):
    assert cli.main(["--config", str(site), "backup", "run"]) == 1
    assert "no database at" in capsys.readouterr().err
