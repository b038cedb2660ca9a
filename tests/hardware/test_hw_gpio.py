"""The emulated RPi.GPIO: modes, set-up, levels, edges, bounce, waits, cleanup."""

from __future__ import annotations

import threading

import pytest

from kiosk.hardware.emulator import Rig


class FakeClock:
    """A clock the test moves by hand (for bouncetime)."""

    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_modes_and_the_clash_error(rig: Rig) -> None:
    import RPi.GPIO as GPIO

    assert GPIO.getmode() is None
    with pytest.raises(RuntimeError, match="Please set pin numbering mode"):
        GPIO.setup(17, GPIO.OUT)
    GPIO.setmode(GPIO.BCM)
    GPIO.setmode(GPIO.BCM)  # the same mode again is fine
    with pytest.raises(ValueError, match="A different mode has already been set!"):
        GPIO.setmode(GPIO.BOARD)
    with pytest.raises(ValueError, match="invalid on a Raspberry Pi"):
        GPIO.setup(40, GPIO.IN)
    GPIO.setup(17, GPIO.OUT)
    GPIO.cleanup()
    assert GPIO.getmode() is None  # a full cleanup forgets the mode
    GPIO.setmode(GPIO.BOARD)
    with pytest.raises(ValueError):
        GPIO.setup(1, GPIO.IN)  # 3V3 power pin


def test_board_numbers_map_to_bcm(rig: Rig) -> None:
    import RPi.GPIO as GPIO

    GPIO.setmode(GPIO.BOARD)
    GPIO.setup(11, GPIO.OUT, initial=GPIO.HIGH)
    assert rig.gpio.level(17) == 1
    GPIO.output(11, GPIO.LOW)
    assert rig.gpio.level(17) == 0
    assert GPIO.input(11) == 0  # reading an output gives the value written


def test_inputs_pulls_and_external_drive(rig: Rig) -> None:
    import RPi.GPIO as GPIO

    GPIO.setmode(GPIO.BCM)
    with pytest.raises(RuntimeError, match="setup"):
        GPIO.input(5)
    GPIO.setup(5, GPIO.IN, pull_up_down=GPIO.PUD_UP)
    GPIO.setup(6, GPIO.IN, pull_up_down=GPIO.PUD_DOWN)
    assert (GPIO.input(5), GPIO.input(6)) == (1, 0)
    rig.gpio.drive(5, 0)
    rig.gpio.drive(6, 1)
    assert (GPIO.input(5), GPIO.input(6)) == (0, 1)
    rig.gpio.release(5)
    assert GPIO.input(5) == 1
    with pytest.raises(RuntimeError, match="OUTPUT"):
        GPIO.output(5, 1)
    with pytest.raises(ValueError, match="pull_up_down"):
        GPIO.setup(13, GPIO.OUT, pull_up_down=GPIO.PUD_UP)


def test_edge_callbacks_and_bouncetime(rig: Rig) -> None:
    import RPi.GPIO as GPIO

    clock = FakeClock()
    rig.gpio.clock = clock
    GPIO.setmode(GPIO.BOARD)
    GPIO.setup(16, GPIO.IN, pull_up_down=GPIO.PUD_UP)  # BCM 23: a door beam
    seen: list[int] = []
    GPIO.add_event_detect(16, GPIO.FALLING, callback=seen.append, bouncetime=50)
    with pytest.raises(RuntimeError, match="Conflicting"):
        GPIO.add_event_detect(16, GPIO.RISING)
    rig.gpio.drive(23, 0)  # beam broken
    clock.t += 0.005
    rig.gpio.drive(23, 1)  # contact bounce
    clock.t += 0.005
    rig.gpio.drive(23, 0)
    assert seen == [16]  # one callback, with the BOARD channel number
    clock.t += 0.2
    rig.gpio.drive(23, 1)  # rising edges are not watched
    clock.t += 0.2
    rig.gpio.drive(23, 0)
    assert seen == [16, 16]
    assert GPIO.event_detected(16) is True
    assert GPIO.event_detected(16) is False
    assert len(rig.gpio.events(23, "bounce")) == 1
    GPIO.remove_event_detect(16)
    clock.t += 1
    rig.gpio.drive(23, 1)
    rig.gpio.drive(23, 0)
    assert seen == [16, 16]


def test_both_edges(rig: Rig) -> None:
    import RPi.GPIO as GPIO

    GPIO.setmode(GPIO.BCM)
    GPIO.setup(20, GPIO.IN, pull_up_down=GPIO.PUD_DOWN)
    levels: list[int] = []
    GPIO.add_event_detect(20, GPIO.BOTH, callback=lambda ch: levels.append(GPIO.input(ch)))
    for level in (1, 0, 1):
        rig.gpio.drive(20, level)
    assert levels == [1, 0, 1]


def test_wait_for_edge_timeout_and_wakeup(rig: Rig) -> None:
    import RPi.GPIO as GPIO

    GPIO.setmode(GPIO.BCM)
    GPIO.setup(21, GPIO.IN, pull_up_down=GPIO.PUD_DOWN)
    assert GPIO.wait_for_edge(21, GPIO.RISING, timeout=20) is None
    timer = threading.Timer(0.02, rig.gpio.drive, (21, 1))
    timer.start()
    try:
        assert GPIO.wait_for_edge(21, GPIO.RISING, timeout=2000) == 21
    finally:
        timer.join()
    with pytest.raises(ValueError, match="Timeout"):
        GPIO.wait_for_edge(21, GPIO.RISING, timeout=0)


def test_cleanup_returns_pins_to_inputs_and_warns_when_idle(rig: Rig) -> None:
    import RPi.GPIO as GPIO

    with pytest.warns(RuntimeWarning, match="nothing to clean up"):
        GPIO.cleanup()
    GPIO.setmode(GPIO.BCM)
    GPIO.setup([12, 13], GPIO.OUT, initial=1)
    GPIO.cleanup(12)
    assert not rig.gpio.is_output(12) and rig.gpio.is_output(13)
    assert GPIO.getmode() == GPIO.BCM  # a partial cleanup keeps the mode
    GPIO.cleanup()
    assert not rig.gpio.is_output(13)
    assert [e.what for e in rig.gpio.events(13)][:2] == ["setup", "level"]
