"""Shared fixtures: a real SQLite file per test, the default loan rules, a clock we control."""

from __future__ import annotations

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
