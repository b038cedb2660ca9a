"""The staff menu: the staff operations, today's counts, the uplink's state, and the only
way out of the kiosk app."""

from __future__ import annotations

from functools import partial

from kivy.properties import StringProperty

from kiosk import counters
from kiosk.flows import session as session_mod
from kiosk.i18n import N_
from kiosk.screens import SCREENS, theme
from kiosk.screens.base import KioskButton, KioskScreen, WrapLabel, load_kv
from kiosk.screens.wording import tr

#: The operations offered, in menu order: (screen name, icon key in theme.ICONS, label).
#: A screen that is not registered in kiosk.screens.SCREENS gets no button.
STAFF_OPERATIONS: tuple[tuple[str, str, str], ...] = (
    ("staff_register", "card", N_("Register a reader")),
    ("staff_labels", "book", N_("Label books")),
    ("staff_inventory", "search", N_("Check the shelves")),
    ("staff_import", "borrow", N_("Catalogue import")),
    ("staff_rotation", "renew", N_("Rotation batches")),
    ("staff_reports", "loans", N_("Reports")),
    ("staff_voices", "volume", N_("Record the voice prompts")),
    ("staff_translate", "language", N_("Translate the reader's texts")),
    ("settings", "settings", N_("Settings")),
)


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

    staff_id = None  # the logged-in account (int), for contributions' provenance

    def on_activate(self, staff_name: str = "", staff_id: int | None = None, **kwargs) -> None:
        if staff_name:  # coming back from an operation keeps the name
            self.staff_name = staff_name
            self.staff_id = staff_id if staff_id is not None else self.staff_id
        box = self.ids.counts
        box.clear_widgets()
        names = labels()
        for metric, count in session_mod.today_counts(self.app.services).items():
            box.add_widget(WrapLabel(text=f"{names[metric]}: {count}"))
        box.add_widget(WrapLabel(text=tr("Uplink: {state}").format(state=self.app.uplink_state())))
        self.add_operations()

    def add_operations(self) -> None:
        grid = self.ids.operations
        grid.clear_widgets()
        for screen, icon, label in STAFF_OPERATIONS:
            if screen not in SCREENS:
                continue
            button = KioskButton(
                action=screen, text=tr(label), icon=theme.ICONS.get(icon, ""), colour=theme.HEADER
            )
            button.bind(on_release=partial(self.open, screen))
            grid.add_widget(button)

    def open(self, screen: str, *_args: object) -> None:
        self.app.show(screen, staff_name=self.staff_name, staff_id=self.staff_id)

    def on_deactivate(self) -> None:
        self.ids.counts.clear_widgets()

    def leave(self) -> None:
        """Back to the reader's kiosk: forget who was logged in."""
        self.staff_name, self.staff_id = "", None
        self.app.end_session()


load_kv("staff_menu")
