"""The paper slip after borrowing: with a (file) printer configured, Print sends one ESC/POS job
and says so on screen; without a printer there is no Print button."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk import config
from tests.screens.conftest import IDLE_COUNTDOWN, IDLE_WARNING, shows, still


@pytest.fixture
def printing_ui(kiosk, tmp_path):
    from kiosk.demo.driver import Driver

    path = tmp_path / "slip.bin"
    kiosk.config = replace(kiosk.config, printer=config.Printer(kind="file", file_path=str(path)))
    app = kiosk.make_app(idle_warning=IDLE_WARNING, idle_countdown=IDLE_COUNTDOWN, monotonic=still)
    driver = Driver(app, kiosk.hardware).start()
    driver.resize(800, 480)
    yield driver, path
    driver.stop()


def test_print_slip_writes_a_job_and_says_so(printing_ui):
    ui, path = printing_ui
    ui.press("borrow")
    ui.tap_card("reader")
    ui.tap_book("LS-0001")
    ui.press("finish")
    ui.press("print-slip")
    ui.wait_until(lambda: shows(ui, "Phiếu đã in xong"), "the printed notice")
    job = path.read_bytes()
    assert job.startswith(b"\x1b@") and b"\x1dv0" in job and job.endswith(b"\x1dV\x00")
    ui.press("done")


def test_no_print_button_without_a_printer(ui):
    ui.press("borrow")
    ui.tap_card("reader")
    ui.tap_book("LS-0001")
    ui.press("finish")
    assert ui.buttons("print-slip") == []
