"""Barcode benchmark: ``kiosk.hardware.barcode.decode`` vs plain ``pyzbar.decode``, same frames.

    .venv/bin/python -m bench.barcode            # 400 frames, about a minute on 2 cores
    .venv/bin/python -m bench.barcode --quick    # 100 frames, labelled QUICK

The frames are generated here (fixed seed): 640x480 colour "camera frames" of a book cover
or a desk with an EAN-13 (ISBN), a Code 128 reader card or a QR reader card on a printed
label, placed with perspective and rotation, then degraded the way a webcam degrades them:
blur (defocus and motion), low contrast and dim light, glare, sensor noise, small codes, JPEG
compression. A sixth of the frames have no code at all, as most frames a kiosk sees: they
count for the time and for false reads.

Figures: ms per frame (p50, p95) and read rate (the expected value among the codes
returned), overall and per degradation, for the kiosk's decoder (given the BGR frame, as
OpenCV delivers it, with ``order="BGR"``) and for plain ``pyzbar.decode`` given the same frame
as a PIL RGB image (pyzbar then converts to grey itself: the best plain pyzbar can do). For
information, plain pyzbar given the BGR numpy array reads its first (blue) channel only.
False reads: a code returned that is not the one on the frame. Goals (issue 3): read rate at
least plain pyzbar's; p95 at most 30 ms per frame. Exit status 1 if a goal is missed.

The generator functions (``render_label``, ``Scene``, ``synthesize``) are also used by the
tests (tests/hardware/test_hw_barcode.py).
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections import Counter
from dataclasses import dataclass, replace

import barcode as python_barcode
import numpy as np
import qrcode
from PIL import Image, ImageDraw, ImageFilter
from pyzbar import pyzbar

from kiosk.hardware import barcode

SIZE = (640, 480)
KINDS = ("ean13", "code128", "qr")
DEGRADATIONS = (
    "clean",
    "perspective",
    "rotation",
    "blur",
    "low-contrast",
    "glare",
    "noise",
    "small",
)
P95_GOAL_MS = 30.0


# -- symbols ---------------------------------------------------------------------------------------
def modules(kind: str, value: str) -> np.ndarray:
    """The symbol's modules as a 2D bool array (True = dark), without quiet zone.

    EAN-13 and Code 128 come from python-barcode's encoder and QR from the qrcode package:
    independent encoders, so our decoder is not checked against our own idea of the symbology.
    """
    if kind == "qr":
        qr = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
        qr.add_data(value)
        qr.make(fit=True)
        return np.array(qr.get_matrix(), dtype=bool)
    if kind == "ean13":
        # python-barcode computes the check digit from 12 digits; given 13 it would recompute.
        row = python_barcode.get("ean13", value[:12]).build()[0]
        height = 70  # EAN-13 nominal: 22.85 mm bars / 0.33 mm modules
    elif kind == "code128":
        row = python_barcode.get("code128", value).build()[0]
        height = max(30, len(row) // 4)  # a card: wide and short
    else:
        raise ValueError(kind)
    return np.tile(np.array([c == "1" for c in row], dtype=bool), (height, 1))


def render_label(
    kind: str,
    value: str,
    module_px: int = 4,
    *,
    ink: tuple[int, int, int] = (0, 0, 0),
    paper: tuple[int, int, int] = (255, 255, 255),
    bad_check_digit: bool = False,
) -> Image.Image:
    """A printed label: the symbol at ``module_px`` pixels per module with its quiet zone.

    ``bad_check_digit`` (EAN-13 only) draws the bars of ``value`` but with its check digit
    changed: what a misprint or a misread looks like to the decoder.
    """
    dark = modules(kind, value)
    if bad_check_digit:
        dark = _with_bad_check_digit(value)
    quiet = 4 if kind == "qr" else 11  # modules of quiet zone each side (ISO minimum-ish)
    dark = np.pad(dark, ((quiet // 2, quiet // 2), (quiet, quiet)) if kind != "qr" else quiet)
    big = np.kron(dark, np.ones((module_px, module_px), dtype=bool))
    rgb = np.where(big[:, :, None], np.array(ink, np.uint8), np.array(paper, np.uint8))
    return Image.fromarray(rgb.astype(np.uint8), "RGB")


def _with_bad_check_digit(value: str) -> np.ndarray:
    """EAN-13 bars of ``value`` whose last digit is wrong: the right-hand half re-encoded."""
    code = python_barcode.get("ean13", value[:12])
    good, wrong = code.build()[0], (int(code.get_fullcode()[12]) + 5) % 10
    # Right-hand digits use the "R" code; the check digit is the last 7 modules before the
    # end guard (101).
    r_codes = [
        "1110010", "1100110", "1101100", "1000010", "1011100",
        "1001110", "1010000", "1000100", "1001000", "1110100",
    ]  # fmt: skip
    row = good[:-10] + r_codes[wrong] + good[-3:]
    return np.tile(np.array([c == "1" for c in row], dtype=bool), (70, 1))


# -- scenes ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scene:
    """How a label appears in a 640x480 frame, and how the camera degrades the frame."""

    module_px: float = 2.5  # size of one module on the frame
    angle: float = 0.0  # degrees, counter-clockwise
    perspective: float = 0.0  # corner displacement, as a fraction of the label size
    center: tuple[float, float] = (320, 240)
    blur: float = 0.0  # Gaussian radius, px
    motion: int = 0  # horizontal motion blur length, px
    contrast: float = 1.0  # 1 = as printed; 0.2 = a dim, washed-out frame
    brightness: float = 0.0  # added after the contrast change
    glare: float = 0.0  # peak added brightness of a specular highlight (0-255)
    glare_at: tuple[float, float] = (320, 240)
    noise: float = 0.0  # sensor noise sigma, grey levels
    jpeg: int = 0  # JPEG quality (0: none)
    ink: tuple[int, int, int] = (0, 0, 0)
    paper: tuple[int, int, int] = (255, 255, 255)
    seed: int = 0  # background texture


def background(seed: int) -> Image.Image:
    """A book cover or a desk: a colour gradient, blocks of colour and lines of 'text'."""
    rng = np.random.default_rng(seed)
    w, h = SIZE
    c0, c1 = rng.integers(40, 230, 3), rng.integers(40, 230, 3)
    t = np.linspace(0, 1, w)[None, :, None]
    base = (c0 * (1 - t) + c1 * t) * np.ones((h, 1, 1))
    img = Image.fromarray(base.astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)
    for _ in range(rng.integers(2, 6)):
        x, y = rng.integers(0, w), rng.integers(0, h)
        fill = tuple(int(v) for v in rng.integers(0, 256, 3))
        draw.rectangle((x, y, x + rng.integers(40, 300), y + rng.integers(20, 200)), fill=fill)
    for _ in range(rng.integers(3, 12)):  # lines of text-like marks: busy, non-periodic edges
        x, y = int(rng.integers(0, w - 200)), int(rng.integers(0, h - 12))
        ink = tuple(int(v) for v in rng.integers(0, 80, 3))
        for _ in range(rng.integers(5, 25)):
            cw = int(rng.integers(3, 9))
            draw.rectangle((x, y, x + cw, y + int(rng.integers(6, 12))), fill=ink)
            x += cw + int(rng.integers(2, 6))
    return img


def _homography(src: np.ndarray, dst: np.ndarray) -> tuple[float, ...]:
    """PIL PERSPECTIVE coefficients mapping output (dst) points to input (src) points."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    return tuple(np.linalg.solve(np.array(rows, float), np.array(rhs, float)))


