"""Open what the touch UI needs and hand it to the app: used by ``kiosk run``, ``kiosk demo``,
the UI tests and the benchmark. The demo flavour makes the sample library on the emulated
reader; ``kiosk run`` uses the configured store and hardware as they are."""

from __future__ import annotations

import queue
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk import config as config_mod
from kiosk.clock import Clock, FixedClock, SystemClock
from kiosk.demo import sample
from kiosk.desk import Desk
from kiosk.flows.session import Services
from kiosk.hardware.backend import HardwareBundle, open_hardware
from kiosk.store.db import close_database, open_database


@dataclass
class Kiosk:
    """Everything a running kiosk UI holds; :meth:`close` releases hardware and the store."""

    config: config_mod.Config
    services: Services
    events: queue.Queue
    hardware: HardwareBundle | None

    def make_app(self, **kwargs: Any):
        """The KioskApp on these services (imports Kivy: configure kiosk.screens.boot first)."""
        from kiosk.screens.app import KioskApp

        indicator = self.hardware.indicator if self.hardware else None
        if "audio" not in kwargs:  # the voice: [audio] in the configuration (kiosk.audio)
            from kiosk.audio.player import open_player

            kwargs["audio"] = open_player(self.config)
        if "printer" not in kwargs:  # the paper slip: [printer] in the configuration
            from kiosk.hardware.printer import open_printer
            from kiosk.screens.fonts import locate

            kwargs["printer"] = open_printer(self.config.printer, locate().regular)
        return KioskApp(
            self.services,
            events=self.events,
            indicator=indicator,
            hardware=self.hardware,
            **kwargs,
        )

    def close(self) -> None:
        if self.hardware is not None:
            self.hardware.close()
            self.hardware = None
        close_database()


def open_kiosk(config: config_mod.Config, clock: Clock | None = None) -> Kiosk:
    """The configured store and hardware (``kiosk run``)."""
    clock = clock or SystemClock()
    open_database(config.db_path)
    events: queue.Queue = queue.Queue()
    try:
        hardware = open_hardware(config.hardware, events)
    except BaseException:
        close_database()
        raise
    return Kiosk(config, Services(config, Desk(config.loans, clock), clock), events, hardware)


def open_demo(data_dir: Path, clock: Clock | None = None, commune: str = "06001") -> Kiosk:
    """A fresh sample library in `data_dir` on the emulated reader (``kiosk demo``, tests)."""
    config = config_mod.load(
        None,
        overrides={
            "kiosk": {"commune": commune, "data_dir": str(data_dir)},
            "hardware": {"backend": "emulated"},
        },
    )
    clock = clock or FixedClock(SystemClock().now())
    open_database(config.db_path)
    sample.create(clock, config.loans)
    close_database()
    return open_kiosk(config, clock)
