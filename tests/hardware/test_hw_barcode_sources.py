"""Barcode sources: decode worker timeout, two-read confirmer, camera source on a folder of
images, keyboard-wedge parser and scanner on a simulated evdev device."""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
import time
from collections import deque
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from bench.barcode_scenes import Photo, render
from kiosk.hardware import barcode, camera, wedge
from kiosk.hardware.barcode import Code
from kiosk.hardware.camera import (
    CameraBarcodeSource,
    CameraUnavailable,
    Confirmer,
    DecodeWorker,
    FolderFrames,
)
from kiosk.hardware.interfaces import BarcodeSource, CodeSeen
from kiosk.hardware.wedge import WedgeParser, WedgeScanner, classify_text

ISBN = "9786041234567"
BOOK = Code(ISBN, "ISBN13")
CARD = Code("LS-004217", "CODE128")


# -- decode worker ---------------------------------------------------------------------------------
def test_slow_decode_is_abandoned_and_the_caller_goes_on() -> None:
    release = threading.Event()
    calls = []

    def stuck(frame: np.ndarray, order: str) -> list[Code]:
        calls.append(order)
        release.wait(5)  # a zbar call that never ends, until the test lets it
        return [BOOK]

    worker = DecodeWorker(stuck, timeout_s=0.05)
    frame = np.zeros((4, 4), np.uint8)
    t0 = time.monotonic()
    assert worker.decode(frame, "L") is None
    assert time.monotonic() - t0 < 0.5 and worker.timeouts == 1
    # While the abandoned decode still runs, no second thread is started.
    assert worker.busy and worker.decode(frame, "L") is None and worker.skipped == 1
    assert len(calls) == 1
    release.set()
    deadline = time.monotonic() + 2
    while worker.busy and time.monotonic() < deadline:
        time.sleep(0.01)
    # Its late result was dropped; the next frame is decoded again.
    assert worker.decode(frame, "L") == [BOOK] and len(calls) == 2


def test_decoder_error_is_counted_not_raised() -> None:
    def broken(frame: np.ndarray, order: str) -> list[Code]:
        raise RuntimeError("zbar exploded")

    worker = DecodeWorker(broken, timeout_s=1)
    assert worker.decode(np.zeros((2, 2), np.uint8), "L") is None and worker.errors == 1


# -- confirmer -------------------------------------------------------------------------------------
def test_two_identical_reads_are_needed() -> None:
    c = Confirmer(reads=2, window_s=1.0, hold_s=3.0)
    assert c.feed([BOOK], 0.0) == []
    assert c.feed([BOOK], 0.3) == [CodeSeen(ISBN, "ISBN13", 0.3)]
    # held in front of the camera: not again
    assert c.feed([BOOK], 0.6) == [] and c.feed([BOOK], 2.5) == []
    # taken away for longer than hold_s, shown again: two reads again
    assert c.feed([BOOK], 6.0) == []
    assert c.feed([BOOK], 6.2) == [CodeSeen(ISBN, "ISBN13", 6.2)]


def test_reads_too_far_apart_or_different_do_not_confirm() -> None:
    c = Confirmer(reads=2, window_s=1.0)
    misread = Code("9786041234574", "ISBN13")
    assert c.feed([BOOK], 0.0) == [] and c.feed([misread], 0.1) == []
    assert c.feed([BOOK], 1.5) == []  # the first read is too old
    assert c.feed([BOOK, BOOK], 1.6) == [CodeSeen(ISBN, "ISBN13", 1.6)]  # one vote per frame...
    assert c.feed([CARD, CARD], 1.7) == []  # ...so duplicates in a frame do not confirm


# -- camera source on a folder ---------------------------------------------------------------------
def write_frames(folder: Path, scenes: list[tuple[str | None, str]]) -> None:
    """PNG frames in name order: (kind, value) pairs, kind None for an empty frame."""
    folder.mkdir(exist_ok=True)
    for i, (kind, value) in enumerate(scenes):
        photo = Photo(angle=4 * i, noise=3)
        rgb = render(kind, value, photo, seed=i) if kind else render(None, "", photo, seed=i)
        Image.fromarray(rgb).save(folder / f"{i:03d}.png")


