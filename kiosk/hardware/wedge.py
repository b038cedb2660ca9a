"""USB keyboard-wedge barcode scanners, read through evdev and grabbed from the desktop.

A wedge scanner is a USB keyboard that types what it reads and presses Enter. Left to the
desktop, its keystrokes would land in whatever widget has focus (a search box, the PIN
pad). We open its ``/dev/input/event*`` device with evdev (the optional ``scanner`` extra)
and ``grab()`` it, so its keys reach no one else, and turn key events into text ourselves.

Two layers, so the key logic is tested without a device:

* :class:`WedgeParser`: Linux key events (type, code, value) -> completed codes. Digits,
  letters, punctuation, Shift and Caps Lock (US layout, the scanners' default); Enter (or
  keypad Enter) ends a code; a configured prefix and suffix are stripped; a key it does not
  know spoils the code (dropped, never half-read); a long gap between keys starts over.
* :class:`WedgeScanner`: a :class:`~kiosk.hardware.interfaces.BarcodeSource` on an evdev
  ``InputDevice`` (or any object with ``fd``, ``read()``, ``grab()``, ``ungrab()`` and
  ``close()``, such as the tests' simulated device).

Confirmation: a wedge scanner checks its reads itself (several scan lines must agree; most
have a "redundancy" setting), so ``reads`` defaults to 1 here: asking a reader to scan each
book twice would be a worse kiosk, not a safer one. EAN-13 and ISBN check digits are
verified all the same.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import select
import threading
import time
from collections.abc import Callable
from typing import Any

from kiosk.hardware.barcode import EAN13, UNKNOWN, Code, classify
from kiosk.hardware.camera import Confirmer
from kiosk.hardware.interfaces import CodeSeen
from kiosk.i18n import _
from kiosk.threads import Loop

log = logging.getLogger(__name__)

EV_KEY = 1
KEY_UP, KEY_DOWN, KEY_HOLD = 0, 1, 2
KEY_ENTER, KEY_KPENTER = 28, 96
KEY_LEFTSHIFT, KEY_RIGHTSHIFT, KEY_CAPSLOCK = 42, 54, 58
SHIFTS = (KEY_LEFTSHIFT, KEY_RIGHTSHIFT)
ENTERS = (KEY_ENTER, KEY_KPENTER)

# Linux key codes (input-event-codes.h, stable ABI) -> (character, shifted character), US
# layout. The tests check these numbers against evdev.ecodes.
KEYMAP: dict[int, tuple[str, str]] = {
    2: ("1", "!"), 3: ("2", "@"), 4: ("3", "#"), 5: ("4", "$"), 6: ("5", "%"),
    7: ("6", "^"), 8: ("7", "&"), 9: ("8", "*"), 10: ("9", "("), 11: ("0", ")"),
    12: ("-", "_"), 13: ("=", "+"), 26: ("[", "{"), 27: ("]", "}"), 39: (";", ":"),
    40: ("'", '"'), 41: ("`", "~"), 43: ("\\", "|"), 51: (",", "<"), 52: (".", ">"),
    53: ("/", "?"), 57: (" ", " "),
    # keypad: some scanners type digits there ("Alt mode" off, NumLock assumed on)
    71: ("7", "7"), 72: ("8", "8"), 73: ("9", "9"), 74: ("-", "-"), 75: ("4", "4"),
    76: ("5", "5"), 77: ("6", "6"), 78: ("+", "+"), 79: ("1", "1"), 80: ("2", "2"),
    81: ("3", "3"), 82: ("0", "0"), 83: (".", "."), 55: ("*", "*"), 98: ("/", "/"),
}  # fmt: skip
_LETTER_ROWS = ((16, "qwertyuiop"), (30, "asdfghjkl"), (44, "zxcvbnm"))
for _first, _letters in _LETTER_ROWS:
    for _offset, _letter in enumerate(_letters):
        KEYMAP[_first + _offset] = (_letter, _letter.upper())

# AIM symbology identifiers, which a scanner can be set to send before each code: they
# tell us what it read. Only the ones we act on.
AIM_IDS = {"]E0": EAN13, "]C0": "CODE128", "]C1": "CODE128", "]Q1": "QRCODE", "]Q3": "QRCODE"}


class ScannerUnavailable(RuntimeError):
    """The scanner cannot be used; the message says what to install or fix."""


# -- keys to text ----------------------------------------------------------------------------------
class WedgeParser:
    """Turns key events into the scanner's codes (see the module docstring)."""

    def __init__(self, prefix: str = "", suffix: str = "", gap_s: float = 0.5) -> None:
        self.prefix = prefix
        self.suffix = suffix
        self.gap_s = gap_s
        self.spoiled = 0  # codes dropped because of an unknown key
        self._chars: list[str] = []
        self._shift: set[int] = set()
        self._caps = False
        self._bad = False
        self._last_at: float | None = None

    def reset(self) -> None:
        """Forget a code half typed (the device was unplugged or reopened)."""
        self._chars, self._bad, self._shift = [], False, set()

    def feed(self, type_: int, code: int, value: int, at: float = 0.0) -> str | None:
        """One input event; returns the completed code's text when Enter ends it."""
        if type_ != EV_KEY:
            return None  # EV_SYN, EV_MSC scan codes: nothing to do
        if code in SHIFTS:
            (self._shift.add if value != KEY_UP else self._shift.discard)(code)
            return None
        if value != KEY_DOWN:
            return None  # releases, and autorepeat (a scanner never holds a key)
        if self._last_at is not None and at - self._last_at > self.gap_s and self._chars:
            self.reset()  # the rest of an interrupted code: never glue two halves together
        self._last_at = at
        if code == KEY_CAPSLOCK:
            self._caps = not self._caps
        elif code in ENTERS:
            return self._complete()
        elif code in KEYMAP:
            self._chars.append(self._char(code))
        else:
            self._bad = True
        return None

    def _char(self, code: int) -> str:
        normal, shifted = KEYMAP[code]
        upper = bool(self._shift)
        if normal.isalpha() and self._caps:
            upper = not upper
        return shifted if upper else normal

    def _complete(self) -> str | None:
        text, bad = "".join(self._chars), self._bad
        self.reset()
        if bad:
            self.spoiled += 1
            return None
        if self.prefix and text.startswith(self.prefix):
            text = text[len(self.prefix) :]
        if self.suffix and text.endswith(self.suffix):
            text = text[: -len(self.suffix)]
        return text or None


