"""Summary after Finish: what was borrowed, and the due date in large type."""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.i18n import format_date
from kiosk.screens.base import KioskScreen, WrapLabel, load_kv
from kiosk.ui.text import tr


class SummaryScreen(KioskScreen):
    """The end of a borrowing session; Done (or inactivity) clears it."""

    heading = StringProperty("")
    due = StringProperty("")

    def on_activate(self, **kwargs: object) -> None:
        session = self.app.session
        lent = session.lent()
        box = self.ids.titles
        box.clear_widgets()
        if not lent:
            self.heading, self.due = tr("No book was borrowed."), ""
            return
        self.heading = tr("You borrowed {count} book(s).").format(count=len(lent))
        earliest = session.earliest_due()
        self.due = format_date(earliest) if earliest else ""
        for result in lent:
            text = f"• {result.title}"
            if result.due and result.due != earliest:
                text += " — " + tr("by {date}").format(date=format_date(result.due))
            box.add_widget(WrapLabel(text=text))

    def on_deactivate(self) -> None:
        self.ids.titles.clear_widgets()


load_kv("summary")
