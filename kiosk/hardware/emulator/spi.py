"""An emulated ``spidev`` module: ``SpiDev`` objects that talk to emulated chips.

Only the bus/device pairs wired on the rig exist; opening another one fails the way the
real module does when ``/dev/spidevB.D`` is missing.
"""

from __future__ import annotations

import errno
import types
from collections.abc import Callable

Transfer = Callable[[list[int], int], list[int]]


def make_module(devices: dict[tuple[int, int], Transfer]) -> types.ModuleType:
    """Build a ``spidev`` module whose ``SpiDev`` reaches ``devices[(bus, device)]``."""
    mod = types.ModuleType("spidev", "Emulated spidev (kiosk.hardware.emulator).")

    class SpiDev:
        """spidev.SpiDev look-alike: open/close, xfer/xfer2/xfer3, readbytes/writebytes."""

        def __init__(self, bus: int | None = None, device: int | None = None) -> None:
            self._transfer: Transfer | None = None
            self.mode = 0
            self.bits_per_word = 8
            self.max_speed_hz = 125_000_000
            self.lsbfirst = False
            self.cshigh = False
            self.threewire = False
            self.loop = False
            self.no_cs = False
            if bus is not None and device is not None:
                self.open(bus, device)

        def open(self, bus: int, device: int) -> None:
            try:
                self._transfer = devices[(bus, device)]
            except KeyError:
                raise FileNotFoundError(errno.ENOENT, "No such file or directory") from None

        def close(self) -> None:
            self._transfer = None

        def fileno(self) -> int:
            return -1 if self._transfer is None else 3

        def _xfer(self, data: list[int], speed_hz: int = 0) -> list[int]:
            if self._transfer is None:
                raise OSError(errno.EBADF, "Bad file descriptor")
            values = [int(b) & 0xFF for b in data]
            return self._transfer(values, speed_hz or self.max_speed_hz)

        def xfer(self, data: list[int], speed_hz: int = 0, *_: int) -> list[int]:
            return self._xfer(list(data), speed_hz)

        xfer2 = xfer
        xfer3 = xfer

        def readbytes(self, length: int) -> list[int]:
            return self._xfer([0] * length)

        def writebytes(self, data: list[int]) -> None:
            self._xfer(list(data))

        writebytes2 = writebytes

    SpiDev.__module__ = "spidev"
    mod.SpiDev = SpiDev
    return mod
