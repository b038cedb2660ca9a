"""The Settings screen's choices applied to the running kiosk: palette, text size, volume and
mute, kept in <data_dir>/settings.json across restarts (kiosk.preferences)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk import preferences
from kiosk.screens import theme

if TYPE_CHECKING:  # for the types only
    from kiosk.audio.player import Player

log = logging.getLogger(__name__)


class Appearance:
    """Loads the kept preferences and applies them (before any screen is built); `change`
    keeps and applies new ones."""

    def __init__(self, data_dir: Path, sizes: theme.Theme, audio: Player | None) -> None:
        self.data_dir = data_dir
        self.sizes = sizes
        self.audio = audio
        self.current = preferences.load(data_dir)
        self._apply(self.current)

    def change(self, prefs: preferences.Preferences) -> bool:
        """Keep and apply `prefs`; whether the palette changed (the screens must then be
        rebuilt). A settings file that cannot be written is logged: the change still
        applies."""
        old, self.current = self.current, prefs
        try:
            preferences.save(self.data_dir, prefs)
        except OSError:
            log.exception("settings could not be saved")
        self._apply(prefs)
        return prefs.high_contrast != old.high_contrast

    def _apply(self, prefs: preferences.Preferences) -> None:
        theme.use_palette(prefs.high_contrast)
        self.sizes.large_text = prefs.large_text
        if self.audio is not None:
            self.audio.set_volume(prefs.volume)
            self.audio.set_muted(prefs.muted)
