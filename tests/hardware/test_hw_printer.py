"""The paper slip: drawn as an image (Vietnamese marks survive any code page), sent as ESC/POS
raster bytes and a cut; paper out and a missing printer are outcomes, never a crash."""

from __future__ import annotations

import pytest
from escpos.printer import Dummy

from kiosk import config
from kiosk.hardware import printer
from kiosk.hardware.interfaces import PrintOutcome, SlipPrinter
from kiosk.screens.fonts import locate

LINES = ["Thư viện cơ sở", "Mượn ngày 25/11/2026:", "1. Dế Mèn phiêu lưu ký — hạn trả 16/12/2026"]
FONT = locate().regular
DLE_EOT_PAPER = b"\x10\x04\x04"


class PaperRoll(Dummy):
    """A Dummy that behaves like a thermal printer with a paper roll of `rows` dot rows: it
    answers the status queries (DLE EOT 1 and 4) as real printers do, and each raster image
    (GS v 0) uses up its height; the roll can run out mid-slip."""

    def __init__(self, rows: int) -> None:
        super().__init__()
        self.rows = rows
        self._answer = b""

    def _raw(self, msg: bytes) -> None:
        if msg == b"\x10\x04\x01":  # online status: bit 3 set when offline (no paper)
            self._answer = bytes([0x12 | (0x08 if self.rows <= 0 else 0)])
            return
        if msg == DLE_EOT_PAPER:  # paper sensor: 0x72 paper end, 0x12 paper present
            self._answer = bytes([0x72 if self.rows <= 0 else 0x12])
            return
        if self.rows <= 0:
            return  # no paper: nothing comes out
        super()._raw(msg)
        at = msg.find(b"\x1dv0")
        while at >= 0:
            self.rows -= int.from_bytes(msg[at + 6 : at + 8], "little")
            at = msg.find(b"\x1dv0", at + 1)

    def _read(self) -> bytes:
        answer, self._answer = self._answer, b""
        return answer


def slip_printer(device) -> printer.EscposSlipPrinter:
    return printer.EscposSlipPrinter(lambda: device, 384, FONT)


def test_the_slip_is_the_paper_width_and_the_same_for_the_same_lines():
    image = printer.render_slip(LINES, 384, FONT)
    assert image.width == 384 and image.mode == "1"
    # the long line is wrapped, not cut off: four rows of text
    assert image.height > 3 * printer.FONT_PX
    inked = image.histogram()[0]
    assert 0.02 * image.width * image.height < inked < 0.5 * image.width * image.height
    assert printer.render_slip(LINES, 384, FONT).tobytes() == image.tobytes()
    assert printer.render_slip(LINES, 576, FONT).width == 576
    assert printer.render_slip(["Khác"], 384, FONT).tobytes() != image.tobytes()


def test_the_job_starts_with_init_holds_a_raster_image_and_ends_with_a_cut():
    device = PaperRoll(rows=10_000)
    assert isinstance(slip_printer(device), SlipPrinter)
    assert slip_printer(device).print_slip(LINES) is PrintOutcome.PRINTED
    job = device.output
    assert job.startswith(b"\x1b@")
    header = job.index(b"\x1dv0")
    image = printer.render_slip(LINES, 384, FONT)
    assert int.from_bytes(job[header + 4 : header + 6], "little") == 384 // 8
    assert int.from_bytes(job[header + 6 : header + 8], "little") == image.height
    assert job.endswith(b"\x1dV\x00")  # full cut (after a feed)
    assert job == printer.job_bytes(image)
    assert device.rows == 10_000 - image.height


def test_the_file_printer_writes_the_same_bytes(tmp_path):
    path = tmp_path / "slip.bin"
    settings = config.Printer(kind="file", file_path=str(path))
    slip = printer.open_printer(settings, FONT)
    assert slip.print_slip(LINES) is PrintOutcome.PRINTED
    assert path.read_bytes() == printer.job_bytes(printer.render_slip(LINES, 384, FONT))


def test_no_printer_configured_is_none():
    assert printer.open_printer(config.Printer(), FONT) is None


def test_out_of_paper_before_the_slip_prints_nothing():
    device = PaperRoll(rows=0)
    assert slip_printer(device).print_slip(LINES) is PrintOutcome.NO_PAPER
    assert device.output == b""


def test_paper_running_out_mid_slip_is_not_claimed_printed():
    device = PaperRoll(rows=40)  # the slip needs ~190 rows
    assert slip_printer(device).print_slip(LINES) is PrintOutcome.NO_PAPER
    # put a new roll in: the next slip prints
    device.rows = 10_000
    assert slip_printer(device).print_slip(LINES) is PrintOutcome.PRINTED


class Silent(PaperRoll):
    """A printer that takes bytes but never answers a status query (switched off, wrong port)."""

    def _read(self) -> bytes:
        return b""


def test_a_printer_that_does_not_answer_is_missing():
    assert slip_printer(Silent(rows=10_000)).print_slip(LINES) is PrintOutcome.MISSING


class Unplugged(PaperRoll):
    def _raw(self, msg: bytes) -> None:
        if msg not in (b"\x10\x04\x01", DLE_EOT_PAPER):
            raise OSError(5, "Input/output error")
        super()._raw(msg)


def test_a_write_that_fails_is_printer_missing():
    assert slip_printer(Unplugged(rows=10_000)).print_slip(LINES) is PrintOutcome.MISSING


@pytest.mark.parametrize(
    "settings",
    [
        config.Printer(kind="file", file_path="/nonexistent/folder/slip.bin"),
        config.Printer(kind="serial", serial_device="/dev/ttyNOSUCHPORT"),
        config.Printer(kind="usb", usb_vendor=0x0416, usb_product=0x5011),  # none plugged in
    ],
)
def test_a_missing_device_is_printer_missing(settings):
    assert printer.open_printer(settings, FONT).print_slip(LINES) is PrintOutcome.MISSING
