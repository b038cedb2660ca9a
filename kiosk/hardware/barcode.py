"""Barcode decoding for camera frames and photographs: two independent decoders, a few views.

``decode(image)`` takes a PIL image or a numpy array (grey, or colour in any channel order:
say which with ``order``) and returns the checked :class:`Code` values found, each with its
value and symbology. Every symbology a reading room meets is enabled: EAN-13 (book covers;
978/979 are reported as ``ISBN13``), EAN-8, UPC-A, UPC-E, Code 128 (reader cards, shelf
labels), Code 39 (accession labels), Interleaved 2 of 5 (``I25``) and QR (reader cards, also
shown on a phone).

Why two decoders: zbar (through pyzbar) and ZXing (the ``zxing-cpp`` package) fail on
different photos: zbar's scan lines are tolerant of blur and tilt, ZXing's local binarizer of
uneven light and its QR detector of perspective. Each reads its share that the other misses,
so together they read clearly more than either (``bench/barcode.py`` measures it).

Why views: a few principled variants of the frame recover what neither reads on the frame
itself (``PASSES`` lists them, in order; ``bench/barcode.py`` shows what each buys):

* ``located``: the locator (``locate``) finds patches of parallel bars from the structure
  tensor of the gradients, with their angle; both decoders read an upright crop of each.
  This reads codes turned by any angle (the decoders' scan lines are horizontal and
  vertical, ZXing's rotation only turns by 90 degrees) and gives zbar a cheap look at the
  one place that matters. QR codes are left to ZXing's own detector, which turns freely.
* ``max``: for colour frames, the brightest channel instead of luma: a phone screen's red,
  green and blue subpixels all read as white, which removes most of the colour moiré; a
  coloured print on coloured paper also separates better.
* ``up``: enlarged 1.5 times: small codes, whose bars are narrower than the decoders'
  minimum of about a pixel and a half.
* ``crop``: a code without a strong check (Code 39, I2/5, EAN-8, UPC-E) read once is looked
  at again, by both decoders, on an enlarged crop around it.

Acceptance, so that nothing false is looked up as a book: EAN/UPC need a right check digit;
Code 128 (its own mandatory check character) and QR (Reed-Solomon) are trusted as their
decoders verified them; Code 39 and I2/5, which have no mandatory check, only when two reads
agree (two passes: another decoder or another view). Two different values over the same place
(on one line along the code: labels stacked on a sheet are different places) cannot both be
true: the one read more often wins, then the one spanning clearly more bars (blur can make a
decoder read half an EAN-13 as a valid EAN-8, or as another EAN-13); otherwise neither is
trusted. On an upright crop every row crosses the whole code, so zbar must decode it on at
least three rows there.

Deterministic: the passes run in a fixed order and stop after the first pass that gives an
accepted code, so the same image always gives the same answer. Only the camera loop may set a
time budget (``decode_report(..., budget_s=...)``): it then runs ``CAMERA_PASSES`` (the same
kinds of pass, cheapest per code first, the locator at half size) and starts no pass once
the budget is spent, which a still image never does.

Careful with colour: pyzbar given a colour numpy array reads only its first channel (blue
for OpenCV's BGR frames, where a red code or a yellowish page disappears); we convert to
luma with the right weights for the declared channel order.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from ctypes import c_void_p, cast
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image
from pyzbar import pyzbar
from pyzbar import wrapper as zbar_wrapper
from pyzbar.wrapper import ZBarConfig, ZBarSymbol

from kiosk.isbn import ean13_ok, isbn10_ok, isbn10_to_13

# Symbology names as :class:`kiosk.hardware.interfaces.CodeSeen` carries them.
EAN13 = "EAN13"
ISBN13 = "ISBN13"
EAN8 = "EAN8"
UPCA = "UPCA"
UPCE = "UPCE"
CODE128 = "CODE128"
CODE39 = "CODE39"
I25 = "I25"
QRCODE = "QRCODE"
UNKNOWN = "UNKNOWN"  # a keyboard-wedge scanner that does not say what it read

ZBAR_SYMBOLS = (
    ZBarSymbol.EAN13,
    ZBarSymbol.EAN8,
    ZBarSymbol.UPCA,
    ZBarSymbol.UPCE,
    ZBarSymbol.CODE128,
    ZBarSymbol.CODE39,
    ZBarSymbol.I25,
    ZBarSymbol.QRCODE,
)
# Only these: each one more costs zbar time on a busy frame and brings its own family of
# false reads (Databar, Codabar on book-cover textures).
ZBAR_NAMES = {"ISBN13": EAN13, "ISBN10": "ISBN10"}  # zbar's type names that differ from ours

# Two passes must agree for Code 39 and I2/5 (no mandatory check character) and for the two
# 8-digit EAN/UPC forms: their one check digit is right by chance for 1 in 10 misreads, and
# half an EAN-13 or UPC-A seen by a blurred scan line decodes as one (seen on the photo set).
NEEDS_TWO_READS = (CODE39, I25, EAN8, UPCE)
LINEAR = (EAN13, ISBN13, EAN8, UPCA, UPCE, CODE128, CODE39, I25)
MIN_CODE128_LENGTH = 3  # shorter Code 128 reads are more often noise than a card number
MIN_CODE39_LENGTH = 4  # accession labels are longer; 1-3 characters come out of textures
MIN_I25_LENGTH = 8  # ITF-14 and accession numbers; 6-digit I2/5 is mostly texture
CODE39_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%")
WORK_LONG_SIDE = 1280  # photos larger than this are first tried reduced (time ~ pixels)
ZBAR_DENSITY = 2  # zbar scans every 2nd row and column: twice as fast, reads as much
CAMERA_BUDGET_S = 0.020  # camera loop: no pass starts after this (VGA; a pass takes ~2-20 ms)
VGA_PIXELS = 640 * 480
MAX_SECOND_LOOKS = 2  # a shelf of spines can give a dozen one-off reads: look again at two
ORDERS = ("RGB", "BGR", "RGBA", "BGRA", "L")


@dataclass(frozen=True)
class Code:
    """One code read from an image: its text and symbology (``ISBN13``, ``EAN13``, ...)."""

    value: str
    symbology: str


@dataclass(frozen=True)
class Read:
    """One decoder's read in one pass: the checked code, who read it, where (frame pixels)."""

    code: Code
    decoder: str  # "zbar" or "zxing"
    view: str
    box: tuple[float, float, float, float]  # left, top, right, bottom
    extent: float  # length of the read across the bars (frame pixels)
    angle: float | None = None  # the code's direction (radians) when not near the axes


