"""The hub's tables: registered kiosks, what each sent (by interval), their state, and the
messages rejected. SQLite by default, PostgreSQL at scale (the same peewee models)."""

from __future__ import annotations

from peewee import (
    BigAutoField,
    BigIntegerField,
    BlobField,
    BooleanField,
    CompositeKey,
    DatabaseProxy,
    DateTimeField,
    FloatField,
    IntegerField,
    Model,
    PostgresqlDatabase,
    TextField,
)
from playhouse.db_url import connect
from playhouse.migrate import PostgresqlMigrator, migrate

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
    seq = BigIntegerField()
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
    n = BigIntegerField()
    seq = BigIntegerField()
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
    dropped = BigIntegerField(default=0)


class Rejection(HubModel):
    """How many messages were rejected, by kiosk and reason ("" when the topic named none).

    Its own table name: the first hub counted per reason only, in a table `rejection` that
    the hub no longer reads."""

    kiosk_id = TextField()
    reason = TextField()
    count = BigIntegerField(default=0)  # grows for as long as a kiosk sends junk

    class Meta:
        table_name = "kiosk_rejection"
        primary_key = CompositeKey("kiosk_id", "reason")


class DeadLetter(HubModel):
    """A message the hub could not store, kept as it came for someone to look at: it was
    acknowledged all the same, so it never holds up the messages behind it. Only the newest
    `ingest.DEAD_LETTERS_KEPT` are kept."""

    id = BigAutoField()  # never reused: it grows by every message ever dead-lettered
    received_at = DateTimeField()  # hub time
    kiosk_id = TextField(default="")  # from the topic, if it named one
    topic = TextField()
    reason = TextField()
    detail = TextField(default="")
    payload = BlobField()


class MisdatedCount(HubModel):
    """A total from an interval stamped far from the hub's clock (a Pi that woke up in 1970):
    real events with a wrong time, kept out of the totals until the kiosk's clock is known
    for that boot; then `rebased_start` says where they went in IntervalCount (flagged)."""

    kiosk_id = TextField()
    boot = TextField()
    interval_start = TextField()  # as the kiosk stamped it
    metric = TextField()
    reader_group = TextField()
    n = BigIntegerField()
    seq = BigIntegerField()
    first_wall = TextField()  # the interval's first event, by the kiosk's wrong clock...
    first_mono = FloatField()  # ...and by its monotonic clock since boot
    minutes = IntegerField()  # the interval's length
    rebased_start = DateTimeField(null=True)

    class Meta:
        primary_key = CompositeKey("kiosk_id", "boot", "interval_start", "metric", "reader_group")


class BootClock(HubModel):
    """For one boot of one kiosk: wall time minus monotonic time, from a stamp made with the
    clock set. It turns the monotonic stamp of a misdated interval into its real time."""

    kiosk_id = TextField()
    boot = TextField()
    offset_s = FloatField()

    class Meta:
        primary_key = CompositeKey("kiosk_id", "boot")


class SeqWatermark(HubModel):
    """What a kiosk last said (health v2) of its sequence numbers: the latest the broker
    acknowledged (gaps at the end) and the oldest it still keeps (below it, none can come)."""

    kiosk_id = TextField(primary_key=True)
    latest_seq = BigIntegerField(default=0)
    oldest_seq = BigIntegerField(default=1)


HUB_MODELS = [
    RegisteredKiosk,
    Received,
    IntervalCount,
    KioskState,
    Rejection,
    DeadLetter,
    MisdatedCount,
    BootClock,
    SeqWatermark,
]


def open_hub_database(url: str):
    """Connect to the hub database (sqlite:/// or postgresql://), create missing tables and
    bring older ones up to date (`upgrade_schema`)."""
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
    upgrade_schema(database)
    return database


def upgrade_schema(database) -> None:
    """Bring tables made by an older hub up to this one's models. Idempotent: it looks at the
    columns as they are, so it runs at every start and does nothing once done.

    The only step so far: counters an earlier hub made 32-bit (INTEGER) on PostgreSQL are
    widened to BIGINT, as the models now say (a hub stops at 2^31 - 1 otherwise: rejections
    keep adding up, dead-letter ids are never reused). SQLite's INTEGER is 64-bit already,
    so SQLite files need nothing."""
    if not isinstance(database, PostgresqlDatabase):
        return
    narrow = set(
        database.execute_sql(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND data_type = 'integer'"
        ).fetchall()
    )
    migrator = PostgresqlMigrator(database)
    with database.atomic():
        for model in HUB_MODELS:
            table = model._meta.table_name
            for field in model._meta.sorted_fields:
                wide = isinstance(field, BigIntegerField | BigAutoField)
                if not wide or (table, field.column_name) not in narrow:
                    continue
                migrate(migrator.alter_column_type(table, field.column_name, BigIntegerField()))
                if isinstance(field, BigAutoField):  # SERIAL's sequence stops at 2^31 - 1 too
                    (sequence,) = database.execute_sql(
                        "SELECT pg_get_serial_sequence(%s, %s)", (table, field.column_name)
                    ).fetchone()
                    database.execute_sql(f"ALTER SEQUENCE {sequence} AS bigint")
