"""Tests for kiosk.text: cleaning, search/exact keys, tone placement and collation."""

from __future__ import annotations

import random
import re
import sqlite3
import unicodedata

import pytest

from kiosk.text import clean, collate, exact_key, normalize_tone_placement, search_key, sort_key


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


# Every marked lowercase letter of Vietnamese, written out literally (not computed), with
# its search base letter and its letter in the alphabet. Tones in the order
# huyền, hỏi, ngã, sắc, nặng.
TONED = {
    "a": "àảãáạ",
    "ă": "ằẳẵắặ",
    "â": "ầẩẫấậ",
    "e": "èẻẽéẹ",
    "ê": "ềểễếệ",
    "i": "ìỉĩíị",
    "o": "òỏõóọ",
    "ô": "ồổỗốộ",
    "ơ": "ờởỡớợ",
    "u": "ùủũúụ",
    "ư": "ừửữứự",
    "y": "ỳỷỹýỵ",
}
BASE = {"ă": "a", "â": "a", "ê": "e", "ô": "o", "ơ": "o", "ư": "u", "đ": "d"}
MARKED_LETTERS = [
    (ch, BASE.get(letter, letter), letter, tone)
    for letter, forms in TONED.items()
    for tone, ch in enumerate(forms, start=1)
] + [(letter, base, letter, 0) for letter, base in BASE.items()]


def test_marked_letter_table_is_complete() -> None:
    assert len(MARKED_LETTERS) == 67
    assert len({ch for ch, *_ in MARKED_LETTERS}) == 67
    assert all(len(ch) == 1 and ch.islower() for ch, *_ in MARKED_LETTERS)


@pytest.mark.parametrize(("ch", "base", "letter", "tone"), MARKED_LETTERS)
def test_marked_letter_folds_to_base(ch: str, base: str, letter: str, tone: int) -> None:
    assert search_key(ch) == base
    assert search_key(ch.upper()) == base
    assert search_key(nfd(ch.upper())) == base


@pytest.mark.parametrize(("ch", "base", "letter", "tone"), MARKED_LETTERS)
def test_marked_letter_exact_key_keeps_diacritics(
    ch: str, base: str, letter: str, tone: int
) -> None:
    assert exact_key(ch.upper()) == ch
    assert exact_key(nfd(ch)) == ch
    assert exact_key(ch) != exact_key(base)


@pytest.mark.parametrize(("ch", "base", "letter", "tone"), MARKED_LETTERS)
def test_marked_letter_collates_as_its_letter_then_tone(
    ch: str, base: str, letter: str, tone: int
) -> None:
    key = sort_key(ch)
    assert key[0] == sort_key(letter)[0]
    assert key[0] == sort_key(nfd(ch.upper()))[0]
    assert key[1] == ((tone,),)


def test_d_with_stroke() -> None:
    assert search_key("Đ") == search_key("đ") == "d"
    assert search_key("Đà Lạt") == "da lat"
    assert exact_key("ĐÀ LẠT") == "đà lạt"
    assert exact_key("Đà") != exact_key("Da")


def test_eth_lookalike_is_read_as_d_with_stroke() -> None:
    # U+00D0 (eth) is a frequent mistyping of U+0110 (Đ).
    assert search_key("\u00d0à Lạt") == "da lat"
    assert exact_key("\u00d0à Lạt") == exact_key("Đà Lạt")
    assert sort_key("\u00d0a")[0] == sort_key("Đa")[0]


# --------------------------------------------------------------------------- clean


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Truyện   Kiều  ", "Truyện Kiều"),
        ("Truyện\tKiều\r\n", "Truyện Kiều"),
        ("Truyện\u00a0\u2003Kiều", "Truyện Kiều"),  # no-break space, em space
        ("Tru\x00yện\x07 Kiều\x1b", "Truyện Kiều"),  # NUL, BEL, ESC
        ("\ufeffTruyện Kiều", "Truyện Kiều"),  # BOM from a CSV export
        ("Truy\u200bện Ki\u00adều", "Truyện Kiều"),  # zero-width space, soft hyphen
        ("", ""),
        (" \t\n ", ""),
    ],
)
def test_clean_removes_controls_and_collapses_whitespace(raw: str, expected: str) -> None:
    assert clean(raw) == expected


