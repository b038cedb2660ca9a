"""kiosk.hardware.backend: the emulated backend end to end, and the "pi" backend's refusals."""

from __future__ import annotations

import queue
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from hw_support import NTAG_UID

from kiosk.config import Hardware
from kiosk.hardware import backend, emulator
from kiosk.hardware.backend import HardwareUnavailable, open_hardware
from kiosk.hardware.emulator import Ntag213
from kiosk.hardware.interfaces import Direction, Passage, Pattern, TagSeen, TagStatus

HW = Hardware("emulated", 0, 0, 25, 24, 18, 23, 17)
PI = Hardware("pi", 0, 0, 25, 24, 18, 23, 17)
MANAGED = ("spidev", "RPi", "RPi.GPIO", "mfrc522")


@pytest.fixture
def clean_modules() -> Iterator[None]:
    """No hardware module (real, fake or emulated) in sys.modules; restored afterwards."""
    saved = {name: sys.modules.pop(name, None) for name in MANAGED}
    try:
        yield
    finally:
        for name in MANAGED:
            sys.modules.pop(name, None)
            if saved[name] is not None:
                sys.modules[name] = saved[name]


def test_emulated_backend_end_to_end(clean_modules: None) -> None:
    events: queue.Queue = queue.Queue()
    bundle = open_hardware(HW, events)
    try:
        assert bundle.rig is emulator.installed() is not None
        assert bundle.gpio.getmode() == bundle.gpio.BCM
        bundle.rig.reader.place(Ntag213(NTAG_UID))
        seen = events.get(timeout=2)  # from the poller thread, within a poll or two
        assert isinstance(seen, TagSeen) and seen.uid == NTAG_UID
        assert seen.status is TagStatus.BLANK
        t = [0.0]
        bundle.rig.gpio.clock = bundle.visitor_sensor.clock = lambda: t[0]
        bundle.rig.gpio.drive(17, 0)  # someone in the door for half a second
        t[0] += 0.5
        bundle.rig.gpio.drive(17, 1)
        assert events.get(timeout=2).direction is Direction.UNKNOWN
        bundle.indicator.show(Pattern.SUCCESS)
        assert bundle.poller.polls >= 1 and bundle.poller.errors == 0
    finally:
        bundle.close()
    assert emulator.installed() is None  # we installed it, we removed it
    assert "RPi.GPIO" not in sys.modules


def test_poller_runs_at_ten_hertz(clean_modules: None) -> None:
    events: queue.Queue = queue.Queue()
    bundle = open_hardware(HW, events)
    try:
        bundle.rig.chip.stats.reset()
        start = bundle.poller.polls
        import time

        time.sleep(0.55)
        polls = bundle.poller.polls - start
        assert 4 <= polls <= 7
        assert bundle.rig.chip.stats.transfers <= 7 * 40  # cheap idle polls
    finally:
        bundle.close()


def test_pi_backend_here_fails_clearly_without_fallback(clean_modules: None) -> None:
    with pytest.raises(HardwareUnavailable, match="rpi-lgpio") as info:
        open_hardware(PI, queue.Queue())
    assert "RPi.GPIO" in str(info.value)
    assert emulator.installed() is None  # no emulator was installed behind our back
    assert "RPi.GPIO" not in sys.modules


def test_pi_backend_refuses_an_installed_emulator(rig: emulator.Rig) -> None:
    with pytest.raises(HardwareUnavailable, match="emulator"):
        open_hardware(PI, queue.Queue())


def _stand_in(root: Path) -> None:
    """A package providing the module ``RPi.GPIO``, as rpi-lgpio does on a Pi 5."""
    package = root / "RPi"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "GPIO.py").write_text(
        textwrap.dedent(
            """
            PROVIDER = "rpi-lgpio stand-in"
            BCM, BOARD, OUT, IN = 11, 10, 0, 1
            _mode = None
            def getmode():
                return _mode
            def setmode(mode):
                global _mode
                _mode = mode
            """
        )
    )


def test_rpi_gpio_module_comes_from_whichever_package_provides_it(
    clean_modules: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stand_in(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    gpio = backend.import_gpio()
    assert gpio.PROVIDER == "rpi-lgpio stand-in"
    assert Path(gpio.__file__).parent == tmp_path / "RPi"
    assert sys.modules["RPi.GPIO"] is gpio  # what mfrc522's "import RPi.GPIO" will get
    # The "pi" backend takes that module and goes on to the next requirement (spidev is not
    # installed on this machine): still a clear refusal, never the emulator.
    with pytest.raises(HardwareUnavailable, match="spidev"):
        open_hardware(PI, queue.Queue())
    assert emulator.installed() is None


def test_missing_spi_device_says_how_to_enable_it(
    clean_modules: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stand_in(tmp_path)
    for name in ("spidev", "mfrc522"):
        (tmp_path / f"{name}.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(HardwareUnavailable, match="raspi-config") as info:
        open_hardware(PI, queue.Queue(), dev_root=tmp_path / "dev")
    assert "spidev0.0" in str(info.value)


def test_unknown_backend(clean_modules: None) -> None:
    with pytest.raises(HardwareUnavailable):
        open_hardware(Hardware("usb", 0, 0, 25, 24, 18, 23, 17), queue.Queue())


def test_a_silent_reader_is_refused(clean_modules: None) -> None:
    emulator.install(version=0x00)
    try:
        with pytest.raises(HardwareUnavailable, match="does not answer"):
            open_hardware(HW, queue.Queue())
    finally:
        emulator.uninstall()


def test_passage_events_reach_the_queue(clean_modules: None) -> None:
    events: queue.Queue = queue.Queue()
    bundle = open_hardware(HW, events, beam_pins=(17, 27))
    try:
        t = [0.0]
        bundle.rig.gpio.clock = lambda: t[0]
        bundle.visitor_sensor.clock = lambda: t[0]
        for pin, level in ((17, 0), (27, 0), (17, 1), (27, 1)):
            bundle.rig.gpio.drive(pin, level)
            t[0] += 0.2
        assert events.get(timeout=1) == Passage(Direction.IN, at=pytest.approx(0.6))
    finally:
        bundle.close()
