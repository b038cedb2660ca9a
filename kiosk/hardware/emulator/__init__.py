"""Emulated MFRC522 RFID reader and Raspberry Pi GPIO, for tests and ``kiosk demo``.

The third-party drivers (``mfrc522``, ``pi-rc522``) import ``spidev`` and ``RPi.GPIO`` and
drive the chip register by register. :func:`install` puts emulated versions of those two
modules into :data:`sys.modules`, wired to an emulated MFRC522 (:mod:`.chip`) with virtual
cards in its field (:mod:`.cards`, :mod:`.field`), so the *unmodified* drivers run on any
machine::

    from kiosk.hardware.emulator import MifareClassic1K, Ntag213, install, uninstall

    rig = install()                     # before importing the driver
    try:
        from mfrc522 import MFRC522
        card = rig.reader.place(MifareClassic1K(bytes.fromhex("DEADBEEF")))
        reader = MFRC522()              # BOARD numbering, RST on physical pin 22
        status, _ = reader.MFRC522_Request(reader.PICC_REQIDL)
        rig.reader.remove(card)
    finally:
        uninstall()                     # sys.modules as it was; driver modules forgotten

Public API (the demo, the tests and other drivers rely on it):

* ``install(*, rst_pin=25, irq_pin=24, bus=0, device=0, version=0x92) -> Rig`` registers
  ``spidev``, ``RPi`` and ``RPi.GPIO`` in ``sys.modules`` (saving what was there, and
  setting aside modules already bound to the real ones) and returns the :class:`Rig`.
  Pins are BCM numbers: the defaults are the usual wiring (RST on header pin 22, IRQ on
  header pin 18). The RST line has a pull-up on the module, so the chip runs even when the
  program never drives that pin.
* ``uninstall()`` restores ``sys.modules``: the saved entries come back and every module
  imported meanwhile that bound the emulated ones (e.g. ``mfrc522``) is dropped, so the
  next ``install()`` gets a fresh driver.
* ``Rig.reader`` - the antenna's field: ``place(card)``, ``remove(card)``, ``cards``,
  ``clear()``, ``on_frame(listener)`` to act at a precise moment (e.g. pull a card when a
  READ goes out).
* ``Rig.gpio`` - the pins (:class:`~.gpio.GpioSim`), BCM numbers: ``drive(pin, level)``,
  ``release(pin)``, ``level(pin)``, ``is_output(pin)``, ``history`` / ``events()``, and a
  settable ``clock`` used for bouncetime.
* ``Rig.chip`` - the MFRC522 (:class:`~.chip.Mfrc522Chip`): ``stats`` (SPI transfers and
  register reads/writes), ``now`` (virtual time, advanced by each SPI transfer),
  ``advance(seconds)``, ``in_reset``, ``irq_pin``.
* Card classes :class:`MifareClassic1K` (4-byte UID) and :class:`Ntag213` (7-byte UID).

Edge callbacks run in the thread that changed the level (the chip's IRQ line changes
during an SPI transfer), unlike the real RPi.GPIO which uses its own thread.
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass

from . import gpio as _gpio
from . import spi as _spi
from .cards import DEFAULT_KEY, Card, MifareClassic1K, Ntag213, access_bytes
from .chip import Mfrc522Chip
from .field import Field
from .gpio import GpioSim

__all__ = [
    "DEFAULT_KEY",
    "Card",
    "Field",
    "GpioSim",
    "Mfrc522Chip",
    "MifareClassic1K",
    "Ntag213",
    "Rig",
    "access_bytes",
    "install",
    "installed",
    "uninstall",
]

_MANAGED = ("spidev", "RPi", "RPi.GPIO")


@dataclass
class Rig:
    """One emulated reader board wired to an emulated Raspberry Pi."""

    chip: Mfrc522Chip
    reader: Field
    gpio: GpioSim
    rst_pin: int
    irq_pin: int
    modules: dict[str, types.ModuleType]


@dataclass
class _Installation:
    rig: Rig
    saved: dict[str, types.ModuleType | None]
    before: set[str]


_current: _Installation | None = None


def installed() -> Rig | None:
    """The rig currently installed, if any."""
    return _current.rig if _current else None


def install(
    *,
    rst_pin: int = 25,
    irq_pin: int = 24,
    bus: int = 0,
    device: int = 0,
    version: int = 0x92,
) -> Rig:
    """Register the emulated ``spidev`` and ``RPi.GPIO`` and return the wired rig."""
    global _current
    if _current is not None:
        raise RuntimeError("the emulator is already installed: call uninstall() first")
    rig = _build_rig(rst_pin, irq_pin, bus, device, version)
    saved: dict[str, types.ModuleType | None] = {n: sys.modules.get(n) for n in _MANAGED}
    originals = [m for m in saved.values() if m is not None]
    for name in _dependents(originals, set(sys.modules)):
        saved[name] = sys.modules[name]
    for name in saved:
        sys.modules.pop(name, None)
    before = set(sys.modules)
    sys.modules.update(rig.modules)
    _current = _Installation(rig, saved, before)
    return rig


def uninstall() -> None:
    """Restore ``sys.modules`` as it was before :func:`install` (no-op if not installed)."""
    global _current
    if _current is None:
        return
    fakes = list(_current.rig.modules.values())
    added = set(sys.modules) - _current.before
    for name in _dependents(fakes, added) | set(_MANAGED):
        sys.modules.pop(name, None)
    for name, module in _current.saved.items():
        if module is not None:
            sys.modules[name] = module
    _current = None


def _build_rig(rst_pin: int, irq_pin: int, bus: int, device: int, version: int) -> Rig:
    sim = GpioSim()
    chip = Mfrc522Chip(Field(), version=version)
    sim.fit_pull(rst_pin, True)  # the reader board pulls NRSTPD up
    sim.listen(rst_pin, chip.set_reset_pin)

    def irq_drive(level: bool | None) -> None:
        if level is None:
            sim.release(irq_pin)
        else:
            sim.drive(irq_pin, level)

    chip.irq_listener = irq_drive
    irq_drive(chip.irq_pin)
    gpio_module = _gpio.make_module(sim)
    rpi = types.ModuleType("RPi", "Emulated RPi package (kiosk.hardware.emulator).")
    rpi.__path__ = []  # a package, so that "import RPi.GPIO" resolves
    rpi.GPIO = gpio_module
    spidev = _spi.make_module({(bus, device): chip.spi_transfer})
    modules = {"spidev": spidev, "RPi": rpi, "RPi.GPIO": gpio_module}
    return Rig(chip, chip.field, sim, rst_pin, irq_pin, modules)


def _dependents(targets: list[types.ModuleType], candidates: set[str]) -> set[str]:
    """Names in ``candidates`` of modules that bound ``targets`` (or their contents), plus
    every module of the same top-level packages among ``candidates``."""
    target_ids = {id(t) for t in targets}
    for target in targets:
        # Only objects with identity: small ints and strings are shared by everyone.
        target_ids.update(
            id(v)
            for v in vars(target).values()
            if callable(v) or isinstance(v, types.ModuleType | GpioSim)
        )
    target_names = {t.__name__ for t in targets}
    tops: set[str] = set()
    for name in candidates:
        module = sys.modules.get(name)
        if module is None or name in _MANAGED:
            continue
        for value in list(vars(module).values()):
            if id(value) in target_ids or (
                isinstance(value, type) and value.__module__ in target_names
            ):
                tops.add(name.split(".")[0])
                break
    return {n for n in candidates if n.split(".")[0] in tops}