def test_clean_normalises_to_nfc() -> None:
    result = clean(nfd("Nguyễn Thị Hoà"))
    assert result == "Nguyễn Thị Hoà"
    assert unicodedata.is_normalized("NFC", result)


def test_clean_recomposes_marks_separated_by_a_control_character() -> None:
    assert clean("Vie\x00\u0302\u0323t") == "Việt"


def test_clean_keeps_text_otherwise_untouched() -> None:
    # clean is for storage and display: it does not fold case, apostrophes or tones.
    assert clean("H'Mông Thủy") == "H'Mông Thủy"


# --------------------------------------------------------------------------- search_key

DUONG_KACH_MENH = [
    "Đường Kách Mệnh",
    "duong kach menh",
    "ĐƯỜNG KÁCH MỆNH",
    nfd("Đường Kách Mệnh"),
    "  Đường\tKách   Mệnh!  ",
    "Đường-Kách-Mệnh",
]


@pytest.mark.parametrize("text", DUONG_KACH_MENH)
def test_search_key_is_accent_case_and_form_insensitive(text: str) -> None:
    assert search_key(text) == "duong kach menh"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Truyện Kiều (tái bản, 2020)", "truyen kieu tai ban 2020"),
        ("Sổ tay: Nuôi gà/vịt", "so tay nuoi ga vit"),
        ("ＳÁＣＨ １２", "sach 12"),  # full-width input from an IME
        ("Nhà\x00 văn\u200b", "nha van"),
        ("...", ""),
    ],
)
def test_search_key_separators(text: str, expected: str) -> None:
    assert search_key(text) == expected


@pytest.mark.parametrize("text", ["t'ang", "T'ang", "t’ang", "tʼang", "t‘ang", "tang"])
def test_search_key_drops_tay_nung_apostrophe(text: str) -> None:
    assert search_key(text) == "tang"


def test_search_key_apostrophe_in_hmong() -> None:
    assert search_key("H'Mông") == search_key("H’Mông") == search_key("Hmông") == "hmong"


def test_search_key_keeps_tay_nung_letters() -> None:
    assert search_key("Pjạ FẠ Wò Zằn Jắc") == "pja fa wo zan jac"


SAMPLE_TEXTS = [
    *DUONG_KACH_MENH,
    "Xã Quý Hòa",
    "Ủy ban nhân dân",
    "T'ang p'ây",
    "H'Mông",
    "Sách   giáo khoa: Lớp 5",
    "\u00d0ồng Đăng",
    "Straße ﬁsh",
    nfd("Nghìn lẻ một đêm"),
]


@pytest.mark.parametrize("text", SAMPLE_TEXTS)
def test_search_key_is_idempotent_and_fts_safe(text: str) -> None:
    key = search_key(text)
    assert search_key(key) == key
    assert re.fullmatch(r"([^\W_]+( [^\W_]+)*)?", key)
    assert key.isascii()


def _fts_table() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    # the catalogue's search needs FTS5 too: a SQLite without it must fail here, not skip
    db.execute("CREATE VIRTUAL TABLE books USING fts5(title_key, tokenize='unicode61')")
    return db


def test_fts5_tokenizes_the_key_exactly_at_spaces() -> None:
    db = _fts_table()
    db.executemany("INSERT INTO books VALUES (?)", [(search_key(t),) for t in SAMPLE_TEXTS])
    db.execute("CREATE VIRTUAL TABLE vocab USING fts5vocab(books, 'row')")
    terms = {row[0] for row in db.execute("SELECT term FROM vocab")}
    assert terms == {word for t in SAMPLE_TEXTS for word in search_key(t).split()}


