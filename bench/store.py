"""Store benchmarks: circulation latency, catalogue search and CSV import, each beside a
baseline measured in the same run.

    .venv/bin/python -m bench.store            # full sizes (a few minutes)
    .venv/bin/python -m bench.store --quick    # reduced sizes (under a minute), clearly labelled

See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/store.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import data
from bench.data import Sizes
from bench.table import Report, Row, log, print_table
from kiosk import config, i18n, text
from kiosk.catalog.csv_import import Summary as ImportSummary
from kiosk.catalog.csv_import import _check_unique, _read_rows, _write, import_csv
from kiosk.catalog.titles import title_keys
from kiosk.clock import FixedClock
from kiosk.desk import Desk
from kiosk.store import search
from kiosk.store.db import close_database, db, open_database

WARMUP = 20  # unmeasured operations before each measured series
BLOCK = 50  # kiosk and raw alternate in blocks of this many pairs (shared machine noise)
RATIO_GOAL = 3.0
SEARCH_GOAL_MS = 20.0
IMPORT_GOAL_S = 30.0


# --------------------------------------------------------------------------- figures


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank; nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def _timed(action: Callable[[], object]) -> tuple[float, object]:
    """Seconds taken by `action()` and what it returned."""
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


# --------------------------------------------------------------------------- circulation


class RawDesk:
    """The same borrow and return transactions as `kiosk.desk.Desk`, in raw sqlite3."""

    UPSERT = (
        "INSERT INTO counter_bucket (interval_start, metric, reader_group, count)"
        " VALUES (?, ?, ?, 1) ON CONFLICT (interval_start, metric, reader_group)"
        " DO UPDATE SET count = count + 1"
    )
    # the interval's outbox row, written in the same transaction as the count
    MARK = (
        "INSERT INTO outbox (topic, payload, created_at, monotonic, clock_synced,"
        " interval_start, boot_id, state) SELECT 'counts', '', ?, 0, 1, ?, 'b', 'pending'"
        " WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE state = 'pending'"
        " AND interval_start = ?)"
    )

    def _count(self, metric: str, group: str, now: datetime) -> None:
        bucket = self._bucket(now)
        self.conn.execute(self.UPSERT, (bucket, metric, group))
        self.conn.execute(self.MARK, (now.strftime("%Y-%m-%d %H:%M:%S"), bucket, bucket))

    def __init__(self, conn: sqlite3.Connection, rules: config.LoanRules):
        self.conn = conn
        self.rules = rules

    @staticmethod
    def _bucket(now: datetime) -> str:
        return now.replace(minute=now.minute - now.minute % 15, second=0).strftime(
            "%Y-%m-%d %H:%M:%S"
        )

    def borrow(self, card: str, item: str, now: datetime) -> None:
        """Lend copy `item` to the reader with `card`, refusing as the rules would."""
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            reader = c.execute(
                "SELECT id, reader_group, blocked, expires FROM reader WHERE card_id = ?", (card,)
            ).fetchone()
            copy = c.execute(
                "SELECT id, loanable, status FROM copy WHERE accession = ?", (item,)
            ).fetchone()
            current = c.execute(
                "SELECT id FROM loan WHERE copy_id = ? AND returned_at IS NULL", (copy[0],)
            ).fetchone()
            held = c.execute(
                "SELECT count(*) FROM loan WHERE reader_id = ? AND returned_at IS NULL",
                (reader[0],),
            ).fetchone()[0]
            group = reader[1]
            if reader[2] or current or not copy[1] or held >= self.rules.limit[group]:
                raise RuntimeError(f"raw borrow refused: {card} {item}")
            due = now.date() + timedelta(days=self.rules.period_days[group])
            c.execute(
                "INSERT INTO loan (copy_id, reader_id, reader_group, out_at, due)"
                " VALUES (?, ?, ?, ?, ?)",
                (copy[0], reader[0], group, now.strftime("%Y-%m-%d %H:%M:%S"), due.isoformat()),
            )
            c.execute("UPDATE copy SET status = 'on_loan' WHERE id = ?", (copy[0],))
            self._count("loans", group, now)
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def return_item(self, item: str, now: datetime) -> None:
        """Take back copy `item`: close its loan, count it, put the copy back on the shelf."""
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            copy = c.execute("SELECT id, status FROM copy WHERE accession = ?", (item,)).fetchone()
            loan = c.execute(
                "SELECT id, reader_group FROM loan WHERE copy_id = ? AND returned_at IS NULL",
                (copy[0],),
            ).fetchone()
            if loan is None:
                raise RuntimeError(f"raw return: {item} was not on loan")
            stamp = now.strftime("%Y-%m-%d %H:%M:%S")
            c.execute("UPDATE loan SET returned_at = ? WHERE id = ?", (stamp, loan[0]))
            self._count("returns", loan[1], now)
            if copy[1] in ("on_loan", "missing", "lost"):
                c.execute("UPDATE copy SET status = 'available' WHERE id = ?", (copy[0],))
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise


@dataclass
class Latencies:
    """Milliseconds per transaction, by implementation and action."""

    kiosk_borrow: list[float] = field(default_factory=list)
    kiosk_return: list[float] = field(default_factory=list)
    raw_borrow: list[float] = field(default_factory=list)
    raw_return: list[float] = field(default_factory=list)


def _plan(path: Path, count: int, readers: int, seed: int) -> list[tuple[str, str]]:
    """(card, accession) pairs: distinct loanable copies, random readers."""
    conn = sqlite3.connect(path)
    items = [a for (a,) in conn.execute("SELECT accession FROM copy WHERE loanable = 1")]
    conn.close()
    rng = random.Random(seed)
    return [(data.card_id(rng.randint(1, readers)), a) for a in rng.sample(items, count)]


def _kiosk_pairs(
    desk: Desk, clock: FixedClock, plan: list[tuple[str, str]], out: Latencies | None
) -> None:
    """Borrow then return each planned copy through `Desk`, timing each call."""
    for card, item in plan:
        start = time.perf_counter()
        borrowed = desk.borrow(card, item)
        middle = time.perf_counter()
        clock.advance(seconds=7)
        returned = desk.return_item(item)
        end = time.perf_counter()
        clock.advance(seconds=7)
        if not (borrowed.ok and returned.ok):
            raise RuntimeError(f"kiosk refused {card} {item}: {borrowed.refusal}")
        if out is not None:
            out.kiosk_borrow.append((middle - start) * 1000)
            out.kiosk_return.append((end - middle) * 1000)


def _raw_pairs(
    raw: RawDesk, clock: FixedClock, plan: list[tuple[str, str]], out: Latencies | None
) -> None:
    """Borrow then return each planned copy through `RawDesk`, timing each call."""
    for card, item in plan:
        start = time.perf_counter()
        raw.borrow(card, item, clock.now())
        middle = time.perf_counter()
        clock.advance(seconds=7)
        raw.return_item(item, clock.now())
        end = time.perf_counter()
        clock.advance(seconds=7)
        if out is not None:
            out.raw_borrow.append((middle - start) * 1000)
            out.raw_return.append((end - middle) * 1000)


def run_circulation(
    path: Path, sizes: Sizes, rules: config.LoanRules, synchronous: str, seed: int
) -> Latencies:
    """Time `sizes.pairs` borrow+return pairs through Desk and through raw sqlite3."""
    open_database(path)
    db.execute_sql(f"PRAGMA synchronous = {synchronous}")
    raw = RawDesk(data.connect_raw(path, synchronous), rules)
    clock = FixedClock(data.NOW)
    desk = Desk(rules, clock)
    plan = _plan(path, 2 * (sizes.pairs + WARMUP), sizes.readers, seed)
    kiosk_plan, raw_plan = plan[0::2], plan[1::2]
    _kiosk_pairs(desk, clock, kiosk_plan[:WARMUP], None)
    _raw_pairs(raw, clock, raw_plan[:WARMUP], None)
    result = Latencies()
    for start in range(WARMUP, WARMUP + sizes.pairs, BLOCK):
        _kiosk_pairs(desk, clock, kiosk_plan[start : start + BLOCK], result)
        _raw_pairs(raw, clock, raw_plan[start : start + BLOCK], result)
    raw.conn.close()
    close_database()
    return result


def report_circulation(report: Report, lat: Latencies, mode: str, goal: bool) -> None:
    """Add p50/p99 rows for borrow and return; the 3x goal applies when `goal`."""
    pairs = [
        ("borrow", lat.kiosk_borrow, lat.raw_borrow),
        ("return", lat.kiosk_return, lat.raw_return),
    ]
    for action, kiosk, raw in pairs:
        for q in (50, 99):
            row = Row(f"{action} p{q} ms, {mode}", percentile(kiosk, q), percentile(raw, q))
            if goal:
                row.goal = f"<= {RATIO_GOAL:g}x raw"
                row.ok = row.ratio is not None and row.ratio <= RATIO_GOAL
            else:
                row.goal = "(info)"
            report.add(row)


# --------------------------------------------------------------------------- search

# (kind, query): folded, exact (with marks), two-word prefix, author.
QUERIES = [
    ("folded", "duong"),
    ("folded", "lang son"),
    ("folded", "cay hoi"),
    ("folded", "tay"),
    ("exact", "Đường"),
    ("exact", "Lạng Sơn"),
    ("exact", "hoà bình"),
    ("exact", "Nùng"),
    ("prefix", "ky thu"),
    ("prefix", "trong ng"),
    ("prefix", "truyen co"),
    ("prefix", "song ngu"),
    ("author", "Hoàng Văn"),
    ("author", "nong thi"),
    ("author", "Lương Minh Páo"),
    ("author", "Sở Nông nghiệp"),
]

LIKE_SQL = "SELECT id, title, author, year FROM title WHERE {where} ORDER BY title_key LIMIT ?"


def like_search(query: str, limit: int = 20) -> list[tuple]:
    """Baseline: every folded word as a LIKE '%word%' scan over title_key and author_key."""
    words = text.search_key(query).split()
    where = " AND ".join("(title_key LIKE ? OR author_key LIKE ?)" for _ in words)
    params: list[object] = []
    for word in words:
        params += [f"%{word}%", f"%{word}%"]
    return db.execute_sql(LIKE_SQL.format(where=where), (*params, limit)).fetchall()


@dataclass
class SearchTimes:
    """Milliseconds per query, by implementation, and the match counts by query."""

    kiosk: dict[str, list[float]] = field(default_factory=dict)
    like: dict[str, list[float]] = field(default_factory=dict)
    matches: dict[str, int] = field(default_factory=dict)

    def all(self, which: dict[str, list[float]]) -> list[float]:
        return [ms for values in which.values() for ms in values]


def run_search(path: Path, sizes: Sizes) -> SearchTimes:
    """Run the query mix through kiosk search and through the LIKE baseline, interleaved."""
    open_database(path)
    times = SearchTimes()
    for _, query in QUERIES:
        times.matches[query] = db.execute_sql(
            "SELECT count(*) FROM title_fts WHERE title_fts MATCH ?", (search.fts_query(query),)
        ).fetchone()[0]
        search.search(query)  # warm-up
        like_search(query)
    rounds = max(1, sizes.searches // len(QUERIES))
    for _ in range(rounds):
        for _, query in QUERIES:
            ms, hits = _timed(lambda q=query: search.search(q))
            if not hits:
                raise RuntimeError(f"search found nothing for {query!r}")
            times.kiosk.setdefault(query, []).append(ms * 1000)
            ms, _rows = _timed(lambda q=query: like_search(q))
            times.like.setdefault(query, []).append(ms * 1000)
    close_database()
    return times


def print_search_detail(times: SearchTimes) -> None:
    """Per-query p95 and how many titles each query matches."""
    log("\n  search detail (p95 ms per query; matches = titles matching in FTS)")
    log(f"  {'kind':7} {'query':20} {'matches':>8} {'kiosk':>8} {'LIKE':>8}")
    for kind, query in QUERIES:
        kiosk, like = percentile(times.kiosk[query], 95), percentile(times.like[query], 95)
        log(f"  {kind:7} {query:20} {times.matches[query]:8d} {kiosk:8.2f} {like:8.2f}")


# --------------------------------------------------------------------------- CSV import


@dataclass
class ImportTimes:
    """Seconds for the kiosk import, its phases, and the baselines."""

    kiosk: float = 0.0
    kiosk_read: float = 0.0  # _read_rows: decode, parse, clean and validate
    kiosk_unique: float = 0.0  # _check_unique
    kiosk_write: float = 0.0  # _write: ORM inserts, keys, merge, commit
    parse: float = 0.0  # csv.DictReader alone
    keys: float = 0.0  # title_keys for every row alone
    insert: float = 0.0  # raw executemany of the same rows, one transaction
    summary: ImportSummary | None = None


def _parse_only(path: Path) -> list[dict[str, str]]:
    """Baseline: read and parse the file with the csv module, nothing else."""
    content = path.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(content, newline="")))


def _title_tuple(n: int, r: dict[str, str], k: dict[str, str], stamp: str) -> tuple:
    """One `title` row for the raw insert baseline."""
    year = int(r["year"]) if r["year"] else None
    local = int(r["local_document"] in ("có", "yes"))
    return (
        n,
        r["title"],
        r["author"],
        r["publisher"],
        year,
        r["isbn"] or None,
        r["language"] or "vi",
        r["subjects"],
        local,
        stamp,
        k["title_key"],
        k["author_key"],
        k["exact_key"],
    )


def _raw_insert(path: Path, rows: list[dict[str, str]], keys: list[dict[str, str]]) -> None:
    """Baseline: insert the parsed rows (keys precomputed) with executemany, one transaction."""
    stamp = data.NOW.strftime("%Y-%m-%d %H:%M:%S")
    titles = [
        _title_tuple(n, r, k, stamp)
        for n, (r, k) in enumerate(zip(rows, keys, strict=True), start=1)
    ]
    copies = [
        (n, n, r["accession"], r["barcode"] or None, r["shelf"], int(r["loanable"] != "no"), stamp)
        for n, r in enumerate(rows, start=1)
    ]
    tags = [(uid, n) for n, r in enumerate(rows, start=1) for uid in r["tags"].split()]
    conn = data.connect_raw(path)
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO title (id, title, author, publisher, year, isbn, language, subjects,"
        " local_document, created_at, title_key, author_key, exact_key)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        titles,
    )
    conn.executemany(
        "INSERT INTO copy (id, title_id, accession, barcode, shelf, loanable, created_at)"
        " VALUES (?,?,?,?,?,?,?)",
        copies,
    )
    conn.executemany("INSERT INTO copy_tag (uid, copy_id) VALUES (?, ?)", tags)
    conn.execute("COMMIT")
    conn.close()


def _kiosk_phases(path: Path, csv_path: Path, times: ImportTimes) -> None:
    """Time import_csv's own phases on a fresh database (where the kiosk's time goes)."""
    open_database(path)
    problems: list = []
    raw = csv_path.read_bytes()
    times.kiosk_read, rows = _timed(lambda: _read_rows(raw, problems))
    times.kiosk_unique, _ = _timed(lambda: _check_unique(rows, problems))
    if problems:
        raise RuntimeError(f"generated CSV rejected: {problems[:3]}")

    def write() -> None:
        with db.atomic("IMMEDIATE"):
            _write(rows, ImportSummary(rows=len(rows)))

    times.kiosk_write, _ = _timed(write)
    close_database()


def run_import(workdir: Path, sizes: Sizes) -> ImportTimes:
    """Import the generated CSV through kiosk, then measure the baselines on the same file."""
    csv_path = workdir / "catalogue.csv"
    seconds, _ = _timed(lambda: data.write_catalog_csv(csv_path, sizes.csv_rows))
    log(f"  wrote {csv_path.name}: {sizes.csv_rows} rows in {seconds:.1f} s")
    times = ImportTimes()
    open_database(workdir / "import-kiosk.db")
    times.kiosk, times.summary = _timed(lambda: import_csv(csv_path))
    close_database()
    log(f"  import_csv: {times.kiosk:.1f} s ({times.summary})")
    _kiosk_phases(workdir / "import-phases.db", csv_path, times)
    times.parse, rows = _timed(lambda: _parse_only(csv_path))
    times.keys, keys = _timed(lambda: [title_keys(r["title"], r["author"]) for r in rows])
    raw_db = workdir / "import-raw.db"
    data.create_schema(raw_db)
    times.insert, _ = _timed(lambda: _raw_insert(raw_db, rows, keys))
    return times


def report_import(report: Report, times: ImportTimes, rows: int) -> None:
    """The import total beside parse + raw insert, and where each side's time goes."""
    base = times.parse + times.insert
    ok = times.kiosk < IMPORT_GOAL_S
    report.add(Row(f"CSV import {rows} rows, s", times.kiosk, base, f"< {IMPORT_GOAL_S:g} s", ok))
    report.add(Row("  read+validate / csv parse, s", times.kiosk_read, times.parse, "(info)"))
    report.add(Row("  unique check, s", times.kiosk_unique, None, "(info)"))
    report.add(Row("  write / raw executemany, s", times.kiosk_write, times.insert, "(info)"))
    report.add(Row("  of which key folding alone, s", times.keys, None, "(info)"))


