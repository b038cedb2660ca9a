"""Colours, icon glyphs and type sizes, scaled to the window.

Sizes follow the window: the 7-inch 800x480 display is the reference (scale 1), a larger or
portrait screen scales type and buttons up, never below the reference (elderly readers).
Touch targets never go under 48 dp (``MIN_TARGET``).
"""

from __future__ import annotations

from kivy.event import EventDispatcher
from kivy.metrics import dp, sp
from kivy.properties import NumericProperty

MIN_TARGET = dp(48)

# Colours (RGBA 0..1): high contrast on a warm light background.
BACKGROUND = (0.97, 0.96, 0.92, 1)
SURFACE = (1, 1, 1, 1)
INK = (0.1, 0.1, 0.1, 1)
MUTED = (0.33, 0.33, 0.33, 1)
HEADER = (0.08, 0.28, 0.45, 1)
ON_COLOUR = (1, 1, 1, 1)
OK = (0.13, 0.48, 0.2, 1)
REFUSED = (0.72, 0.11, 0.11, 1)
ASK_STAFF = (0.85, 0.35, 0.0, 1)
NOTICE = (0.08, 0.4, 0.75, 1)
OVERDUE_BG = (1, 0.88, 0.86, 1)
TILE = {
    "borrow": (0.13, 0.48, 0.2, 1),
    "return": (0.08, 0.4, 0.75, 1),
    "search": (0.45, 0.2, 0.55, 1),
    "loans": (0.0, 0.41, 0.36, 1),
    "neutral": (0.3, 0.33, 0.36, 1),
    "staff": (0.25, 0.25, 0.25, 1),
}

# Icon glyphs (Noto Sans Symbols 2; see kiosk.ui.fonts).
ICONS = {
    "borrow": "\U0001f4da",  # books
    "return": "\u2b8c",  # return arrow
    "search": "\U0001f50d",  # magnifier
    "loans": "\U0001f4cb",  # clipboard
    "staff": "\U0001f512",  # lock
    "card": "\U0001f4b3",  # card
    "ok": "\u2714",
    "refused": "\u2718",
    "ask": "\u26a0",
    "notice": "\U0001f6c8",
    "wait": "\u23f3",
    "renew": "\U0001f5d8",
    "home": "\U0001f3e0",
    "book": "\U0001f56e",
    "back": "\u2b8c",
}


class Theme(EventDispatcher):
    """Sizes for the current window; .kv rules bind to them (``app.theme.text``)."""

    scale = NumericProperty(1.0)
    text = NumericProperty(sp(20))
    small = NumericProperty(sp(16))
    title = NumericProperty(sp(26))
    huge = NumericProperty(sp(52))
    icon = NumericProperty(sp(40))
    pad = NumericProperty(dp(10))
    button = NumericProperty(dp(60))
    header = NumericProperty(dp(56))

    def fit(self, width: float, height: float) -> None:
        """Scale to a window of `width` x `height` pixels."""
        landscape = width >= height
        ref_w, ref_h = (800, 480) if landscape else (480, 800)
        scale = max(1.0, min(width / ref_w, height / ref_h, 1.6))
        self.scale = scale
        self.text = sp(20) * scale
        self.small = sp(16) * scale
        self.title = sp(26) * scale
        self.huge = sp(52) * scale
        self.icon = sp(40) * scale
        self.pad = dp(10) * scale
        self.button = max(MIN_TARGET, dp(60) * scale)
        self.header = max(MIN_TARGET, dp(56) * scale)
