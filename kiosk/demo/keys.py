"""The demo in a desktop window: keys put virtual tags on the emulated reader.

F1 the reader's card, F2 a child's card, F3 the staff card (PIN 1234), F4 an unknown card,
1-9 the sample books LS-0001..LS-0009, 0 a rotation book (LC-0047), R a reference book
(LS-0025); one tag lies on the reader at a time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from kiosk.demo import script
from kiosk.screens import boot
from kiosk.screens.wording import tr

SDL_FUNCTION_KEYS = {282: "f1", 283: "f2", 284: "f3", 285: "f4"}  # Kivy's SDL2 key codes
# Demo key bindings: key -> ("card" | "book", id)
DEMO_KEYS = {
    "f1": ("card", "reader"),
    "f2": ("card", "child"),
    "f3": ("card", "staff"),
    "f4": ("card", "A1B2C3FF"),
    "0": ("book", "LC-0047"),
    "r": ("book", "LS-0025"),
    **{str(n): ("book", f"LS-{n:04d}") for n in range(1, 10)},
}


def run(open_kiosk: Callable[[], Any], size: str, language: str | None) -> int:
    """The touch app of `open_kiosk()` (kiosk.wiring.open_demo) in a desktop window, virtual
    tags on the keyboard, until the window is closed."""
    boot.configure(script.parse_size(size))
    from kivy.core.window import Window

    from kiosk.demo.driver import book_tag, card_for

    kiosk = open_kiosk()
    if language:
        kiosk.config = dataclasses.replace(kiosk.config, language=language)
        kiosk.services.config = kiosk.config
    app = kiosk.make_app()
    rig = kiosk.hardware.rig
    placed: list = []

    def on_key(_window, key: int, _scancode, codepoint: str | None, _modifiers) -> bool:
        name = SDL_FUNCTION_KEYS.get(key) or (codepoint or "").lower()
        binding = DEMO_KEYS.get(name)
        if binding is None:
            return False
        for old in placed:  # one tag on the reader at a time: the previous one leaves
            rig.reader.remove(old)
        placed.clear()
        kind, ident = binding
        tag = card_for(ident) if kind == "card" else book_tag(ident)
        rig.reader.place(tag)
        placed.append(tag)
        return True

    Window.bind(on_key_down=on_key)
    print(
        "F1, F2, F3 (PIN 1234), F4: "
        + tr("a reader's card, a child's card, the staff card, an unknown card")
    )
    print("1-9, 0, R: " + tr("books LS-0001 to LS-0009, a rotation book, a reference book"))
    try:
        app.run()
    finally:
        kiosk.close()
    return 0
