"""Sounds as plain samples: read and write 16-bit PCM WAV, scale the volume, make a beep.

Only the standard library (``wave`` + ``array``): ``audioop`` is deprecated since Python 3.11
and gone in 3.13. Every sound the kiosk plays is 16-bit signed PCM, mono or stereo, at the
file's own sample rate (``aplay`` plays any rate).
"""

from __future__ import annotations

import io
import math
import sys
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path

SAMPLE_WIDTH = 2  # bytes: 16-bit signed PCM
BEEP_RATE = 22050  # espeak-ng's own rate, so beeps and speech sound alike


class WavError(ValueError):
    """A file is not a WAV the kiosk can play; the message says why, for staff."""


@dataclass(frozen=True)
class Sound:
    """Samples ready to play: interleaved signed 16-bit values, little or big endian native."""

    samples: array  # typecode "h"
    rate: int
    channels: int = 1

    @property
    def seconds(self) -> float:
        """How long it plays."""
        return len(self.samples) / (self.rate * self.channels) if self.rate else 0.0

    @property
    def peak(self) -> int:
        """The largest absolute sample (0 for silence)."""
        return max((abs(s) for s in self.samples), default=0)


def read_wav(path: Path) -> Sound:
    """Load a 16-bit PCM WAV file; WavError says what is wrong with any other file."""
    try:
        with wave.open(str(path), "rb") as wav:
            width, rate, channels = wav.getsampwidth(), wav.getframerate(), wav.getnchannels()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as exc:
        raise WavError(f"not a WAV file ({exc or 'too short'})") from exc
    except OSError as exc:
        raise WavError(f"cannot be read ({exc.strerror or exc})") from exc
    if width != SAMPLE_WIDTH:
        raise WavError(f"{width * 8}-bit samples: save it as 16-bit PCM")
    if channels not in (1, 2):
        raise WavError(f"{channels} channels: save it as mono or stereo")
    samples = array("h")
    samples.frombytes(frames[: len(frames) - len(frames) % 2])
    if sys.byteorder == "big":  # WAV is little endian
        samples.byteswap()
    if not samples:
        raise WavError("no sound in it (0 samples)")
    return Sound(samples, rate, channels)


def wav_bytes(sound: Sound) -> bytes:
    """The sound as the bytes of a WAV file (for aplay's stdin or a file)."""
    data = array("h", sound.samples)
    if sys.byteorder == "big":
        data.byteswap()
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(sound.channels)
        wav.setsampwidth(SAMPLE_WIDTH)
        wav.setframerate(sound.rate)
        wav.writeframes(data.tobytes())
    return out.getvalue()


def write_wav(sound: Sound, path: Path) -> None:
    """Save the sound as a WAV file."""
    path.write_bytes(wav_bytes(sound))


def scaled(sound: Sound, volume: int) -> Sound:
    """The sound at `volume` percent (0..100) of its recorded level: linear gain, so 50 halves
    every sample (about -6 dB). Gains never exceed 1, so nothing clips."""
    gain = max(0, min(100, volume)) / 100
    if gain == 1:
        return sound
    return Sound(array("h", (int(s * gain) for s in sound.samples)), sound.rate, sound.channels)


def beep(
    tones: tuple[tuple[float, float], ...], rate: int = BEEP_RATE, level: float = 0.5
) -> Sound:
    """A chime: each (frequency Hz, seconds) tone in turn, with short fades against clicks."""
    samples = array("h")
    fade = int(rate * 0.01)
    for frequency, seconds in tones:
        count = int(rate * seconds)
        for i in range(count):
            envelope = min(1.0, i / fade, (count - 1 - i) / fade) if fade else 1.0
            value = level * envelope * math.sin(2 * math.pi * frequency * i / rate)
            samples.append(int(value * 32767))
    return Sound(samples, rate, 1)


#: The beeps played when nothing better is there: rising for yes, falling for no.
CHIMES: dict[str, tuple[tuple[float, float], ...]] = {
    "ok": ((660.0, 0.12), (880.0, 0.18)),
    "refused": ((440.0, 0.18), (330.0, 0.3)),
    "notice": ((660.0, 0.15), (660.0, 0.15)),
}
