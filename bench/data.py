"""Deterministic, realistic-looking data for the store benchmarks.

Titles and authors are built from Vietnamese, Tày and Nùng words with their diacritics, drawn
with a Zipf-like weighting so that common words ("Việt Nam", "Lạng Sơn", "kỹ thuật") match many
titles and rare ones few, as in a real commune catalogue.

The big circulation database is written with raw `sqlite3.executemany` inside one transaction,
against the schema the real migrations create (`kiosk.store.db.open_database`), so building
100k copies and 1M past loans takes seconds rather than the hour the ORM would need.
"""

from __future__ import annotations

import csv
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from kiosk.catalog.csv_import import COLUMNS
from kiosk.catalog.titles import title_keys
from kiosk.store.db import close_database, open_database

# --------------------------------------------------------------------------- vocabulary

# Words that open a title (what the book is), most common first.
HEADS = [
    "Kỹ thuật trồng",
    "Kỹ thuật nuôi",
    "Hỏi đáp về",
    "Sổ tay",
    "Truyện cổ",
    "Lịch sử",
    "Văn hoá",
    "Địa chí",
    "Tìm hiểu",
    "Hướng dẫn chăm sóc",
    "Phòng chống",
    "Câu chuyện về",
    "Luật",
    "Những bài học về",
    "Đường về",
    "Then",
    "Lượn",
    "Sli",
    "Từ điển",
    "Bảo vệ",
]
# What the book is about, most common first.
SUBJECTS = [
    "cây hồi",
    "lúa nước",
    "ngô lai",
    "hoa đào",
    "lợn đen",
    "trâu bò",
    "rừng đầu nguồn",
    "cây quế",
    "cây thạch đen",
    "na Chi Lăng",
    "sức khoẻ người cao tuổi",
    "trẻ em",
    "đất đai",
    "hôn nhân và gia đình",
    "núi rừng",
    "sông suối",
    "bản làng",
    "chợ phiên",
    "dân ca",
    "người Tày",
    "người Nùng",
    "người Dao",
    "người H'Mông",
    "hoà bình",
    "đường biên giới",
    "thuốc nam",
    "nước sạch",
    "mùa màng",
    "khoai môn",
    "cá ruộng",
]
# Where, most common first.
PLACES = [
    "Lạng Sơn",
    "xứ Lạng",
    "Việt Nam",
    "vùng cao",
    "Cao Bằng",
    "Bắc Sơn",
    "Chi Lăng",
    "Đồng Đăng",
    "Tràng Định",
    "Văn Quan",
    "Bình Gia",
    "Hữu Lũng",
    "Đình Lập",
    "Lộc Bình",
    "Pác Bó",
    "Mẫu Sơn",
    "Kỳ Lừa",
    "Thất Khê",
    "Na Sầm",
    "Hoàng Đồng",
]
# Loose words that make titles longer and more varied.
FILLERS = [
    "mới",
    "cho bà con",
    "thời nay",
    "ngày xưa",
    "của em",
    "trên núi",
    "bên sông",
    "mùa xuân",
    "mùa thu",
    "quê hương",
    "tuổi thơ",
    "hồi ức",
    "tập một",
    "tập hai",
    "tập ba",
    "toàn tập",
    "song ngữ Tày Việt",
    "song ngữ Nùng Việt",
    "tranh minh hoạ",
    "dành cho thiếu nhi",
]
# Words of literary titles (novels, poems, memoirs), drawn uniformly.
LITERARY = [
    "mùa",
    "xuân",
    "thu",
    "đông",
    "gió",
    "trăng",
    "nắng",
    "mưa",
    "em",
    "anh",
    "mẹ",
    "cha",
    "quê",
    "nhà",
    "bản",
    "suối",
    "đá",
    "mây",
    "chiều",
    "sáng",
    "đêm",
    "hoa",
    "lá",
    "chim",
    "ngựa",
    "trâu",
    "lửa",
    "tình",
    "yêu",
    "người",
    "đi",
    "về",
    "nhớ",
    "thương",
    "xa",
    "gần",
    "trên",
    "dưới",
    "bên",
    "con",
    "đường",
    "núi",
    "rừng",
    "khèn",
    "tính",
    "cõi",
    "dòng",
    "sông",
    "biển",
    "đồi",
    "thung",
    "lũng",
    "cỏ",
    "cây",
    "ngàn",
    "năm",
    "ấy",
    "tuổi",
    "thơ",
    "kỷ",
    "niệm",
    "hồi",
    "ký",
    "chuyện",
    "kể",
    "bóng",
    "tiếng",
    "hát",
    "ru",
    "lời",
    "ru",
    "làng",
    "phố",
    "chợ",
    "cầu",
    "bến",
    "đò",
    "mắt",
    "tay",
    "áo",
    "chàm",
    "thổ",
    "cẩm",
    "khói",
    "bếp",
    "sương",
    "sớm",
    "giọt",
    "hạt",
    "gạo",
    "muối",
    "lòng",
    "ngọn",
]
FAMILY = [
    "Nguyễn",
    "Hoàng",
    "Nông",
    "Lương",
    "Vi",
    "Lý",
    "Hà",
    "Đinh",
    "Lộc",
    "Triệu",
    "Chu",
    "Ma",
    "Dương",
    "Bế",
    "Hứa",
    "Đàm",
    "Trần",
    "Lê",
    "Phạm",
    "Vũ",
]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Ngọc", "Xuân", "Hữu", "Kim"]
GIVEN = [
    "Páo",
    "Tâm",
    "Hoa",
    "Lan",
    "Mai",
    "Yên",
    "Hà",
    "Châu",
    "Thuỷ",
    "Bình",
    "Sơn",
    "Đường",
    "Khoa",
    "Hằng",
    "Tuấn",
    "Dũng",
    "Hùng",
    "Nga",
    "Quý",
    "Lợi",
    "Thắng",
    "Phúc",
    "Lộc",
    "Thịnh",
]
CORPORATE = [
    "Sở Nông nghiệp Lạng Sơn",
    "Trung tâm Khuyến nông",
    "Hội Liên hiệp Phụ nữ",
    "Bộ Y tế",
    "Quốc hội",
    "Nhiều tác giả",
    "UBND tỉnh Lạng Sơn",
]
PUBLISHERS = ["NXB Kim Đồng", "NXB Văn hoá dân tộc", "NXB Nông nghiệp", "NXB Tư pháp", "NXB Trẻ"]
SHELVES = ["Văn học", "Thiếu nhi", "Nông nghiệp", "Văn hoá địa phương", "Tra cứu", "Sức khoẻ"]
GROUPS = ["adult", "adult", "adult", "child", "child", "elder"]


