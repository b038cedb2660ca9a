"""The staff menu (a stub until the staff-operations screens exist): today's counts, the
uplink's state, and the only way out of the kiosk app."""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk import counters
from kiosk.screens.base import KioskScreen, WrapLabel, load_kv
from kiosk.ui import session as session_mod
from kiosk.ui.text import tr


def labels() -> dict[str, str]:
    """The translated name of each of today's figures."""
    return {
        counters.VISITS_CARD: tr("Visits (cards)"),
        counters.VISITS_DOOR: tr("Visits (door)"),
        counters.LOANS: tr("Loans"),
        counters.RETURNS: tr("Returns"),
        counters.RENEWALS: tr("Renewals"),
    }


class StaffMenuScreen(KioskScreen):
    """Shown after a good card + PIN; inactivity brings the kiosk back to Home."""

    staff_name = StringProperty("")

    def on_activate(self, staff_name: str = "", **kwargs: object) -> None:
        self.staff_name = staff_name
        box = self.ids.counts
        box.clear_widgets()
        names = labels()
        for metric, count in session_mod.today_counts(self.app.services).items():
            box.add_widget(WrapLabel(text=f"{names[metric]}: {count}"))
        box.add_widget(WrapLabel(text=tr("Uplink: {state}").format(state=self.app.uplink_state())))

    def on_deactivate(self) -> None:
        self.staff_name = ""
        self.ids.counts.clear_widgets()


load_kv("staff_menu")
