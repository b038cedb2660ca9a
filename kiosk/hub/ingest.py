"""Taking messages in: validate, deduplicate, store — and never crash on a bad one.

Every message is checked in order: the topic's shape, the size, JSON, the JSON Schema of its
kind, the topic agreeing with the payload, the kiosk being registered to that commune. A
message failing any check is counted under its reason and dropped. A counts message whose
(kiosk, seq) was seen before is a duplicate: counted, not stored again. Interval totals are
upserted so that the message with the highest seq for an interval wins.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import fastjsonschema
from peewee import SqliteDatabase

from kiosk.hub.models import (
    IntervalCount,
    KioskState,
    Received,
    RegisteredKiosk,
    Rejection,
    hub_db,
)
from kiosk.telemetry import payloads

ACCEPTED = "accepted"
DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Message:
    """One message as it came off the broker."""

    topic: str
    payload: bytes


def compiled_validator(kind: str) -> Callable[[Any], Any]:
    """A validator for one payload kind, compiled to Python by fastjsonschema: the schemas use
    only draft-07 keywords, and checking them this way costs ~15 µs a message, not ~250."""
    schema = {**payloads.schema(kind), "$schema": "http://json-schema.org/draft-07/schema#"}
    return fastjsonschema.compile(schema)


class _Statements:
    """The hot path's SQL, in the database's own parameter style (SQLite or PostgreSQL)."""

    def __init__(self) -> None:
        p = hub_db.obj.param
        received, counts, state = (
            m._meta.table_name for m in (Received, IntervalCount, KioskState)
        )
        self.received = (
            f"INSERT INTO {received} (kiosk_id, seq, received_at)"
            f" VALUES ({p}, {p}, {p}) ON CONFLICT DO NOTHING"
        )
        newer = f"{counts}.seq < excluded.seq"  # a late repeat never regresses
        self.counts = (
            f"INSERT INTO {counts} (kiosk_id, commune, interval_start, metric, reader_group, n,"
            f" seq, clock_synced) VALUES ({', '.join([p] * 8)})"
            " ON CONFLICT (kiosk_id, interval_start, metric, reader_group) DO UPDATE SET"
            f" n = CASE WHEN {newer} THEN excluded.n ELSE {counts}.n END,"
            f" seq = CASE WHEN {newer} THEN excluded.seq ELSE {counts}.seq END"
        )
        self.seen = (
            f"INSERT INTO {state} (kiosk_id, online, last_seen, health, version, clock_synced,"
            f" dropped) VALUES ({p}, FALSE, {p}, '{{}}', '', TRUE, {p}) ON CONFLICT (kiosk_id)"
            " DO UPDATE SET last_seen = excluded.last_seen, dropped = excluded.dropped"
        )


class Ingestor:
    """Validates and stores messages; one per hub worker thread."""

    def __init__(self) -> None:
        self._sql = _Statements()
        self._validators = {kind: compiled_validator(kind) for kind in payloads.KINDS}
        self._registry: dict[str, tuple[str, str]] = {}

    def refresh_registry(self) -> None:
        """Reload which kiosk belongs to which province and commune."""
        self._registry = {k.kiosk_id: (k.province, k.commune) for k in RegisteredKiosk.select()}

    def handle_batch(self, messages: list[Message], now: datetime) -> list[str]:
        """Take a batch in one transaction; one outcome ("accepted", "duplicate" or the
        rejection reason) per message.

        The transaction takes SQLite's write lock at once (IMMEDIATE): with several hub
        workers on one file, a read-then-write transaction could fail at once with "database
        is locked" instead of waiting its turn."""
        kiosks = {
            m["kiosk"] for m in map(payloads.TOPIC_RE.match, (x.topic for x in messages)) if m
        }
        if kiosks - self._registry.keys():
            self.refresh_registry()  # a kiosk added since the last refresh
        lock = ("IMMEDIATE",) if isinstance(hub_db.obj, SqliteDatabase) else ()
        with hub_db.atomic(*lock):
            outcomes = [self._handle(message, now) for message in messages]
            for reason in {o for o in outcomes if o not in (ACCEPTED, DUPLICATE)}:
                count = outcomes.count(reason)
                (
                    Rejection.insert(reason=reason, count=count)
                    .on_conflict(
                        conflict_target=[Rejection.reason],
                        update={Rejection.count: Rejection.count + count},
                    )
                    .execute()
                )
        return outcomes

    def _handle(self, message: Message, now: datetime) -> str:
        match = payloads.TOPIC_RE.match(message.topic)
        if match is None:
            return "bad_topic"
        if len(message.payload) > payloads.MAX_PAYLOAD_BYTES:
            return "too_large"
        try:
            body = json.loads(message.payload.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return "bad_json"
        kind = match["kind"]
        try:
            self._validators[kind](body)
        except fastjsonschema.JsonSchemaException:
            return "bad_schema"
        if (body["kiosk"], body["province"], body["commune"]) != (
            match["kiosk"],
            match["province"],
            match["commune"],
        ):
            return "topic_mismatch"
        if self._registry.get(body["kiosk"]) != (body["province"], body["commune"]):
            return "unregistered"
        return getattr(self, f"_{kind}")(body, now)

    def _seen(self, kiosk_id: str, now: datetime) -> None:
        (
            KioskState.insert(kiosk_id=kiosk_id, last_seen=now)
            .on_conflict(conflict_target=[KioskState.kiosk_id], update={KioskState.last_seen: now})
            .execute()
        )

    def _counts(self, body: dict[str, Any], now: datetime) -> str:
        """Store an interval's totals. Plain SQL, prepared once: this runs for nearly every
        message, and building it with the ORM cost more than the work itself."""
        kiosk_id, seq = body["kiosk"], body["seq"]
        if hub_db.execute_sql(self._sql.received, (kiosk_id, seq, now)).rowcount == 0:
            return DUPLICATE
        start = datetime.fromisoformat(body["interval"]["start"])
        synced = body["stamp"]["clock_synced"] and body["sent"]["clock_synced"]
        rows = [
            (kiosk_id, body["commune"], start, c["metric"], c["group"], c["n"], seq, synced)
            for c in body["counts"]
        ]
        if rows:
            hub_db.cursor().executemany(self._sql.counts, rows)
        hub_db.execute_sql(self._sql.seen, (kiosk_id, now, body["dropped"]))
        return ACCEPTED

    def _status(self, body: dict[str, Any], now: datetime) -> str:
        self._seen(body["kiosk"], now)
        KioskState.update(online=body["state"] == "online", version=body.get("version", "")).where(
            KioskState.kiosk_id == body["kiosk"]
        ).execute()
        return ACCEPTED

    def _health(self, body: dict[str, Any], now: datetime) -> str:
        self._seen(body["kiosk"], now)
        figures = {
            k: v for k, v in body.items() if k not in ("schema", "kiosk", "province", "commune")
        }
        KioskState.update(
            health=json.dumps(figures),
            version=body["version"],
            clock_synced=body["stamp"]["clock_synced"],
            dropped=body["outbox_dropped"],
        ).where(KioskState.kiosk_id == body["kiosk"]).execute()
        return ACCEPTED
