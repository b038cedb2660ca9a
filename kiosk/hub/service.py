"""The hub worker: a persistent MQTT 5 subscription feeding the ingestor, off the network thread.

By default (`hub.subscription = "plain"`) a worker subscribes plainly to the kiosks' topics,
of every commune or of its own partition (`hub.communes`): Mosquitto 2.0 keeps a plain
persistent subscription's queue across a kill -9 (what autosave saved), but loses the queue of
an offline *shared* subscriber, and its acl_file cannot refuse a kiosk a `$share/` subscription
that would take its share of every kiosk's messages. `"shared"` (`$share/<group>/...`) is for a
broker that keeps shared queues and checks subscriptions (EMQX), when the province outgrows one
machine. The session is persistent under a stable client id, so the broker keeps messages for
a worker that is briefly away, and every message is acknowledged (PUBACK) only after the batch
holding it is committed: a hub killed mid-batch gets the messages again, and the (kiosk, seq)
deduplication drops what it had already stored. What the broker loses anyway, gap repair asks
the kiosks for again, re-asserting each request until it is filled.

The hub's session is an MQTT 3.1.1 persistent session (clean_session=False), not an MQTT 5
one with a session expiry: Mosquitto 2.0.11 (Debian 12) restores the former after a restart
or a kill -9 with its queued messages, and forgot the latter entirely in our tests
(tests/e2e/test_broker_crash.py). `persistent_client_expiration` in the broker's
configuration bounds how long such a session is kept.
"""

from __future__ import annotations

import logging
import queue
import socket
import threading
import time
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import MQTTProtocolVersion

from kiosk.clock import Clock, SystemClock
from kiosk.hub import repair
from kiosk.hub.config import HubConfig
from kiosk.hub.ingest import Ingestor, Message
from kiosk.telemetry import payloads
from kiosk.telemetry.mqtt import address, new_client
from kiosk.threads import Loop

log = logging.getLogger(__name__)

BATCH = 500


class HubService:
    """Subscribes, ingests in batches, acknowledges after commit; `start()` then `stop()`."""

    def __init__(self, config: HubConfig, worker_name: str = "", clock: Clock | None = None):
        self.config = config
        self.clock = clock or SystemClock()  # stamps when each message was received
        # stable across restarts: the persistent session (and its queue) is the client id's
        self.client_id = f"hub-{worker_name or socket.gethostname()}"[:64]
        self._queue: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
        self._subscribed = threading.Event()
        self.ingestor = Ingestor()
        self.counts: dict[str, int] = {}
        # kiosk -> (seqs asked for by retained request, when: time.monotonic())
        self._asked: dict[str, tuple[list[int], float]] = {}
        self._client = self._make_client()
        # An error that escapes a batch ends the ingest (logged): `alive` turns False, so the
        # dashboard and the systemd watchdog see it rather than a retry hiding it.
        self._worker = Loop("hub-ingest", self._step, retry_s=None)
        self._next_repair = 0.0
        self._batch: list[mqtt.MQTTMessage] = []

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
            protocol=MQTTProtocolVersion.MQTTv311,
            clean_session=False,
            manual_ack=True,
        )
        client.on_connect = self._on_connect
        client.on_connect_fail = lambda *_args: log.warning(
            "cannot reach the broker at %s; trying again", self.config.broker_url
        )
        client.on_disconnect = lambda *_args: log.warning("lost the broker; reconnecting")
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        return client

    @property
    def subscriptions(self) -> list[str]:
        """The kiosk-to-hub topics (not the hub's own resend requests, which live under the
        same root): this worker's communes, or all; shared among the group's workers only with
        `subscription = "shared"`."""
        c, root = self.config, payloads.ROOT
        places = [f"{c.province}/{code}" for code in c.communes] or ["+/+"]
        topics = [f"{root}/{place}/+/{kind}" for place in places for kind in payloads.KINDS]
        if c.subscription == "shared":
            return [f"$share/{c.share_group}/{topic}" for topic in topics]
        return topics

    @property
    def alive(self) -> bool:
        """Whether the ingest thread still runs (health page, systemd watchdog)."""
        return self._worker.alive

    def _on_connect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, properties: Any
    ) -> None:
        if reason.is_failure:
            log.warning("broker refused the hub: %s", reason)
            return
        log.info("connected to the broker as %s", self.client_id)
        # a broker restarted without its retained messages has forgotten our requests
        self._asked = {}
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
        host, port = address(self.config.broker_url)
        self._client.connect_async(host, port, keepalive=30)
        self._client.loop_start()
        self._worker.start()

    def wait_subscribed(self, timeout: float = 10.0) -> bool:
        """Block until the broker granted the subscription (for tests and start-up logs)."""
        return self._subscribed.wait(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Finish the current batch, then disconnect."""
        self._worker.stop(timeout)
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
        """Publish (or clear) each kiosk's retained resend request when its gaps changed, and
        publish it again while they stay open (`reassert_seconds`): the request or the
        answer may have been lost in a broker crash, and a kiosk answers every request."""
        now = time.monotonic()
        for kiosk_id, (topic, seqs) in repair.requests().items():
            asked, when = self._asked.get(kiosk_id, ([], 0.0))
            if seqs == asked and (not seqs or now - when < self.config.reassert_seconds):
                continue
            body = payloads.encode(payloads.resend(kiosk_id, seqs)) if seqs else b""
            self._client.publish(topic, body, qos=1, retain=True)
            self._asked[kiosk_id] = (seqs, now)
            if seqs:
                log.info("asked %s to resend %d intervals", kiosk_id, len(seqs))

    def _step(self) -> float:
        """One pass of the ingest: the gap repair when due, then one batch stored and acked."""
        if time.monotonic() >= self._next_repair and self._subscribed.is_set():
            try:
                self._ask_for_gaps()
            except Exception:  # the ingest must go on; the next pass tries again
                log.exception("gap repair failed")
            self._next_repair = time.monotonic() + self.config.repair_seconds
        batch = self._batch = self._batch or self._next_batch()
        if not batch:
            return 0
        messages = [Message(m.topic, m.payload) for m in batch]
        try:
            outcomes = self.ingestor.handle_batch(messages, self.clock.now())
        except Exception:
            # The database is away or locked: keep the batch and try it again. Within a
            # live session the broker does not resend, so dropping it would lose it.
            log.exception("could not store a batch of %d messages", len(batch))
            return 1.0
        for message, outcome in zip(batch, outcomes, strict=True):
            self.counts[outcome] = self.counts.get(outcome, 0) + 1
            if message.qos:
                self._client.ack(message.mid, message.qos)
        self._batch = []
        return 0
