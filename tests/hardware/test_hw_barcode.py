"""kiosk.hardware.barcode.decode on photograph-like frames: every symbology, degradations,
determinism, negatives, and the acceptance rules that keep false reads out.

Frames come from bench.barcode_scenes (symbols drawn by python-barcode, qrcode and segno,
independent of the decoders; rendered as a camera photographs a print). The full measurement
is bench/barcode.py; these are a fast subset.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from bench.barcode_scenes import KINDS, NEGATIVES, Photo, negative, render
from kiosk.hardware import barcode
from kiosk.hardware.barcode import Code, Read

CASES = {
    "ean13": ("9786041234567", "ISBN13"),  # 978-604: Vietnam; check digit 7
    "ean8": ("89312346", "EAN8"),
    "upca": ("036000291452", "UPCA"),
    "upce": ("01234565", "UPCE"),
    "code128": ("LS-004217", "CODE128"),
    "code39": ("DKCB-01234", "CODE39"),
    "itf": ("0123456789", "I25"),
    "qr": ("THUVIEN:READER:00123456", "QRCODE"),
}
assert set(CASES) == set(KINDS)
# A hand-held book under a desk lamp: a little tilted, in perspective, slightly soft, noisy
# and compressed, the light uneven.
MODERATE = Photo(
    module_px=2.4, angle=9, perspective=0.06, defocus=0.9, light=0.6, noise=4, jpeg=55,
    contrast=0.8, background="desk",
)  # fmt: skip


def photo(kind: str, seed: int = 1, **changes: object) -> np.ndarray:
    """An RGB frame of the ``kind`` case's code, moderately degraded plus ``changes``."""
    return render(kind, CASES[kind][0], replace(MODERATE, **changes), seed)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", KINDS)
def test_each_symbology_is_read_with_its_name_on_a_moderate_photo(kind: str) -> None:
    value, symbology = CASES[kind]
    assert barcode.decode(photo(kind)) == [Code(value, symbology)]


@pytest.mark.parametrize(
    ("kind", "changes"),
    [
        ("ean13", {"curvature": 0.9}),  # a curved cover
        ("ean13", {"motion": 3.0, "motion_angle": 10.0}),
        ("ean13", {"module_px": 1.3}),  # small: 1.3 px per module
        ("code128", {"light": 1.0, "glare": 120.0}),
        ("qr", {"screen": True, "module_px": 3.0}),  # a reader card on a phone: moiré
        ("qr", {"perspective": 0.2}),
        ("upca", {"occlusion": 0.3}),  # a finger over part of the bars
        ("code39", {"jpeg": 15}),
    ],
    ids=lambda v: v if isinstance(v, str) else ",".join(f"{k}={v[k]}" for k in v),
)
def test_degraded_photos_are_read(kind: str, changes: dict) -> None:
    value, symbology = CASES[kind]
    assert Code(value, symbology) in barcode.decode(photo(kind, **changes))


def test_same_image_same_answer() -> None:
    """No time budget in decode(): the same image gives the same reads, pass for pass."""
    rgb = photo("upce", module_px=1.6, defocus=1.4)
    first, second = barcode.decode_report(rgb), barcode.decode_report(rgb)
    assert first.codes == second.codes and first.tried == second.tried
    assert first.reads == second.reads


def test_camera_budget_runs_the_first_pass_then_stops_and_decode_runs_every_pass() -> None:
    """A slow decoder (30 ms a pass): with the camera budget only the first camera pass runs
    (the budget is spent by then); decode(), on a still image, runs every pass in order."""
    import time

    calls: list[str] = []

    def slow(gray: Image.Image, view: str, scale: float) -> list[Read]:
        calls.append(view)
        time.sleep(0.03)
        return []

    slow_decoders = dict.fromkeys(barcode.DECODERS, slow)
    empty = np.full((480, 640, 3), 200, np.uint8)
    limited = barcode.decode_report(empty, budget_s=0.025, decoders=slow_decoders)
    first = barcode.CAMERA_PASSES[0]
    assert limited.tried == [f"{first[0]}:{first[1]}"] and limited.codes == []
    full = barcode.decode_report(empty, decoders=slow_decoders)
    assert full.tried == [f"{d}:{v}" for d, v in barcode.PASSES]