def collect(source: BarcodeSource, until: int, timeout: float = 5.0) -> list[CodeSeen]:
    """Start ``source`` with a queue; the events it put there once ``until`` arrived."""
    events: queue.Queue[CodeSeen] = queue.Queue()
    source.start(events.put)
    got: list[CodeSeen] = []
    try:
        while len(got) < until:
            got.append(events.get(timeout=timeout))
    finally:
        source.stop()
    while not events.empty():
        got.append(events.get())
    return got


def test_camera_source_reads_a_folder_with_confirmation(tmp_path: Path) -> None:
    write_frames(
        tmp_path,
        [("ean13", ISBN), (None, ""), ("code128", CARD.value), ("qr", "THUVIEN:READER:42")],
    )
    ticks = iter(np.arange(0, 100, 0.1))
    # decode() has no time budget: this checks the confirmation, and a loaded CI machine must
    # not turn a slow decode into a missed frame (the budget has tests of its own).
    worker = DecodeWorker(lambda frame, order: barcode.decode(frame, order=order), 5)
    source = CameraBarcodeSource(
        FolderFrames(tmp_path, repeat=2), clock=lambda: next(ticks), worker=worker
    )
    assert isinstance(source, BarcodeSource)
    got = collect(source, until=3)
    assert [(e.value, e.symbology) for e in got] == [
        (ISBN, "ISBN13"),
        (CARD.value, "CODE128"),
        ("THUVIEN:READER:42", "QRCODE"),
    ]
    assert source.frames_read == 8


def test_single_frames_are_not_enough(tmp_path: Path) -> None:
    """Each code seen in one frame only (no repeat): nothing is accepted."""
    write_frames(tmp_path, [("ean13", ISBN), ("code128", CARD.value)])
    source = CameraBarcodeSource(FolderFrames(tmp_path))
    calls: list[CodeSeen] = []
    source.start(calls.append)
    deadline = time.monotonic() + 5
    while source.running and time.monotonic() < deadline:
        time.sleep(0.01)
    source.stop()
    assert source.frames_read == 2 and calls == []


def test_stop_is_idempotent_and_silences_callbacks(tmp_path: Path) -> None:
    write_frames(tmp_path, [("ean13", ISBN)])
    source = CameraBarcodeSource(FolderFrames(tmp_path, loop=True), interval_s=0.01)
    calls: list[CodeSeen] = []
    source.start(calls.append)
    deadline = time.monotonic() + 5
    while not calls and time.monotonic() < deadline:
        time.sleep(0.01)
    source.stop()
    source.stop()
    seen = len(calls)
    time.sleep(0.1)
    assert seen == 1 and len(calls) == 1 and not source.running  # held: one event only


def test_empty_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CameraUnavailable, match="No images"):
        FolderFrames(tmp_path)


@pytest.mark.parametrize(
    ("module", "make"),
    [
        ("cv2", lambda: camera.OpenCVFrames(0)),
        ("picamera2", lambda: camera.Picamera2Frames()),
    ],
)
def test_missing_camera_library_is_a_clear_error(monkeypatch, module: str, make) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # import fails, whatever is installed
    with pytest.raises(CameraUnavailable, match="missing"):
        make()


# -- wedge: key events to text ---------------------------------------------------------------------
KEY_OF = {normal: (code, False) for code, (normal, _s) in wedge.KEYMAP.items() if code < 71}
KEY_OF.update({s: (code, True) for code, (n, s) in wedge.KEYMAP.items() if code < 71 and s != n})


def key_events(text: str, enter: int = wedge.KEY_ENTER) -> list[tuple[int, int, int]]:
    """What a US-layout wedge scanner sends for ``text`` then Enter: (type, code, value)."""
    out = []
    for ch in text:
        code, shifted = KEY_OF[ch]
        if shifted:
            out.append((1, wedge.KEY_LEFTSHIFT, 1))
        out += [(1, code, 1), (0, 0, 0), (1, code, 0)]  # EV_SYN between, as evdev reports
        if shifted:
            out.append((1, wedge.KEY_LEFTSHIFT, 0))
    return [*out, (4, 4, 458792), (1, enter, 1), (1, enter, 0)]  # EV_MSC scan code first