def classify_text(text: str, *, isbn10: bool = False) -> Code | None:
    """The checked code for a scanner's text, or None if a check digit is wrong.

    An AIM identifier (``]E0`` ...) says the symbology. Otherwise 13 digits are taken as an
    EAN-13 (so the check digit must be right); with ``isbn10`` (a scanner set to send ISBN-10
    for books) a 10-character ISBN is checked and given as its ISBN-13. Anything else is
    passed on as it came, symbology ``UNKNOWN`` (reader cards, accession labels).
    """
    symbology = AIM_IDS.get(text[:3])
    if symbology is None and text.startswith("]") and len(text) > 3:
        symbology, text = UNKNOWN, text[3:]  # an identifier we do not act on
    elif symbology is not None:
        text = text[3:]
    if symbology in (None, UNKNOWN):
        if len(text) == 13 and text.isdigit():
            symbology = EAN13
        elif isbn10 and len(text.replace("-", "")) == 10:
            symbology = "ISBN10"
        else:
            symbology = UNKNOWN
    return classify(text, symbology)


# -- the device ------------------------------------------------------------------------------------
def open_device(path: str) -> Any:
    """An evdev ``InputDevice`` for ``path`` (lazy import: the ``scanner`` extra)."""
    try:
        evdev = importlib.import_module("evdev")
    except ImportError as exc:
        raise ScannerUnavailable(
            _("The evdev module is missing: pip install 'thuvien-kiosk[scanner]'.")
        ) from exc
    try:
        return evdev.InputDevice(path)
    except OSError as exc:
        raise ScannerUnavailable(
            _(
                "The barcode scanner {path} cannot be opened ({error}). Check that it is "
                "plugged in and that the kiosk user is in the input group."
            ).format(path=path, error=exc.strerror or exc)
        ) from exc


