"""Voice-like test signals: a syllable-like tone between hissing silences, as 16-bit PCM."""

from __future__ import annotations

import numpy as np

from kiosk.hardware.microphone import CAPTURE_RATE

RATE = CAPTURE_RATE


def pcm(signal: np.ndarray) -> bytes:
    """Floats (full scale 1) as 16-bit PCM, clipped at the ceiling like a sound card."""
    return np.clip(np.round(signal * 32768), -32768, 32767).astype("<i2").tobytes()


def tone(seconds: float, level: float, frequency: float = 220.0) -> np.ndarray:
    """A voiced sound with syllable-like dips (a voice is not a steady tone)."""
    t = np.arange(int(seconds * RATE)) / RATE
    envelope = 0.55 + 0.45 * np.sin(2 * np.pi * 3 * t)
    return level * envelope * np.sin(2 * np.pi * frequency * t)


def silence(seconds: float, hiss: float = 0.0003) -> np.ndarray:
    """A quiet room: faint, reproducible hiss."""
    return np.random.default_rng(1).normal(0, hiss, int(seconds * RATE))


def speech_like(before: float = 1.0, voice: float = 1.5, after: float = 1.0, level=0.3):
    """A take as a librarian records it: silence, the prompt, silence."""
    return np.concatenate([silence(before), tone(voice, level), silence(after)])
