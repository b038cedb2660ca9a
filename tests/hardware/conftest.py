"""Fixtures for hardware tests: an installed emulator rig, always uninstalled afterwards."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

import pytest

from kiosk.hardware.emulator import Rig, install, uninstall


@pytest.fixture
def rig() -> Iterator[Rig]:
    """A fresh emulated reader and GPIO; drivers must be imported inside the test."""
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
def reader(rig: Rig):
    """The unmodified mfrc522.MFRC522 driver, constructed on the rig (BOARD mode)."""
    from mfrc522 import MFRC522

    return MFRC522()
