"""ISBN and EAN-13 check digits."""

from __future__ import annotations


def ean13_ok(digits: str) -> bool:
    """True for 13 digits whose last is the EAN-13 check digit of the first 12."""
    if len(digits) != 13 or not digits.isdigit():
        return False
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == int(digits[12])


def isbn10_ok(chars: str) -> bool:
    """True for a valid ISBN-10 (last character may be X)."""
    if len(chars) != 10 or not chars[:9].isdigit() or not (chars[9].isdigit() or chars[9] == "X"):
        return False
    values = [int(c) for c in chars[:9]] + [10 if chars[9] == "X" else int(chars[9])]
    return sum((10 - i) * v for i, v in enumerate(values)) % 11 == 0


def isbn10_to_13(chars: str) -> str:
    """The ISBN-13 (978 prefix) of a valid ISBN-10."""
    body = "978" + chars[:9]
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def normalize(raw: str) -> str | None:
    """The ISBN-13 digits of an ISBN-10 or ISBN-13 with a right check digit, else None.

    One form for both, so the same book imported with either number is one title.
    """
    chars = raw.replace("-", "").replace(" ", "").upper()
    if ean13_ok(chars) and chars[:3] in ("978", "979"):
        return chars
    return isbn10_to_13(chars) if isbn10_ok(chars) else None
