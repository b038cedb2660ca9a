"""Telex, the way Vietnamese people type on phones and computers, for the on-screen keyboard.

Each key press changes the last word of the text as a Telex input method does:
- ``aa`` â, ``ee`` ê, ``oo`` ô, ``aw`` ă, ``ow`` ơ, ``uw`` ư, ``uow`` ươ, ``w`` alone ư,
  ``dd`` đ; the same key again undoes it (``aaa`` is "aa");
- tones after the letters, anywhere in the word: ``s`` sắc, ``f`` huyền, ``r`` hỏi, ``x`` ngã,
  ``j`` nặng, ``z`` none; the same tone key twice undoes it and types the letter;
- the tone goes where Vietnamese spelling puts it (on ơ of ươ, on the marked vowel, on the
  vowel before a final consonant, else on the first of two vowels: "hòa", "thúy", "mùa";
  "qu" and "gi" are consonants: "quá", "giữa").
A key that cannot be Telex there (``s`` before any vowel, ``r`` after a final that Vietnamese
does not have) is typed as the letter, so Tày–Nùng words ("slam", "pjạ") and names come out.
Pure Python: the search and registration screens call :func:`type_key`.
"""

from __future__ import annotations

import unicodedata

TONE_KEYS = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
TONE_MARKS = frozenset(TONE_KEYS.values())
CIRCUMFLEX, BREVE, HORN = "\u0302", "\u0306", "\u031b"
BASE_VOWELS = set("aeiouy")
#: The word-final consonants of Vietnamese (and of Tày–Nùng in the 1961 script).
FINALS = ("", "c", "ch", "m", "n", "ng", "nh", "p", "t")


def _split(char: str) -> tuple[str, str, str]:
    """A letter as (base letter, vowel mark, tone mark): "ờ" is ("o", HORN, grave)."""
    parts = unicodedata.normalize("NFD", char)
    tone = next((c for c in parts if c in TONE_MARKS), "")
    shape = next((c for c in parts if c in (CIRCUMFLEX, BREVE, HORN)), "")
    return parts[0], shape, tone


def _join(base: str, shape: str, tone: str) -> str:
    return unicodedata.normalize("NFC", base + shape + tone)


def _is_vowel(char: str) -> bool:
    return _split(char)[0].lower() in BASE_VOWELS


def _vowels(word: str) -> list[int]:
    """Indexes of the syllable's vowel cluster: the vowels after the initial consonants, with
    the u of "qu" and the i of "gi" (before another vowel) counted as consonant."""
    first = next((i for i, c in enumerate(word) if _is_vowel(c)), None)
    if first is None:
        return []
    end = first
    while end < len(word) and _is_vowel(word[end]):
        end += 1
    cluster = list(range(first, end))
    head = word[:first].lower()
    base = _split(word[first])[0].lower()
    if len(cluster) > 1 and ((head == "q" and base == "u") or (head == "g" and base == "i")):
        cluster = cluster[1:]
    return cluster


def _final(word: str, cluster: list[int]) -> str:
    return word[cluster[-1] + 1 :].lower() if cluster else word.lower()


def _tone_place(word: str, cluster: list[int]) -> int:
    """Which vowel of the cluster carries the tone."""
    shaped = [i for i in cluster if _split(word[i])[1]]
    if shaped:
        return shaped[-1]  # ươ: the ơ; otherwise the one marked vowel (â, ê, ô, ơ, ư, ă)
    if _final(word, cluster) or len(cluster) == 1:
        return cluster[-1]
    return cluster[1] if len(cluster) == 3 else cluster[0]


def _with_tone(word: str, tone: str) -> str:
    """`word` with its one tone mark moved to the right vowel (or removed: tone "")."""
    letters = [_split(c) for c in word]
    plain = "".join(_join(b, s, "") for b, s, _t in letters)
    cluster = _vowels(plain)
    if not cluster:
        return word
    place = _tone_place(plain, cluster)
    base, shape, _old = _split(plain[place])
    return plain[:place] + _join(base, shape, tone) + plain[place + 1 :]


