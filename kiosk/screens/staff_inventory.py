"""Staff: check the shelves — start (or resume) an inventory, choose the shelf, tap or scan
the books, see each verdict and the progress per shelf, finish, read the result grouped by
kind with what to do, and export it as CSV.

The decisions are in :mod:`kiosk.flows.staff_inventory` (on :mod:`kiosk.ops.inventory`, whose
session lives in the database); this screen shows them.
"""

from __future__ import annotations

from functools import partial

from kivy.properties import BooleanProperty, StringProperty

from kiosk.flows import staff_inventory as flow_mod
from kiosk.screens import theme
from kiosk.screens.base import KioskButton, KioskScreen, WrapLabel, load_kv
from kiosk.screens.outcomes import Outcome, ResultLine
from kiosk.screens.staff_register import StaffopsMessage  # noqa: F401 (its rules)
from kiosk.screens.wording import tr

LOOK = {  # kind -> (icon key, colour)
    "found": ("ok", theme.OK),
    "on_loan_found": ("ask", theme.ASK_STAFF),
    "elsewhere": ("notice", theme.NOTICE),
    "missing": ("refused", theme.REFUSED),
    "unknown": ("ask", theme.TILE["neutral"]),
}
MAX_RESULT_LINES = 200  # per kind on screen; the CSV has them all


def outcome(kind: str, headline: str, detail: str) -> Outcome:
    icon, colour = LOOK[kind]
    return Outcome(theme.ICONS[icon], colour, headline, detail, kind == "found")


class StaffInventoryScreen(KioskScreen):
    """The inventory, step by step; an open session is resumed when the screen opens."""

    staff_name = StringProperty("")
    error = StringProperty("")
    has_result = BooleanProperty(False)
    shelf_title = StringProperty("")
    confirm_text = StringProperty("")
    result_title = StringProperty("")
    exported = StringProperty("")

    def on_activate(self, staff_name: str = "", **kwargs: object) -> None:
        if staff_name:
            self.staff_name = staff_name
        self.flow = flow_mod.Inventory(self.app.services)
        self.exported = ""
        if self.flow.step != flow_mod.START:
            progress = self.flow.progress()
            self.error = ""
            self.app.notice = tr("Inventory #{number} resumed where it stopped.").format(
                number=progress.session_id
            )
        self.refresh()

    def on_deactivate(self) -> None:
        self.flow = None
        for box in ("taps", "progress", "result", "shelves"):
            self.ids[box].clear_widgets()

    # -- actions ----------------------------------------------------------------------------------
    def to_menu(self) -> None:
        self.app.show("staff_menu", staff_name=self.staff_name)

    def start(self) -> None:
        self.flow.start()
        self.refresh()

    def show_last(self) -> None:
        self.flow.show_last()
        self.refresh()

    def choose_shelf(self, shelf: str, *_args: object) -> None:
        self.flow.choose_shelf(shelf)
        self.refresh()

    def change_shelf(self) -> None:
        self.flow.change_shelf()
        self.refresh()

    def ask_finish(self) -> None:
        self.flow.ask_finish()
        self.refresh()

    def cancel_finish(self) -> None:
        self.flow.cancel_finish()
        self.refresh()

    def finish(self) -> None:
        self.flow.finish()
        self.refresh()

    def export(self) -> None:
        path = self.flow.export()
        self.app.feedback(path is not None)
        if path is not None:
            where = (
                tr("Saved on the USB stick: {file}")
                if self.flow.exported_on_usb
                else tr("No USB stick: saved on the kiosk in {file}")
            )
            self.exported = where.format(file=path)
        self.refresh()

    def on_tag(self, tap) -> bool:
        line = self.flow.tap(tap)
        self.app.feedback(line is not None and line.kind == "found")
        self.refresh()
        return True

    # -- showing ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        flow = self.flow
        self.error = flow.error
        self.has_result = flow.step == flow_mod.START and flow.has_result()
        if flow.step == flow_mod.SHELF:
            self._show_shelves()
        elif flow.step == flow_mod.SCAN:
            self._show_scan()
        elif flow.step == flow_mod.CONFIRM:
            visited = [s for s in flow.progress().shelves if s]
            self.confirm_text = tr(
                "Finish the inventory? Books not seen on the shelves checked ({shelves})"
                " will be marked missing."
            ).format(shelves=", ".join(visited) or "—")
        elif flow.step == flow_mod.RESULT:
            self._show_result()
        self.ids.steps.current = flow.step

    def _show_shelves(self) -> None:
        grid = self.ids.shelves
        grid.clear_widgets()
        counts = self.flow.progress().shelves
        for shelf in flow_mod.shelves():
            label = shelf
            if shelf in counts:
                seen, expected = counts[shelf]
                label = f"{shelf} ({seen}/{expected})"
            button = KioskButton(
                action=f"shelf-{shelf}",
                text=label,
                colour=theme.OK if shelf in counts else theme.HEADER,
            )
            button.bind(on_release=partial(self.choose_shelf, shelf))
            grid.add_widget(button)

    def _show_scan(self) -> None:
        progress = self.flow.progress()
        self.shelf_title = tr("Shelf: {shelf}").format(shelf=progress.current_shelf)
        taps = self.ids.taps
        taps.clear_widgets()
        if not self.flow.recent:
            taps.add_widget(WrapLabel(text=tr("Tap or scan each book on this shelf.")))
        for line in self.flow.recent:
            shown = outcome(line.kind, line.headline, line.detail)
            taps.add_widget(ResultLine.of(shown))  # newest first
        box = self.ids.progress
        box.clear_widgets()
        for shelf, (seen, expected) in progress.shelves.items():
            if shelf:
                text = f"{shelf}: {seen} / {expected}"
                box.add_widget(WrapLabel(text=text, font_size=self.app.theme.small))
        if progress.unknown:
            text = tr("Unknown tags or codes: {count}").format(count=progress.unknown)
            box.add_widget(WrapLabel(text=text, font_size=self.app.theme.small))

    def _show_result(self) -> None:
        groups = self.flow.groups()
        counts = ", ".join(f"{g.label}: {len(g.findings)}" for g in groups)
        self.result_title = counts or tr("Nothing was checked.")
        box = self.ids.result
        box.clear_widgets()
        for group in groups:
            headline = f"{group.label}: {len(group.findings)}"
            box.add_widget(ResultLine.of(outcome(group.kind, headline, group.to_do)))
            if group.kind == "found":
                continue  # the right books on the right shelf: a count is enough
            for finding in group.findings[:MAX_RESULT_LINES]:
                box.add_widget(WrapLabel(text=self._finding_text(finding)))

    @staticmethod
    def _finding_text(finding) -> str:
        parts = [finding.item, finding.title]
        if finding.shelf:
            parts.append(tr("shelf {shelf}").format(shelf=finding.shelf))
        if finding.seen_shelf and finding.seen_shelf != finding.shelf:
            parts.append(tr("seen on {shelf}").format(shelf=finding.seen_shelf))
        if finding.note:
            parts.append(finding.note)
        return "    " + " · ".join(p for p in parts if p)


load_kv("staff_inventory")
