"""A small sd_notify client: tell systemd we are ready, alive, or what we are doing.

systemd passes a unix datagram socket in ``$NOTIFY_SOCKET`` (a path, or an abstract name
starting with ``@``) to services with ``Type=notify``; each datagram is newline-separated
``KEY=value`` lines. With ``WatchdogSec=`` set it also passes ``$WATCHDOG_USEC`` (and
``$WATCHDOG_PID``): the service must send ``WATCHDOG=1`` more often than that, or systemd
kills and restarts it. This is the protocol of sd_notify(3), written out so the kiosk does not
depend on python-systemd (not on PyPI as wheels; not in the venv).

Outside systemd (no ``$NOTIFY_SOCKET``) every call is a no-op returning False, so the same code
runs in a terminal, in the demo and in tests.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable

from kiosk.threads import Loop

log = logging.getLogger(__name__)

ENV_SOCKET = "NOTIFY_SOCKET"
ENV_WATCHDOG_USEC = "WATCHDOG_USEC"
ENV_WATCHDOG_PID = "WATCHDOG_PID"


def _address(value: str) -> str | bytes:
    """The socket address systemd gave: a leading '@' means the abstract namespace."""
    if value.startswith("@"):
        return b"\0" + value[1:].encode()
    return value


def notify(*lines: str) -> bool:
    """Send `lines` (e.g. "READY=1", "STATUS=...") in one datagram; True if sent.

    Never raises: a kiosk must keep lending books even if the notify socket misbehaves.
    """
    target = os.environ.get(ENV_SOCKET, "")
    if not target or not lines:
        return False
    message = "\n".join(lines).encode()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(_address(target))
            sock.sendall(message)
    except OSError as exc:
        log.warning("sd_notify to %s failed: %s", target, exc)
        return False
    return True


def _status(text: str) -> list[str]:
    # One datagram line per key: a newline in the status would start a bogus assignment.
    return [f"STATUS={' '.join(text.split())}"] if text else []


def ready(status: str = "") -> bool:
    """Start-up is complete (Type=notify units count as started from here)."""
    return notify("READY=1", *_status(status))


def ping(status: str = "") -> bool:
    """Keep-alive for WatchdogSec=; call it only when the service really works."""
    return notify("WATCHDOG=1", *_status(status))


def status(text: str) -> bool:
    """A one-line state shown by `systemctl status`."""
    return notify(*_status(text))


def stopping() -> bool:
    """The service is shutting down on purpose (no watchdog alarm meanwhile)."""
    return notify("STOPPING=1")


def interval() -> float | None:
    """Seconds between pings systemd expects (half its watchdog timeout, as sd_watchdog_enabled
    advises), or None when no watchdog is set for this process."""
    usec = os.environ.get(ENV_WATCHDOG_USEC, "")
    pid = os.environ.get(ENV_WATCHDOG_PID, "")
    if pid and pid != str(os.getpid()):
        return None  # inherited by a child: the watchdog is our parent's business
    try:
        timeout = int(usec) / 1_000_000
    except ValueError:
        return None
    return timeout / 2 if timeout > 0 else None


class Heartbeat:
    """Pings the watchdog from a thread while `healthy()` says so.

    For services without a UI loop (the uplink): when `healthy()` turns False the pings stop
    and systemd restarts the service after WatchdogSec. The touch-screen app pings from its
    Kivy clock instead, so a frozen UI stops the pings by itself.
    """

    def __init__(self, healthy: Callable[[], bool], every: float | None = None):
        self.healthy = healthy
        self.every = every if every is not None else interval()
        self._loop = Loop("watchdog", self._beat)

    def start(self) -> Heartbeat:
        """Start pinging (does nothing when systemd set no watchdog)."""
        if self.every:
            self._loop.start()
        return self

    def stop(self) -> None:
        """Stop pinging."""
        self._loop.stop()

    def _beat(self) -> float:
        """Ping now if healthy; the wait until the next beat."""
        if self.healthy():
            ping()
        else:
            log.error("unhealthy: no watchdog ping, systemd will restart the service")
        return self.every
