"""Touch-UI benchmarks, each beside a baseline measured in the same run:

* cold start to first frame: ``kiosk`` app (imports, sample library excluded) vs a bare Kivy
  app with one label, each in a fresh process;
* tap-to-screen latency: a virtual tag placed on the emulated reader until the book is on
  the Borrow screen and a frame is drawn, vs the same tag until its event is on the queue
  (the reader and its 10 Hz poller alone);
* RSS over scripted borrow/return cycles (card, book, Finish, Done, Return, book, Done), the
  events put on the app's queue as the poller does; growth from the first to the last sample.

    .venv/bin/python -m bench.ui            # 1000 cycles, 100 taps
    .venv/bin/python -m bench.ui --quick    # 100 cycles, 30 taps

Goals (issue 4): first frame within 3 s, tap-to-screen p95 within 150 ms, RSS at most 150 MB
with no growth over the cycles. Runs on a private Xvfb when there is no display.
"""

from __future__ import annotations

import argparse
import contextlib
import queue
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/ui.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.demo import xvfb
from kiosk.screens import boot

FIRST_FRAME_GOAL_S, TAP_P95_GOAL_MS, RSS_GOAL_MB = 3.0, 150.0, 150.0

_COLD_KIOSK = """
import sys, time, tempfile, pathlib
t0 = float(sys.argv[1])
from kiosk.screens import boot; boot.configure((800, 480))
from kiosk.wiring import open_demo
t_a = time.time()
kiosk = open_demo(pathlib.Path(tempfile.mkdtemp()))  # the sample library: not the kiosk's start
t_b = time.time()
from kivy.core.window import Window
from kiosk.demo.driver import Driver
drawn = []
Window.bind(on_flip=lambda *a: drawn.append(time.time()))
d = Driver(kiosk.make_app(), kiosk.hardware).start()
rss = [l for l in open("/proc/self/status") if l.startswith("VmRSS")][0].split()[1]
print(drawn[0] - t0 - (t_b - t_a), int(rss) / 1024)
d.stop(); kiosk.close()
"""
_COLD_BARE = """
import sys, time
t0 = float(sys.argv[1])
from kiosk.screens import boot; boot.configure((800, 480))
from kivy.app import App
from kivy.base import EventLoop, runTouchApp
from kivy.core.window import Window
from kivy.uix.label import Label
drawn = []
Window.bind(on_flip=lambda *a: drawn.append(time.time()))
class Bare(App):
    def load_kv(self, *args, **kwargs): return False  # no .kv (and no source file)
    def build(self): return Label(text="Thư viện")
app = Bare(); app._run_prepare(); runTouchApp(embedded=True)
while not drawn: EventLoop.idle()
rss = [l for l in open("/proc/self/status") if l.startswith("VmRSS")][0].split()[1]
print(drawn[0] - t0, int(rss) / 1024)
"""


