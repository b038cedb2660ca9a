"""The hub worker: a shared MQTT 5 subscription feeding the ingestor, off the network thread.

Several hub processes started with the same `share_group` split the kiosks' messages between
them (`$share/<group>/thuvien/v1/+/+/+/{counts,status,health}`). The session is persistent,
so the broker keeps messages for a worker that is briefly away, and every message is
acknowledged (PUBACK) only after the batch holding it is committed: a hub killed mid-batch
gets the messages again, and the (kiosk, seq) deduplication drops what it had already stored.
"""

from __future__ import annotations

import logging
import queue
import socket
import threading
import time
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from kiosk.clock import Clock, SystemClock
from kiosk.hub import repair
from kiosk.hub.config import HubConfig
from kiosk.hub.ingest import Ingestor, Message
from kiosk.telemetry import payloads
from kiosk.telemetry.mqtt import address, new_client

log = logging.getLogger(__name__)

BATCH = 500
SESSION_EXPIRY_S = 7 * 24 * 3600


class HubService:
    """Subscribes, ingests in batches, acknowledges after commit; `start()` then `stop()`."""

    def __init__(self, config: HubConfig, worker_name: str = "", clock: Clock | None = None):
        self.config = config
        self.clock = clock or SystemClock()  # stamps when each message was received
        name = worker_name or f"{socket.gethostname()}-{threading.get_ident() % 10000}"
        self.client_id = f"hub-{name}"[:64]
        self._queue: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
        self._stop = threading.Event()
        self._subscribed = threading.Event()
        self.ingestor = Ingestor()
        self.counts: dict[str, int] = {}
        self._asked: dict[str, list[int]] = {}  # kiosk -> seqs asked for, by retained request
        self._client = self._make_client()
        self._worker = threading.Thread(target=self._run, name="hub-ingest", daemon=True)

    def _make_client(self) -> mqtt.Client:
        c = self.config
        client = new_client(
            self.client_id,
            c.broker_url,
            c.username,
            c.password,
            c.ca_file,
            c.cert_file,
            c.key_file,
            max_backoff=60,
            manual_ack=True,
        )
        client.on_connect = self._on_connect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        return client

    @property
    def subscriptions(self) -> list[str]:
        """The kiosk-to-hub topics, shared among the group's workers (not the hub's own resend
        requests, which live under the same root)."""
        group, root = self.config.share_group, payloads.ROOT
        return [f"$share/{group}/{root}/+/+/+/{kind}" for kind in payloads.KINDS]

    def _on_connect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, properties: Any
    ) -> None:
        if reason.is_failure:
            log.warning("broker refused the hub: %s", reason)
            return
        client.subscribe([(topic, 1) for topic in self.subscriptions])

    def _on_subscribe(
        self, client: mqtt.Client, userdata: Any, mid: int, reasons: Any, properties: Any
    ) -> None:
        if all(not r.is_failure for r in reasons):
            self._subscribed.set()
        else:
            log.error("subscription refused: %s", reasons)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        self._queue.put(message)

    def start(self) -> None:
        """Connect in the background and start ingesting."""
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = SESSION_EXPIRY_S
        host, port = address(self.config.broker_url)
        self._client.connect_async(
            host, port, keepalive=30, clean_start=False, properties=properties
        )
        self._client.loop_start()
        self._worker.start()

    def wait_subscribed(self, timeout: float = 10.0) -> bool:
        """Block until the broker granted the subscription (for tests and start-up logs)."""
        return self._subscribed.wait(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Finish the current batch, then disconnect."""
        self._stop.set()
        self._worker.join(timeout)
        self._client.disconnect()
        self._client.loop_stop()

    def _next_batch(self) -> list[mqtt.MQTTMessage]:
        try:
            batch = [self._queue.get(timeout=0.5)]
        except queue.Empty:
            return []
        while len(batch) < BATCH:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _ask_for_gaps(self) -> None:
        """Publish (or clear) each kiosk's retained resend request when its gaps changed."""
        for kiosk_id, (topic, seqs) in repair.requests().items():
            if seqs == self._asked.get(kiosk_id, []):
                continue
            body = payloads.encode(payloads.resend(kiosk_id, seqs)) if seqs else b""
            self._client.publish(topic, body, qos=1, retain=True)
            self._asked[kiosk_id] = seqs
            if seqs:
                log.info("asked %s to resend %d intervals", kiosk_id, len(seqs))

    def _run(self) -> None:
        next_repair = 0.0
        batch: list[mqtt.MQTTMessage] = []
        while not self._stop.is_set():
            if time.monotonic() >= next_repair and self._subscribed.is_set():
                self._ask_for_gaps()
                next_repair = time.monotonic() + self.config.repair_seconds
            batch = batch or self._next_batch()
            if not batch:
                continue
            messages = [Message(m.topic, m.payload) for m in batch]
            try:
                outcomes = self.ingestor.handle_batch(messages, self.clock.now())
            except Exception:
                # The database is away or locked: keep the batch and try it again. Within a
                # live session the broker does not resend, so dropping it would lose it.
                log.exception("could not store a batch of %d messages", len(batch))
                self._stop.wait(1.0)
                continue
            for message, outcome in zip(batch, outcomes, strict=True):
                self.counts[outcome] = self.counts.get(outcome, 0) + 1
                if message.qos:
                    self._client.ack(message.mid, message.qos)
            batch = []
