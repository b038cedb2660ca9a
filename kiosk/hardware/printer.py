"""The paper slip: an ESC/POS thermal receipt printer (USB, serial, or a job file).

Thermal printers' code pages rarely have Vietnamese (CP1258 is in few), so the slip is drawn as
an image with Pillow in a font with the Vietnamese marks, at the paper's width in dots, and sent
as a raster image (``GS v 0``) followed by a cut. The whole job is built first (in python-escpos'
``Dummy``) and written in one go, so a slip is never sent half-built. This module is the only one
that imports ``escpos``, and only when a printer is configured.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from kiosk.config import Printer
from kiosk.hardware.interfaces import PrintOutcome

log = logging.getLogger(__name__)

FONT_PX = 26  # about 3.3 mm high at 203 dpi: easy to read for an elderly reader
MARGIN_PX = 8
LINE_GAP_PX = 6
NO_PAPER = 0  # python-escpos' paper_status(): 2 plenty, 1 near the end, 0 none


def _wrap(line: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """`line` cut at spaces into pieces no wider than `width` pixels."""
    pieces: list[str] = []
    current = ""
    for word in line.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and font.getlength(candidate) > width:
            pieces.append(current)
            current = word
        else:
            current = candidate
    pieces.append(current)
    return pieces


def render_slip(lines: Sequence[str], width: int, font_path: Path) -> Image.Image:
    """The slip as a 1-bit image `width` dots wide: the lines wrapped, black on white."""
    font = ImageFont.truetype(str(font_path), FONT_PX)
    ascent, descent = font.getmetrics()
    step = ascent + descent + LINE_GAP_PX
    rows = [piece for line in lines for piece in _wrap(line, font, width - 2 * MARGIN_PX)]
    image = Image.new("1", (width, 2 * MARGIN_PX + step * len(rows)), 1)
    draw = ImageDraw.Draw(image)
    for number, row in enumerate(rows):
        draw.text((MARGIN_PX, MARGIN_PX + number * step), row, font=font, fill=0)
    return image


def job_bytes(image: Image.Image) -> bytes:
    """The ESC/POS bytes of one slip: initialise, the raster image, feed and cut."""
    from escpos.printer import Dummy

    job = Dummy()
    # The paper's width (a copy: profiles' data is shared between printer objects)
    media = {"width": {"pixels": image.width}, "dpi": 203}
    job.profile.profile_data = {**job.profile.profile_data, "media": media}
    job.hw("INIT")  # ESC @: forget whatever a previous job left set
    job.image(image, impl="bitImageRaster")
    job.cut()
    return job.output


class EscposSlipPrinter:
    """A :class:`~kiosk.hardware.interfaces.SlipPrinter` on a python-escpos printer.

    `connect` opens the device afresh for each slip (a USB printer may have been unplugged
    since the last reader); `check_paper` asks the printer for its paper sensor before and
    after the job (printers behind a plain file cannot answer and are not asked).
    """

    def __init__(
        self,
        connect: Callable[[], Any],
        width: int,
        font_path: Path,
        check_paper: bool = True,
    ) -> None:
        self.connect = connect
        self.width = width
        self.font_path = font_path
        self.check_paper = check_paper

    def print_slip(self, lines: Sequence[str]) -> PrintOutcome:
        """Print `lines` as one slip; every failure of the printer is an outcome, not a raise."""
        job = job_bytes(render_slip(lines, self.width, self.font_path))
        try:
            device = self.connect()
        except Exception:  # not found, no permission, no libusb: all "printer missing"
            log.warning("receipt printer not found", exc_info=True)
            return PrintOutcome.MISSING
        try:
            return self._send(device, job)
        except Exception:  # a write or read that fails half-way: the slip is not printed
            log.warning("receipt printer failed", exc_info=True)
            return PrintOutcome.MISSING
        finally:
            device.close()

    def _send(self, device: Any, job: bytes) -> PrintOutcome:
        if self._paper_out(device):
            return PrintOutcome.NO_PAPER
        device._raw(job)  # one write: the job built whole
        # The paper may have run out in the middle of the slip: then it is not printed.
        return PrintOutcome.NO_PAPER if self._paper_out(device) else PrintOutcome.PRINTED

    def _paper_out(self, device: Any) -> bool:
        if not self.check_paper or not _can_answer(device):
            return False
        online, paper = device.is_online(), device.paper_status()
        if not online and paper != NO_PAPER:  # offline for another reason, or no answer at all
            raise OSError("the printer does not answer its status query")
        return paper == NO_PAPER

    def close(self) -> None:
        """Nothing is held between slips."""


def _can_answer(device: Any) -> bool:
    """Whether the printer class reads answers back (USB and serial do; a file cannot)."""
    return type(device)._read is not _base_read()


def _base_read() -> Any:
    from escpos.escpos import Escpos

    return Escpos._read


def _connector(settings: Printer) -> Callable[[], Any]:
    """A function that opens the configured printer (raises when it is not there)."""

    def connect() -> Any:
        from escpos import printer

        if settings.kind == "usb":
            device = printer.Usb(settings.usb_vendor, settings.usb_product, timeout=2000)
        elif settings.kind == "serial":
            device = printer.Serial(settings.serial_device, baudrate=settings.baud, timeout=2)
        else:
            device = printer.File(settings.file_path)
        device.open()
        return device

    return connect


def open_printer(settings: Printer, font_path: Path) -> EscposSlipPrinter | None:
    """The configured slip printer, or None when the kiosk has none (kind = "none")."""
    if settings.kind == "none":
        return None
    return EscposSlipPrinter(
        _connector(settings), settings.width_dots, font_path, settings.check_paper
    )