def cold_start(code: str, runs: int) -> tuple[float, float]:
    """Median seconds from process start to the first frame (sample library set-up excluded),
    and the RSS (MB) at that frame."""
    figures, rss = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code, repr(time.time())],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        figures.append(float(out[-2]))
        rss.append(float(out[-1]))
    return sorted(figures)[len(figures) // 2], sorted(rss)[len(rss) // 2]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def rss_mb() -> float:
    """Resident set size now (from /proc), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def taps(taps_count: int) -> tuple[list[float], list[float]]:
    """(tap-to-screen ms, tag-to-queue ms) for the same books."""
    from kivy.core.window import Window

    from kiosk.demo.driver import Driver, book_tag
    from kiosk.wiring import open_demo

    screen_ms, queue_ms = [], []
    with tempfile.TemporaryDirectory() as folder:
        kiosk = open_demo(Path(folder))
        driver = Driver(kiosk.make_app(), kiosk.hardware).start()
        drawn: list[float] = []
        Window.bind(on_flip=lambda *_a: drawn.append(time.perf_counter()))
        driver.press("borrow")
        driver.tap_card("reader")
        rig, reader = kiosk.hardware.rig, kiosk.hardware.tag_reader
        for n in range(taps_count):
            accession = f"LS-{n % 40 + 1:04d}"
            lines = len(driver.app.session.borrowed)
            drawn.clear()
            start = time.perf_counter()
            card = book_tag(accession)
            time.sleep(random.uniform(0, 0.1))  # a person taps at any phase of the 10 Hz poll
            start = time.perf_counter()
            rig.reader.place(card)
            # EventLoop.idle() runs the Clock (the event reaches the screen), then draws: the
            # frame showing the book is the last one drawn when the session has it.
            driver.wait_until(lambda lines=lines: len(driver.app.session.borrowed) > lines)
            driver.wait_until(lambda start=start: bool(drawn) and drawn[-1] >= start)
            screen_ms.append((drawn[-1] - start) * 1000)
            rig.reader.remove(card)
            driver.wait_until(lambda: reader.current is None)
            kiosk.services.desk.return_item(accession)
            driver.app.session.borrowed.clear()
        driver.stop()
        # Baseline: the reader and its poller alone (no UI): place until the event is queued.
        events: queue.Queue = kiosk.hardware.events
        while not events.empty():
            events.get()
        pump_owner = kiosk.hardware
        for n in range(taps_count):
            card = book_tag(f"LS-{n % 40 + 1:04d}")
            time.sleep(random.uniform(0, 0.1))
            start = time.perf_counter()
            rig.reader.place(card)
            events.get(timeout=5)
            queue_ms.append((time.perf_counter() - start) * 1000)
            rig.reader.remove(card)
            while pump_owner.tag_reader.current is not None:
                time.sleep(0.02)
        kiosk.close()
    return screen_ms, queue_ms


def cycles(count: int) -> list[tuple[int, float]]:
    """RSS samples (cycle, MB) over scripted borrow/return cycles."""
    from kiosk.demo import sample
    from kiosk.demo.driver import Driver
    from kiosk.hardware.interfaces import TagSeen, TagStatus
    from kiosk.wiring import open_demo

    def tag(uid_hex: str) -> TagSeen:
        return TagSeen(bytes.fromhex(uid_hex), "ntag", TagStatus.NOT_READ)

    samples = []
    with tempfile.TemporaryDirectory() as folder:
        kiosk = open_demo(Path(folder))
        kiosk.hardware.poller.stop()  # the queue is fed here, as the poller would
        driver = Driver(kiosk.make_app(), kiosk.hardware).start()
        app, events = driver.app, kiosk.events

        def send(event: TagSeen) -> None:
            handled = app.events_handled
            events.put(event)
            driver.wait_until(lambda: app.events_handled > handled)

        samples.append((0, rss_mb()))
        for n in range(1, count + 1):
            book = tag(sample.tag_uid(n % 40 + 1))
            driver.press("borrow")
            send(tag(sample.SAMPLE_CARDS["reader"]))
            send(book)
            driver.press("finish")
            driver.press("done")
            driver.press("return")
            send(book)
            driver.press("done")
            if n % max(1, count // 10) == 0:
                samples.append((n, rss_mb()))
        driver.stop()
        kiosk.close()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 cycles, 30 taps")
    args = parser.parse_args()
    n_cycles, n_taps, runs = (100, 30, 3) if args.quick else (1000, 100, 5)
    display = contextlib.nullcontext() if boot.has_display() else xvfb.virtual_display()
    with display:
        boot.configure((800, 480))
        (kiosk_s, kiosk_rss), (bare_s, bare_rss) = (
            cold_start(_COLD_KIOSK, runs),
            cold_start(_COLD_BARE, runs),
        )
        screen_ms, queue_ms = taps(n_taps)
        samples = cycles(n_cycles)
    label = " (quick)" if args.quick else ""
    print(f"UI benchmark{label}: {n_taps} taps, {n_cycles} borrow/return cycles\n")
    rows = [
        ("cold start to first frame (s, median)", kiosk_s, bare_s, FIRST_FRAME_GOAL_S),
        ("RSS at the first frame (MB)", kiosk_rss, bare_rss, None),
        ("tap to screen p50 (ms)", percentile(screen_ms, 50), percentile(queue_ms, 50), None),
        (
            "tap to screen p95 (ms)",
            percentile(screen_ms, 95),
            percentile(queue_ms, 95),
            TAP_P95_GOAL_MS,
        ),
        ("RSS after the cycles (MB)", samples[-1][1], bare_rss, RSS_GOAL_MB),
        ("RSS growth over the cycles (MB)", samples[-1][1] - samples[1][1], None, 0.0),
    ]
    print(f"{'figure':<40}{'kiosk':>10}{'baseline':>10}{'goal':>8}")
    for name, kiosk_value, base, goal in rows:
        cells = [f"{v:>10.2f}" if v is not None else f"{'':>10}" for v in (kiosk_value, base)]
        print(f"{name:<40}{''.join(cells)}{'' if goal is None else f'{goal:>8g}'}")
    print(
        "\nbaselines: a bare Kivy app with one label (start, RSS); the tag's event on the queue"
        " without any UI (latency). Growth: last sample minus the one after the first tenth."
    )


if __name__ == "__main__":
    main()