# --------------------------------------------------------------------------- output


def machine_info() -> list[str]:
    """CPU, Python, SQLite and platform, for the record."""
    return [
        f"cpus: {os.cpu_count()}  ({platform.processor() or platform.machine()})",
        f"python: {platform.python_version()}  sqlite: {sqlite3.sqlite_version}",
        f"platform: {platform.platform()}",
    ]


def fsync_ms(workdir: Path, rounds: int = 50) -> float:
    """Median milliseconds to write 4 KB and fsync it in `workdir` (what a FULL commit pays)."""
    probe = workdir / "fsync.probe"
    times = []
    with probe.open("wb") as handle:
        for _ in range(rounds):
            start = time.perf_counter()
            handle.write(b"x" * 4096)
            handle.flush()
            os.fsync(handle.fileno())
            times.append((time.perf_counter() - start) * 1000)
    probe.unlink()
    return percentile(times, 50)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def describe(sizes: Sizes) -> str:
    """The sizes in one line."""
    return (
        f"{sizes.titles} titles, {sizes.copies} copies, {sizes.readers} readers, "
        f"{sizes.past_loans} past loans; {sizes.pairs} borrow+return pairs per side; "
        f"{sizes.searches} searches per side; CSV {sizes.csv_rows} rows"
    )


# --------------------------------------------------------------------------- main


