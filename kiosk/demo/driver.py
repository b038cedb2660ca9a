"""Drive the real kiosk app frame by frame: simulated touches, emulated tags, screenshots.

The scripted demo (``kiosk demo --script``), the UI tests and ``bench/ui.py`` use it. The app
is not run with ``App.run()`` (which blocks); the driver prepares it and turns Kivy's event
loop one frame at a time (``EventLoop.idle()``), so every step is deterministic. Tags go
through the whole chain: a virtual card on the emulated MFRC522, the real poller thread, the
event queue, the app's pump thread, ``Clock.schedule_once``, the screen.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from kivy.app import App
from kivy.base import EventLoop, runTouchApp
from kivy.core.window import Window
from kivy.input.motionevent import MotionEvent
from kivy.uix.modalview import ModalView
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.demo import sample
from kiosk.hardware import tags
from kiosk.hardware.emulator import Card, MifareClassic1K, Ntag213

_ids = itertools.count(1)


#: A pause between frames while waiting for something (a tag's event, a background import):
#: without a frame-rate cap (the UI tests run uncapped) the loop would otherwise hold the GIL
#: and starve the very thread it waits for.
WAIT_STEP_S = 0.005

class DriverError(AssertionError):
    """A step could not be done (no such button, no event from the reader ...)."""


class _Touch(MotionEvent):
    """A finger at normalised window coordinates (0..1, origin bottom left)."""

    def __init__(self, sx: float, sy: float) -> None:
        super().__init__("kiosk-driver", next(_ids), (sx, sy), is_touch=True)

    def depack(self, args: tuple[float, float]) -> None:
        self.sx, self.sy = args
        self.profile = ["pos"]
        super().depack(args)


def card_for(card: str) -> Card:
    """A virtual card: a sample alias ("reader", "child", "staff") or a 4/7-byte UID in hex."""
    uid = bytes.fromhex(sample.SAMPLE_CARDS.get(card, card))
    return MifareClassic1K(uid) if len(uid) == 4 else Ntag213(uid)


def book_tag(accession: str) -> Ntag213:
    """The labelled NTAG sticker of a sample copy ("LS-0004"): its UID and its label."""
    number = int(accession.rsplit("-", 1)[1])
    card = Ntag213(bytes.fromhex(sample.tag_uid(number)))
    area = tags.encode_ntag_area(tags.BasicBlock(accession), capacity=144)
    for offset in range(0, len(area), 4):
        card.set_page(4 + offset // 4, area[offset : offset + 4])
    return card


def walk(widget: Widget) -> Iterator[Widget]:
    """`widget` and all its descendants."""
    yield widget
    for child in widget.children:
        yield from walk(child)


def visible(widget: Widget) -> bool:
    """Shown: in the window, opaque enough, not disabled (its ancestors included)."""
    node = widget
    while node is not None and node is not Window:
        if node.opacity <= 0.01 or getattr(node, "disabled", False):
            return False
        node = node.parent
    return node is Window and widget.width > 0 and widget.height > 0


class Driver:
    """Plays touches and taps on a prepared KioskApp."""

    def __init__(self, app, hardware=None, timeout: float = 5.0) -> None:
        self.app = app
        self.hardware = hardware
        self.timeout = timeout

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> Driver:
        """Build the app into the (single, shared) window and start Kivy's input loop."""
        self.app._run_prepare()  # App.run() without its blocking main loop
        if EventLoop.status != "started":
            runTouchApp(embedded=True)
        self.frames(3)
        return self

    def stop(self) -> None:
        """Take the app out of the window so another one can be started in this process."""
        for widget in list(Window.children):
            if isinstance(widget, ModalView):
                widget.dismiss(animation=False)
        self.frames(2)
        self.app.dispatch("on_stop")
        if self.app.root is not None and self.app.root.parent is Window:
            Window.remove_widget(self.app.root)
        App._running_app = None

    # -- time -------------------------------------------------------------------------------------
    def frames(self, count: int = 1) -> None:
        for _ in range(count):
            EventLoop.idle()

    def wait_until(self, condition: Callable[[], bool], what: str = "") -> None:
        deadline = time.monotonic() + self.timeout
        while not condition():
            if time.monotonic() > deadline:
                raise DriverError(f"timed out waiting for {what or condition}")
            EventLoop.idle()
            time.sleep(WAIT_STEP_S)

    def run_for(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            EventLoop.idle()
            time.sleep(WAIT_STEP_S)

    def idle(self, seconds: float) -> None:
        """Pretend nobody touched anything for `seconds` (inactivity), then let it show."""
        self.app.idle_skew += seconds
        # The idle check runs every 0.25 s: wait for two of them however slow the frames are.
        checks = self.app.idle_checks + 2
        self.wait_until(lambda: self.app.idle_checks >= checks, "the inactivity check")
        self.frames(2)

    # -- touches ----------------------------------------------------------------------------------
    def tap_at(self, x: float, y: float) -> None:
        touch = _Touch(x / Window.width, y / Window.height)
        EventLoop.post_dispatch_input("begin", touch)
        self.frames(1)
        EventLoop.post_dispatch_input("end", touch)
        self.frames(2)

    def tap(self, widget: Widget) -> None:
        """Touch the centre of `widget`, scrolled into view first."""
        scroller = next((w for w in _ancestors(widget) if isinstance(w, ScrollView)), None)
        if scroller is not None:
            scroller.scroll_to(widget, padding=10, animate=False)
            self.frames(2)
        self.tap_at(*widget.to_window(*widget.center))

    def buttons(self, action: str) -> list[Widget]:
        from kiosk.screens.base import KioskButton

        roots = [w for w in Window.children if isinstance(w, ModalView)] or [self.app.root]
        return [
            w
            for root in roots
            for w in walk(root)
            if isinstance(w, KioskButton) and w.action == action and visible(w)
        ]

    def press(self, action: str) -> None:
        """Touch the visible button named `action` (see KioskButton.action)."""
        found = self.buttons(action)
        if not found:
            raise DriverError(f'no visible button "{action}" on screen {self.app.screen.name}')
        self.tap(found[0])

    def type(self, text: str) -> None:
        """Type on the on-screen keyboard, key by key."""
        from kiosk.flows import keyboard

        for char in text:
            self.press("key-" + (keyboard.SPACE if char == " " else char))

    # -- tags -------------------------------------------------------------------------------------
    def place(self, card: Card) -> None:
        """Put a virtual tag on the reader until the app handled its event, then take it away."""
        if self.hardware is None or self.hardware.rig is None:
            raise DriverError("no emulated reader: the app was started without hardware")
        handled = self.app.events_handled
        self.hardware.rig.reader.place(card)
        try:
            self.wait_until(lambda: self.app.events_handled > handled, "the tag's event")
        finally:
            self.hardware.rig.reader.remove(card)
        self.wait_until(lambda: self.hardware.tag_reader.current is None, "the tag to leave")
        self.frames(2)

    def tap_card(self, card: str) -> None:
        self.place(card_for(card))

    def tap_book(self, accession: str) -> None:
        self.place(book_tag(accession))

    # -- pictures ---------------------------------------------------------------------------------
    def resize(self, width: int, height: int) -> None:
        Window.size = (width, height)
        self.wait_until(lambda: tuple(Window.size) == (width, height), "the window size")
        self.frames(4)

    def screenshot(self, path: Path) -> Path:
        """Save the window as a PNG at `path`."""
        path.parent.mkdir(parents=True, exist_ok=True)
        Window.canvas.ask_update()
        self.frames(3)
        # Kivy inserts a counter before the extension ("x0001.png"): rename to the name asked.
        saved = Path(Window.screenshot(name=str(path.with_suffix(".png"))))
        saved.replace(path)
        return path


def _ancestors(widget: Widget) -> Iterator[Widget]:
    node = widget.parent
    while node is not None and node is not Window:
        yield node
        node = node.parent
