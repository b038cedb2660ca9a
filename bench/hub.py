"""Hub benchmark: counts messages ingested per second by the real HubService (validated,
deduplicated, stored in SQLite), beside a bare paho subscriber that only counts them on the same
shared subscription; then two hub workers sharing the subscription and the database.

    .venv/bin/python -m bench.hub            # 60 kiosks x 800 intervals, +5% duplicates
    .venv/bin/python -m bench.hub --quick    # 20 kiosks x 200 intervals, clearly labelled

The messages come from a separate publisher process (plain paho, QoS 1), so the measured
process holds only the consumer. See bench/README.md. Exit status 1 if a goal was missed.
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/hub.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from bench.table import Report, Row, log, print_table
from bench.uplink import (
    BUCKETS,
    BenchBroker,
    PlainPublisher,
    cpu_seconds,
    machine_info,
)
from kiosk import communes, counters, i18n
from kiosk.clock import Stamp
from kiosk.hub import config as hub_config
from kiosk.hub import registry
from kiosk.hub.config import HubConfig
from kiosk.hub.ingest import ACCEPTED, DUPLICATE
from kiosk.hub.models import open_hub_database
from kiosk.hub.service import HubService
from kiosk.telemetry import payloads

RATIO_GOAL = 0.3
RATE_GOAL = 2000.0  # msg/s with SQLite
DUPLICATES = 0.05  # share of extra messages that repeat an earlier one (a resend)
PUBLISH_WINDOW = 20  # the publisher's unacknowledged QoS 1 messages
ROUNDS = 2
STALL_S = 15.0  # a consumer that handles nothing for this long has stalled
PROVINCE = "20"


@dataclass(frozen=True)
class Sizes:
    """How many kiosks and intervals per kiosk."""

    kiosks: int
    intervals: int
    label: str


FULL = Sizes(60, 800, "FULL")
QUICK = Sizes(20, 150, "QUICK")


# --------------------------------------------------------------------------- the messages


@dataclass
class Stream:
    """What the publisher sends, in order, and what the hub should end up with."""

    messages: list[tuple[str, bytes]]
    unique: int
    duplicates: int
    interval_rows: int  # IntervalCount rows expected: one per (kiosk, interval, metric, group)
    kiosks: list[tuple[str, str]] = field(default_factory=list)  # (kiosk id, commune)

    @property
    def total(self) -> int:
        return len(self.messages)


def kiosk_ids(n: int) -> list[tuple[str, str]]:
    """One kiosk per commune of the province, for the first `n` communes."""
    codes = sorted(c.code for c in communes.all_communes().values() if c.province_code == PROVINCE)
    if n > len(codes):
        raise ValueError(f"only {len(codes)} communes in province {PROVINCE}")
    return [(f"{code}-01", code) for code in codes[:n]]


def counts_message(kiosk: str, commune: str, seq: int, rng: random.Random) -> tuple[str, bytes]:
    """One valid counts message of a closed interval, as a kiosk's uplink would send it."""
    step = timedelta(minutes=counters.INTERVAL_MINUTES)
    start = datetime(2026, 1, 5, 7, 30) + step * seq
    picked = sorted(rng.sample(BUCKETS, rng.randint(1, 6)))
    first = Stamp(start + timedelta(seconds=rng.randint(0, 899)), 900.0 * seq, "boot", True)
    sent = Stamp(start + step + timedelta(seconds=5), 900.0 * seq + 905, "boot", True)
    body = payloads.counts(
        kiosk,
        PROVINCE,
        commune,
        seq,
        start,
        counters.INTERVAL_MINUTES,
        [(m, g, rng.randint(1, 40)) for m, g in picked],
        first,
        sent,
        0,
    )
    return payloads.topic(PROVINCE, commune, kiosk, "counts"), payloads.encode(body)


def make_stream(sizes: Sizes, seed: int = 5) -> Stream:
    """Every kiosk's intervals interleaved (kiosk after kiosk, seq after seq), plus ~5% exact
    repeats of earlier messages, each placed a little later in the stream."""
    rng = random.Random(seed)
    kiosks = kiosk_ids(sizes.kiosks)
    messages = [
        counts_message(kiosk, commune, seq, rng)
        for seq in range(1, sizes.intervals + 1)
        for kiosk, commune in kiosks
    ]
    unique = len(messages)
    rows = sum(len(payloads_counts(m[1])) for m in messages)
    for _ in range(round(unique * DUPLICATES)):
        original = rng.randrange(unique)
        messages.insert(min(len(messages), original + rng.randint(1, 5000)), messages[original])
    return Stream(messages, unique, len(messages) - unique, rows, kiosks)