def _zipf(items: list[str], rng: random.Random, flat: int = 0) -> str:
    """One item, the first ones more often (weight 1/(rank + flat); flat=0 is Zipf)."""
    return rng.choices(items, weights=[1 / (i + 1 + flat) for i in range(len(items))])[0]


def person_name(rng: random.Random) -> str:
    """A Tày/Nùng/Kinh personal name with diacritics."""
    return f"{_zipf(FAMILY, rng)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def author_name(rng: random.Random) -> str:
    """An author: usually a person, sometimes an institution."""
    return rng.choice(CORPORATE) if rng.random() < 0.1 else person_name(rng)


def title_text(rng: random.Random) -> str:
    """A plausible title: literary (2-6 words) or practical (head, subject, place, filler).

    Weights keep the commonest word below ~10% of titles, as in a real catalogue; the
    search benchmark prints how many titles each query matches.
    """
    if rng.random() < 0.4:
        words = rng.sample(LITERARY, rng.randint(2, 6))
        return " ".join([words[0].capitalize(), *words[1:]])
    parts = [_zipf(HEADS, rng, flat=4), _zipf(SUBJECTS, rng, flat=4)]
    if rng.random() < 0.5:
        parts.append(_zipf(PLACES, rng, flat=3))
    if rng.random() < 0.4:
        parts.append(rng.choice(FILLERS))
    return " ".join(parts)