def synthesize(kind: str | None, value: str, scene: Scene, **label_args: object) -> np.ndarray:
    """A 640x480 RGB frame (numpy, uint8) showing the code on a background, degraded.

    ``kind`` None gives the background alone (a frame without a code).
    """
    rng = np.random.default_rng(scene.seed + 1)
    frame = background(scene.seed)
    if kind is not None:
        label = render_label(kind, value, 4, ink=scene.ink, paper=scene.paper, **label_args)
        _paste(frame, label, scene, rng)
    return _degrade(frame, scene, rng)


def _paste(frame: Image.Image, label: Image.Image, scene: Scene, rng: np.random.Generator) -> None:
    w, h = label.size
    scale = scene.module_px / 4
    a = np.deg2rad(scene.angle)
    rot = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])  # y down
    corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
    jitter = rng.uniform(-1, 1, (4, 2)) * scene.perspective * max(w, h)
    dst = (corners + jitter) * scale @ rot.T + np.array(scene.center)
    src = corners + np.array([w / 2, h / 2])
    coeffs = _homography(src, dst)
    warped = label.transform(frame.size, Image.Transform.PERSPECTIVE, coeffs, Image.BICUBIC)
    mask = Image.new("L", label.size, 255).transform(
        frame.size, Image.Transform.PERSPECTIVE, coeffs, Image.BILINEAR
    )
    frame.paste(warped, (0, 0), mask)


