"""Real photographs of barcodes (tests/hardware/photos), as camera frames, turned and framed.

The one real photograph available (see tests/hardware/photos/README.md) shows seven Code 39
labels in a column. ``photo_frames`` gives it as a 640x480 camera would see it, upright and
turned by 90, 180 and 270 degrees and by the in-between angles a hand holds a sheet at (the
pixels are the photograph's, turned and resampled, at its own scale: the frame shows the
middle of the sheet, three to five of its labels). Used by bench/barcode.py (a table of
its own) and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

PHOTOS = Path(__file__).resolve().parent.parent / "tests" / "hardware" / "photos"
CODE39_LABELS = PHOTOS / "code39-labels.jpg"
CODE39_VALUES = (
    "201541368446", "201541350294", "201541395223", "201541332768",
    "201541371885", "201541393029", "201541332863",
)  # fmt: skip
ANGLES = (0, 90, 180, 270, 15, 30, 45, 60, -20, -40, -75)
FRAME = (640, 480)
DESK = (118, 112, 104)


@dataclass(frozen=True)
class PhotoFrame:
    """One frame made from a real photograph: RGB pixels, the values on it, the turn."""

    rgb: np.ndarray
    values: tuple[str, ...]
    angle: int


def frame(photo: Image.Image, angle: float) -> np.ndarray:
    """``photo`` turned by ``angle`` degrees (counter-clockwise) at its own scale, and the
    middle 640x480 of it as the kiosk's camera would frame the sheet held up to it (the
    parts of the frame the sheet does not cover show a plain desk)."""
    turned = photo.convert("RGB").rotate(
        angle, Image.Resampling.BICUBIC, expand=True, fillcolor=DESK
    )
    canvas = Image.new("RGB", FRAME, DESK)
    canvas.paste(turned, ((FRAME[0] - turned.width) // 2, (FRAME[1] - turned.height) // 2))
    return np.asarray(canvas)


def photo_frames(angles: tuple[int, ...] = ANGLES) -> list[PhotoFrame]:
    """The Code 39 sheet at each of ``angles``."""
    with Image.open(CODE39_LABELS) as photo:
        photo.load()
        return [PhotoFrame(frame(photo, a), CODE39_VALUES, a) for a in angles]