@pytest.mark.parametrize("query", ["t'ang", "T’ang", "tang", "TANG"])
def test_fts5_query_folded_like_the_key_finds_apostrophe_words(query: str) -> None:
    db = _fts_table()
    db.executemany(
        "INSERT INTO books VALUES (?)", [(search_key(t),) for t in ["Phong slư t'ang", "Lượn"]]
    )
    rows = db.execute("SELECT title_key FROM books WHERE books MATCH ?", [search_key(query)])
    assert [r[0] for r in rows] == ["phong slu tang"]


# --------------------------------------------------------------------------- exact_key


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hòa", "hoà"),
        ("thủy", "thuỷ"),
        ("khỏe", "khoẻ"),
        ("Hòa Bình", "Hoà Bình"),
        ("HÒA BÌNH", "hoà bình"),
        (nfd("Hòa"), "hoà"),
        ("Xã Quý Hòa", "xã quý hoà"),
        ("họa sĩ", "hoạ sĩ"),
        ("Ủy ban", "uỷ ban"),
        ("lũy tre", "luỹ tre"),
        ("tòa án", "toà án"),
    ],
)
def test_exact_key_ignores_tone_placement_case_and_form(old: str, new: str) -> None:
    assert exact_key(old) == exact_key(new)


@pytest.mark.parametrize(("a", "b"), [("hoà", "hoa"), ("hoà", "hóa"), ("hoà", "hoả"), ("mă", "ma")])
def test_exact_key_distinguishes_diacritics(a: str, b: str) -> None:
    assert exact_key(a) != exact_key(b)
    assert search_key(a) == search_key(b)


def test_exact_key_is_new_style_nfc_casefolded() -> None:
    key = exact_key(nfd("HÒA Thủy  KHỎE"))
    assert key == "hoà thuỷ khoẻ"
    assert unicodedata.is_normalized("NFC", key)


@pytest.mark.parametrize("text", SAMPLE_TEXTS)
def test_exact_key_tokens_fold_to_search_key_tokens(text: str) -> None:
    key = exact_key(text)
    assert exact_key(key) == key
    assert search_key(key) == search_key(text)
    assert len(key.split()) == len(search_key(text).split())


# --------------------------------------------------------------------------- tone placement


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hòa", "hoà"),
        ("Hòa", "Hoà"),
        ("HÒA", "HOÀ"),
        ("Òa", "Oà"),
        ("góa", "goá"),
        ("họa", "hoạ"),
        ("khỏe", "khoẻ"),
        ("Thủy", "Thuỷ"),
        ("Ủy ban", "Uỷ ban"),
        ("lũy", "luỹ"),
        ("Xã Quý Hòa, Xã Thụy Hùng", "Xã Quý Hoà, Xã Thuỵ Hùng"),
    ],
)
def test_normalize_tone_placement_moves_tone_to_main_vowel(old: str, new: str) -> None:
    assert normalize_tone_placement(old) == new
    assert normalize_tone_placement(new) == new


@pytest.mark.parametrize(
    "word",
    [
        "quý",
        "quỳnh",
        "quỷ",
        "già",
        "giữ",
        "hoàn",
        "thuyền",
        "khoảng",
        "hoài",
        "xoắn",
        "khuỷu",
        "thuở",
        "pjạ",
        "hoa",
        "ióa",  # not a syllable-final diphthong: a third vowel precedes it
        "hòan",  # closed syllable: a misspelling, not a placement style; not ours to fix
        "qúy",  # the u belongs to the qu- onset, so this is not the uy diphthong
        "ồa",  # ô, not o: not one of the oa/oe/uy diphthongs
    ],
)
def test_normalize_tone_placement_leaves_other_syllables(word: str) -> None:
    assert normalize_tone_placement(word) == word
    assert normalize_tone_placement(word.upper()) == word.upper()


def test_normalize_tone_placement_accepts_nfd_and_returns_nfc() -> None:
    assert normalize_tone_placement(nfd("Hòa Bình")) == "Hoà Bình"


# --------------------------------------------------------------------------- sort_key


def shuffled_sort(words: list[str], seed: int = 7) -> list[str]:
    copy = list(words)
    random.Random(seed).shuffle(copy)
    return sorted(copy, key=sort_key)