@dataclass
class DecodeReport:
    """What ``decode_report`` did: the codes, the pass that decided, the passes run."""

    codes: list[Code]
    step: str | None  # "decoder:view" of the pass after which codes were accepted
    tried: list[str] = field(default_factory=list)
    reads: list[Read] = field(default_factory=list)
    elapsed_s: float = 0.0


# -- validation ------------------------------------------------------------------------------------
def ean_ok(digits: str) -> bool:
    """Whether an EAN-8, UPC-A or EAN-13 digit string has a right check digit."""
    if not digits.isdigit() or len(digits) not in (8, 12, 13):
        return False
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(reversed(digits)))
    return total % 10 == 0


def upce_to_upca(upce: str) -> str:
    """The 12-digit UPC-A that an 8-digit UPC-E stands for (GS1's zero suppression)."""
    ns, d, check = upce[0], upce[1:7], upce[7]
    last = d[5]
    if last in "012":
        body = d[0:2] + last + "0000" + d[2:5]
    elif last == "3":
        body = d[0:3] + "00000" + d[3:5]
    elif last == "4":
        body = d[0:4] + "00000" + d[4]
    else:
        body = d[0:5] + "0000" + last
    return ns + body + check


def classify(value: str, symbology: str) -> Code | None:
    """The checked :class:`Code` for a raw read, or None if it must be rejected.

    EAN-13 must have a right check digit (978/979 become ``ISBN13``; one starting with 0 is
    a UPC-A and is given as its 12 digits, as every decoder then agrees); EAN-8, UPC-A and
    UPC-E likewise. An ISBN-10 (from a scanner set to send them) must have a right check
    digit and is given as its ISBN-13, the one form the catalogue stores. Code 128 must be
    printable and not trivially short; Code 39 and I2/5 within their character sets.
    """
    value = value.strip()
    if symbology in (EAN13, ISBN13):
        if len(value) != 13 or not ean13_ok(value):
            return None
        if value[0] == "0":
            return Code(value[1:], UPCA)
        return Code(value, ISBN13 if value[:3] in ("978", "979") else EAN13)
    if symbology in (EAN8, UPCA):
        ok = len(value) == (8 if symbology == EAN8 else 12) and ean_ok(value)
        return Code(value, symbology) if ok else None
    if symbology == UPCE:
        ok = len(value) == 8 and value.isdigit() and value[0] in "01"
        return Code(value, UPCE) if ok and ean_ok(upce_to_upca(value)) else None
    if symbology == "ISBN10":
        chars = value.replace("-", "").upper()
        return Code(isbn10_to_13(chars), ISBN13) if isbn10_ok(chars) else None
    if symbology == CODE128:
        ok = len(value) >= MIN_CODE128_LENGTH and value.isprintable()
        return Code(value, CODE128) if ok else None
    if symbology == CODE39:
        ok = len(value) >= MIN_CODE39_LENGTH and set(value) <= CODE39_CHARS
        return Code(value, CODE39) if ok else None
    if symbology == I25:
        ok = len(value) >= MIN_I25_LENGTH and len(value) % 2 == 0 and value.isdigit()
        return Code(value, I25) if ok else None
    if symbology == QRCODE:
        return Code(value, QRCODE) if value else None
    return Code(value, symbology) if value and value.isprintable() else None


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
    array = _colour_array(image, order)
    if array.ndim == 2:
        return Image.fromarray(np.ascontiguousarray(array), "L")
    # PIL's matrix conversion does the weighted sum in C; for BGR data the weights are
    # simply reversed, which spares a channel-swapping copy.
    weights = (0.299, 0.587, 0.114) if order.startswith("RGB") else (0.114, 0.587, 0.299)
    return Image.fromarray(array, "RGB").convert("L", matrix=(*weights, 0.0))


