"""Choose and wire the kiosk's hardware from the configuration: real Raspberry Pi or emulator.

``open_hardware(config.hardware, events)`` returns a :class:`HardwareBundle`: the tag reader
(:class:`~kiosk.hardware.rfid.Mfrc522TagReader`), the indicator
(:class:`~kiosk.hardware.peripherals.GpioIndicator`), the visitor sensor
(:class:`~kiosk.hardware.peripherals.BeamCounter`) and a :class:`TagPoller` thread. Hardware
threads only put events (``TagSeen``, ``SeveralTags``, ``Passage``) on ``events``; the UI
takes them from there on its own thread (Kivy: ``Clock.schedule_once``).

* ``backend = "pi"`` imports the vendor libraries here, lazily: ``RPi.GPIO``, ``spidev`` and
  ``mfrc522``. A missing library, a missing ``/dev/spidevB.D`` or a reader that does not
  answer raises :class:`HardwareUnavailable` with a translated message saying what to
  install or enable. It **never** falls back to the emulator: a kiosk that silently
  pretends to read tags would lend nothing and count nothing. It even refuses to start when
  the emulator happens to be installed in the process.
* ``backend = "emulated"`` installs :mod:`kiosk.hardware.emulator` (or uses the rig already
  installed, e.g. by a test) and builds the very same adapters on it; the bundle's ``rig``
  lets the demo place virtual cards and drive the door beam.

One GPIO numbering, BCM, for the whole process: it is set here before anything else
touches the pins, and passed to the mfrc522 driver so that it does not pick BOARD (nor its
RST default of BCM 15).

Raspberry Pi 5: its GPIOs sit behind the RP1 chip, which the classic ``RPi.GPIO`` cannot
drive ("Cannot determine SOC peripheral base address"). The ``rpi-lgpio`` package installs
a module with the same name and API, ``RPi.GPIO``, implemented on ``lgpio`` (the kernel's
GPIO character device). Install it *instead of* ``RPi.GPIO`` (they conflict)::

    pip uninstall RPi.GPIO && pip install rpi-lgpio      # the "pi" extra does this on aarch64

Nothing changes in our code or in mfrc522's: both simply ``import RPi.GPIO``, and whichever
distribution provides that module is used (the tests check it with a stand-in package).
Edge detection with rpi-lgpio needs the user in the ``gpio`` group (``kiosk doctor``).
"""

from __future__ import annotations

import importlib
import queue
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from kiosk.config import Hardware
from kiosk.hardware import emulator
from kiosk.hardware.camera import (
    CameraBarcodeSource,
    CameraUnavailable,
    FolderFrames,
    OpenCVFrames,
    Picamera2Frames,
)
from kiosk.hardware.interfaces import Indicator, TagWriter
from kiosk.hardware.peripherals import BeamCounter, GpioIndicator
from kiosk.hardware.rfid import DEFAULT_KEYS, Mfrc522TagReader
from kiosk.hardware.wedge import ScannerUnavailable, WedgeParser, WedgeScanner
from kiosk.i18n import _
from kiosk.threads import Loop

POLL_INTERVAL_S = 0.1  # 10 Hz: a tap shows within ~0.1 s; idle SPI traffic stays tiny
VERSION_REG = 0x37
BCM = 11


class HardwareUnavailable(RuntimeError):
    """The configured hardware cannot be used; the message says what to install or enable."""


# -- the poller ------------------------------------------------------------------------------------
class TagPoller:
    """Calls ``reader.poll()`` every ``interval`` seconds on its own thread; events -> queue.

    A poll that raises (SPI error, reader unplugged) is logged and retried after a pause, so
    a loose wire does not kill the thread; ``errors`` counts them for the health report.
    """

    def __init__(
        self, reader: Any, events: queue.Queue, *, interval: float = POLL_INTERVAL_S
    ) -> None:
        self.reader = reader
        self.events = events
        self.interval = interval
        self.polls = 0
        self._next_at = 0.0
        self._loop = Loop("rfid-poller", self._poll)

    @property
    def errors(self) -> int:
        """Polls that raised so far (logged and retried after a pause)."""
        return self._loop.errors

    def start(self) -> None:
        """Start polling (idempotent)."""
        self._next_at = time.monotonic()
        self._loop.start()

    def stop(self) -> None:
        """Stop polling and wait for the thread (at most one poll)."""
        self._loop.stop()

    def _poll(self) -> float:
        """One poll; the wait until the next one."""
        event = self.reader.poll()
        self.polls += 1
        if event is not None:
            self.events.put(event)
        # Fixed rate, not fixed gap: a slow poll (a label read) does not slow the next. After
        # a failed poll (and its pause) the schedule starts afresh.
        now = time.monotonic()
        self._next_at = max(self._next_at + self.interval, now)
        return self._next_at - now


