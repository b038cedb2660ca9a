"""The base of the staff panels (catalogue import, rotation, reports): :class:`StaffPanel`
gives a header, a status banner, a scrolling list and a row of actions, and runs long work in a
thread (kiosk.flows.staff_worker) so that the screen stays alive during a large import."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, ColorProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.flows import staff_files, staff_worker
from kiosk.screens import theme
from kiosk.screens.base import FitLabel, KioskButton, KioskScreen, WrapLabel, load_kv
from kiosk.screens.wording import tr


def status_style(kind: str) -> tuple[Any, str]:
    """The colour and icon of a status `kind`, read from the palette in force (high contrast
    swaps the theme's colours, so they are not captured once at import)."""
    colour, icon = {
        "info": ("NOTICE", "notice"),
        "ok": ("OK", "ok"),
        "error": ("REFUSED", "refused"),
        "warn": ("ASK_STAFF", "ask"),
        "wait": ("HEADER", "wait"),
    }[kind]
    return getattr(theme, colour), theme.ICONS[icon]


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
        self.status, (self.status_colour, self.status_icon) = text, status_style(kind)

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

    def show_file_view(self, name: str, lines: list[str], problems: list[str]) -> None:
        """The list for a checked file: its name, what it holds, then its problems in red."""
        self.clear_lines()
        self.add_text(name, bold=True)
        for line in lines:
            self.add_text(line)
        if problems:
            self.add_text(tr("Problems ({count}):").format(count=len(problems)), bold=True)
            for problem in problems:
                self.add_text(problem, colour=theme.REFUSED)

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


load_kv("staff_panel")
