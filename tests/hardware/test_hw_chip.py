"""Register-level behaviour of the emulated MFRC522 and the install/uninstall contract."""

from __future__ import annotations

import sys

import pytest

from kiosk.hardware import emulator
from kiosk.hardware.emulator import Rig
from kiosk.hardware.emulator.iso14443 import crc_a


def write(rig: Rig, reg: int, *values: int) -> None:
    rig.chip.spi_transfer([reg << 1, *values])


def read(rig: Rig, reg: int) -> int:
    return rig.chip.spi_transfer([0x80 | reg << 1, 0])[1]


def test_crc_a_reference_value() -> None:
    assert crc_a(b"\x00\x00") == 0x1EA0  # ISO 14443-3 annex B example
    assert crc_a(b"\x12\x34") == 0xCF26


def test_calc_crc_fills_crc_result_and_flags_crcirq(rig: Rig) -> None:
    write(rig, 0x11, 0x3D)  # ModeReg: CRC preset 6363
    write(rig, 0x09, 0x30, 0x08)  # FIFO: READ block 8
    write(rig, 0x01, 0x03)  # CalcCRC
    crc = crc_a(b"\x30\x08")
    assert (read(rig, 0x22), read(rig, 0x21)) == (crc & 0xFF, crc >> 8)
    assert read(rig, 0x05) & 0x04
    assert read(rig, 0x0A) == 0  # the coprocessor consumed the FIFO


def test_fifo_level_flush_and_overflow(rig: Rig) -> None:
    write(rig, 0x09, *range(10))
    assert read(rig, 0x0A) == 10
    assert read(rig, 0x09) == 0
    write(rig, 0x0A, 0x80)
    assert read(rig, 0x0A) == 0
    write(rig, 0x09, *([1] * 65))
    assert read(rig, 0x06) & 0x10  # BufferOvfl
    write(rig, 0x0A, 0x80)
    assert not read(rig, 0x06) & 0x10


def test_set1_semantics_of_comirqreg(rig: Rig) -> None:
    write(rig, 0x04, 0x7F)  # Set1 = 0: clear everything marked
    assert read(rig, 0x04) & 0x7B == 0
    write(rig, 0x04, 0x81)  # Set1 = 1: set TimerIRq
    assert read(rig, 0x04) & 0x01


def test_timer_expires_after_reload_ticks(rig: Rig) -> None:
    write(rig, 0x2A, 0x8D)  # TAuto, prescaler high nibble
    write(rig, 0x2B, 0x3E)
    write(rig, 0x2C, 0)
    write(rig, 0x2D, 30)
    write(rig, 0x04, 0x7F)
    write(rig, 0x0C, 0x40)  # TStartNow
    assert read(rig, 0x07) & 0x08  # TRunning
    rig.chip.advance(0.015)
    assert not read(rig, 0x04) & 0x01
    rig.chip.advance(0.001)  # 31 ticks of 6781 / 13.56 MHz = 15.5 ms
    assert read(rig, 0x04) & 0x01


def test_irq_pin_follows_enabled_interrupts(rig: Rig) -> None:
    assert rig.chip.irq_pin is None  # IRqInv, open drain, nothing pending: released
    write(rig, 0x04, 0x7F)
    write(rig, 0x02, 0x80 | 0x01)  # enable TimerIRq
    write(rig, 0x04, 0x81)
    assert rig.chip.irq_pin is False  # active low
    assert rig.gpio.level(rig.irq_pin) == 0
    write(rig, 0x03, 0x80)  # IRQPushPull
    write(rig, 0x02, 0x01)  # not inverted
    assert rig.chip.irq_pin is True


def test_soft_reset_switches_the_antenna_off(rig: Rig) -> None:
    write(rig, 0x14, 0x83)
    assert rig.reader.energised
    write(rig, 0x01, 0x0F)
    assert not rig.reader.energised
    assert read(rig, 0x37) == 0x92


def test_install_twice_is_refused_and_uninstall_restores(rig: Rig) -> None:
    import spidev

    assert spidev is rig.modules["spidev"]
    with pytest.raises(RuntimeError):
        emulator.install()


def test_uninstall_forgets_drivers_bound_to_the_emulator() -> None:
    saved = sys.modules.get("spidev")
    first = emulator.install()
    try:
        import mfrc522

        driver = sys.modules["mfrc522.MFRC522"]
        assert driver.GPIO is first.modules["RPi.GPIO"]
    finally:
        emulator.uninstall()
    assert "mfrc522" not in sys.modules and "mfrc522.MFRC522" not in sys.modules
    assert sys.modules.get("spidev") is saved
    second = emulator.install()
    try:
        import mfrc522  # noqa: F401

        driver = sys.modules["mfrc522.MFRC522"]
        assert driver.GPIO is second.modules["RPi.GPIO"]
    finally:
        emulator.uninstall()
