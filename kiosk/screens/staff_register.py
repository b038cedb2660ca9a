"""Staff: register a reader (card, name, group, consent) or give a reader a new card.

The steps and every decision are in :mod:`kiosk.flows.staff_register`; this screen shows the
step the flow is on (an inner ScreenManager, one screen per step) and passes taps and key
presses to it.
"""

from __future__ import annotations

from functools import partial

from kivy.properties import ColorProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.flows import keyboard
from kiosk.flows import staff_register as flow_mod
from kiosk.reports.figures import group_label
from kiosk.screens import theme
from kiosk.screens.base import KioskButton, KioskScreen, WrapLabel, load_kv
from kiosk.screens.search import add_keys
from kiosk.screens.wording import LANGUAGE_NAMES, tr, tr_n


class StaffopsMessage(BoxLayout):
    """A coloured message (like Banner) that takes no room while it has nothing to say; the
    staff operation screens show errors and outcomes with it. Not a Banner: Banner's own
    height rule would give an empty message its full height back."""

    text = StringProperty("")
    icon = StringProperty(theme.ICONS["ask"])
    colour = ColorProperty(theme.REFUSED)


class StaffRegisterScreen(KioskScreen):
    """Registration and lost cards; `mode` is "register" or "replace"."""

    staff_name = StringProperty("")
    mode = StringProperty("register")
    reader_name = StringProperty("")  # the name being typed
    card = StringProperty("")
    query = StringProperty("")
    error = StringProperty("")
    info = StringProperty("")
    result_title = StringProperty("")
    result_name = StringProperty("")
    result_group = StringProperty("")
    result_valid = StringProperty("")
    confirm_text = StringProperty("")

    def on_kv_post(self, base_widget: object) -> None:
        add_keys(self.ids.name_keys, self.key)
        add_keys(self.ids.find_keys, self.key)
        for lang, name in LANGUAGE_NAMES.items():
            button = KioskButton(action=f"lang-{lang}", text=name, colour=theme.TILE["neutral"])
            button.bind(on_release=partial(self.read_in, lang))
            self.ids.consent_langs.add_widget(button)

    def on_activate(self, staff_name: str = "", **kwargs: object) -> None:
        if staff_name:
            self.staff_name = staff_name
        self.start_register()

    def on_deactivate(self) -> None:
        # Nothing of a reader stays on screen for whoever comes next.
        self.kiosk_language()
        self.flow = self.replace = None
        self.reader_name = self.query = self.error = self.info = ""
        self.ids.notice.clear_widgets()
        self.ids.matches.clear_widgets()

    # -- actions ----------------------------------------------------------------------------------
    def start_register(self) -> None:
        services = self.app.services
        self.flow = flow_mod.Registration(services.config.loans, services.clock)
        self.replace = None
        self.mode = "register"
        self.refresh()

    def start_replace(self) -> None:
        self.replace = flow_mod.CardReplacement()
        self.mode = "replace"
        self.refresh()

    def to_menu(self) -> None:
        self.app.show("staff_menu", staff_name=self.staff_name)

    @property
    def current(self):
        return self.replace if self.mode == "replace" else self.flow

    def on_tag(self, tap) -> bool:
        self.current.tap(tap)
        self.app.feedback(not self.current.error)
        self.refresh()
        return True

    def key(self, key: str, *_args: object) -> None:
        self.current.type_key(key)
        self.refresh()

    def type_text(self, text: str) -> None:
        """Type `text` as key presses would (layout scenes and scripts)."""
        for key in keyboard.keys_for(text):
            self.key(key)

    def submit_name(self) -> None:
        self.flow.submit_name()
        self.refresh()

    def choose_group(self, group: str, *_args: object) -> None:
        self.flow.choose_group(group)
        self.refresh()

    def choose_reader(self, number: int, *_args: object) -> None:
        self.replace.choose(number)
        self.refresh()

    def back(self) -> None:
        self.kiosk_language()
        self.current.back()
        self.refresh()

    def read_in(self, lang: str, *_args: object) -> None:
        """Show the consent notice in the reader's language (the staff's returns after it)."""
        self.app.set_language(lang)
        self.refresh()

    def kiosk_language(self) -> None:
        if self.app.lang != self.app.services.config.language:
            self.app.set_language(self.app.services.config.language)

    def accept(self) -> None:
        self.kiosk_language()
        self.app.feedback(self.flow.accept() is not None)
        self.refresh()

    def decline(self) -> None:
        self.kiosk_language()
        self.flow.decline()
        self.refresh()

    def confirm(self) -> None:
        self.app.feedback(self.replace.confirm() is not None)
        self.refresh()

    # -- showing ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Show the flow's step and data."""
        current = self.current
        self.error = current.error
        if self.mode == "replace":
            self._show_replace(current)
        else:
            self._show_register(current)
        self.ids.steps.current = current.step

    def _show_register(self, flow: flow_mod.Registration) -> None:
        self.reader_name, self.info, self.card = flow.name, flow.info, flow.card
        if flow.step == flow_mod.GROUP:
            self._group_buttons(flow)
        elif flow.step == flow_mod.CONSENT:
            for button in self.ids.consent_langs.children:
                chosen = button.action == f"lang-{self.app.lang}"
                button.colour = theme.HEADER if chosen else theme.TILE["neutral"]
            box = self.ids.notice
            box.clear_widgets()
            for line in flow.consent_lines():
                box.add_widget(WrapLabel(text="•  " + line))
        elif flow.step == flow_mod.DONE and flow.registered is not None:
            self._show_result(flow.registered, tr("Registered:"))

    def _group_buttons(self, flow: flow_mod.Registration) -> None:
        box = self.ids.groups
        box.clear_widgets()
        for group in flow.groups:
            button = KioskButton(
                action=f"group-{group}",
                text=group_label(group),
                colour=theme.HEADER if group == flow.group else theme.TILE["neutral"],
                font_size=self.app.theme.title,
            )
            button.bind(on_release=partial(self.choose_group, group))
            box.add_widget(button)

    def _show_replace(self, replace: flow_mod.CardReplacement) -> None:
        self.query = replace.query
        if replace.step == flow_mod.FIND:
            grid = self.ids.matches
            grid.clear_widgets()
            for reader in replace.matches[:3]:
                button = KioskButton(
                    action=f"reader-{reader.number}",
                    text=f"{reader.name}\n{reader.group_label}",
                    colour=theme.HEADER,
                    font_size=self.app.theme.small,
                )
                button.bind(on_release=partial(self.choose_reader, reader.number))
                grid.add_widget(button)
        elif replace.reader is not None:
            self.result_name = replace.reader.name
            self.result_group = replace.reader.summary()
        if replace.step == flow_mod.CONFIRM and replace.reader is not None:
            self.confirm_text = tr_n(
                "Give card {card} to {name}? The old card {old} stops working at once;"
                " the {count} book on loan stays with the reader.",
                "Give card {card} to {name}? The old card {old} stops working at once;"
                " the {count} books on loan stay with the reader.",
                replace.reader.loans,
            ).format(
                card=replace.new_card,
                name=replace.reader.name,
                old=replace.reader.card,
                count=replace.reader.loans,
            )
        if replace.step == flow_mod.DONE and replace.done is not None:
            self._show_result(replace.done, tr("New card given to:"))

    def _show_result(self, reader: flow_mod.ReaderInfo, title: str) -> None:
        self.result_title = title
        self.result_name = reader.name
        self.result_group = tr("{group} · card {card}").format(
            group=reader.group_label, card=reader.card
        )
        self.result_valid = tr("Valid until {date}").format(date=reader.valid_until)


load_kv("staff_register_widgets")
load_kv("staff_register")
