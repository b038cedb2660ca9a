"""Staff: record the voice prompts in the commune's language (kiosk.flows.staff_voices).

The bar chooses the language and steps through the prompts; the list shows the prompt (its
Vietnamese text, big), whether it is recorded, by whom and its review state; the actions play
the Vietnamese prompt, record and stop, play the take back, and keep it. The microphone is
``app.microphone`` when the app was given one (tests, the scripted demo: a simulated one),
else ``arecord`` on ``[audio] capture_device``.
"""

from __future__ import annotations

from functools import partial

from kiosk.audio import HEAR_VIETNAMESE, AudioLibrary
from kiosk.flows import staff_voices as flow_mod
from kiosk.hardware.microphone import ArecordMicrophone, Microphone
from kiosk.i18n import provenance as prov
from kiosk.screens import theme
from kiosk.screens.base import FitLabel, KioskButton
from kiosk.screens.staff_panel import StaffPanel
from kiosk.screens.wording import LANGUAGE_NAMES, tr

RECORDED_LANGUAGES = ("vi", *sorted(HEAR_VIETNAMESE, key=list(LANGUAGE_NAMES).index))


def microphone_for(app) -> Microphone:
    """The app's own microphone if it has one, else ALSA capture as configured."""
    found = getattr(app, "microphone", None)
    if found is None:
        found = app.microphone = ArecordMicrophone(app.services.config.audio.capture_device)
    return found


def first_language(app) -> str:
    """The language staff most likely record: the kiosk's own, else Tày."""
    own = app.services.config.language
    return own if own in HEAR_VIETNAMESE else "tyz"


def describe(entry: prov.Contribution | None) -> str:
    """Who made a contribution, when, and its review state, for staff."""
    if entry is None:
        return ""
    state = tr("reviewed by {count}").format(count=entry.reviews) if entry.reviews else tr("draft")
    return tr("By {name}, {when} · {state}").format(
        name=entry.by, when=entry.at.replace("T", " ")[:16], state=state
    )


class StaffVoicesScreen(StaffPanel):
    """One prompt at a time; nothing is kept until Keep is pressed."""

    flow: flow_mod.VoiceRecording | None = None

    def on_activate(self, staff_id: int | None = None, **kwargs: object) -> None:
        super().on_activate(**kwargs)
        self.heading = tr("Record the voice prompts")
        self.heading_icon = theme.ICONS["volume"]
        self.author = prov.Author(self.staff_name, staff_id)
        self.choose_language(first_language(self.app))

    def on_deactivate(self) -> None:
        if self.flow is not None and self.flow.state == flow_mod.RECORDING:
            self.flow.stop()  # never leave the microphone open
        self.flow = None
        self.ids.bar.clear_widgets()

    # -- actions ------------------------------------------------------------------------------
    def choose_language(self, language: str, *_args: object) -> None:
        if self.flow is not None and self.flow.state == flow_mod.RECORDING:
            return
        config = self.app.services.config
        library = AudioLibrary(config.data_dir, espeak=None)
        self.flow = flow_mod.VoiceRecording(
            library, language, microphone_for(self.app), self.author, self.app.services.clock
        )
        self.refresh()
        self.play_vietnamese()

    def step(self, delta: int, *_args: object) -> None:
        self.flow.go(delta)
        self.refresh()
        self.play_vietnamese()

    def play_vietnamese(self) -> None:
        if self.app.audio is not None:
            self.app.audio.say(self.flow.key, language="vi")

    def record(self) -> None:
        """Record, or Stop when recording (one button)."""
        flow = self.flow
        if flow.state == flow_mod.RECORDING:
            verdict = flow.stop()
            self.app.feedback(verdict is not None and verdict.ok)
        else:
            if self.app.audio is not None:
                self.app.audio.stop()  # the kiosk's voice must not be in the take
            if not flow.start():
                self.app.feedback(False)
        self.refresh()

    def listen(self) -> None:
        flow = self.flow
        if flow.take is not None and self.app.audio is not None:
            self.app.audio.play(flow.take)
        elif flow.recorded(flow.key) and self.app.audio is not None:
            self.app.audio.say(flow.key, language=flow.language)

    def keep(self) -> None:
        """Keep the take, then the next prompt, said in Vietnamese."""
        kept = self.flow.keep()
        self.refresh()
        if kept:
            self.play_vietnamese()
        else:
            self.app.feedback(False)

    def review(self) -> None:
        self.app.feedback(self.flow.review())
        self.refresh()

    def preview(self) -> None:
        """Home in this language, as a reader would see it, even while it is hidden."""
        self.app.show("home", preview=self.flow.language)

    # -- showing ------------------------------------------------------------------------------
    def refresh(self) -> None:
        flow = self.flow
        self._build_bar(flow)
        self.say(flow.message.text, flow.message.kind)
        self.clear_lines()
        done, total = flow.progress()
        self.add_text(
            tr("Reader-priority prompts recorded in {language}: {done} of {total}").format(
                language=LANGUAGE_NAMES[flow.language], done=done, total=total
            ),
            colour=theme.MUTED,
        )
        state = tr("recorded") if flow.recorded(flow.key) else tr("not recorded yet")
        priority = tr("reader priority") if flow.key in flow.priority else ""
        where = tr("Prompt {n} of {count}").format(n=flow.index + 1, count=len(flow.keys))
        self.add_text("  ·  ".join(p for p in (where, flow.key, priority, state) if p))
        self.add_text(flow.vietnamese(), bold=True).font_size = self.app.theme.title
        if flow.has_figures():
            self.add_text(
                tr("The kiosk shows the figures on the screen: say the sentence without them."),
                colour=theme.MUTED,
            )
        if line := describe(flow.contribution()):
            self.add_text(line, colour=theme.MUTED)
            self.add_choice("review", tr("I checked it: mark as reviewed"), self.review)
        self.add_choice("preview", tr("Preview on Home"), self.preview)
        recording = flow.state == flow_mod.RECORDING
        self.set_actions(
            ("play-vi", tr("Vietnamese"), theme.HEADER, self.play_vietnamese),
            (
                "record",
                tr("Stop") if recording else tr("Record"),
                theme.REFUSED if recording else theme.OK,
                self.record,
            ),
            ("listen", tr("Listen"), theme.HEADER, self.listen),
            ("keep", tr("Keep"), theme.OK, self.keep),
        )
        # Mid-take only Stop works (the kiosk's voice would be in the take); Keep needs a take.
        for button in self.ids.actions.children:
            if button.action == "keep":
                button.disabled = flow.state != flow_mod.LISTEN
            elif button.action != "record":
                button.disabled = recording

    def _build_bar(self, flow: flow_mod.VoiceRecording) -> None:
        bar = self.ids.bar
        bar.clear_widgets()
        recording = flow.state == flow_mod.RECORDING
        for action, icon, delta in (("previous", "\u25c0", -1), ("next", "\u25b6", 1)):
            button = KioskButton(action=action, icon=icon, colour=theme.HEADER, size_hint_x=0.12)
            button.disabled = recording
            button.bind(on_release=partial(self.step, delta))
            bar.add_widget(button)
        bar.add_widget(FitLabel(text=tr("Language:"), size_hint_x=0.16), index=1)
        for lang in RECORDED_LANGUAGES:
            chosen = lang == flow.language
            button = KioskButton(
                action=f"lang-{lang}",
                text=LANGUAGE_NAMES[lang],
                colour=theme.HEADER if chosen else theme.TILE["neutral"],
                size_hint_x=0.15,
            )
            button.disabled = recording
            button.bind(on_release=partial(self.choose_language, lang))
            bar.add_widget(button, index=1)