# -- tilted codes ----------------------------------------------------------------------------------
TURNS = {"ean13": 35, "ean8": -50, "upca": 65, "upce": -35, "code128": 50, "code39": -65,
         "itf": 40}  # fmt: skip


@pytest.mark.parametrize(("kind", "angle"), TURNS.items())
def test_codes_turned_by_any_angle_are_read(kind: str, angle: float) -> None:
    """Between the axes the decoders' scan lines leave the bars; the located, upright crop
    reads the code by itself. (QR: ZXing's detector turns freely; see bench/barcode.py.)"""
    value, symbology = CASES[kind]
    # No perspective here: a long code turned far and seen at a slant has its bars leaning
    # against its axis, which the upright crop does not undo (bench/barcode.py measures it).
    rgb = photo(kind, angle=angle, module_px=2.6, perspective=0.0)
    assert barcode.decode(rgb) == [Code(value, symbology)]
    crops_only = barcode.decode_report(rgb, passes=(("both", "located"),))
    assert crops_only.codes == [Code(value, symbology)]


@pytest.mark.parametrize("angle", [30.0, -45.0, 120.0])
def test_the_locator_finds_the_bars_and_their_angle(angle: float) -> None:
    rgb = photo("ean13", angle=angle, module_px=2.6, perspective=0.0)
    gray = barcode.to_gray(rgb)
    region = barcode.aligned(gray, barcode.locate(gray)[0])
    # the code's direction (across the bars) is the label's angle, modulo 180 degrees
    turn = (np.degrees(region.angle) + angle + 90) % 180 - 90
    assert abs(turn) < 4
    assert np.hypot(region.cx - 320, region.cy - 240) < 80  # the label's middle (bars + digits)


# -- a real photograph -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sheet() -> dict[int, np.ndarray]:
    from bench.barcode_photos import photo_frames

    return {f.angle: f.rgb for f in photo_frames((0, 90, 180, 30, -40))}


@pytest.mark.parametrize("angle", [0, 90, 180, 30, -40])
def test_a_real_photograph_of_stacked_labels_reads_true_codes_at_any_turn(sheet, angle) -> None:
    """Seven Code 39 labels stacked on a photographed sheet: labels a bar height apart are
    different places (none contradicts its neighbour), every code given is on the sheet."""
    from bench.barcode_photos import CODE39_VALUES

    codes = barcode.decode(sheet[angle])
    assert codes and all(c.symbology == "CODE39" for c in codes)
    assert {c.value for c in codes} <= set(CODE39_VALUES)


def test_the_real_photograph_turned_between_the_axes_is_read_where_plain_decoders_fail(
    sheet,
) -> None:
    import zxingcpp
    from pyzbar import pyzbar

    turned = Image.fromarray(sheet[30])
    assert pyzbar.decode(turned) == [] and zxingcpp.read_barcodes(turned) == []
    assert len(barcode.decode(sheet[30])) >= 2


# -- nothing false ---------------------------------------------------------------------------------
@pytest.mark.parametrize("subject", NEGATIVES)
def test_frames_without_a_code_read_nothing(subject: str) -> None:
    assert barcode.decode(negative(subject, seed=3).rgb) == []


def test_random_stripes_read_nothing() -> None:
    rng = np.random.default_rng(0)
    stripes = np.repeat(rng.integers(0, 2, (1, 640), dtype=np.uint8) * 255, 480, axis=0)
    assert barcode.decode(stripes) == []  # bar-like but random: the checks must refuse it


@pytest.mark.parametrize("kind", ["ean13", "ean8"])
def test_wrong_check_digit_is_not_accepted(kind: str) -> None:
    """Bars printed with a wrong check digit: neither decoder's read survives the check."""
    assert barcode.decode(photo(kind, bad_check=True)) == []
    assert barcode.decode(photo(kind)) == [Code(*CASES[kind])]


def _read(code: Code, decoder: str = "zbar", view: str = "plain",
          box: tuple[float, float, float, float] = (100, 100, 300, 160)) -> Read:  # fmt: skip
    return Read(code, decoder, view, box, max(box[2] - box[0], box[3] - box[1]))


