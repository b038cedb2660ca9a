"""kiosk doctor's checks on fake /dev, /proc and /sys trees and on the emulated MFRC522."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.hardware import doctor
from kiosk.hardware.doctor import Status, System
from kiosk.hardware.emulator import Mfrc522Chip


def fake_pi(root: Path, model: str = "Raspberry Pi 4 Model B Rev 1.5") -> System:
    """A healthy Pi 4: SPI node, groups, genuine reader, a USB camera, synced clock."""
    (root / "dev").mkdir()
    (root / "dev" / "spidev0.0").touch()
    (root / "proc" / "device-tree").mkdir(parents=True)
    (root / "proc" / "device-tree" / "model").write_bytes(model.encode() + b"\0")
    for node, name in (("video0", "USB2.0 HD UVC WebCam"), ("video10", "bcm2835-codec-decode")):
        (root / "dev" / node).touch()
        (root / "sys" / "class" / "video4linux" / node).mkdir(parents=True)
        (root / "sys" / "class" / "video4linux" / node / "name").write_text(name + "\n")
    chip = Mfrc522Chip()
    return System(
        dev=root / "dev",
        proc=root / "proc",
        sys_root=root / "sys",
        access=lambda p, m: True,
        groups=lambda: {"pi", "spi", "gpio", "video"},
        installed=lambda name: False,
        open_spi=lambda path: lambda data: chip.spi_transfer(data),
        adjtimex=lambda: 0,  # TIME_OK
    )


def by_name(results: list[doctor.CheckResult]) -> dict[str, Status]:
    return {r.name: r.status for r in results}


def test_a_healthy_pi_passes(tmp_path: Path) -> None:
    results = doctor.run_checks(fake_pi(tmp_path))
    assert all(r.status is Status.OK for r in results), results
    assert not doctor.failed(results)
    camera = results[doctor.CHECKS.index(doctor.check_camera)]
    assert "UVC" in camera.message and "codec" not in camera.message  # codec nodes skipped


def test_spi_missing_and_not_accessible(tmp_path: Path) -> None:
    system = fake_pi(tmp_path)
    (tmp_path / "dev" / "spidev0.0").unlink()
    result = doctor.check_spi(system)
    assert result.status is Status.PROBLEM and "raspi-config" in result.fix
    (tmp_path / "dev" / "spidev0.0").touch()
    system.access = lambda p, m: m != os.R_OK | os.W_OK
    result = doctor.check_spi(system)
    assert result.status is Status.PROBLEM and "usermod -aG spi" in result.fix


def test_missing_groups_are_named(tmp_path: Path) -> None:
    system = fake_pi(tmp_path)
    system.groups = lambda: {"pi", "spi"}
    result = doctor.check_groups(system)
    assert result.status is Status.PROBLEM and "gpio" in result.message
    assert "spi" not in result.message.split(":")[-1]


@pytest.mark.parametrize(
    ("version", "status"),
    [(0x91, Status.OK), (0x92, Status.OK), (0x88, Status.WARNING), (0x12, Status.WARNING)],
)
def test_reader_version(tmp_path: Path, version: int, status: Status) -> None:
    system = fake_pi(tmp_path)
    chip = Mfrc522Chip(version=version)
    system.open_spi = lambda path: lambda data: chip.spi_transfer(data)
    result = doctor.check_reader(system)
    assert result.status is status
    assert f"0x{version:02X}" in result.message


def test_reader_not_connected(tmp_path: Path) -> None:
    system = fake_pi(tmp_path)
    chip = Mfrc522Chip()
    chip.set_reset_pin(False)  # held in power-down: MISO stays low, as with no chip at all
    system.open_spi = lambda path: lambda data: chip.spi_transfer(data)
    assert doctor.check_reader(system).status is Status.PROBLEM
    system.open_spi = lambda path: lambda data: [0xFF] * len(data)  # MISO floating high
    assert "wiring" in doctor.check_reader(system).fix


def test_no_camera_only_codec_nodes(tmp_path: Path) -> None:
    system = fake_pi(tmp_path)
    (tmp_path / "dev" / "video0").unlink()
    assert doctor.check_camera(system).status is Status.WARNING


def test_pi5_needs_rpi_lgpio(tmp_path: Path) -> None:
    system = fake_pi(tmp_path, "Raspberry Pi 5 Model B Rev 1.0")
    result = doctor.check_model(system)
    assert result.status is Status.PROBLEM and "rpi-lgpio" in result.fix
    system.installed = lambda name: name == "rpi-lgpio"
    assert doctor.check_model(system).status is Status.OK


def test_not_a_pi(tmp_path: Path) -> None:
    system = fake_pi(tmp_path)
    (tmp_path / "proc" / "device-tree" / "model").unlink()
    assert doctor.check_model(system).status is Status.WARNING


def test_unsynchronised_clock(tmp_path: Path) -> None:
    system = fake_pi(tmp_path)
    system.adjtimex = lambda: doctor.TIME_ERROR
    result = doctor.check_clock(system)
    assert result.status is Status.PROBLEM and "timedatectl" in result.fix
    assert doctor.failed(doctor.run_checks(system))


def test_real_adjtimex_answers_here() -> None:
    assert doctor._real_adjtimex() in range(0, 6)  # TIME_OK .. TIME_ERROR


def test_cli_exit_code_and_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KIOSK_LANGUAGE", "en")
    healthy = fake_pi(tmp_path)
    monkeypatch.setattr("kiosk.cli.doctor._system", lambda args: healthy)
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert out.count("[ok") == 6
    healthy.adjtimex = lambda: doctor.TIME_ERROR
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "[problem] Clock" in out and "Fix: " in out
