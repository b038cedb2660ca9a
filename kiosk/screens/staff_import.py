"""Catalogue import from a USB stick (dry run first, then Import) and catalogue export.

Also the base of the other staff panels (rotation, reports): :class:`StaffPanel` gives a
header, a status banner, a scrolling list and a row of actions, and runs long work in a
thread (kiosk.ui.staff_worker) so that the screen stays alive during a large import.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, ColorProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.screens.base import FitLabel, KioskButton, KioskScreen, WrapLabel, load_kv
from kiosk.ui import staff_files, staff_import, staff_worker, theme
from kiosk.ui.text import tr

STATUS = {  # kind -> (colour, icon key)
    "info": (theme.NOTICE, "notice"),
    "ok": (theme.OK, "ok"),
    "error": (theme.REFUSED, "refused"),
    "warn": (theme.ASK_STAFF, "ask"),
    "wait": (theme.HEADER, "wait"),
}


class PanelText(WrapLabel):
    """A line of the panel's list."""


class PanelCell(FitLabel):
    """A table cell: shrinks its type to fit."""


class PanelRow(BoxLayout):
    """A table row, with a background colour (a highlighted row)."""

    background = ColorProperty((0, 0, 0, 0))


class StaffPanel(KioskScreen):
    """A staff screen: reached from the staff menu, back to it with "Back"."""

    heading = StringProperty("")
    heading_icon = StringProperty("")
    status = StringProperty("")
    status_icon = StringProperty("")
    status_colour = ColorProperty(theme.NOTICE)
    busy = BooleanProperty(False)
    staff_name = StringProperty("")

    def on_activate(self, staff_name: str = "", **kwargs: object) -> None:
        if staff_name:
            self.staff_name = staff_name
        self.busy = False

    def back(self, *_args: object) -> None:
        self.app.show("staff_menu", staff_name=self.staff_name)

    def on_busy(self, _screen: object, busy: bool) -> None:
        self.ids.actions.disabled = busy
        self.ids.bar.disabled = busy
        self.ids.lines.disabled = busy

    # -- what is shown ------------------------------------------------------------------------
    def say(self, text: str, kind: str = "info") -> None:
        colour, icon = STATUS[kind]
        self.status, self.status_colour, self.status_icon = text, colour, theme.ICONS[icon]

    def clear_lines(self) -> None:
        self.ids.lines.clear_widgets()
        self.ids.scroller.scroll_y = 1

    def add_text(self, text: str, bold: bool = False, colour: Any = None) -> PanelText:
        label = PanelText(text=text, bold=bold)
        if colour is not None:
            label.color = colour
        self.ids.lines.add_widget(label)
        return label

    def add_choice(
        self,
        action: str,
        text: str,
        callback: Callable[[], None],
        colour: Any = None,
        tall: float = 1.1,
    ) -> KioskButton:
        """A button in the list (a file, a batch); `tall`: its height in button heights."""
        button = KioskButton(
            action=action,
            text=text,
            colour=colour or theme.TILE["neutral"],
            size_hint_y=None,
            height=self.app.theme.button * tall,
        )
        button.font_size = self.app.theme.small
        button.bind(on_release=lambda *_a: callback())
        self.ids.lines.add_widget(button)
        return button

    def add_row(self, cells: list[str], weights: list[float], background: Any = None) -> None:
        row = PanelRow(background=background or (0, 0, 0, 0))
        for n, (text, weight) in enumerate(zip(cells, weights, strict=True)):
            cell = PanelCell(text=text, size_hint_x=weight, halign="left" if n == 0 else "right")
            row.add_widget(cell)
        self.ids.lines.add_widget(row)

    def set_actions(self, *actions: tuple[str, str, Any, Callable[[], None]]) -> None:
        """The bottom row: (action name, label, colour, callback) each; "Back" is added last."""
        bar = self.ids.actions
        bar.clear_widgets()
        for action, text, colour, callback in actions:
            button = KioskButton(action=action, text=text, colour=colour)
            button.bind(on_release=partial(_call, callback))
            bar.add_widget(button)
        back = KioskButton(action="back", text=tr("Back"), colour=theme.TILE["neutral"])
        back.bind(on_release=self.back)
        bar.add_widget(back)

    # -- long work ----------------------------------------------------------------------------
    def run_background(
        self, waiting: str, work: Callable[[], Any], done: Callable[[Any], None]
    ) -> None:
        """Show `waiting`, run `work` in a thread, then `done(result)` on the UI thread; an
        unexpected error is said, never lost."""
        self.busy = True
        self.say(waiting, "wait")

        def finished(result: staff_worker.Done) -> None:
            self.busy = False
            self.app.touch()  # the inactivity timer starts again from the result
            if result.error is not None:
                self.say(tr("Something went wrong: {error}").format(error=result.error), "error")
                self.app.feedback(False)
                return
            done(result.value)

        staff_worker.start(work, finished, lambda fn: Clock.schedule_once(lambda _dt: fn(), 0))