def payloads_counts(raw: bytes) -> list[Any]:
    """The `counts` list of an encoded counts payload."""
    return json.loads(raw)["counts"]


# --------------------------------------------------------------------------- the publisher


def publisher_main(path: str, port: int) -> int:
    """Child process: load the stream, connect, say "ready", wait for "go", publish it all
    (QoS 1, a window of PUBLISH_WINDOW), wait for every PUBACK, print the seconds taken."""
    messages = pickle.loads(Path(path).read_bytes())
    publisher = PlainPublisher(port, PUBLISH_WINDOW, client_id="bench-publisher")
    publisher.connect()
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.perf_counter()
    publisher.publish_all(messages)
    print(f"{time.perf_counter() - started:.3f}", flush=True)
    publisher.close()
    return 0


class Publisher:
    """The publisher process, ready to go."""

    def __init__(self, stream_file: Path, port: int):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.hub", "--publisher", str(stream_file), str(port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        assert self.process.stdout and self.process.stdin
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("the publisher did not start")

    def go(self) -> None:
        """Start publishing now."""
        assert self.process.stdin
        self.process.stdin.write("go\n")
        self.process.stdin.flush()

    def finish(self, timeout: float = 600) -> float:
        """Seconds the publisher took to have every message acknowledged."""
        out, _ = self.process.communicate(timeout=timeout)
        return float(out.strip().splitlines()[-1])


# --------------------------------------------------------------------------- the consumers


class BareSubscriber:
    """A paho client on the same shared subscription that only counts (auto PUBACK)."""

    def __init__(self, port: int, subscription: str, total: int):
        self.total = total
        self.count = 0
        self.done = threading.Event()
        self._subscribed = threading.Event()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id="bench-bare", protocol=MQTTProtocolVersion.MQTTv5
        )
        self.client.on_connect = lambda c, *a: c.subscribe(subscription, qos=1)
        self.client.on_subscribe = lambda *a: self._subscribed.set()
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port, keepalive=30)
        self.client.loop_start()
        if not self._subscribed.wait(10):
            raise RuntimeError("the bare subscriber could not subscribe")

    def _on_message(self, client: mqtt.Client, userdata: object, message: object) -> None:
        self.count += 1  # only paho's network thread writes it
        if self.count >= self.total:
            self.done.set()

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@dataclass
class Run:
    """One consumer run: time from the first publish to the last message stored/counted;
    `messages` is how many it handled (all of them unless it stalled)."""

    seconds: float
    messages: int
    cpu_s: float
    broker_cpu_s: float
    complete: bool = True
    received: int = 0  # distinct (kiosk, seq) rows in the hub database
    interval_rows: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    batches: int = 0

    @property
    def rate(self) -> float:
        return self.messages / self.seconds

    @property
    def mean_batch(self) -> float | None:
        return sum(self.outcomes.values()) / self.batches if self.batches else None


def hub_settings(data_dir: Path, broker_url: str = "mqtt://127.0.0.1:1883") -> HubConfig:
    """The hub's packaged defaults, in `data_dir`, against the bench broker."""
    return hub_config.load(
        None,
        overrides={
            # two workers share the load: the shared subscription (Mosquitto keeps it live)
            "hub": {"data_dir": str(data_dir), "province": PROVINCE, "subscription": "shared"},
            "broker": {"broker_url": broker_url, "username": "", "password": ""},
        },
    )


def build_hub_db(template_dir: Path, stream: Stream) -> Path:
    """A hub database with every kiosk of the stream registered (`registry.add`)."""
    config = hub_settings(template_dir)
    database = open_hub_database(config.database_url)
    for kiosk, commune in stream.kiosks:
        registry.add(config, kiosk, commune, datetime.now())
    database.close()
    return template_dir / "hub.db"


def _db_counts(db_file: Path) -> tuple[int, int]:
    """(received rows, interval count rows) in the hub database."""
    with sqlite3.connect(db_file) as conn:
        received = conn.execute("SELECT count(*) FROM received").fetchone()[0]
        rows = conn.execute("SELECT count(*) FROM interval_count").fetchone()[0]
    conn.close()
    return received, rows


def _counting_batches(service: HubService, tally: list[int]) -> None:
    """Count the ingestor's batches (the real method still does all the work)."""
    handle = service.ingestor.handle_batch

    def counted(messages: list, now: datetime) -> list[str]:
        tally[0] += 1
        return handle(messages, now)

    service.ingestor.handle_batch = counted  # type: ignore[method-assign]