def parse(parser: WedgeParser, events: list[tuple[int, int, int]], at: float = 0.0) -> list[str]:
    done = [parser.feed(t, c, v, at) for t, c, v in events]
    return [d for d in done if d is not None]


def test_parser_digits_letters_shift_and_enter() -> None:
    p = WedgeParser()
    assert parse(p, key_events(ISBN)) == [ISBN]
    assert parse(p, key_events("LS-004217")) == ["LS-004217"]
    assert parse(p, key_events("Thu_Vien:42!", enter=wedge.KEY_KPENTER)) == ["Thu_Vien:42!"]


def test_parser_caps_lock_and_keypad() -> None:
    p = WedgeParser()
    caps = [(1, wedge.KEY_CAPSLOCK, 1), (1, wedge.KEY_CAPSLOCK, 0)]
    a, shift = wedge.KEYMAP, wedge.KEY_LEFTSHIFT
    assert a[30][0] == "a"
    events = [*caps, (1, 30, 1), (1, shift, 1), (1, 30, 1), (1, shift, 0), *caps, (1, 30, 1)]
    keypad = [(1, 79, 1), (1, 82, 1), (1, wedge.KEY_ENTER, 1)]  # KP1, KP0
    assert parse(p, events + keypad) == ["Aaa10"]


def test_parser_strips_prefix_and_suffix() -> None:
    p = WedgeParser(prefix="*", suffix="#")
    assert parse(p, key_events(f"*{ISBN}#")) == [ISBN]
    assert parse(p, key_events("LS-1")) == ["LS-1"]  # absent: nothing to strip
    assert parse(p, key_events("*#")) == []  # nothing left: no code


def test_parser_unknown_key_spoils_the_code_and_gap_starts_over() -> None:
    p = WedgeParser(gap_s=0.5)
    f1 = 59
    assert f1 not in wedge.KEYMAP
    events = [*key_events("97860")[:-2], (1, f1, 1), *key_events("41234567")]
    assert parse(p, events) == [] and p.spoiled == 1
    # half a code, then a long silence, then a whole one: never glued together
    assert parse(p, key_events("978")[:-3], at=0.0) == []
    assert parse(p, key_events(ISBN), at=2.0) == [ISBN]


def test_keymap_matches_the_kernel_codes() -> None:
    """Our table's numbers are the kernel's (evdev.ecodes, from input-event-codes.h)."""
    from evdev import ecodes

    names = {
        "1": "KEY_1", "0": "KEY_0", "a": "KEY_A", "q": "KEY_Q", "z": "KEY_Z", "m": "KEY_M",
        "-": "KEY_MINUS", "/": "KEY_SLASH", ".": "KEY_DOT", " ": "KEY_SPACE",
    }  # fmt: skip
    for ch, name in names.items():
        assert KEY_OF[ch][0] == ecodes.ecodes[name], ch
    assert wedge.KEY_ENTER == ecodes.KEY_ENTER and wedge.KEY_KPENTER == ecodes.KEY_KPENTER
    assert wedge.KEY_LEFTSHIFT == ecodes.KEY_LEFTSHIFT and wedge.EV_KEY == ecodes.EV_KEY
    assert wedge.KEYMAP[ecodes.KEY_KP7] == ("7", "7")


def test_classify_text() -> None:
    assert classify_text(ISBN) == BOOK
    assert classify_text("9786041234568") is None  # wrong check digit
    assert classify_text("LS-004217") == Code("LS-004217", "UNKNOWN")
    assert classify_text("]E09786041234567") == BOOK  # AIM identifier
    assert classify_text("]C0LS-004217") == CARD
    assert classify_text("0306406152") == Code("0306406152", "UNKNOWN")
    assert classify_text("0306406152", isbn10=True) == Code("9780306406157", "ISBN13")
    assert classify_text("0306406153", isbn10=True) is None


