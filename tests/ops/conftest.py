"""Fixtures for the staff-operation tests: the emulated RFID rig (as in tests/hardware)."""

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
        logging.getLogger("mfrc522Logger").handlers.clear()
        after = {name: sys.modules.get(name) for name in before}
        assert after == before, "uninstall() must restore sys.modules"


@pytest.fixture
def tag_reader(rig: Rig):
    """Our adapter on the unmodified mfrc522 driver, on the rig."""
    import RPi.GPIO as GPIO

    from kiosk.hardware.rfid import Mfrc522TagReader

    if GPIO.getmode() is None:
        GPIO.setmode(GPIO.BCM)
    return Mfrc522TagReader(rst_pin=rig.rst_pin, clock=lambda: 0.0)