# -- the bundle ------------------------------------------------------------------------------------
@dataclass
class HardwareBundle:
    """Everything the kiosk drives, opened and wired; :meth:`close` releases it all."""

    tag_reader: TagWriter  # the MFRC522 adapter
    indicator: Indicator
    visitor_sensor: BeamCounter
    poller: TagPoller
    gpio: ModuleType
    events: queue.Queue
    rig: emulator.Rig | None = None
    barcode: Any | None = None  # a BarcodeSource, when the config names one
    _owns_emulator: bool = field(default=False, repr=False)

    def start(self) -> None:
        """Start the poller, the door counter and the barcode source (events -> ``events``)."""
        self.visitor_sensor.start(self.events.put)
        self.poller.start()
        if self.barcode is not None:
            try:
                self.barcode.start(self.events.put)
            except (CameraUnavailable, ScannerUnavailable) as exc:
                self.close()
                raise HardwareUnavailable(str(exc)) from exc

    def close(self) -> None:
        """Stop the threads, release pins and SPI; uninstall the emulator if we installed it."""
        if self.barcode is not None:
            self.barcode.stop()
        self.poller.stop()
        self.visitor_sensor.stop()
        self.indicator.close()
        self.tag_reader.close()
        if self._owns_emulator:
            emulator.uninstall()


def open_hardware(
    hw: Hardware,
    events: queue.Queue,
    *,
    keys: Sequence[bytes] | None = None,
    library: str = "",
    beam_pins: Sequence[int] | None = None,
    start: bool = True,
    dev_root: Path = Path("/dev"),
) -> HardwareBundle:
    """Open the backend named by ``hw.backend``; see the module docstring."""
    if hw.backend == "pi":
        gpio, rig, owns = _open_pi(hw, dev_root), None, False
    elif hw.backend == "emulated":
        rig = emulator.installed()
        owns = rig is None
        if rig is None:
            rig = emulator.install(
                rst_pin=hw.rst_pin, irq_pin=hw.irq_pin, bus=hw.spi_bus, device=hw.spi_device
            )
        gpio = importlib.import_module("RPi.GPIO")
    else:
        raise HardwareUnavailable(
            _('Unknown hardware backend "{backend}".').format(backend=hw.backend)
        )
    if beam_pins is None:
        beam_pins = (hw.beam_pin, hw.beam_pin_inside) if hw.beam_pin_inside >= 0 else None
    try:
        bundle = _build(
            hw, gpio, events, keys or hw.classic_keys or DEFAULT_KEYS, library, beam_pins
        )
        bundle.barcode = barcode_source(hw)
    except BaseException:
        if owns:
            emulator.uninstall()
        raise
    bundle.rig, bundle._owns_emulator = rig, owns
    if start:
        bundle.start()
    return bundle


def _build(
    hw: Hardware,
    gpio: ModuleType,
    events: queue.Queue,
    keys: Sequence[bytes],
    library: str,
    beam_pins: Sequence[int] | None,
) -> HardwareBundle:
    _use_bcm(gpio)
    try:
        indicator = GpioIndicator(gpio, hw.buzzer_pin, hw.led_pin)
    except RuntimeError as exc:  # RPi.GPIO on a Pi 5: "Cannot determine SOC peripheral ..."
        raise HardwareUnavailable(_pi5_message(str(exc))) from exc
    try:
        reader = Mfrc522TagReader(
            bus=hw.spi_bus, device=hw.spi_device, rst_pin=hw.rst_pin, keys=keys, library=library
        )
    except OSError as exc:
        indicator.close()
        raise HardwareUnavailable(_spi_message(hw, Path("/dev"), str(exc))) from exc
    version = reader.driver.Read_MFRC522(VERSION_REG)
    if version in (0x00, 0xFF):
        indicator.close()
        reader.close()  # the driver's cleanup resets every pin and the numbering mode: last
        raise HardwareUnavailable(
            _(
                "The RFID reader does not answer on SPI (version register 0x{version:02X}). "
                "Check its wiring and its 3.3 V supply."
            ).format(version=version)
        )
    counter = BeamCounter(gpio, tuple(beam_pins or (hw.beam_pin,)))
    return HardwareBundle(reader, indicator, counter, TagPoller(reader, events), gpio, events)


