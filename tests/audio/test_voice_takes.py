"""Takes of a voice prompt: the level, clipping, silence and noise rules on generated signals,
the simulated microphone's rules, and the real `arecord` path on ALSA's file plugin (a capture
"device" that reads a file: no sound card needed)."""

from __future__ import annotations

import shutil
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.audio import takes
from kiosk.audio.wav import read_wav
from kiosk.hardware.emulator.microphone import SimulatedMicrophone
from kiosk.hardware.microphone import ArecordMicrophone
from tests.support.voices import RATE, pcm, silence, speech_like, tone


def test_a_voice_between_silences_is_trimmed_and_levelled():
    verdict = takes.check(pcm(speech_like(level=0.05)), RATE)
    assert verdict.ok, verdict.problem
    # 1.5 s of voice plus the margins, not the 3.5 s recorded
    assert 1.5 <= verdict.seconds <= 1.5 + takes.MARGIN_BEFORE_S + takes.MARGIN_AFTER_S + 0.05
    values = np.asarray(verdict.sound.samples, dtype=float) / 32768
    voiced = values[int(0.2 * RATE) : int(1.5 * RATE)]
    assert 20 * np.log10(np.sqrt(np.mean(voiced**2))) == pytest.approx(takes.TARGET_DBFS, abs=1.0)
    assert np.abs(values).max() <= 10 ** (takes.PEAK_DBFS / 20) + 1e-4
    assert abs(values[0]) < 1e-3 and abs(values[-1]) < 1e-3  # faded: no click


@settings(max_examples=25, deadline=None)
@given(
    level=st.floats(0.03, 0.9),
    before=st.floats(0.0, 2.0),
    after=st.floats(0.0, 2.0),
    frequency=st.floats(120, 900),
)
def test_any_clear_voice_comes_out_at_the_same_loudness(level, before, after, frequency):
    signal = np.concatenate([silence(before), tone(1.0, level, frequency), silence(after)])
    verdict = takes.check(pcm(signal), RATE)
    assert verdict.ok, verdict.problem
    assert verdict.seconds < before + after + 1.0 or before + after < 0.5
    peak = max(abs(s) for s in verdict.sound.samples) / 32768
    assert peak <= 10 ** (takes.PEAK_DBFS / 20) + 1e-4
    assert takes.loudness_dbfs(verdict.sound) == pytest.approx(takes.TARGET_DBFS, abs=3.0)


def test_a_clipped_take_is_refused():
    signal = speech_like(level=1.0) * 2.0  # a voice too close: the card's ceiling cuts it
    assert takes.check(pcm(signal), RATE).problem == "clipped"
    # one stray full-scale click in a good take is not "clipped"
    good = speech_like(level=0.3)
    good[RATE] = 1.0
    assert takes.check(pcm(good), RATE).ok


def test_silence_noise_and_a_short_take_are_refused():
    assert takes.check(pcm(silence(3.0)), RATE).problem == "silent"
    assert takes.check(pcm(speech_like(level=0.01)), RATE).problem == "too_quiet"
    assert takes.check(b"", RATE).problem == "silent"
    noise = np.random.default_rng(2).normal(0, 0.2, 3 * RATE)
    assert takes.check(pcm(noise), RATE).problem == "noise"
    short = speech_like(voice=0.15)
    assert takes.check(pcm(short), RATE).problem == "too_short"
    for problem in ("clipped", "silent", "too_quiet", "too_short", "noise"):
        assert takes.PROBLEMS[problem]


def test_a_dc_offset_is_removed():
    verdict = takes.check(pcm(speech_like(level=0.2) + 0.2), RATE)
    assert verdict.ok
    assert abs(np.mean(np.asarray(verdict.sound.samples, dtype=float))) < 100


def test_keep_writes_a_playable_wav_atomically(tmp_path):
    verdict = takes.check(pcm(speech_like()), RATE)
    target = tmp_path / "audio" / "tyz" / "screen-home.wav"
    digest = takes.keep(target, verdict.sound)
    assert len(digest) == 64
    assert read_wav(target).samples == verdict.sound.samples
    assert [p.name for p in target.parent.iterdir()] == ["screen-home.wav"]  # no temporary left


def test_simulated_microphone_keeps_a_devices_rules(tmp_path):
    mic = SimulatedMicrophone()
    with pytest.raises(RuntimeError):
        mic.stop()
    mic.hears(pcm(speech_like()))
    mic.start()
    with pytest.raises(RuntimeError):
        mic.start()
    assert mic.stop().seconds == pytest.approx(3.5, abs=0.01)
    mic.unplug()
    with pytest.raises(OSError):
        mic.start()
    mic.plug_in()
    mic.start()
    mic.unplug()  # pulled out mid-take
    with pytest.raises(OSError):
        mic.stop()
    assert mic.takes == 1 and not mic.recording


ASOUNDRC = """pcm.simmic {{
    type file
    slave.pcm "null"
    file "/dev/null"
    infile "{infile}"
    format "raw"
}}
"""


@pytest.fixture
def alsa_file_mic(tmp_path):
    """An ArecordMicrophone on ALSA's file plugin: it captures the bytes of a file."""
    assert shutil.which("arecord"), "alsa-utils is missing: run scripts/setup"
    infile = tmp_path / "voice.raw"
    (tmp_path / ".asoundrc").write_text(ASOUNDRC.format(infile=infile))
    mic = ArecordMicrophone("simmic", env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    return mic, infile


def test_arecord_captures_from_a_real_alsa_device(alsa_file_mic):
    mic, infile = alsa_file_mic
    infile.write_bytes(pcm(speech_like()))
    mic.max_seconds = 4  # arecord ends by itself after the file's 3.5 s (and some silence)
    mic.start()
    assert mic.recording
    process = mic._process
    process.wait(timeout=10)
    capture = mic.stop()
    assert capture.rate == RATE
    assert capture.pcm[: infile.stat().st_size] == infile.read_bytes()
    assert takes.check(capture.pcm, capture.rate).ok


def test_arecord_stops_when_asked_and_never_records_past_the_cap(alsa_file_mic):
    """ALSA's null device captures faster than real time, so the take may be complete by
    the time Stop comes: it must still end at the cap, whole and in order."""
    mic, infile = alsa_file_mic
    infile.write_bytes(pcm(speech_like(after=20)))
    mic.max_seconds = 5
    mic.start()
    time.sleep(0.2)  # a librarian's sentence, much shortened
    started = time.monotonic()
    capture = mic.stop()
    assert time.monotonic() - started < 2
    assert 0 < capture.seconds <= 5
    assert capture.pcm == infile.read_bytes()[: len(capture.pcm)]
    assert not mic.recording
    with pytest.raises(RuntimeError):
        mic.stop()
    mic.start()  # Stop at once, maybe before arecord opened the device: a take, not an error
    quick = mic.stop()
    assert quick.pcm == infile.read_bytes()[: len(quick.pcm)]


def test_arecord_on_a_missing_device_says_why(alsa_file_mic):
    mic, _infile = alsa_file_mic
    mic.device = "no-such-device"
    mic.start()
    with pytest.raises(OSError, match="arecord failed"):
        mic._process.wait(timeout=5)
        mic.stop()
    missing = ArecordMicrophone(program="no-such-arecord")
    with pytest.raises(OSError, match="not installed"):
        missing.start()