def unique_titles(count: int, seed: int) -> list[tuple[str, str]]:
    """`count` (title, author) pairs, distinct even after folding (so none merge on import)."""
    rng = random.Random(seed)
    seen: set[tuple[str, str]] = set()
    result: list[tuple[str, str]] = []
    while len(result) < count:
        title, author = title_text(rng), author_name(rng)
        if (title, author) in seen:
            title = f"{title} tập {rng.randint(4, 99)}"
            if (title, author) in seen:
                continue
        seen.add((title, author))
        result.append((title, author))
    return result


def isbn13(n: int) -> str:
    """A valid ISBN-13 (978-604, Vietnam's prefix) numbered `n`."""
    body = f"978604{n % 1_000_000:06d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


# --------------------------------------------------------------------------- sizes


@dataclass(frozen=True)
class Sizes:
    """How big each benchmark is."""

    label: str
    titles: int  # titles in the circulation/search database
    copies: int
    readers: int
    past_loans: int
    csv_rows: int  # titles (one copy each) in the CSV import
    pairs: int  # measured borrow+return pairs, per implementation and sync mode
    searches: int  # measured searches, per implementation


FULL = Sizes("full", 50_000, 100_000, 10_000, 1_000_000, 50_000, 500, 600)
QUICK = Sizes("quick", 5_000, 10_000, 1_000, 100_000, 5_000, 100, 200)

# The benchmark's "now": a Wednesday (the default rules close on Mondays).
NOW = datetime(2026, 11, 25, 9, 30)
RETENTION_DAYS = 30  # loans.retention_days in kiosk/default.toml
PERIOD_DAYS = {"child": 14, "adult": 21, "elder": 28}  # loans.period_days likewise


def card_id(n: int) -> str:
    """The card id of reader number `n` (upper-case hex, as the kiosk stores cards)."""
    return f"C{n:07X}"


def accession(n: int) -> str:
    """The accession number of copy number `n`."""
    return f"LS-{n:06d}"


# --------------------------------------------------------------------------- big database


def _stamp(moment: datetime) -> str:
    """A datetime as peewee's DateTimeField stores it."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _title_rows(count: int, seed: int) -> Iterator[tuple]:
    """Rows for the `title` table, with the search keys the catalogue computes."""
    rng = random.Random(seed + 1)
    created = _stamp(NOW - timedelta(days=1200))
    for n, (title, author) in enumerate(unique_titles(count, seed), start=1):
        keys = title_keys(title, author)
        code = isbn13(n) if rng.random() < 0.6 else None
        yield (
            n,
            title,
            author,
            _zipf(PUBLISHERS, rng),
            rng.randint(1995, 2025),
            code,
            int(rng.random() < 0.15),
            created,
            keys["title_key"],
            keys["author_key"],
            keys["exact_key"],
        )


def _copy_rows(sizes: Sizes, rng: random.Random) -> Iterator[tuple]:
    """Rows for the `copy` table: every title gets one, the rest are spread at random."""
    created = _stamp(NOW - timedelta(days=1200))
    for n in range(1, sizes.copies + 1):
        title_id = n if n <= sizes.titles else rng.randint(1, sizes.titles)
        barcode = f"893{n:010d}" if rng.random() < 0.5 else None
        loanable = int(rng.random() < 0.97)
        yield (n, title_id, accession(n), barcode, rng.choice(SHELVES), loanable, created)


def _reader_rows(sizes: Sizes, rng: random.Random) -> Iterator[tuple]:
    """Rows for the `reader` table: consented, valid for another year, not blocked."""
    created = NOW - timedelta(days=700)
    expires = (NOW + timedelta(days=365)).date().isoformat()
    for n in range(1, sizes.readers + 1):
        yield (
            n,
            card_id(n),
            person_name(rng),
            rng.choice(GROUPS),
            _stamp(created),
            "v1",
            expires,
            _stamp(created),
        )


def _loan_rows(sizes: Sizes, groups: list[str], rng: random.Random) -> Iterator[tuple]:
    """Returned loans over the last three years, anonymised past the retention period.

    Loans returned more than `retention_days` ago have no reader, as `forget_old_loans`
    leaves them; the reader group stays for the aggregates.
    """
    span = 3 * 365 * 86400
    cutoff = NOW - timedelta(days=RETENTION_DAYS)
    for n in range(1, sizes.past_loans + 1):
        reader = rng.randint(1, sizes.readers)
        group = groups[reader - 1]
        out = NOW - timedelta(seconds=rng.randint(2 * 86400, span))
        due = out.date() + timedelta(days=PERIOD_DAYS[group])
        back = min(out + timedelta(days=rng.randint(1, 35), hours=rng.randint(0, 8)), NOW)
        yield (
            n,
            rng.randint(1, sizes.copies),
            reader if back >= cutoff else None,
            group,
            _stamp(out),
            due.isoformat(),
            _stamp(back),
            int(rng.random() < 0.1),
        )


def _counter_rows(sizes: Sizes) -> Iterator[tuple]:
    """A few counter buckets per day over the three years (the table is never empty)."""
    for day in range(3 * 365):
        start = datetime.combine(NOW.date() - timedelta(days=day), datetime.min.time())
        for hour in (8, 10, 14, 16):
            for metric in ("loans", "returns"):
                yield (_stamp(start.replace(hour=hour)), metric, "adult", 3)


def create_schema(path: Path) -> None:
    """Create an empty database at `path` with the real migrations, then close it."""
    open_database(path)
    close_database()


def connect_raw(path: Path, synchronous: str = "full") -> sqlite3.Connection:
    """A raw sqlite3 connection with the kiosk's pragmas, in autocommit mode."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = wal")
    conn.execute("PRAGMA foreign_keys = 1")
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    return conn


