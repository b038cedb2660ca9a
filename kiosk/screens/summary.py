"""Summary after Finish: what was borrowed, and the due date in large type."""

from __future__ import annotations

from kivy.graphics.texture import Texture
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.modalview import ModalView

from kiosk import receipt
from kiosk.audio import prompts
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

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.receipt_view = ReceiptView()

    def on_activate(self, **kwargs: object) -> None:
        session = self.app.session
        lent = session.lent()
        box = self.ids.titles
        box.clear_widgets()
        self.receipt = ""
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

    def on_deactivate(self) -> None:
        self.receipt_view.dismiss(animation=False)
        self.receipt_view.texture, self.receipt_view.text, self.receipt = None, "", ""
        self.ids.titles.clear_widgets()


load_kv("summary")
