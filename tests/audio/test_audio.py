"""The kiosk's voice: which sound plays for a key in each language (recording, Vietnamese
recording, espeak-ng speech, chime), real espeak-ng output, volume and mute, interruption,
real aplay through ALSA's file plugin, and every refusal and notice having its prompt."""

from __future__ import annotations

import shutil
import threading
import time
from array import array
from pathlib import Path

import pytest

from kiosk import i18n, messages
from kiosk.audio import AudioLibrary, prompts, speech_language
from kiosk.audio.player import AplaySink, Player, RecordingSink, has_sound_card, make_sink
from kiosk.audio.wav import beep, read_wav, scaled, write_wav
from kiosk.circulation import Notice, Refusal
from kiosk.desk import Result

KEY = prompts.refusal_key(Refusal.OVERDUE)


@pytest.fixture
def library(tmp_path: Path) -> AudioLibrary:
    return AudioLibrary(tmp_path)


def record(library: AudioLibrary, language: str, key: str, seconds: float = 0.3) -> Path:
    """A 'recording': a tone, so it can be told apart from speech."""
    path = library.recording(key, language)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_wav(beep(((523.0, seconds),), rate=16000), path)
    return path


def test_the_tools_are_installed():
    # scripts/setup installs espeak-ng and alsa-utils: without them the voice is chimes only.
    assert shutil.which("espeak-ng") and shutil.which("aplay")


@pytest.mark.parametrize(
    ("language", "recorded", "kind", "from_language"),
    [
        ("vi", ["vi"], "recording", "vi"),
        ("vi", [], "speech", "vi"),
        ("en", [], "speech", "en"),
        ("en", ["vi"], "speech", "en"),  # an English reader never hears the vi recording
        ("tyz", ["tyz", "vi"], "recording", "tyz"),
        ("tyz", ["vi"], "recording", "vi"),  # a Tày reader hears the Vietnamese recording
        ("nut", [], "speech", "vi"),  # ... or Vietnamese speech: espeak-ng has no Nùng
        ("hnj", ["en"], "speech", "vi"),
    ],
)
def test_resolution_chain(library, language, recorded, kind, from_language):
    for lang in recorded:
        record(library, lang, KEY)
    source, sound = library.sound(KEY, language)
    assert (source.kind, source.language) == (kind, from_language)
    assert sound.peak > 1000
    if kind == "speech":
        expected = i18n.Translator(from_language).gettext(messages.REFUSALS[Refusal.OVERDUE])
        assert source.text.startswith(expected)
        assert speech_language(language) == from_language


def test_minority_languages_hear_vietnamese_words(library):
    text = library.sound("ok-return", "hnj")[0].text
    assert text == "Đã trả — hãy đặt sách lên xe đẩy."


def test_espeak_output_is_real_speech(library, tmp_path):
    source, sound = library.sound("screen-identify", "vi")
    assert source.kind == "speech"
    assert sound.rate == 22050 and sound.channels == 1
    assert 1.0 < sound.seconds < 6.0
    assert sound.peak > 8000  # not silence
    # Speech, not a tone: many distinct sample values, and quiet gaps between words.
    assert len(set(sound.samples[::7])) > 2000
    cached = list((tmp_path / "cache" / "speech").glob("vi-*.wav"))
    assert len(cached) == 1 and read_wav(cached[0]).samples == sound.samples
    again = library.sound("screen-identify", "vi")[1]  # from the cache: same samples
    assert again.samples == sound.samples


def test_without_espeak_a_chime(tmp_path):
    library = AudioLibrary(tmp_path, espeak=None)
    refused = library.sound(KEY, "vi")
    ok = library.sound("ok-borrow", "vi")
    assert refused[0].kind == ok[0].kind == "chime"
    assert (refused[0].chime, ok[0].chime) == ("refused", "ok")
    assert refused[1].samples != ok[1].samples


def test_a_broken_recording_falls_through_to_speech(library):
    path = library.recording(KEY, "vi")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"RIFF not really")
    assert library.sound(KEY, "vi")[0].kind == "speech"


