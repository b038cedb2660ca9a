"""The on-screen keyboard's layout and editing, pure Python (the search screen draws it).

Vietnamese letters have their own keys (ă â đ ê ô ơ ư) and the five tone marks are keys that
put the mark on the last vowel typed, so "đường" can be typed exactly; typing without marks
finds the same books anyway (the search folds marks).
"""

from __future__ import annotations

import unicodedata

TONES = {"á": "\u0301", "à": "\u0300", "ả": "\u0309", "ã": "\u0303", "ạ": "\u0323"}
SPACE, BACKSPACE, CLEAR = "space", "backspace", "clear"
ROWS: tuple[tuple[str, ...], ...] = (
    ("q", "w", "e", "r", "t", "y", "u", "i", "o", "p", BACKSPACE),
    ("a", "s", "d", "f", "g", "h", "j", "k", "l", "đ", "ă"),
    ("z", "x", "c", "v", "b", "n", "m", "â", "ê", "ô", "ơ"),
    ("ư", *TONES, "'", SPACE, CLEAR),  # the apostrophe: Tày-Nùng t' (1961 script)
)
ALL_KEYS = frozenset(key for row in ROWS for key in row)
VOWELS = set("aeiouyăâêôơư")


def press(text: str, key: str) -> str:
    """The text after pressing `key` (a letter, a tone key, or SPACE/BACKSPACE/CLEAR)."""
    if key == BACKSPACE:
        return text[:-1]
    if key == CLEAR:
        return ""
    if key == SPACE:
        return text + " " if text and not text.endswith(" ") else text
    if key in TONES:
        return apply_tone(text, TONES[key])
    return text + key


def apply_tone(text: str, mark: str) -> str:
    """Put tone `mark` (a combining character) on the last vowel of the last word."""
    for i in range(len(text) - 1, -1, -1):
        if text[i] == " ":
            break
        base = unicodedata.normalize("NFD", text[i])
        bare = "".join(c for c in base if c not in TONES.values())
        if unicodedata.normalize("NFC", bare).lower() in VOWELS:
            letter = unicodedata.normalize("NFC", bare + mark)
            return text[:i] + letter + text[i + 1 :]
    return text


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
