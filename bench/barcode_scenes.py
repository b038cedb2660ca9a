"""Photograph-like barcode frames, generated from a seed: the test set of the barcode decoder.

Generated test images used to be too clean to show what a camera does to a printed code.
Here every frame is a 640x480 colour "photo" built the way a real one comes about:

1. **The symbol**, drawn by independent encoders (not by the decoders under test):
   python-barcode for EAN-13/ISBN, EAN-8, UPC-A, Code 128, Code 39 and Interleaved 2 of 5;
   qrcode and segno (alternately) for QR; only UPC-E, which none of those writes, comes from
   zxing-cpp's writer. A printed label has its human-readable digits under the bars.
2. **The print on a surface**: on a book cover, a desk or a phone screen (the QR reader card
   in an app: each screen pixel is drawn as its red, green and blue stripes, which the camera
   samples into moiré), placed with rotation and perspective, optionally wrapped on a curved
   cover (a cylinder: bars get narrower and darker towards its edges), optionally partly hidden
   by a finger or a sticker.
3. **The light and the camera**: uneven light and a specular glare spot, defocus (a disk
   kernel) or motion blur (a line at any angle), the sensor's shot and read noise, then JPEG
   at a low quality. The scene is rendered at twice the resolution and averaged down, as a
   sensor integrates light over its pixels.

Every frame has mild everyday imperfections plus a strong dose of one degradation
(``DEGRADATIONS``). Negative frames (``NEGATIVES``: a page of text, faces, a shelf of book
spines, patterned covers, sensor noise) hold no code and must read as nothing.

Used by ``bench/barcode.py`` (the measurement) and by tests/hardware (a fast subset).
Everything is drawn from ``numpy.random.default_rng(seed)``: the same seed gives the same
pixels on every machine with the same library versions.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from functools import lru_cache

import barcode as python_barcode
import numpy as np
import qrcode
import segno
import zxingcpp
from PIL import Image, ImageDraw, ImageFont

from kiosk.hardware.barcode import upce_to_upca

SIZE = (640, 480)
SS = 2  # supersampling: the scene is drawn at twice the frame's resolution, then averaged
KINDS = ("ean13", "ean8", "upca", "upce", "code128", "code39", "itf", "qr")
DEGRADATIONS = (
    "mild",
    "perspective",
    "motion",
    "defocus",
    "jpeg",
    "uneven-light",
    "low-contrast",
    "curvature",
    "occlusion",
    "moire",
    "small",
    "tilt",
)
NEGATIVES = ("text", "faces", "shelf", "pattern", "noise")


# -- symbols ---------------------------------------------------------------------------------------
def ean_check(digits: str) -> str:
    """The EAN/UPC check digit for ``digits`` (the code without its last digit)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str(-total % 10)


def _upce_allowed(value: str) -> bool:
    """Whether GS1's zero suppression would give this UPC-E (the writer refuses the rest)."""
    d = value[1:7]
    return not (
        (d[5] == "3" and d[2] in "012")
        or (d[5] == "4" and d[3] == "0")
        or (d[5] in "56789" and d[4] == "0")
    )


def value_for(kind: str, rng: np.random.Generator) -> str:
    """A plausible value of ``kind`` as the decoder must report it (check digits included)."""
    digits = lambda n: "".join(str(d) for d in rng.integers(0, 10, n))  # noqa: E731
    if kind == "ean13":
        prefix = str(rng.choice(["978604", "978604", "979", "893"]))  # 893: Vietnam, non-book
        body = prefix + digits(12 - len(prefix))
        return body + ean_check(body)
    if kind == "ean8":
        body = "893" + digits(4)
        return body + ean_check(body)
    if kind == "upca":
        body = str(rng.choice(["0", "7", "8"])) + digits(10)
        return body + ean_check(body)
    if kind == "upce":
        while True:  # GS1 forbids some digit patterns (they would suppress differently)
            partial = "0" + digits(6)
            value = partial + ean_check(upce_to_upca(partial + "0")[:11])
            if _upce_allowed(value):
                return value
    if kind == "code128":
        return str(rng.choice(["LS-", "TV", "BD-"])) + digits(6)
    if kind == "code39":
        return str(rng.choice(["DKCB-", "LS", "VN "])) + digits(5)  # accession labels
    if kind == "itf":
        return digits(int(rng.choice([8, 10, 14])))
    if kind == "qr":
        return f"THUVIEN:READER:{digits(8)}"
    raise ValueError(kind)


