"""Inactivity: a warning with a countdown over any reader screen; a touch continues, the end
of the countdown goes back to Home with the reader's data cleared (the app does that)."""

from __future__ import annotations

from kivy.properties import NumericProperty
from kivy.uix.modalview import ModalView

from kiosk.screens.base import load_kv


class InactivityWarning(ModalView):
    """Shown by the app; ``remaining`` is updated by the app's idle check."""

    remaining = NumericProperty(0)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(auto_dismiss=False, **kwargs)


load_kv("inactivity")
