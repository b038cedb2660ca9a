"""The commune's languages through the real app: Home hides a language until it is useful,
staff record prompts with a (simulated) microphone and translate texts with the on-screen
keyboard, preview a hidden language, and the language appears once the threshold is met."""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.audio import readiness, takes
from kiosk.hardware.emulator.microphone import SimulatedMicrophone
from kiosk.i18n import _, provenance
from tests.screens.conftest import shows
from tests.screens.test_ui_layout import english_leaks, overflowing
from tests.screens.test_ui_staff_import import staff_login
from tests.support.voices import pcm, silence, speech_like


def look(ui, name: str) -> None:
    """Nothing overflows and nothing shows in English; a picture when KIOSK_UI_SHOTS is set."""
    if os.environ.get("KIOSK_UI_SHOTS"):
        ui.screenshot(Path(os.environ["KIOSK_UI_SHOTS"]) / f"{name}.png")
    assert overflowing(ui) == [] and english_leaks(ui) == []


def language_buttons(ui) -> list[str]:
    return [b.lang for b in reversed(ui.app.screen.ids.languages.children)]


def open_voices(ui) -> SimulatedMicrophone:
    mic = ui.app.microphone = SimulatedMicrophone()
    staff_login(ui)
    ui.press("staff_voices")
    assert ui.app.screen.name == "staff_voices"
    return mic


def test_record_refuse_keep_and_preview(ui, kiosk):
    assert language_buttons(ui) == ["vi", "en"]  # nothing of Tày yet: hidden
    mic = open_voices(ui)
    data = kiosk.config.data_dir
    assert shows(ui, _("Welcome! Touch a picture: borrow, return, find a book or see your loans."))
    assert ui.app.audio.wait(5)
    assert ui.app.audio.sink.keys[-1] == "screen-home"  # the Vietnamese prompt, said first
    mic.hears(pcm(silence(2)))
    ui.press("record")
    assert shows(ui, _("Recording ... speak now, then press Stop."))
    assert not ui.buttons("back") and not ui.buttons("next")  # only Stop mid-take
    ui.press("record")  # Stop
    assert shows(ui, _(takes.PROBLEMS["silent"]).split(".")[0])
    assert not ui.buttons("keep")  # nothing to keep: the button is disabled
    mic.hears(pcm(speech_like()))
    ui.press("record")
    ui.press("record")
    assert ui.buttons("keep")
    ui.press("listen")
    assert ui.app.audio.wait(5) and ui.app.audio.sink.keys[-1] == "take"
    look(ui, "voices-take")
    ui.press("keep")
    assert (data / "audio" / "tyz" / "screen-home.wav").is_file()
    entry = provenance.Ledger(data, "tyz").get(provenance.RECORDING, "screen-home")
    assert entry.by == ui.app.screen.staff_name and entry.staff_id is not None
    assert shows(ui, "screen-identify")
    assert ui.app.audio.wait(5) and ui.app.audio.sink.keys[-1] == "screen-identify"
    ui.press("previous")
    assert shows(ui, entry.by)  # who made it, shown with its state
    ui.press("preview")
    assert ui.app.screen.name == "home" and "tyz" in language_buttons(ui)
    assert ui.app.lang == "tyz"
    ui.app.end_session()
    ui.frames(2)
    assert language_buttons(ui) == ["vi", "en"]


def test_translate_with_placeholders_then_the_language_appears(ui, kiosk):
    data = kiosk.config.data_dir
    staff_login(ui)
    ui.press("staff_translate")
    screen = ui.app.screen
    assert screen.name == "staff_translate" and screen.flow.language == "tyz"
    msgid = "You borrowed {count} book. Bring it back by {due}."
    index = [row.msgid for row in screen.flow.rows()].index(msgid)
    ui.press("lang-nut")
    assert screen.flow.language == "nut"
    assert index >= 12  # on the second page of the list
    ui.press("more")
    ui.press(f"text-{index}")
    ui.press("key-m")  # a key of the on-screen keyboard; the rest typed as its keys would
    screen.type_text("ượn ")
    ui.press("key-{count}")
    assert screen.flow.text == "Mượn {count}"
    ui.press("save")
    assert screen.flow.message.kind == "error" and shows(ui, "{due}")
    ui.press("key-space")
    ui.press("key-{due}")
    look(ui, "translate-editor")
    ui.press("save")
    assert screen.flow.message.kind == "ok"
    assert screen.flow.selected != msgid and not screen.flow.text  # on to the next one
    ui.press("list")
    ui.press("more")
    assert shows(ui, "Mượn {count} {due}")
    look(ui, "translate-list")
    # every reader-priority prompt recorded in Nùng: Home offers it
    folder = data / "audio" / "nut"
    sound = takes.check(pcm(speech_like()), 22050).sound
    for key in readiness.priority_keys():
        takes.keep(folder / f"{key}.wav", sound)
    ui.app.end_session()
    ui.frames(2)
    assert language_buttons(ui) == ["vi", "en", "nut"]
    ui.press("lang-nut")
    assert ui.app.lang == "nut"
