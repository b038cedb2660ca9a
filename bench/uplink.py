"""Uplink benchmark: drain an outbox backlog to a local Mosquitto through the real `Uplink`,
beside a plain paho publish loop of the same messages, measured in the same run.

    .venv/bin/python -m bench.uplink            # 100 000 outbox rows
    .venv/bin/python -m bench.uplink --quick    # 10 000 rows, clearly labelled

See bench/README.md for what each figure means. Exit status 1 if a goal was missed.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/uplink.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import paho.mqtt
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from bench.table import Report, Row, log, print_table
from kiosk import config, counters, i18n
from kiosk.clock import Stamp, SystemClock
from kiosk.store import outbox
from kiosk.store.db import close_database, open_database
from kiosk.telemetry import payloads
from kiosk.telemetry.uplink import WINDOW, Uplink
from tests.support.broker import Broker

RATIO_GOAL = 0.5
FULL_ROWS, QUICK_ROWS = 100_000, 10_000
ROUNDS = 2  # each side runs this many times, alternating kiosk/plain, plain/kiosk, ...
COMMUNE, KIOSK_ID = "06001", "06001-01"
BOOT = "bench-boot"  # not this boot: no row counts as "young" for coalescing
# (metric, reader group) pairs a busy interval may hold; each row gets 1-6 of them
BUCKETS = [
    ("visits_door", ""),
    ("visits_card", "adult"),
    ("visits_card", "child"),
    ("loans", "adult"),
    ("loans", "child"),
    ("loans", "elder"),
    ("returns", "adult"),
    ("returns", "child"),
    ("renewals", "adult"),
    ("searches", ""),
    ("new_readers", "child"),
    ("refused_limit_reached", "adult"),
]


# --------------------------------------------------------------------------- reporting


def machine_info() -> list[str]:
    """CPU count, load, Python, SQLite, paho and Mosquitto versions."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"cpus {os.cpu_count()}, load average {load}; Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, paho-mqtt {paho.mqtt.__version__}",
    ]


def cpu_seconds() -> float:
    """User + system CPU time of this whole process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def wait_until(condition: Callable[[], bool], timeout: float, step: float = 0.005) -> bool:
    """Poll until `condition()` holds; False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


# --------------------------------------------------------------------------- the broker


class BenchBroker(Broker):
    """The tests' Mosquitto, without persistence and with no cap on queued messages (a slow
    subscriber must not lose QoS 1 messages), plus any `extra` settings."""

    def __init__(self, folder: Path, extra: str = ""):
        folder.mkdir(parents=True, exist_ok=True)
        super().__init__(folder)
        self.extra = extra

    def write_config(self) -> None:
        user = "user root\n" if os.geteuid() == 0 else ""
        self.config.write_text(
            f"{user}listener {self.port} 127.0.0.1\npersistence false\nallow_anonymous true\n"
            f"max_queued_messages 0\n{self.extra}",
            encoding="utf-8",
        )

    def cpu_seconds(self) -> float:
        """User + system CPU time of the mosquitto process so far."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- the backlog


@dataclass(frozen=True)
class Interval:
    """One closed interval of the backlog: its start, its counts, its first event's stamp."""

    seq: int
    start: datetime
    counts: list[tuple[str, str, int]]
    first: Stamp


def make_intervals(n: int, seed: int = 5) -> list[Interval]:
    """`n` consecutive 15-minute intervals ending before now, each with 1-6 counters."""
    rng = random.Random(seed)
    step = timedelta(minutes=counters.INTERVAL_MINUTES)
    first_start = counters.interval_start(datetime.now()) - step * (n + 1)
    intervals = []
    for i in range(n):
        start = first_start + step * i
        picked = sorted(rng.sample(BUCKETS, rng.randint(1, 6)))
        counts = [(m, g, rng.randint(1, 40)) for m, g in picked]
        wall = start + timedelta(seconds=rng.randint(0, 899))
        intervals.append(Interval(i + 1, start, counts, Stamp(wall, 1000.0 + 900 * i, BOOT, True)))
    return intervals


def build_kiosk_db(path: Path, intervals: list[Interval]) -> None:
    """The kiosk database with the real migrations, then the backlog by raw executemany: one
    pending outbox row (empty payload) per interval and its counter buckets, as `counters.bump`
    would have left them."""
    open_database(path)
    close_database()
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO outbox (seq, topic, payload, created_at, monotonic, clock_synced,"
            " interval_start, boot_id, state) VALUES (?, 'counts', '', ?, ?, 1, ?, ?, 'pending')",
            [(i.seq, str(i.first.wall), i.first.mono, str(i.start), BOOT) for i in intervals],
        )
        conn.executemany(
            "INSERT INTO counter_bucket (interval_start, metric, reader_group, count)"
            " VALUES (?, ?, ?, ?)",
            [(str(i.start), m, g, n) for i in intervals for m, g, n in i.counts],
        )
    conn.close()