class WedgeScanner:
    """A :class:`~kiosk.hardware.interfaces.BarcodeSource` on a grabbed keyboard-wedge scanner.

    ``device`` is a path (``/dev/input/by-id/usb-...-event-kbd``: stable across reboots) or
    an already open device object. If the path's device goes away (unplugged), it is
    reopened every ``reopen_s`` seconds.
    """

    def __init__(
        self,
        device: str | Any,
        *,
        parser: WedgeParser | None = None,
        confirmer: Confirmer | None = None,
        isbn10: bool = False,
        reopen_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = device if isinstance(device, str) else None
        self._device = None if isinstance(device, str) else device
        self.parser = parser or WedgeParser()
        # One read (see the module docstring); a double trigger within a second is one scan.
        self.confirmer = confirmer or Confirmer(reads=1, hold_s=1.0)
        self.isbn10 = isbn10
        self.reopen_s = reopen_s
        self.clock = clock
        self.rejected = 0  # codes with a wrong check digit
        self._lock = threading.Lock()
        self._loop = Loop("barcode-wedge", self._read)
        self._on_code: Callable[[CodeSeen], None] | None = None

    @property
    def running(self) -> bool:
        """True while the reading thread runs (it ends by itself when a scanner given as a
        device object is unplugged: that cannot be reopened)."""
        return self._loop.alive

    def start(self, on_code: Callable[[CodeSeen], None]) -> None:
        """Open and grab the scanner, then read it on a thread of our own (idempotent).

        Raises ScannerUnavailable if it cannot be opened or grabbed (another program holds
        it): the kiosk must not run with a scanner that types into its UI.
        """
        if self._loop.alive:
            return
        self._open()
        self._on_code = on_code
        self._loop.start()

    def stop(self) -> None:
        """Stop reading, ungrab and close; ``on_code`` is not called after this returns."""
        with self._lock:
            self._on_code = None
        self._loop.stop()
        self._close()

    def _open(self) -> None:
        if self._device is None:
            assert self.path is not None
            self._device = open_device(self.path)
        try:
            self._device.grab()
        except OSError as exc:  # EBUSY: grabbed by another program
            raise ScannerUnavailable(
                _("The barcode scanner is in use by another program ({error}).").format(
                    error=exc.strerror or exc
                )
            ) from exc
        self.parser.reset()

    def _close(self) -> None:
        device, self._device = self._device, None
        if device is None:
            return
        with contextlib.suppress(OSError):  # already gone (unplugged)
            device.ungrab()
        if self.path is not None:
            device.close()  # ours to close; a device object given to us is the caller's

    def _read(self) -> float | None:
        """Read what the scanner typed for up to 0.1 s; the wait before the next read (None:
        the scanner is gone for good)."""
        if self._device is None:
            return self._reopen()
        try:
            ready, _w, _x = select.select([self._device.fd], [], [], 0.1)
            events = list(self._device.read()) if ready else []
        except BlockingIOError:
            return 0
        except OSError as exc:  # ENODEV: unplugged
            log.warning("barcode scanner lost: %s", exc)
            self._close()
            # a device object given to us cannot be reopened; a path is tried again shortly
            return self.reopen_s if self.path is not None else None
        for event in events:
            text = self.parser.feed(event.type, event.code, event.value, self.clock())
            if text is not None:
                self._text(text)
        return 0

    def _reopen(self) -> float:
        """Open the unplugged scanner again: at once if it is back, else after a pause."""
        try:
            self._open()
            return 0
        except ScannerUnavailable as exc:
            log.warning("%s", exc)
            self._device = None
            return self.reopen_s

    def _text(self, text: str) -> None:
        code = classify_text(text, isbn10=self.isbn10)
        if code is None:
            self.rejected += 1
            log.info("scanner code rejected (check digit): %r", text)
            return
        seen = self.confirmer.feed([code], self.clock())
        with self._lock:
            if self._on_code is not None:
                for event in seen:
                    self._on_code(event)
