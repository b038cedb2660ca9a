"""Find a book: an on-screen keyboard with the Vietnamese letters; results show the shelf and
whether a copy is in ("duong" finds "Đường": the search folds marks)."""

from __future__ import annotations

from functools import partial

from kivy.properties import ListProperty, StringProperty

from kiosk.audio import prompts
from kiosk.flows import keyboard
from kiosk.screens import theme
from kiosk.screens.base import KioskButton, KioskScreen, load_kv
from kiosk.screens.outcomes import Outcome, ResultLine
from kiosk.screens.wording import tr, tr_n

# Glyphs of the icon font (Noto Sans has no ␣ ⌫ ✕).
KEY_ICONS = {keyboard.SPACE: "\u2423", keyboard.BACKSPACE: "\u232b", keyboard.CLEAR: "\u2715"}


def add_keys(grid, on_key, rows=keyboard.ROWS) -> None:
    """The Vietnamese keyboard (kiosk.flows.keyboard) into `grid` (the search and
    registration screens); f, j, w, z and the apostrophe (Tày-Nùng spelling) are keys of it.
    `rows`: another layout of keys (the translation screen's)."""
    for row in rows:
        for key in row:
            button = KioskButton(
                action=f"key-{key}",
                text="" if key in KEY_ICONS else keyboard.label(key),
                icon=KEY_ICONS.get(key, ""),
                colour=theme.TILE["neutral"] if len(key) == 1 else theme.HEADER,
            )
            button.bind(on_release=partial(on_key, key))
            grid.add_widget(button)


SAID_TITLES = 3  # titles said aloud: more is too long to follow


class SearchScreen(KioskScreen):
    """Search as you type; no reader data is involved."""

    query = StringProperty("")
    status = StringProperty("")
    found = ListProperty([])  # the titles found, for saying them aloud

    def on_kv_post(self, base_widget: object) -> None:
        add_keys(self.ids.keypad, self.key)

    def on_activate(self, **kwargs: object) -> None:
        self.query = ""
        self.update()

    def on_deactivate(self) -> None:
        # Results follow every key press; the statistics count one search per visit.
        if self.query.strip():
            self.app.services.count_search(self.query)
        self.query = ""
        self.ids.results.clear_widgets()

    def key(self, key: str, *_args: object) -> None:
        self.query = keyboard.press(self.query, key)
        self.update()

    def type_text(self, text: str) -> None:
        """Type `text` as key presses would (scripts and tests use the keys themselves)."""
        for key in keyboard.keys_for(text):
            self.key(key)

    def update(self) -> None:
        box = self.ids.results
        box.clear_widgets()
        self.found = []
        if not self.query.strip():
            self.status = tr("Type a few letters of a title or an author.")
            return
        hits = self.app.services.search(self.query)
        self.found = [hit.title for hit in hits]
        self.status = (
            tr_n("{count} book found.", "{count} books found.", len(hits)).format(count=len(hits))
            if hits
            else tr("No book found.")
        )
        for hit in hits:
            shelf = ", ".join(hit.shelves) or "—"
            where = tr("Shelf: {shelf}").format(shelf=shelf)
            if hit.available:
                state = tr("{available} of {copies} in").format(
                    available=hit.available, copies=hit.copies
                )
                colour = theme.OK
            elif hit.reference:
                state, colour = tr("Read here: on the shelf"), theme.NOTICE
            else:
                state, colour = tr("All copies are out"), theme.ASK_STAFF
            detail = f"{hit.author} · {where} · {state}"
            box.add_widget(
                ResultLine.of(Outcome(theme.ICONS["book"], colour, hit.title, detail, True))
            )

    def say_results(self) -> None:
        """Say how many books were found and the first titles (for readers who cannot read)."""
        if self.found:
            titles = "; ".join(self.found[:SAID_TITLES])
            self.app.say(prompts.figured("search-found", count=len(self.found), titles=titles))


load_kv("search")
