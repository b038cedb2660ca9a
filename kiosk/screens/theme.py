"""Colours, icon glyphs and type sizes, scaled to the window.

Sizes follow the window: the 7-inch 800x480 display is the reference (scale 1), a larger or
portrait screen scales type and buttons up, never below the reference (elderly readers).
Touch targets never go under 48 dp (``MIN_TARGET``).

Two accessibility modes, chosen on the staff Settings screen (kiosk.preferences):
- large text: ``Theme.large_text`` multiplies the type sizes (``TEXT_SCALE``); .kv rules bind
  to them, so it works live; FitLabel still shrinks a text that would not fit its box;
- high contrast: :func:`use_palette` swaps the module's colour constants (kiosk.screens.palette).
  .kv rules read them when a widget is built, so the app rebuilds its screens after a switch.
"""

from __future__ import annotations

from kivy.event import EventDispatcher
from kivy.metrics import dp, sp
from kivy.properties import BooleanProperty, NumericProperty

from kiosk.screens import palette as palettes

MIN_TARGET = dp(48)
TEXT_SCALE = 1.3  # type sizes in large-text mode

# Colours (RGBA 0..1), set by use_palette(): the normal palette until a site asks otherwise.
BACKGROUND = SURFACE = INK = MUTED = HEADER = ON_COLOUR = palettes.NORMAL.INK
OK = REFUSED = ASK_STAFF = NOTICE = OVERDUE_BG = PICKED = palettes.NORMAL.INK
TABLE_HEAD = STRIPE = palettes.NORMAL.INK
TILE: dict[str, tuple[float, float, float, float]] = {}
palette = palettes.NORMAL


def use_palette(high_contrast: bool) -> palettes.Palette:
    """Switch every colour constant to the normal or the high-contrast palette. Widgets
    built afterwards take the new colours (the app rebuilds its screens)."""
    global palette
    palette = palettes.HIGH_CONTRAST if high_contrast else palettes.NORMAL
    globals().update(palette.colours())
    TILE.clear()  # the same dict object: modules holding it see the new tiles
    TILE.update(palette.TILE)
    return palette


use_palette(False)

# Icon glyphs (Noto Sans Symbols 2; see kiosk.screens.fonts).
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
    "help": "\u2753",  # question mark ornament
    "settings": "\U0001f6e0",  # hammer and wrench
    "volume": "\U0001f50a",  # speaker with sound waves
    "mute": "\U0001f507",  # speaker crossed out
    "large_text": "\U0001f5da",  # increase font size
    "contrast": "\u25d1",  # circle with right half black
    "play": "\u25b6",
    "close": "\u2716",
    "listen": "\U0001f5e3",  # speaking head
    "language": "\U0001f5e3",
    "done": "\u2714",
    "calendar": "\U0001f5d3",
    "qr": "\u25a6",  # square with a crosshatch: the QR receipt
    "print": "\U0001f5b6",  # printer icon (Noto Sans Symbols 2): the paper slip
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
    large_text = BooleanProperty(False)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._size = (800.0, 480.0)
        self.fbind("large_text", lambda *_a: self.fit(*self._size))

    def fit(self, width: float, height: float) -> None:
        """Scale to a window of `width` x `height` pixels (and to the large-text mode)."""
        self._size = (width, height)
        landscape = width >= height
        ref_w, ref_h = (800, 480) if landscape else (480, 800)
        scale = max(1.0, min(width / ref_w, height / ref_h, 1.6))
        # Large text: type grows by TEXT_SCALE; bars and buttons a little, to give it room.
        words, room = (TEXT_SCALE, 1.12) if self.large_text else (1.0, 1.0)
        self.scale = scale
        self.text = sp(20) * scale * words
        self.small = sp(16) * scale * words
        self.title = sp(26) * scale * words
        self.huge = sp(52) * scale * min(words, 1.15)
        self.icon = sp(40) * scale * min(words, 1.15)
        self.pad = dp(10) * scale
        self.button = max(MIN_TARGET, dp(60) * scale * room)
        self.header = max(MIN_TARGET, dp(56) * scale * room)