def brightest_channel(image: Image.Image | np.ndarray, order: str = "RGB") -> Image.Image | None:
    """The per-pixel maximum of the colour channels (None for a grey image).

    On a phone screen a white pixel is a red, a green and a blue stripe: luma shows them as
    a colour moiré of three greys, the brightest channel as one white.
    """
    if isinstance(image, Image.Image):
        if image.mode not in ("RGB", "RGBA"):
            return None
        image, order = np.asarray(image.convert("RGB")), "RGB"
    array = _colour_array(image, order)
    if array.ndim == 2:
        return None
    # np.maximum over the three planes: ``array.max(axis=2)`` reduces along the short,
    # strided axis and is 50 times slower (30 ms for a VGA frame).
    brightest = np.maximum(np.maximum(array[:, :, 0], array[:, :, 1]), array[:, :, 2])
    return Image.fromarray(brightest, "L")


def _colour_array(image: np.ndarray, order: str) -> np.ndarray:
    """A uint8 grey (H, W) or colour (H, W, 3) array, checked."""
    if order not in ORDERS:
        raise ValueError(f"unknown channel order {order!r}; one of {ORDERS}")
    array = _as_uint8(np.asarray(image))
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim == 2:
        return array
    if array.ndim != 3 or array.shape[2] not in (3, 4):
        raise ValueError(f"expected a grey or colour image, got an array of shape {array.shape}")
    return np.ascontiguousarray(array[:, :, :3])


def _as_uint8(array: np.ndarray) -> np.ndarray:
    if array.dtype == np.uint8:
        return array
    if array.dtype == np.uint16:
        return (array >> 8).astype(np.uint8)
    if np.issubdtype(array.dtype, np.floating):
        scale = 255.0 if float(np.nanmax(array, initial=0.0)) <= 1.0 else 1.0
        return np.nan_to_num(array * scale).clip(0, 255).astype(np.uint8)
    return array.clip(0, 255).astype(np.uint8)


# -- the views -------------------------------------------------------------------------------------
def enlarged(gray: Image.Image, factor: float = 1.5) -> Image.Image:
    """The image enlarged ``factor`` times (bilinear): bars of a small code get wider than
    the decoders' minimum of about one pixel."""
    size = (round(gray.width * factor), round(gray.height * factor))
    return gray.resize(size, Image.Resampling.BILINEAR)


def _reduce(gray: Image.Image, long_side: int) -> Image.Image:
    """The image shrunk so its long side is at most ``long_side`` (as is if already)."""
    scale = long_side / max(gray.size)
    if scale >= 1:
        return gray
    size = (max(1, round(gray.width * scale)), max(1, round(gray.height * scale)))
    # BOX averages the pixels it merges, so thin bars fade evenly instead of aliasing.
    return gray.resize(size, Image.Resampling.BOX)


# -- the decoders ----------------------------------------------------------------------------------
def scan(gray: Image.Image, density: int = 1, columns: bool = True) -> list[Any]:
    """zbar's raw results (pyzbar ``Decoded``) for a grey image.

    Like ``pyzbar.decode(gray, symbols=ZBAR_SYMBOLS)``, plus the scan density and minimum
    lengths, which pyzbar does not expose: we drive its ctypes wrapper as ``pyzbar.decode``
    does. ``density``: every n-th row and column is scanned; ``columns=False``: rows only
    (an upright crop, whose bars stand vertical: half the time).
    """
    data = gray.tobytes()
    with pyzbar._image_scanner() as scanner:
        set_config = zbar_wrapper.zbar_image_scanner_set_config
        set_config(scanner, ZBarSymbol.NONE, ZBarConfig.CFG_ENABLE, 0)  # all off, then ours
        for symbol in ZBAR_SYMBOLS:
            set_config(scanner, symbol, ZBarConfig.CFG_ENABLE, 1)
        set_config(scanner, ZBarSymbol.CODE39, ZBarConfig.CFG_MIN_LEN, MIN_CODE39_LENGTH)
        set_config(scanner, ZBarSymbol.I25, ZBarConfig.CFG_MIN_LEN, MIN_I25_LENGTH)
        set_config(scanner, ZBarSymbol.NONE, ZBarConfig.CFG_X_DENSITY, density if columns else 0)
        set_config(scanner, ZBarSymbol.NONE, ZBarConfig.CFG_Y_DENSITY, density)
        with pyzbar._image() as image:
            zbar_wrapper.zbar_image_set_format(image, pyzbar._FOURCC["L800"])
            zbar_wrapper.zbar_image_set_size(image, gray.width, gray.height)
            zbar_wrapper.zbar_image_set_data(image, cast(data, c_void_p), len(data), None)
            if zbar_wrapper.zbar_scan_image(scanner, image) < 0:
                raise pyzbar.PyZbarError("zbar refused the image")
            return list(pyzbar._decode_symbols(pyzbar._symbols_for_image(image)))


