"""Fixtures for hardware tests: an installed emulator rig, always uninstalled afterwards."""

from __future__ import annotations

import pytest

from kiosk.hardware.emulator import Rig


@pytest.fixture
def reader(rig: Rig):
    """The unmodified mfrc522.MFRC522 driver, constructed on the rig (BOARD mode)."""
    from mfrc522 import MFRC522

    return MFRC522()
