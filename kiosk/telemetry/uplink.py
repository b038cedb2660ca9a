"""The uplink: sends the outbox to the provincial broker with paho-mqtt, off the UI thread.

MQTT 5, QoS 1, `connect_async` + `loop_start` (paho reconnects by itself with a backoff), one
username and password per kiosk, TLS for mqtts://. A retained "online" status, with "offline"
as the last will. Counts go out in sequence order, at most `WINDOW` unacknowledged at once; an
outbox row is deleted only when its PUBACK arrives. A worker thread owns the outbox: it
freezes and publishes rows, applies the acknowledgements paho reports, sends health figures
and keeps the outbox bounded. Nothing here ever waits on the network in a caller's thread.
"""

from __future__ import annotations

import logging
import queue
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import MQTTErrorCode

from kiosk import __version__, counters
from kiosk.clock import Clock, Stamp, SystemClock
from kiosk.config import Config
from kiosk.i18n import _
from kiosk.store import outbox
from kiosk.store.db import close_database
from kiosk.telemetry import payloads
from kiosk.telemetry.mqtt import address, new_client
from kiosk.threads import Loop

log = logging.getLogger(__name__)

WINDOW = 20  # unacknowledged messages in flight
FREEZE_AHEAD = 200  # rows frozen per durable commit
TICK_S = 1.0
PRUNE_EVERY_S = 600
DeviceStates = Callable[[], dict[str, str]]  # {"rfid": "ok", "scanner": "missing"}


def cpu_temperature() -> float | None:
    """The SoC temperature in °C, if the board reports one."""
    path = Path("/sys/class/thermal/thermal_zone0/temp")
    try:
        return round(int(path.read_text()) / 1000, 1)
    except (OSError, ValueError):
        return None