R_CODES = ("1110010", "1100110", "1101100", "1000010", "1011100",
           "1001110", "1010000", "1000100", "1001000", "1110100")  # fmt: skip
# EAN's right-hand digits; the check digit is the last 7 modules before the end guard.


def bad_check_digit(row: np.ndarray) -> np.ndarray:
    """EAN-13 or EAN-8 bars (one row) whose check digit is drawn wrong (+5): a misprint."""
    bits = "".join("1" if b else "0" for b in row[0])
    current = R_CODES.index(bits[-10:-3])
    wrong = R_CODES[(current + 5) % 10]
    return np.array([c == "1" for c in bits[:-10] + wrong + bits[-3:]], dtype=bool)[None, :]


def modules(kind: str, value: str, variant: int = 0) -> np.ndarray:
    """The symbol's dark modules (True) as a 2D array, without quiet zone, one row for 1D.

    ``variant`` picks the QR encoder: even qrcode, odd segno (independent implementations).
    """
    if kind == "qr":
        if variant % 2 == 0:
            qr = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
            qr.add_data(value)
            qr.make(fit=True)
            return np.array(qr.get_matrix(), dtype=bool)
        return np.array(segno.make_qr(value, error="m", boost_error=False).matrix, dtype=bool)
    if kind == "upce":  # python-barcode has no UPC-E: zxing-cpp's writer, a middle row
        image = zxingcpp.create_barcode(value, zxingcpp.BarcodeFormat.UPCE).to_image(
            scale=1, add_quiet_zones=False
        )
        row = np.asarray(image)
        return (row[row.shape[0] // 2] < 128)[None, :]
    if kind == "ean13":
        row = python_barcode.get("ean13", value[:12]).build()[0]
    elif kind == "ean8":
        row = python_barcode.get("ean8", value[:7]).build()[0]
    elif kind == "upca":
        row = python_barcode.get("upca", value[:11]).build()[0]
    elif kind == "code39":
        row = python_barcode.get_barcode_class("code39")(value, add_checksum=False).build()[0]
    elif kind == "itf":
        row = python_barcode.get("itf", value).build()[0]
    elif kind == "code128":
        row = python_barcode.get("code128", value).build()[0]
    else:
        raise ValueError(kind)
    return np.array([c == "1" for c in row], dtype=bool)[None, :]


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def label(
    kind: str, value: str, module_px: int = 4, variant: int = 0, bad_check: bool = False
) -> Image.Image:
    """The printed symbol, white quiet zone around it, digits under 1D bars; grey, 0 = ink.

    ``bad_check`` (EAN-13, EAN-8): the check digit's bars drawn wrong."""
    dark = modules(kind, value, variant)
    dark = bad_check_digit(dark) if bad_check else dark
    if kind == "qr":
        dark = np.pad(dark, 4)
        big = np.kron(dark, np.ones((module_px, module_px), dtype=bool))
        return Image.fromarray(np.where(big, 0, 255).astype(np.uint8), "L")
    width = dark.shape[1]
    height = {"code128": 0.22, "code39": 0.22, "itf": 0.3}.get(kind, 0.7) * width
    bars = np.tile(dark, (max(int(height), 24), 1))
    quiet = 20 if kind == "itf" else 11  # modules; ITF's narrow bar is 2 modules wide here
    bars = np.pad(bars, ((quiet // 2, 0), (quiet, quiet)))
    big = np.kron(bars, np.ones((module_px, module_px), dtype=bool))
    text_h = 9 * module_px
    img = Image.new("L", (big.shape[1], big.shape[0] + text_h), 255)
    img.paste(Image.fromarray(np.where(big, 0, 255).astype(np.uint8), "L"), (0, 0))
    draw = ImageDraw.Draw(img)
    font = _font(7 * module_px)
    draw.text((img.width / 2, big.shape[0] + module_px), value, fill=0, font=font, anchor="mt")
    return img


# -- the scene -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Photo:
    """How the code appears and how the camera degrades the frame (all lengths in frame px)."""

    module_px: float = 2.5  # one module on the frame
    angle: float = 0.0  # degrees, counter-clockwise
    perspective: float = 0.0  # random corner displacement, fraction of the label size
    center: tuple[float, float] = (320.0, 240.0)
    curvature: float = 0.0  # half-angle (radians) of the cylinder arc the label wraps
    occlusion: float = 0.0  # fraction of the code hidden by a finger or sticker
    screen: bool = False  # shown on a phone screen (subpixel grid, moiré) instead of paper
    contrast: float = 1.0  # print contrast: ink reflects (1 - contrast) of the paper's light
    light: float = 0.0  # strength of uneven light (0: even)
    glare: float = 0.0  # peak of a specular highlight, grey levels
    defocus: float = 0.0  # disk radius, px
    motion: float = 0.0  # motion blur length, px
    motion_angle: float = 0.0  # its direction, degrees
    noise: float = 2.0  # read noise sigma, grey levels (shot noise scales with it)
    jpeg: int = 90  # JPEG quality (0: none)
    ink: tuple[int, int, int] = (20, 20, 25)
    paper: tuple[int, int, int] = (245, 245, 240)
    background: str = "cover"  # cover, desk
    variant: int = 0  # the QR encoder
    bad_check: bool = False  # EAN-13/EAN-8 printed with a wrong check digit


@dataclass(frozen=True)
class Sample:
    """One frame of the set: RGB pixels, the code on it (kind None: a negative), its dose."""

    rgb: np.ndarray
    kind: str | None
    value: str
    degradation: str


def _homography(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """The 3x3 matrix mapping points ``src`` (4x2) onto ``dst``."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(src, dst, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    h = np.linalg.solve(np.array(rows, float), np.array(rhs, float))
    return np.append(h, 1.0).reshape(3, 3)


def _surface(kind: str, value: str, photo: Photo, scale: float) -> np.ndarray:
    """The label as it leaves the printer (or the phone's screen): float RGB 0..1 reflectance
    (or emission), at ``scale`` supersampled frame pixels per module."""
    if photo.screen:
        # A phone app: each module is a block of screen pixels; each screen pixel is three
        # vertical stripes (R, G, B) with a dark gap, so the camera samples a fine colour grid.
        pixels_per_module = 5 if kind == "qr" else 2
        grey = np.asarray(label(kind, value, pixels_per_module, photo.variant), np.float32) / 255
        # Colour filters overlap (and so do the camera's): a lit stripe leaks into the others.
        sub = np.full((3, 3, 3), 0.35, np.float32)
        sub[2] = 0.0  # the dark gap between rows of pixels
        for c in range(3):
            sub[:2, c, c] = 1.0
        rgb = np.kron(grey[:, :, None], np.ones((3, 3, 1), np.float32))
        rgb = rgb * np.tile(sub, (grey.shape[0], grey.shape[1], 1)) * 1.8  # a bright screen
        rgb = np.pad(rgb, ((24, 24), (24, 24), (0, 0)))  # the app's black margin, the bezel
        return np.clip(rgb, 0, 1) * 0.95 + 0.03
    module = 4
    grey = np.asarray(label(kind, value, module, photo.variant, photo.bad_check), np.float32) / 255
    # Pre-shrink towards the target scale (BOX averages), so the warp only resamples mildly.
    factor = scale / module
    if factor < 0.9:
        size = (max(2, round(grey.shape[1] * factor)), max(2, round(grey.shape[0] * factor)))
        grey = np.asarray(Image.fromarray(grey).resize(size, Image.Resampling.BOX))
    ink, paper = np.array(photo.ink, np.float32) / 255, np.array(photo.paper, np.float32) / 255
    ink = paper * (1 - photo.contrast) + ink * photo.contrast
    return ink + (paper - ink) * grey[:, :, None]


def _place(
    frame: np.ndarray, surface: np.ndarray, photo: Photo, rng: np.random.Generator, scale_px: float
) -> np.ndarray:
    """Warp ``surface`` into ``frame`` (float RGB, supersampled), in place; the label mask."""
    sh, sw = surface.shape[:2]
    w, h = sw * scale_px / max(sw, sh), sh * scale_px / max(sw, sh)  # its size on the frame
    a = np.deg2rad(photo.angle)
    rot = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])  # y grows downwards
    corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
    jitter = rng.uniform(-1, 1, (4, 2)) * photo.perspective * max(w, h)
    dst = (corners + jitter) @ rot.T + np.array(photo.center) * SS
    phi = max(photo.curvature, 1e-6)
    radius = (sw / 2) / phi
    flat_w = 2 * radius * np.sin(phi)  # the projected width of the wrapped label
    src = np.array([[0, 0], [flat_w, 0], [flat_w, sh], [0, sh]], float)
    inverse = _homography(dst, src)
    x0, y0 = np.floor(dst.min(0)).astype(int).clip(0, [frame.shape[1], frame.shape[0]])
    x1, y1 = np.ceil(dst.max(0)).astype(int).clip(0, [frame.shape[1], frame.shape[0]])
    mask = np.zeros(frame.shape[:2], bool)
    if x1 <= x0 or y1 <= y0:
        return mask
    # The cover turns away from the light towards the cylinder's edges.
    theta = (np.arange(sw) + 0.5 - sw / 2) / radius
    shade = (0.55 + 0.45 * np.cos(theta)) if photo.curvature > 0.01 else np.ones(sw)
    rgba = np.dstack([surface * shade[None, :, None], np.ones((sh, sw))])
    image = Image.fromarray((rgba.clip(0, 1) * 255).astype(np.uint8), "RGBA")
    size = (int(x1 - x0), int(y1 - y0))
    if photo.curvature < 0.01:  # flat: one perspective transform (PIL, in C)
        shifted = inverse @ np.array([[1, 0, x0], [0, 1, y0], [0, 0, 1]], float)
        coeffs = tuple((shifted / shifted[2, 2]).ravel()[:8])
        warped = np.asarray(image.transform(size, Image.Transform.PERSPECTIVE, coeffs,
                                            Image.Resampling.BILINEAR))  # fmt: skip
        return _composite(frame, mask, warped, x0, y0)
    # Curved: PIL's MESH transform, for a grid of small cells of the frame, the source point of
    # each cell corner through the exact mapping (homography, then the cylinder's arcsine).
    cell = 16
    xs = np.arange(x0, x1 + cell, cell, dtype=np.float64)
    ys = np.arange(y0, y1 + cell, cell, dtype=np.float64)
    gx, gy = np.meshgrid(xs, ys)
    q = inverse @ np.stack([gx.ravel(), gy.ravel(), np.ones(gx.size)])
    px, py = (q[0] / q[2]).reshape(gx.shape), (q[1] / q[2]).reshape(gx.shape)
    t = (px - flat_w / 2) / radius
    u = sw / 2 + radius * np.where(np.abs(t) < 1, np.arcsin(np.clip(t, -1, 1)), t * np.pi / 2)
    mesh = []
    for j in range(len(ys) - 1):
        for i in range(len(xs) - 1):
            box = (int(xs[i] - x0), int(ys[j] - y0), int(xs[i + 1] - x0), int(ys[j + 1] - y0))
            quad = (u[j, i], py[j, i], u[j + 1, i], py[j + 1, i],
                    u[j + 1, i + 1], py[j + 1, i + 1], u[j, i + 1], py[j, i + 1])  # fmt: skip
            mesh.append((box, quad))
    size = (int(xs[-1] - x0), int(ys[-1] - y0))
    warped = np.asarray(
        image.transform(size, Image.Transform.MESH, mesh, Image.Resampling.BILINEAR)
    )
    return _composite(frame, mask, warped[: y1 - y0, : x1 - x0], x0, y0)


def _composite(
    frame: np.ndarray, mask: np.ndarray, rgba: np.ndarray, x0: int, y0: int
) -> np.ndarray:
    """Blend the warped label (uint8 RGBA) into ``frame`` at (x0, y0); its mask."""
    warped = rgba.astype(np.float32) / 255
    h, w = warped.shape[:2]
    alpha = warped[:, :, 3:]
    region = frame[y0 : y0 + h, x0 : x0 + w]
    region[:] = region * (1 - alpha) + warped[:, :, :3] * alpha
    mask[y0 : y0 + h, x0 : x0 + w] = alpha[:, :, 0] > 0.5
    return mask


def _background(kind: str, rng: np.random.Generator) -> np.ndarray:
    """A book cover or a desk at supersampled size, float RGB 0..1."""
    w, h = SIZE[0] * SS, SIZE[1] * SS
    c0, c1 = rng.integers(30, 230, 3), rng.integers(30, 230, 3)
    t = np.linspace(0, 1, w)[None, :, None]
    base = (c0 * (1 - t) + c1 * t) * np.ones((h, 1, 1))
    img = Image.fromarray(base.astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)
    if kind == "desk":  # wood grain: long soft stripes
        for _ in range(40):
            y = int(rng.integers(0, h))
            tone = tuple(int(v) for v in np.clip(c0 * rng.uniform(0.7, 1.2), 0, 255))
            draw.line(
                (0, y, w, y + int(rng.integers(-60, 60))), fill=tone, width=int(rng.integers(2, 9))
            )
    for _ in range(int(rng.integers(2, 6))):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        fill = tuple(int(v) for v in rng.integers(0, 256, 3))
        draw.rectangle(
            (x, y, x + int(rng.integers(80, 600)), y + int(rng.integers(40, 400))), fill=fill
        )
    _text_lines(draw, rng, w, h, int(rng.integers(2, 8)))
    return np.asarray(img, np.float32) / 255


def _text_lines(
    draw: ImageDraw.ImageDraw, rng: np.random.Generator, w: int, h: int, n: int
) -> None:
    words = ["Truyện", "Kiều", "Nguyễn", "Du", "Lạng", "Sơn", "thư viện", "sách", "NXB", "Kim",
             "Đồng", "Giáo dục", "1234", "Tập 2", "Lịch sử", "Việt Nam", "ISBN"]  # fmt: skip
    for _ in range(n):
        x, y = int(rng.integers(0, w - 200)), int(rng.integers(0, h - 40))
        ink = tuple(int(v) for v in rng.integers(0, 90, 3))
        text = " ".join(str(rng.choice(words)) for _ in range(int(rng.integers(2, 7))))
        draw.text((x, y), text, fill=ink, font=_font(int(rng.integers(18, 60))))


def _lighting(shape: tuple[int, int], photo: Photo, rng: np.random.Generator) -> np.ndarray:
    """Multiplicative light field: a smooth random slope and vignette, strength ``light``."""
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    xx, yy = xx / w - 0.5, yy / h - 0.5
    gx, gy = rng.uniform(-1, 1, 2)
    cx, cy = rng.uniform(-0.5, 0.5, 2)
    field = (
        1
        + photo.light * (gx * xx + gy * yy)
        - photo.light * 0.8 * ((xx - cx) ** 2 + (yy - cy) ** 2)
    )
    return np.clip(field, 0.08, 1.5)


def _kernel(photo: Photo) -> np.ndarray | None:
    """The blur's point-spread function (frame px): a disk for defocus, a line for motion."""
    if photo.defocus < 0.4 and photo.motion < 1.5:
        return None
    r = int(np.ceil(max(photo.defocus, photo.motion / 2))) + 1
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1].astype(np.float32)
    if photo.motion >= 1.5:
        a = np.deg2rad(photo.motion_angle)
        along = xx * np.cos(a) + yy * np.sin(a)
        across = -xx * np.sin(a) + yy * np.cos(a)
        soft = photo.defocus / 2  # defocus as well: a wider line with rounded ends
        k = np.clip(1 + soft - np.abs(across), 0, 1) * (np.abs(along) <= photo.motion / 2 + soft)
    else:
        k = np.clip(photo.defocus + 0.5 - np.hypot(xx, yy), 0, 1)
    return k / k.sum()


def _convolve(a: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """``a`` (H, W, C) convolved with ``kernel`` through the FFT (edges padded by reflection)."""
    r = kernel.shape[0] // 2
    padded = np.pad(a, ((r, r), (r, r), (0, 0)), mode="reflect")
    shape = padded.shape[:2]
    kf = np.fft.rfft2(kernel, s=shape)
    out = np.fft.irfft2(np.fft.rfft2(padded, axes=(0, 1)) * kf[..., None], s=shape, axes=(0, 1))
    return out[2 * r :, 2 * r :][: a.shape[0], : a.shape[1]]


def _occlude(frame: np.ndarray, mask: np.ndarray, photo: Photo, rng: np.random.Generator) -> None:
    """A finger (skin ellipse) or a price sticker over part of the label."""
    ys, xs = np.nonzero(mask)
    if not len(xs):
        return
    x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
    img = Image.fromarray((frame * 255).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    fw, fh = (x1 - x0) * photo.occlusion, (y1 - y0) * photo.occlusion
    if rng.random() < 0.5:  # a finger from the bottom or top edge, over part of the bars' height
        cx = x0 + rng.uniform(0.2, 0.8) * (x1 - x0)
        top = rng.random() < 0.5
        cy = y0 if top else y1
        skin = tuple(
            int(v) for v in (rng.uniform(170, 230), rng.uniform(120, 170), rng.uniform(90, 140))
        )
        draw.ellipse(
            (
                cx - fw * 0.6,
                cy - (y1 - y0) * photo.occlusion * 1.4,
                cx + fw * 0.6,
                cy + (y1 - y0) * photo.occlusion * 1.4,
            ),
            fill=skin,
        )
    else:  # a sticker over a corner
        cx = x0 if rng.random() < 0.5 else x1
        cy = y0 if rng.random() < 0.5 else y1
        fill = tuple(int(v) for v in rng.integers(150, 256, 3))
        draw.rectangle((cx - fw * 0.7, cy - fh * 0.7, cx + fw * 0.7, cy + fh * 0.7), fill=fill)
    frame[:] = np.asarray(img, np.float32) / 255


def render(kind: str | None, value: str, photo: Photo, seed: int) -> np.ndarray:
    """A 640x480 RGB frame (uint8) showing ``value`` as ``kind`` (None: the scene alone)."""
    rng = np.random.default_rng(seed)
    frame = _background(photo.background, rng)
    if kind is not None:
        surface = _surface(kind, value, photo, photo.module_px * SS)
        # The symbol's length in supersampled frame pixels decides the label's size.
        per_module = surface.shape[1] / _module_count(kind, value, photo)
        long_side = max(surface.shape[:2]) / per_module * photo.module_px * SS
        mask = _place(frame, surface, photo, rng, long_side)
        if photo.occlusion:
            _occlude(frame, mask, photo, rng)
    return camera(frame, photo, rng)


def _module_count(kind: str, value: str, photo: Photo) -> float:
    """How many modules wide the label surface is (quiet zones and screen margins included)."""
    width = modules(kind, value, photo.variant).shape[1] + (8 if kind == "qr" else 22)
    if photo.screen:
        return width + 2 * 24 / (3 * (5 if kind == "qr" else 2))  # the bezel, in modules
    return width


def camera(frame: np.ndarray, photo: Photo, rng: np.random.Generator) -> np.ndarray:
    """Light, optics and sensor: supersampled float RGB scene -> 640x480 uint8 RGB frame."""
    img = Image.fromarray((frame.clip(0, 1) * 255).astype(np.uint8))
    img = img.resize(SIZE, Image.Resampling.BOX)  # the sensor integrates over each pixel
    a = np.asarray(img, np.float32) / 255
    a = a * _lighting(a.shape[:2], photo, rng)[..., None]
    if photo.glare:
        yy, xx = np.mgrid[0 : SIZE[1], 0 : SIZE[0]].astype(np.float32)
        gx, gy = photo.center[0] + rng.uniform(-60, 60), photo.center[1] + rng.uniform(-40, 40)
        spread = rng.uniform(30, 80)
        a = (
            a
            + (photo.glare / 255)
            * np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * spread**2))[..., None]
        )
    kernel = _kernel(photo)
    if kernel is not None:
        a = _convolve(a, kernel)
    exposure = 0.92
    a = a * exposure * 255
    shot = np.sqrt(np.clip(a, 0, None) / 255) * photo.noise * 1.5
    a = a + rng.normal(0, 1, a.shape).astype(np.float32) * (photo.noise + shot)
    out = a.clip(0, 255).astype(np.uint8)
    if photo.jpeg:
        buffer = io.BytesIO()
        Image.fromarray(out).save(buffer, "JPEG", quality=photo.jpeg)
        out = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))
    return out


# -- the doses -------------------------------------------------------------------------------------
def mild(rng: np.random.Generator, kind: str) -> Photo:
    """Everyday imperfections: a hand-held book a little tilted, a decent webcam."""
    long_codes = kind in ("code128", "code39", "itf")
    return Photo(
        module_px=float(rng.uniform(1.6, 2.6) if long_codes else rng.uniform(2.0, 3.4)),
        angle=float(rng.normal(0, 6)),
        perspective=float(rng.uniform(0, 0.05)),
        center=(float(rng.uniform(250, 390)), float(rng.uniform(190, 290))),
        contrast=float(rng.uniform(0.75, 1.0)),
        light=float(rng.uniform(0, 0.4)),
        defocus=float(rng.uniform(0, 0.8)),
        noise=float(rng.uniform(1.5, 4)),
        jpeg=int(rng.integers(60, 92)),
        background=str(rng.choice(["cover", "desk"])),
        variant=int(rng.integers(0, 2)),
    )


def dose(photo: Photo, degradation: str, rng: np.random.Generator, kind: str) -> Photo:
    """``photo`` with a strong dose of one degradation."""
    u = lambda lo, hi: float(rng.uniform(lo, hi))  # noqa: E731
    match degradation:
        case "perspective":
            return replace(photo, perspective=u(0.12, 0.25))
        case "motion":
            return replace(photo, motion=u(3, 9), motion_angle=u(-90, 90))
        case "defocus":
            return replace(photo, defocus=u(1.4, 3.0))
        case "jpeg":
            return replace(photo, jpeg=int(rng.integers(8, 25)), noise=u(4, 10))
        case "uneven-light":
            return replace(photo, light=u(1.0, 1.8), glare=u(100, 260))
        case "low-contrast":
            return replace(photo, contrast=u(0.18, 0.4), light=u(0.2, 0.8), noise=u(3, 6))
        case "curvature":
            return replace(photo, curvature=u(0.7, 1.2))
        case "occlusion":
            return replace(photo, occlusion=u(0.2, 0.4) if kind != "qr" else u(0.12, 0.2))
        case "moire":
            return replace(photo, screen=True, module_px=photo.module_px * u(0.9, 1.3))
        case "small":
            return replace(photo, module_px=u(1.0, 1.5))
        case "tilt":
            return replace(photo, angle=float(rng.choice([-1, 1]) * u(20, 80)))
    return photo


def scene(kind: str, degradation: str, seed: int) -> Sample:
    """One frame: ``kind`` with a value and a photo drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    value = value_for(kind, rng)
    photo = dose(mild(rng, kind), degradation, rng, kind)
    return Sample(render(kind, value, photo, seed), kind, value, degradation)


# -- negatives -------------------------------------------------------------------------------------
def negative(subject: str, seed: int) -> Sample:
    """A frame with no code: a page of text, faces, a shelf, a patterned cover, or noise."""
    rng = np.random.default_rng(seed)
    w, h = SIZE[0] * SS, SIZE[1] * SS
    photo = replace(mild(rng, "ean13"), defocus=float(rng.uniform(0, 1.2)))
    if subject == "noise":
        frame = rng.uniform(0, 1, (h // 8, w // 8, 3)).astype(np.float32)
        frame = np.kron(frame, np.ones((8, 8, 1), np.float32))
        return Sample(camera(frame, replace(photo, noise=20), rng), None, "", subject)
    img = Image.new("RGB", (w, h), tuple(int(v) for v in rng.integers(180, 256, 3)))
    draw = ImageDraw.Draw(img)
    if subject == "text":
        for line in range(int(rng.integers(12, 30))):
            size = int(rng.integers(20, 40))
            y = 30 + line * size * 1.4
            _text_line_at(draw, rng, 40, int(y), size)
    elif subject == "faces":
        for _ in range(int(rng.integers(1, 4))):
            _face(draw, rng, w, h)
    elif subject == "shelf":  # book spines: many parallel edges of random widths and colours
        x = 0
        while x < w:
            width = int(rng.integers(12, 90))
            fill = tuple(int(v) for v in rng.integers(0, 256, 3))
            draw.rectangle((x, 0, x + width, h), fill=fill)
            for _ in range(int(rng.integers(0, 4))):  # bands printed on the spine
                y = int(rng.integers(0, h))
                band = tuple(int(v) for v in rng.integers(0, 256, 3))
                draw.rectangle((x, y, x + width, y + int(rng.integers(4, 40))), fill=band)
            x += width + int(rng.integers(1, 4))
    elif subject == "pattern":
        _pattern(draw, rng, w, h)
    frame = np.asarray(img, np.float32) / 255
    angle = float(rng.normal(0, 10))
    frame = (
        np.asarray(
            Image.fromarray((frame * 255).astype(np.uint8)).rotate(
                angle, Image.Resampling.BILINEAR
            ),
            np.float32,
        )
        / 255
    )
    return Sample(camera(frame, photo, rng), None, "", subject)


def _text_line_at(
    draw: ImageDraw.ImageDraw, rng: np.random.Generator, x: int, y: int, size: int
) -> None:
    words = ["Ngày", "xưa", "có", "một", "cậu", "bé", "chăn", "trâu", "trên", "đồi", "Mẫu",
             "Sơn", "1945", "000123", "|||", "Il1", "--", "mười", "hai", "bến", "nước"]  # fmt: skip
    text = " ".join(str(rng.choice(words)) for _ in range(int(rng.integers(6, 14))))
    draw.text((x, y), text, fill=(20, 20, 20), font=_font(size))


def _face(draw: ImageDraw.ImageDraw, rng: np.random.Generator, w: int, h: int) -> None:
    cx, cy, r = rng.uniform(200, w - 200), rng.uniform(200, h - 200), rng.uniform(100, 260)
    skin = tuple(
        int(v) for v in (rng.uniform(160, 240), rng.uniform(110, 180), rng.uniform(80, 150))
    )
    draw.ellipse((cx - r, cy - r * 1.3, cx + r, cy + r * 1.3), fill=skin)
    draw.chord(
        (cx - r * 1.05, cy - r * 1.45, cx + r * 1.05, cy - r * 0.2), 180, 360, fill=(25, 20, 20)
    )
    for side in (-1, 1):  # eyes, brows
        ex, ey = cx + side * r * 0.38, cy - r * 0.1
        draw.ellipse(
            (ex - r * 0.14, ey - r * 0.08, ex + r * 0.14, ey + r * 0.08), fill=(250, 250, 250)
        )
        draw.ellipse(
            (ex - r * 0.06, ey - r * 0.06, ex + r * 0.06, ey + r * 0.06), fill=(30, 20, 10)
        )
        draw.line(
            (ex - r * 0.18, ey - r * 0.2, ex + r * 0.18, ey - r * 0.24),
            fill=(30, 20, 20),
            width=int(r * 0.05),
        )
    draw.arc(
        (cx - r * 0.4, cy + r * 0.2, cx + r * 0.4, cy + r * 0.7),
        20,
        160,
        fill=(120, 30, 40),
        width=int(r * 0.06),
    )


def _pattern(draw: ImageDraw.ImageDraw, rng: np.random.Generator, w: int, h: int) -> None:
    """Stripes, plaid, checkerboard or halftone dots: the covers most like bars."""
    choice = int(rng.integers(0, 4))
    c1 = tuple(int(v) for v in rng.integers(0, 120, 3))
    if choice == 0:  # regular stripes, like a fake barcode with a constant period
        step = int(rng.integers(6, 30))
        for x in range(0, w, step):
            draw.rectangle((x, 0, x + step // 2, h), fill=c1)
    elif choice == 1:  # plaid
        for x in range(0, w, int(rng.integers(20, 60))):
            draw.rectangle((x, 0, x + int(rng.integers(3, 15)), h), fill=c1)
        for y in range(0, h, int(rng.integers(20, 60))):
            draw.rectangle((0, y, w, y + int(rng.integers(3, 15))), fill=c1)
    elif choice == 2:  # checkerboard
        s = int(rng.integers(8, 40))
        for y in range(0, h, s):
            for x in range((y // s) % 2 * s, w, 2 * s):
                draw.rectangle((x, y, x + s - 1, y + s - 1), fill=c1)
    else:  # halftone dots
        s = int(rng.integers(8, 20))
        for y in range(0, h, s):
            for x in range(0, w, s):
                r = s * 0.45 * (0.5 + 0.5 * np.sin(x / 97 + y / 61))
                draw.ellipse((x - r, y - r, x + r, y + r), fill=c1)


# -- the set ---------------------------------------------------------------------------------------
def photo_set(per_kind: int, negatives: int, seed: int = 16) -> list[Sample]:
    """``per_kind`` frames of every symbology (cycling through the degradations) and
    ``negatives`` frames without a code (cycling through ``NEGATIVES``)."""
    samples = []
    for k, kind in enumerate(KINDS):
        for i in range(per_kind):
            degradation = DEGRADATIONS[i % len(DEGRADATIONS)]
            samples.append(scene(kind, degradation, seed * 1_000_003 + k * 10_007 + i))
    for i in range(negatives):
        samples.append(negative(NEGATIVES[i % len(NEGATIVES)], seed * 7919 + 500_000 + i))
    return samples
