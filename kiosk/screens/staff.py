"""Staff login: the staff card, then the PIN (the core locks the card after wrong PINs)."""

from __future__ import annotations

from functools import partial

from kivy.properties import StringProperty

from kiosk.flows import session as session_mod
from kiosk.screens import theme
from kiosk.screens.base import KioskButton, KioskScreen, load_kv
from kiosk.screens.wording import tr

PAD_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "back", "0", "ok")
MAX_PIN = 8


class StaffScreen(KioskScreen):
    """Card first, then PIN; nothing typed is kept after leaving."""

    card = StringProperty("")
    pin = StringProperty("")
    error = StringProperty("")

    def on_kv_post(self, base_widget: object) -> None:
        for key in PAD_KEYS:
            label = {"back": "", "ok": "OK"}.get(key, key)
            colour = {"ok": theme.OK, "back": theme.HEADER}.get(key, theme.TILE["neutral"])
            icon = "\u232b" if key == "back" else ""  # erase-left, from the icon font
            button = KioskButton(action=f"pin-{key}", text=label, icon=icon, colour=colour)
            button.bind(on_release=partial(self.key, key))
            self.ids.pad.add_widget(button)

    def on_activate(self, card: str = "", **kwargs: object) -> None:
        self.card, self.pin, self.error = card, "", ""

    def on_deactivate(self) -> None:
        self.card, self.pin, self.error = "", "", ""

    def on_tag(self, tap) -> bool:
        if tap.kind == "staff":
            self.card, self.pin, self.error = tap.key, "", ""
        else:
            self.error = tr("This is not a staff card.")
            self.app.say("not-staff-card")
        return True

    def key(self, key: str, *_args: object) -> None:
        if not self.card:
            self.error = tr("Tap your staff card first.")
            return
        if key == "back":
            self.pin = self.pin[:-1]
        elif key == "ok":
            self.submit()
        elif len(self.pin) < MAX_PIN:
            self.pin += key
            self.error = ""

    def submit(self) -> None:
        login = session_mod.staff_login(self.app.services, self.card, self.pin)
        self.pin = ""
        if login.ok:
            self.app.show("staff_menu", staff_name=login.name, staff_id=login.staff_id)
        else:
            self.error = login.error[:1].upper() + login.error[1:]
            self.app.feedback(False)


load_kv("staff")
