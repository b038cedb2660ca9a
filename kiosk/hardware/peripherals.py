"""GPIO peripherals: the buzzer and LED that give feedback, and the door beam that counts visits.

Both take the ``RPi.GPIO`` module as a parameter (the real one, rpi-lgpio's, or the
emulator's), already in BCM mode: ``kiosk.hardware.backend`` sets the numbering once for the
whole app. Pins are BCM numbers from the configuration.

* :class:`GpioIndicator` plays :class:`~kiosk.hardware.interfaces.Pattern`\\ s on an *active*
  buzzer (one that sounds when its pin is high; a passive one would need PWM) and an LED.
  ``show()`` hands the pattern to a background thread and returns at once; a new pattern
  or ``cancel()`` interrupts the current one immediately (the thread waits on a condition,
  not in ``time.sleep``).
* :class:`BeamCounter` counts people through the door from edge callbacks on one or two
  infrared break-beams (receiver output pulled up, low while the beam is broken). With one
  beam every valid interruption is a passage of unknown direction; with two, the beam
  broken first gives the direction (beam A outside: A then B is "in") and someone who turns
  back (the beam cleared last is the one broken first) is not counted. Debouncing is done
  twice: RPi.GPIO's ``bouncetime`` drops contact chatter, and an interruption shorter than
  ``min_broken_s`` (an insect, a hand waved through) is ignored. The level is read in the
  callback rather than inferred from the edge, because a bounced edge may be dropped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import ModuleType

from kiosk.hardware.interfaces import Direction, Passage, Pattern
from kiosk.threads import Loop

Step = tuple[bool, bool, float]
"""(buzzer on, LED on, seconds) - one step of a pattern."""

PATTERNS: dict[Pattern, tuple[Step, ...]] = {
    # One short beep, the LED lit for a second: "done", understood without reading.
    Pattern.SUCCESS: ((True, True, 0.12), (False, True, 0.88)),
    # Two beeps with the LED blinking along: "no".
    Pattern.REFUSAL: ((True, True, 0.15), (False, False, 0.10), (True, True, 0.15)),
    # Three long beeps: "call the staff".
    Pattern.ERROR: ((True, True, 0.4), (False, False, 0.15)) * 2 + ((True, True, 0.4),),
}


class GpioIndicator:
    """Buzzer + LED patterns played by a background thread (implements ``Indicator``).

    ``time_scale`` shortens every step (tests); ``patterns`` may replace the defaults.
    """

    def __init__(
        self,
        gpio: ModuleType,
        buzzer_pin: int,
        led_pin: int,
        *,
        time_scale: float = 1.0,
        patterns: dict[Pattern, tuple[Step, ...]] | None = None,
    ) -> None:
        self.gpio = gpio
        self.pins = (buzzer_pin, led_pin)
        self.time_scale = time_scale
        self.patterns = dict(PATTERNS if patterns is None else patterns)
        for pin in self.pins:
            gpio.setup(pin, gpio.OUT, initial=gpio.LOW)
        self._cond = threading.Condition()
        self._pending: tuple[Step, ...] | None = None
        self._generation = 0  # bumped by show/cancel: a playing pattern sees it and stops
        self._playing = False
        self._closed = False
        self._loop = Loop("indicator", self._next)
        self._loop.start()

    # -- Indicator -------------------------------------------------------------------------------
    def show(self, pattern: Pattern) -> None:
        """Play ``pattern`` (replacing any playing one); returns at once."""
        steps = self.patterns.get(pattern)
        if steps is None:
            return
        with self._cond:
            if self._closed:
                return
            self._generation += 1
            self._pending = steps
            self._cond.notify_all()

    def cancel(self) -> None:
        """Stop now: buzzer and LED off before this returns."""
        with self._cond:
            self._generation += 1
            self._pending = None
            self._set(False, False)
            self._cond.notify_all()

    def close(self) -> None:
        """Cancel, stop the thread and release the pins."""
        self.cancel()
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._loop.stop()
        self.gpio.cleanup(list(self.pins))

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is playing (tests, and an orderly shutdown)."""
        with self._cond:
            return self._cond.wait_for(
                lambda: self._pending is None and not self._playing, timeout=timeout
            )

    # -- the thread -------------------------------------------------------------------------------
    def _set(self, buzzer: bool, led: bool) -> None:
        self.gpio.output(self.pins[0], self.gpio.HIGH if buzzer else self.gpio.LOW)
        self.gpio.output(self.pins[1], self.gpio.HIGH if led else self.gpio.LOW)

    def _next(self) -> float | None:
        """Wait for a pattern and play it (None: closed)."""
        with self._cond:
            self._cond.wait_for(lambda: self._pending is not None or self._closed)
            if self._closed:
                return None
            steps, generation = self._pending or (), self._generation
            self._pending = None
            self._playing = True
        self._play(steps, generation)
        return 0

    def _play(self, steps: tuple[Step, ...], generation: int) -> None:
        with self._cond:
            try:
                for buzzer, led, seconds in steps:
                    if generation != self._generation or self._closed:
                        return  # replaced or cancelled: whoever did it owns the pins now
                    self._set(buzzer, led)
                    self._cond.wait_for(
                        lambda: generation != self._generation or self._closed,
                        timeout=seconds * self.time_scale,
                    )
                if generation == self._generation:
                    self._set(False, False)
            finally:
                self._playing = False
                self._cond.notify_all()


