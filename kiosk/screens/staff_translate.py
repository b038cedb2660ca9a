"""Staff: translate the reader's texts on the kiosk (kiosk.flows.staff_translate).

List: the reader-priority texts of the chosen language with their state (not translated,
draft, reviewed); touching one opens it. Editing: the English and Vietnamese text, what has
been typed (in the bar), the placeholder and punctuation keys, and the keyboard with the
Tày–Nùng and H'Mông letters (kiosk.flows.keyboard); Save checks the placeholders.
"""

from __future__ import annotations

from functools import partial

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from kiosk.audio import HEAR_VIETNAMESE
from kiosk.flows import keyboard
from kiosk.flows import staff_translate as flow_mod
from kiosk.i18n import provenance as prov
from kiosk.i18n import spreadsheet
from kiosk.screens import theme
from kiosk.screens.base import FitLabel, KioskButton
from kiosk.screens.search import add_keys
from kiosk.screens.staff_panel import StaffPanel
from kiosk.screens.staff_voices import describe, first_language
from kiosk.screens.wording import LANGUAGE_NAMES, tr

PAGE = 12  # texts listed at once
LANGUAGES = tuple(lang for lang in LANGUAGE_NAMES if lang in HEAR_VIETNAMESE)
STATE_STYLE = {  # state -> (tile colour name in theme, icon)
    flow_mod.MISSING: ("neutral", ""),
    flow_mod.DRAFT: ("search", "\u270e"),
    flow_mod.REVIEWED: ("borrow", "\u2714"),
}


class StaffTranslateScreen(StaffPanel):
    """The list of texts, or one text being translated."""

    flow: flow_mod.Translation | None = None

    def on_activate(self, staff_id: int | None = None, **kwargs: object) -> None:
        super().on_activate(**kwargs)
        self.heading = tr("Translate the reader's texts")
        self.heading_icon = theme.ICONS["language"]
        self.author = prov.Author(self.staff_name, staff_id)
        spreadsheet.prepare()
        self.choose_language(first_language(self.app))

    def on_deactivate(self) -> None:
        self.flow = None
        self.ids.bar.clear_widgets()
        self.clear_lines()

    # -- actions ------------------------------------------------------------------------------
    def choose_language(self, language: str, *_args: object) -> None:
        services = self.app.services
        self.flow = flow_mod.Translation(
            services.config.data_dir, language, self.author, services.clock
        )
        self.show_list()

    def open_text(self, msgid: str) -> None:
        self.flow.select(msgid)
        self.show_editor()

    def key(self, key: str, *_args: object) -> None:
        self.flow.press(key)
        self.typed.text = self.flow.text + "|"

    def type_text(self, text: str) -> None:
        """Type `text` as key presses would (scripts and tests)."""
        for key in keyboard.keys_for(text):
            self.key(key)

    def save(self) -> None:
        """Save, then on to the next text not translated yet (or the list when none is)."""
        flow = self.flow
        ok = flow.save()
        self.app.feedback(ok)
        if not ok:
            self.say(flow.message.text, "error")
            return
        following = flow.next_missing()
        if following:
            saved = flow.message
            flow.select(following)
            flow.message = saved
            self.show_editor()
        else:
            self.show_list()

    def review(self) -> None:
        self.app.feedback(self.flow.review())
        self.show_editor()

    def toggle_telex(self) -> None:
        self.flow.toggle_telex()
        self.show_editor()

    def preview(self) -> None:
        self.app.show("home", preview=self.flow.language)

    # -- showing ------------------------------------------------------------------------------
    def _language_bar(self) -> None:
        bar = self.ids.bar
        bar.clear_widgets()
        for lang in LANGUAGES:
            button = KioskButton(
                action=f"lang-{lang}",
                text=LANGUAGE_NAMES[lang],
                colour=theme.HEADER if lang == self.flow.language else theme.TILE["neutral"],
            )
            button.bind(on_release=partial(self.choose_language, lang))
            bar.add_widget(button)

    def show_list(self) -> None:
        flow = self.flow
        self._language_bar()
        done, total = flow.counts()
        if flow.message.kind != "ok":
            flow.message = flow_mod.Said(
                tr("Translated in {language}: {done} of the {total} texts readers meet first.")
                .format(language=LANGUAGE_NAMES[flow.language], done=done, total=total)
            )  # fmt: skip
        self.say(flow.message.text, flow.message.kind)
        self.clear_lines()
        self.rows = flow.rows()
        self.add_rows(0)
        self.set_actions(("preview", tr("Preview on Home"), theme.HEADER, self.preview))

    def add_rows(self, start: int) -> None:
        """The list's rows from `start`, a page at a time (a button per text costs a Pi
        time to build; the first ones matter most)."""
        lines = self.ids.lines
        if lines.children and getattr(lines.children[0], "action", "") == "more":
            lines.remove_widget(lines.children[0])
        for n, row in enumerate(self.rows[start : start + PAGE], start=start):
            colour, icon = STATE_STYLE[row.state]
            shown = row.translation or tr("(not translated)")
            self.add_choice(
                f"text-{n}",
                f"{icon}  {row.vietnamese}\n» {shown}".strip(),
                partial(self.open_text, row.msgid),
                colour=theme.TILE[colour],
                tall=1.2,
            )
        if start + PAGE < len(self.rows):
            self.add_choice("more", tr("More texts"), partial(self.add_rows, start + PAGE))

    def show_editor(self) -> None:
        flow = self.flow
        bar = self.ids.bar
        bar.clear_widgets()
        lines = BoxLayout(orientation="vertical")
        row = flow.row(flow.selected)
        lines.add_widget(FitLabel(text=row.vietnamese, halign="left", color=theme.MUTED))
        self.typed = FitLabel(text=flow.text + "|", bold=True, halign="left")
        lines.add_widget(self.typed)
        bar.add_widget(lines)
        self.say(flow.message.text, flow.message.kind)
        self.clear_lines()
        rows = flow_mod.keyboard_rows(flow.fields())
        spacing = self.app.theme.pad * 0.25
        # Landscape 800x480 has room for four rows of the smallest touch target only; a
        # portrait screen gives the keys the staff keyboards' height.
        portrait = self.height > self.width
        key = max(theme.MIN_TARGET, self.app.theme.button * 0.8) if portrait else theme.MIN_TARGET
        grid = GridLayout(
            cols=len(rows[0]),
            size_hint_y=None,
            height=key * len(rows) + spacing * (len(rows) - 1),
            spacing=spacing,
        )
        add_keys(grid, self.key, rows)
        self.ids.lines.add_widget(grid)
        self.add_text(tr("English: {text}").format(text=flow.selected), colour=theme.MUTED)
        entry = flow.ledger.get(prov.STRING, flow.selected)
        if line := describe(entry):
            self.add_text(line, colour=theme.MUTED)
        actions = [
            ("save", tr("Save"), theme.OK, self.save),
            (
                "telex",
                tr("Telex: on") if flow.telex else tr("Telex: off"),
                theme.TILE["neutral"],
                self.toggle_telex,
            ),
            ("list", tr("All texts"), theme.HEADER, self.show_list),
        ]
        if entry is not None:
            actions.insert(1, ("review", tr("Reviewed"), theme.HEADER, self.review))
        self.set_actions(*actions)
