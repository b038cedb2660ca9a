"""Monthly and annual figures on screen, step by step through the months or years, saved to the
USB stick as CSV (for a spreadsheet) or as the printable A4 page (kiosk.reports.page)."""

from __future__ import annotations

from functools import partial

from kiosk.flows import staff_reports
from kiosk.reports import figures
from kiosk.screens import theme
from kiosk.screens.base import FitLabel, KioskButton
from kiosk.screens.staff_panel import StaffPanel
from kiosk.screens.wording import tr


class StaffReportsScreen(StaffPanel):
    """The figures of one month or year; "previous"/"next" step through periods."""

    def on_activate(self, **kwargs: object) -> None:
        super().on_activate(**kwargs)
        self.heading = tr("Reports")
        self.heading_icon = theme.ICONS["loans"]
        self.period = figures.Period.this_month(self.app.services.clock.now().date())
        self._build_bar()
        self.set_actions(
            ("export-csv", tr("Save CSV"), theme.TILE["loans"], partial(self.export, "csv")),
            (
                "export-page",
                tr("Printable page"),
                theme.TILE["loans"],
                partial(self.export, "html"),
            ),
        )
        self.show_period()

    def on_deactivate(self) -> None:
        self.ids.bar.clear_widgets()

    def _build_bar(self) -> None:
        bar = self.ids.bar
        bar.clear_widgets()
        for action, icon, delta in (("previous", "\u25c0", -1), ("next", "\u25b6", 1)):
            button = KioskButton(action=action, icon=icon, colour=theme.HEADER, size_hint_x=0.18)
            button.bind(on_release=partial(self.step, delta))
            bar.add_widget(button)
        self.period_label = FitLabel(bold=True, size_hint_x=0.4)
        bar.add_widget(self.period_label, index=1)  # between the arrows
        self.toggle = KioskButton(action="toggle-period", colour=theme.TILE["neutral"])
        self.toggle.size_hint_x = 0.24
        self.toggle.bind(on_release=lambda *_a: self.toggle_period())
        bar.add_widget(self.toggle)

    def step(self, delta: int, *_args: object) -> None:
        self.period = self.period.step(delta)
        self.show_period()

    def toggle_period(self) -> None:
        self.period = self.period.toggled(self.app.services.clock.now().date())
        self.show_period()

    def show_period(self) -> None:
        period = self.period
        self.period_label.text = period.title()
        self.toggle.text = tr("Monthly") if period.annual else tr("Annual")
        report = figures.build(period, self.app.services.config.loans.groups)
        self.say(tr("Figures by reader group: save them as CSV or as a page to print."))
        self.clear_lines()
        rows = staff_reports.table(report)
        weights = [0.4] + [0.6 / (len(rows[0]) - 1)] * (len(rows[0]) - 1)
        for n, row in enumerate(rows):
            background = theme.TABLE_HEAD if n == 0 else (theme.STRIPE if n % 2 == 0 else None)
            self.add_row(row, weights, background)

    def export(self, kind: str) -> None:
        now = self.app.services.clock.now()
        config = self.app.services.config
        self.run_background(
            tr("Saving the report ..."),
            partial(staff_reports.export, config, self.period, kind, now),
            self.exported,
        )

    def exported(self, path) -> None:
        self.say(tr("Saved to {file}.").format(file=path), "ok")
        self.app.feedback(True)
