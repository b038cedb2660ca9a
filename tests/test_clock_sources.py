"""Where time comes from: the code reads the wall clock in one place (kiosk.clock.SystemClock),
so every date can be pinned by handing over another clock; the tests never read it at all,
so none passes on one day and fails on another (as the December report did)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WALL_CLOCK = re.compile(r"\b(?:datetime|date)\.(?:now|today|utcnow)\b|\btime\.time\(\)")
SYSTEM_CLOCK = re.compile(r"\bSystemClock\(\)")


def sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def hits(pattern: re.Pattern[str], paths: list[Path]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in paths
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line) and not line.lstrip().startswith("#")
    ]


def test_the_code_reads_the_wall_clock_only_through_system_clock():
    code = [p for p in sources("kiosk") if p != ROOT / "kiosk" / "clock.py"]
    assert hits(WALL_CLOCK, code) == []


def test_the_tests_pin_the_time_they_mean():
    tests = [p for p in sources("tests") if p.name != Path(__file__).name]
    assert hits(WALL_CLOCK, tests) == []
    # SystemClock only where time-machine pins it (tests/test_calendar.py)
    assert {h.split(":")[0] for h in hits(SYSTEM_CLOCK, tests)} == {"tests/test_calendar.py"}


def test_the_checks_above_would_see_a_wall_clock_read():
    assert WALL_CLOCK.search("today = date.today()") and WALL_CLOCK.search("datetime.now()")
    assert WALL_CLOCK.search("default=datetime.now)") and WALL_CLOCK.search("t = time.time()")
    assert not WALL_CLOCK.search("clock.now()") and not WALL_CLOCK.search("time.monotonic()")
