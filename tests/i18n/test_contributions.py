"""Contributions of commune librarians: recording prompts with a simulated microphone,
translating on the kiosk with placeholders protected, who made what (provenance), and the
threshold that decides when Home offers a language."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk import i18n
from kiosk.audio import AudioLibrary, readiness
from kiosk.audio.prompts import PROMPTS
from kiosk.audio.wav import read_wav
from kiosk.clock import FixedClock
from kiosk.config import Languages
from kiosk.flows import staff_translate, staff_voices
from kiosk.hardware.emulator.microphone import SimulatedMicrophone
from kiosk.i18n import extract, provenance
from tests.conftest import START
from tests.support.voices import pcm, silence, speech_like

HANG = provenance.Author("Chu Thị Hằng", 1)
TAM = provenance.Author("Hoàng Văn Tâm", 2)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


def recording(tmp_path, clock, author=HANG, language="tyz"):
    mic = SimulatedMicrophone()
    flow = staff_voices.VoiceRecording(
        AudioLibrary(tmp_path, espeak=None), language, mic, author, clock
    )
    return flow, mic


def take(flow, mic, signal) -> str:
    mic.hears(pcm(signal))
    assert flow.start()
    verdict = flow.stop()
    return verdict.problem if verdict else "microphone"


def test_priority_lists_are_decided_once_and_exist():
    keys = readiness.priority_keys()
    assert keys[0] == "screen-home" and len(set(keys)) == len(keys)
    assert all(key in PROMPTS for key in keys)
    order = readiness.recording_order()
    assert order[: len(keys)] == list(keys)
    assert "chime-ok" not in order and set(order) < set(PROMPTS)
    messages = extract.extract()
    assert all(m in messages for m in readiness.priority_msgids())


def test_recording_session_refuses_bad_takes_and_keeps_a_good_one(tmp_path, clock):
    flow, mic = recording(tmp_path, clock)
    assert flow.key == "screen-home"
    home = PROMPTS["screen-home"].msgids[0]
    assert flow.vietnamese() == i18n.Translator("vi").gettext(home) != home
    assert take(flow, mic, silence(2)) == "silent"
    assert flow.message.kind == "error" and flow.state == staff_voices.READY
    assert take(flow, mic, speech_like(level=1.0) * 2) == "clipped"
    assert not flow.keep()  # nothing to keep
    assert take(flow, mic, speech_like()) == ""
    assert flow.state == staff_voices.LISTEN and flow.take is not None
    flow.discard()
    assert take(flow, mic, speech_like(level=0.1)) == ""
    assert flow.keep()
    path = tmp_path / "audio" / "tyz" / "screen-home.wav"
    assert read_wav(path).seconds < 2.5
    assert flow.key == "screen-identify"  # on to the next prompt to record
    entry = provenance.Ledger(tmp_path, "tyz").get(provenance.RECORDING, "screen-home")
    assert (entry.by, entry.staff_id, entry.state) == ("Chu Thị Hằng", 1, "draft")
    assert entry.at == START.isoformat(timespec="seconds")
    assert len(entry.sha256) == 64
    assert flow.progress() == (1, len(readiness.priority_keys()))
    # the kiosk plays it for a Tày reader now
    source = AudioLibrary(tmp_path, espeak=None).resolve("screen-home", "tyz")
    assert source.kind == "recording" and source.path == path


def test_an_unplugged_microphone_is_said_and_nothing_is_lost(tmp_path, clock):
    flow, mic = recording(tmp_path, clock)
    mic.unplug()
    assert not flow.start()
    assert flow.message.kind == "error" and "microphone" in flow.message.text.lower()
    mic.plug_in()
    assert flow.start()
    mic.unplug()
    assert flow.stop() is None and flow.message.kind == "error"
    mic.plug_in()
    assert take(flow, mic, speech_like()) == "" and flow.keep()


def test_review_needs_another_person_once(tmp_path, clock):
    flow, mic = recording(tmp_path, clock)
    take(flow, mic, speech_like())
    flow.keep()
    flow.go(-1)
    assert not flow.review()  # her own recording
    other, _mic = recording(tmp_path, clock, author=TAM)
    other.index = 0
    assert other.review() and not other.review()
    entry = provenance.Ledger(tmp_path, "tyz").get(provenance.RECORDING, "screen-home")
    assert entry.state == "reviewed" and entry.reviews == 1
    # a new take is a draft again: the review was of other words
    flow.index = 0
    take(flow, mic, speech_like(level=0.2))
    flow.keep()
    assert provenance.Ledger(tmp_path, "tyz").get(provenance.RECORDING, "screen-home").reviews == 0


def test_a_broken_ledger_is_set_aside_not_lost(tmp_path, clock):
    folder = tmp_path / provenance.FOLDER
    folder.mkdir()
    (folder / "tyz.json").write_text("{not json")
    ledger = provenance.Ledger(tmp_path, "tyz")
    assert ledger.entries[provenance.STRING] == {}
    assert (folder / "tyz.json.broken").read_text() == "{not json"


def translation(tmp_path, clock, language="tyz", author=HANG):
    return staff_translate.Translation(tmp_path, language, author, clock)


def type_text(flow, text: str) -> None:
    from kiosk.flows import keyboard

    for key in keyboard.keys_for(text):
        flow.press(key)


def test_translation_keeps_placeholders_and_saves_to_the_site_catalogue(tmp_path, clock):
    flow = translation(tmp_path, clock)
    msgid = "You borrowed {count} book. Bring it back by {due}."
    assert msgid in [row.msgid for row in flow.rows()]
    flow.select(msgid)
    assert flow.fields() == ["{count}", "{due}"]
    type_text(flow, "mượn ")
    flow.press("{count}")
    type_text(flow, " slư")
    assert flow.text == "Mượn {count} slư"
    assert not flow.save()
    assert "{due}" in flow.message.text and flow.message.kind == "error"
    assert not (tmp_path / "locale" / "tyz.po").exists()  # nothing written
    flow.press(" ")
    flow.press("{due}")
    flow.press("backspace")  # a placeholder goes whole
    assert flow.text.endswith("slư ")
    flow.press("{due}")
    assert flow.save()
    catalog = i18n.load_catalog("tyz", tmp_path / "locale")
    assert catalog.messages[msgid] == "Mượn {count} slư {due}" and msgid in catalog.fuzzy
    translator = i18n.Translator("tyz", tmp_path / "locale")
    assert translator.ngettext(msgid, "x", 3).format(count=3, due="1/12") == "Mượn 3 slư 1/12"
    row = flow.row(msgid)
    assert row.state == staff_translate.DRAFT
    # another librarian reviews it: the .po entry loses its fuzzy mark
    other = translation(tmp_path, clock, author=TAM)
    other.select(msgid)
    assert other.review()
    assert msgid not in i18n.load_catalog("tyz", tmp_path / "locale").fuzzy
    assert other.row(msgid).state == staff_translate.REVIEWED and other.row(msgid).reviews == 1


def test_hmong_types_tone_letters_without_telex(tmp_path, clock):
    flow = translation(tmp_path, clock, language="hnj")
    flow.select("Borrow")
    assert not flow.telex
    for key in "hmoongz":
        flow.press(key)
    assert flow.text == "Hmoongz"  # no Telex: letters as typed (ô has its own key)
    flow.press("clear")
    for key in ("h", "m", "ô", "n", "g", "z"):
        flow.press(key)
    assert flow.text == "Hmôngz"
    flow.toggle_telex()
    flow.press("clear")
    for key in "hoangf":
        flow.press(key)
    assert flow.text == "Hoàng"


def test_threshold_hides_a_language_until_it_is_useful(tmp_path, clock):
    threshold = Languages(100, 90)
    langs = ("vi", "en", "tyz", "nut", "hnj")
    assert readiness.shown_languages(tmp_path, langs, threshold, "vi") == ["vi", "en"]
    assert readiness.shown_languages(tmp_path, langs, threshold, "vi", preview="nut") == [
        "vi", "en", "nut",
    ]  # fmt: skip
    # all reader-priority prompts recorded in Tày: shown
    folder = tmp_path / "audio" / "tyz"
    folder.mkdir(parents=True)
    keys = readiness.priority_keys()
    for key in keys[:-1]:
        (folder / f"{key}.wav").write_bytes(b"")
    assert "tyz" not in readiness.shown_languages(tmp_path, langs, threshold, "vi")
    (folder / f"{keys[-1]}.wav").write_bytes(b"")
    assert readiness.shown_languages(tmp_path, langs, threshold, "vi") == ["vi", "en", "tyz"]
    # Nùng by translation: 90% of the reader-priority texts
    texts = readiness.priority_msgids()
    flow = translation(tmp_path, clock, language="nut")
    needed = int(np.ceil(0.9 * len(texts)))
    for msgid in texts[: needed - 1]:
        flow.select(msgid)
        flow.text = " ".join(["slư", *flow.fields()])
        assert flow.save(), flow.message.text
    assert readiness.coverage(tmp_path, "nut").translated < needed
    assert "nut" not in readiness.shown_languages(tmp_path, langs, threshold, "vi")
    flow.select(texts[needed - 1])
    flow.text = " ".join(["slư", *flow.fields()])
    assert flow.save()
    assert "nut" in readiness.shown_languages(tmp_path, langs, threshold, "vi")
    # the kiosk's own language always shows; a threshold of 0 shows everything
    assert "hnj" in readiness.shown_languages(tmp_path, langs, threshold, "hnj")
    assert readiness.shown_languages(tmp_path, langs, Languages(0, 0), "vi") == list(langs)


def test_the_threshold_is_a_setting_with_checked_values(tmp_path):
    from kiosk import config

    base = {"kiosk": {"commune": "06001", "data_dir": str(tmp_path)}}
    loaded = config.load(None, overrides=base)
    assert (loaded.languages.recorded_percent, loaded.languages.translated_percent) == (100, 90)
    site = tmp_path / "kiosk.toml"
    site.write_text("[languages]\nrecorded_percent = 150\ntranslated_percnt = 80\n")
    with pytest.raises(config.ConfigError) as problems:
        config.load(site, overrides=base)
    keys = {p.key for p in problems.value.problems}
    assert keys == {"languages.recorded_percent", "languages.translated_percnt"}


def test_the_player_plays_a_take_at_the_volume(tmp_path):
    from kiosk.audio.player import Player, RecordingSink

    sound = staff_voices.takes.check(pcm(speech_like()), 22050).sound
    sink = RecordingSink(realtime=False)
    player = Player(AudioLibrary(tmp_path, espeak=None), sink, volume=50)
    try:
        player.play(sound)
        assert player.wait(5)
        assert sink.keys == ["take"]
        assert max(sink.played[0].sound.samples) <= max(sound.samples) // 2 + 1
        player.set_muted(True)
        player.play(sound)
        assert player.wait(5) and sink.keys == ["take"]  # muted: nothing
    finally:
        player.close()


KEYS = [k for row in staff_translate.keyboard_rows(["{count}", "{due}"]) for k in row]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(presses=st.lists(st.sampled_from(KEYS), max_size=25))
def test_only_a_translation_with_exactly_the_placeholders_is_saved(tmp_path, clock, presses):
    """Whatever staff type (from what an earlier example saved), a saved translation keeps
    {count} and {due}, and a refused one changes nothing on disk."""
    msgid = "You borrowed {count} book. Bring it back by {due}."
    flow = translation(tmp_path, clock)
    flow.select(msgid)
    for key in presses:
        flow.press(key)
    before = i18n.load_catalog("tyz", tmp_path / "locale").messages.get(msgid)
    saved = flow.save()
    after = i18n.load_catalog("tyz", tmp_path / "locale").messages.get(msgid)
    fields = set(re.findall(r"\{[a-z]+\}", flow.text))  # each at least once, as a .format()
    assert saved == (fields == {"{count}", "{due}"} and bool(flow.text.strip()))
    assert (after == " ".join(flow.text.split())) if saved else (after == before)
