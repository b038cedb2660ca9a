"""Summary after Finish: what was borrowed, and the due date in large type."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.modalview import ModalView

from kiosk import receipt
from kiosk.audio import prompts
from kiosk.audio.prompts import OTHER_PROMPTS
from kiosk.hardware.interfaces import PrintOutcome
from kiosk.i18n import format_date
from kiosk.screens import outcomes, theme
from kiosk.screens.base import KioskScreen, WrapLabel, load_kv
from kiosk.screens.wording import tr, tr_n


def qr_texture(text: str) -> Texture:
    """A texture of the QR code of `text`, one texel per module (drawn without smoothing)."""
    rows = receipt.qr_modules(text)
    size = len(rows)
    # Kivy textures start at the bottom row; dark modules are 0, light ones 255.
    pixels = bytes(0 if dark else 255 for row in reversed(rows) for dark in row)
    texture = Texture.create(size=(size, size), colorfmt="luminance")
    texture.blit_buffer(pixels, colorfmt="luminance", bufferfmt="ubyte")
    texture.mag_filter = texture.min_filter = "nearest"
    return texture


log = logging.getLogger(__name__)

# What the reader hears and reads after Print, by outcome (kiosk.audio.prompts keys)
SLIP_PROMPTS = {
    PrintOutcome.PRINTED: "slip-printed",
    PrintOutcome.NO_PAPER: "slip-no-paper",
    PrintOutcome.MISSING: "slip-missing",
}


class ReceiptView(ModalView):
    """The QR receipt over the summary; a touch on Close (or leaving the screen) removes it."""

    texture = ObjectProperty(None, allownone=True)
    text = StringProperty("")


class SummaryScreen(KioskScreen):
    """The end of a borrowing session; Done (or inactivity) clears it."""

    title = StringProperty("")
    title_icon = StringProperty("")
    heading = StringProperty("")
    due = StringProperty("")
    receipt = StringProperty("")  # the QR receipt's text ("" when there is none to offer)
    can_print = BooleanProperty(False)  # a printer is configured and something was lent
    printing = BooleanProperty(False)  # a slip is on its way to the printer

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.receipt_view = ReceiptView()

    def on_activate(self, **kwargs: object) -> None:
        session = self.app.session
        lent = session.lent()
        box = self.ids.titles
        box.clear_widgets()
        self.receipt = ""
        self.can_print = self.app.printer is not None and bool(lent)
        if not lent:
            self._show_nothing_lent()
            return
        self.title, self.title_icon = tr("Thank you!"), theme.ICONS["ok"]
        config = self.app.services.config
        if config.qr_receipt:
            today = self.app.services.clock.now().date()
            self.receipt = receipt.receipt_text(config.room_name, today, lent)
        self.heading = tr_n(
            "You borrowed {count} book.", "You borrowed {count} books.", len(lent)
        ).format(count=len(lent))
        earliest = session.earliest_due()
        self.due = format_date(earliest) if earliest else ""
        for result in lent:
            text = f"• {result.title}"
            if result.due and result.due != earliest:
                text += " — " + tr("by {date}").format(date=format_date(result.due))
            box.add_widget(WrapLabel(text=text))

    def _show_nothing_lent(self) -> None:
        """No green tick and no thanks: say that nothing was lent, and why, book by book."""
        self.title, self.title_icon = tr("No book was borrowed."), theme.ICONS["notice"]
        self.due = ""
        lines = self.app.session.borrowed
        if not lines:
            self.heading = tr("You did not tap any book.")
            return
        self.heading = tr("Why:")
        for result in lines:
            shown = outcomes.describe(result)
            self.ids.titles.add_widget(WrapLabel(text=f"• {shown.headline} — {shown.detail}"))

    def spoken(self) -> tuple[str, ...]:
        """The count and the due date, in words; or that nothing was borrowed."""
        session = self.app.session
        lent, due = session.lent(), session.earliest_due()
        if not lent or due is None:
            return ("nothing-borrowed",)
        return (prompts.figured("summary-lent", count=len(lent), due=due),)

    def show_receipt(self) -> None:
        """Open the QR receipt (the button is shown only when there is one)."""
        if self.receipt:
            self.receipt_view.text = self.receipt
            self.receipt_view.texture = qr_texture(self.receipt)
            self.receipt_view.open(animation=False)

    def print_slip(self) -> None:
        """Print the receipt on paper, off the UI thread (a serial printer takes seconds);
        the outcome is shown and said when the printer is done."""
        if not self.can_print or self.printing:
            return
        config = self.app.services.config
        today = self.app.services.clock.now().date()
        # the same words as the QR receipt: one source for what a receipt says
        lines = receipt.receipt_text(config.room_name, today, self.app.session.lent()).split("\n")
        self.printing = True
        threading.Thread(
            target=self._print_in_background,
            args=(self.app.printer, lines),
            name="printer",
            daemon=True,
        ).start()

    def _print_in_background(self, printer, lines: Sequence[str]) -> None:
        try:
            outcome = printer.print_slip(lines)
        except Exception:  # a bug must not leave the button disabled for the next reader
            log.exception("printing the slip failed")
            outcome = PrintOutcome.MISSING
        Clock.schedule_once(lambda _dt: self._printed(outcome), 0)

    def _printed(self, outcome: PrintOutcome) -> None:
        self.printing = False
        key = SLIP_PROMPTS[outcome]
        (message,), _chime = OTHER_PROMPTS[key]
        self.app.notice = tr(message)
        self.app.say(key)

    def on_deactivate(self) -> None:
        self.receipt_view.dismiss(animation=False)
        self.receipt_view.texture, self.receipt_view.text, self.receipt = None, "", ""
        self.ids.titles.clear_widgets()


load_kv("summary")