def zbar_reads(
    gray: Image.Image, view: str = "plain", scale: float = 1.0, columns: bool = True,
    min_hits: int = 1,
) -> list[Read]:  # fmt: skip
    """zbar's checked reads of ``gray`` (a view ``scale`` times the frame's size), each
    decoded on at least ``min_hits`` scan lines (zbar's ``quality``)."""
    reads = []
    for result in scan(gray, ZBAR_DENSITY, columns):
        if result.quality < min_hits:
            continue
        try:
            text = result.data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # binary QR content is not something we issue
        code = classify(text, ZBAR_NAMES.get(result.type, result.type))
        if code is None:
            continue
        xs = [p[0] / scale for p in result.polygon] or [result.rect.left / scale]
        ys = [p[1] / scale for p in result.polygon] or [result.rect.top / scale]
        box = (min(xs), min(ys), max(xs), max(ys))
        reads.append(Read(code, "zbar", view, box, max(box[2] - box[0], box[3] - box[1])))
    return reads


_ZXING: Any = None


def _zxing() -> Any:
    """zxing-cpp, imported on first use (the kiosk runs without a camera and without it)."""
    global _ZXING
    if _ZXING is None:
        import zxingcpp

        _ZXING = zxingcpp
    return _ZXING


def _zxing_formats(zx: Any) -> tuple[Any, ...]:
    f = zx.BarcodeFormat
    return (f.EAN13, f.EAN8, f.UPCA, f.UPCE, f.Code128, f.Code39, f.ITF, f.QRCode)


def _zxing_symbology(zx: Any, barcode: Any) -> tuple[str, str] | None:
    """(our symbology, value) of a zxing-cpp result, in the form ``classify`` expects."""
    f = zx.BarcodeFormat
    fmt, text = barcode.format, barcode.text
    if fmt == f.UPCE:
        return UPCE, barcode.extra.get("UPCE", text)  # its text is the UPC-A expansion
    if fmt in (f.EAN13, f.UPCA):
        return EAN13, text if len(text) == 13 else "0" + text
    names = {f.EAN8: EAN8, f.Code128: CODE128, f.Code39: CODE39, f.ITF: I25, f.QRCode: QRCODE}
    name = names.get(fmt)
    return (name, text) if name else None


def zxing_reads(
    gray: Image.Image, view: str = "plain", scale: float = 1.0, *, thorough: bool = True
) -> list[Read]:
    """zxing-cpp's checked reads of ``gray`` (a view ``scale`` times the frame's size).

    ``thorough``: also rotated by 90 degrees and its own downscaled pyramid (twice the time;
    the views after the frame itself do without). Inverted codes (light on dark) are not
    tried: a second pass on every frame for a rare case.
    """
    zx = _zxing()
    results = zx.read_barcodes(
        np.asarray(gray),
        formats=_zxing_formats(zx),
        try_rotate=thorough,
        try_downscale=thorough,
        try_invert=False,
    )
    reads = []
    for result in results:
        named = _zxing_symbology(zx, result)
        code = classify(named[1], named[0]) if named else None
        if code is None:
            continue
        pos = result.position
        points = (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left)
        xs, ys = [p.x / scale for p in points], [p.y / scale for p in points]
        box = (min(xs), min(ys), max(xs), max(ys))
        reads.append(Read(code, "zxing", view, box, max(box[2] - box[0], box[3] - box[1])))
    return reads


# -- the locator: where bars are, and at what angle -----------------------------------------------
LOCATE_LONG_SIDE = 640  # frames larger than this are reduced to it before looking for bars
CELL_PX = 16  # locator cell, frame px: 40 x 30 cells on a VGA frame
FAST_LOCATE_LONG_SIDE = 320  # the camera loop looks at half size (a quarter of the time);
# bars thinner than 2 px then alias, so small codes are located less reliably
MIN_COHERENCE = 0.5  # bars: the edges in a cell all point one way (text, faces: every way)
MIN_GRADIENT = 5.0  # mean edge strength per pixel (grey levels): low-contrast print still passes
SAME_ANGLE = math.radians(20)  # neighbouring cells of one code: their edges agree this well
MAX_REGIONS = 2  # crops per frame: the book and perhaps a second label
MIN_ACROSS_CELLS = 4  # narrower across the bars: an edge or a letter, not a code
MIN_SHAPE = 0.6  # across / along: a code is wider than 0.6 of its height (a long edge is not)


@dataclass(frozen=True)
class Region:
    """A patch of parallel bars: centre (image px), the direction across the bars (radians,
    y downwards), its length across and along the bars (image px), its edge strength."""

    cx: float
    cy: float
    angle: float
    across: float
    along: float
    strength: float


