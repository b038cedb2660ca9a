"""kiosk.watchdog against a real notify socket, and `kiosk uplink run` under it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kiosk import watchdog
from kiosk.telemetry.uplink import Uplink
from tests.support.broker import free_port


class NotifySocket:
    """What systemd listens on: a unix datagram socket; records each datagram."""

    def __init__(self, address: str | bytes):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.sock.settimeout(0.2)

    def messages(self, until: str, timeout: float = 10.0) -> list[str]:
        """Datagrams until one holds the line `until` (or the timeout)."""
        got: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                got.append(self.sock.recv(4096).decode())
            except TimeoutError:
                continue
            if until in got[-1].splitlines():
                break
        return got

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def notify_socket(tmp_path, monkeypatch):
    # a short path: sun_path holds 108 bytes
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"notify-{os.getpid()}-{id(tmp_path)}"
    listener = NotifySocket(str(path))
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    yield listener
    listener.close()
    path.unlink(missing_ok=True)


def test_ready_then_watchdog_on_a_real_socket(notify_socket):
    assert watchdog.ready("up and running")
    assert watchdog.ping()
    assert watchdog.status("two\nlines")
    assert watchdog.stopping()
    got = notify_socket.messages(until="STOPPING=1")
    assert got == ["READY=1\nSTATUS=up and running", "WATCHDOG=1", "STATUS=two lines", "STOPPING=1"]


def test_abstract_socket(monkeypatch):
    name = f"kiosk-test-{os.getpid()}"
    listener = NotifySocket(b"\0" + name.encode())
    monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
    try:
        assert watchdog.ready()
        assert listener.messages(until="READY=1") == ["READY=1"]
    finally:
        listener.close()


def test_without_systemd_nothing_happens(monkeypatch, tmp_path):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert watchdog.ready() is False and watchdog.ping() is False
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "gone"))
    assert watchdog.ping() is False  # a vanished socket is logged, never raised


def test_interval_is_half_the_timeout_for_this_process_only(monkeypatch):
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    assert watchdog.interval() == 15.0
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert watchdog.interval() == 15.0
    monkeypatch.setenv("WATCHDOG_PID", "1")  # inherited from a parent
    assert watchdog.interval() is None
    monkeypatch.setenv("WATCHDOG_USEC", "0")
    monkeypatch.delenv("WATCHDOG_PID")
    assert watchdog.interval() is None


def test_heartbeat_stops_pinging_when_unhealthy(notify_socket):
    healthy = threading.Event()
    healthy.set()
    beat = watchdog.Heartbeat(healthy.is_set, every=0.05).start()
    try:
        assert "WATCHDOG=1" in notify_socket.messages(until="WATCHDOG=1")
        healthy.clear()
        time.sleep(0.2)
        while True:  # drain what was sent before
            try:
                notify_socket.sock.recv(4096)
            except TimeoutError:
                break
        assert notify_socket.messages(until="WATCHDOG=1", timeout=0.5) == []
    finally:
        beat.stop()


def test_uplink_run_under_systemd_notify(notify_socket, tmp_path):
    """`kiosk uplink run` as kiosk-uplink.service starts it: READY=1, then WATCHDOG=1 every
    half WatchdogSec while its worker lives, STOPPING=1 on SIGTERM, exit 0. The broker is
    unreachable: the uplink keeps trying in the background, the service is still alive."""
    site = tmp_path / "kiosk.toml"
    site.write_text(
        f'[kiosk]\ncommune = "06001"\ndata_dir = "{tmp_path / "data"}"\n'
        f'[uplink]\nbroker_url = "mqtt://127.0.0.1:{free_port()}"\n'
    )
    env = {
        **os.environ,
        "KIOSK_CONFIG": str(site),
        "KIOSK_LANGUAGE": "en",
        "WATCHDOG_USEC": "400000",  # pings every 0.2 s
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "uplink", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        got = notify_socket.messages(until="READY=1", timeout=20)
        assert got and got[-1].startswith("READY=1\nSTATUS=not connected; 0 intervals waiting")
        pings = [m for m in notify_socket.messages(until="WATCHDOG=1") if "WATCHDOG=1" in m]
        pings += [m for m in notify_socket.messages(until="WATCHDOG=1") if "WATCHDOG=1" in m]
        assert len(pings) == 2
        process.send_signal(signal.SIGTERM)
        assert "STOPPING=1" in "\n".join(notify_socket.messages(until="STOPPING=1"))
        assert process.wait(15) == 0
    finally:
        if process.poll() is None:
            process.kill()
        output = process.communicate()[0].decode()
    assert "Traceback" not in output


class DeadWorkerUplink(Uplink):
    """The real Uplink, but its worker thread dies at once (as after an exception in it)."""

    stopped = False

    def _step(self) -> None:
        return None  # the worker's Loop ends at its first step

    def stop(self, timeout: float = 5.0) -> None:
        self.stopped = True
        super().stop(timeout)


def test_uplink_run_stops_pinging_and_exits_when_its_worker_dies(
    notify_socket, tmp_path, monkeypatch
):
    from kiosk import cli
    from kiosk.store.db import close_database
    from kiosk.telemetry import uplink

    monkeypatch.setattr(uplink, "Uplink", DeadWorkerUplink)
    monkeypatch.setenv("WATCHDOG_USEC", "200000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    site = tmp_path / "kiosk.toml"
    site.write_text(f'[kiosk]\ncommune = "06001"\ndata_dir = "{tmp_path / "data"}"\n')
    try:
        assert cli.main(["--config", str(site), "uplink", "run"]) == 1
    finally:
        close_database()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    got = notify_socket.messages(until="STOPPING=1", timeout=3)
    assert got[0].startswith("READY=1")
    assert got[-1] == "STOPPING=1"
    assert not [m for m in got if "WATCHDOG=1" in m]


def test_hub_run_under_systemd_notify_and_logs(notify_socket, tmp_path):
    """`kiosk hub run` as kiosk-hub.service (Type=notify, WatchdogSec=) starts it: READY=1,
    WATCHDOG=1 while its ingest thread lives, STOPPING=1 on SIGTERM; and it logs (the broker
    being unreachable is a log line, not silence)."""
    site = tmp_path / "hub.toml"
    site.write_text(
        f'[hub]\ndata_dir = "{tmp_path / "hub"}"\n'
        f'[broker]\nbroker_url = "mqtt://127.0.0.1:{free_port()}"\n'
    )
    env = {
        **os.environ,
        "KIOSK_HUB_CONFIG": str(site),
        "KIOSK_LANGUAGE": "en",
        "WATCHDOG_USEC": "400000",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "hub", "run", "--no-web", "--name", "test"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        got = notify_socket.messages(until="READY=1", timeout=20)
        assert got and got[-1].startswith("READY=1")
        pings = [m for m in notify_socket.messages(until="WATCHDOG=1") if "WATCHDOG=1" in m]
        assert pings
        time.sleep(1.5)  # paho's first connection attempt fails and is logged
        process.send_signal(signal.SIGTERM)
        assert "STOPPING=1" in "\n".join(notify_socket.messages(until="STOPPING=1"))
        assert process.wait(15) == 0
    finally:
        if process.poll() is None:
            process.kill()
        output = process.communicate()[0].decode()
    assert "Traceback" not in output
    assert "WARNING kiosk.hub.service: cannot reach the broker" in output, output
