"""MARC import benchmark: N records (default 50 000) through `kiosk.catalog.marc.import_marc`,
beside pymarc alone parsing the same file (the floor: decoding is pymarc's work).

    .venv/bin/python -m bench.import_marc               # 50k records, goal: within 60 s
    .venv/bin/python -m bench.import_marc --records 5000

The file is shaped like a Koha export: UTF-8, Vietnamese titles and authors, 020 ISBNs (some
repeated, so titles merge), 260, 650 subjects, one or two 952 items per record; every 50th
record is MARC-8 (leader/09 blank) to exercise that decoder too.
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/import_marc.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pymarc
from pymarc import Field, Indicators, Subfield

from kiosk import isbn
from kiosk.catalog import marc
from kiosk.store.db import close_database, open_database

WORDS = [
    "Truyện",
    "Kiều",
    "Đường",
    "Kách",
    "Mệnh",
    "Lạng",
    "Sơn",
    "núi",
    "rừng",
    "sông",
    "suối",
    "Tày",
    "Nùng",
    "then",
    "lượn",
    "cổ",
    "tích",
]
NAMES = ["Nguyễn Du", "Tô Hoài", "Hoàng Văn Tâm", "Nông Thị Hoa", "Lương Văn Páo", "Vi Thị Lan"]
# MARC-8 (ANSEL) encodings of a few names, marks before the base letter.
MARC8_AUTHOR = b"Nguy\xe3\xe4en Du"


def _isbn(n: int) -> str:
    body = f"978604{n % 10_000_000:06d}"[:12]
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    code = body + str((10 - total % 10) % 10)
    assert isbn.normalize(code)
    return code


def _marc8_record(n: int) -> bytes:
    fields = [
        ("001", f"B{n}".encode()),
        ("100", b"1 \x1fa" + MARC8_AUTHOR),
        ("245", b"10\x1faTruy\xf2\xe3en s\xe2o " + str(n).encode()),
        ("952", b"  \x1fiBM-" + str(n).encode() + b"\x1fpBC" + str(n).encode()),
    ]
    directory, body = b"", b""
    for tag, data in fields:
        data += b"\x1e"
        directory += tag.encode() + b"%04d%05d" % (len(data), len(body))
        body += data
    directory += b"\x1e"
    base = 24 + len(directory)
    leader = b"%05dnam  22%05d   4500" % (base + len(body) + 1, base)
    return leader + directory + body + b"\x1d"


def make_file(path: Path, records: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("wb") as out:
        for n in range(records):
            if n % 50 == 49:
                out.write(_marc8_record(n))
                continue
            record = pymarc.Record(force_utf8=True)
            record.leader = pymarc.Leader("00000nam a22000007a 4500")
            record.add_field(Field(tag="001", data=f"B{n}"))
            record.add_field(Field(tag="008", data="190101s2019    vm            000 0 vie d"))
            record.add_field(
                Field(
                    "020",
                    Indicators(" ", " "),
                    [Subfield("a", _isbn(n - n % 10 if n % 7 == 0 else n))],
                )
            )
            record.add_field(
                Field("100", Indicators("1", " "), [Subfield("a", rng.choice(NAMES) + ",")])
            )
            title = " ".join(rng.choice(WORDS) for _ in range(4)) + f" {n}"
            record.add_field(Field("245", Indicators("1", "0"), [Subfield("a", title + " /")]))
            record.add_field(
                Field(
                    "260",
                    Indicators(" ", " "),
                    [Subfield("b", "Kim Đồng,"), Subfield("c", str(1990 + n % 35) + ".")],
                )
            )
            record.add_field(Field("650", Indicators(" ", "7"), [Subfield("a", "Văn học.")]))
            for i in range(1 + n % 2):
                record.add_field(
                    Field(
                        "952",
                        Indicators(" ", " "),
                        [
                            Subfield("p", f"BC{n}-{i}"),
                            Subfield("i", f"DK{n}-{i}"),
                            Subfield("o", "Văn học"),
                            Subfield("y", "BK"),
                        ],
                    )
                )
            out.write(record.as_marc())


def pymarc_alone(path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    count = 0
    with path.open("rb") as handle:
        for record in pymarc.MARCReader(handle, to_unicode=True, hide_utf8_warnings=True):
            count += record is not None
    return time.perf_counter() - start, count


def kiosk_import(path: Path, db_path: Path) -> tuple[float, marc.MarcSummary]:
    open_database(db_path)
    try:
        start = time.perf_counter()
        summary = marc.import_marc(path)
        return time.perf_counter() - start, summary
    finally:
        close_database()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--goal", type=float, default=60.0, help="seconds allowed for the import")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "koha.mrc"
        make_file(path, args.records)
        size = path.stat().st_size
        base, parsed = pymarc_alone(path)
        took, summary = kiosk_import(path, Path(folder) / "kiosk.db")
    print(f"MARC import bench on {platform.machine()}, Python {platform.python_version()}")
    print(f"file: {args.records} records, {size / 1e6:.1f} MB")
    print(f"{'pymarc alone (MARCReader, parse only)':45} {base:7.2f} s  {parsed / base:9.0f} rec/s")
    print(
        f"{'kiosk catalog import (parse, map, write)':45} {took:7.2f} s  "
        f"{summary.records / took:9.0f} rec/s  ({took / base:.1f}x pymarc)"
    )
    print(
        f"  {summary.titles_new} titles, {summary.titles_merged} merged, {summary.copies} copies, "
        f"{summary.skipped} skipped"
    )
    ok = took <= args.goal and summary.skipped == 0
    print(f"goal: within {args.goal:.0f} s -> {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
