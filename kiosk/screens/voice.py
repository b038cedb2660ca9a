"""Sound and light for the reader: the buzzer/LED pattern and the voice prompts, so that
reading the screen is optional. Never blocks and never fails the screen that asks."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.audio import prompts
from kiosk.hardware.interfaces import Indicator, Pattern

if TYPE_CHECKING:  # for the types only
    from kiosk.audio.player import Player

log = logging.getLogger(__name__)


class Voice:
    """The kiosk's voice and its buzzer/LED; `language()` says which language it speaks."""

    def __init__(
        self, indicator: Indicator | None, audio: Player | None, language: Callable[[], str]
    ) -> None:
        self.indicator = indicator
        self.audio = audio
        self.language = language

    def outcome(self, ok: bool, *sounds: str) -> None:
        """The buzzer/LED pattern of an outcome and the voice prompts `sounds`
        (kiosk.audio.prompts keys; a chime when none is given)."""
        if self.indicator is not None:
            try:
                self.indicator.show(Pattern.SUCCESS if ok else Pattern.REFUSAL)
            except Exception:  # a buzzer fault must never break a loan on screen
                log.exception("indicator failed")
        self.say(*(sounds or (prompts.CHIME_OK if ok else prompts.CHIME_REFUSED,)))

    def say(self, *keys: str) -> None:
        """Say prompts in the reader's language (the player works on its own thread and logs
        its own errors)."""
        if self.audio is None:
            return
        try:
            self.audio.say(*keys, language=self.language())
        except Exception:
            log.exception("audio failed")