def locate(
    gray: Image.Image, limit: int = MAX_REGIONS, long_side: int = LOCATE_LONG_SIDE
) -> list[Region]:
    """The strongest patches of parallel bars in ``gray``, strongest first.

    The structure tensor of the gradients, summed over cells of a reduced image: a cell of
    bars has strong edges that all point one way (coherence near 1), at the angle the code
    is turned by. Neighbouring cells with the same angle are joined into one region. The
    decoders then read an upright crop of it: zbar's and ZXing's scan lines are horizontal
    and vertical, so a code turned by 30-60 degrees, which neither reads on the frame, reads
    cleanly once turned back (``upright``). QR codes have edges both ways and are left to
    ZXing's own detector, which handles any rotation.
    """
    small = _reduce(gray, long_side)
    scale = small.width / gray.width
    cell = max(4, round(CELL_PX * max(small.size) / 640))  # 40 cells across, at any size
    a = np.asarray(small, np.float32)
    gx = a[1:-1, 2:] - a[1:-1, :-2]
    gy = a[2:, 1:-1] - a[:-2, 1:-1]
    h, w = gx.shape[0] // cell, gx.shape[1] // cell
    if h < 1 or w < 1:
        return []

    def per_cell(v: np.ndarray) -> np.ndarray:
        return v[: h * cell, : w * cell].reshape(h, cell, w, cell).sum(axis=(1, 3))

    jxx, jyy, jxy = per_cell(gx * gx), per_cell(gy * gy), per_cell(gx * gy)
    energy = jxx + jyy
    coherence = np.sqrt((jxx - jyy) ** 2 + 4 * jxy**2) / (energy + 1e-6)
    theta = 0.5 * np.arctan2(2 * jxy, jxx - jyy)  # the gradient's direction: across the bars
    gradient = np.sqrt(energy / (cell * cell))
    good = (coherence > MIN_COHERENCE) & (gradient > MIN_GRADIENT)
    strength = np.where(good, gradient * coherence, 0.0)
    cells = _join_cells(good, theta, strength, 3 * limit)
    found = [_region(c, energy, theta, strength, scale, cell) for c in cells]
    cell_px = cell / scale
    found = [r for r in found if r.across >= MIN_ACROSS_CELLS * cell_px
             and r.across >= MIN_SHAPE * r.along]  # fmt: skip
    found.sort(key=lambda r: -r.strength)
    return found[:limit]


def _join_cells(
    good: np.ndarray, theta: np.ndarray, strength: np.ndarray, limit: int
) -> list[list[tuple[int, int]]]:
    """Groups of neighbouring good cells whose angle agrees with their seed's, seeded from
    the strongest cell down (at most ``limit`` groups; Python lists: scalar access is 20
    times faster than numpy's)."""
    h, w = good.shape
    ok, angle, taken = good.tolist(), theta.tolist(), np.zeros_like(good).tolist()
    groups: list[list[tuple[int, int]]] = []
    for index in np.argsort(-strength.ravel(), kind="stable").tolist():
        y0, x0 = divmod(index, w)
        if not ok[y0][x0] or len(groups) >= limit:
            break
        if taken[y0][x0]:
            continue
        seed, members, todo = angle[y0][x0], [], deque([(y0, x0)])
        taken[y0][x0] = True
        while todo:
            y, x = todo.popleft()
            members.append((y, x))
            for ny in (y - 1, y, y + 1):
                for nx in (x - 1, x, x + 1):
                    if not (0 <= ny < h and 0 <= nx < w) or taken[ny][nx] or not ok[ny][nx]:
                        continue
                    turn = (angle[ny][nx] - seed + math.pi / 2) % math.pi - math.pi / 2
                    if abs(turn) < SAME_ANGLE:  # angles of lines: modulo 180 degrees
                        taken[ny][nx] = True
                        todo.append((ny, nx))
        groups.append(members)
    return groups


def _region(
    cells: list[tuple[int, int]], energy: np.ndarray, theta: np.ndarray, strength: np.ndarray,
    scale: float, cell: int,
) -> Region:  # fmt: skip
    """The rotated rectangle around ``cells`` (in image px), at their mean angle."""
    ys, xs = np.array(cells).T
    weight = energy[ys, xs]
    angle = 0.5 * math.atan2(
        float((weight * np.sin(2 * theta[ys, xs])).sum()),
        float((weight * np.cos(2 * theta[ys, xs])).sum()),
    )
    px, py = ((xs + 0.5) * cell + 1) / scale, ((ys + 0.5) * cell + 1) / scale  # cell centres
    c, s = math.cos(angle), math.sin(angle)
    u, v = px * c + py * s, -px * s + py * c  # across and along the bars
    half = cell / scale / 2
    u0, u1, v0, v1 = u.min() - half, u.max() + half, v.min() - half, v.max() + half
    uc, vc = (u0 + u1) / 2, (v0 + v1) / 2
    return Region(uc * c - vc * s, uc * s + vc * c, angle, u1 - u0, v1 - v0,
                  float(strength[ys, xs].sum()))  # fmt: skip


CROP_MIN_HITS = 3  # zbar scan lines that must decode a code on an upright crop
UPRIGHT_ACROSS = 320  # crops narrower than this are enlarged: bars >= ~2 px for the decoders
UPRIGHT_ALONG = 160  # a band this high through the code's middle (px, before enlarging) is
# plenty for the scan lines, and a larger crop only costs time


