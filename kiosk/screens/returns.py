"""Return: no card needed; each book says "returned — put it on the cart", a rotation item
says it goes to the rotation shelf."""

from __future__ import annotations

from kiosk.audio import prompts
from kiosk.flows import session as session_mod
from kiosk.screens import outcomes
from kiosk.screens.base import KioskScreen, load_kv
from kiosk.screens.outcomes import ResultLine


class ReturnScreen(KioskScreen):
    """Books returned in this visit (shown only until the screen is left)."""

    def on_activate(self, **kwargs: object) -> None:
        self.ids.lines.clear_widgets()

    def on_deactivate(self) -> None:
        self.ids.lines.clear_widgets()

    def on_tag(self, tap) -> bool:
        if tap.kind not in ("item", "unknown"):
            return True  # a card: nothing to do here
        result = session_mod.return_item(self.app.services, tap.key)
        self.app.feedback(result.ok, *prompts.result_keys(result))
        self.ids.lines.add_widget(
            ResultLine.of(outcomes.describe(result)), index=len(self.ids.lines.children)
        )
        self.ids.scroll.scroll_y = 1
        return True


load_kv("returns")
