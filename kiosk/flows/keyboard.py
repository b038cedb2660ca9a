"""The on-screen keyboard's layout and editing, pure Python (the search and registration
screens draw it).

Letters compose the Telex way Vietnamese people type on their phones (kiosk.flows.telex:
``hoangf`` is "hoàng", ``dd`` is "đ"). For those who do not know Telex, the Vietnamese letters
have their own keys (ă â đ ê ô ơ ư), and the five tone marks are keys, drawn as marks, that
put the tone where the syllable takes it. Typing without marks finds the same books anyway
(the search folds marks).
"""

from __future__ import annotations

import unicodedata

from kiosk.flows import telex

TONES = {"á": "\u0301", "à": "\u0300", "ả": "\u0309", "ã": "\u0303", "ạ": "\u0323"}
SPACE, BACKSPACE, CLEAR = "space", "backspace", "clear"
ROWS: tuple[tuple[str, ...], ...] = (
    ("q", "w", "e", "r", "t", "y", "u", "i", "o", "p", BACKSPACE),
    ("a", "s", "d", "f", "g", "h", "j", "k", "l", "đ", "ă"),
    ("z", "x", "c", "v", "b", "n", "m", "â", "ê", "ô", "ơ"),
    ("ư", *TONES, "'", SPACE, CLEAR),  # the apostrophe: Tày-Nùng t' (1961 script)
)
ALL_KEYS = frozenset(key for row in ROWS for key in row)
#: Sentences need punctuation (the translation screen's keyboard; typed as it is).
PUNCTUATION = (".", ",", "?", "!", ":", "-")


def press(text: str, key: str, use_telex: bool = True) -> str:
    """The text after pressing `key` (a letter, a tone key, punctuation, or
    SPACE/BACKSPACE/CLEAR). Without `use_telex` letters are typed as they are: H'Mông writes its
    tones with final letters (s, j, v, x, z ...) that Telex would turn into marks."""
    if key == BACKSPACE:
        return text[:-1]
    if key == CLEAR:
        return ""
    if key == SPACE:
        return text + " " if text and not text.endswith(" ") else text
    if key in TONES:
        return telex.place_tone(text, TONES[key])
    if not use_telex or key in PUNCTUATION:
        return text + key
    return telex.type_key(text, key)


def label(key: str) -> str:
    """What a key shows: a tone key shows its mark on a dotted circle, not a letter."""
    return "\u25cc" + TONES[key] if key in TONES else key


def keys_for(typed: str) -> list[str]:
    """The key presses that type `typed`: each letter's key, then its tone key ("hoàng" is
    h, o, a, à, n, g), for scripts, tests and the layout scenes."""
    tone_keys = {mark: key for key, mark in TONES.items()}
    keys = []
    for char in typed:
        if char == " ":
            keys.append(SPACE)
            continue
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tone_keys))
        keys += [base.lower(), *(tone_keys[c] for c in parts if c in tone_keys)]
    return keys
