"""peewee models over the tables that `migrations` creates (the migrations own the schema)."""

from __future__ import annotations

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    CompositeKey,
    DateField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from kiosk.clock import SystemClock
from kiosk.store.db import db

# Rows made without an explicit time (tests, ad-hoc scripts) get the kiosk clock's time;
# the domain code passes its own clock's time.
_kiosk_now = SystemClock().now


class Base(Model):
    class Meta:
        database = db
        legacy_table_names = False


class Setting(Base):
    """Small key/value settings owned by the store (e.g. consent notice version)."""

    key = TextField(primary_key=True)
    value = TextField()

    class Meta:
        table_name = "meta"


class Title(Base):
    """A bibliographic record; its copies are the physical books."""

    title = TextField()
    author = TextField(default="")
    publisher = TextField(default="")
    year = IntegerField(null=True)
    isbn = TextField(null=True)
    language = TextField(default="vi")
    subjects = TextField(default="")
    local_document = BooleanField(default=False)  # Tày/Nùng local documents, commune history
    created_at = DateTimeField(default=_kiosk_now)
    title_key = TextField(default="")
    author_key = TextField(default="")
    exact_key = TextField(default="")


class RotationBatch(Base):
    """A batch of books lent to the commune by the provincial library (luân chuyển)."""

    code = TextField(unique=True)
    source_library = TextField()
    received_at = DateTimeField(null=True)
    due_back = DateField()
    sent_back_at = DateTimeField(null=True)


class Copy(Base):
    """One physical book: what a tag or barcode identifies and what is lent."""

    title = ForeignKeyField(Title, backref="copies", on_delete="CASCADE")
    accession = TextField(unique=True)
    barcode = TextField(unique=True, null=True)
    shelf = TextField(default="")
    batch = ForeignKeyField(RotationBatch, null=True, backref="copies")  # None: the commune's own
    loanable = BooleanField(default=True)  # False: reference only, read in the room
    status = CharField(default="available")
    created_at = DateTimeField(default=_kiosk_now)


class CopyTag(Base):
    """An RFID tag UID (hex, upper case) stuck in a copy; a copy may carry several."""

    uid = TextField(primary_key=True)
    copy = ForeignKeyField(Copy, backref="tags", on_delete="CASCADE")


class Reader(Base):
    """A registered reader. Personal data: exported and deleted on request."""

    card_id = TextField(unique=True)
    name = TextField()
    reader_group = TextField()
    consent_at = DateTimeField(null=True)
    consent_version = TextField(null=True)
    expires = DateField(null=True)
    blocked = BooleanField(default=False)
    blocked_reason = TextField(default="")
    last_visit = DateField(null=True)
    created_at = DateTimeField(default=_kiosk_now)


class Loan(Base):
    """A copy lent to a reader; `reader` is cleared after the retention period."""

    copy = ForeignKeyField(Copy, backref="loans")
    reader = ForeignKeyField(Reader, null=True, backref="loans", on_delete="SET NULL")
    reader_group = TextField()  # kept after anonymisation, for the aggregates
    out_at = DateTimeField()
    due = DateField()
    returned_at = DateTimeField(null=True)
    renewals = IntegerField(default=0)


class Visit(Base):
    """One person entering (door beam) or one reader's first card tap of the day."""

    at = DateTimeField()
    source = TextField()
    reader_group = TextField(null=True)


class Staff(Base):
    """A staff member: card plus PIN; only a salted slow hash of the PIN is stored."""

    card_id = TextField(unique=True)
    name = TextField()
    pin_hash = TextField()
    failed_pins = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    created_at = DateTimeField(default=_kiosk_now)


class CounterBucket(Base):
    """How many times something happened in one interval, per reader group (no persons)."""

    interval_start = DateTimeField()
    metric = TextField()
    reader_group = TextField(default="")
    count = IntegerField(default=0)

    class Meta:
        primary_key = CompositeKey("interval_start", "metric", "reader_group")


class Outbox(Base):
    """An interval's counts waiting for the uplink; deleted only when the broker acknowledged
    it. `seq` is the per-kiosk sequence number the hub deduplicates on."""

    seq = AutoField()
    topic = TextField()  # the topic suffix: "counts"
    payload = TextField(default="")  # frozen when first published
    created_at = DateTimeField()
    monotonic = FloatField()
    clock_synced = BooleanField()
    interval_start = DateTimeField(null=True)
    boot_id = TextField(default="")
    state = TextField(default="pending")  # pending -> inflight -> (deleted on PUBACK)


class InventorySession(Base):
    """A check of the shelves; open until finished, so an interrupted one resumes."""

    started_at = DateTimeField()
    finished_at = DateTimeField(null=True)
    current_shelf = TextField(default="")


class InventoryScan(Base):
    """One item seen during an inventory (the last shelf it was seen on wins)."""

    session = ForeignKeyField(InventorySession, backref="scans", on_delete="CASCADE")
    item_key = TextField()  # "c<copy id>" or "u<item>" for an unknown tag: one row per item
    item = TextField()
    copy = ForeignKeyField(Copy, null=True, on_delete="SET NULL")
    shelf = TextField(default="")
    seen_at = DateTimeField()


class InventoryResult(Base):
    """A finished inventory's findings, frozen when it finished."""

    session = ForeignKeyField(InventorySession, backref="results", on_delete="CASCADE")
    kind = TextField()  # found, missing, on_loan_found, elsewhere, unknown
    item = TextField()
    copy = ForeignKeyField(Copy, null=True, on_delete="SET NULL")
    title = TextField(default="")
    shelf = TextField(default="")
    seen_shelf = TextField(default="")
    note = TextField(default="")


ALL_MODELS = [
    Setting,
    Title,
    RotationBatch,
    Copy,
    CopyTag,
    Reader,
    Loan,
    Visit,
    Staff,
    CounterBucket,
    Outbox,
    InventorySession,
    InventoryScan,
    InventoryResult,
]