def kiosk_config(data_dir: Path, broker_url: str) -> config.Config:
    """A kiosk whose outbox bounds keep the whole backlog (the defaults keep 50 000 rows and
    400 days; 100 000 intervals are almost 3 years)."""
    return config.load(
        None,
        overrides={
            "kiosk": {"commune": COMMUNE, "id": KIOSK_ID, "data_dir": str(data_dir)},
            "uplink": {
                "broker_url": broker_url,
                "outbox_max_rows": 10_000_000,
                "outbox_max_days": 3650,
                "sent_keep_days": 365,
            },
        },
    )


def plain_messages(kiosk: config.Config, intervals: list[Interval]) -> list[bytes]:
    """The same counts payloads the uplink freezes (only the `sent` stamp differs)."""
    sent = SystemClock().stamp()
    return [
        payloads.encode(
            payloads.counts(
                kiosk.kiosk_id,
                kiosk.province,
                kiosk.commune,
                i.seq,
                i.start,
                counters.INTERVAL_MINUTES,
                i.counts,
                i.first,
                sent,
                0,
            )
        )
        for i in intervals
    ]


# --------------------------------------------------------------------------- the two sides


@dataclass
class Run:
    """One drain: how long, how much CPU here and in the broker, payload bytes."""

    seconds: float
    cpu_s: float
    broker_cpu_s: float
    messages: int
    mean_bytes: float

    @property
    def rate(self) -> float:
        return self.messages / self.seconds


def run_uplink(template: Path, workdir: Path, broker: BenchBroker, rows: int) -> Run:
    """Copy the backlog, start the real Uplink and time it until every row is PUBACKed
    (outbox depth 0)."""
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    kiosk = kiosk_config(workdir, broker.url)
    shutil.copy(template, kiosk.db_path)
    open_database(kiosk.db_path)
    assert outbox.depth() == rows
    uplink = Uplink(kiosk, SystemClock(), lambda: {"rfid": "ok", "scanner": "ok"})
    cpu0, broker0 = cpu_seconds(), broker.cpu_seconds()
    started = time.perf_counter()
    uplink.start()
    drained = wait_until(lambda: uplink.acked >= rows and outbox.depth() == 0, timeout=1800)
    seconds = time.perf_counter() - started
    cpu_s, broker_s = cpu_seconds() - cpu0, broker.cpu_seconds() - broker0
    uplink.stop()
    if not drained:
        raise RuntimeError(f"the uplink did not drain: {uplink.acked} of {rows} acknowledged")
    mean = outbox.db.execute_sql("SELECT avg(length(CAST(payload AS BLOB))) FROM outbox")
    mean_bytes = mean.fetchone()[0]
    close_database()
    return Run(seconds, cpu_s, broker_s, uplink.sent, mean_bytes)


class PlainPublisher:
    """A plain paho loop: QoS 1, at most `window` unacknowledged, waits for every PUBACK."""

    def __init__(self, port: int, window: int = WINDOW, client_id: str = "bench-plain"):
        self.port = port
        self._window = threading.Semaphore(window)
        self._acked = 0
        self._total = 0
        self._done = threading.Event()
        self._lock = threading.Lock()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=MQTTProtocolVersion.MQTTv5
        )
        self.client.max_inflight_messages_set(window)
        self.client.on_publish = self._on_publish

    def _on_publish(self, client: mqtt.Client, userdata: object, mid: int, *rest: object) -> None:
        self._window.release()
        with self._lock:
            self._acked += 1
            if self._acked == self._total:
                self._done.set()

    def connect(self) -> None:
        """Connect (blocking) and start paho's network thread."""
        self.client.connect("127.0.0.1", self.port, keepalive=30)
        self.client.loop_start()

    def publish_all(self, messages: list[tuple[str, bytes]], timeout: float = 1800) -> None:
        """Publish every (topic, payload) and return once the broker acknowledged them all."""
        self._acked, self._total = 0, len(messages)
        self._done.clear()
        for topic, payload in messages:
            self._window.acquire()
            self.client.publish(topic, payload, qos=1)
        if not self._done.wait(timeout):
            raise RuntimeError(f"plain publisher: {self._acked} of {self._total} acknowledged")

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def run_plain(topic: str, messages: list[bytes], broker: BenchBroker) -> Run:
    """The same messages through a plain paho publish loop (same window of 20)."""
    publisher = PlainPublisher(broker.port)
    publisher.connect()
    batch = [(topic, m) for m in messages]
    cpu0, broker0 = cpu_seconds(), broker.cpu_seconds()
    started = time.perf_counter()
    publisher.publish_all(batch)
    seconds = time.perf_counter() - started
    cpu_s, broker_s = cpu_seconds() - cpu0, broker.cpu_seconds() - broker0
    publisher.close()
    mean_bytes = sum(map(len, messages)) / len(messages)
    return Run(seconds, cpu_s, broker_s, len(messages), mean_bytes)


