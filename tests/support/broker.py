"""A real Mosquitto broker for the tests, on a free loopback port, that can be killed and
restarted on the same port with its persistence intact."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    """Return once something accepts connections on the port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port}")


class Broker:
    """One mosquitto process with its own folder, config and port."""

    def __init__(
        self,
        folder: Path,
        extra_config: str = "",
        port: int | None = None,
        autosave_s: int = 1,
        head_config: str = "",
    ):
        self.folder = folder
        self.autosave_s = autosave_s  # large: a kill -9 loses what was queued since the start
        self.head_config = head_config  # before the first listener (per_listener_settings)
        self.port = port or free_port()
        self.config = folder / "mosquitto.conf"
        self.log = folder / "mosquitto.log"
        self.extra_config = extra_config
        self.process: subprocess.Popen | None = None

    def write_config(self) -> None:
        # As root, mosquitto would switch to its own user and could not read the test files.
        user = "user root\n" if os.geteuid() == 0 else ""
        self.config.write_text(
            user + self.head_config + f"listener {self.port} 127.0.0.1\n"
            f"persistence true\npersistence_location {self.folder}/\n"
            f"autosave_interval {self.autosave_s}\n"
            + (self.extra_config or "allow_anonymous true\n"),
            encoding="utf-8",
        )

    def start(self) -> Broker:
        """Start (or restart) the broker and wait until it listens."""
        self.write_config()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [MOSQUITTO, "-c", str(self.config)], stdout=log, stderr=subprocess.STDOUT
            )
        wait_for_port(self.port)
        return self

    def kill(self) -> None:
        """Kill -9: no goodbye to the clients, only what persistence saved survives."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        """A clean stop."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"
