"""My loans: due dates, overdue ones highlighted, renew one or all (refusals explained)."""

from __future__ import annotations

from functools import partial

from kivy.properties import StringProperty

from kiosk.audio import prompts
from kiosk.desk import LoanLine, Result
from kiosk.i18n import format_date
from kiosk.screens import outcomes, theme
from kiosk.screens.base import KioskScreen, load_kv
from kiosk.screens.outcomes import Outcome, ResultLine
from kiosk.screens.wording import tr, tr_n


class LoansScreen(KioskScreen):
    """The identified reader's current loans."""

    summary = StringProperty("")

    def on_activate(self, **kwargs: object) -> None:
        self._outcomes: dict[str, Result] = {}
        self.refresh()

    def on_deactivate(self) -> None:
        self._outcomes = {}
        self.ids.lines.clear_widgets()

    def _outcome(self, loan: LoanLine) -> Outcome:
        result = self._outcomes.get(loan.accession)
        due = tr("Bring it back by {date}.").format(date=format_date(loan.due))
        if result is not None and not result.ok:  # refused: say why, and the date still due
            shown = outcomes.describe(result)
            return Outcome(shown.icon, shown.colour, loan.title, f"{shown.detail} {due}", False)
        if loan.overdue:
            detail = tr("Overdue: it was due on {date}.").format(date=format_date(loan.due))
            return Outcome(theme.ICONS["ask"], theme.REFUSED, loan.title, detail, True)
        if result is not None:
            return outcomes.describe(result)
        return Outcome(theme.ICONS["book"], theme.OK, loan.title, due, True)

    def refresh(self) -> None:
        box = self.ids.lines
        box.clear_widgets()
        loans = self.app.session.loans()
        overdue = sum(1 for loan in loans if loan.overdue)
        if not loans:
            self.summary = tr("You have no books on loan.")
        elif overdue:
            self.summary = tr_n(
                "{count} book on loan, {overdue} overdue.",
                "{count} books on loan, {overdue} overdue.",
                len(loans),
            ).format(count=len(loans), overdue=overdue)
        else:
            self.summary = tr_n(
                "{count} book on loan.", "{count} books on loan.", len(loans)
            ).format(count=len(loans))
        for index, loan in enumerate(loans):
            line = ResultLine.of(
                self._outcome(loan),
                button_text=tr("Renew"),
                button_action=f"renew-{index}",
                highlight=theme.OVERDUE_BG if loan.overdue else theme.SURFACE,
            )
            line.bind(on_press_button=partial(self.renew, loan.accession))
            box.add_widget(line)

    def renew(self, item: str, *_args: object) -> None:
        result = self.app.session.renew(item)
        self.app.feedback(result.ok, *prompts.result_keys(result))
        self._outcomes[item] = result
        self.refresh()

    def renew_all(self) -> None:
        results = self.app.session.renew_all()
        for result in results:
            self._outcomes[result.accession or result.item] = result
        self.app.feedback(all(r.ok for r in results), *prompts.results_keys(results))
        self.refresh()


load_kv("loans")
