"""The kiosk's Kivy application: screens, hardware events, language and inactivity.

Services come in through the constructor (``kiosk.ui.session.Services``: config, desk, clock,
search, staff check) with the hardware bundle's event queue; nothing is opened here. Hardware
threads only put events on that queue; a small pump thread takes them off and hands each one
to the UI thread with ``Clock.schedule_once``, the only way an event reaches a widget.

Call :func:`kiosk.ui.boot.configure` before importing this module (it imports Kivy).
"""

from __future__ import annotations

import importlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk import i18n, watchdog
from kiosk.hardware.interfaces import (
    CodeSeen,
    Direction,
    Passage,
    Pattern,
    SeveralTags,
    TagSeen,
    TagStatus,
)
from kiosk.ui import fonts, theme
from kiosk.ui.session import ReaderSession, Services, Tap, classify
from kiosk.ui.text import tr

log = logging.getLogger(__name__)

IDLE_WARNING_S = 45.0  # no touch nor tap for this long on a reader screen: warn
IDLE_COUNTDOWN_S = 15.0  # then count down this long before going back to Home
NOTICE_S = 4.0  # how long a transient notice (several tags, hold still) stays up
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
        indicator: Any = None,
        uplink: Any = None,
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
        self.idle_warning = idle_warning
        self.idle_countdown = idle_countdown
        self.idle_skew = 0.0  # scripts and tests "wait" by moving the idle clock forward
        self.events_handled = 0
        self._monotonic = monotonic
        self._last_activity = monotonic()
        self._pump: threading.Thread | None = None
        self._warning = None
        self._notice_event = None
        self.theme = theme.Theme()
        super().__init__(**kwargs)

    # -- building ---------------------------------------------------------------------------------
    def build(self) -> FloatLayout:
        # Late imports: each screen module loads its .kv rules, which need the running app.
        from kiosk.screens import SCREENS
        from kiosk.screens.base import Banner
        from kiosk.screens.inactivity import InactivityWarning

        fonts.register()
        self.set_language(self.services.config.language)
        self.theme.fit(*Window.size)
        Window.bind(size=self._on_window_size, on_touch_down=self._on_any_touch)
        Window.clearcolor = theme.BACKGROUND
        self.manager = ScreenManager(transition=NoTransition())
        for name, where in SCREENS.items():
            module, _, cls = where.partition(":")
            screen_class = getattr(importlib.import_module(f"kiosk.screens.{module}"), cls)
            self.manager.add_widget(screen_class(name=name))
        self._warning = InactivityWarning()
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
        return root

    def on_start(self) -> None:
        self.manager.current_screen.on_activate()
        # systemd (Type=notify, WatchdogSec): ready once the first frame is drawn, then a ping
        # from the UI's own clock, so a frozen UI, not only a dead process, gets restarted.
        Clock.schedule_once(lambda _dt: watchdog.ready(), 0)
        every = watchdog.interval()
        if every:
            Clock.schedule_interval(lambda _dt: watchdog.ping(), every)
        if self.events is not None:
            self._pump = threading.Thread(target=self._pump_events, name="ui-pump", daemon=True)
            self._pump.start()

    def on_stop(self) -> None:
        if self._pump is not None and self.events is not None:
            self.events.put(_STOP)
            self._pump.join(timeout=2)
            self._pump = None
        Clock.unschedule(self._check_idle)
        # The window outlives the app (tests start many apps in one window): let go of it.
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
        self.manager.current = name
        self.screen.on_activate(**kwargs)

    def identify(self, card: str, purpose: str = "borrow") -> None:
        """A reader card was tapped for `purpose` ("borrow" or "loans")."""
        if self.session.identify(card) is None:
            self.feedback(False)
            self.show("identify", purpose=purpose, unknown=True)
        else:
            self.show(purpose)

    def end_session(self) -> None:
        """Back to Home: forget the reader, speak the kiosk's own language again."""
        self.session.clear()
        if self._warning is not None and self._warning.parent is not None:
            self._warning.dismiss(animation=False)
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
    def feedback(self, ok: bool) -> None:
        """Sound and light, so that reading is optional."""
        if self.indicator is not None:
            try:
                self.indicator.show(Pattern.SUCCESS if ok else Pattern.REFUSAL)
            except Exception:  # a buzzer fault must never break a loan on screen
                log.exception("indicator failed")

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
    def _pump_events(self) -> None:
        """Pump thread: queue -> UI thread, one Clock callback per event."""
        while True:
            event = self.events.get()
            if event is _STOP:
                return
            Clock.schedule_once(partial(self.on_hardware_event, event), 0)

    def on_hardware_event(self, event: object, _dt: float = 0) -> None:
        """On the UI thread: a tag, several tags, a barcode or a door passage reached the kiosk."""
        try:
            if isinstance(event, Passage):  # the door beam: a visit, not someone at the screen
                self.services.desk.count_passage(entering=event.direction is not Direction.OUT)
                return
            self.touch()
            if isinstance(event, TagSeen):
                self._on_tag(event)
            elif isinstance(event, CodeSeen):
                self.screen.on_tag(classify(event.value, event.value))
            elif isinstance(event, SeveralTags):
                self.notice = tr("Several tags at once: please tap one book at a time.")
        finally:
            self.events_handled += 1

    def _on_tag(self, event: TagSeen) -> None:
        if event.status is TagStatus.INCOMPLETE:
            self.notice = tr("Hold the book still on the reader for a moment.")
            return
        item_id = event.item_id if event.status is TagStatus.OK else None
        tap: Tap = classify(event.uid_hex, item_id)
        if self._warning is not None and self._warning.parent is not None:
            self._warning.dismiss(animation=False)
        self.screen.on_tag(tap)

    # -- inactivity -------------------------------------------------------------------------------
    def monotonic(self) -> float:
        return self._monotonic() + self.idle_skew

    def touch(self) -> None:
        """Someone is here: restart the inactivity timer."""
        self._last_activity = self.monotonic()

    def _on_any_touch(self, _window: object, _touch: object) -> bool:
        self.touch()
        if self._warning is not None and self._warning.parent is not None:
            self._warning.dismiss(animation=False)
            return True  # this touch only says "still here"
        return False

    def _check_idle(self, _dt: float) -> None:
        if not self.screen.in_session:
            return
        idle = self.monotonic() - self._last_activity
        if idle >= self.idle_warning + self.idle_countdown:
            self.end_session()
        elif idle >= self.idle_warning:
            self._warning.remaining = max(1, round(self.idle_warning + self.idle_countdown - idle))
            if self._warning.parent is None:
                self._warning.open(animation=False)