def run(sizes: Sizes, workdir: Path) -> Report:
    """Every benchmark, in order, into one report."""
    report = Report(f"store benchmark, {sizes.label} sizes")
    rules = config.load(
        None, overrides={"kiosk": {"commune": "06001", "data_dir": str(workdir)}}
    ).loans
    library = workdir / "library.db"
    disk_ms = fsync_ms(workdir)
    log(f"fsync of 4 KB in the work dir: {disk_ms:.2f} ms (median)")

    log(f"[1/4] building the library database ({describe(sizes)})")
    build_s, _ = _timed(lambda: data.build_library(library, sizes))
    size_mb = library.stat().st_size / 1e6
    log(f"  built in {build_s:.1f} s, {size_mb:.0f} MB")
    report.add(Row("build library db (raw executemany), s", None, build_s, "(info)"))

    log("[2/4] circulation: Desk vs raw sqlite3, synchronous=FULL (kiosk pragmas, fsync)")
    report_circulation(report, run_circulation(library, sizes, rules, "full", 1), "FULL", True)
    log("      circulation again with synchronous=OFF (no fsync: CPU/query cost only)")
    report_circulation(report, run_circulation(library, sizes, rules, "off", 2), "OFF", False)

    log("[3/4] search: kiosk FTS5 search vs LIKE '%word%' scan")
    times = run_search(library, sizes)
    print_search_detail(times)
    kiosk95, like95 = percentile(times.all(times.kiosk), 95), percentile(times.all(times.like), 95)
    report.add(
        Row(f"search p95 ms, {sizes.titles} titles", kiosk95, like95, f"< {SEARCH_GOAL_MS:g} ms")
    )
    report.rows[-1].ok = kiosk95 < SEARCH_GOAL_MS

    log("[4/4] CSV import: import_csv vs csv parse + raw executemany")
    report_import(report, run_import(workdir, sizes), sizes.csv_rows)

    report.add(Row("peak RSS, MB", peak_rss_mb(), None, "(info)"))
    report.add(Row("fsync 4 KB in work dir (disk), ms", None, disk_ms, "(info)"))
    report.notes += [
        describe(sizes),
        "circulation baseline = same transaction in raw sqlite3 (same pragmas, same file);",
        "search baseline = LIKE '%word%' scan; CSV baseline = csv parse + raw executemany.",
        "ratio = kiosk / baseline; times in ms or s as labelled.",
    ]
    if sizes is data.QUICK:
        report.notes.insert(0, "QUICK MODE: reduced sizes, figures NOT comparable to the goals")
    return report


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run in a temporary directory, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced sizes, under a minute")
    parser.add_argument("--keep", action="store_true", help="keep the temporary databases")
    args = parser.parse_args(argv)
    sizes = data.QUICK if args.quick else data.FULL
    i18n.set_language("en")
    for line in machine_info():
        log(line)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    log(f"work dir: {tmp}")
    try:
        report = run(sizes, tmp)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    report.notes.append(f"total run time {time.perf_counter() - started:.0f} s")
    print_table(report)
    return 0 if all(row.ok is not False for row in report.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
