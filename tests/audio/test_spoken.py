"""What the voice says with figures: numbers and due dates in Vietnamese words (espeak-ng
reads digits oddly), and prompts that carry the figures of the moment."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kiosk.audio import AudioLibrary
from kiosk.audio.prompts import figured, split_key
from kiosk.audio.spoken import day_and_month, in_words, vietnamese_number


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "không"),
        (1, "một"),
        (5, "năm"),
        (10, "mười"),
        (11, "mười một"),
        (14, "mười bốn"),
        (15, "mười lăm"),
        (20, "hai mươi"),
        (21, "hai mươi mốt"),
        (24, "hai mươi tư"),
        (25, "hai mươi lăm"),
        (31, "ba mươi mốt"),
        (100, "một trăm"),
        (105, "một trăm lẻ năm"),
        (115, "một trăm mười lăm"),
        (1005, "một nghìn không trăm lẻ năm"),
        (2026, "hai nghìn không trăm hai mươi sáu"),
        (21000, "hai mươi mốt nghìn"),
        (1000000, "một triệu"),
        (3000000000, "ba tỷ"),
        (-2, "âm hai"),
    ],
)
def test_vietnamese_numbers(n: int, words: str):
    assert vietnamese_number(n) == words


def test_due_dates_as_said():
    assert day_and_month(date(2026, 12, 24), "vi") == "ngày hai mươi tư tháng mười hai"
    assert day_and_month(date(2027, 4, 1), "vi") == "ngày một tháng tư"
    assert day_and_month(date(2026, 12, 24), "en") == "24 December"


def test_figures_travel_in_the_key():
    key = figured("summary-lent", count=3, due=date(2026, 12, 24))
    assert split_key(key) == ("summary-lent", {"count": "3", "due": "2026-12-24"})
    assert in_words("3", "vi") == (3, "ba")
    assert in_words("2026-12-24", "vi") == (None, "ngày hai mươi tư tháng mười hai")
    assert in_words("Truyện Kiều", "vi") == (None, "Truyện Kiều")


@pytest.fixture
def library(tmp_path: Path) -> AudioLibrary:
    library = AudioLibrary(tmp_path / "data")
    assert library.espeak, "espeak-ng is missing: run scripts/setup"
    return library


def test_the_borrow_summary_is_said_with_its_figures(library):
    key = figured("summary-lent", count=3, due=date(2026, 12, 24))
    said = library.resolve(key, "vi")
    assert said.kind == "speech"
    assert said.text == "Bạn đã mượn ba cuốn sách. Hạn trả ngày hai mươi tư tháng mười hai."
    one = library.resolve(figured("summary-lent", count=1, due=date(2027, 1, 5)), "en")
    assert one.text == "You borrowed 1 book. Bring it back by 5 January."


def test_a_recording_cannot_say_todays_figures_but_is_kept_for_its_language(library):
    """Vietnamese: the figures are spoken even where a recording exists; Tày: the reader's
    own language recorded beats Vietnamese speech with figures."""
    for language in ("vi", "tyz"):
        path = library.recording("summary-lent", language)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"RIFF")
    key = figured("summary-lent", count=2, due=date(2026, 12, 24))
    assert library.resolve(key, "vi").kind == "speech"
    tay = library.resolve(key, "tyz")
    assert tay.kind == "recording" and tay.language == "tyz"


def test_search_results_are_said_with_their_count_and_titles(library):
    key = figured("search-found", count=2, titles="Truyện Kiều; Dế Mèn phiêu lưu ký")
    assert library.resolve(key, "vi").text == "Tìm thấy hai cuốn: Truyện Kiều; Dế Mèn phiêu lưu ký."
