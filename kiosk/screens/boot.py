"""Kivy settings that must be made before Kivy's window exists (call before importing kivy).

On the Pi the kiosk runs fullscreen without a desktop: SDL2 on KMS/DRM
(``SDL_VIDEODRIVER=kmsdrm`` when there is no X or Wayland display). The official 7-inch
display is a multitouch device that the kernel also reports as a mouse, and SDL2 emulates
mouse events from touches too: Kivy then sees every tap twice. So in ``run`` mode the only
input provider is the kernel's multitouch device (``mtdev``), and SDL's synthetic mouse events
are dropped (the ``mouse`` provider is not loaded); in the ``[input]`` section of Kivy's
config that is::

    [input]
    mouse =                         # removed: no synthetic mouse from touches
    %(name)s = probesysfs,provider=mtdev

The demo and the tests, under X or Xvfb, keep the mouse provider: there the mouse is the finger.
"""

from __future__ import annotations

import os
from pathlib import Path

SIZES = {
    "800x480": (800, 480),
    "1024x600": (1024, 600),
    "1280x800": (1280, 800),
    "720x1280": (720, 1280),
}


def has_display() -> bool:
    """Whether a graphical display is reachable (X, Wayland, or the Pi's DRM console)."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def configure(
    size: tuple[int, int] = (800, 480),
    *,
    fullscreen: bool = False,
    touchscreen: bool = False,
    kivy_home: Path | None = None,
) -> None:
    """Set Kivy's environment and config for this process (idempotent, before Window)."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")  # our own argparse owns the command line
    os.environ.setdefault("KIVY_NO_FILELOG", "1")  # SD cards wear out: log to the journal
    os.environ.setdefault("KIVY_LOG_MODE", "MIXED")
    if kivy_home is not None:
        os.environ["KIVY_HOME"] = str(kivy_home)
    if touchscreen and not has_display():
        os.environ.setdefault("SDL_VIDEODRIVER", "kmsdrm")
    from kivy.config import Config

    Config.set("graphics", "width", str(size[0]))
    Config.set("graphics", "height", str(size[1]))
    Config.set("graphics", "resizable", "1")
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("kivy", "exit_on_escape", "0")  # readers must not leave the app (staff only)
    Config.set("kivy", "keyboard_mode", "system")  # our own on-screen keyboard, not Kivy's
    Config.set("input", "mouse", "mouse,disable_multitouch")
    if touchscreen:
        Config.remove_option("input", "mouse")
        Config.set("input", "%(name)s", "probesysfs,provider=mtdev")
    else:
        # Under X/Xvfb the pointer is the finger; /dev/input devices would double it.
        for option in list(Config.options("input")):
            if option != "mouse":
                Config.remove_option("input", option)