def wait_progress(
    progress: Callable[[], int], done: Callable[[], bool], stall_s: float = STALL_S
) -> tuple[bool, float]:
    """Poll until `done()`, or until `progress()` has not moved for `stall_s` seconds; whether
    it is done, and the `perf_counter` time of the last progress seen (or of completion)."""
    seen, last = progress(), time.perf_counter()
    while not done():
        now = time.perf_counter()
        if (current := progress()) != seen:
            seen, last = current, now
        elif now - last > stall_s:
            return False, last
        time.sleep(0.01)
    return True, time.perf_counter()


def run_hub(workers: int, template: Path, workdir: Path, stream_file: Path, stream: Stream) -> Run:
    """HubService worker(s) on a fresh broker and a copy of the registered database; timed
    from the first publish until every message is handled and every (kiosk, seq) stored."""
    broker = BenchBroker(workdir / "broker").start()
    config = hub_settings(workdir / "hub", broker.url)
    config.data_dir.mkdir(parents=True)
    shutil.copy(template, config.data_dir / "hub.db")
    db_file = config.data_dir / "hub.db"
    database = open_hub_database(config.database_url)
    services = [HubService(config, f"bench-{i}") for i in range(workers)]
    tally = [0]
    for service in services:
        _counting_batches(service, tally)
        service.start()
    try:
        if not all(service.wait_subscribed() for service in services):
            raise RuntimeError("the hub could not subscribe")
        publisher = Publisher(stream_file, broker.port)

        def handled() -> int:
            return sum(sum(s.counts.values()) for s in services)

        def done() -> bool:
            return handled() >= stream.total and _db_counts(db_file)[0] >= stream.unique

        cpu0, broker0 = cpu_seconds(), broker.cpu_seconds()
        started = time.perf_counter()
        publisher.go()
        complete, last = wait_progress(handled, done)
        seconds = last - started
        cpu_s, broker_s = cpu_seconds() - cpu0, broker.cpu_seconds() - broker0
        publisher.finish()
    finally:
        for service in services:
            service.stop()
        database.close()
        broker.stop()
    outcomes: dict[str, int] = {}
    for service in services:
        for outcome, n in service.counts.items():
            outcomes[outcome] = outcomes.get(outcome, 0) + n
    received, rows = _db_counts(db_file)
    handled = sum(outcomes.values())  # fewer than published if it stalled
    return Run(seconds, handled, cpu_s, broker_s, complete, received, rows, outcomes, tally[0])


def run_bare(workdir: Path, stream_file: Path, stream: Stream) -> Run:
    """The bare subscriber on a fresh broker, timed from the first publish to the last
    message counted."""
    broker = BenchBroker(workdir / "broker").start()
    subscription = f"$share/hub/{payloads.ROOT}/#"
    subscriber = BareSubscriber(broker.port, subscription, stream.total)
    try:
        publisher = Publisher(stream_file, broker.port)
        cpu0, broker0 = cpu_seconds(), broker.cpu_seconds()
        started = time.perf_counter()
        publisher.go()
        complete, last = wait_progress(lambda: subscriber.count, subscriber.done.is_set)
        seconds = last - started
        cpu_s, broker_s = cpu_seconds() - cpu0, broker.cpu_seconds() - broker0
        publisher.finish()
    finally:
        subscriber.close()
        broker.stop()
    return Run(seconds, subscriber.count, cpu_s, broker_s, complete)


# --------------------------------------------------------------------------- report


def exactly_once(run: Run, stream: Stream) -> bool:
    """Every unique message stored once, every repeat recognised, nothing rejected."""
    return (
        run.complete
        and run.received == stream.unique
        and run.interval_rows == stream.interval_rows
        and run.outcomes.get(ACCEPTED, 0) == stream.unique
        and run.outcomes.get(DUPLICATE, 0) == stream.duplicates
        and sum(run.outcomes.values()) == stream.total
    )


def _median(runs: list[Run], attr: str) -> float:
    return statistics.median(getattr(run, attr) for run in runs)


def _us_per_message(runs: list[Run]) -> float:
    return statistics.median(r.cpu_s / r.messages * 1e6 for r in runs)


