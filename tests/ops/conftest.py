"""Fixtures for the staff-operation tests: the emulated RFID rig (as in tests/hardware)."""

from __future__ import annotations

import pytest

from kiosk.hardware.emulator import Rig


@pytest.fixture
def tag_reader(rig: Rig):
    """Our adapter on the unmodified mfrc522 driver, on the rig."""
    import RPi.GPIO as GPIO

    from kiosk.hardware.rfid import Mfrc522TagReader

    if GPIO.getmode() is None:
        GPIO.setmode(GPIO.BCM)
    return Mfrc522TagReader(rst_pin=rig.rst_pin, clock=lambda: 0.0)