def upright(
    gray: Image.Image, region: Region, *, enlarge: bool = True
) -> tuple[Image.Image, tuple[float, ...]]:
    """The region cut out of ``gray``, turned so its bars stand vertical, with a quiet zone
    around it, enlarged if small; and the affine map (a, b, c, d, e, f) from crop pixels to
    ``gray`` pixels: x = a*u + b*v + c, y = d*u + e*v + f."""
    factor = min(3.0, max(1.0, UPRIGHT_ACROSS / max(region.across, 1.0))) if enlarge else 1.0
    across = region.across * 1.3 + 24  # the guards and quiet zones the cells may have missed
    along = min(max(region.along * 1.1, 24), UPRIGHT_ALONG)
    size = (int(across * factor), int(along * factor))
    c, s = math.cos(region.angle) / factor, math.sin(region.angle) / factor
    a, b, d, e = c, -s, s, c
    x0 = region.cx - a * size[0] / 2 - b * size[1] / 2
    y0 = region.cy - d * size[0] / 2 - e * size[1] / 2
    matrix = (a, b, x0, d, e, y0)
    crop = gray.transform(size, Image.Transform.AFFINE, matrix, Image.Resampling.BILINEAR,
                          fillcolor=255)  # fmt: skip
    return crop, matrix


ANGLE_STEPS_DEG = (8.0, 4.0, 2.0, 1.0)  # the search around the locator's angle (see ``aligned``)


def aligned(gray: Image.Image, region: Region) -> Region:
    """``region`` with its angle corrected so the bars stand straightest in its crop.

    The locator's angle comes from gradients, which thin bars (below about 2 px) alias:
    a code of 1.4 px modules turned by 30 degrees can measure as 40. Bars that stand
    exactly vertical make the crop's column means alternate most sharply, so the angle
    that maximises the energy of the column profile's differences is searched around the
    measured one, coarse to fine (about ten small crops, a few ms).
    """

    def sharpness(angle: float) -> float:
        trial = Region(region.cx, region.cy, angle, region.across, min(region.along, 48),
                       region.strength)  # fmt: skip
        crop, _ = upright(gray, trial, enlarge=False)
        profile = np.asarray(crop, np.float32).mean(axis=0)
        return float((np.diff(profile) ** 2).sum())

    best, best_score = region.angle, sharpness(region.angle)
    for step in ANGLE_STEPS_DEG:
        centre = best
        for angle in (centre - math.radians(step), centre + math.radians(step)):
            score = sharpness(angle)
            if score > best_score:
                best, best_score = angle, score
    return Region(region.cx, region.cy, best, region.across, region.along, region.strength)


def located_reads(
    gray: Image.Image, view: str = "located", scale: float = 1.0, *, thorough: bool = True
) -> list[Read]:
    """Both decoders on an upright crop of each located region (``locate``): tilted codes,
    and a cheap second decoder's look at the place where the bars are. Each read's box is
    its box in the crop, mapped back onto the frame. ``thorough`` (decode()): the angle is
    refined (``aligned``); the camera loop locates at half size and takes the measured
    angle, for about half the time."""
    long_side = LOCATE_LONG_SIDE if thorough else FAST_LOCATE_LONG_SIDE
    reads = []
    for region in locate(gray, long_side=long_side):
        reads += _upright_reads(gray, aligned(gray, region) if thorough else region, view, scale)
    return reads


def _upright_reads(gray: Image.Image, region: Region, view: str, scale: float) -> list[Read]:
    """Both decoders on the upright crop of ``region``, the reads placed on the frame."""
    crop, (a, b, x0, d, e, y0) = upright(gray, region)
    factor = 1 / math.hypot(a, d)  # crop px per gray px
    # Every row of an upright crop crosses the whole code: a code decoded on only one or
    # two rows is a misread that happens to pass its check digit (seen on the photo set).
    found = zbar_reads(crop, view, 1.0, False, CROP_MIN_HITS) + zxing_fast_reads(crop, view)
    if unconfirmed(found):  # one decoder only, on a code without a strong check
        bigger = enlarged(crop, 1.5)  # a second look: another decoder may read it larger
        found += zbar_reads(bigger, f"{view}-up", 1.5, False, CROP_MIN_HITS)
        found += zxing_fast_reads(bigger, f"{view}-up", 1.5)
    reads = []
    for read in found:
        left, top, right, bottom = read.box
        corners = [(left, top), (right, top), (left, bottom), (right, bottom)]
        xs = [(a * u + b * v + x0) / scale for u, v in corners]
        ys = [(d * u + e * v + y0) / scale for u, v in corners]
        box = (min(xs), min(ys), max(xs), max(ys))
        extent = read.extent / factor / scale
        reads.append(Read(read.code, read.decoder, read.view, box, extent, region.angle))
    return reads