def summarise(report: Report, runs: dict[str, list[Run]], stream: Stream) -> None:
    """Goals on one worker's rate (relative and absolute); the rest for information, except
    the exactly-once checks."""
    one, two, bare = runs["hub"], runs["two"], runs["bare"]
    hub_rate, two_rate, bare_rate = (_median(r, "rate") for r in (one, two, bare))
    row = report.add(Row("1 hub worker, msg/s", hub_rate, bare_rate, f">= {RATIO_GOAL}x bare"))
    row.ok = all(r.complete for r in one) and (row.ratio or 0) >= RATIO_GOAL
    row = report.add(Row("1 hub worker, msg/s (absolute)", hub_rate, None, f">= {RATE_GOAL:g}"))
    row.ok = hub_rate >= RATE_GOAL
    report.add(Row("2 hub workers, msg/s", two_rate, bare_rate))
    report.add(Row("2 workers vs 1 worker, msg/s", two_rate, hub_rate))
    for label, side in (("1 worker", one), ("2 workers", two)):
        row = report.add(
            Row(
                f"{label}: (kiosk, seq) stored / unique",
                min(r.received for r in side),
                stream.unique,
                "exactly once",
            )
        )
        row.ok = all(exactly_once(r, stream) for r in side)
    report.add(
        Row("CPU per message, us (hub process)", _us_per_message(one), _us_per_message(bare))
    )
    report.add(Row("  2 workers", _us_per_message(two), _us_per_message(bare)))
    report.add(Row("mosquitto CPU, s", _median(one, "broker_cpu_s"), _median(bare, "broker_cpu_s")))
    batches = [r.mean_batch for r in one + two if r.mean_batch]
    report.add(Row("hub batch size, messages (mean)", statistics.median(batches), None))
    for i, (h, t, b) in enumerate(zip(one, two, bare, strict=True), 1):
        report.add(Row(f"  round {i}: 1 worker msg/s", h.rate, b.rate))
        report.add(Row(f"  round {i}: 2 workers msg/s", t.rate, b.rate))


def describe_run(side: str, run: Run) -> str:
    """One progress line."""
    extra = ""
    if run.outcomes:
        got = ", ".join(f"{k} {v}" for k, v in sorted(run.outcomes.items()))
        extra = f"; stored {run.received}, {got}, {run.batches} batches"
    state = "" if run.complete else f"  INCOMPLETE: stalled {STALL_S:g} s, time to last progress"
    return (
        f"  {side:9}: {run.seconds:6.2f} s, {run.rate:7.0f} msg/s, CPU {run.cpu_s:5.2f} s,"
        f" mosquitto {run.broker_cpu_s:5.2f} s{extra}{state}"
    )


def run(sizes: Sizes, rounds: int, workdir: Path) -> Report:
    """Build the stream and the registered database once, then alternate the three sides."""
    report = Report(f"hub benchmark, {sizes.label}: {sizes.kiosks} kiosks")
    log(f"[1/2] {sizes.kiosks} kiosks x {sizes.intervals} intervals, +{DUPLICATES:.0%} repeats")
    stream = make_stream(sizes)
    stream_file = workdir / "stream.pickle"
    stream_file.write_bytes(pickle.dumps(stream.messages))
    template = build_hub_db(workdir / "template", stream)
    sizes_note = (
        f"{stream.total} messages: {stream.unique} unique + {stream.duplicates} repeats,"
        f" {stream.interval_rows} interval rows, mean"
        f" {sum(len(m[1]) for m in stream.messages) / stream.total:.0f} bytes"
    )
    log(f"  {sizes_note}")
    log(f"[2/2] {rounds} rounds, sides alternating, a fresh broker and database each run")
    runs: dict[str, list[Run]] = {"hub": [], "two": [], "bare": []}
    for i in range(rounds):
        order = ["hub", "bare", "two"] if i % 2 == 0 else ["two", "bare", "hub"]
        for side in order:
            where = workdir / f"{side}{i}"
            if side == "bare":
                result = run_bare(where, stream_file, stream)
            else:
                workers = 1 if side == "hub" else 2
                result = run_hub(workers, template, where, stream_file, stream)
            runs[side].append(result)
            log(describe_run(side, result))
    summarise(report, runs, stream)
    report.notes += [
        sizes_note,
        "kiosk = kiosk.hub.service.HubService (validate, dedup, store; SQLite, WAL,",
        "  synchronous=FULL), first publish until every message handled and every (kiosk, seq)",
        "  in `received`; baseline = bare paho subscriber that only counts, same subscription.",
        f"Publisher: a separate process, plain paho, QoS 1, {PUBLISH_WINDOW} in flight. Fresh",
        "  Mosquitto per run (defaults: max_inflight_messages 20; max_queued_messages 0).",
        f"2 workers = two HubService instances in this process, same share group and DB file."
        f" Medians of {rounds} rounds.",
    ]
    return report


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run in a temporary directory, print the table."""
    if argv is None and len(sys.argv) == 4 and sys.argv[1] == "--publisher":
        return publisher_main(sys.argv[2], int(sys.argv[3]))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer kiosks and messages")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="runs per side")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    i18n.set_language("en")
    for line in machine_info():
        log(line)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-bench-hub-"))
    log(f"work dir: {tmp}")
    try:
        report = run(sizes, args.rounds, tmp)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    if args.quick:
        report.notes.insert(0, "QUICK MODE: reduced sizes, figures NOT comparable to the goals")
    report.notes.append(f"total run time {time.perf_counter() - started:.0f} s")
    print_table(report)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
