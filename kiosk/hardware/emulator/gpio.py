"""An emulated ``RPi.GPIO`` (0.7.x API) on a simulated 40-pin Raspberry Pi header.

:class:`GpioSim` is the hardware: one level per BCM pin, resolved from (in this order) the
pin's own output driver, an external driver (another chip, or a test), a pull resistor
fitted on a board, and the SoC's internal pull-up/down. :func:`make_module` builds a module
object with the ``RPi.GPIO`` functions and constants on top of it.

Differences from the real library, on purpose: edge callbacks run synchronously in the
thread that changed the level (deterministic tests) instead of a separate thread; there is
no PWM. The test verbs of :class:`GpioSim` (``drive``, ``release``, ``level``, ...) always
use BCM numbers, whatever mode the application chose.
"""

from __future__ import annotations

import logging
import threading
import time
import types
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

UNKNOWN, BOARD, BCM = -1, 10, 11
OUT, IN, LOW, HIGH = 0, 1, 0, 1
PUD_OFF, PUD_DOWN, PUD_UP = 20, 21, 22
RISING, FALLING, BOTH = 31, 32, 33
SERIAL, SPI, I2C, HARD_PWM = 40, 41, 42, 43

BOARD_TO_BCM = {
    3: 2, 5: 3, 7: 4, 8: 14, 10: 15, 11: 17, 12: 18, 13: 27, 15: 22, 16: 23, 18: 24, 19: 10,
    21: 9, 22: 25, 23: 11, 24: 8, 26: 7, 27: 0, 28: 1, 29: 5, 31: 6, 32: 12, 33: 13, 35: 19,
    36: 16, 37: 26, 38: 20, 40: 21,
}  # fmt: skip
BCM_PINS = range(28)

MSG_NO_MODE = (
    "Please set pin numbering mode using GPIO.setmode(GPIO.BOARD) or GPIO.setmode(GPIO.BCM)"
)
MSG_BAD_CHANNEL = "The channel sent is invalid on a Raspberry Pi"
MSG_CONFLICT_DETECT = "Conflicting edge detection already enabled for this GPIO channel"
MSG_CONFLICT_WAIT = "Conflicting edge detection events already exist for this GPIO channel"
MSG_NO_DETECT = "Add event detection using add_event_detect first before adding a callback"

Callback = Callable[[int], Any]
LevelListener = Callable[[bool], None]


@dataclass
class Pin:
    """State of one BCM pin."""

    direction: int | None = None  # None: not set up by the program (an input, really)
    output: bool = False
    pull: int = PUD_OFF
    external: bool | None = None  # driven by something outside the SoC
    board_pull: bool | None = None  # resistor fitted on a board (weaker than a driver)
    level: bool = False
    edge: int | None = None
    bouncetime_s: float = 0.0
    last_event: float | None = None
    callbacks: list[Callback] = field(default_factory=list)
    callback_channel: int = 0
    event_flag: bool = False


@dataclass(frozen=True)
class Event:
    """One entry of :attr:`GpioSim.history`."""

    time: float
    pin: int  # BCM
    what: str  # setup, output, drive, release, level, edge, cleanup, ...
    value: Any = None


