"""Microphones for recording the voice prompts (staff screen "Record the voice prompts").

A :class:`Microphone` captures mono 16-bit PCM between ``start()`` and ``stop()``. The kiosk's
is :class:`ArecordMicrophone`: ALSA's ``arecord`` (alsa-utils, already installed for ``aplay``)
in a subprocess, so a USB microphone or headset works by its ALSA name (``[audio]
capture_device``, e.g. "plughw:1,0"; `arecord -l` lists them) and no sound library has to be
built for the Pi. Tests use it on ALSA's ``file`` plugin (a "device" that captures from a file),
and :class:`kiosk.hardware.emulator.microphone.SimulatedMicrophone` where no ALSA is wanted.

Nothing here judges a take (too quiet, clipped): kiosk.audio.takes does.
"""

from __future__ import annotations

import signal
import subprocess
import threading
from dataclasses import dataclass
from typing import Protocol

CAPTURE_RATE = 22050  # espeak-ng's rate too: recordings and speech sound alike
MAX_SECONDS = 60  # a prompt is a sentence or two; a forgotten Stop ends here
STOP_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class Capture:
    """What a microphone heard: little-endian signed 16-bit mono PCM at `rate`."""

    pcm: bytes
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.rate if self.rate else 0.0


class Microphone(Protocol):
    """A capture device. ``start`` MAY raise OSError (no device, busy); ``stop`` returns what
    was captured since ``start`` and MAY raise OSError when the device failed meanwhile;
    ``stop`` without ``start`` is a programming error (RuntimeError)."""

    @property
    def recording(self) -> bool: ...

    def start(self) -> None: ...

    def stop(self) -> Capture: ...


class ArecordMicrophone:
    """ALSA capture through ``arecord``; `device` is an ALSA PCM name ("" = default)."""

    def __init__(
        self,
        device: str = "",
        rate: int = CAPTURE_RATE,
        program: str = "arecord",
        max_seconds: int = MAX_SECONDS,
        env: dict[str, str] | None = None,
    ) -> None:
        self.device = device
        self.rate = rate
        self.program = program
        self.max_seconds = max_seconds
        self.env = env  # tests point ALSA at their own configuration
        self._process: subprocess.Popen | None = None
        self._chunks: list[bytes] = []
        self._reader: threading.Thread | None = None

    @property
    def recording(self) -> bool:
        return self._process is not None

    def command(self) -> list[str]:
        device = ["-D", self.device] if self.device else []
        return [
            self.program, "-q", *device, "-f", "S16_LE", "-c", "1", "-r", str(self.rate),
            "-t", "raw", "-d", str(self.max_seconds),
        ]  # fmt: skip

    def start(self) -> None:
        if self._process is not None:
            raise RuntimeError("already recording")
        try:
            process = subprocess.Popen(
                self.command(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                env=self.env,
            )
        except FileNotFoundError as exc:
            raise OSError(f"{self.program} is not installed (alsa-utils)") from exc
        self._chunks = []
        # Drain stdout meanwhile: a full pipe would stall arecord and lose the take.
        self._reader = threading.Thread(
            target=self._drain, args=(process,), name="microphone", daemon=True
        )
        self._process = process
        self._reader.start()

    def _drain(self, process: subprocess.Popen) -> None:
        assert process.stdout is not None
        while chunk := process.stdout.read1(65536):
            self._chunks.append(chunk)

    def stop(self) -> Capture:
        process, self._process = self._process, None
        if process is None:
            raise RuntimeError("not recording")
        stopped = process.poll() is None  # still capturing: we end it, whatever it returns
        if stopped:
            process.send_signal(signal.SIGINT)  # arecord ends cleanly on SIGINT
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if self._reader is not None:
            self._reader.join(timeout=STOP_TIMEOUT_S)
        errors = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
        pcm = b"".join(self._chunks)
        if not pcm and not stopped and process.returncode != 0:  # it failed by itself
            lines = errors.strip().splitlines()
            raise OSError(f"arecord failed: {lines[-1] if lines else process.returncode}")
        return Capture(pcm[: len(pcm) - len(pcm) % 2], self.rate)
