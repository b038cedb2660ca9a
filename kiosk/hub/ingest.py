"""Taking messages in: validate, deduplicate, store — and never block on a bad one.

Every message is checked in order: the topic's shape, the size, JSON (no NaN or Infinity, no
nesting deeper than the parser takes), the JSON Schema of its kind and version (metrics and
reader groups pinned to the known lists, every number bounded), then what a schema cannot
say: integers that are really integers (`1e20` is an "integer" to JSON Schema), dates that
exist (`2026-02-30`, year 0, hour 25), text that can be stored (no lone surrogates, no U+0000,
which PostgreSQL's text cannot hold), each (metric, group) once, the topic agreeing with the
payload, the kiosk being registered to that commune.

A message failing a check — or failing to be stored for any reason but the database itself
being away — is rejected: counted per kiosk and reason, kept as it came in the dead-letter
table, and acknowledged like any other, so it never holds up the messages behind it. Each
message is stored inside its own savepoint, so a failure halfway leaves nothing of it behind.

A counts message whose (kiosk, seq) was seen before is a duplicate: counted, not stored again.
Interval totals are upserted so that the message with the highest seq for an interval wins.
An interval stamped far from the hub's clock (a Pi without its clock battery says 1970 until
NTP) is kept apart in `MisdatedCount`, out of the totals; once a stamp of the same boot made
with the clock set tells the hub the kiosk's wall-minus-monotonic offset, it is re-based to its
real time and joins the totals flagged as stamped by an unset clock.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import fastjsonschema
from peewee import InterfaceError, Model, OperationalError, SqliteDatabase, fn

from kiosk.hub.models import (
    BootClock,
    DeadLetter,
    IntervalCount,
    KioskState,
    MisdatedCount,
    Received,
    RegisteredKiosk,
    Rejection,
    SeqWatermark,
    hub_db,
)
from kiosk.telemetry import payloads

ACCEPTED = "accepted"
DUPLICATE = "duplicate"
MISDATED = "misdated"  # accepted, but kept out of the totals until its time is known
UNSTORABLE = "unstorable"  # passed every check and still could not be stored
DEAD_LETTERS_KEPT = 10_000
DETAIL_CHARS = 300

# How far from the hub's clock an interval may start and still be taken at its word: a
# kiosk may hold unsent intervals for `uplink.outbox_max_days` (400) offline, and its clock
# may run a little ahead. Anything else is a wrong clock, not an old count.
PLAUSIBLE_PAST = timedelta(days=450)
PLAUSIBLE_AHEAD = timedelta(days=1)
EPOCH = datetime(1970, 1, 1)

# The fields each kind must carry as true integers (paths into the payload; "*" = each item).
INTEGER_FIELDS = {
    "counts": (("seq",), ("dropped",), ("interval", "minutes"), ("counts", "*", "n")),
    "health": (("outbox_depth",), ("outbox_dropped",), ("latest_seq",), ("oldest_seq",)),
    "status": (),
}
DATE_FIELDS = {
    "counts": (("interval", "start"), ("stamp", "wall"), ("sent", "wall")),
    "health": (("stamp", "wall"),),
    "status": (("stamp", "wall"),),
}


class Rejected(Exception):
    """A message that fails a check: its reason (a short code) and what exactly was wrong."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason, self.detail = reason, detail


@dataclass(frozen=True)
class Message:
    """One message as it came off the broker."""

    topic: str
    payload: bytes


