"""Settings (staff menu): the voice's volume and mute, large text and high contrast.

Each change applies at once and is kept in ``<data_dir>/settings.json`` (kiosk.preferences)
across restarts. High contrast rebuilds every screen (colours are read when a widget is
built); it is only offered here, on a staff screen, so no reader's data is lost.
"""

from __future__ import annotations

from dataclasses import replace

from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk import preferences
from kiosk.screens.base import KioskScreen, load_kv


class SettingsScreen(KioskScreen):
    """Reached from the staff menu; Back returns there."""

    staff_name = StringProperty("")
    volume = NumericProperty(80)
    muted = BooleanProperty(False)
    large_text = BooleanProperty(False)
    high_contrast = BooleanProperty(False)

    def on_activate(self, staff_name: str = "", **kwargs: object) -> None:
        if staff_name:
            self.staff_name = staff_name
        self._show(self.app.preferences)

    def _show(self, prefs: preferences.Preferences) -> None:
        self.volume, self.muted = prefs.volume, prefs.muted
        self.large_text, self.high_contrast = prefs.large_text, prefs.high_contrast

    def _change(self, prefs: preferences.Preferences) -> None:
        self._show(prefs)
        self.app.set_preferences(prefs, staff_name=self.staff_name)

    def change_volume(self, steps: int) -> None:
        """One step softer (-1) or louder (+1), then let staff hear it."""
        prefs = self.app.preferences
        self._change(prefs.with_volume(prefs.volume + steps * preferences.VOLUME_STEP))
        self.test_sound()

    def test_sound(self) -> None:
        self.app.say("sound-test")

    def toggle(self, name: str) -> None:
        """Switch "muted", "large_text" or "high_contrast"."""
        prefs = self.app.preferences
        self._change(replace(prefs, **{name: not getattr(prefs, name)}))
        if name == "muted" and not self.app.preferences.muted:
            self.test_sound()

    def back(self) -> None:
        self.app.show("staff_menu", staff_name=self.staff_name)


load_kv("settings")