def _tone_of(word: str) -> str:
    return next((t for c in word if (t := _split(c)[2])), "")


def _tone_key(word: str, key: str) -> str | None:
    """The word after a tone key, or None when the key is a plain letter there."""
    cluster = _vowels(word)
    if not cluster or _final(word, cluster) not in FINALS:
        return None
    if key == "z":
        return _with_tone(word, "") if _tone_of(word) else None
    tone = TONE_KEYS[key]
    if _tone_of(word) == tone:
        return _with_tone(word, "") + key  # the same tone twice: undone, the letter typed
    return _with_tone(word, tone)


def _reshape(word: str, index: int, shape: str) -> str:
    base, _old, tone = _split(word[index])
    return word[:index] + _join(base, shape, tone) + word[index + 1 :]


def _shape_key(word: str, key: str) -> str | None:
    """The word after aa/ee/oo/aw/ow/uw/w, or None when the key is a plain letter there."""
    cluster = _vowels(word)
    bases = {i: _split(word[i])[0].lower() for i in cluster}
    if key in "aeo":
        found = [i for i in cluster if bases[i] == key]
        if not found:
            return None
        i = found[-1]
        if _split(word[i])[1] == CIRCUMFLEX:  # typed a third time: back to two letters
            return _reshape(word, i, "") + key
        return _with_tone(_reshape(word, i, CIRCUMFLEX), _tone_of(word))
    # key == "w"
    horned = [i for i in cluster if _split(word[i])[1] in (BREVE, HORN)]
    u_o = [
        i
        for i in cluster
        if bases[i] == "u" and bases.get(i + 1) == "o" and _split(word[i + 1])[1] != HORN
    ]
    if u_o:  # uo, or ưo (w typed after the u): ươ
        word = _reshape(_reshape(word, u_o[0], HORN), u_o[0] + 1, HORN)
    elif horned:  # undo: the letters lose their marks, and w is typed
        for i in horned:
            word = _reshape(word, i, "")
        return word + key
    elif any(bases[i] == "a" for i in cluster):
        word = _reshape(word, max(i for i in cluster if bases[i] == "a"), BREVE)
    elif any(bases[i] in "ou" for i in cluster):
        word = _reshape(word, max(i for i in cluster if bases[i] in "ou"), HORN)
    elif not cluster:
        return word + "ư"  # w on its own is ư: "tw" is "tư"
    else:
        return None
    return _with_tone(word, _tone_of(word))


def _d_key(word: str) -> str | None:
    if word[:1] in ("d", "D") and word[1:2] not in ("d", "D"):
        return ("đ" if word[0] == "d" else "Đ") + word[1:]
    if word[:1] in ("đ", "Đ"):
        return ("d" if word[0] == "đ" else "D") + word[1:] + "d"
    return None


def compose(word: str, key: str) -> str:
    """The word after pressing letter `key` at its end, the Telex way."""
    lower = key.lower()
    changed = None
    if word and (lower in TONE_KEYS or lower == "z"):
        changed = _tone_key(word, lower)
    elif lower in ("a", "e", "o", "w"):
        changed = _shape_key(word, lower)
    elif lower == "d" and len(word) == 1:
        changed = _d_key(word)
    if changed is not None:
        return changed
    tone = _tone_of(word)  # a letter after the tone moves it where it belongs: hòa + n = hoàn
    return _with_tone(word + key, tone) if tone else word + key


def type_key(text: str, key: str) -> str:
    """`text` after a letter key: Telex applied to its last word."""
    head, _space, word = text.rpartition(" ")
    prefix = head + " " if _space else ""
    return prefix + compose(word, key)


def place_tone(text: str, mark: str) -> str:
    """Put tone `mark` (a combining character, or "" for none) on the last word's syllable
    where Vietnamese spelling puts it (the keyboard's tone keys)."""
    head, _space, word = text.rpartition(" ")
    prefix = head + " " if _space else ""
    return prefix + _with_tone(word, mark)