def compiled_validator(kind: str, version: int = 1) -> Callable[[Any], Any]:
    """A validator for one payload kind and version, compiled to Python by fastjsonschema:
    the schemas use only draft-07 keywords, and checking them this way costs ~15 µs a
    message, not ~250."""
    schema = {
        **payloads.schema(kind, version),
        "$schema": "http://json-schema.org/draft-07/schema#",
    }
    return fastjsonschema.compile(schema)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def decode(raw: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity (Python accepts them, JSON and browsers do not),
    and a nesting the parser cannot follow is bad JSON, not a RecursionError."""
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise Rejected("bad_json", str(error)) from None


def _at(body: Any, path: tuple[str, ...]) -> Iterator[Any]:
    """Every value at a path ("*" walks a list); nothing if the path is absent."""
    if not path:
        yield body
        return
    head, rest = path[0], path[1:]
    if head == "*":
        for item in body if isinstance(body, list) else ():
            yield from _at(item, rest)
    elif isinstance(body, dict) and head in body:
        yield from _at(body[head], rest)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def check_beyond_schema(kind: str, body: dict[str, Any]) -> None:
    """What a JSON Schema cannot say; raise Rejected on the first problem."""
    for path in INTEGER_FIELDS[kind]:
        for value in _at(body, path):
            if type(value) is not int:  # 1e20 and 3.0 are JSON Schema integers
                raise Rejected("bad_number", f"{'.'.join(path)} = {value!r}")
    for path in DATE_FIELDS[kind]:
        for value in _at(body, path):
            try:
                datetime.fromisoformat(value)
            except ValueError as error:
                raise Rejected("bad_date", f"{'.'.join(path)} = {value!r}: {error}") from None
    for text in _strings(body):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise Rejected("bad_text", f"{text!r}") from None
        if "\x00" in text:  # PostgreSQL's text cannot hold U+0000: refused on both backends
            raise Rejected("bad_text", f"{text!r}: U+0000")
    if kind == "counts":
        keys = [(c["metric"], c["group"]) for c in body["counts"]]
        if len(keys) != len(set(keys)):
            raise Rejected("bad_counts", "a (metric, group) given twice")
        start = datetime.fromisoformat(body["interval"]["start"])
        minutes = body["interval"]["minutes"]
        if start.second or start.microsecond or start.minute % minutes:
            raise Rejected("bad_interval", f"{start} does not start a {minutes}-minute interval")


def plausible(moment: datetime, now: datetime) -> bool:
    """Whether a kiosk's wall time can be taken at its word, by the hub's clock."""
    return now - PLAUSIBLE_PAST <= moment <= now + PLAUSIBLE_AHEAD


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
        self._validators = {
            payloads.schema_id(kind, version): (kind, compiled_validator(kind, version))
            for kind, versions in payloads.VERSIONS.items()
            for version in versions
        }
        self._registry: dict[str, tuple[str, str]] = {}
        self._clocks: set[tuple[str, str]] = set()  # (kiosk, boot) whose offset is stored
        self._learned: set[tuple[str, str]] = set()  # ...and those of the open transaction

    def refresh_registry(self) -> None:
        """Reload which kiosk belongs to which province and commune."""
        self._registry = {k.kiosk_id: (k.province, k.commune) for k in RegisteredKiosk.select()}

    def handle_batch(self, messages: list[Message], now: datetime) -> list[str]:
        """Take a batch in one transaction; one outcome ("accepted", "duplicate", "misdated"
        or the rejection reason) per message. Raises only if the database itself fails (the
        batch is then tried again, nothing of it stored).

        The transaction takes SQLite's write lock at once (IMMEDIATE): with several hub
        workers on one file, a read-then-write transaction could fail at once with "database
        is locked" instead of waiting its turn."""
        kiosks = {
            m["kiosk"] for m in map(payloads.TOPIC_RE.match, (x.topic for x in messages)) if m
        }
        if kiosks - self._registry.keys():
            self.refresh_registry()  # a kiosk added since the last refresh
        lock = ("IMMEDIATE",) if isinstance(hub_db.obj, SqliteDatabase) else ()
        self._learned = set()
        with hub_db.atomic(*lock):
            outcomes = [self._take(message, now) for message in messages]
            self._tally(messages, outcomes)
        self._clocks |= self._learned  # only once committed
        return outcomes

    def _take(self, message: Message, now: datetime) -> str:
        """One message, in its own savepoint; a rejected one goes to the dead letters."""
        try:
            with hub_db.atomic():
                return self._handle(message, now)
        except Rejected as rejected:
            reason, detail = rejected.reason, rejected.detail
        except (OperationalError, InterfaceError):
            raise  # the database is away or locked: no message is at fault
        except Exception as error:  # anything else is this message's fault: never block
            reason, detail = UNSTORABLE, f"{type(error).__name__}: {error}"
        DeadLetter.create(
            received_at=now,
            kiosk_id=_topic_kiosk(message.topic),
            topic=message.topic[:200],
            reason=reason,
            detail=detail[:DETAIL_CHARS],
            payload=message.payload[: payloads.MAX_PAYLOAD_BYTES],
        )
        return reason

    def _tally(self, messages: list[Message], outcomes: list[str]) -> None:
        """Count the batch's rejections per kiosk and reason; keep the newest dead letters."""
        found: dict[tuple[str, str], int] = {}
        for message, outcome in zip(messages, outcomes, strict=True):
            if outcome not in (ACCEPTED, DUPLICATE, MISDATED):
                key = (_topic_kiosk(message.topic), outcome)
                found[key] = found.get(key, 0) + 1
        for (kiosk_id, reason), count in found.items():
            (
                Rejection.insert(kiosk_id=kiosk_id, reason=reason, count=count)
                .on_conflict(
                    conflict_target=[Rejection.kiosk_id, Rejection.reason],
                    update={Rejection.count: Rejection.count + count},
                )
                .execute()
            )
        newest = DeadLetter.select(fn.MAX(DeadLetter.id)).scalar() if found else None
        if newest and newest > DEAD_LETTERS_KEPT:
            DeadLetter.delete().where(DeadLetter.id <= newest - DEAD_LETTERS_KEPT).execute()

    def _handle(self, message: Message, now: datetime) -> str:
        match = payloads.TOPIC_RE.match(message.topic)
        if match is None:
            raise Rejected("bad_topic")
        if len(message.payload) > payloads.MAX_PAYLOAD_BYTES:
            raise Rejected("too_large", f"{len(message.payload)} bytes")
        body = decode(message.payload)
        kind = match["kind"]
        schema = body.get("schema") if isinstance(body, dict) else None
        known = self._validators.get(schema) if isinstance(schema, str) else None
        if known is None or known[0] != kind:
            raise Rejected("bad_schema", f"not a {kind} schema this hub knows")
        try:
            known[1](body)
        except fastjsonschema.JsonSchemaException as error:
            raise Rejected("bad_schema", str(error)) from None
        check_beyond_schema(kind, body)
        if (body["kiosk"], body["province"], body["commune"]) != (
            match["kiosk"],
            match["province"],
            match["commune"],
        ):
            raise Rejected("topic_mismatch")
        if self._registry.get(body["kiosk"]) != (body["province"], body["commune"]):
            raise Rejected("unregistered")
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
        hub_db.execute_sql(self._sql.seen, (kiosk_id, now, body["dropped"]))
        self._learn_clock(kiosk_id, body["sent"], now)
        self._learn_clock(kiosk_id, body["stamp"], now)
        start = datetime.fromisoformat(body["interval"]["start"])
        if not plausible(start, now):
            self._misdated(body)
            self._rebase(kiosk_id, body["stamp"]["boot"], now)
            return MISDATED
        synced = body["stamp"]["clock_synced"] and body["sent"]["clock_synced"]
        rows = [
            (kiosk_id, body["commune"], start, c["metric"], c["group"], c["n"], seq, synced)
            for c in body["counts"]
        ]
        if rows:
            hub_db.cursor().executemany(self._sql.counts, rows)
        return ACCEPTED

    def _misdated(self, body: dict[str, Any]) -> None:
        """Keep an interval with an implausible time apart (the highest seq wins, as for the
        totals)."""
        stamp = body["stamp"]
        for c in body["counts"]:
            key = {
                "kiosk_id": body["kiosk"],
                "boot": stamp["boot"],
                "interval_start": body["interval"]["start"],
                "metric": c["metric"],
                "reader_group": c["group"],
            }
            row = MisdatedCount.get_or_none(**key)
            if row is not None and row.seq > body["seq"]:
                continue
            values = {
                "n": c["n"],
                "seq": body["seq"],
                "first_wall": stamp["wall"],
                "first_mono": stamp["mono"],
                "minutes": body["interval"]["minutes"],
                "rebased_start": None,
            }
            _upsert(MisdatedCount, key, values)

    def _learn_clock(self, kiosk_id: str, stamp: dict[str, Any] | None, now: datetime) -> None:
        """Remember a boot's wall-minus-monotonic offset from a stamp made with the clock set,
        and re-base that boot's misdated intervals with it."""
        if not stamp or not stamp["clock_synced"] or (kiosk_id, stamp["boot"]) in self._clocks:
            return
        wall = datetime.fromisoformat(stamp["wall"])
        if not plausible(wall, now):  # "synchronised" and 1970 at once: trust neither
            return
        offset = (wall - EPOCH).total_seconds() - stamp["mono"]
        _upsert(BootClock, {"kiosk_id": kiosk_id, "boot": stamp["boot"]}, {"offset_s": offset})
        self._learned.add((kiosk_id, stamp["boot"]))
        self._rebase(kiosk_id, stamp["boot"], now)

    def _rebase(self, kiosk_id: str, boot: str, now: datetime) -> None:
        """Move a boot's misdated intervals to their real time, if that boot's clock is known:
        real start = the first event's real time (offset + monotonic) less its distance from
        the interval's start on the kiosk's wrong clock. They join the totals flagged as
        stamped by an unset clock, so the dashboard notes them."""
        clock = BootClock.get_or_none(kiosk_id=kiosk_id, boot=boot)
        if clock is None:
            return
        pending = MisdatedCount.select().where(
            (MisdatedCount.kiosk_id == kiosk_id)
            & (MisdatedCount.boot == boot)
            & MisdatedCount.rebased_start.is_null()
        )
        commune = self._registry.get(kiosk_id, ("", ""))[1]
        for row in pending:
            lead = datetime.fromisoformat(row.first_wall) - datetime.fromisoformat(
                row.interval_start
            )
            real = EPOCH + timedelta(seconds=clock.offset_s + row.first_mono) - lead
            minute = real.minute - real.minute % row.minutes
            start = real.replace(minute=minute, second=0, microsecond=0)
            if not plausible(start, now):
                continue  # the monotonic stamp does not help either: leave it apart
            hub_db.execute_sql(
                self._sql.counts,
                (kiosk_id, commune, start, row.metric, row.reader_group, row.n, row.seq, False),
            )
            MisdatedCount.update(rebased_start=start).where(
                (MisdatedCount.kiosk_id == row.kiosk_id)
                & (MisdatedCount.boot == row.boot)
                & (MisdatedCount.interval_start == row.interval_start)
                & (MisdatedCount.metric == row.metric)
                & (MisdatedCount.reader_group == row.reader_group)
            ).execute()

    def _status(self, body: dict[str, Any], now: datetime) -> str:
        self._seen(body["kiosk"], now)
        self._learn_clock(body["kiosk"], body.get("stamp"), now)
        KioskState.update(online=body["state"] == "online", version=body.get("version", "")).where(
            KioskState.kiosk_id == body["kiosk"]
        ).execute()
        return ACCEPTED

    def _health(self, body: dict[str, Any], now: datetime) -> str:
        kiosk_id = body["kiosk"]
        self._seen(kiosk_id, now)
        self._learn_clock(kiosk_id, body["stamp"], now)
        figures = {
            k: v for k, v in body.items() if k not in ("schema", "kiosk", "province", "commune")
        }
        KioskState.update(
            health=json.dumps(figures, allow_nan=False),
            version=body["version"],
            clock_synced=body["stamp"]["clock_synced"],
            dropped=body["outbox_dropped"],
        ).where(KioskState.kiosk_id == kiosk_id).execute()
        if "latest_seq" in body:  # health v2
            _upsert(
                SeqWatermark,
                {"kiosk_id": kiosk_id},
                {"latest_seq": body["latest_seq"], "oldest_seq": body["oldest_seq"]},
            )
        return ACCEPTED


def _upsert(model: type[Model], key: dict[str, Any], values: dict[str, Any]) -> None:
    """Insert a row or update it in place (ON CONFLICT: SQLite and PostgreSQL alike)."""
    target = [getattr(model, name) for name in key]
    update = {getattr(model, name): value for name, value in values.items()}
    model.insert(**key, **values).on_conflict(conflict_target=target, update=update).execute()


def _topic_kiosk(topic: str) -> str:
    """The kiosk a topic names ("" if it names none), to count a rejection against."""
    match = payloads.TOPIC_RE.match(topic)
    return match["kiosk"] if match else ""
