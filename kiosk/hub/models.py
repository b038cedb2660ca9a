"""The hub's tables: registered kiosks, what each sent (by interval), their state, and the
messages rejected. SQLite by default, PostgreSQL at scale (the same peewee models)."""

from __future__ import annotations

from peewee import (
    BooleanField,
    CompositeKey,
    DatabaseProxy,
    DateTimeField,
    IntegerField,
    Model,
    TextField,
)
from playhouse.db_url import connect

hub_db = DatabaseProxy()


class HubModel(Model):
    class Meta:
        database = hub_db
        legacy_table_names = False


class RegisteredKiosk(HubModel):
    """A kiosk the province set up: where it is. Its broker password is only in Mosquitto's
    password file, as a hash."""

    kiosk_id = TextField(primary_key=True)
    province = TextField()
    commune = TextField()
    created_at = DateTimeField()


class Received(HubModel):
    """Every (kiosk, seq) counts message taken, so a repeat is recognised and ignored."""

    kiosk_id = TextField()
    seq = IntegerField()
    received_at = DateTimeField()

    class Meta:
        primary_key = CompositeKey("kiosk_id", "seq")


class IntervalCount(HubModel):
    """A kiosk's total of one metric and reader group in one interval; the message with the
    highest seq for the interval wins (it carries the latest totals)."""

    kiosk_id = TextField()
    commune = TextField(index=True)
    interval_start = DateTimeField(index=True)
    metric = TextField()
    reader_group = TextField()
    n = IntegerField()
    seq = IntegerField()
    clock_synced = BooleanField()

    class Meta:
        primary_key = CompositeKey("kiosk_id", "interval_start", "metric", "reader_group")


class KioskState(HubModel):
    """The last status and health a kiosk reported, and when the hub last heard from it."""

    kiosk_id = TextField(primary_key=True)
    online = BooleanField(default=False)
    last_seen = DateTimeField(null=True)  # hub time
    health = TextField(default="{}")
    version = TextField(default="")
    clock_synced = BooleanField(default=True)
    dropped = IntegerField(default=0)


class Rejection(HubModel):
    """How many messages were rejected, by reason."""

    reason = TextField(primary_key=True)
    count = IntegerField(default=0)


HUB_MODELS = [RegisteredKiosk, Received, IntervalCount, KioskState, Rejection]


def open_hub_database(url: str):
    """Connect to the hub database (sqlite:/// or postgresql://) and create missing tables."""
    if url.startswith("sqlite:///"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        database = connect(
            url,
            pragmas={
                "journal_mode": "wal",
                "foreign_keys": 1,
                "busy_timeout": 5000,
                "synchronous": "full",
            },
        )
    else:
        database = connect(url)
    hub_db.initialize(database)
    database.connect(reuse_if_open=True)
    database.create_tables(HUB_MODELS)
    return database
