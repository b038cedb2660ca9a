"""`kiosk audio check / say / list` on a real recordings folder, and the Settings file
(kiosk.preferences) the voice's volume and mute come from."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kiosk import preferences
from kiosk.audio import AudioLibrary
from kiosk.audio.check import check_folder
from kiosk.audio.prompts import PROMPTS
from kiosk.audio.wav import beep, write_wav
from kiosk.cli import main
from kiosk.config import LANGUAGES


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A kiosk.toml whose data folder is in the test's folder; the voice goes to files."""
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\ncommune = "06001"\ndata_dir = "{tmp_path / "data"}"\n[audio]\nsink = "file"\n',
        encoding="utf-8",
    )
    return config


def audio_dir(site: Path) -> Path:
    return site.parent / "data" / "audio"


def recording(folder: Path, name: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    write_wav(beep(((440.0, 0.2),)), path)
    return path


def run(site: Path, *args: str) -> int:
    return main(["--config", str(site), "audio", *args])


def test_check_finds_missing_unknown_and_broken_files(site, capsys):
    folder = audio_dir(site)
    recording(folder, "vi/screen-borrow.wav")
    recording(folder, "vi/refusal-overdeu.wav")  # a typo
    (folder / "vi/ok-borrow.wav").write_bytes(b"not a wav at all")
    recording(folder, "vi/ok-return.mp3")
    recording(folder, "tay/screen-borrow.wav")  # not a language code
    assert run(site, "check", "--lang", "vi") == 1
    out = capsys.readouterr().out
    assert "refusal-overdeu.wav" in out and "refusal-overdue.wav" in out  # the suggestion
    assert "ok-borrow.wav" in out and "ok-return.mp3" in out
    assert "tay/" in out
    # Each missing key is listed with the sentence to record, in the folder's language.
    assert "screen-identify.wav: Hãy chạm thẻ của bạn vào đầu đọc" in out
    assert "screen-borrow.wav:" not in out  # present and good

    report = check_folder(folder, ("vi",), known=LANGUAGES)
    [vi] = report.languages
    assert vi.found == 1
    assert [name for name, _why in vi.broken] == ["ok-borrow.wav", "ok-return.mp3"]
    assert vi.unknown == [("refusal-overdeu.wav", "refusal-overdue")]
    assert len(vi.missing) == len(PROMPTS) - 1
    assert report.stray_folders == ["tay/"]


def test_missing_recordings_are_normal_unless_strict(site, capsys):
    assert run(site, "check") == 0  # nothing recorded: the kiosk speaks with espeak-ng
    assert run(site, "check", "--lang", "tyz", "--strict") == 1
    for key in PROMPTS:
        recording(audio_dir(site), f"tyz/{key}.wav")
    capsys.readouterr()
    assert run(site, "check", "--lang", "tyz", "--strict") == 0
    assert f"tyz: {len(PROMPTS)} " in capsys.readouterr().out


def test_a_silent_recording_is_reported(site, capsys):
    path = audio_dir(site) / "vi" / "ok-borrow.wav"
    path.parent.mkdir(parents=True)
    write_wav(beep(((440.0, 0.2),), level=0.001), path)
    assert run(site, "check", "--lang", "vi") == 1
    assert "silent" in capsys.readouterr().out


def test_say_plays_a_prompt_and_says_where_it_came_from(site, capsys):
    recording(audio_dir(site), "vi/ok-borrow.wav")
    assert run(site, "say", "ok-borrow") == 0
    assert "recording" in capsys.readouterr().out
    assert run(site, "say", "ok-borrow", "--lang", "en") == 0
    assert "espeak-ng (en): You may take this book home." in capsys.readouterr().out
    played = sorted((site.parent / "data" / "audio-out").glob("*.wav"))
    assert len(played) == 2
    assert run(site, "say", "no-such-key") == 1


def test_list_shows_every_key(site, capsys):
    assert run(site, "list", "--lang", "vi") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(PROMPTS)
    assert "refusal-overdue: Hãy trả sách quá hạn trước đã. Hãy hỏi cán bộ thư viện." in lines


# -- the settings file ------------------------------------------------------------------------
def test_settings_round_trip(tmp_path):
    assert preferences.load(tmp_path) == preferences.Preferences()
    chosen = preferences.Preferences(volume=30, muted=True, large_text=True, high_contrast=False)
    preferences.save(tmp_path, chosen)
    assert preferences.load(tmp_path) == chosen
    assert [p.name for p in tmp_path.iterdir()] == [preferences.FILE_NAME]  # no temp left


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", preferences.Preferences()),
        ("[1, 2]", preferences.Preferences()),
        (
            json.dumps({"volume": 250, "muted": "yes", "large_text": True, "extra": 1}),
            preferences.Preferences(volume=100, muted=False, large_text=True),
        ),
        (json.dumps({"volume": True}), preferences.Preferences()),
    ],
)
def test_a_damaged_settings_file_falls_back_value_by_value(tmp_path, text, expected):
    (tmp_path / preferences.FILE_NAME).write_text(text, encoding="utf-8")
    assert preferences.load(tmp_path) == expected


def test_volume_steps_stay_in_range():
    assert preferences.Preferences(volume=95).with_volume(105).volume == 100
    assert preferences.Preferences(volume=5).with_volume(-5).volume == 0


def test_the_voice_uses_the_saved_volume(site, capsys):
    data = site.parent / "data"
    preferences.save(data, preferences.Preferences(volume=50))
    assert run(site, "say", "ok-renew", "--lang", "vi") == 0
    [played] = (data / "audio-out").glob("*.wav")
    from kiosk.audio.wav import read_wav

    full = AudioLibrary(data).sound("ok-renew", "vi")[1]
    assert abs(read_wav(played).peak - full.peak // 2) <= 1
    preferences.save(data, preferences.Preferences(muted=True))
    assert run(site, "say", "ok-renew") == 0
    assert "tắt tiếng" in capsys.readouterr().out  # the CLI speaks the kiosk's language
    assert len(list((data / "audio-out").glob("*.wav"))) == 1


def test_the_cli_prints_in_the_environments_language(site, capsys, monkeypatch):
    monkeypatch.setenv("KIOSK_LANGUAGE", "vi")
    assert "KIOSK_LANGUAGE" in os.environ
    assert run(site, "check", "--lang", "en") == 0
    assert "Thư mục bản thu" in capsys.readouterr().out
