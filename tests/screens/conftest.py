"""UI tests drive the real Kivy app on a display: $DISPLAY if set, else a private Xvfb
started here for the session (kiosk.demo.xvfb), so plain `pytest` works headless in CI.

Kivy allows one window per process: every test gets a fresh app (and a fresh sample library
on a fresh emulated reader) in that same window. Kivy is imported only inside fixtures, after
the display and Kivy's settings are in place.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.clock import FixedClock
from tests.conftest import START

# Kivy is not imported here (kiosk.screens.boot goes first), but it must be there: scripts/setup
# installs the ui extra, and a missing UI is a failure, not a reason to skip.
assert importlib.util.find_spec("kivy") is not None, "Kivy is missing: run scripts/setup dev,ui"

# No frame-rate cap: a test's frames then cost their drawing, not a sleep to 60 fps. Set before
# any test module imports Kivy (its config reads the environment once).
os.environ.setdefault("KCFG_GRAPHICS_MAXFPS", "0")

IDLE_WARNING = 30.0
IDLE_COUNTDOWN = 10.0


def still() -> float:
    """The apps' inactivity clock in tests: it moves only when a test says time passes
    (``Driver.idle``), so a loaded machine's slow frames never end a session mid-test."""
    return 0.0


@pytest.fixture(scope="session")
def display(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from kiosk.demo import xvfb
    from kiosk.screens import boot

    own = not boot.has_display()
    with xvfb.virtual_display() if own else contextlib.nullcontext("") as name:
        boot.configure((800, 480), kivy_home=tmp_path_factory.mktemp("kivy-home"))
        from kivy.clock import Clock
        from kivy.core.window import Window  # noqa: F401  (connects to the display now)

        assert Clock._max_fps == 0, "Kivy was configured before the UI tests' display"

        if own:  # later tests' subprocesses must not see our private display
            os.environ.pop("DISPLAY", None)
        yield name


@pytest.fixture
def kiosk(display: str, tmp_path: Path):
    """The sample library on the emulated reader, with a clock the test controls."""
    from kiosk.wiring import open_demo

    opened = open_demo(tmp_path / "data", clock=FixedClock(START))
    # Silent, even on a machine with a sound card (tests that listen bring their own sink).
    opened.config = replace(opened.config, audio=replace(opened.config.audio, sink="null"))
    yield opened
    opened.close()


@pytest.fixture
def ui(kiosk):
    """A started app and its driver, at 800x480, in the kiosk's language (Vietnamese)."""
    from kiosk.demo.driver import Driver

    app = kiosk.make_app(idle_warning=IDLE_WARNING, idle_countdown=IDLE_COUNTDOWN, monotonic=still)
    driver = Driver(app, kiosk.hardware).start()
    driver.resize(800, 480)
    yield driver
    driver.stop()


def texts(driver) -> list[str]:
    """Every visible label's text on the window (screen and overlays)."""
    from kivy.core.window import Window
    from kivy.uix.label import Label

    from kiosk.demo.driver import visible, walk

    return [
        w.text
        for root in Window.children
        for w in walk(root)
        if isinstance(w, Label) and w.text and visible(w)
    ]


def shows(driver, fragment: str) -> bool:
    """Whether a visible label contains `fragment`."""
    return any(fragment in text for text in texts(driver))
