"""The help overlay behind the "?" button of every screen: the screen's help in short, plain
sentences, each with a coloured picture, and said aloud (kiosk.audio.prompts.HELP holds the texts;
a screen without its own help gets the reader's or the staff's general help)."""

from __future__ import annotations

from kivy.app import App
from kivy.properties import ColorProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.modalview import ModalView

from kiosk.audio import prompts
from kiosk.screens import theme
from kiosk.screens.base import load_kv
from kiosk.screens.wording import tr


def icon_colour(icon: str) -> tuple[float, float, float, float]:
    """The colour a help picture is drawn in: the colour of that action or outcome."""
    outcomes = {
        "ok": theme.OK,
        "done": theme.OK,
        "refused": theme.REFUSED,
        "ask": theme.ASK_STAFF,
        "notice": theme.NOTICE,
    }
    return outcomes.get(icon) or theme.TILE.get(icon) or theme.HEADER


def hotline(screen: str) -> str:
    """The provincial hotline shown under a staff screen's help ("" when none is set)."""
    staff = prompts.help_topic(screen).startswith("staff") or screen == "settings"
    return App.get_running_app().services.config.hotline if staff else ""


def help_keys(screen: str) -> tuple[str, ...]:
    """What the help of `screen` says: its sentences, then the hotline's number if shown."""
    phone = hotline(screen)
    return (prompts.help_key(screen),) + (
        (prompts.figured("hotline", phone=phone),) if phone else ()
    )


class HelpRow(BoxLayout):
    """One picture and one sentence."""

    icon = StringProperty("")
    text = StringProperty("")
    colour = ColorProperty(theme.HEADER)


class HelpOverlay(ModalView):
    """Opened by ``app.open_help()``; a touch outside or Close shuts it (and the voice)."""

    screen_name = StringProperty("")

    def __init__(self, screen_name: str = "", **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.screen_name = screen_name
        rows = self.ids.rows
        for icon, msgid in prompts.help_lines(screen_name):
            rows.add_widget(
                HelpRow(icon=theme.ICONS.get(icon, ""), text=tr(msgid), colour=icon_colour(icon))
            )
        phone = hotline(screen_name)
        if phone:
            text = tr(prompts.HOTLINE).format(phone=phone)
            rows.add_widget(HelpRow(icon=theme.ICONS["ask"], text=text, colour=theme.ASK_STAFF))

    @property
    def lines(self) -> list[str]:
        """The sentences shown, in order."""
        return [row.text for row in self.ids.rows.items]

    def listen(self) -> None:
        App.get_running_app().say(*help_keys(self.screen_name))

    def on_dismiss(self) -> None:
        app = App.get_running_app()
        if app is not None:  # a test's window may outlive its app
            app.say()  # nothing: stops the help being read out


load_kv("help")
