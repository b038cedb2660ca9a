"""Identify: "tap your card", with a pulsing card; an unknown card says how to register."""

from __future__ import annotations

from kivy.animation import Animation
from kivy.properties import ColorProperty, StringProperty

from kiosk.audio import prompts
from kiosk.circulation import Refusal
from kiosk.screens import outcomes, theme
from kiosk.screens.base import KioskScreen, load_kv
from kiosk.screens.wording import tr


class IdentifyScreen(KioskScreen):
    """Waits for a reader card; then the app goes on to the chosen purpose."""

    purpose = StringProperty("borrow")
    error = StringProperty("")
    error_icon = StringProperty("")
    error_colour = ColorProperty(theme.ASK_STAFF)

    def on_activate(self, purpose: str = "borrow", unknown: bool = False, **kwargs) -> None:
        self.purpose = purpose
        self.show_error(Refusal.UNKNOWN_READER if unknown else None)
        self._pulse = Animation(opacity=0.35, duration=0.8) + Animation(opacity=1, duration=0.8)
        self._pulse.repeat = True
        self._pulse.start(self.ids.card_icon)

    def on_deactivate(self) -> None:
        Animation.cancel_all(self.ids.card_icon)
        self.ids.card_icon.opacity = 1

    def show_error(self, reason: Refusal | None) -> None:
        if reason is None:
            self.error = ""
            return
        shown = outcomes.refusal(reason)
        self.error, self.error_icon, self.error_colour = shown.detail, shown.icon, shown.colour

    def on_tag(self, tap) -> bool:
        if tap.kind == "reader":
            self.app.identify(tap.key, purpose=self.purpose)
        elif tap.kind == "item":
            self.error = tr("That is a book. Please tap your card first.")
            self.app.say("book-not-card")
            self.error_icon, self.error_colour = theme.ICONS["notice"], theme.NOTICE
        else:
            self.show_error(Refusal.UNKNOWN_READER)
            self.app.feedback(False, prompts.refusal_key(Refusal.UNKNOWN_READER))
        return True


load_kv("identify")