def _call(callback: Callable[[], None], *_args: object) -> None:
    callback()


def file_label(found: staff_files.FoundFile) -> str:
    return f"{found.name}  ·  {staff_files.size_text(found.size)}  ·  {found.folder}"


class StaffImportScreen(StaffPanel):
    """Pick a file, see the dry run, import; or export the catalogue to the stick."""

    def on_activate(self, **kwargs: object) -> None:
        super().on_activate(**kwargs)
        self.heading = tr("Catalogue import and export")
        self.heading_icon = theme.ICONS["borrow"]
        self.chosen = None
        self.show_files()

    @property
    def config(self):
        return self.app.services.config

    def show_files(self) -> None:
        """The importable files on the USB stick(s) and in the import folder."""
        self.chosen = None
        self.clear_lines()
        files = staff_files.importable_files(self.config)
        if files:
            self.say(tr("Choose a file to import (nothing is written before you confirm)."))
        else:
            self.say(
                tr("No catalogue file found. Plug in the USB stick, then press Refresh."), "warn"
            )
            self.add_text(tr("Folders searched:"), bold=True)
            for folder in staff_files.import_folders(self.config):
                self.add_text(str(folder))
        for n, found in enumerate(files, start=1):
            self.add_choice(f"file-{n}", file_label(found), partial(self.check, found))
        self.set_actions(
            ("refresh", tr("Refresh"), theme.HEADER, self.show_files),
            ("export-csv", tr("Export CSV"), theme.TILE["loans"], partial(self.export, "csv")),
            ("export-marc", tr("Export MARC"), theme.TILE["loans"], partial(self.export, "marc")),
        )

    def check(self, found: staff_files.FoundFile) -> None:
        """The dry run of `found`, in the background."""
        self.chosen = found
        self.run_background(
            tr("Checking {file} ...").format(file=found.name),
            partial(staff_import.check, found.path),
            self.show_result,
        )

    def do_import(self) -> None:
        found = self.chosen
        self.run_background(
            tr("Importing {file} ... please wait.").format(file=found.name),
            partial(staff_import.apply, found.path),
            self.show_result,
        )

    def show_result(self, view: staff_import.ImportView) -> None:
        self.clear_lines()
        self.add_text(self.chosen.name, bold=True)
        for line in view.lines:
            self.add_text(line)
        if view.problems:
            self.add_text(tr("Problems ({count}):").format(count=len(view.problems)), bold=True)
            for problem in view.problems:
                self.add_text(problem, colour=theme.REFUSED)
        if not view.ok:
            self.say(view.headline, "error")
            self.app.feedback(False)
            self.set_actions(("files", tr("Other file"), theme.HEADER, self.show_files))
        elif view.dry_run:
            self.say(view.headline, "warn" if view.problems else "info")
            self.set_actions(
                ("import", tr("Import"), theme.OK, self.do_import),
                ("files", tr("Other file"), theme.HEADER, self.show_files),
            )
        else:
            self.say(view.headline, "ok")
            self.app.feedback(True)
            self.set_actions(("files", tr("Other file"), theme.HEADER, self.show_files))

    def export(self, kind: str) -> None:
        now = self.app.services.clock.now()
        self.run_background(
            tr("Writing the catalogue ..."),
            partial(staff_import.export, self.config, kind, now),
            self.exported,
        )

    def exported(self, done: staff_import.Exported) -> None:
        self.say(done.message(), "ok")
        self.app.feedback(True)


load_kv("staff_import")
