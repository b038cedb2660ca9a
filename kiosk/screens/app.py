"""The kiosk's Kivy application: screens, hardware events, language and inactivity.

Services come in through the constructor (``kiosk.flows.session.Services``: config, desk, clock,
search, staff check) with the hardware bundle's event queue; nothing is opened here. Hardware
threads only put events on that queue; a small pump thread takes them off and hands each one
to the UI thread with ``Clock.schedule_once``, the only way an event reaches a widget.

Call :func:`kiosk.screens.boot.configure` before importing this module (it imports Kivy).
"""

from __future__ import annotations

import importlib
import logging
import queue
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk import i18n, preferences, watchdog
from kiosk.audio import prompts
from kiosk.circulation import Refusal
from kiosk.flows.session import ReaderSession, Services, Tap, classify
from kiosk.hardware.interfaces import (
    CodeSeen,
    Direction,
    Indicator,
    Passage,
    SeveralTags,
    SlipPrinter,
    TagSeen,
    TagStatus,
)
from kiosk.screens import fonts, theme
from kiosk.screens.appearance import Appearance
from kiosk.screens.door import DoorCounter
from kiosk.screens.idle import IDLE_COUNTDOWN_S, IDLE_WARNING_S, IdleTimer
from kiosk.screens.voice import Voice
from kiosk.screens.wording import tr
from kiosk.threads import Loop

if TYPE_CHECKING:  # for the types only: the app is handed these, it never builds them
    from kiosk.audio.player import Player
    from kiosk.hardware.backend import HardwareBundle
    from kiosk.telemetry.uplink import Uplink

log = logging.getLogger(__name__)

NOTICE_S = 4.0  # how long a transient notice (several tags, hold still) stays up
READER_SCREENS = ("identify", "borrow", "summary", "returns", "loans", "search")
_STOP = object()


