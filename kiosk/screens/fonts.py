"""Fonts that cover Vietnamese stacked marks (ẩ, Ễ, ặ ...) and the icon glyphs.

Kivy's bundled Roboto lacks some precomposed Vietnamese letters, so the kiosk registers a
system font as Kivy's default: Noto Sans (Debian ``fonts-noto-core``) or, failing that,
DejaVu Sans (``fonts-dejavu-core``, present on Raspberry Pi OS). Icons are drawn with Noto Sans
Symbols 2 (``fonts-noto-core``), falling back to DejaVu Sans, which has the basic ones.
Nothing is shipped in the repository: both are packaged by Debian, with their licences.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/opentype/noto"),
)
TEXT_FAMILIES = (
    ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
)
ICON_FILES = ("NotoSansSymbols2-Regular.ttf", "DejaVuSans.ttf")
ICON_FONT = "KioskIcons"


class FontMissing(RuntimeError):
    """No font covering Vietnamese is installed."""


@dataclass(frozen=True)
class Fonts:
    regular: Path
    bold: Path
    icons: Path


def _find(name: str, dirs: tuple[Path, ...]) -> Path | None:
    for folder in dirs:
        if (folder / name).is_file():
            return folder / name
    return None


def locate(dirs: tuple[Path, ...] = FONT_DIRS) -> Fonts:
    """The text and icon fonts to use; FontMissing says which Debian package to install."""
    for regular_name, bold_name in TEXT_FAMILIES:
        regular = _find(regular_name, dirs)
        if regular is not None:
            bold = _find(bold_name, dirs) or regular
            icons = next((p for p in (_find(n, dirs) for n in ICON_FILES) if p), regular)
            return Fonts(regular, bold, icons)
    raise FontMissing(
        "No font with Vietnamese letters found: sudo apt-get install fonts-noto-core "
        "(or fonts-dejavu-core)"
    )


def register(fonts: Fonts | None = None) -> Fonts:
    """Make the found font Kivy's default (every Label, TextInput ...) and register icons."""
    from kivy.core.text import DEFAULT_FONT, LabelBase

    fonts = fonts or locate()
    LabelBase.register(DEFAULT_FONT, fn_regular=str(fonts.regular), fn_bold=str(fonts.bold))
    LabelBase.register(ICON_FONT, fn_regular=str(fonts.icons))
    return fonts