def _degrade(frame: Image.Image, scene: Scene, rng: np.random.Generator) -> np.ndarray:
    if scene.blur:
        frame = frame.filter(ImageFilter.GaussianBlur(scene.blur))
    a = np.asarray(frame, dtype=np.float32)
    if scene.motion > 1:
        kernel = np.ones(scene.motion, np.float32) / scene.motion
        a = np.apply_along_axis(lambda r: np.convolve(r, kernel, mode="same"), 1, a)
    a = 128 + (a - 128) * scene.contrast + scene.brightness
    if scene.glare:
        yy, xx = np.mgrid[0 : SIZE[1], 0 : SIZE[0]]
        gx, gy = scene.glare_at
        a += (scene.glare * np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * 60.0**2)))[..., None]
    if scene.noise:
        a += rng.normal(0, scene.noise, a.shape)
    out = a.clip(0, 255).astype(np.uint8)
    if scene.jpeg:
        buffer = io.BytesIO()
        Image.fromarray(out).save(buffer, "JPEG", quality=scene.jpeg)
        out = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))
    return out


# -- the frame set ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sample:
    """One benchmark frame: RGB pixels, the code on it (None: no code), its degradation."""

    rgb: np.ndarray
    kind: str | None
    value: str
    degradation: str


def _value(kind: str, rng: np.random.Generator) -> str:
    if kind == "ean13":
        prefix = str(rng.choice(["978604", "978604", "979", "893"]))  # 893: Vietnam, non-book
        body = prefix + "".join(str(d) for d in rng.integers(0, 10, 12 - len(prefix)))
        return python_barcode.get("ean13", body).get_fullcode()
    if kind == "code128":
        return f"LS-{rng.integers(0, 10**6):06d}"
    return f"THUVIEN:READER:{rng.integers(0, 10**8):08d}"


def random_scene(rng: np.random.Generator, degradation: str, seed: int) -> Scene:
    """Mild everyday imperfections, plus a strong dose of ``degradation``."""
    s = Scene(
        module_px=float(rng.uniform(2.0, 3.5)),
        angle=float(rng.normal(0, 5)),
        perspective=float(rng.uniform(0, 0.04)),
        center=(float(rng.uniform(220, 420)), float(rng.uniform(170, 310))),
        blur=float(rng.uniform(0, 0.8)),
        contrast=float(rng.uniform(0.7, 1.0)),
        noise=float(rng.uniform(1, 4)),
        jpeg=int(rng.integers(60, 95)),
        seed=seed,
    )
    if rng.random() < 0.25:  # coloured print: blue or red ink, cream or yellow paper
        s = replace(s, ink=((20, 40, 140), (150, 20, 20))[int(rng.integers(2))])
        s = replace(s, paper=((250, 240, 210), (250, 235, 150))[int(rng.integers(2))])
    match degradation:
        case "perspective":
            s = replace(s, perspective=float(rng.uniform(0.08, 0.18)))
        case "rotation":
            s = replace(s, angle=float(rng.choice([-1, 1]) * rng.uniform(15, 90)))
        case "blur":
            if rng.random() < 0.5:
                s = replace(s, blur=float(rng.uniform(1.0, 2.2)))
            else:
                s = replace(s, motion=int(rng.integers(3, 8)))
        case "low-contrast":
            s = replace(s, contrast=float(rng.uniform(0.12, 0.35)), brightness=rng.uniform(-60, 40))
        case "glare":
            s = replace(s, glare=float(rng.uniform(120, 260)), glare_at=s.center)
        case "noise":
            s = replace(s, noise=float(rng.uniform(12, 30)), jpeg=int(rng.integers(25, 50)))
        case "small":
            s = replace(s, module_px=float(rng.uniform(1.0, 1.7)))
    return s


def frame_set(count: int, seed: int = 2024) -> list[Sample]:
    """``count`` frames: a sixth without a code, the rest spread over kinds and degradations."""
    rng = np.random.default_rng(seed)
    samples = []
    for i in range(count):
        degradation = DEGRADATIONS[i % len(DEGRADATIONS)]
        if i % 6 == 5:
            scene = random_scene(rng, degradation, seed=i)
            samples.append(Sample(synthesize(None, "", scene), None, "", "no code"))
            continue
        kind = KINDS[int(rng.choice(3, p=[0.5, 0.3, 0.2]))]
        value = _value(kind, rng)
        scene = random_scene(rng, degradation, seed=i)
        samples.append(Sample(synthesize(kind, value, scene), kind, value, degradation))
    return samples