def barcode_source(hw: Hardware) -> Any | None:
    """The barcode source the config names (not started), or None."""
    try:
        if hw.barcode == "wedge":
            parser = WedgeParser(prefix=hw.wedge_prefix, suffix=hw.wedge_suffix)
            return WedgeScanner(hw.barcode_device, parser=parser)
        frames: Any
        if hw.barcode == "folder":
            frames = FolderFrames(hw.barcode_device, repeat=2, loop=True)
        elif hw.barcode == "camera":
            frames = OpenCVFrames(hw.barcode_device or 0)
        elif hw.barcode == "picamera":
            frames = Picamera2Frames()
        else:
            return None
    except (CameraUnavailable, ScannerUnavailable) as exc:
        raise HardwareUnavailable(str(exc)) from exc
    return CameraBarcodeSource(frames, interval_s=0.1)


def _use_bcm(gpio: ModuleType) -> None:
    """BCM numbering for the whole process; refuse a process that chose BOARD already."""
    mode = gpio.getmode()
    if mode is None:
        gpio.setmode(gpio.BCM)
    elif mode != gpio.BCM:
        raise HardwareUnavailable(
            _("Something in this process set GPIO numbering to BOARD; the kiosk uses BCM.")
        )


# -- the real Pi -----------------------------------------------------------------------------------
def import_gpio() -> ModuleType:
    """``RPi.GPIO`` as installed: the classic library, or rpi-lgpio's module of the same name."""
    return _import(
        "RPi.GPIO",
        _(
            "The RPi.GPIO module is missing. On a Raspberry Pi 5 install rpi-lgpio, on older "
            "models RPi.GPIO: pip install 'thuvien-kiosk[pi]'."
        ),
    )


def _open_pi(hw: Hardware, dev_root: Path) -> ModuleType:
    if emulator.installed() is not None:
        raise HardwareUnavailable(
            _('The emulator is active in this process: the "pi" backend will not use it.')
        )
    gpio = import_gpio()
    if getattr(gpio, "sim", None) is not None:  # the emulator's module, left in sys.modules
        raise HardwareUnavailable(
            _('The emulator is active in this process: the "pi" backend will not use it.')
        )
    _import("spidev", _("The spidev module is missing: pip install 'thuvien-kiosk[pi]'."))
    _import("mfrc522", _("The mfrc522 module is missing: pip install 'thuvien-kiosk[pi]'."))
    device = dev_root / f"spidev{hw.spi_bus}.{hw.spi_device}"
    if not device.exists():
        raise HardwareUnavailable(_spi_message(hw, dev_root, "missing"))
    return gpio


def _import(name: str, hint: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise HardwareUnavailable(hint) from exc
    except RuntimeError as exc:  # RPi.GPIO: "This module can only be run on a Raspberry Pi!"
        sys.modules.pop(name, None)
        raise HardwareUnavailable(
            _("{module} cannot run on this machine ({error}). Is this a Raspberry Pi?").format(
                module=name, error=exc
            )
        ) from exc


def _spi_message(hw: Hardware, dev_root: Path, error: str) -> str:
    device = dev_root / f"spidev{hw.spi_bus}.{hw.spi_device}"
    return _(
        "{device} cannot be opened ({error}). Enable SPI (sudo raspi-config nonint do_spi 0, "
        "then reboot) and add the kiosk user to the spi group."
    ).format(device=device, error=error)


def _pi5_message(error: str) -> str:
    return _(
        "GPIO cannot be used ({error}). On a Raspberry Pi 5 replace RPi.GPIO with rpi-lgpio: "
        "pip uninstall RPi.GPIO; pip install rpi-lgpio."
    ).format(error=error)