class KioskApp(App):
    """The touch kiosk. ``lang`` is bound by every .kv text so a language switch re-renders."""

    lang = StringProperty(i18n.DEFAULT_LANGUAGE)
    theme = ObjectProperty(None)
    notice = StringProperty("")
    title = "Thư viện cơ sở"

    def __init__(
        self,
        services: Services,
        *,
        events: queue.Queue | None = None,
        indicator: Indicator | None = None,
        hardware: HardwareBundle | None = None,
        uplink: Uplink | None = None,
        audio: Player | None = None,
        printer: SlipPrinter | None = None,
        idle_warning: float = IDLE_WARNING_S,
        idle_countdown: float = IDLE_COUNTDOWN_S,
        monotonic: Callable[[], float] = time.monotonic,
        **kwargs: Any,
    ) -> None:
        self.services = services
        self.uplink = uplink  # a started kiosk.telemetry.uplink.Uplink, or None
        self.session = ReaderSession(services)
        self.events = events
        self.indicator = indicator
        self.hardware = hardware  # the HardwareBundle: staff screens write tags with its reader
        self.audio = audio  # a kiosk.audio.player.Player (closed with the app), or None
        self.printer = printer  # the paper-slip printer (kiosk.hardware.printer), or None
        # The collaborators, one job each; the app routes between them and the screens.
        self.voice = Voice(indicator, audio, lambda: self.lang)
        self.idle = IdleTimer(
            monotonic,
            warning_s=idle_warning,
            countdown_s=idle_countdown,
            expired=self.end_session,
            warned=lambda: self.say("still-there"),
        )
        self.door = DoorCounter(services.desk)
        self.events_handled = 0
        self._pump = Loop("ui-pump", self._pump_event)
        self._notice_event = None
        self.theme = theme.Theme()
        self._help = None
        # The Settings screen's choices (volume, mute, large text, high contrast), kept in
        # <data_dir>/settings.json across restarts: applied before any screen is built.
        self.appearance = Appearance(services.config.data_dir, self.theme, audio)
        super().__init__(**kwargs)

    # -- building ---------------------------------------------------------------------------------
    def build(self) -> FloatLayout:
        # Late imports: each screen module loads its .kv rules, which need the running app.
        from kiosk.screens.base import Banner
        from kiosk.screens.inactivity import InactivityWarning

        fonts.register()
        self.set_language(self.services.config.language)
        self.theme.fit(*Window.size)
        Window.bind(size=self._on_window_size, on_touch_down=self._on_any_touch)
        Window.clearcolor = theme.BACKGROUND
        self.manager = ScreenManager(transition=NoTransition())
        self.screen_named("home")
        self.idle.warning = InactivityWarning()
        root = FloatLayout()
        root.add_widget(self.manager)
        self.notice_banner = Banner(
            icon=theme.ICONS["notice"],
            colour=theme.NOTICE,
            size_hint=(0.9, None),
            pos_hint={"center_x": 0.5, "y": 0.02},
            opacity=0,
        )
        self.bind(notice=self._show_notice)
        root.add_widget(self.notice_banner)
        Clock.schedule_interval(self._check_idle, 0.25)
        # The reader's screens are built soon after the first frame, so the first tap on a
        # slow Pi finds them ready; the staff screens only when staff open them.
        self._prebuild = Clock.schedule_once(self._build_reader_screens, 2)
        return root

    def _build_reader_screens(self, _dt: float) -> None:
        for name in READER_SCREENS:
            self.screen_named(name)

    def screen_named(self, name: str):
        """The screen `name` (kiosk.screens.SCREENS), built the first time it is needed:
        building all of them up front doubled the time to the first frame."""
        from kiosk.screens import SCREENS

        if not self.manager.has_screen(name):
            module, _, cls = SCREENS[name].partition(":")
            screen_class = getattr(importlib.import_module(f"kiosk.screens.{module}"), cls)
            self.manager.add_widget(screen_class(name=name))
        return self.manager.get_screen(name)

    def restyle(self, **kwargs: Any) -> None:
        """Rebuild every screen in the current palette (colours are read when a widget is
        built), then show the current screen again with `kwargs`. Called from the Settings
        screen only, so no reader's data is lost."""
        from kiosk.screens.inactivity import InactivityWarning

        current = self.manager.current
        self.screen.on_deactivate()
        self.manager.clear_widgets()
        Window.clearcolor = theme.BACKGROUND
        self.idle.warning = InactivityWarning()
        self.notice_banner.colour = theme.NOTICE
        self.manager.current = self.screen_named(current).name
        self.screen.on_activate(**kwargs)

    def on_start(self) -> None:
        self.manager.current_screen.on_activate()
        # systemd (Type=notify, WatchdogSec): ready once the first frame is drawn, then a ping
        # from the UI's own clock, so a frozen UI, not only a dead process, gets restarted.
        Clock.schedule_once(lambda _dt: watchdog.ready(), 0)
        every = watchdog.interval()
        if every:
            Clock.schedule_interval(lambda _dt: watchdog.ping(), every)
        if self.events is not None:
            self._pump.start()

    def on_stop(self) -> None:
        if self._pump.alive:
            self.events.put(_STOP)  # wakes the pump from its queue
            self._pump.stop()
        Clock.unschedule(self._check_idle)
        # The Clock outlives the app (tests start several in turn): nothing of ours may fire.
        self._prebuild.cancel()
        self.door.cancel()
        if self.audio is not None:
            self.audio.close()
        # The window outlives the app (tests start many apps in one window): let go of it,
        # overlays included (a warning or help left open would cover the next app's screens).
        for widget in list(Window.children):
            if isinstance(widget, ModalView):
                widget.dismiss(animation=False)
        Window.unbind(size=self._on_window_size, on_touch_down=self._on_any_touch)

    def _on_window_size(self, _window: object, size: tuple[int, int]) -> None:
        self.theme.fit(*size)

    # -- navigation -------------------------------------------------------------------------------
    @property
    def screen(self):
        """The screen shown now."""
        return self.manager.current_screen

    def show(self, name: str, **kwargs: Any) -> None:
        """Show screen `name`; its on_activate gets `kwargs`."""
        self.touch()
        self.screen.on_deactivate()
        self.manager.current = self.screen_named(name).name
        self.screen.on_activate(**kwargs)
        keys = self.screen.spoken()
        if keys and name != "home":  # Home speaks when a reader picks a language, not to no one
            self.say(*keys)

    def identify(self, card: str, purpose: str = "borrow") -> None:
        """A reader card was tapped for `purpose` ("borrow" or "loans")."""
        if self.session.identify(card) is None:
            self.show("identify", purpose=purpose, unknown=True)
            self.feedback(False, prompts.refusal_key(Refusal.UNKNOWN_READER))
        else:
            self.show(purpose)

    def end_session(self) -> None:
        """Back to Home: forget the reader, speak the kiosk's own language again."""
        self.session.clear()
        self.idle.dismiss()
        if self._help is not None and self._help.parent is not None:
            self._help.dismiss(animation=False)
        self.set_language(self.services.config.language)
        self.show("home")

    def set_language(self, language: str) -> None:
        i18n.set_language(language, self.services.config.data_dir / "locale")
        self.lang = language

    def leave(self) -> None:
        """Leave the kiosk app (offered on the staff menu only)."""
        self.stop()

    def uplink_state(self) -> str:
        """The link to the province, for the staff menu."""
        if self.uplink is None:
            return tr("not connected in this version")
        return self.uplink.describe()

    # -- feedback and notices ---------------------------------------------------------------------
    def feedback(self, ok: bool, *sounds: str) -> None:
        """Sound and light, so that reading is optional: the buzzer/LED pattern, and the
        voice prompts `sounds` (kiosk.audio.prompts keys; a chime when none is given)."""
        self.voice.outcome(ok, *sounds)

    def say(self, *keys: str) -> None:
        """Say prompts (kiosk.audio.prompts keys) in the reader's language; never blocks, never
        fails."""
        self.voice.say(*keys)

    def choose_language(self, language: str) -> None:
        """A reader picked a language on Home: switch, and greet them in it."""
        self.set_language(language)
        self.say(prompts.screen_key("home") or "")

    def open_help(self) -> None:
        """The help overlay of the screen shown now, said aloud."""
        from kiosk.screens.help import HelpOverlay, help_keys

        if self._help is not None and self._help.parent is not None:
            self._help.dismiss(animation=False)
        self._help = HelpOverlay(screen_name=self.screen.name)
        self._help.open(animation=False)
        self.say(*help_keys(self.screen.name))

    @property
    def preferences(self) -> preferences.Preferences:
        """The Settings screen's choices now in force."""
        return self.appearance.current

    def set_preferences(self, prefs: preferences.Preferences, **screen_kwargs: Any) -> None:
        """Keep and apply new settings (Settings screen); a palette change rebuilds the
        screens."""
        if self.appearance.change(prefs):
            self.restyle(**screen_kwargs)

    def _show_notice(self, _app: object, text: str) -> None:
        self.notice_banner.text = text
        self.notice_banner.opacity = 1 if text else 0
        if self._notice_event is not None:
            self._notice_event.cancel()
        if text:
            self._notice_event = Clock.schedule_once(
                lambda _dt: setattr(self, "notice", ""), NOTICE_S
            )

    # -- hardware events --------------------------------------------------------------------------
    def _pump_event(self) -> float | None:
        """Pump thread: queue -> UI thread, one Clock callback per event (None: stopped)."""
        event = self.events.get()
        if event is _STOP:
            return None
        Clock.schedule_once(partial(self.on_hardware_event, event), 0)
        return 0

    def on_hardware_event(self, event: object, _dt: float = 0) -> None:
        """On the UI thread: a tag, several tags, a barcode or a door passage reached the kiosk."""
        try:
            if isinstance(event, Passage):  # the door beam: a visit, not someone at the screen
                if event.direction is not Direction.OUT:
                    self.door.count(self.services.clock.stamp())
                return
            self.touch()
            if isinstance(event, TagSeen):
                self._on_tag(event)
            elif isinstance(event, CodeSeen):
                tap = classify(event.value, event.value)
                self.screen.on_tag(replace(tap, source="barcode"))
            elif isinstance(event, SeveralTags):
                self.notice = tr("Several tags at once: please tap one book at a time.")
                self.say("several-tags")
        finally:
            self.events_handled += 1

    def _on_tag(self, event: TagSeen) -> None:
        if event.status is TagStatus.INCOMPLETE:
            self.notice = tr("Hold the book still on the reader for a moment.")
            self.say("hold-still")
            return
        item_id = event.item_id if event.status is TagStatus.OK else None
        tap: Tap = classify(event.uid_hex, item_id)
        self.idle.dismiss()
        self.screen.on_tag(tap)

    # -- inactivity (kiosk.screens.idle) ---------------------------------------------------------
    @property
    def idle_warning(self) -> float:
        return self.idle.warning_s

    @property
    def idle_skew(self) -> float:
        """Scripts and tests "wait" by moving the idle clock forward."""
        return self.idle.skew

    @idle_skew.setter
    def idle_skew(self, seconds: float) -> None:
        self.idle.skew = seconds

    @property
    def idle_checks(self) -> int:
        """How often inactivity was checked (the demo driver waits on it)."""
        return self.idle.checks

    def monotonic(self) -> float:
        return self.idle.now()

    def touch(self) -> None:
        """Someone is here: restart the inactivity timer."""
        self.idle.touch()

    def _on_any_touch(self, _window: object, _touch: object) -> bool:
        self.idle.touch()
        return self.idle.dismiss()  # a touch that closes the warning only says "still here"

    def _check_idle(self, _dt: float) -> None:
        self.idle.check(self.screen.in_session)