# --------------------------------------------------------------------------- main


def _median(runs: list[Run], attr: str) -> float:
    return statistics.median(getattr(run, attr) for run in runs)


def summarise(report: Report, kiosk: list[Run], plain: list[Run], rows: int) -> None:
    """The table rows: the goal on throughput, the rest for information."""
    k_rate, p_rate = _median(kiosk, "rate"), _median(plain, "rate")
    row = report.add(Row(f"drain {rows} rows, msgs/s", k_rate, p_rate, f">= {RATIO_GOAL}x"))
    row.ok = row.ratio is not None and row.ratio >= RATIO_GOAL
    report.add(Row("drain time, s", _median(kiosk, "seconds"), _median(plain, "seconds")))
    report.add(Row("CPU of this process, s", _median(kiosk, "cpu_s"), _median(plain, "cpu_s")))
    k_us = statistics.median(r.cpu_s / r.messages * 1e6 for r in kiosk)
    p_us = statistics.median(r.cpu_s / r.messages * 1e6 for r in plain)
    report.add(Row("CPU per message, us", k_us, p_us))
    report.add(
        Row("mosquitto CPU, s", _median(kiosk, "broker_cpu_s"), _median(plain, "broker_cpu_s"))
    )
    report.add(Row("payload, bytes (mean)", _median(kiosk, "mean_bytes"), plain[0].mean_bytes))
    for i, (k, p) in enumerate(zip(kiosk, plain, strict=True), 1):
        report.add(Row(f"  round {i} msgs/s", k.rate, p.rate))


def run(rows: int, rounds: int, workdir: Path) -> Report:
    """Build the backlog once, then drain it `rounds` times per side, alternating."""
    report = Report(f"uplink benchmark, {rows} outbox rows")
    broker = BenchBroker(workdir / "broker").start()
    try:
        log(f"[1/2] building the backlog: {rows} closed intervals, 15 minutes apart")
        intervals = make_intervals(rows)
        template = workdir / "template.db"
        started = time.perf_counter()
        build_kiosk_db(template, intervals)
        log(f"  built in {time.perf_counter() - started:.1f} s")
        kiosk = kiosk_config(workdir / "k", broker.url)
        messages = plain_messages(kiosk, intervals)
        topic = payloads.topic(kiosk.province, kiosk.commune, kiosk.kiosk_id, "counts")
        log(f"[2/2] draining, {rounds} rounds per side, alternating (Mosquitto {broker.url})")
        kiosk_runs, plain_runs = [], []
        for i in range(rounds):
            order = ("kiosk", "plain") if i % 2 == 0 else ("plain", "kiosk")
            for side in order:
                if side == "kiosk":
                    kiosk_runs.append(run_uplink(template, workdir / f"k{i}", broker, rows))
                    result = kiosk_runs[-1]
                else:
                    plain_runs.append(run_plain(topic, messages, broker))
                    result = plain_runs[-1]
                log(
                    f"  round {i + 1} {side:5}: {result.seconds:7.2f} s, {result.rate:8.0f} msg/s,"
                    f" CPU {result.cpu_s:6.2f} s, mosquitto CPU {result.broker_cpu_s:5.2f} s"
                )
    finally:
        broker.stop()
    summarise(report, kiosk_runs, plain_runs, rows)
    report.notes += [
        f"kiosk = kiosk.telemetry.uplink.Uplink draining {rows} pending rows (start() until",
        "  outbox depth 0, every row PUBACKed); baseline = plain paho loop, same payloads,",
        f"  QoS 1, MQTT 5, {WINDOW} in flight, waits for every PUBACK. Medians of {rounds} rounds.",
        "Local Mosquitto on loopback, no TLS; CPU = this process (getrusage), excluding mosquitto.",
    ]
    return report


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run in a temporary directory, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS} rows instead")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="runs per side")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    rows = QUICK_ROWS if args.quick else FULL_ROWS
    i18n.set_language("en")
    for line in machine_info():
        log(line)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-bench-uplink-"))
    log(f"work dir: {tmp}")
    try:
        report = run(rows, args.rounds, tmp)
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
