"""Home: the room's name and hours, the language picker and the four big choices."""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.audio import readiness
from kiosk.screens.base import KioskScreen, load_kv
from kiosk.screens.wording import LANGUAGE_NAMES, tr


class HomeScreen(KioskScreen):
    """The idle screen: nothing of any reader is shown here."""

    hint = StringProperty("")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.in_session = False

    @property
    def languages(self) -> list[tuple[str, str]]:
        return list(LANGUAGE_NAMES.items())

    def on_kv_post(self, base_widget: object) -> None:
        self._language_buttons = list(reversed(self.ids.languages.children))

    def on_activate(self, preview: str = "", **kwargs: object) -> None:
        """`preview`: a language staff want to see as a reader would, shown (and chosen)
        even while it is hidden; the end of the session hides it again."""
        self.hint = ""
        self.show_languages(preview)
        if preview:
            self.app.set_language(preview)

    def show_languages(self, preview: str = "") -> None:
        """Only the languages useful to a reader (kiosk.audio.readiness)."""
        config = self.app.services.config
        shown = readiness.shown_languages(
            config.data_dir, LANGUAGE_NAMES, config.languages, config.language, preview
        )
        grid = self.ids.languages
        grid.clear_widgets()
        for button in self._language_buttons:
            if button.lang in shown:
                grid.add_widget(button)

    def choose(self, purpose: str) -> None:
        """Borrow and My loans need the reader's card first; Return and Find do not."""
        if purpose in ("borrow", "loans"):
            self.app.show("identify", purpose=purpose)
        else:
            self.app.show(purpose)

    def on_tag(self, tap) -> bool:
        if tap.kind == "reader":  # a card straight away: the reader wants to borrow
            self.app.identify(tap.key, purpose="borrow")
        elif tap.kind == "staff":
            self.app.show("staff", card=tap.key)
        elif tap.kind == "item":
            self.hint = tr("To borrow, press Borrow first; to return, press Return.")
            self.app.say("item-on-home")
        else:
            self.hint = tr("This card or book is not known here. Please ask the librarian.")
            self.app.say("unknown-tag")
        return True


load_kv("home")
