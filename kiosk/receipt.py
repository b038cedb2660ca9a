"""The on-screen QR receipt: the list of books a reader just borrowed, with their due dates,
as a QR code the reader can photograph with a phone (nothing is printed, nothing is sent).

The receipt names no reader: anybody may photograph the screen. It is plain UTF-8 text, which
phone cameras show as is; it is kept short (titles shortened, a long list cut with "and n
more") so that the code stays readable from a 7-inch screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import segno

from kiosk.desk import Result
from kiosk.i18n import _, format_date

MAX_TITLE = 40  # characters of a title kept on the receipt
MAX_LINES = 6  # books listed; the rest are counted
ERROR_LEVEL = "m"  # survives a little glare on the screen


def _short(title: str) -> str:
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1].rstrip() + "…"


def receipt_text(room_name: str, day: date, lent: Sequence[Result]) -> str:
    """The receipt in the current language: the room, the day, each book with its due date."""
    lines = [room_name, _("Borrowed on {date}:").format(date=format_date(day))]
    for number, result in enumerate(lent[:MAX_LINES], 1):
        due = format_date(result.due) if result.due else ""
        lines.append(
            _("{number}. {title} — due {date}").format(
                number=number, title=_short(result.title), date=due
            )
        )
    if len(lent) > MAX_LINES:
        lines.append(_("and {count} more").format(count=len(lent) - MAX_LINES))
    return "\n".join(lines)


def qr_modules(text: str) -> list[list[bool]]:
    """The QR code of `text` as rows of dark (True) and light modules, quiet zone included."""
    code = segno.make(text, error=ERROR_LEVEL, micro=False)
    return [[bool(module) for module in row] for row in code.matrix_iter(border=4)]
