"""The kiosk's two colour palettes and the WCAG contrast arithmetic that checks them.

Pure Python (no Kivy), so the contrast of every text/background pair the screens draw can be
tested numerically. ``NORMAL``: white type on saturated tiles over a warm light background,
at least WCAG AA (4.5:1) for every pair. ``HIGH_CONTRAST``: light type on black, black type on
bright tiles, at least 7:1 (WCAG AAA) for every pair — for readers who see badly and for
screens in bright rooms. Each action keeps its own colour in both, with its icon.
"""

from __future__ import annotations

from dataclasses import dataclass, field

RGBA = tuple[float, float, float, float]


@dataclass(frozen=True)
class Palette:
    """Every colour the screens use, by the name kiosk.screens.theme gives it."""

    name: str
    BACKGROUND: RGBA
    SURFACE: RGBA
    INK: RGBA
    MUTED: RGBA
    HEADER: RGBA
    ON_COLOUR: RGBA
    OK: RGBA
    REFUSED: RGBA
    ASK_STAFF: RGBA
    NOTICE: RGBA
    OVERDUE_BG: RGBA
    PICKED: RGBA  # the ground of a line pointed out (a book tapped again)
    TABLE_HEAD: RGBA  # the ground of a table's heading row (staff reports)
    STRIPE: RGBA  # every other row of a table
    TILE: dict[str, RGBA] = field(default_factory=dict)

    def colours(self) -> dict[str, RGBA]:
        """The module-level colour constants of kiosk.screens.theme (TILE apart)."""
        return {k: v for k, v in self.__dict__.items() if k.isupper() and k != "TILE"}


NORMAL = Palette(
    name="normal",
    BACKGROUND=(0.97, 0.96, 0.92, 1),
    SURFACE=(1, 1, 1, 1),
    INK=(0.1, 0.1, 0.1, 1),
    MUTED=(0.33, 0.33, 0.33, 1),
    HEADER=(0.08, 0.28, 0.45, 1),
    ON_COLOUR=(1, 1, 1, 1),
    OK=(0.13, 0.48, 0.2, 1),
    REFUSED=(0.72, 0.11, 0.11, 1),
    ASK_STAFF=(0.7, 0.3, 0.0, 1),  # amber dark enough for white type (4.9:1)
    NOTICE=(0.08, 0.4, 0.75, 1),
    OVERDUE_BG=(1, 0.88, 0.86, 1),
    PICKED=(0.9, 0.95, 1, 1),
    TABLE_HEAD=(0.88, 0.9, 0.93, 1),
    STRIPE=(0.93, 0.92, 0.88, 1),
    TILE={
        "borrow": (0.13, 0.48, 0.2, 1),
        "return": (0.08, 0.4, 0.75, 1),
        "search": (0.45, 0.2, 0.55, 1),
        "loans": (0.0, 0.41, 0.36, 1),
        "neutral": (0.3, 0.33, 0.36, 1),
        "staff": (0.25, 0.25, 0.25, 1),
    },
)

HIGH_CONTRAST = Palette(
    name="high_contrast",
    BACKGROUND=(0, 0, 0, 1),
    SURFACE=(0.1, 0.1, 0.1, 1),
    INK=(1, 1, 1, 1),
    MUTED=(0.88, 0.88, 0.88, 1),
    HEADER=(1, 0.9, 0.0, 1),  # yellow bar, black type
    ON_COLOUR=(0, 0, 0, 1),
    OK=(0.35, 0.95, 0.35, 1),
    REFUSED=(1, 0.55, 0.55, 1),
    ASK_STAFF=(1, 0.72, 0.25, 1),
    NOTICE=(0.45, 0.85, 1, 1),
    OVERDUE_BG=(0.22, 0.0, 0.0, 1),
    PICKED=(0.0, 0.08, 0.2, 1),
    TABLE_HEAD=(0.2, 0.2, 0.2, 1),
    STRIPE=(0.14, 0.14, 0.14, 1),
    TILE={
        "borrow": (0.35, 0.95, 0.35, 1),
        "return": (0.45, 0.85, 1, 1),
        "search": (0.88, 0.72, 1, 1),
        "loans": (0.3, 0.95, 0.8, 1),
        "neutral": (0.9, 0.9, 0.9, 1),
        "staff": (0.75, 0.75, 0.75, 1),
    },
)

PALETTES = {p.name: p for p in (NORMAL, HIGH_CONTRAST)}


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def luminance(colour: RGBA | tuple[float, ...]) -> float:
    """WCAG relative luminance of an sRGB colour (0 black .. 1 white)."""
    r, g, b = (_linear(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: RGBA | tuple[float, ...], second: RGBA | tuple[float, ...]) -> float:
    """WCAG contrast ratio of two colours (1 .. 21)."""
    low, high = sorted((luminance(first), luminance(second)))
    return (high + 0.05) / (low + 0.05)


def text_pairs(palette: Palette) -> list[tuple[str, RGBA, RGBA]]:
    """Every (what, type colour, background) pair the screens draw text with."""
    pairs = []
    for ground in ("BACKGROUND", "SURFACE"):
        for ink in ("INK", "MUTED", "HEADER", "OK", "REFUSED", "ASK_STAFF", "NOTICE"):
            pairs.append((f"{ink} on {ground}", getattr(palette, ink), getattr(palette, ground)))
    pairs.append(("INK on OVERDUE_BG", palette.INK, palette.OVERDUE_BG))
    pairs.append(("REFUSED on OVERDUE_BG", palette.REFUSED, palette.OVERDUE_BG))
    for ink in ("INK", "MUTED", "OK", "REFUSED", "ASK_STAFF", "NOTICE"):
        pairs.append((f"{ink} on PICKED", getattr(palette, ink), palette.PICKED))
    for ground in ("TABLE_HEAD", "STRIPE"):
        pairs.append((f"INK on {ground}", palette.INK, getattr(palette, ground)))
    for tile in ("HEADER", "OK", "REFUSED", "ASK_STAFF", "NOTICE"):
        pairs.append((f"ON_COLOUR on {tile}", palette.ON_COLOUR, getattr(palette, tile)))
    for name, colour in palette.TILE.items():
        pairs.append((f"ON_COLOUR on TILE[{name}]", palette.ON_COLOUR, colour))
    return pairs
