"""Borrow: books tapped one after another appear with their due date or the reason they
cannot go home; a mistaken one can be removed; Finish shows the summary."""

from __future__ import annotations

from functools import partial

from kivy.properties import NumericProperty, StringProperty

from kiosk.audio import prompts
from kiosk.screens import outcomes, theme
from kiosk.screens.base import KioskScreen, load_kv
from kiosk.screens.outcomes import ResultLine
from kiosk.screens.wording import tr


class BorrowScreen(KioskScreen):
    """The identified reader's borrowing; all state is in ``app.session``."""

    greeting = StringProperty("")
    count = NumericProperty(0)

    def on_activate(self, **kwargs: object) -> None:
        reader = self.app.session.reader
        self.greeting = tr("Hello, {name}").format(name=reader.name) if reader else ""
        self.refresh()

    def on_deactivate(self) -> None:
        self.ids.lines.clear_widgets()

    def refresh(self) -> None:
        """Rebuild the list from the session, newest first."""
        box = self.ids.lines
        box.clear_widgets()
        results = self.app.session.borrowed
        for index in reversed(range(len(results))):
            result = results[index]
            line = ResultLine.of(
                outcomes.describe(result),
                button_text=tr("Remove") if result.ok else "",
                button_action=f"remove-{index}",
                highlight=theme.SURFACE,
            )
            line.bind(on_press_button=partial(self.remove, index))
            box.add_widget(line)
        self.count = len(self.app.session.lent())
        self.ids.scroll.scroll_y = 1

    def remove(self, index: int, *_args: object) -> None:
        """Take back a book tapped by mistake."""
        self.app.session.undo(index)
        self.refresh()

    def on_tag(self, tap) -> bool:
        if tap.kind in ("item", "unknown"):  # an unknown tag: the desk says "not in catalogue"
            result = self.app.session.borrow(tap.key)
            self.app.feedback(result.ok, *prompts.result_keys(result))
            self.refresh()
        return True  # cards (this reader's or another) are ignored while borrowing

    def finish(self) -> None:
        self.app.show("summary")


load_kv("borrow")
