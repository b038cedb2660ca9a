"""The reader's RF field: which virtual cards are in range, and what the antenna receives.

Cards answer a frame only while the field is energised (antenna on, chip out of reset and
out of power-down). When several cards answer at once their bits are superimposed: where
they agree the reader receives the common bit, where they differ it sees a collision, as
with Manchester coding on a real 106 kbit/s ISO 14443-A link.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from .cards import AuthOutcome, Card
from .iso14443 import Bits

FrameListener = Callable[[Bits], None]


@dataclass(frozen=True)
class Reception:
    """What the receiver got back for one frame.

    ``bits`` are in air order; ``collision`` is the index of the first collided bit (the
    collided bits read as 1), or None.
    """

    bits: Bits
    collision: int | None = None


class Field:
    """The antenna's field: ``place(card)`` / ``remove(card)`` model a tap and a removal."""

    def __init__(self) -> None:
        self._cards: list[Card] = []
        self._energised = False
        self._lock = threading.RLock()
        self._listeners: list[FrameListener] = []
        self.frames_sent = 0

    # -- the test side ---------------------------------------------------------------------
    @property
    def cards(self) -> tuple[Card, ...]:
        """Cards currently in range."""
        return tuple(self._cards)

    @property
    def energised(self) -> bool:
        """True while the antenna radiates (cards in range are powered)."""
        return self._energised

    def place(self, card: Card) -> Card:
        """Bring a card into range; it powers up if the field is on. Returns the card."""
        with self._lock:
            if card in self._cards:
                raise ValueError(f"{card!r} is already on the reader")
            self._cards.append(card)
            if self._energised:
                card.power_on()
        return card

    def remove(self, card: Card) -> None:
        """Take a card out of range: it loses power and forgets its session."""
        with self._lock:
            self._cards.remove(card)
            card.power_off()

    def clear(self) -> None:
        """Take every card away."""
        for card in self.cards:
            self.remove(card)

    def on_frame(self, listener: FrameListener) -> Callable[[], None]:
        """Call ``listener(bits)`` before each frame reaches the cards; returns an unsubscriber.

        Tests use it to act at a precise moment, e.g. pull a card when a READ goes out.
        """
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    # -- the chip side -----------------------------------------------------------------------
    def set_energised(self, on: bool) -> None:
        """Switch the carrier on or off; switching it off resets every card."""
        with self._lock:
            if on == self._energised:
                return
            self._energised = on
            for card in self._cards:
                if on:
                    card.power_on()
                else:
                    card.power_off()

    def transceive(self, bits: Bits, encrypted: bool) -> Reception | None:
        """Send a frame to every card in range and superimpose the answers (None: silence)."""
        with self._lock:
            self.frames_sent += 1
            for listener in list(self._listeners):
                listener(list(bits))
            if not self._energised:
                return None
            answers = [a for card in list(self._cards) if (a := card.receive(bits, encrypted))]
            return superimpose(answers)

    def authenticate(
        self, key_type: int, block: int, key: bytes, uid4: bytes, encrypted: bool
    ) -> AuthOutcome:
        """Run MIFARE authentication against the card(s) in range; the first answer wins."""
        with self._lock:
            self.frames_sent += 1
            for listener in list(self._listeners):
                listener([])
            if not self._energised:
                return AuthOutcome.NO_ANSWER
            outcome = AuthOutcome.NO_ANSWER
            for card in list(self._cards):
                result = card.mf_authenticate(key_type, block, key, uid4, encrypted)
                if outcome is AuthOutcome.NO_ANSWER:
                    outcome = result
            return outcome


def superimpose(answers: list[Bits]) -> Reception | None:
    """Combine simultaneous answers bit by bit; a disagreement is a collision (reads as 1)."""
    if not answers:
        return None
    if len(answers) == 1:
        return Reception(list(answers[0]))
    length = max(len(a) for a in answers)
    bits: Bits = []
    collision: int | None = None
    for i in range(length):
        values = {a[i] for a in answers if i < len(a)}
        if len(values) > 1 and collision is None:
            collision = i
        bits.append(1 if 1 in values else 0)
    return Reception(bits, collision)