class Uplink:
    """Publishes the outbox, health and status of one kiosk; `start()` then `stop()`."""

    def __init__(
        self, config: Config, clock: Clock | None = None, devices: DeviceStates | None = None
    ):
        self.config = config
        self.clock = clock or SystemClock()
        self.devices = devices or (lambda: {})
        self._acks: queue.Queue[tuple[int, bool]] = queue.Queue()
        self._resends: queue.Queue[list[int]] = queue.Queue()
        self._connected = threading.Event()
        self._session = 0  # bumped at every (re)connection: in-flight messages are void
        self._inflight: dict[int, int] = {}  # mid -> seq, for the current session
        self._ready: deque[tuple[int, str]] = deque()  # frozen rows not yet published
        self._lock = threading.Lock()  # guards _inflight and _ready
        self._started = time.monotonic()
        self.sent = self.acked = self.refused = 0
        self._client = self._make_client()
        # The kiosk must keep lending books whatever happens here: an error ends this thread
        # (logged; `alive` turns False and the watchdog heartbeat stops), never the kiosk.
        self._worker = Loop("uplink", self._step, retry_s=None, finish=close_database)
        self._seen_session, self._next_health, self._next_prune = -1, 0.0, 0.0

    def topic(self, kind: str) -> str:
        """This kiosk's topic for one kind of message."""
        c = self.config
        return payloads.topic(c.province, c.commune, c.kiosk_id, kind)

    def _status(self, state: str, stamped: bool = True) -> bytes:
        c = self.config
        stamp = self.clock.stamp() if stamped else None
        return payloads.encode(
            payloads.status(c.kiosk_id, c.province, c.commune, state, stamp, __version__)
        )

    def _make_client(self) -> mqtt.Client:
        up = self.config.uplink
        client = new_client(
            self.config.kiosk_id,
            up.broker_url,
            up.username,
            up.password,
            up.ca_file,
            up.cert_file,
            up.key_file,
        )
        client.will_set(
            self.topic("status"), self._status("offline", stamped=False), qos=1, retain=True
        )
        client.max_inflight_messages_set(WINDOW)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_publish = self._on_publish
        client.on_message = self._on_message
        return client

    # paho's network thread ------------------------------------------------------------

    def _on_connect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, properties: Any
    ) -> None:
        if reason.is_failure:
            log.warning("broker refused the connection: %s", reason)
            return
        log.info("connected to the broker")
        client.subscribe(self.topic("resend"), qos=1)
        client.publish(self.topic("status"), self._status("online"), qos=1, retain=True)
        self._session += 1
        self._connected.set()
        self._worker.wake()

    def _on_disconnect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, properties: Any
    ) -> None:
        self._connected.clear()
        self._worker.wake()

    def _on_publish(
        self, client: mqtt.Client, userdata: Any, mid: int, reason: Any, properties: Any
    ) -> None:
        self._acks.put((mid, not reason.is_failure))
        # Refill the window at once, as a plain publish loop would: waiting for the worker to
        # wake costs a round trip per window. Never block here (paho holds its own locks).
        if self._lock.acquire(blocking=False):
            try:
                self._send_ready()
            finally:
                self._lock.release()
        self._worker.wake()

    def _on_message(self, client: mqtt.Client, userdata: Any, message: Any) -> None:
        seqs = payloads.resend_request(message.payload, self.config.kiosk_id)
        if seqs:
            self._resends.put(seqs)
            self._worker.wake()

    # lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        """Connect in the background and start draining; returns at once."""
        self._client.connect_async(*address(self.config.uplink.broker_url), keepalive=30)
        self._client.loop_start()
        self._worker.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Say "offline", disconnect and stop the threads."""
        self._worker.stop(timeout)
        if self._connected.is_set():
            info = self._client.publish(
                self.topic("status"), self._status("offline"), qos=1, retain=True
            )
            info.wait_for_publish(timeout)
        self._client.disconnect()
        self._client.loop_stop()

    @property
    def connected(self) -> bool:
        """Whether the broker link is up right now."""
        return self._connected.is_set()

    @property
    def alive(self) -> bool:
        """Whether the worker still runs (for the watchdog: a dead worker sends nothing)."""
        return self._worker.alive

    def describe(self) -> str:
        """One translated line for staff and `systemctl status`."""
        link = _("connected") if self.connected else _("not connected")
        return _("{link}; {count} intervals waiting").format(link=link, count=outbox.depth())

    # the worker thread ----------------------------------------------------------------

    def _step(self) -> float:
        """One pass of the worker: acks and resend requests in, the outbox out, health."""
        with self._lock:
            if self._seen_session != self._session:  # a new connection: resend what was in flight
                self._seen_session = self._session
                self._inflight, self._ready = {}, deque()
        self._apply_acks()
        self._apply_resends()
        now = time.monotonic()
        if now >= self._next_prune:
            self._prune()
            self._next_prune = now + PRUNE_EVERY_S
        # the session must not have changed since the check above: a reconnection in
        # between would void the in-flight map after we publish into it
        if self._connected.is_set() and self._seen_session == self._session:
            self._fill_ready()
            with self._lock:
                self._send_ready()
            if now >= self._next_health:
                self._publish_health()
                self._next_health = now + self.config.uplink.health_seconds
        return TICK_S

    def _apply_acks(self) -> None:
        done = []
        while True:
            try:
                mid, ok = self._acks.get_nowait()
            except queue.Empty:
                break
            with self._lock:
                seq = self._inflight.pop(mid, None)
            if seq is None:
                continue  # a status or health message, or a void session's
            if ok:
                done.append(seq)
            else:
                self.refused += 1
                log.warning("broker refused outbox row %s", seq)
        outbox.acknowledge(done)
        self.acked += len(done)

    def _apply_resends(self) -> None:
        while True:
            try:
                seqs = self._resends.get_nowait()
            except queue.Empty:
                return
            found = outbox.resend(seqs)
            log.info("the hub asked for %d intervals again; %d still here", len(seqs), found)

    def _fill_ready(self) -> None:
        """Freeze the next due rows, well ahead of the window: one durable commit per
        FREEZE_AHEAD rows keeps a days-long backlog draining fast on an SD card."""
        with self._lock:
            if len(self._ready) >= WINDOW:
                return
            known = set(self._inflight.values()) | {seq for seq, _ in self._ready}
        now = self.clock.stamp()
        entries = outbox.due(
            now,
            timedelta(minutes=counters.INTERVAL_MINUTES),
            self.config.uplink.coalesce_seconds,
            limit=FREEZE_AHEAD + len(known),
        )
        entries = [e for e in entries if e.seq not in known]
        if not entries:
            return
        dropped = outbox.dropped()
        frozen = outbox.freeze(entries, lambda entry: self._render(entry, now, dropped))
        with self._lock:
            self._ready.extend((e.seq, frozen[e.seq]) for e in entries)

    def _send_ready(self) -> None:
        """Publish frozen rows while the window has room (call with the lock held)."""
        while self._ready and len(self._inflight) < WINDOW and self._connected.is_set():
            seq, payload = self._ready[0]
            info = self._client.publish(self.topic("counts"), payload, qos=1)
            if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                return  # the link dropped: the next session resends
            self._ready.popleft()
            self._inflight[info.mid] = seq
            self.sent += 1

    def _render(self, entry: outbox.Entry, sent: Stamp, dropped: int) -> str:
        """The frozen payload of a row (called inside the freezing transaction)."""
        c = self.config
        body = payloads.counts(
            c.kiosk_id,
            c.province,
            c.commune,
            entry.seq,
            entry.interval_start,
            counters.INTERVAL_MINUTES,
            counters.interval_counts(entry.interval_start),
            entry.stamp,
            sent,
            dropped,
        )
        return payloads.encode(body).decode()

    def _publish_health(self) -> None:
        c = self.config
        devices = self.devices()
        oldest, latest = outbox.kept_range()
        figures = {
            "outbox_depth": outbox.depth(),
            "outbox_dropped": outbox.dropped(),
            "disk_free_mb": round(shutil.disk_usage(c.data_dir).free / 2**20, 1),
            "cpu_temp_c": cpu_temperature(),
            "rfid": devices.get("rfid", "unknown"),
            "scanner": devices.get("scanner", "unknown"),
            "version": __version__,
            "uptime_s": round(time.monotonic() - self._started, 1),
            "latest_seq": latest,
            "oldest_seq": oldest,
        }
        body = payloads.health(c.kiosk_id, c.province, c.commune, self.clock.stamp(), figures)
        self._client.publish(self.topic("health"), payloads.encode(body), qos=1)

    def _prune(self) -> None:
        up = self.config.uplink
        gone = outbox.prune(
            self.clock.now(),
            up.outbox_max_rows,
            timedelta(days=up.outbox_max_days),
            timedelta(days=up.sent_keep_days),
        )
        if gone:
            log.warning("outbox full: dropped the %d oldest intervals", gone)
