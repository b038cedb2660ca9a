"""Taking messages in: validate, deduplicate, store — and never crash on a bad one.

Every message is checked in order: the topic's shape, the size, JSON, the JSON Schema of its
kind, the topic agreeing with the payload, the kiosk being registered to that commune. A
message failing any check is counted under its reason and dropped. A counts message whose
(kiosk, seq) was seen before is a duplicate: counted, not stored again. Interval totals are
upserted so that the message with the highest seq for an interval wins.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jsonschema import Draft202012Validator
from peewee import EXCLUDED, Case

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


class Ingestor:
    """Validates and stores messages; one per hub worker thread."""

    def __init__(self) -> None:
        self._validators = {
            kind: Draft202012Validator(payloads.schema(kind)) for kind in payloads.KINDS
        }
        self._registry: dict[str, tuple[str, str]] = {}

    def refresh_registry(self) -> None:
        """Reload which kiosk belongs to which province and commune."""
        self._registry = {k.kiosk_id: (k.province, k.commune) for k in RegisteredKiosk.select()}

    def handle_batch(self, messages: list[Message], now: datetime) -> list[str]:
        """Take a batch in one transaction; one outcome ("accepted", "duplicate" or the
        rejection reason) per message."""
        with hub_db.atomic():
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
        if not self._validators[kind].is_valid(body):
            return "bad_schema"
        if (body["kiosk"], body["province"], body["commune"]) != (
            match["kiosk"],
            match["province"],
            match["commune"],
        ):
            return "topic_mismatch"
        if self._registry.get(body["kiosk"]) is None:
            self.refresh_registry()  # a kiosk added since the last refresh
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
        kiosk_id, seq = body["kiosk"], body["seq"]
        insert = Received.insert(kiosk_id=kiosk_id, seq=seq, received_at=now).on_conflict_ignore()
        if hub_db.execute(insert).rowcount == 0:
            return DUPLICATE
        start = datetime.fromisoformat(body["interval"]["start"])
        synced = body["stamp"]["clock_synced"] and body["sent"]["clock_synced"]
        rows = [
            {
                "kiosk_id": kiosk_id,
                "commune": body["commune"],
                "interval_start": start,
                "metric": c["metric"],
                "reader_group": c["group"],
                "n": c["n"],
                "seq": seq,
                "clock_synced": synced,
            }
            for c in body["counts"]
        ]
        if rows:
            newer = IntervalCount.seq < EXCLUDED.seq  # a late repeat never regresses
            (
                IntervalCount.insert_many(rows)
                .on_conflict(
                    conflict_target=[
                        IntervalCount.kiosk_id,
                        IntervalCount.interval_start,
                        IntervalCount.metric,
                        IntervalCount.reader_group,
                    ],
                    update={
                        IntervalCount.n: Case(None, [(newer, EXCLUDED.n)], IntervalCount.n),
                        IntervalCount.seq: Case(None, [(newer, EXCLUDED.seq)], IntervalCount.seq),
                    },
                )
                .execute()
            )
        self._seen(kiosk_id, now)
        KioskState.update(dropped=body["dropped"]).where(KioskState.kiosk_id == kiosk_id).execute()
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
