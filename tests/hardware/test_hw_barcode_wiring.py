"""The configured barcode source is opened by the hardware backend and feeds the event queue."""

from __future__ import annotations

import queue
import time

import pytest
from PIL import Image

from bench.barcode_scenes import Photo, render
from kiosk import config
from kiosk.hardware.backend import HardwareUnavailable, open_hardware
from kiosk.hardware.interfaces import CodeSeen

ISBN = "9786041001237"


def hardware(tmp_path, **settings) -> config.Hardware:
    return config.load(
        None,
        overrides={
            "kiosk": {"commune": "06001", "data_dir": str(tmp_path / "d")},
            "hardware": settings,
        },
    ).hardware


def test_folder_source_reaches_the_event_queue(tmp_path, rig):
    folder = tmp_path / "frames"
    folder.mkdir()
    Image.fromarray(render("ean13", ISBN, Photo(), seed=0)).save(folder / "book.png")
    events: queue.Queue = queue.Queue()
    bundle = open_hardware(hardware(tmp_path, barcode="folder", barcode_device=str(folder)), events)
    try:
        deadline = time.monotonic() + 10
        seen = None
        while seen is None and time.monotonic() < deadline:
            event = events.get(timeout=10)
            seen = event if isinstance(event, CodeSeen) else None
        assert seen is not None and seen.value == ISBN and seen.symbology == "ISBN13"
    finally:
        bundle.close()


def test_missing_folder_is_a_clear_hardware_error(tmp_path, rig):
    with pytest.raises(HardwareUnavailable, match="No images"):
        open_hardware(
            hardware(tmp_path, barcode="folder", barcode_device=str(tmp_path)), queue.Queue()
        )


def test_barcode_settings_are_checked(tmp_path):
    with pytest.raises(config.ConfigError) as caught:
        hardware(tmp_path, barcode="wedge", classic_keys=["FFFF", "zz"], beam_pin_inside=17)
    keys = [p.key for p in caught.value.problems]
    assert keys.count("hardware.classic_keys") == 2
    assert "hardware.barcode_device" in keys and "hardware" in keys  # 17 is the door beam
