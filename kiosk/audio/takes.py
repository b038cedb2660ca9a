"""A librarian's take of a voice prompt: checked, trimmed and levelled before it is kept.

Staff record prompts on the kiosk (kiosk.flows.staff_voices) with whatever headset the
commune has, in a reading room: the take is checked and cleaned here so that every recording
plays at the same loudness and starts at once, and a take that cannot serve is refused with
the reason (kiosk.i18n messages, said to the librarian):

- **clipped**: the voice hit the microphone's ceiling (distortion a reader hears as a crackle);
- **silent**: nothing above a whisper was heard (muted microphone, wrong device);
- **too quiet**: a voice, but far from the microphone (levelling it would raise the hiss);
- **too short**: under :data:`MIN_VOICE_S` of voice (Stop pressed too early);
- **noise**: no pause anywhere (a fan, traffic, a microphone rubbing): no voice stands out.

A good take is trimmed to the voice (with a short margin, and fades against clicks), its DC
offset removed, and its loudness set to :data:`TARGET_DBFS` (RMS of the voiced part), never
letting a peak exceed :data:`PEAK_DBFS`. numpy does the arithmetic (already a dependency).
"""

from __future__ import annotations

import hashlib
from array import array
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk.audio.wav import Sound, wav_bytes
from kiosk.i18n import N_
from kiosk.i18n.provenance import atomic_write

FULL_SCALE = 32768.0
FRAME_S = 0.02  # level frames of 20 ms
CLIP_LEVEL = 32_700  # |sample| at or above this counts as clipped (-0.01 dBFS)
CLIP_SHARE = 0.0005  # more than 0.05% of the samples (or 3) clipped: refuse
SILENT_DBFS = -50.0  # the loudest frame under this: nothing was recorded
QUIET_DBFS = -36.0  # under this: a voice too far away (levelling it would raise the hiss)
VOICE_BELOW_PEAK_DB = 30.0  # frames within this of the loudest frame are voice ...
VOICE_ABOVE_FLOOR_DB = 12.0  # ... and this far above the room's hiss
MIN_VOICE_S = 0.3
NOISE_RANGE_DB = 6.0  # quiet and loud frames closer than this: noise, no voice
MARGIN_BEFORE_S, MARGIN_AFTER_S = 0.15, 0.25
FADE_S = 0.01
TARGET_DBFS = -20.0
PEAK_DBFS = -1.0

#: Why a take was refused, for the librarian (translated where it is shown).
PROBLEMS: dict[str, str] = {
    "clipped": N_("Too loud: the sound is distorted. Hold the microphone a little further away"
                  " and record again."),
    "silent": N_("Nothing was heard. Check that the microphone is plugged in and not muted,"
                 " then record again."),
    "too_quiet": N_("Too quiet. Speak a little louder, or hold the microphone closer."),
    "too_short": N_("The take is too short. Press Stop only after the whole sentence."),
    "noise": N_("Only noise was heard, no voice. Record again in a quieter place, speaking"
                " close to the microphone."),
}  # fmt: skip


@dataclass(frozen=True)
class Verdict:
    """What the check found: the cleaned sound, or the `problem` (a key of PROBLEMS)."""

    problem: str  # "" when the take is good
    level_dbfs: float  # the loudest 20 ms of the raw take (the level meter)
    seconds: float  # voiced length after trimming (raw length when refused)
    sound: Sound | None = None

    @property
    def ok(self) -> bool:
        return not self.problem


def _db(value: float | np.ndarray) -> np.ndarray:
    return 20 * np.log10(np.maximum(value, 1e-9))


def frame_levels(signal: np.ndarray, rate: int) -> np.ndarray:
    """The RMS level (dBFS) of each 20 ms frame of `signal` (floats, full scale 1)."""
    size = max(1, int(rate * FRAME_S))
    count = max(1, len(signal) // size)
    frames = np.resize(signal[: count * size], (count, size)) if len(signal) else np.zeros((1, 1))
    return _db(np.sqrt(np.mean(frames**2, axis=1)))


def clipped(samples: np.ndarray) -> bool:
    """Whether the take hit the ceiling: more than a few samples at full scale."""
    hits = int(np.count_nonzero(np.abs(samples.astype(np.int32)) >= CLIP_LEVEL))
    return hits >= max(3, CLIP_SHARE * len(samples))


def check(pcm: bytes, rate: int) -> Verdict:
    """Judge and clean one take (16-bit mono little-endian PCM at `rate`)."""
    samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2")
    raw_seconds = len(samples) / rate if rate else 0.0
    if not len(samples):
        return Verdict("silent", float(_db(0.0)), 0.0)
    if clipped(samples):
        return Verdict("clipped", 0.0, raw_seconds)
    signal = samples.astype(np.float64) / FULL_SCALE
    signal -= signal.mean()  # a DC offset would eat headroom and click at the cuts
    levels = frame_levels(signal, rate)
    loudest = float(levels.max())
    if loudest < SILENT_DBFS:
        return Verdict("silent", loudest, raw_seconds)
    floor = float(np.percentile(levels, 10))
    if float(np.percentile(levels, 95)) - floor < NOISE_RANGE_DB:
        return Verdict("noise", loudest, raw_seconds)
    if loudest < QUIET_DBFS:
        return Verdict("too_quiet", loudest, raw_seconds)
    threshold = max(loudest - VOICE_BELOW_PEAK_DB, floor + VOICE_ABOVE_FLOOR_DB)
    voiced = np.flatnonzero(levels >= threshold)
    frame = int(rate * FRAME_S)
    first, last = voiced[0] * frame, (voiced[-1] + 1) * frame
    if (last - first) / rate < MIN_VOICE_S:
        return Verdict("too_short", loudest, raw_seconds)
    start = max(0, first - int(MARGIN_BEFORE_S * rate))
    end = min(len(signal), last + int(MARGIN_AFTER_S * rate))
    sound = _levelled(signal[start:end], signal[first:last], rate)
    return Verdict("", loudest, round(len(sound.samples) / rate, 3), sound)


def _levelled(kept: np.ndarray, voice: np.ndarray, rate: int) -> Sound:
    """`kept` at the target loudness (measured on `voice`), peaks limited, ends faded."""
    rms = float(np.sqrt(np.mean(voice**2)))
    gain = 10 ** (TARGET_DBFS / 20) / max(rms, 1e-9)
    peak = float(np.abs(kept).max())
    gain = min(gain, 10 ** (PEAK_DBFS / 20) / max(peak, 1e-9))
    out = kept * gain
    fade = min(int(FADE_S * rate), len(out) // 2)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade)
        out[:fade] *= ramp
        out[-fade:] *= ramp[::-1]
    values = np.clip(np.round(out * FULL_SCALE), -32768, 32767).astype(np.int16)
    samples = array("h")
    samples.frombytes(values.tobytes())  # native order, as Sound keeps them
    return Sound(samples, rate, 1)


def loudness_dbfs(sound: Sound) -> float:
    """The RMS level of a whole sound (dBFS): what normalisation aimed at."""
    values = np.asarray(sound.samples, dtype=np.float64) / FULL_SCALE
    return float(_db(np.sqrt(np.mean(values**2)))) if len(values) else float(_db(0.0))


def keep(path: Path, sound: Sound) -> str:
    """Save a checked take as the recording at `path` (the file the player looks for),
    whole or not at all; its sha256 (the contribution's fingerprint)."""
    data = wav_bytes(sound)
    atomic_write(path, data)
    return hashlib.sha256(data).hexdigest()