def build_library(path: Path, sizes: Sizes, seed: int = 2026) -> None:
    """Create the big circulation database at `path` (schema by the real migrations)."""
    create_schema(path)
    rng = random.Random(seed)
    conn = connect_raw(path, synchronous="off")  # the build is not what is measured
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO title (id, title, author, publisher, year, isbn, local_document,"
        " created_at, title_key, author_key, exact_key) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        _title_rows(sizes.titles, seed),
    )
    conn.executemany(
        "INSERT INTO copy (id, title_id, accession, barcode, shelf, loanable, created_at)"
        " VALUES (?,?,?,?,?,?,?)",
        _copy_rows(sizes, rng),
    )
    readers = list(_reader_rows(sizes, rng))
    conn.executemany(
        "INSERT INTO reader (id, card_id, name, reader_group, consent_at, consent_version,"
        " expires, created_at) VALUES (?,?,?,?,?,?,?,?)",
        readers,
    )
    conn.executemany(
        "INSERT INTO loan (id, copy_id, reader_id, reader_group, out_at, due, returned_at,"
        " renewals) VALUES (?,?,?,?,?,?,?,?)",
        _loan_rows(sizes, [row[3] for row in readers], rng),
    )
    conn.executemany(
        "INSERT INTO counter_bucket (interval_start, metric, reader_group, count) VALUES (?,?,?,?)",
        _counter_rows(sizes),
    )
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.close()


# --------------------------------------------------------------------------- CSV file


def _csv_row(n: int, title: str, author: str, rng: random.Random) -> dict[str, str]:
    """One catalogue CSV row (one copy) in the documented format."""
    return {
        "title": title,
        "author": author,
        "publisher": _zipf(PUBLISHERS, rng),
        "year": str(rng.randint(1995, 2025)),
        "isbn": isbn13(500_000 + n) if rng.random() < 0.6 else "",
        "language": "vi",
        "subjects": _zipf(SUBJECTS, rng),
        "local_document": "có" if rng.random() < 0.15 else "",
        "accession": f"NK-{n:06d}",
        "barcode": f"894{n:010d}" if rng.random() < 0.5 else "",
        "shelf": rng.choice(SHELVES),
        "loanable": "" if rng.random() < 0.97 else "no",
        "tags": f"E004{n:012X}" if rng.random() < 0.3 else "",
    }


def write_catalog_csv(path: Path, rows: int, seed: int = 7) -> None:
    """Write a catalogue CSV of `rows` distinct titles, one copy each (UTF-8 with BOM)."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for n, (title, author) in enumerate(unique_titles(rows, seed), start=1):
            writer.writerow(_csv_row(n, title, author, rng))


def today() -> date:
    """The benchmark's date."""
    return NOW.date()
