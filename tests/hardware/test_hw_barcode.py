"""kiosk.hardware.barcode.decode on generated frames: symbologies, degradations, no false reads.

Frames come from bench.barcode's generator: symbols drawn by python-barcode and qrcode
(independent encoders), pasted onto a textured 640x480 background with perspective, then
blurred, dimmed, shrunk or made noisy.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from bench.barcode import Scene, synthesize
from kiosk.hardware import barcode
from kiosk.hardware.barcode import Code

ISBN = "9786041234567"  # 978-604: Vietnam; check digit 7
assert barcode.ean13_ok(ISBN)
CARD = "LS-004217"
QR = "THUVIEN:READER:00123456"
CASES = {"ean13": (ISBN, "ISBN13"), "code128": (CARD, "CODE128"), "qr": (QR, "QRCODE")}


def frame(kind: str, **scene: object) -> np.ndarray:
    """An RGB frame showing the ``kind`` case's code."""
    return synthesize(kind, CASES[kind][0], Scene(**scene))  # type: ignore[arg-type]


def read(image: np.ndarray | Image.Image, **kwargs: object) -> list[Code]:
    """decode() without a time budget: these tests are about what can be read at all."""
    return barcode.decode(image, budget_s=None, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", CASES)
def test_each_symbology_is_read_with_its_name(kind: str) -> None:
    value, symbology = CASES[kind]
    assert read(frame(kind)) == [Code(value, symbology)]


@pytest.mark.parametrize(
    ("kind", "scene"),
    [
        ("ean13", {"angle": 45}),  # between zbar's row and column scans
        ("ean13", {"angle": -30, "perspective": 0.12}),
        ("code128", {"angle": 25}),  # a wide card tolerates only ~14 degrees unaided
        ("qr", {"angle": 33}),
        ("ean13", {"blur": 1.6}),
        ("ean13", {"motion": 4}),
        ("code128", {"blur": 1.2}),
        ("ean13", {"contrast": 0.15, "brightness": -50}),  # dim and washed out
        ("qr", {"contrast": 0.2}),
        ("ean13", {"module_px": 1.3}),  # small: 1.3 px per bar module
        ("qr", {"module_px": 1.6}),
        ("ean13", {"noise": 25, "jpeg": 35}),
        ("code128", {"glare": 160, "glare_at": (260, 200)}),
    ],
    ids=lambda v: v if isinstance(v, str) else ",".join(f"{k}={v[k]}" for k in v),
)
def test_degraded_frames_are_read(kind: str, scene: dict) -> None:
    value, symbology = CASES[kind]
    assert Code(value, symbology) in read(frame(kind, **scene))


def test_tilt_needs_the_cascade_plain_zbar_does_not_read_it() -> None:
    """A card tilted by 40 degrees is out of reach of one zbar pass: the cascade reads it."""
    rgb = frame("code128", angle=40)
    assert barcode.zbar(barcode.to_gray(rgb)) == []
    report = barcode.decode_report(rgb, budget_s=None)
    assert report.codes == [Code(CARD, "CODE128")] and report.step != "plain"


def test_located_region_is_turned_upright() -> None:
    """locate() finds the code's direction: the crop it makes reads in one plain pass."""
    gray = barcode.to_gray(frame("code128", angle=30))
    regions = barcode.locate(gray)
    assert regions, "the card must be found"
    assert abs(((regions[0].angle_deg - 30) + 90) % 180 - 90) < 8
    assert barcode.zbar(barcode.upright_crop(gray, regions[0])) == [Code(CARD, "CODE128")]


# -- colour and input types ------------------------------------------------------------------------
BLUE_ON_WHITE = {"ink": (20, 40, 255), "paper": (255, 255, 255)}
# Blue ink on white paper: in the blue channel, bars and paper are both bright. pyzbar given
# a BGR array reads just that channel and sees nothing; luma shows the bars clearly.


def test_bgr_array_needs_the_order_plain_pyzbar_reads_blue_only() -> None:
    from pyzbar import pyzbar

    rgb = frame("ean13", **BLUE_ON_WHITE)
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    assert pyzbar.decode(bgr) == []  # the trap DESIGN.md warns about
    assert read(bgr, order="BGR") == [Code(ISBN, "ISBN13")]


@pytest.mark.parametrize(
    "convert",
    [
        lambda rgb: (rgb, "RGB"),
        lambda rgb: (np.ascontiguousarray(rgb[:, :, ::-1]), "BGR"),
        lambda rgb: (np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)]), "RGBA"),
        lambda rgb: (np.dstack([rgb[:, :, ::-1], np.zeros(rgb.shape[:2], np.uint8)]), "BGRA"),
        lambda rgb: (Image.fromarray(rgb), "RGB"),
        lambda rgb: (Image.fromarray(rgb).convert("L"), "RGB"),
        lambda rgb: (np.asarray(Image.fromarray(rgb).convert("L")), "L"),
        lambda rgb: (rgb.astype(np.float32) / 255, "RGB"),
        lambda rgb: (rgb.astype(np.uint16) * 257, "RGB"),
    ],
    ids=["rgb", "bgr", "rgba", "bgra", "pil-rgb", "pil-l", "gray", "float", "uint16"],
)
def test_input_types(convert) -> None:
    image, order = convert(frame("qr", **BLUE_ON_WHITE))
    assert read(image, order=order) == [Code(QR, "QRCODE")]


