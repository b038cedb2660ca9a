"""Borrow: the reader's account first (books on loan, how many more, overdue, or why nothing
can be borrowed today), then the books tapped one after another with their due date or the
reason they cannot go home. A book tapped again is pointed out, never listed twice; a
mistaken one can be removed; Finish shows the summary."""

from __future__ import annotations

from functools import partial

from kivy.properties import ColorProperty, NumericProperty, StringProperty

from kiosk.audio import prompts
from kiosk.circulation import Standing
from kiosk.desk import CopyRow
from kiosk.flows.session import Tap
from kiosk.screens import outcomes, theme
from kiosk.screens.base import KioskScreen, load_kv
from kiosk.screens.outcomes import ResultLine
from kiosk.screens.wording import tr, tr_n


def account_text(standing: Standing) -> str:
    """The account line under the greeting, in the reader's language."""
    if standing.refusal is not None:
        return outcomes.refusal(standing.refusal).detail
    words = [
        tr("On loan: {count} of {limit}.").format(count=standing.on_loan, limit=standing.limit),
        tr_n(
            "You may borrow {count} more book.",
            "You may borrow {count} more books.",
            standing.may_borrow,
        ).format(count=standing.may_borrow),
    ]
    if standing.overdue:
        words.insert(
            0,
            tr_n(
                "{count} book is late: please bring it back.",
                "{count} books are late: please bring them back.",
                standing.overdue,
            ).format(count=standing.overdue),
        )
    return " ".join(words)


def account_look(standing: Standing) -> tuple[str, tuple[float, ...]]:
    """The account line's icon and colour: refused, late, or all well."""
    if standing.refusal is not None:
        shown = outcomes.refusal(standing.refusal)
        return shown.icon, shown.colour
    if standing.overdue:
        return theme.ICONS["ask"], theme.ASK_STAFF
    return theme.ICONS["loans"], theme.HEADER


class BorrowScreen(KioskScreen):
    """The identified reader's borrowing; all state is in ``app.session``."""

    greeting = StringProperty("")
    count = NumericProperty(0)
    account = StringProperty("")
    account_icon = StringProperty("")
    account_colour = ColorProperty(theme.HEADER)
    picked = NumericProperty(-1)  # the line pointed out after a repeat tap (-1: none)

    def on_activate(self, **kwargs: object) -> None:
        reader = self.app.session.reader
        self.greeting = tr("Hello, {name}").format(name=reader.name) if reader else ""
        self.picked = -1
        self.refresh()

    def on_deactivate(self) -> None:
        self.ids.lines.clear_widgets()

    def spoken(self) -> tuple[str, ...]:
        """The account first when it matters (a block, a late book), then what to do."""
        standing = self.app.session.standing
        if standing is not None and standing.refusal is not None:
            return (prompts.refusal_key(standing.refusal),)
        if standing is None:
            return super().spoken()
        late = ("overdue-warning",) if standing.overdue else ()
        account = prompts.figured("account", count=standing.on_loan, more=standing.may_borrow)
        return (*late, account, *super().spoken())

    def refresh(self) -> None:
        """Rebuild the account and the list from the session, newest first."""
        session = self.app.session
        if session.standing is not None:
            self.account = account_text(session.standing)
            self.account_icon, self.account_colour = account_look(session.standing)
        box = self.ids.lines
        box.clear_widgets()
        for index in reversed(range(len(session.borrowed))):
            result = session.borrowed[index]
            picked = index == self.picked
            line = ResultLine.of(
                outcomes.describe(result),
                button_text=tr("Remove") if result.loan is not None else "",
                button_action=f"remove-{index}",
                highlight=theme.PICKED if picked else theme.SURFACE,
                picked=picked,
            )
            line.bind(on_press_button=partial(self.remove, index))
            box.add_widget(line)
        self.count = len(session.lent())
        self.ids.scroll.scroll_y = 1  # newest first: a picked line is near the top or scrolled to
        if self.picked >= 0:
            self.ids.scroll.scroll_to(box.items[len(session.borrowed) - 1 - self.picked])

    def remove(self, index: int, *_args: object) -> None:
        """Take back a book tapped by mistake (exactly that line's loan)."""
        self.picked = -1
        self.app.session.undo(index)
        self.refresh()

    def on_tag(self, tap: Tap) -> bool:
        session = self.app.session
        if tap.kind == "reader" and tap.key != session.card:
            # Another reader's card: this reader's visit ends, the new reader's begins.
            self.app.identify(tap.key, purpose="borrow")
            self.app.notice = tr("A new card: the previous reader's visit has ended.")
        elif tap.kind in ("reader", "staff") or tap.unknown_card:
            self.app.notice = tr("This is a card, not a book. Please tap a book.")
            self.app.say("card-not-book")
        else:
            self.lend(tap.key, tap.copy)
        return True

    def lend(self, item: str, copy: CopyRow | None = None) -> None:
        """A book (or an unknown tag) was tapped: lend it, or point out its line. `copy`: the
        book as the tap's classification found it."""
        tapped = self.app.session.borrow(item, copy)
        self.picked = tapped.line if tapped.repeat else -1
        if tapped.repeat:
            self.app.notice = tr("This book is already on your list.")
            self.app.say("already-listed")
        else:
            self.app.feedback(tapped.result.ok, *prompts.result_keys(tapped.result))
        self.refresh()

    def finish(self) -> None:
        self.app.show("summary")


load_kv("borrow")
