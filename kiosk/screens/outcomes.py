"""Messages: how each outcome of the core looks on screen (icon, colour, translated text).

Refusals a reader cannot fix alone (``kiosk.messages.ASK_STAFF``) get the "ask" icon and the
amber colour, and their text ends with "Please ask the librarian."; the others are red. The
sentences themselves come from ``kiosk.messages``, the same ones the CLI and audio use.
"""

from __future__ import annotations

from dataclasses import dataclass

from kivy.properties import BooleanProperty, ColorProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk import messages
from kiosk.circulation import Notice, Refusal
from kiosk.desk import Result
from kiosk.i18n import format_date
from kiosk.screens import theme
from kiosk.screens.base import load_kv
from kiosk.screens.wording import tr


@dataclass(frozen=True)
class Outcome:
    """What to show for one result."""

    icon: str
    colour: tuple[float, float, float, float]
    headline: str
    detail: str
    ok: bool


def refusal(reason: Refusal) -> Outcome:
    """A refusal on its own (e.g. an unknown card on the Identify screen)."""
    ask = reason in messages.ASK_STAFF
    return Outcome(
        theme.ICONS["ask" if ask else "refused"],
        theme.ASK_STAFF if ask else theme.REFUSED,
        tr("Ask the librarian") if ask else tr("Not possible"),
        messages.refusal_text(reason),
        False,
    )


def _notices(result: Result, skip: tuple[Notice, ...] = ()) -> list[str]:
    return [messages.notice_text(n) for n in result.notices if n not in skip]


def describe(result: Result) -> Outcome:
    """The icon, colour and words for a borrow, return or renewal result."""
    title = result.title or result.item
    if not result.ok:
        shown = refusal(result.refusal)
        return Outcome(shown.icon, shown.colour, title or shown.headline, shown.detail, False)
    if result.action == "return":
        lines = _notices(result)
        if Notice.ROTATION_ITEM in result.notices and result.batch_code:
            lines.append(tr("Rotation batch {code}.").format(code=result.batch_code))
        if Notice.WAS_NOT_ON_LOAN not in result.notices and Notice.ROTATION_ITEM not in (
            result.notices
        ):
            lines.insert(0, tr("Returned — put it on the cart."))
        colour = theme.NOTICE if Notice.ROTATION_ITEM in result.notices else theme.OK
        return Outcome(theme.ICONS["ok"], colour, title, " ".join(lines), True)
    due = format_date(result.due) if result.due else ""
    if result.action == "renew":
        first = tr("Renewed until {date}.").format(date=due)
    else:
        first = tr("Bring it back by {date}.").format(date=due)
    lines = [first, *_notices(result)]
    return Outcome(theme.ICONS["ok"], theme.OK, title, " ".join(lines), True)


class ResultLine(BoxLayout):
    """One book in a list: coloured icon, title, detail, and an optional button."""

    icon = StringProperty("")
    colour = ColorProperty(theme.OK)
    headline = StringProperty("")
    detail = StringProperty("")
    button_text = StringProperty("")
    button_action = StringProperty("")
    highlight = ColorProperty(theme.SURFACE)
    picked = BooleanProperty(False)  # pointed out: the reader tapped this book again

    @classmethod
    def of(cls, outcome: Outcome, **kwargs: object) -> ResultLine:
        return cls(
            icon=outcome.icon,
            colour=outcome.colour,
            headline=outcome.headline,
            detail=outcome.detail,
            **kwargs,
        )

    def on_button(self) -> None:
        """The line's button was pressed (the screen binds ``on_press_button``)."""
        self.dispatch("on_press_button")

    def on_press_button(self) -> None:
        pass

    def __init__(self, **kwargs: object) -> None:
        self.register_event_type("on_press_button")
        kwargs.setdefault("highlight", theme.SURFACE)  # the palette in force now
        super().__init__(**kwargs)


load_kv("outcomes")