# -- wedge scanner on a simulated evdev device -----------------------------------------------------
class SimulatedKeyboard:
    """An evdev ``InputDevice`` stand-in with state: a queue of input events, a readiness
    pipe for select(), an exclusive grab, unplugging.

    ``type_text`` is the scanner reading a code. Keys typed while nobody holds the grab go
    to ``desktop`` instead (what the UI would receive); while grabbed they go to the reader.
    """

    grabbed_by_other = False

    def __init__(self) -> None:
        self.fd, self._wake = os.pipe()
        os.set_blocking(self.fd, False)
        self.queue: deque = deque()
        self.grabbed = False
        self.closed = False
        self.unplugged = False
        self.desktop: list[tuple[int, int, int]] = []

    def grab(self) -> None:
        if self.grabbed or self.grabbed_by_other:
            raise OSError(16, "Device or resource busy")
        self.grabbed = True

    def ungrab(self) -> None:
        if not self.grabbed:
            raise OSError(22, "Invalid argument")
        self.grabbed = False

    def close(self) -> None:
        self.closed = True

    def type_text(self, text: str) -> None:
        for t, c, v in key_events(text):
            if self.grabbed:
                self.queue.append(SimpleNamespace(type=t, code=c, value=v))
            else:
                self.desktop.append((t, c, v))
        os.write(self._wake, b"k")

    def unplug(self) -> None:
        self.unplugged = True
        os.write(self._wake, b"u")

    def read(self):
        if self.unplugged:
            raise OSError(19, "No such device")
        with_data = False
        with contextlib.suppress(BlockingIOError):  # nothing written since the last read
            with_data = bool(os.read(self.fd, 4096))
        if not self.queue and not with_data:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        events, self.queue = list(self.queue), deque()
        return iter(events)


def test_wedge_scanner_grabs_and_delivers_checked_codes() -> None:
    device = SimulatedKeyboard()
    device.type_text("typed before start")  # not grabbed yet: goes to the desktop
    scanner = WedgeScanner(device, parser=WedgeParser(prefix="*"))
    assert isinstance(scanner, BarcodeSource)
    events: queue.Queue[CodeSeen] = queue.Queue()
    scanner.start(events.put)
    assert device.grabbed
    desktop_before = len(device.desktop)
    device.type_text(f"*{ISBN}")
    device.type_text("9786041234568")  # wrong check digit: rejected
    device.type_text("*LS-004217")
    got = [events.get(timeout=2), events.get(timeout=2)]
    scanner.stop()
    assert [(e.value, e.symbology) for e in got] == [(ISBN, "ISBN13"), ("LS-004217", "UNKNOWN")]
    assert scanner.rejected == 1
    assert len(device.desktop) == desktop_before  # nothing reached the UI while grabbed
    assert not device.grabbed and not device.closed  # ungrabbed; the caller's to close
    scanner.stop()  # idempotent


def test_wedge_scanner_busy_device_is_a_clear_error() -> None:
    device = SimulatedKeyboard()
    device.grabbed_by_other = True
    with pytest.raises(wedge.ScannerUnavailable, match="in use"):
        WedgeScanner(device).start(lambda e: None)


def test_wedge_scanner_survives_unplugging() -> None:
    device = SimulatedKeyboard()
    scanner = WedgeScanner(device)
    scanner.start(lambda e: None)
    device.unplug()
    deadline = time.monotonic() + 2
    while scanner.running:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    scanner.stop()  # the thread ended by itself; stop is still fine


def test_missing_evdev_is_a_clear_error(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "evdev", None)
    with pytest.raises(wedge.ScannerUnavailable, match="evdev"):
        WedgeScanner("/dev/input/event99").start(lambda e: None)


def test_missing_device_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(wedge.ScannerUnavailable, match="cannot be opened"):
        WedgeScanner(str(tmp_path / "event99")).start(lambda e: None)
