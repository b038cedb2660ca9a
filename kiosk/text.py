"""Vietnamese-aware text handling for every input boundary and for catalogue search.

Four kinds of text leave this module:

* ``clean``: the text itself, tidied for storage and display (NFC, no control
  characters, single spaces).
* ``search_key``: an accent-, tone- and case-insensitive key. The catalogue indexes this key
  with SQLite FTS5 (``unicode61`` tokenizer) and every query must be folded with the same
  function before it is matched, so that both sides fold identically.
* ``exact_key``: a key that keeps the diacritics but ignores case, Unicode normalisation
  form and old/new tone-mark placement; used to rank exact-diacritic matches first.
  Its tokens line up one-to-one with those of ``search_key``:
  ``search_key(exact_key(s)) == search_key(s)``.
* ``sort_key`` / ``collate``: Vietnamese dictionary order for sorted lists.

Decisions shared by the keys (each key first applies ``clean``):

* Apostrophes (the Tày–Nùng ``t'``/``p'``, the ``'`` of "H'Mông", and their typographic
  look-alikes ``’ ʼ ‘ ʻ`` ...) are *dropped*, not turned into separators: ``"t'ang"`` folds
  to ``"tang"`` and ``"H'Mông"`` to ``"hmong"``, so a query typed without the apostrophe
  (hard to reach on the kiosk keyboard) still finds the word. FTS5 would split on ``'``,
  which is why raw queries must never reach FTS5 unfolded.
* Every other character that is not a letter or a digit is a word separator.
* Compatibility forms are folded (NFKD): full-width letters, ligatures, superscripts.
* ``Ð``/``ð`` (U+00D0/U+00F0, eth) and ``Ɖ``/``ɖ`` (African D) are treated as the
  Vietnamese ``Đ``/``đ`` they are usually mistyped for.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TypeVar

T = TypeVar("T")

# Apostrophe-like characters, all dropped by the keys (see module docstring).
_APOSTROPHES = "'\u2019\u2018\u02bc\u02bb\u0060\u00b4\u2032\u02b9\u02bd\uff07"
_DROP_APOSTROPHES = str.maketrans("", "", _APOSTROPHES)

# Combining marks that carry the Vietnamese tones, in collation order (no tone is 0).
_TONE_MARKS = {
    "\u0300": 1,  # huyền (grave)
    "\u0309": 2,  # hỏi (hook above)
    "\u0303": 3,  # ngã (tilde)
    "\u0301": 4,  # sắc (acute)
    "\u0323": 5,  # nặng (dot below)
}
# Combining marks that make a separate letter of the alphabet: ă â ê ô ơ ư.
_LETTER_MARKS = frozenset("\u0306\u0302\u031b")  # breve, circumflex, horn

# Latin letters with stroke (and look-alikes) that Unicode does not decompose,
# mapped after case folding. The đ family is handled separately by each key.
_D_WITH_STROKE = "đ"
_D_LOOKALIKES = {"\u00f0": _D_WITH_STROKE, "\u0256": _D_WITH_STROKE}  # eth, African d
_STROKE_LETTERS = {
    "ø": "o",
    "ł": "l",
    "ħ": "h",
    "ŧ": "t",
    "ƀ": "b",
    "ɨ": "i",
    "ǥ": "g",
    "ƶ": "z",
    "ı": "i",
    "æ": "ae",
    "œ": "oe",
}
_SEARCH_FOLD = str.maketrans({_D_WITH_STROKE: "d", **dict.fromkeys(_D_LOOKALIKES, "d")})
_SEARCH_FOLD.update(str.maketrans(_STROKE_LETTERS))
_EXACT_FOLD = str.maketrans(_D_LOOKALIKES)

# Vietnamese alphabet, with f, j, w, z (Tày–Nùng and foreign words) where Latin puts them.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_SEPARATOR_WEIGHT = 0
_DIGIT_BASE = 1  # digits 0-9 -> 1..10, before every letter
_LETTER_BASE = 100
_OTHER_BASE = 1000  # letters outside the alphabet: after it, in code point order
_LETTER_WEIGHT = {letter: _LETTER_BASE + i for i, letter in enumerate(_ALPHABET)}

_VOWELS = frozenset("aeiouy")
# Old-style (kiểu cũ) diphthongs whose tone moves to the second vowel in the new style.
_MOVABLE_DIPHTHONGS = frozenset({("o", "a"), ("o", "e"), ("u", "y")})

# A cluster is one base character followed by its combining marks (NFD).
_Cluster = tuple[str, str]


# --------------------------------------------------------------------------- clean


def clean(s: str) -> str:
    """Tidy human text entering the system (scanner, keyboard, CSV, config).

    NFC-normalises, turns every kind of whitespace into a space, removes control and
    invisible format characters (NUL, BOM, zero-width space, soft hyphen, ...), collapses
    runs of spaces and strips the ends.
    """
    kept = "".join(_clean_char(ch) for ch in s)
    return " ".join(unicodedata.normalize("NFC", kept).split())


def _clean_char(ch: str) -> str:
    """Map one character for ``clean``: whitespace to a space, control/format to nothing."""
    if ch.isspace():
        return " "
    if unicodedata.category(ch) in ("Cc", "Cf", "Cs"):
        return ""
    return ch


# --------------------------------------------------------------------------- keys


def search_key(s: str) -> str:
    """Fold text to the accent-, tone- and case-insensitive key used by catalogue search.

    ``"Đường Kách Mệnh"``, ``"ĐƯỜNG kach menh"`` and NFD input all give
    ``"duong kach menh"``. The result holds only letters, digits and single spaces, so the
    FTS5 ``unicode61`` tokenizer splits it exactly at the spaces. Fold queries with this
    same function before matching.
    """
    return _by_token(s, _search_key_token)


def _by_token(s: str, fold: Callable[[str], str]) -> str:
    """Fold `s` word by word. Both keys fold each space-separated token on its own, and
    catalogue words repeat a lot, so a cache per token makes a 50k-title import cheap."""
    return " ".join(folded for token in clean(s).split(" ") if (folded := fold(token)))


@lru_cache(maxsize=1 << 16)
def _search_key_token(token: str) -> str:
    text = "".join(ch for ch in _compat_casefold(token) if not _is_mark(ch))
    return _to_words(text.translate(_SEARCH_FOLD))


def exact_key(s: str) -> str:
    """Fold text to a key that keeps diacritics, for ranking exact-diacritic matches first.

    Insensitive to case, to NFC/NFD input and to old/new tone placement (``"Hòa Bình"``,
    ``"hoà bình"`` and NFD ``"Hòa Bình"`` are equal), but ``"hoà"``, ``"hóa"`` and ``"hoa"``
    differ. Separators and apostrophes fold as in ``search_key``, so the tokens of both keys
    correspond one-to-one.
    """
    return _by_token(s, _exact_key_token)


@lru_cache(maxsize=1 << 16)
def _exact_key_token(token: str) -> str:
    words = " ".join(_split_words(_clusters(_compat_casefold(token).translate(_EXACT_FOLD))))
    return normalize_tone_placement(unicodedata.normalize("NFC", words))


def normalize_tone_placement(s: str) -> str:
    """Rewrite old-style tone placement into the new style (kiểu mới), preserving case.

    Only the diphthongs ``oa``, ``oe`` and ``uy`` that end a syllable, carry the tone on
    their first vowel and are not part of a longer vowel run are touched: ``hòa -> hoà``,
    ``khỏe -> khoẻ``, ``Thủy -> Thuỷ``. Closed syllables (``hoàn``, ``thuyền``), the ``qu``
    and ``gi`` onsets (``quý``, ``già``) and other words (Tày ``pjạ``) are left alone.
    Returns NFC text.
    """
    clusters = _clusters(unicodedata.normalize("NFD", s))
    for i in range(1, len(clusters)):
        if _is_old_style_tone(clusters, i):
            clusters[i - 1], clusters[i] = _move_tone(clusters[i - 1], clusters[i])
    return unicodedata.normalize("NFC", "".join(base + marks for base, marks in clusters))


def _compat_casefold(s: str) -> str:
    """Drop apostrophes, then compatibility-decompose and case-fold (canonical caseless)."""
    text = unicodedata.normalize("NFKD", s.translate(_DROP_APOSTROPHES))
    return unicodedata.normalize("NFKD", text.casefold())


def _is_mark(ch: str) -> bool:
    """True for a combining mark (accents, tones, vowel modifiers)."""
    return unicodedata.category(ch).startswith("M")


def _is_word_char(ch: str) -> bool:
    """True for characters that belong to a word: letters and digits."""
    return ch.isalnum()


def _to_words(text: str) -> str:
    """Turn every non-word character into a separator and collapse the separators."""
    return " ".join("".join(ch if _is_word_char(ch) else " " for ch in text).split())


def _clusters(text: str) -> list[_Cluster]:
    """Split decomposed text into (base character, combining marks) clusters.

    Marks with no base character before them (at the start) get an empty base.
    """
    clusters: list[_Cluster] = []
    for ch in text:
        if _is_mark(ch) and clusters:
            base, marks = clusters[-1]
            clusters[-1] = (base, marks + ch)
        elif _is_mark(ch):
            clusters.append(("", ch))
        else:
            clusters.append((ch, ""))
    return clusters


def _split_words(clusters: list[_Cluster]) -> list[str]:
    """Group clusters into words of letters/digits; separators and their marks vanish."""
    words: list[str] = []
    current = ""
    for base, marks in clusters:
        if base and _is_word_char(base):
            current += base + marks
        elif current:
            words.append(current)
            current = ""
    if current:
        words.append(current)
    return words


# --------------------------------------------------------------------------- tone placement


def _vowel(cluster: _Cluster) -> str | None:
    """The plain vowel (a e i o u y, lowercase) of a cluster, or None if it is not one."""
    base = cluster[0].lower()
    return base if base in _VOWELS else None


def _tone_of(cluster: _Cluster) -> str:
    """The tone mark carried by a cluster, or '' if it carries none."""
    return next((m for m in cluster[1] if m in _TONE_MARKS), "")


def _is_letter(clusters: list[_Cluster], i: int) -> bool:
    """True if position i exists and holds a letter."""
    return 0 <= i < len(clusters) and clusters[i][0].isalpha()


def _is_old_style_tone(clusters: list[_Cluster], i: int) -> bool:
    """True if clusters[i-1:i+1] is a syllable-final oa/oe/uy with the tone on its first vowel."""
    first, second = clusters[i - 1], clusters[i]
    pair = (_vowel(first), _vowel(second))
    if pair not in _MOVABLE_DIPHTHONGS:
        return False
    if any(m in _LETTER_MARKS for m in first[1] + second[1]):
        return False  # oă, ôa, ... are other vowels
    if not _tone_of(first) or _tone_of(second) or _is_letter(clusters, i + 1):
        return False
    return not _is_vowel_or_qu_onset(clusters, i - 2, pair)


def _is_vowel_or_qu_onset(clusters: list[_Cluster], i: int, pair: tuple[str | None, ...]) -> bool:
    """True if the letter before the diphthong is a vowel, or the q of a qu- onset."""
    if not _is_letter(clusters, i):
        return False
    before = clusters[i][0].lower()
    return before in _VOWELS or (before == "q" and pair[0] == "u")


def _move_tone(first: _Cluster, second: _Cluster) -> tuple[_Cluster, _Cluster]:
    """Move the tone mark of the first cluster onto the second."""
    tone = _tone_of(first)
    return (first[0], first[1].replace(tone, "", 1)), (second[0], second[1] + tone)


# --------------------------------------------------------------------------- collation


def sort_key(s: str) -> tuple:
    """Key for sorting text in Vietnamese dictionary order.

    Levels, each compared only when the previous ones are equal:

    1. base letters in the Vietnamese alphabet order ``a ă â b c d đ e ê f g h i j k l m n
       o ô ơ p q r s t u ư v w x y z`` (f, j, w, z where Latin puts them), word separators
       before digits, digits before letters, other scripts after;
    2. tones per word: none < huyền < hỏi < ngã < sắc < nặng (``ba < bà < bả < bã < bá < bạ``);
    3. case, letter by letter, lowercase first;
    4. dropped apostrophes (``tang < t'ang``), then the NFC text itself, so the order is total.

    NFC and NFD input give the same key; old and new tone placement tie up to level 4.
    """
    clusters = _clusters(_compat_decompose(clean(s)))
    words = _word_clusters(clusters)
    primary: list[int] = []
    case: list[int] = []
    for n, word in enumerate(words):
        if n:
            primary.append(_SEPARATOR_WEIGHT)
        for base, marks in word:
            weights = _primary_weights(base, marks)
            primary.extend(weights)
            case.extend([int(base != base.casefold())] * len(weights))
    tones = tuple(_word_tones(word) for word in words)
    dropped = sum(s.count(ch) for ch in _APOSTROPHES)
    return (tuple(primary), tones, tuple(case), dropped, unicodedata.normalize("NFC", s))


def collate(items: Iterable[T], key: Callable[[T], str] | None = None) -> list[T]:
    """Return a new list of items sorted in Vietnamese order of ``key(item)`` (default: item)."""
    get = key if key is not None else _identity
    return sorted(items, key=lambda item: sort_key(get(item)))


def _identity(item: T) -> T:
    """Return the item unchanged (default key of ``collate``)."""
    return item


def _compat_decompose(s: str) -> str:
    """Drop apostrophes and compatibility-decompose, keeping case."""
    return unicodedata.normalize("NFKD", s.translate(_DROP_APOSTROPHES))


def _word_clusters(clusters: list[_Cluster]) -> list[list[_Cluster]]:
    """Group clusters into words of letters/digits, dropping separators."""
    words: list[list[_Cluster]] = [[]]
    for cluster in clusters:
        if cluster[0] and _is_word_char(cluster[0]):
            words[-1].append(cluster)
        elif words[-1]:
            words.append([])
    return [word for word in words if word]


def _primary_weights(base: str, marks: str) -> list[int]:
    """Primary weights of one cluster (a case-folded base may expand, e.g. ß -> ss)."""
    if base.isdecimal():
        return [_DIGIT_BASE + unicodedata.decimal(base)]
    folded = base.casefold()
    folded = _D_LOOKALIKES.get(folded, folded)
    folded = "".join(_STROKE_LETTERS.get(ch, ch) for ch in folded)
    letter_marks = [m for m in marks if m in _LETTER_MARKS]
    if len(folded) == 1 and len(letter_marks) == 1:
        composed = unicodedata.normalize("NFC", folded + letter_marks[0])
        folded = composed if composed in _LETTER_WEIGHT else folded
    return [_letter_weight(ch) for ch in folded]


def _letter_weight(ch: str) -> int:
    """Primary weight of a single case-folded letter (or other word character)."""
    return _LETTER_WEIGHT.get(ch, _OTHER_BASE + ord(ch))


def _word_tones(word: list[_Cluster]) -> tuple[int, ...]:
    """Tone weights of a word, in order; (0,) for a word without tone."""
    tones = tuple(_TONE_MARKS[m] for _, marks in word for m in marks if m in _TONE_MARKS)
    return tones or (0,)