@dataclass
class _Beam:
    pin: int
    broken: bool = False
    since: float = 0.0


@dataclass
class _Crossing:
    """What happened since the first beam was broken."""

    first: int | None = None
    long_enough: set[int] = field(default_factory=set)
    last_cleared: int | None = None


class BeamCounter:
    """Visitor counter on one beam (``pins=(a,)``) or two (``pins=(outside, inside)``).

    Implements ``VisitorSensor``. ``clock`` must be the clock RPi.GPIO's bouncetime uses
    (monotonic) - injectable for tests.
    """

    def __init__(
        self,
        gpio: ModuleType,
        pins: Sequence[int],
        *,
        broken_level: int = 0,
        bouncetime_ms: int = 10,
        min_broken_s: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if len(pins) not in (1, 2) or len(set(pins)) != len(pins):
            raise ValueError("a door counter has one beam or two distinct beams")
        self.gpio = gpio
        self.beams = [_Beam(pin) for pin in pins]
        self.broken_level = broken_level
        self.bouncetime_ms = bouncetime_ms
        self.min_broken_s = min_broken_s
        self.clock = clock
        self.counts: dict[Direction, int] = dict.fromkeys(Direction, 0)
        self._crossing = _Crossing()
        self._lock = threading.Lock()
        self._on_passage: Callable[[Passage], None] | None = None

    @property
    def count(self) -> int:
        """Passages since start, every direction."""
        return sum(self.counts.values())

    def start(self, on_passage: Callable[[Passage], None]) -> None:
        """Set the pins up as inputs with pull-ups and listen to both edges."""
        self._on_passage = on_passage
        pull = self.gpio.PUD_UP if self.broken_level == 0 else self.gpio.PUD_DOWN
        for beam in self.beams:
            self.gpio.setup(beam.pin, self.gpio.IN, pull_up_down=pull)
            beam.broken = self.gpio.input(beam.pin) == self.broken_level
            beam.since = self.clock()
            self.gpio.add_event_detect(
                beam.pin, self.gpio.BOTH, callback=self._edge, bouncetime=self.bouncetime_ms
            )

    def stop(self) -> None:
        """Stop listening and release the pins."""
        for beam in self.beams:
            self.gpio.remove_event_detect(beam.pin)
        self.gpio.cleanup([beam.pin for beam in self.beams])
        self._on_passage = None

    # -- edges ----------------------------------------------------------------------------------
    def _edge(self, channel: int) -> None:
        """RPi.GPIO callback (its own thread on a Pi): update the beam and maybe count."""
        broken = self.gpio.input(channel) == self.broken_level
        with self._lock:
            passage = self._update(channel, broken, self.clock())
        if passage is not None and self._on_passage is not None:
            self._on_passage(passage)

    def _update(self, pin: int, broken: bool, now: float) -> Passage | None:
        index = next(i for i, b in enumerate(self.beams) if b.pin == pin)
        beam = self.beams[index]
        if broken == beam.broken:
            return None  # an edge pair collapsed by the bouncetime: nothing changed
        beam.broken = broken
        if broken:
            beam.since = now
            if self._crossing.first is None:
                self._crossing.first = index
            return None
        if now - beam.since >= self.min_broken_s:
            self._crossing.long_enough.add(index)
        self._crossing.last_cleared = index
        if any(b.broken for b in self.beams):
            return None
        return self._finish_crossing(now)

    def _finish_crossing(self, now: float) -> Passage | None:
        crossing, self._crossing = self._crossing, _Crossing()
        if len(self.beams) == 1:
            direction = Direction.UNKNOWN
            if 0 not in crossing.long_enough:
                return None
        else:
            if crossing.long_enough != {0, 1} or crossing.first == crossing.last_cleared:
                return None  # a glitch on one beam, or someone who turned back
            direction = Direction.IN if crossing.first == 0 else Direction.OUT
        self.counts[direction] += 1
        return Passage(direction, at=now)
