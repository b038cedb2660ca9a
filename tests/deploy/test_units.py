"""The systemd units: `systemd-analyze verify` finds nothing, and kiosk.service is hardened.

There is no systemd running as PID 1 here: verify runs offline with --root on a temporary tree
holding the distribution's units (for the targets ours name) and stubs of the ExecStart
programs (verify insists they exist); `security --offline=true` (systemd 252 has it) rates the
unit files themselves.
"""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.conftest import REPO

UNITS = sorted(p.name for p in (REPO / "systemd").iterdir() if p.suffix in (".service", ".timer"))
SYSTEM_UNITS = Path("/usr/lib/systemd/system")
MAX_EXPOSURE = 4.0


@pytest.fixture(scope="module")
def unit_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("unit-root")
    shutil.copytree(SYSTEM_UNITS, root / "usr/lib/systemd/system", symlinks=True)
    system = root / "etc/systemd/system"
    system.mkdir(parents=True)
    for unit in UNITS:
        shutil.copy(REPO / "systemd" / unit, system / unit)
    stub = root / "opt/kiosk/venv/bin/kiosk"
    stub.parent.mkdir(parents=True)
    stub.write_text("#!/bin/sh\n")
    stub.chmod(0o755)
    return root


def test_every_unit_is_there():
    assert UNITS == [
        "kiosk-backup.service",
        "kiosk-backup.timer",
        "kiosk-hub.service",
        "kiosk-uplink.service",
        "kiosk.service",
    ]


@pytest.mark.parametrize("unit", UNITS)
def test_systemd_analyze_verify(unit_root, unit):
    result = subprocess.run(
        ["systemd-analyze", "verify", f"--root={unit_root}", "--man=no", unit],
        capture_output=True,
        text=True,
    )
    # verify exits 0 on unknown keys and only warns: any output is a finding
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_verify_catches_what_it_should(unit_root):
    """The check above is not blind: a typo and a missing program are reported."""
    broken = unit_root / "etc/systemd/system/broken.service"
    broken.write_text("[Service]\nExecStart=/opt/kiosk/venv/bin/nope\nWatchdogSecs=30\n")
    result = subprocess.run(
        ["systemd-analyze", "verify", f"--root={unit_root}", "--man=no", "broken.service"],
        capture_output=True,
        text=True,
    )
    assert "Unknown key 'WatchdogSecs'" in result.stderr
    assert "is not executable" in result.stderr
    broken.unlink()


def exposure(unit: str) -> float:
    result = subprocess.run(
        [
            "systemd-analyze",
            "security",
            "--offline=true",
            "--no-pager",
            str(REPO / "systemd" / unit),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)
    assert match, result.stdout
    return float(match.group(1))


@pytest.mark.parametrize("unit", [u for u in UNITS if u.endswith(".service")])
def test_security_exposure(unit):
    level = exposure(unit)
    print(f"{unit}: exposure {level}")
    assert level <= MAX_EXPOSURE


def test_kiosk_service_exposure_is_what_we_report():
    # the figure in the report; a change to the hardening shows up here
    assert exposure("kiosk.service") == pytest.approx(1.6)


def unit_file(name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(REPO / "systemd" / name)
    return parser


def multi(name: str, section: str, key: str) -> list[str]:
    """Every value of a key that may repeat (configparser keeps the last one only)."""
    values, current = [], None
    for line in (REPO / "systemd" / name).read_text().splitlines():
        if line.startswith("["):
            current = line.strip("[]")
        elif current == section and line.startswith(key + "="):
            values.append(line.split("=", 1)[1])
    return values


def test_kiosk_service_contract():
    unit = unit_file("kiosk.service")
    service = unit["Service"]
    assert service["Type"] == "notify"
    assert service["WatchdogSec"] == "30"
    assert service["Restart"] == "always"
    assert unit["Unit"]["StartLimitIntervalSec"] == "0"  # never "failed" for good
    assert service["User"] == "kiosk"
    assert service["ExecStart"] == "/opt/kiosk/venv/bin/kiosk run"
    assert service["StateDirectory"] == "kiosk"
    assert service["ProtectSystem"] == "strict"
    assert service["DevicePolicy"] == "closed"
    assert service["CapabilityBoundingSet"] == ""
    allowed = {value.split()[0] for value in multi("kiosk.service", "Service", "DeviceAllow")}
    assert {"char-spi", "char-gpiochip", "/dev/gpiomem", "char-drm", "char-input"} <= allowed
    env = dict(v.split("=", 1) for v in multi("kiosk.service", "Service", "Environment"))
    assert env["SDL_VIDEODRIVER"] == "kmsdrm"
    assert env["KIVY_WINDOW"] == "sdl2"
    assert env["KIVY_HOME"].startswith("%S/kiosk")  # ProtectHome: no ~/.kivy


def test_backup_timer_is_nightly_and_catches_up():
    timer = unit_file("kiosk-backup.timer")["Timer"]
    assert timer["OnCalendar"] == "*-*-* 02:30"
    assert timer["Persistent"] == "true"
    backup = unit_file("kiosk-backup.service")["Service"]
    assert backup["ExecStart"].startswith("/opt/kiosk/venv/bin/kiosk backup run")
    # retention is its own nightly step, before the backup (opening the store forgets nothing)
    assert backup["ExecStartPre"] == "/opt/kiosk/venv/bin/kiosk reader forget-old-loans"
    assert backup["User"] == "kiosk"