@pytest.mark.parametrize(
    "ordered",
    [
        ["an", "ăn", "ân", "bò", "cá", "da", "đá", "em", "ê", "ga"],
        ["a", "ă", "â", "b"],
        ["d", "đ", "e"],
        ["o", "ô", "ơ", "p"],
        ["u", "ư", "v"],
        ["tu", "tua", "tư", "từ"],
        ["ba", "bà", "bả", "bã", "bá", "bạ", "bác", "bạc"],
        ["ma", "mà", "mả", "mã", "má", "mạ", "mai"],
        ["em", "êm", "fa", "ga"],
        ["hi", "ia", "ja", "ka"],
        ["vu", "wa", "xa"],
        ["yên", "za"],
        ["0", "1 a", "12", "2", "a"],
        ["an", "An", "AN", "ăn"],
        ["ba", "Ba", "bà", "Bà", "bác"],
        ["ba son", "bac", "bắc"],
        ["tang", "t'ang", "tàng"],
    ],
)
def test_sort_key_order(ordered: list[str]) -> None:
    assert shuffled_sort(ordered) == ordered


def test_tone_is_secondary_to_the_whole_primary_string() -> None:
    assert sort_key("bà") < sort_key("bác")
    assert sort_key("bạ") < sort_key("bac")
    assert sort_key("bá") < sort_key("bạ")


@pytest.mark.parametrize("text", SAMPLE_TEXTS)
def test_sort_key_same_for_nfc_and_nfd(text: str) -> None:
    nfc = unicodedata.normalize("NFC", text)
    assert sort_key(nfd(text)) == sort_key(nfc)


def test_sort_key_ties_old_and_new_tone_placement_before_the_last_level() -> None:
    assert sort_key("hòa")[:4] == sort_key("hoà")[:4]
    assert sort_key("hòa") != sort_key("hoà")


def test_sort_key_ignores_surrounding_space_and_punctuation() -> None:
    assert sort_key("  Bà ")[:3] == sort_key("Bà")[:3]
    assert sort_key("Bà-Rịa")[:3] == sort_key("Bà Rịa")[:3]


# --------------------------------------------------------------------------- collate

COMMUNES_IN_ORDER = [
    "Phường Đông Kinh",
    "Xã Ái Quốc",
    "Xã Ba Sơn",
    "Xã Bắc Sơn",
    "Xã Bằng Mạc",
    "Xã Bình Gia",
    "Xã Cao Lộc",
    "Xã Chi Lăng",
    "Xã Công Sơn",
    "Xã Điềm He",
    "Xã Đình Lập",
    "Xã Đoàn Kết",
    "Xã Đồng Đăng",
    "Xã Hoa Thám",
    "Xã Hoàng Văn Thụ",
    "Xã Hội Hoan",
    "Xã Hồng Phong",
    "Xã Hưng Vũ",
    "Xã Hữu Liên",
    "Xã Hữu Lũng",
    "Xã Quý Hoà",  # same name in both tone styles: tied until the last level
    "Xã Quý Hòa",
    "Xã Yên Bình",
]


def test_collate_commune_names() -> None:
    scrambled = list(COMMUNES_IN_ORDER)
    random.Random(2025).shuffle(scrambled)
    assert collate(scrambled) == COMMUNES_IN_ORDER
    # Code-point order is wrong here, so the table really tests the collation.
    assert sorted(COMMUNES_IN_ORDER) != COMMUNES_IN_ORDER


def test_collate_with_key_returns_a_new_list() -> None:
    rows = [("06001", "Xã Đoàn Kết"), ("05977", "Xã Đình Lập"), ("06100", "Xã Điềm He")]
    original = list(rows)
    result = collate(rows, key=lambda row: row[1])
    assert [name for _, name in result] == ["Xã Điềm He", "Xã Đình Lập", "Xã Đoàn Kết"]
    assert rows == original
    assert result is not rows


def test_collate_accepts_any_iterable() -> None:
    assert collate(iter(["ê", "e", "đ"])) == ["đ", "e", "ê"]
