"""Shared fixtures: a real SQLite file per test, the default loan rules, a clock we control."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from kiosk import config, i18n
from kiosk.clock import FixedClock
from kiosk.demo import sample
from kiosk.desk import Desk
from kiosk.store.db import close_database, open_database

# A Wednesday: the default rules close on Mondays.
START = datetime(2026, 11, 25, 9, 30)


@pytest.fixture(autouse=True)
def english_messages():
    """Tests read English messages unless they switch language themselves."""
    i18n.set_language("en")
    yield
    i18n.set_language(i18n.DEFAULT_LANGUAGE)


@pytest.fixture
def kiosk_config(tmp_path: Path) -> config.Config:
    """The packaged defaults for commune 06001, data in the test's folder."""
    return config.load(
        None, overrides={"kiosk": {"commune": "06001", "data_dir": str(tmp_path / "data")}}
    )


@pytest.fixture
def rules(kiosk_config):
    return kiosk_config.loans


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def store(kiosk_config):
    """An empty, migrated database file."""
    database = open_database(kiosk_config.db_path)
    yield database
    close_database()


@pytest.fixture
def library(store, rules, clock):
    """The sample library (see kiosk.demo.sample) in a fresh database."""
    sample.create(clock, rules)
    return store


@pytest.fixture
def desk(library, rules, clock) -> Desk:
    return Desk(rules, clock)


@pytest.fixture
def rig():
    """A fresh emulated RFID reader and GPIO (kiosk.hardware.emulator), always uninstalled
    afterwards with sys.modules as it was; drivers must be imported inside the test."""
    import logging
    import sys

    from kiosk.hardware.emulator import install, uninstall

    before = {name: sys.modules.get(name) for name in ("spidev", "RPi", "RPi.GPIO")}
    installed = install()
    try:
        yield installed
    finally:
        uninstall()
        # mfrc522 adds a StreamHandler to its logger on every MFRC522(): drop them.
        logging.getLogger("mfrc522Logger").handlers.clear()
        after = {name: sys.modules.get(name) for name in before}
        assert after == before, "uninstall() must restore sys.modules"


@pytest.fixture
def broker(tmp_path: Path):
    """A real Mosquitto broker on a free port (anonymous access), stopped after the test."""
    from tests.support.broker import Broker

    folder = tmp_path / "broker"
    folder.mkdir()
    running = Broker(folder).start()
    yield running
    running.kill()


# The hub's database: its tests that touch the database run on SQLite (the default) and on
# PostgreSQL (at scale), the same test twice: `test_x[sqlite]`, `test_x[postgres]`.
HUB_BACKENDS = ("sqlite", "postgres")


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throw-away PostgreSQL cluster for the whole session (tests/support/postgres.py).
    PostgreSQL missing is a failure, not a skip: scripts/setup installs it."""
    from tests.support.postgres import PostgresCluster, PostgresMissing

    try:
        cluster = PostgresCluster()
    except PostgresMissing as missing:
        pytest.fail(str(missing), pytrace=False)
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=HUB_BACKENDS)
def hub_backend(request) -> str:
    """Which database the hub runs on in this test (pin one with
    `@pytest.mark.parametrize("hub_backend", ["sqlite"])`)."""
    return request.param


@pytest.fixture
def hub_database_url(request, hub_backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty hub database: a SQLite file in the test's folder, or the session's
    PostgreSQL test database, emptied."""
    if hub_backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'hub' / 'hub.db'}"
        return
    yield request.getfixturevalue("postgres_cluster").empty_database()
    from kiosk.hub.models import hub_db

    if hub_db.obj is not None and not hub_db.is_closed():
        hub_db.close()  # this thread's connection; the next test closes any other