# -- the passes ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Views:
    """The views of one frame, made on demand and kept (several passes share one)."""

    gray: Image.Image  # the frame in grey, reduced to at most WORK_LONG_SIDE
    image: Image.Image | np.ndarray  # the frame as given, for the colour view
    order: str
    made: dict[str, tuple[Image.Image, float]] = field(default_factory=dict)

    def get(self, name: str) -> tuple[Image.Image, float] | None:
        """The view ``name`` and its scale to the frame; None if it does not apply."""
        if name not in self.made:
            view = self._make(name)
            if view is None:
                return None
            self.made[name] = view
        return self.made[name]

    def _make(self, name: str) -> tuple[Image.Image, float] | None:
        if name in ("plain", "located"):
            return self.gray, 1.0
        if name == "up":
            return enlarged(self.gray, 1.5), 1.5
        if name == "max":
            colour = brightest_channel(self.image, self.order)
            return (_reduce(colour, WORK_LONG_SIDE), 1.0) if colour is not None else None
        raise ValueError(name)


Reader = Callable[[Image.Image, str, float], list[Read]]


def zxing_fast_reads(gray: Image.Image, view: str = "plain", scale: float = 1.0) -> list[Read]:
    """zxing-cpp without its rotations and downscaling: for the views."""
    return zxing_reads(gray, view, scale, thorough=False)


DECODERS: dict[str, Reader] = {
    "zbar": zbar_reads,
    "zxing": zxing_reads,
    "zxing-fast": zxing_fast_reads,
    "both": located_reads,
    "both-fast": lambda gray, view, scale: located_reads(gray, view, scale, thorough=False),
}

PASSES: tuple[tuple[str, str], ...] = (
    ("zxing", "plain"),
    ("both", "located"),
    ("zbar", "plain"),
    ("zxing-fast", "max"),
    ("zxing-fast", "up"),
)
# decode(), on a still image: every pass until one establishes a code. On bench/barcode.py's
# photo set (328 frames, 288 with a code), the pass that decided: zxing on the frame 95 frames,
# the located crops 145, zbar on the frame 6, brightest channel 2, enlarged 5, none 75. The
# located crops cost about as much as zbar on the whole frame. Measured and left out: zbar on
# the enlarged view (+4 codes for 1.5 times zbar's cost), the flattened view (+2), zbar at
# full density (reads fewer than every second line, at twice the time).

CAMERA_PASSES: tuple[tuple[str, str], ...] = (
    ("zxing-fast", "plain"),
    ("both-fast", "located"),
    ("zxing-fast", "max"),
    ("zxing", "plain"),
    ("zbar", "plain"),
    ("zxing-fast", "up"),
)
# The camera loop (``budget_s``): the same kinds of pass ordered by codes per millisecond, so
# that what the budget cuts off is what buys least. ZXing without its turns (about half the
# time of the full call) reads nearly as much, because the located crops read tilted codes
# better than a 90-degree turn does; the locator at half size costs about half the full one;
# zbar on the whole frame, the costliest pass, comes late.


def accepted(reads: list[Read]) -> list[Code]:
    """The codes that ``reads`` (all passes so far) establish; see the module docstring."""
    votes: dict[Code, list[Read]] = {}
    for read in reads:
        votes.setdefault(read.code, []).append(read)
    # Variable length (Code 39, I2/5): a scan line leaving the bars early reads a part of the
    # code, which is no rival of the whole, nor a code of its own.
    for part in [c for c in votes if _is_part(c, votes)]:
        del votes[part]
    good = []
    for code, mine in votes.items():
        passes = {(r.decoder, r.view) for r in mine}
        if code.symbology in NEEDS_TWO_READS and len(passes) < 2:
            continue
        if code.symbology in LINEAR and _contradicted(code, mine, votes):
            continue
        good.append(code)
    return good


def _is_part(code: Code, votes: dict[Code, list[Read]]) -> bool:
    """Whether ``code`` (Code 39 or I2/5) is a part of another read of its symbology."""
    return code.symbology in (CODE39, I25) and any(
        o != code and o.symbology == code.symbology and code.value in o.value for o in votes
    )


def _contradicted(code: Code, mine: list[Read], votes: dict[Code, list[Read]]) -> bool:
    """Whether another linear code read over the same place beats ``code``."""
    extent = max(r.extent for r in mine)
    for other, theirs in votes.items():
        if other == code or other.symbology not in LINEAR:
            continue
        if not any(_near(a, b) for a in mine for b in theirs):
            continue
        if len(theirs) > len(mine):
            return True
        if len(theirs) == len(mine) and extent < 1.3 * max(r.extent for r in theirs):
            return True  # neither clearly longer: neither is trusted
    return False


def _near(a: Read, b: Read) -> bool:
    """Whether two reads are of the same place: their centres lie on one line along the
    longer read's code (a fifth of its length across for zbar's scan-line boxes, a few pixels
    more for small codes), within 0.7 of its length along it (blur stops a read short).
    Labels stacked on a sheet are parallel lines, a bar height apart: different places."""
    longer = a if a.extent >= b.extent else b
    c, s = math.cos(_direction(longer)), math.sin(_direction(longer))
    (ax, ay), (bx, by) = _centre(a), _centre(b)
    along = abs((bx - ax) * c + (by - ay) * s)
    across = abs(-(bx - ax) * s + (by - ay) * c)
    return along <= 0.7 * longer.extent and across <= 0.1 * longer.extent + 4