def test_unknown_channel_order_is_refused() -> None:
    with pytest.raises(ValueError, match="channel order"):
        barcode.decode(np.zeros((10, 10, 3), np.uint8), order="GBR")


def test_huge_photo_is_read_reduced_and_small_image_enlarged() -> None:
    rgb = frame("ean13", module_px=3.0)
    huge = Image.fromarray(rgb).resize((3200, 2400), Image.Resampling.BICUBIC)
    assert read(huge) == [Code(ISBN, "ISBN13")]
    small = Image.fromarray(rgb).crop((120, 120, 520, 360)).resize((200, 120))
    assert read(small) == [Code(ISBN, "ISBN13")]


# -- nothing false ---------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(4))
def test_frames_without_a_code_read_nothing(seed: int) -> None:
    assert read(synthesize(None, "", Scene(seed=seed, noise=8))) == []


@pytest.mark.parametrize("seed", range(3))
def test_random_noise_reads_nothing(seed: int) -> None:
    rng = np.random.default_rng(seed)
    assert read(rng.integers(0, 256, (480, 640), dtype=np.uint8)) == []
    stripes = np.repeat(rng.integers(0, 2, (1, 640), dtype=np.uint8) * 255, 480, axis=0)
    assert read(stripes) == []  # bar-like but random: the check digits must refuse it


def test_bad_ean_check_digit_is_not_reported() -> None:
    """Bars of 978604123456 with check digit 2 instead of 7: zbar rejects it, so does classify."""
    rgb = synthesize("ean13", ISBN, Scene(), bad_check_digit=True)
    assert read(rgb) == []
    assert barcode.classify("9786041234562", "EAN13") is None


def test_classify() -> None:
    assert barcode.classify(ISBN, "EAN13") == Code(ISBN, "ISBN13")
    assert barcode.classify("8934588063121", "EAN13") == Code("8934588063121", "EAN13")
    assert barcode.classify("8934588063127", "EAN13") is None
    assert barcode.classify("604-1-2345-6", "ISBN10") is None
    assert barcode.classify("0-306-40615-2", "ISBN10") == Code("9780306406157", "ISBN13")
    assert barcode.classify("AB", "CODE128") is None  # too short to be a card number
    assert barcode.classify("LS\x07123", "CODE128") is None  # control characters


def test_conflicting_half_read_is_dropped() -> None:
    """A shorter read over the same place with another value loses to the full-width read."""
    from pyzbar.pyzbar import Decoded, Rect

    full = Decoded(b"8934841916362", "EAN13", Rect(144, 220, 330, 65), [], 6, "UP")
    half = Decoded(b"0083100004871", "EAN13", Rect(143, 200, 186, 196), [], 15, "UP")
    assert barcode._checked([full, half]) == [Code("8934841916362", "EAN13")]
    # neither clearly longer: neither is trusted
    other = Decoded(b"0083100004871", "EAN13", Rect(150, 200, 320, 60), [], 15, "UP")
    assert barcode._checked([full, other]) == []


# -- the time budget -------------------------------------------------------------------------------
def test_budget_stops_the_cascade() -> None:
    """A slow decoder (50 ms a pass): with the 26 ms budget only the first step runs."""
    import time

    def slow(gray: Image.Image) -> list[Code]:
        time.sleep(0.05)
        return []

    empty = np.full((480, 640), 200, np.uint8)
    limited = barcode.decode_report(empty, decoder=slow)
    assert limited.tried == ["plain"] and limited.codes == []
    unlimited = barcode.decode_report(empty, decoder=slow, budget_s=None)
    assert unlimited.tried == ["plain", "located", "sharpened", "stretched", "rotated"]
