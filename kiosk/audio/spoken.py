"""Numbers and dates as words, for what the kiosk says aloud.

espeak-ng reads "24/12" or "3" oddly in Vietnamese (digit by digit, or as a fraction), and a
reader who cannot read must hear the due date as people say it: "ngày hai mươi tư tháng mười
hai". The Vietnamese rules: mười lăm (15), hai mươi mốt (21), hai mươi tư (24), hai mươi lăm
(25), một trăm lẻ năm (105), hai nghìn không trăm hai mươi sáu (2026). English keeps digits,
which its voice reads well ("24 December").
"""

from __future__ import annotations

from datetime import date

UNITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _below_hundred(n: int) -> str:
    tens, unit = divmod(n, 10)
    if tens == 0:
        return UNITS[unit]
    head = "mười" if tens == 1 else f"{UNITS[tens]} mươi"
    if unit == 0:
        return head
    if unit == 5:
        return f"{head} lăm"
    if unit == 1 and tens > 1:
        return f"{head} mốt"
    if unit == 4 and tens > 1:
        return f"{head} tư"
    return f"{head} {UNITS[unit]}"


def _below_thousand(n: int, inner: bool) -> str:
    """n < 1000; `inner`: a group after a higher one, so its zero hundreds are said."""
    hundreds, rest = divmod(n, 100)
    if hundreds == 0 and not inner:
        return _below_hundred(rest)
    head = f"{UNITS[hundreds]} trăm"
    if rest == 0:
        return head
    if rest < 10:
        return f"{head} lẻ {UNITS[rest]}"
    return f"{head} {_below_hundred(rest)}"


def vietnamese_number(n: int) -> str:
    """A whole number in Vietnamese words (negative numbers say "âm")."""
    if n < 0:
        return "âm " + vietnamese_number(-n)
    if n >= 10**9:
        high, rest = divmod(n, 10**9)
        return f"{vietnamese_number(high)} tỷ" + (f" {_groups(rest, inner=True)}" if rest else "")
    return _groups(n, inner=False)


def _groups(n: int, inner: bool) -> str:
    """n < 10^9 in groups of three digits: "hai nghìn không trăm hai mươi sáu" (a group
    after a higher one says its zero hundreds; an empty group is skipped)."""
    words = []
    for scale, size in (("triệu", 10**6), ("nghìn", 10**3), ("", 1)):
        group, n = divmod(n, size)
        if group == 0 and (words or size > 1):
            continue
        text = _below_thousand(group, inner=inner or bool(words))
        words.append(f"{text} {scale}".strip())
    return " ".join(words)


def number(n: int, language: str) -> str:
    """`n` as the kiosk's voice should say it in `language`."""
    return vietnamese_number(n) if language != "en" else str(n)


def day_and_month(day: date, language: str) -> str:
    """A due date as said aloud: "ngày hai mươi tư tháng mười hai", "24 December"."""
    if language == "en":
        return f"{day.day} {ENGLISH_MONTHS[day.month - 1]}"
    month = "tư" if day.month == 4 else vietnamese_number(day.month)
    return f"ngày {vietnamese_number(day.day)} tháng {month}"


def in_words(value: str, language: str) -> tuple[int | None, str]:
    """A figure of a prompt key (kiosk.audio.prompts.figured) as said aloud: an ISO date, a
    phone number (digit by digit), a whole number (which also picks the sentence's plural
    form), or a text said as it is."""
    try:
        return None, day_and_month(date.fromisoformat(value), language)
    except ValueError:
        pass
    if phone_like(value):
        return None, digit_by_digit(value, language)
    if value.lstrip("-").isdigit():
        return int(value), number(int(value), language)
    return None, value


def phone_like(value: str) -> bool:
    """A phone number ("0205 3870 555", "+84 ..."): said digit by digit, not as an amount."""
    digits = sum(c.isdigit() for c in value)
    allowed = all(c.isdigit() or c in " +.-()" for c in value)
    return digits >= 6 and value.startswith(("0", "+")) and allowed


def digit_by_digit(value: str, language: str) -> str:
    """The digits of a phone number as words, in groups as written."""
    groups = [g for g in value.replace(".", " ").replace("-", " ").split() if g]
    said = []
    for group in groups:
        digits = [c for c in group if c.isdigit()]
        plus = "cộng " if group.startswith("+") and language != "en" else ""
        plus = "plus " if group.startswith("+") and language == "en" else plus
        names = [number(int(c), language) for c in digits]
        said.append(plus + " ".join(names))
    return ", ".join(said)
