"""Barcode decoding for camera frames and photographs: zbar behind a cascade of cheap retries.

``decode(image)`` takes a PIL image or a numpy array (grey, or colour in any channel order:
say which with ``order``) and returns the :class:`Code` values found, each with its value and
symbology. Only the symbologies a reading room meets are enabled: EAN-13 (book covers;
978/979 are reported as ``ISBN13``), Code 128 (reader cards, shelf labels) and QR (reader
cards). Every EAN-13 has its check digit verified again here, so a misread is dropped rather
than looked up as another book.

Why a cascade: zbar alone reads a sharp, upright, well-lit code, but a kiosk camera or a
phone photo gives tilted, small, dim, blurred codes. Each step below is cheap and the
cascade stops at the first step that reads something, so a good frame costs one zbar call;
a bad one costs what the time budget allows, never more (a kiosk sees many frames with no
code at all, and those decide the p95). Steps, in order (``bench/barcode.py`` measures
what each buys):

1. ``plain``: the grey image as it is (huge photos are first reduced to a working size).
2. ``located``: find the barcode-like regions (many parallel edges: the structure tensor),
   turn each upright whatever its tilt, crop, stretch its contrast and enlarge it if small.
   Tilt, perspective, small 1D codes.
3. ``sharpened``: contrast stretched and an unsharp mask: defocus and motion blur.
4. ``stretched``: contrast stretched alone (enlarged if the image is small): dim frames,
   small QR codes that step 2 cannot see as parallel bars.
5. ``rotated``: the image turned by 45 degrees (tilted codes that step 2 missed).
6. ``full``: for a photo reduced in step 1, the full resolution.

Measured on the benchmark's 300 frames (each step alone, how many codes it reads that the
plain pass misses, greedy order): plain 197 of 250, located +14, sharpened +10, stretched +2,
rotated +2; enlarging whole VGA frames 2x bought 1 more for 4x the time, rotations by 30 and
60 degrees nothing more: both left out.

Careful with colour: pyzbar given a colour numpy array reads only its first channel (blue
for OpenCV's BGR frames, where a red code or a yellowish page disappears); we convert to
luma with the right weights for the declared channel order.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from ctypes import c_void_p, cast
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image, ImageFilter, ImageOps
from pyzbar import pyzbar
from pyzbar import wrapper as zbar_wrapper
from pyzbar.wrapper import ZBarConfig, ZBarSymbol

from kiosk.isbn import ean13_ok, isbn10_ok, isbn10_to_13

# Symbology names as :class:`kiosk.hardware.interfaces.CodeSeen` carries them.
EAN13 = "EAN13"
ISBN13 = "ISBN13"
CODE128 = "CODE128"
QRCODE = "QRCODE"
UNKNOWN = "UNKNOWN"  # a keyboard-wedge scanner that does not say what it read

ZBAR_SYMBOLS = (ZBarSymbol.EAN13, ZBarSymbol.CODE128, ZBarSymbol.QRCODE)
# Enabling fewer symbologies halves zbar's time on a busy frame and removes whole families
# of false reads (Databar, Codabar, I2/5 on book-cover textures).

DEFAULT_BUDGET_S = 0.026
# Retries stop once this much time has gone by for a 640x480 frame (the 30 ms per frame goal,
# less the capture); a larger image gets proportionally more, so a 12 MP photo gets ~1 s.
VGA_PIXELS = 640 * 480
WORK_LONG_SIDE = 1280  # photos larger than this are first tried reduced (zbar time ~ pixels)
SMALL_LONG_SIDE = 480  # images smaller than this are enlarged for the contrast-stretch step
MIN_CODE128_LENGTH = 3  # shorter Code 128 reads are more often noise than a card number
ORDERS = ("RGB", "BGR", "RGBA", "BGRA", "L")


@dataclass(frozen=True)
class Code:
    """One code read from an image: its text and symbology (``ISBN13``, ``EAN13``, ...)."""

    value: str
    symbology: str


@dataclass
class DecodeReport:
    """What ``decode_report`` did: the codes, the step that found them, the steps tried."""

    codes: list[Code]
    step: str | None  # the name of the successful step, None if nothing was read
    tried: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0


# -- validation ------------------------------------------------------------------------------------
def classify(value: str, symbology: str) -> Code | None:
    """The checked :class:`Code` for a raw read, or None if it must be rejected.

    EAN-13 must have a right check digit (978/979 become ``ISBN13``); an ISBN-10 (from a
    scanner set to send them) must have a right check digit and is given as its ISBN-13, the
    one form the catalogue stores; Code 128 must be printable and not trivially short.
    """
    value = value.strip()
    if symbology in (EAN13, ISBN13):
        if not ean13_ok(value):
            return None
        return Code(value, ISBN13 if value[:3] in ("978", "979") else EAN13)
    if symbology == "ISBN10":
        chars = value.replace("-", "").upper()
        return Code(isbn10_to_13(chars), ISBN13) if isbn10_ok(chars) else None
    if symbology == CODE128:
        ok = len(value) >= MIN_CODE128_LENGTH and value.isprintable()
        return Code(value, CODE128) if ok else None
    if symbology == QRCODE:
        return Code(value, QRCODE) if value else None
    return Code(value, symbology) if value and value.isprintable() else None


def _checked(results: list[Any]) -> list[Code]:
    """pyzbar results -> checked codes, without duplicates or conflicting reads."""
    codes: list[Code] = []
    for result in _without_conflicts(results):
        try:
            text = result.data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # binary QR content is not something we issue
        code = classify(text, result.type)
        if code is not None and code not in codes:
            codes.append(code)
    return codes


def _without_conflicts(results: list[Any]) -> list[Any]:
    """Drop 1D reads contradicted by a longer read of the same place.

    Blur can make zbar read half an EAN-13 as another valid EAN-13 (seen: "0083100004871"
    from the left half of "8934841916362", check digit right by chance). Two different
    values over overlapping boxes cannot both be true: the read spanning the longer
    stretch of bars wins if clearly longer; otherwise neither is trusted.
    """
    kept = []
    for r in results:
        rivals = [o for o in results if o is not r and o.type == r.type != "QRCODE"]
        rivals = [o for o in rivals if o.data != r.data and _overlap(o.rect, r.rect)]
        if all(_extent(r.rect) >= 1.3 * _extent(o.rect) for o in rivals):
            kept.append(r)
    return kept


def _extent(rect: Any) -> int:
    return max(rect.width, rect.height)


def _overlap(a: Any, b: Any) -> bool:
    return (
        a.left <= b.left + b.width
        and b.left <= a.left + a.width
        and a.top <= b.top + b.height
        and b.top <= a.top + a.height
    )


# -- grey conversion -------------------------------------------------------------------------------
def to_gray(image: Image.Image | np.ndarray, order: str = "RGB") -> Image.Image:
    """An 8-bit grey PIL image (luma) from a PIL image or a numpy array.

    ``order`` names the channels of a 3- or 4-channel numpy array: "RGB" (PIL, most
    libraries), "BGR" (OpenCV, and picamera2's "RGB888", which is B, G, R in memory),
    "RGBA"/"BGRA" (picamera2's XBGR8888/XRGB8888). Float arrays in 0..1 and 16-bit arrays are
    scaled to 8 bits (pyzbar would truncate them to black).
    """
    if isinstance(image, Image.Image):
        return image if image.mode == "L" else image.convert("L")
    if order not in ORDERS:
        raise ValueError(f"unknown channel order {order!r}; one of {ORDERS}")
    array = _as_uint8(np.asarray(image))
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim == 2:
        return Image.fromarray(np.ascontiguousarray(array), "L")
    if array.ndim != 3 or array.shape[2] not in (3, 4):
        raise ValueError(f"expected a grey or colour image, got an array of shape {array.shape}")
    rgb = np.ascontiguousarray(array[:, :, :3])
    # PIL's matrix conversion does the weighted sum in C; for BGR data the weights are
    # simply reversed, which spares a channel-swapping copy.
    weights = (0.299, 0.587, 0.114) if order.startswith("RGB") else (0.114, 0.587, 0.299)
    return Image.fromarray(rgb, "RGB").convert("L", matrix=(*weights, 0.0))


def _as_uint8(array: np.ndarray) -> np.ndarray:
    if array.dtype == np.uint8:
        return array
    if array.dtype == np.uint16:
        return (array >> 8).astype(np.uint8)
    if np.issubdtype(array.dtype, np.floating):
        scale = 255.0 if float(np.nanmax(array, initial=0.0)) <= 1.0 else 1.0
        return np.nan_to_num(array * scale).clip(0, 255).astype(np.uint8)
    return array.clip(0, 255).astype(np.uint8)


# -- the steps -------------------------------------------------------------------------------------
def zbar(gray: Image.Image, density: int = 1) -> list[Code]:
    """One zbar pass over a grey image, enabled symbologies only, reads checked.

    ``density`` n scans every n-th row and column (zbar's X/Y density): about n times faster.
    """
    return _checked(scan(gray, density))


def scan(gray: Image.Image, density: int = 1) -> list[Any]:
    """zbar's raw results (pyzbar ``Decoded``) for a grey image.

    Like ``pyzbar.decode(gray, symbols=ZBAR_SYMBOLS)``, plus the scan density, which pyzbar
    does not expose: we drive its ctypes wrapper the way ``pyzbar.decode`` does.
    """
    data = gray.tobytes()
    with pyzbar._image_scanner() as scanner:
        set_config = zbar_wrapper.zbar_image_scanner_set_config
        set_config(scanner, ZBarSymbol.NONE, ZBarConfig.CFG_ENABLE, 0)  # all off, then ours
        for symbol in ZBAR_SYMBOLS:
            set_config(scanner, symbol, ZBarConfig.CFG_ENABLE, 1)
        set_config(scanner, ZBarSymbol.NONE, ZBarConfig.CFG_X_DENSITY, density)
        set_config(scanner, ZBarSymbol.NONE, ZBarConfig.CFG_Y_DENSITY, density)
        with pyzbar._image() as image:
            zbar_wrapper.zbar_image_set_format(image, pyzbar._FOURCC["L800"])
            zbar_wrapper.zbar_image_set_size(image, gray.width, gray.height)
            zbar_wrapper.zbar_image_set_data(image, cast(data, c_void_p), len(data), None)
            if zbar_wrapper.zbar_scan_image(scanner, image) < 0:
                raise pyzbar.PyZbarError("zbar refused the image")
            return list(pyzbar._decode_symbols(pyzbar._symbols_for_image(image)))


def _reduce(gray: Image.Image, long_side: int) -> Image.Image:
    """The image shrunk so its long side is at most ``long_side`` (as is if already)."""
    scale = long_side / max(gray.size)
    if scale >= 1:
        return gray
    size = (max(1, round(gray.width * scale)), max(1, round(gray.height * scale)))
    # BOX averages the pixels it merges, so thin bars fade evenly instead of aliasing.
    return gray.resize(size, Image.Resampling.BOX)


def _enlarge(gray: Image.Image, factor: float) -> Image.Image:
    if factor <= 1:
        return gray
    size = (round(gray.width * factor), round(gray.height * factor))
    return gray.resize(size, Image.Resampling.BILINEAR)


def stretched(gray: Image.Image) -> Image.Image:
    """Contrast stretched (1% clipped at each end), enlarged 2x if the image is small."""
    out = ImageOps.autocontrast(gray, cutoff=1)
    return _enlarge(out, 2.0) if max(out.size) < SMALL_LONG_SIDE else out


def sharpened(gray: Image.Image) -> Image.Image:
    """An unsharp mask strong enough to restore bar edges lost to defocus."""
    return gray.filter(ImageFilter.UnsharpMask(radius=3, percent=200, threshold=0))


def rotated(gray: Image.Image, angle: float = 45.0) -> Image.Image:
    """The image turned by ``angle`` degrees, the corners filled white (a quiet zone)."""
    return gray.rotate(angle, Image.Resampling.BILINEAR, expand=True, fillcolor=255)


# -- locating a 1D code ----------------------------------------------------------------------------
BLOCK = 8  # structure tensor block, in pixels of the half-size image (16 px of a 640x480)
MIN_COHERENCE = 0.6  # bars: the gradient points one way; text and texture: every way
ANGLE_TOLERANCE = np.deg2rad(12)


@dataclass(frozen=True)
class Region:
    """A barcode-like region: its box in image pixels and the direction across its bars."""

    box: tuple[int, int, int, int]  # left, top, right, bottom
    angle_deg: float  # direction of the gradient (across the bars), counter-clockwise from x


def locate(gray: Image.Image, limit: int = 2) -> list[Region]:
    """Up to ``limit`` regions full of parallel edges, the largest first.

    The structure tensor of each block gives the dominant edge direction and how dominant
    it is (coherence): bars give strong, coherent gradients; text and pictures do not.
    Blocks with the image's dominant coherent direction are grouped into connected regions.
    """
    half = gray.reduce(2) if min(gray.size) >= 4 * BLOCK else gray
    scale = gray.width / half.width
    a = np.asarray(half, dtype=np.float32)
    gx = a[1:-1, 2:] - a[1:-1, :-2]
    gy = a[2:, 1:-1] - a[:-2, 1:-1]
    rows, cols = gx.shape[0] // BLOCK, gx.shape[1] // BLOCK
    if rows < 2 or cols < 2:
        return []

    def blocks(v: np.ndarray) -> np.ndarray:
        return v[: rows * BLOCK, : cols * BLOCK].reshape(rows, BLOCK, cols, BLOCK).sum((1, 3))

    jxx, jyy, jxy = blocks(gx * gx), blocks(gy * gy), blocks(gx * gy)
    energy = jxx + jyy
    coherence = np.sqrt((jxx - jyy) ** 2 + 4 * jxy**2) / (energy + 1e-6)
    # y grows downwards in images: negate it so the angle is counter-clockwise, as PIL rotates.
    theta = 0.5 * np.arctan2(-2 * jxy, jxx - jyy)
    # Relative energy threshold: a dim, low-contrast code is still the busiest thing around.
    strong = (coherence > MIN_COHERENCE) & (energy > 0.15 * float(np.percentile(energy, 99)))
    strong &= energy > 25.0 * BLOCK * BLOCK  # at least ~5 grey levels across an edge
    if not strong.any():
        return []
    regions = []
    for peak in _peak_angles(theta[strong], energy[strong])[:limit]:
        diff = np.abs(np.angle(np.exp(2j * (theta - peak)))) / 2  # angles are modulo 180
        component = _largest_component(strong & (diff < ANGLE_TOLERANCE))
        if component is None:
            continue
        r0, c0, r1, c1 = component
        box = tuple(int(v * BLOCK * scale) for v in (c0, r0, c1 + 1, r1 + 1))
        regions.append(Region(box, float(np.rad2deg(peak))))  # type: ignore[arg-type]
    return regions


def _peak_angles(theta: np.ndarray, weight: np.ndarray) -> list[float]:
    """The dominant directions (modulo 180 degrees), strongest first: a 36-bin histogram."""
    bins = ((theta + np.pi / 2) / np.pi * 36).astype(int) % 36
    hist = np.bincount(bins, weights=weight, minlength=36)
    smooth = hist + 0.5 * (np.roll(hist, 1) + np.roll(hist, -1))
    order = [int(i) for i in np.argsort(smooth)[::-1]]
    peaks: list[int] = []
    for i in order:
        if smooth[i] <= 0 or any(min((i - p) % 36, (p - i) % 36) < 4 for p in peaks):
            continue
        peaks.append(i)
    return [(p + 0.5) / 36 * np.pi - np.pi / 2 for p in peaks]


def _largest_component(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """Bounding box (r0, c0, r1, c1) of the largest 8-connected group of True blocks."""
    seen = np.zeros_like(mask)
    best: tuple[int, tuple[int, int, int, int]] | None = None
    rows, cols = mask.shape
    for start in zip(*np.nonzero(mask), strict=True):
        if seen[start]:
            continue
        stack, size = [start], 0
        seen[start] = True
        r0, c0, r1, c1 = start[0], start[1], start[0], start[1]
        while stack:
            r, c = stack.pop()
            size += 1
            r0, c0, r1, c1 = min(r0, r), min(c0, c), max(r1, r), max(c1, c)
            for nr in range(max(r - 1, 0), min(r + 2, rows)):
                for nc in range(max(c - 1, 0), min(c + 2, cols)):
                    if mask[nr, nc] and not seen[nr, nc]:
                        seen[nr, nc] = True
                        stack.append((nr, nc))
        if size >= 3 and (best is None or size > best[0]):
            best = (size, (int(r0), int(c0), int(r1), int(c1)))
    return best[1] if best else None


def upright_crop(gray: Image.Image, region: Region) -> Image.Image:
    """The region, with a margin for the quiet zone, turned so its bars are vertical,
    contrast-stretched, and enlarged until the code is at least ~400 px long."""
    left, top, right, bottom = region.box
    margin = max(right - left, bottom - top) // 3 + 8
    box = (
        max(left - margin, 0),
        max(top - margin, 0),
        min(right + margin, gray.width),
        min(bottom + margin, gray.height),
    )
    crop = gray.crop(box)
    crop = crop.rotate(-region.angle_deg, Image.Resampling.BILINEAR, expand=True, fillcolor=255)
    crop = ImageOps.autocontrast(crop, cutoff=1)
    return _enlarge(crop, min(3.0, 400 / max(crop.size)))


# -- the cascade -----------------------------------------------------------------------------------
Step = tuple[str, Callable[[], Iterator[Image.Image]]]

# Cost of each step relative to the plain pass (times, plus seconds), measured on the
# benchmark frames: zbar's share scales with the frame's content, the filters' does not.
STEP_COST = {
    "located": (1.0, 0.004),
    "sharpened": (1.4, 0.006),
    "stretched": (1.1, 0.001),
    "rotated": (1.8, 0.003),
}


def _steps(work: Image.Image, gray: Image.Image) -> list[Step]:
    steps: list[Step] = [
        ("plain", lambda: iter([work])),
        ("located", lambda: (upright_crop(work, r) for r in locate(work))),
        ("sharpened", lambda: iter([sharpened(ImageOps.autocontrast(work, cutoff=1))])),
        ("stretched", lambda: iter([stretched(work)])),
        ("rotated", lambda: iter([rotated(work)])),
    ]
    if work is not gray:
        steps.append(("full", lambda: iter([gray])))
    return steps


def decode_report(
    image: Image.Image | np.ndarray,
    *,
    order: str = "RGB",
    budget_s: float | None = DEFAULT_BUDGET_S,
    decoder: Callable[[Image.Image], list[Code]] = zbar,
) -> DecodeReport:
    """Run the cascade (see the module docstring); stop at the first step that reads.

    The first step always runs. A later one starts only if it should end within
    ``budget_s`` (per 640x480 worth of pixels; None: no limit): its cost is estimated from
    the first step's (``STEP_COST``), since zbar's time depends on the image's content (a
    busy or noisy frame costs every step more), so a frame seldom overruns by a whole step.
    ``decoder`` is for tests.
    """
    started = time.perf_counter()
    gray = to_gray(image, order)
    work = _reduce(gray, WORK_LONG_SIDE)
    if budget_s is not None:
        budget_s *= max(1.0, work.width * work.height / VGA_PIXELS)
    report = DecodeReport([], None)
    first_cost = 0.0
    for name, views in _steps(work, gray):
        elapsed = time.perf_counter() - started
        # The first step always runs; later ones only if they should end within the budget.
        remaining = None if budget_s is None or not report.tried else budget_s - elapsed
        if remaining is not None and _estimate(name, first_cost, work, gray) > remaining:
            break
        report.tried.append(name)
        for view in views():
            codes = decoder(view)
            if codes:
                report.codes, report.step = codes, name
                report.elapsed_s = time.perf_counter() - started
                return report
        if name == "plain":
            first_cost = time.perf_counter() - started - elapsed
    report.elapsed_s = time.perf_counter() - started
    return report


def _estimate(name: str, first_cost: float, work: Image.Image, gray: Image.Image) -> float:
    """Expected seconds of step ``name``, from the plain pass's ``first_cost``."""
    if name == "full":
        return first_cost * gray.width * gray.height / (work.width * work.height)
    factor, fixed = STEP_COST[name]
    return first_cost * factor + fixed * max(1.0, work.width * work.height / VGA_PIXELS)


def decode(
    image: Image.Image | np.ndarray,
    *,
    order: str = "RGB",
    budget_s: float | None = DEFAULT_BUDGET_S,
) -> list[Code]:
    """The checked codes in ``image`` (a PIL image, or a numpy array in channel ``order``).

    An empty list when nothing could be read within the time budget.
    """
    return decode_report(image, order=order, budget_s=budget_s).codes