def test_codes_without_a_strong_check_need_two_passes_to_agree() -> None:
    label = Code("DKCB-01234", "CODE39")
    short = Code("89312346", "EAN8")
    assert barcode.accepted([_read(label)]) == []
    assert barcode.accepted([_read(short)]) == []
    # the same pass twice is still one look
    assert barcode.accepted([_read(label), _read(label)]) == []
    assert barcode.accepted([_read(label), _read(label, "zxing")]) == [label]
    assert barcode.accepted([_read(short), _read(short, view="crop")]) == [short]
    # checked by its decoder (check digit, Code 128's check character, Reed-Solomon): one read
    book = Code("9786041234567", "ISBN13")
    assert barcode.accepted([_read(book)]) == [book]


def test_a_half_read_over_the_same_place_is_dropped() -> None:
    """Blur can read half an EAN-13 as a valid EAN-8: the longer read over the place wins."""
    book = Code("9786041234567", "ISBN13")
    half = Code("11209913", "EAN8")
    reads = [
        _read(book, box=(100, 100, 330, 165)),
        _read(half, box=(200, 110, 320, 160)),
        _read(half, "zxing", box=(201, 110, 321, 160)),
    ]
    # two votes for the half against one: the half wins the place, the book is not trusted
    assert barcode.accepted(reads) == [half]
    reads.append(_read(book, "zxing", box=(101, 100, 331, 165)))
    assert barcode.accepted(reads) == [book]  # equal votes: the clearly longer read wins
    apart = [_read(book), _read(Code("4006381333931", "EAN13"), box=(400, 300, 600, 360))]
    assert barcode.accepted(apart) == [book, apart[1].code]  # two books side by side


def test_classify() -> None:
    assert barcode.classify("9786041234567", "EAN13") == Code("9786041234567", "ISBN13")
    assert barcode.classify("8934588063121", "EAN13") == Code("8934588063121", "EAN13")
    assert barcode.classify("8934588063127", "EAN13") is None
    assert barcode.classify("0036000291452", "EAN13") == Code("036000291452", "UPCA")
    assert barcode.classify("036000291452", "UPCA") == Code("036000291452", "UPCA")
    assert barcode.classify("036000291453", "UPCA") is None
    assert barcode.classify("89312346", "EAN8") == Code("89312346", "EAN8")
    assert barcode.classify("89312347", "EAN8") is None
    assert barcode.classify("01234565", "UPCE") == Code("01234565", "UPCE")
    assert barcode.classify("01234566", "UPCE") is None
    assert barcode.classify("604-1-2345-6", "ISBN10") is None
    assert barcode.classify("0-306-40615-2", "ISBN10") == Code("9780306406157", "ISBN13")
    assert barcode.classify("AB", "CODE128") is None  # too short to be a card number
    assert barcode.classify("LS\x07123", "CODE128") is None  # control characters
    assert barcode.classify("dkcb-1", "CODE39") is None  # lower case is not Code 39
    assert barcode.classify("123456", "I25") is None  # too short: textures give these
    assert barcode.classify("123456789", "I25") is None  # I2/5 has an even length


def test_upce_expands_as_gs1_says() -> None:
    assert barcode.upce_to_upca("01234565") == "012345000065"
    assert barcode.upce_to_upca("04252614") == "042100005264"


# -- colour and input types ------------------------------------------------------------------------
BLUE_ON_WHITE = {"ink": (20, 40, 255), "paper": (255, 255, 255)}
# Blue ink on white paper: in the blue channel, bars and paper are both bright. pyzbar given
# a BGR array reads just that channel and sees nothing; luma shows the bars clearly.


def test_bgr_array_needs_the_order_plain_pyzbar_reads_blue_only() -> None:
    from pyzbar import pyzbar

    rgb = photo("ean13", **BLUE_ON_WHITE)
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    assert pyzbar.decode(bgr) == []
    assert barcode.decode(bgr, order="BGR") == [Code(*CASES["ean13"])]


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
    image, order = convert(photo("qr", **BLUE_ON_WHITE))
    assert barcode.decode(image, order=order) == [Code(*CASES["qr"])]


def test_unknown_channel_order_is_refused() -> None:
    with pytest.raises(ValueError, match="channel order"):
        barcode.decode(np.zeros((10, 10, 3), np.uint8), order="GBR")


def test_huge_photo_is_read_reduced() -> None:
    rgb = photo("ean13", module_px=3.0)
    huge = Image.fromarray(rgb).resize((3200, 2400), Image.Resampling.BICUBIC)
    assert barcode.decode(huge) == [Code(*CASES["ean13"])]
