"""Buzzer/LED patterns and the door-beam counter against the emulated RPi.GPIO."""

from __future__ import annotations

import time

import pytest

from kiosk.hardware.emulator import Rig
from kiosk.hardware.interfaces import Direction, Indicator, Passage, Pattern, VisitorSensor
from kiosk.hardware.peripherals import PATTERNS, BeamCounter, GpioIndicator

BUZZER, LED, BEAM_A, BEAM_B = 18, 23, 17, 27


@pytest.fixture
def gpio(rig: Rig):
    import RPi.GPIO as GPIO

    GPIO.setmode(GPIO.BCM)
    return GPIO


class FakeClock:
    """Monotonic time that moves only when told (shared by GPIO bouncetime and the counter)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# -- indicator -----------------------------------------------------------------------------------
def outputs(rig: Rig, pin: int) -> list[bool]:
    """The levels a pin went through (changes only)."""
    return [e.value for e in rig.gpio.events(pin, "level")]


def test_indicator_plays_patterns_without_blocking(rig: Rig, gpio) -> None:
    slow = GpioIndicator(gpio, BUZZER, LED, time_scale=10)  # a pattern of several seconds
    assert isinstance(slow, Indicator)
    slow.show(Pattern.REFUSAL)
    # show() came back before the pattern was over: the caller never waits for it (checked by
    # what the pins did, not by a stopwatch that a loaded machine can fail)
    assert len(outputs(rig, BUZZER)) < 4 and not slow.wait_idle(timeout=0)
    slow.close()
    indicator = GpioIndicator(gpio, BUZZER, LED, time_scale=0.05)
    before = len(outputs(rig, BUZZER))
    indicator.show(Pattern.REFUSAL)
    assert indicator.wait_idle(timeout=2)
    assert outputs(rig, BUZZER)[before:] == [True, False, True, False]  # two beeps
    assert rig.gpio.level(BUZZER) == 0 and rig.gpio.level(LED) == 0
    indicator.close()


def test_each_pattern_is_distinct(rig: Rig, gpio) -> None:
    beeps = {p: sum(1 for step in PATTERNS[p] if step[0]) for p in Pattern}
    assert beeps == {Pattern.SUCCESS: 1, Pattern.REFUSAL: 2, Pattern.ERROR: 3}
    indicator = GpioIndicator(gpio, BUZZER, LED, time_scale=0.02)
    indicator.show(Pattern.ERROR)
    assert indicator.wait_idle(timeout=2)
    assert outputs(rig, BUZZER).count(True) == 3
    indicator.close()


def test_cancel_stops_at_once_and_leaves_everything_off(rig: Rig, gpio) -> None:
    indicator = GpioIndicator(gpio, BUZZER, LED, time_scale=10)  # a 9-second success pattern
    indicator.show(Pattern.SUCCESS)
    deadline = time.monotonic() + 2
    while rig.gpio.level(LED) == 0 and time.monotonic() < deadline:
        time.sleep(0.001)
    assert rig.gpio.level(BUZZER) == 1
    indicator.cancel()
    assert rig.gpio.level(BUZZER) == 0 and rig.gpio.level(LED) == 0
    assert indicator.wait_idle(timeout=1)  # the thread noticed within the second
    time.sleep(0.02)
    assert rig.gpio.level(BUZZER) == 0 and rig.gpio.level(LED) == 0
    indicator.close()


def test_a_new_pattern_replaces_the_playing_one(rig: Rig, gpio) -> None:
    indicator = GpioIndicator(gpio, BUZZER, LED, time_scale=10)
    indicator.show(Pattern.SUCCESS)  # 1.2 s of beep at this scale
    time.sleep(0.02)
    indicator.time_scale = 0.02
    indicator.show(Pattern.REFUSAL)
    assert indicator.wait_idle(timeout=2)  # the success pattern alone would take 10 s
    written = [e.value for e in rig.gpio.events(BUZZER, "output")]
    assert written.count(True) == 3  # the cut success beep, then the refusal's two
    assert rig.gpio.level(BUZZER) == 0 and rig.gpio.level(LED) == 0
    indicator.close()
    assert not rig.gpio.is_output(BUZZER)  # pins released


# -- door beams -----------------------------------------------------------------------------------
def make_counter(rig: Rig, gpio, pins, clock: FakeClock):
    rig.gpio.clock = clock  # the emulated bouncetime uses the same clock
    passages: list[Passage] = []
    counter = BeamCounter(gpio, pins, bouncetime_ms=10, min_broken_s=0.05, clock=clock)
    counter.start(passages.append)
    return counter, passages


def walk(rig: Rig, clock: FakeClock, *steps: tuple[int, int, float]) -> None:
    """Drive beams: (pin, level, seconds to wait after)."""
    for pin, level, after in steps:
        rig.gpio.drive(pin, level)
        clock.advance(after)


def test_one_beam_counts_passes(rig: Rig, gpio) -> None:
    clock = FakeClock()
    counter, passages = make_counter(rig, gpio, (BEAM_A,), clock)
    assert isinstance(counter, VisitorSensor)
    for _ in range(3):
        walk(rig, clock, (BEAM_A, 0, 0.4), (BEAM_A, 1, 1.0))
    assert counter.count == 3
    assert [p.direction for p in passages] == [Direction.UNKNOWN] * 3
    assert [p.at for p in passages] == pytest.approx([100.4, 101.8, 103.2])


def test_bounce_is_one_pass(rig: Rig, gpio) -> None:
    clock = FakeClock()
    counter, _ = make_counter(rig, gpio, (BEAM_A,), clock)
    # Chatter on both edges, each toggle 2 ms apart (inside the 10 ms bouncetime).
    walk(rig, clock, (BEAM_A, 0, 0.002), (BEAM_A, 1, 0.002), (BEAM_A, 0, 0.3))
    walk(rig, clock, (BEAM_A, 1, 0.002), (BEAM_A, 0, 0.002), (BEAM_A, 1, 1.0))
    assert counter.count == 1
    assert len(rig.gpio.events(BEAM_A, "bounce")) >= 2  # the emulated RPi.GPIO dropped some


def test_short_interruptions_are_not_visitors(rig: Rig, gpio) -> None:
    clock = FakeClock()
    counter, _ = make_counter(rig, gpio, (BEAM_A,), clock)
    walk(rig, clock, (BEAM_A, 0, 0.02), (BEAM_A, 1, 1.0))  # 20 ms: a moth
    assert counter.count == 0
    walk(rig, clock, (BEAM_A, 0, 0.06), (BEAM_A, 1, 1.0))  # 60 ms: a child running
    assert counter.count == 1


def test_two_beams_give_the_direction(rig: Rig, gpio) -> None:
    clock = FakeClock()
    counter, passages = make_counter(rig, gpio, (BEAM_A, BEAM_B), clock)
    walk(rig, clock, (BEAM_A, 0, 0.2), (BEAM_B, 0, 0.2), (BEAM_A, 1, 0.2), (BEAM_B, 1, 1.0))
    walk(rig, clock, (BEAM_B, 0, 0.2), (BEAM_A, 0, 0.2), (BEAM_B, 1, 0.2), (BEAM_A, 1, 1.0))
    walk(rig, clock, (BEAM_A, 0, 0.2), (BEAM_B, 0, 0.2), (BEAM_A, 1, 0.2), (BEAM_B, 1, 1.0))
    assert [p.direction for p in passages] == [Direction.IN, Direction.OUT, Direction.IN]
    assert counter.counts[Direction.IN] == 2 and counter.counts[Direction.OUT] == 1


def test_half_passages_that_turn_back_are_not_counted(rig: Rig, gpio) -> None:
    clock = FakeClock()
    counter, passages = make_counter(rig, gpio, (BEAM_A, BEAM_B), clock)
    walk(rig, clock, (BEAM_A, 0, 0.3), (BEAM_A, 1, 1.0))  # looked in, left
    walk(rig, clock, (BEAM_A, 0, 0.2), (BEAM_B, 0, 0.2), (BEAM_B, 1, 0.2), (BEAM_A, 1, 1.0))
    assert passages == [] and counter.count == 0
    walk(rig, clock, (BEAM_A, 0, 0.2), (BEAM_B, 0, 0.01), (BEAM_B, 1, 0.2), (BEAM_A, 1, 1.0))
    assert counter.count == 0  # B only flickered: not a pass through both beams


def test_stop_releases_the_pins(rig: Rig, gpio) -> None:
    clock = FakeClock()
    counter, _ = make_counter(rig, gpio, (BEAM_A, BEAM_B), clock)
    counter.stop()
    walk(rig, clock, (BEAM_A, 0, 0.2), (BEAM_B, 0, 0.2), (BEAM_A, 1, 0.2), (BEAM_B, 1, 1.0))
    assert counter.count == 0
    with pytest.raises(ValueError):
        BeamCounter(gpio, (BEAM_A, BEAM_A))