class GpioSim:
    """Simulated GPIO pins plus the state ``RPi.GPIO`` keeps in the process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.pins = {n: Pin() for n in BCM_PINS}
        self.mode: int | None = None
        self.warnings = True
        self.history: list[Event] = []
        self.callback_errors: list[BaseException] = []
        self._cond = threading.Condition(threading.RLock())
        self._listeners: dict[int, list[LevelListener]] = {}
        self._waiters: dict[int, list[tuple[int, list[bool]]]] = {}

    # -- test verbs (BCM numbers) ---------------------------------------------------------------
    def drive(self, pin: int, level: bool | int) -> None:
        """Drive an input pin from outside (a button, a sensor, another chip)."""
        with self._cond:
            self.pins[pin].external = bool(level)
            self._record(pin, "drive", bool(level))
            self._resolve(pin)

    def release(self, pin: int) -> None:
        """Stop driving a pin from outside: it floats to its pull resistor."""
        with self._cond:
            self.pins[pin].external = None
            self._record(pin, "release")
            self._resolve(pin)

    def fit_pull(self, pin: int, level: bool | None) -> None:
        """Fit (True: pull-up, False: pull-down) or remove (None) a resistor on a board."""
        with self._cond:
            self.pins[pin].board_pull = level
            self._resolve(pin)

    def level(self, pin: int) -> int:
        """Electrical level of a pin now (what an oscilloscope would show)."""
        return int(self.pins[pin].level)

    def is_output(self, pin: int) -> bool:
        """True if the program has set the pin up as an output."""
        return self.pins[pin].direction == OUT

    def listen(self, pin: int, listener: LevelListener) -> None:
        """Call ``listener(level)`` whenever the level of ``pin`` changes (chip wiring)."""
        self._listeners.setdefault(pin, []).append(listener)

    def events(self, pin: int | None = None, what: str | None = None) -> list[Event]:
        """History entries, filtered by pin and/or kind."""
        return [
            e
            for e in self.history
            if (pin is None or e.pin == pin) and (what is None or e.what == what)
        ]

    # -- pin logic ------------------------------------------------------------------------------
    def _record(self, pin: int, what: str, value: Any = None) -> None:
        self.history.append(Event(self.clock(), pin, what, value))

    def _resolve(self, pin: int) -> None:
        state = self.pins[pin]
        if state.direction == OUT:
            new = state.output
        elif state.external is not None:
            new = state.external
        elif state.board_pull is not None:
            new = state.board_pull
        else:
            new = state.pull == PUD_UP
        if new == state.level:
            return
        state.level = new
        self._record(pin, "level", new)
        self._cond.notify_all()
        for listener in self._listeners.get(pin, []):
            listener(new)
        self._edge(pin, rising=new)

    def _edge(self, pin: int, rising: bool) -> None:
        state = self.pins[pin]
        for edge, box in self._waiters.get(pin, []):
            if edge == BOTH or (edge == RISING) == rising:
                box.append(rising)
        if state.edge is None or state.direction != IN:
            return
        if not (state.edge == BOTH or (state.edge == RISING) == rising):
            return
        now = self.clock()
        if state.last_event is not None and 0 <= now - state.last_event <= state.bouncetime_s:
            self._record(pin, "bounce", rising)
            return
        state.last_event = now
        state.event_flag = True
        self._record(pin, "edge", "rising" if rising else "falling")
        for callback in list(state.callbacks):
            try:
                callback(state.callback_channel)
            except Exception as exc:  # the real library prints and carries on, so do we
                log.exception("GPIO callback failed")
                self.callback_errors.append(exc)

    # -- RPi.GPIO semantics -----------------------------------------------------------------------
    def to_bcm(self, channel: int) -> int:
        """Map a channel in the current numbering mode to a BCM pin, like RPi.GPIO does."""
        if self.mode is None:
            raise RuntimeError(MSG_NO_MODE)
        if self.mode == BCM:
            if channel not in BCM_PINS:
                raise ValueError(MSG_BAD_CHANNEL)
            return channel
        if channel not in BOARD_TO_BCM:
            raise ValueError(MSG_BAD_CHANNEL)
        return BOARD_TO_BCM[channel]

    def setmode(self, mode: int) -> None:
        """RPi.GPIO.setmode: once set, a different mode is refused until cleanup()."""
        if self.mode is not None and mode != self.mode:
            raise ValueError("A different mode has already been set!")
        if mode not in (BOARD, BCM):
            raise ValueError("An invalid mode was passed to setmode()")
        self.mode = mode

    def setup(
        self, channel: int, direction: int, pull_up_down: int = PUD_OFF, initial: int = -1
    ) -> None:
        """RPi.GPIO.setup for one channel."""
        pin = self.to_bcm(channel)
        if direction == OUT and pull_up_down != PUD_OFF:
            raise ValueError("pull_up_down parameter is not valid for outputs")
        if direction == IN and initial != -1:
            raise ValueError("initial parameter is not valid for inputs")
        if direction not in (IN, OUT):
            raise ValueError("An invalid direction was passed to setup()")
        if pull_up_down not in (PUD_OFF, PUD_DOWN, PUD_UP):
            raise ValueError("Invalid value for pull_up_down - should be either PUD_OFF, "
                             "PUD_UP or PUD_DOWN")  # fmt: skip
        with self._cond:
            state = self.pins[pin]
            if direction == OUT and state.external is not None and self.warnings:
                warnings.warn(
                    "This channel is already in use, continuing anyway.  "
                    "Use GPIO.setwarnings(False) to disable warnings.",
                    RuntimeWarning,
                    stacklevel=3,
                )
            state.direction = direction
            state.pull = pull_up_down
            if direction == OUT:
                state.output = bool(initial) if initial != -1 else state.level
            self._record(pin, "setup", "out" if direction == OUT else f"in/{pull_up_down}")
            self._resolve(pin)

    def output(self, channel: int, value: int | bool) -> None:
        """RPi.GPIO.output for one channel."""
        pin = self.to_bcm(channel)
        with self._cond:
            state = self.pins[pin]
            if state.direction != OUT:
                raise RuntimeError("The GPIO channel has not been set up as an OUTPUT")
            state.output = bool(value)
            self._record(pin, "output", bool(value))
            self._resolve(pin)

    def input(self, channel: int) -> int:
        """RPi.GPIO.input: the level of an input, or the last value written to an output."""
        pin = self.to_bcm(channel)
        state = self.pins[pin]
        if state.direction is None:
            raise RuntimeError("You must setup() the GPIO channel first")
        return int(state.level)

    def add_event_detect(
        self, channel: int, edge: int, callback: Callback | None = None, bouncetime: int = -666
    ) -> None:
        """RPi.GPIO.add_event_detect (``bouncetime`` in milliseconds)."""
        pin = self.to_bcm(channel)
        if edge not in (RISING, FALLING, BOTH):
            raise ValueError("The edge must be set to RISING, FALLING or BOTH")
        if bouncetime != -666 and bouncetime <= 0:
            raise ValueError("Bouncetime must be greater than 0")
        with self._cond:
            state = self.pins[pin]
            if state.direction != IN:
                raise RuntimeError("You must setup() the GPIO channel as an input first")
            if state.edge is not None:
                raise RuntimeError(MSG_CONFLICT_DETECT)
            state.edge = edge
            state.bouncetime_s = max(bouncetime, 0) / 1000
            state.last_event = None
            state.event_flag = False
            state.callback_channel = channel
            state.callbacks = [callback] if callback is not None else []
            self._record(pin, "add_event_detect", edge)

    def add_event_callback(self, channel: int, callback: Callback) -> None:
        """RPi.GPIO.add_event_callback: one more callback on a channel with edge detection."""
        pin = self.to_bcm(channel)
        state = self.pins[pin]
        if state.edge is None:
            raise RuntimeError(MSG_NO_DETECT)
        state.callbacks.append(callback)

    def remove_event_detect(self, channel: int) -> None:
        """RPi.GPIO.remove_event_detect."""
        pin = self.to_bcm(channel)
        with self._cond:
            state = self.pins[pin]
            state.edge = None
            state.callbacks = []
            state.event_flag = False
            self._record(pin, "remove_event_detect")

    def event_detected(self, channel: int) -> bool:
        """RPi.GPIO.event_detected: True once per detected edge batch, then False."""
        pin = self.to_bcm(channel)
        with self._cond:
            state = self.pins[pin]
            flag, state.event_flag = state.event_flag, False
            return flag

    def wait_for_edge(
        self, channel: int, edge: int, bouncetime: int = -666, timeout: int = -1
    ) -> int | None:
        """RPi.GPIO.wait_for_edge: block until the edge; None after ``timeout`` ms."""
        pin = self.to_bcm(channel)
        if edge not in (RISING, FALLING, BOTH):
            raise ValueError("The edge must be set to RISING, FALLING or BOTH")
        if bouncetime != -666 and bouncetime <= 0:
            raise ValueError("Bouncetime must be greater than 0")
        if timeout != -1 and timeout <= 0:
            raise ValueError("Timeout must be greater than 0")
        with self._cond:
            state = self.pins[pin]
            if state.direction != IN:
                raise RuntimeError("You must setup() the GPIO channel as an input first")
            if state.edge is not None:
                raise RuntimeError(MSG_CONFLICT_WAIT)
            box: list[bool] = []
            entry = (edge, box)
            self._waiters.setdefault(pin, []).append(entry)
            try:
                seconds = None if timeout == -1 else timeout / 1000
                got = self._cond.wait_for(lambda: bool(box), timeout=seconds)
            finally:
                self._waiters[pin].remove(entry)
        return channel if got else None

    def gpio_function(self, channel: int) -> int:
        """RPi.GPIO.gpio_function: IN or OUT (SPI pins report SPI)."""
        pin = self.to_bcm(channel)
        if pin in (7, 8, 9, 10, 11):
            return SPI
        return OUT if self.pins[pin].direction == OUT else IN

    def cleanup(self, channels: Iterable[int] | None = None) -> None:
        """RPi.GPIO.cleanup: set channels back to inputs without pulls; all of them resets
        the numbering mode too."""
        with self._cond:
            if channels is None:
                used = [n for n, p in self.pins.items() if p.direction is not None]
            else:
                used = [self.to_bcm(c) for c in channels]
            if not used and self.warnings:
                warnings.warn(
                    "No channels have been set up yet - nothing to clean up!  "
                    "Try cleaning up at the end of your program instead!",
                    RuntimeWarning,
                    stacklevel=3,
                )
            for pin in used:
                state = self.pins[pin]
                state.direction = None
                state.pull = PUD_OFF
                state.edge = None
                state.callbacks = []
                state.event_flag = False
                self._record(pin, "cleanup")
                self._resolve(pin)
            if channels is None:
                self.mode = None


def _channels(value: Any) -> list[int]:
    if isinstance(value, list | tuple):
        return [int(v) for v in value]
    return [int(value)]


def make_module(sim: GpioSim) -> types.ModuleType:
    """Build an ``RPi.GPIO`` module object whose functions act on ``sim``."""
    mod = types.ModuleType("RPi.GPIO", "Emulated RPi.GPIO (kiosk.hardware.emulator).")
    consts = {
        "UNKNOWN": UNKNOWN, "BOARD": BOARD, "BCM": BCM, "OUT": OUT, "IN": IN, "LOW": LOW,
        "HIGH": HIGH, "PUD_OFF": PUD_OFF, "PUD_DOWN": PUD_DOWN, "PUD_UP": PUD_UP,
        "RISING": RISING, "FALLING": FALLING, "BOTH": BOTH, "SERIAL": SERIAL, "SPI": SPI,
        "I2C": I2C, "HARD_PWM": HARD_PWM, "VERSION": "0.7.1", "RPI_REVISION": 3,
    }  # fmt: skip
    vars(mod).update(consts)
    mod.RPI_INFO = {
        "P1_REVISION": 3, "REVISION": "a02082", "TYPE": "Pi 3 Model B",
        "MANUFACTURER": "Sony", "PROCESSOR": "BCM2837", "RAM": "1G",
    }  # fmt: skip

    def setmode(mode: int) -> None:
        sim.setmode(mode)

    def getmode() -> int | None:
        return sim.mode

    def setwarnings(flag: bool) -> None:
        sim.warnings = bool(flag)

    def setup(channel: Any, direction: int, pull_up_down: int = PUD_OFF, initial: int = -1):
        for ch in _channels(channel):
            sim.setup(ch, direction, pull_up_down, initial)

    def output(channel: Any, value: Any) -> None:
        chans = _channels(channel)
        values = _channels(value) if isinstance(value, list | tuple) else [value] * len(chans)
        if len(values) != len(chans):
            raise RuntimeError("Number of channels != number of values")
        for ch, val in zip(chans, values, strict=True):
            sim.output(ch, val)

    def cleanup(channel: Any = None) -> None:
        sim.cleanup(None if channel is None else _channels(channel))

    funcs = {
        "setmode": setmode,
        "getmode": getmode,
        "setwarnings": setwarnings,
        "setup": setup,
        "output": output,
        "input": sim.input,
        "cleanup": cleanup,
        "add_event_detect": sim.add_event_detect,
        "add_event_callback": sim.add_event_callback,
        "remove_event_detect": sim.remove_event_detect,
        "event_detected": sim.event_detected,
        "wait_for_edge": sim.wait_for_edge,
        "gpio_function": sim.gpio_function,
    }
    vars(mod).update(funcs)
    mod.sim = sim
    return mod