# -- measuring -------------------------------------------------------------------------------------
@dataclass
class Tally:
    """Times and outcomes of one decoder over the frame set."""

    ms: list[float]
    read: Counter
    total: Counter
    false_reads: int = 0
    steps: Counter | None = None


def run(samples: list[Sample], side: str) -> Tally:
    """Decode every sample with one side: "kiosk", "pyzbar" (PIL RGB) or "pyzbar-bgr"."""
    tally = Tally([], Counter(), Counter(), 0, Counter())
    for sample in samples:
        bgr = np.ascontiguousarray(sample.rgb[:, :, ::-1])  # what OpenCV would hand us
        t0 = time.perf_counter()
        if side == "kiosk":
            report = barcode.decode_report(bgr, order="BGR")
            values = {c.value for c in report.codes}
            tally.steps[report.step or "-"] += 1  # type: ignore[index]
        elif side == "pyzbar":
            values = {
                r.data.decode("utf-8", "replace")
                for r in pyzbar.decode(Image.fromarray(sample.rgb))
            }
        else:
            values = {r.data.decode("utf-8", "replace") for r in pyzbar.decode(bgr)}
        tally.ms.append((time.perf_counter() - t0) * 1000)
        tally.total[sample.degradation] += 1
        if sample.kind is not None and sample.value in values:
            tally.read[sample.degradation] += 1
        tally.false_reads += len(values - {sample.value})
    return tally


def p(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of ``values``."""
    return float(np.percentile(values, q))


def rate(tally: Tally, degradation: str | None = None) -> float:
    """Read rate over frames with a code (or with one degradation)."""
    keys = [k for k in tally.total if k != "no code"] if degradation is None else [degradation]
    total = sum(tally.total[k] for k in keys)
    return sum(tally.read[k] for k in keys) / total if total else 0.0


def report(samples: list[Sample], quick: bool) -> bool:
    """Measure both sides, print the table; True if every goal is met."""
    barcode.decode(samples[0].rgb)  # warm up: zbar's library load, numpy's first calls
    kiosk, base, bgr = run(samples, "kiosk"), run(samples, "pyzbar"), run(samples, "pyzbar-bgr")
    ours_rate, ours_p95, goal = rate(kiosk), p(kiosk.ms, 95), f"<= {P95_GOAL_MS:g}"
    rows: list[tuple[str, float, float, str, bool | None]] = [
        ("read rate (frames with a code)", ours_rate, rate(base), ">= baseline",
         ours_rate >= rate(base)),
        ("ms per frame p50", p(kiosk.ms, 50), p(base.ms, 50), "", None),
        ("ms per frame p95", ours_p95, p(base.ms, 95), goal, ours_p95 <= P95_GOAL_MS),
        ("ms per frame max", max(kiosk.ms), max(base.ms), "", None),
        ("false reads (count)", kiosk.false_reads, base.false_reads, "0", kiosk.false_reads == 0),
    ]  # fmt: skip
    for d in DEGRADATIONS:
        rows.append((f"  read rate: {d}", rate(kiosk, d), rate(base, d), "", None))
    title = f"Barcode decoding, {len(samples)} frames 640x480" + (" (QUICK)" if quick else "")
    print(title)
    print(f"{'metric':34} | {'kiosk':>8} | {'baseline':>8} | {'ratio':>6} | {'goal':>12} | ok")
    print("-" * 86)
    for name, ours, theirs, goal, ok in rows:
        ratio = f"{ours / theirs:6.2f}" if theirs else "     -"
        mark = "" if ok is None else ("yes" if ok else "NO")
        print(f"{name:34} | {ours:8.3f} | {theirs:8.3f} | {ratio} | {goal:>12} | {mark}")
    print()
    print(f"plain pyzbar on the BGR numpy array (first channel only): read rate {rate(bgr):.3f}")
    print("kiosk cascade, frames decided by each step:", dict(kiosk.steps or {}))
    empty = [ms for ms, s in zip(kiosk.ms, samples, strict=True) if s.kind is None]
    print(f"frames without a code: {len(empty)}; kiosk p95 on them: {p(empty, 95):.1f} ms")
    return all(ok for *_, ok in rows if ok is not None)


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m bench.barcode [--quick] [--count N]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 frames")
    parser.add_argument("--count", type=int, default=0, help="number of frames")
    args = parser.parse_args(argv)
    count = args.count or (100 if args.quick else 400)
    t0 = time.perf_counter()
    samples = frame_set(count)
    print(f"generated {count} frames in {time.perf_counter() - t0:.1f} s")
    ok = report(samples, args.quick)
    print(f"python {sys.version.split()[0]}, total {time.perf_counter() - t0:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
