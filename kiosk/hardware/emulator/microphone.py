"""A microphone in a simulated room, for tests and the scripted demo.

What it "hears" is set beforehand (:meth:`SimulatedMicrophone.hears`: a WAV file of someone
speaking, a generated tone, silence, a clipped signal) and it keeps a real device's rules: one
take at a time, ``stop`` only after ``start``, an unplugged microphone fails with OSError (at
``start``, or at ``stop`` when it was pulled out mid-take, as ``arecord`` does).
"""

from __future__ import annotations

import wave
from pathlib import Path

from kiosk.hardware.microphone import CAPTURE_RATE, Capture


class SimulatedMicrophone:
    """Each take returns what the room holds at ``stop`` (the same sound until changed)."""

    def __init__(self, rate: int = CAPTURE_RATE) -> None:
        self.rate = rate
        self.plugged = True
        self.takes = 0  # finished takes
        self._room = b""
        self._recording = False

    @property
    def recording(self) -> bool:
        return self._recording

    def hears(self, pcm: bytes) -> None:
        """From now on a take captures `pcm` (16-bit mono little-endian at our rate)."""
        self._room = pcm[: len(pcm) - len(pcm) % 2]

    def hears_wav(self, path: Path) -> None:
        """A take captures a 16-bit mono WAV at our rate (a recorded voice)."""
        with wave.open(str(path), "rb") as wav:
            if (wav.getsampwidth(), wav.getnchannels(), wav.getframerate()) != (2, 1, self.rate):
                raise ValueError(f"{path.name}: need 16-bit mono at {self.rate} Hz")
            self.hears(wav.readframes(wav.getnframes()))

    def unplug(self) -> None:
        self.plugged = False

    def plug_in(self) -> None:
        self.plugged = True

    def start(self) -> None:
        if self._recording:
            raise RuntimeError("already recording")
        if not self.plugged:
            raise OSError("no microphone: audio open error: No such device")
        self._recording = True

    def stop(self) -> Capture:
        if not self._recording:
            raise RuntimeError("not recording")
        self._recording = False
        if not self.plugged:
            raise OSError("the microphone was unplugged during the take")
        self.takes += 1
        return Capture(self._room, self.rate)