def test_volume_scaling_halves_the_peak(library):
    sound = library.sound("screen-borrow", "vi")[1]
    half = scaled(sound, 50)
    assert abs(half.peak - sound.peak // 2) <= 1
    assert len(half.samples) == len(sound.samples) and half.rate == sound.rate
    assert scaled(sound, 0).peak == 0
    assert scaled(sound, 100) is sound


def test_the_player_plays_scaled_and_mute_plays_nothing(library):
    sink = RecordingSink(realtime=False)
    player = Player(library, sink, volume=50)
    try:
        player.say("screen-borrow", "ok-borrow", language="vi")
        assert player.wait(10)
        assert sink.keys == ["screen-borrow", "ok-borrow"]
        full = library.sound("screen-borrow", "vi")[1]
        assert abs(sink.played[0].sound.peak - full.peak // 2) <= 1
        player.set_muted(True)
        player.say("ok-borrow", language="vi")
        assert player.wait(10)
        assert sink.keys == ["screen-borrow", "ok-borrow"]  # muted: nothing more
        player.set_muted(False)
        player.say("ok-renew", language="vi")
        assert player.wait(10)
        assert sink.keys[-1] == "ok-renew"
    finally:
        player.close()


def test_say_never_blocks_and_a_new_prompt_interrupts(library):
    sink = RecordingSink(realtime=True)
    player = Player(library, sink)
    try:
        started = time.monotonic()
        player.say("help-borrow", language="vi")  # several seconds of speech
        assert time.monotonic() - started < 0.05
        deadline = time.monotonic() + 10
        while not sink.played and time.monotonic() < deadline:
            time.sleep(0.01)
        player.say("ok-borrow", language="vi")
        assert player.wait(15)
        assert sink.keys == ["help-borrow", "ok-borrow"]
        assert sink.played[0].interrupted and not sink.played[1].interrupted
        assert time.monotonic() - started < sink.played[0].sound.seconds + 4
    finally:
        player.close()


def test_real_aplay_plays_the_scaled_samples(library, tmp_path):
    out = tmp_path / "alsa.raw"
    # ALSA's file plugin: aplay really runs and writes the samples it would play.
    player = Player(library, AplaySink(device=f"file:{out},raw"), volume=50)
    try:
        player.say("ok-renew", language="vi")
        assert player.wait(10) and player.errors == 0
    finally:
        player.close()
    expected = scaled(library.sound("ok-renew", "vi")[1], 50)
    written = out.read_bytes()
    samples = array("h")
    samples.frombytes(written[: len(written) - len(written) % 2])
    # aplay pads the last period with silence: the sound itself comes first, sample for sample.
    assert samples[: len(expected.samples)] == expected.samples
    assert max(abs(s) for s in samples) == expected.peak


def test_a_missing_device_is_logged_not_raised(library, caplog):
    player = Player(library, AplaySink(device="no-such-device"))
    try:
        player.say("ok-renew", language="vi")
        player.say("ok-borrow", language="vi")
        assert player.wait(10)
        player.say("ok-return", language="vi")
        assert player.wait(10)
        assert player.errors >= 1
    finally:
        player.close()
    assert "aplay failed" in caplog.text


def test_the_file_sink_keeps_what_would_have_played(library, tmp_path):
    sink = make_sink("file", "", tmp_path)
    assert isinstance(sink, RecordingSink)
    sink.realtime = False
    player = Player(library, sink, volume=40)
    try:
        player.say("ok-borrow", language="en")
        assert player.wait(10)
    finally:
        player.close()
    [written] = (tmp_path / "audio-out").glob("*-ok-borrow.wav")
    assert read_wav(written).samples == sink.played[0].sound.samples


def test_auto_sink_is_silent_without_a_sound_card(tmp_path):
    assert not has_sound_card(tmp_path / "no-cards")
    (tmp_path / "cards").write_text("--- no soundcards ---\n")
    assert not has_sound_card(tmp_path / "cards")
    (tmp_path / "cards").write_text(" 0 [vc4hdmi0 ]: vc4-hdmi - vc4-hdmi-0\n")
    assert has_sound_card(tmp_path / "cards")
    if not has_sound_card():
        assert isinstance(make_sink("auto", "", tmp_path), RecordingSink)


def test_every_refusal_and_notice_has_a_translated_prompt():
    vietnamese = i18n.Translator("vi")
    for code, prefix in [(r, "refusal") for r in Refusal] + [(n, "notice") for n in Notice]:
        prompt = prompts.PROMPTS[prompts.code_key(prefix, code.value)]
        english, spoken = prompt.text(lambda m: m), prompt.text(vietnamese.gettext)
        assert english and spoken != english, prompt.key
    for key, prompt in prompts.PROMPTS.items():
        assert key == key.lower() and all(c.isalnum() or c == "-" for c in key)
        assert all(vietnamese.gettext(m) != m for m in prompt.msgids), key


def test_result_keys_say_what_the_screen_shows():
    assert prompts.result_keys(Result("borrow", refusal=Refusal.OVERDUE)) == (KEY,)
    assert prompts.result_keys(Result("borrow")) == ("ok-borrow",)
    late = Result("return", notices=(Notice.RETURNED_LATE,))
    assert prompts.result_keys(late) == ("ok-return", "notice-returned-late")
    rotation = Result("return", notices=(Notice.RETURNED_LATE, Notice.ROTATION_ITEM))
    assert prompts.result_keys(rotation) == ("notice-rotation-item", "notice-returned-late")
    mine = Result("borrow", notices=(Notice.ALREADY_YOURS,))
    assert prompts.result_keys(mine) == ("notice-already-yours",)
    renewals = [Result("renew"), Result("renew", refusal=Refusal.RENEWAL_LIMIT)]
    assert prompts.results_keys(renewals) == ("refusal-renewal-limit",)
    assert prompts.results_keys(renewals[:1]) == ("ok-renew",)


def test_help_falls_back_for_new_screens():
    assert prompts.help_key("borrow") == "help-borrow"
    assert prompts.help_key("staff_menu") == "help-staff-menu"
    assert prompts.help_key("staff_anything_new") == "help-staff-generic"
    assert prompts.help_key("reader_thing") == "help-generic"
    assert prompts.help_lines("staff") != prompts.help_lines("staff_anything_new")


def test_close_stops_the_worker(library):
    before = {t for t in threading.enumerate() if t.name == "audio"}
    player = Player(library, RecordingSink())
    (thread,) = {t for t in threading.enumerate() if t.name == "audio"} - before
    player.close()
    assert not thread.is_alive()


def test_the_file_sink_numbers_across_runs_and_keeps_the_newest(tmp_path):
    sound, cancelled = beep(((440.0, 0.05),)), threading.Event()
    source = AudioLibrary(tmp_path, espeak=None).resolve("ok-borrow", "vi")
    for _ in range(2):  # two kiosk runs
        sink = RecordingSink(folder=tmp_path / "out", realtime=False, keep=3)
        for _ in range(3):
            sink.play(sound, source, cancelled)
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [f"00000{n}-ok-borrow.wav" for n in (4, 5, 6)]


def test_the_voice_is_core_code_without_kivy():
    import subprocess
    import sys

    code = (
        "import sys, kiosk.audio, kiosk.audio.player, kiosk.audio.check, kiosk.audio.prompts, "
        "kiosk.preferences, kiosk.screens.palette, kiosk.cli.audio; "
        "sys.exit('kivy' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
