"""The screen base class and the widgets every screen uses (rules in base.kv).

``KioskScreen.on_activate(**kwargs)`` runs when the app shows the screen (the arguments come
from ``app.show(name, **kwargs)``), ``on_deactivate()`` when it leaves: screens rebuild what
they show from the session there, so nothing of a previous reader lingers.
"""

from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.metrics import sp
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from kiosk.audio import prompts
from kiosk.screens import theme

HERE = Path(__file__).parent
_loaded: set[str] = set()


def load_kv(name: str) -> None:
    """Load ``<name>.kv`` next to the screens once per process (Kivy rules are global)."""
    if name not in _loaded:
        Builder.load_file(str(HERE / f"{name}.kv"))
        _loaded.add(name)


class KioskScreen(Screen):
    """A screen of the kiosk. ``in_session``: it shows a reader's data, so inactivity applies."""

    in_session = BooleanProperty(True)

    @property
    def app(self):  # -> kiosk.screens.app.KioskApp (typed loosely: no import cycle)
        return App.get_running_app()

    def on_activate(self, **kwargs: object) -> None:
        """The screen is being shown."""

    def on_deactivate(self) -> None:
        """The screen is being left."""

    def on_tag(self, tap) -> bool:  # tap: kiosk.flows.session.Tap
        """A tag was tapped while this screen is shown; True if handled here."""
        return False

    def spoken(self) -> tuple[str, ...]:
        """What is said when the screen opens (kiosk.audio.prompts keys); after on_activate,
        so a screen may say what it found (an account, an empty summary)."""
        key = prompts.screen_key(self.name)
        return (key,) if key else ()


class FitLabel(Label):
    """A label that wraps, then shrinks its type until the text fits its box (any language)."""

    max_font = NumericProperty(sp(20))
    min_font = NumericProperty(sp(11))

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._trigger_fit = Clock.create_trigger(self.fit, -1)
        self.fbind("size", self._trigger_fit)
        self.fbind("text", self._trigger_fit)
        self.fbind("max_font", self._trigger_fit)
        self._trigger_fit()

    def fit(self, *_args: object) -> None:
        self.text_size = (max(self.width, 1), None)
        key = self._fit_key()
        known = _fitted.get(key)
        if known is not None:  # the same text in the same box: no trial renders
            self.font_size = known
            return
        size = self.max_font
        self.font_size = size
        self.texture_update()
        while size > self.min_font and (
            self.texture_size[1] > self.height or self.texture_size[0] > self.width
        ):
            size *= 0.9
            self.font_size = size
            self.texture_update()
        if len(_fitted) >= FIT_MEMORY:
            _fitted.clear()
        _fitted[key] = size

    def _fit_key(self) -> tuple:
        """What the fitted size depends on: the text, its type and its box."""
        return (
            self.text,
            self.font_name,
            self.bold,
            self.markup,
            self.line_height,
            tuple(self.padding),
            round(self.width),
            round(self.height),
            self.max_font,
            self.min_font,
        )


#: Font sizes found by FitLabel.fit, so a text shown again in the same box (every home
#: screen, every language switch back) costs one render instead of up to seven trial renders.
_fitted: dict[tuple, float] = {}
FIT_MEMORY = 4096


class ListBox(BoxLayout):
    """A vertical list inside a ScrollView whose items stay at the top when they are few.

    A vertical BoxLayout stacks from the bottom when it is taller than its items: a
    stretchable filler kept as the lowest child takes the spare room.
    """

    def __init__(self, **kwargs: object) -> None:
        self._filler = Widget(size_hint_y=1, height=0)
        super().__init__(**kwargs)
        super().add_widget(self._filler)

    def add_widget(self, widget: Widget, index: int = 0, *args: object, **kwargs: object) -> None:
        """Add an item; index 0 is the end of the list (as in Kivy), never below the filler."""
        super().add_widget(widget, max(index, 1) if self._filler.parent else index, *args, **kwargs)

    def clear_widgets(self, children: list[Widget] | None = None) -> None:
        super().clear_widgets(children)
        if self._filler.parent is None:
            super().add_widget(self._filler)

    @property
    def items(self) -> list[Widget]:
        """The items, top first."""
        return [w for w in reversed(self.children) if w is not self._filler]


class WrapLabel(Label):
    """A label as tall as its wrapped text (for lists in a scroll view)."""


class IconLabel(FitLabel):
    """A glyph from the icon font, shrunk if its box is small (the symbol font's line is tall)."""


class KioskButton(ButtonBehavior, BoxLayout):
    """A big button: an icon over (or beside) a label, on a coloured tile.

    ``action`` names the button for scripts and tests (``press: "borrow"``).
    """

    action = StringProperty("")
    icon = StringProperty("")
    text = StringProperty("")
    colour = ColorProperty(theme.TILE["neutral"])
    font_size = NumericProperty(sp(20))
    icon_size = NumericProperty(sp(32))

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("colour", theme.TILE["neutral"])  # the palette in force now
        super().__init__(**kwargs)


class HelpButton(KioskButton):
    """The "?" button of every screen: the screen's help in pictures and words, said aloud."""


class Header(BoxLayout):
    """The title bar: a home button (when ``home``), an icon, the title and the help button."""

    title = StringProperty("")
    icon = StringProperty("")
    home = BooleanProperty(True)


class Banner(BoxLayout):
    """A coloured message: icon, colour and text for an outcome (see kiosk.screens.outcomes)."""

    icon = StringProperty("")
    text = StringProperty("")
    colour = ColorProperty(theme.NOTICE)

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("colour", theme.NOTICE)  # the palette in force now
        super().__init__(**kwargs)


load_kv("base")