def _centre(read: Read) -> tuple[float, float]:
    return (read.box[0] + read.box[2]) / 2, (read.box[1] + read.box[3]) / 2


def _direction(read: Read) -> float:
    """The direction of the read's code (radians): the locator's angle for a crop's read,
    else along the longer side of its box (decoders read codes near the axes)."""
    if read.angle is not None:
        return read.angle
    return 0.0 if read.box[2] - read.box[0] >= read.box[3] - read.box[1] else math.pi / 2


def unconfirmed(reads: list[Read]) -> list[Read]:
    """The first read of each code that waits for a second pass to agree (``NEEDS_TWO_READS``)."""
    seen: dict[Code, list[Read]] = {}
    for read in reads:
        seen.setdefault(read.code, []).append(read)
    return [
        mine[0]
        for code, mine in seen.items()
        if code.symbology in NEEDS_TWO_READS and len({(r.decoder, r.view) for r in mine}) < 2
    ]


def confirm(work: Image.Image, read: Read, scale: float) -> list[Read]:
    """Both decoders on a crop around ``read``, enlarged: a second, independent look at the
    one place where a code without a strong check was read once (a few ms: the crop is
    small). ``scale``: work image pixels per frame pixel."""
    left, top, right, bottom = (v * scale for v in read.box)
    margin = max(right - left, bottom - top) * 0.3 + 12
    box = (
        max(int(left - margin), 0),
        max(int(top - margin), 0),
        min(int(right + margin) + 1, work.width),
        min(int(bottom + margin) + 1, work.height),
    )
    if box[2] - box[0] < 8 or box[3] - box[1] < 8:
        return []
    crop = work.crop(box)
    factor = min(3.0, max(1.0, 400 / max(crop.size)))  # small codes: bars >= ~2 px wide
    crop = enlarged(crop, factor) if factor > 1 else crop
    reads = []
    for decoder in ("zbar", "zxing"):
        for r in DECODERS[decoder](crop, "crop", factor * scale):
            shifted = (r.box[0] + box[0] / scale, r.box[1] + box[1] / scale,
                       r.box[2] + box[0] / scale, r.box[3] + box[1] / scale)  # fmt: skip
            reads.append(Read(r.code, r.decoder, "crop", shifted, r.extent))
    return reads


def decode_report(
    image: Image.Image | np.ndarray,
    *,
    order: str = "RGB",
    budget_s: float | None = None,
    passes: tuple[tuple[str, str], ...] | None = None,
    decoders: dict[str, Reader] | None = None,
) -> DecodeReport:
    """Run the passes in order and stop after the first one that establishes a code.

    ``budget_s`` (the camera loop only; None: none) runs ``CAMERA_PASSES`` instead of
    ``PASSES`` and starts no pass after the first once that much time per 640x480 worth of
    pixels has gone by (nor the second looks, which follow the last pass). ``passes`` and
    ``decoders`` are for the benchmark and the tests.
    """
    started = time.perf_counter()
    decoders = decoders or DECODERS
    if passes is None:
        passes = PASSES if budget_s is None else CAMERA_PASSES
    gray = to_gray(image, order)
    work = _reduce(gray, WORK_LONG_SIDE)
    reduced = work is not gray
    views = Views(work, image, order)
    if budget_s is not None:
        budget_s *= max(1.0, work.width * work.height / VGA_PIXELS)
    scale = work.width / gray.width
    report = DecodeReport([], None)
    plan = list(passes) + ([("zxing", "full")] if reduced else [])
    for i, (decoder, view_name) in enumerate(plan):
        if budget_s is not None and i >= 1 and time.perf_counter() - started > budget_s:
            break
        if view_name == "full":
            view: tuple[Image.Image, float] | None = (gray, 1.0 / scale)
        else:
            view = views.get(view_name)
        if view is None:
            continue
        report.tried.append(f"{decoder}:{view_name}")
        report.reads += decoders[decoder](view[0], view_name, view[1] * scale)
        codes = accepted(report.reads)
        if codes:
            report.codes, report.step = codes, report.tried[-1]
            break
    else:  # nothing established: a second look at each code that waits for one
        waiting = unconfirmed(report.reads)[:MAX_SECOND_LOOKS]
        for read in waiting:
            report.reads += confirm(work, read, scale)
        if waiting:
            report.tried.append("both:crop")
            report.codes = accepted(report.reads)
            report.step = "both:crop" if report.codes else None
    report.elapsed_s = time.perf_counter() - started
    return report


def decode(image: Image.Image | np.ndarray, *, order: str = "RGB") -> list[Code]:
    """The checked codes in ``image`` (a PIL image, or a numpy array in channel ``order``).

    No time budget: the same image always gives the same codes. An empty list when nothing
    could be read.
    """
    return decode_report(image, order=order).codes
