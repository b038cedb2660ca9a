"""The hub's database itself: counters are 64-bit on both backends, an earlier hub's 32-bit
PostgreSQL columns are widened in place, and the `kiosk hub` command works against a real
PostgreSQL (a throw-away cluster, tests/support/postgres.py) as it is installed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.request
from datetime import datetime

import paho.mqtt.client as mqtt
import psycopg
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from kiosk.clock import Stamp
from kiosk.hub.ingest import ACCEPTED, Ingestor, Message
from kiosk.hub.models import (
    HUB_MODELS,
    DeadLetter,
    IntervalCount,
    KioskState,
    Received,
    RegisteredKiosk,
    Rejection,
    SeqWatermark,
    hub_db,
    open_hub_database,
)
from kiosk.telemetry import payloads
from tests.support.broker import free_port
from tests.support.mqtt import wait_for
from tests.support.pinned_time import kiosk_argv

NOW = datetime(2026, 11, 25, 10, 0)
STAMP = Stamp(datetime(2026, 11, 25, 9, 40), 100.0, "boot", True)
KIOSK, COMMUNE = "06001-01", "06001"
BEYOND_32_BITS = 2**31  # one more than an INTEGER column holds on PostgreSQL
ON_POSTGRES = pytest.mark.parametrize("hub_backend", ["postgres"])
# (table, column) of every counter that must be 64-bit in the store
COUNTERS = [
    ("received", "seq"),
    ("interval_count", "n"),
    ("interval_count", "seq"),
    ("kiosk_state", "dropped"),
    ("kiosk_rejection", "count"),
    ("dead_letter", "id"),
    ("misdated_count", "n"),
    ("misdated_count", "seq"),
    ("seq_watermark", "latest_seq"),
    ("seq_watermark", "oldest_seq"),
]


def counts_message(seq: int, loans: int) -> Message:
    body = payloads.counts(
        KIOSK, "20", COMMUNE, seq, datetime(2026, 11, 25, 9, 30), 15,
        [("loans", "adult", loans)], STAMP, STAMP, 0,
    )  # fmt: skip
    return Message(payloads.topic("20", COMMUNE, KIOSK, "counts"), payloads.encode(body))


def test_counters_go_past_32_bits(hub_database_url):
    """A rejection count that passes 2^31 - 1 keeps counting, and seqs, totals and the
    dropped count take 64-bit values, on each backend."""
    database = open_hub_database(hub_database_url)
    try:
        RegisteredKiosk.create(kiosk_id=KIOSK, province="20", commune=COMMUNE, created_at=NOW)
        Rejection.create(kiosk_id=KIOSK, reason="bad_json", count=BEYOND_32_BITS - 1)
        bad = Message(payloads.topic("20", COMMUNE, KIOSK, "counts"), b"{")
        assert Ingestor().handle_batch([bad, counts_message(7, 2)], NOW) == ["bad_json", ACCEPTED]
        assert Rejection.get(kiosk_id=KIOSK, reason="bad_json").count == BEYOND_32_BITS
        huge = 2**62
        Received.create(kiosk_id=KIOSK, seq=huge, received_at=NOW)
        KioskState.update(dropped=huge).execute()
        IntervalCount.update(n=huge, seq=huge).execute()
        SeqWatermark.create(kiosk_id=KIOSK, latest_seq=huge, oldest_seq=huge)
        assert Received.select().order_by(Received.seq.desc()).get().seq == huge
        assert KioskState.get().dropped == huge
        assert (IntervalCount.get().n, IntervalCount.get().seq) == (huge, huge)
        assert SeqWatermark.get().latest_seq == huge
    finally:
        database.close()


def _column_types(database) -> dict[tuple[str, str], str]:
    rows = database.execute_sql(
        "SELECT table_name, column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema()"
    ).fetchall()
    return {(table, column): kind for table, column, kind in rows}


@ON_POSTGRES
def test_an_earlier_hubs_32_bit_columns_are_widened_in_place(hub_database_url):
    """Tables made by an earlier hub (INTEGER counters, a SERIAL id) are widened to BIGINT
    when the hub opens them, their rows kept; opening again changes nothing."""
    database = open_hub_database(hub_database_url)
    for table, column in COUNTERS:  # the schema as an earlier hub made it
        database.execute_sql(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE integer')
    database.execute_sql("ALTER SEQUENCE dead_letter_id_seq AS integer")
    assert {_column_types(database)[c] for c in COUNTERS} == {"integer"}
    Received.create(kiosk_id=KIOSK, seq=5, received_at=NOW)
    DeadLetter.create(received_at=NOW, topic="t", reason="bad_json", payload=b"{")
    database.close()

    database = open_hub_database(hub_database_url)
    try:
        types = _column_types(database)
        assert {c: types[c] for c in COUNTERS} == {c: "bigint" for c in COUNTERS}
        (maximum,) = database.execute_sql(
            "SELECT max_value FROM pg_sequences WHERE sequencename = 'dead_letter_id_seq'"
        ).fetchone()
        assert maximum == 2**63 - 1
        assert [r.seq for r in Received.select()] == [5]  # the rows are kept
        Received.create(kiosk_id=KIOSK, seq=BEYOND_32_BITS, received_at=NOW)
        database.execute_sql("SELECT setval('dead_letter_id_seq', %s)", (BEYOND_32_BITS,))
        letter = DeadLetter.create(received_at=NOW, topic="t", reason="bad_json", payload=b"{")
        assert letter.id == BEYOND_32_BITS + 1
        open_hub_database(hub_database_url).close()  # once more: nothing left to do
        assert _column_types(hub_db.obj) == types
    finally:
        hub_db.close()


def test_every_model_is_in_the_table_list():
    """The widening step walks HUB_MODELS: a model left out would keep 32-bit columns."""
    assert {m._meta.table_name for m in HUB_MODELS} >= {table for table, _ in COUNTERS}


def test_a_missing_postgresql_is_a_failure_that_says_to_run_setup(monkeypatch):
    """Without initdb on the PATH or in Debian's folders the PostgreSQL tests fail (the
    session's cluster fixture turns this into pytest.fail), saying what to run."""
    from tests.support import postgres

    monkeypatch.setattr(postgres.shutil, "which", lambda name: None)
    monkeypatch.setattr(postgres.glob, "glob", lambda pattern: [])
    expected = r"initdb not found: PostgreSQL is not installed\. Run scripts/setup"
    with pytest.raises(postgres.PostgresMissing, match=expected):
        postgres.PostgresCluster()


def test_debians_folders_are_searched_newest_first(monkeypatch):
    """Debian's `postgresql` puts its programs in /usr/lib/postgresql/<version>/bin, off the
    PATH: found there, the newest version first (15 before 9: by number, not by text)."""
    from tests.support import postgres

    found = ["/usr/lib/postgresql/9/bin/pg_ctl", "/usr/lib/postgresql/15/bin/pg_ctl"]
    monkeypatch.setattr(postgres.shutil, "which", lambda name: None)
    monkeypatch.setattr(postgres.glob, "glob", lambda pattern: list(found))
    assert postgres.find_tool("pg_ctl") == "/usr/lib/postgresql/15/bin/pg_ctl"


# --- `kiosk hub ...` as installed, against PostgreSQL --------------------------------------


def _kiosk_hub(site, *args: str, **popen) -> subprocess.Popen:
    """`kiosk hub ARGS` as a subprocess (clock pinned at NOW), with this site's hub.toml."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    environ.update(KIOSK_HUB_CONFIG=str(site), KIOSK_LANGUAGE="en", PYTHONIOENCODING="utf-8")
    return subprocess.Popen(
        kiosk_argv(NOW, "hub", *args),
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **popen,
    )


def _ok(site, *args: str) -> str:
    process = _kiosk_hub(site, *args)
    output = process.communicate(timeout=60)[0]
    assert process.returncode == 0, output
    return output


def _stored_loans(url: str) -> list[tuple]:
    with psycopg.connect(url) as connection:
        return connection.execute("SELECT kiosk_id, n, seq FROM interval_count").fetchall()


@ON_POSTGRES
def test_kiosk_hub_init_add_and_run_on_postgresql(hub_database_url, broker, tmp_path):
    """The hub as installed, with `database = "postgresql://..."` in hub.toml: init makes the
    tables, `kiosk add` registers, `run` stores a kiosk's counts message from the broker and
    the dashboard shows it."""
    web_port = free_port()
    site = tmp_path / "hub.toml"
    site.write_text(
        f'[hub]\ndatabase = "{hub_database_url}"\ndata_dir = "{tmp_path / "hub"}"\n'
        f"web_port = {web_port}\n"
        f'[broker]\nbroker_url = "{broker.url}"\nusername = "hub"\npassword = "from-setup"\n',
        encoding="utf-8",
    )
    assert f"Hub database ready: {hub_database_url}" in _ok(site, "init")
    assert "Kiosk 06001-01 registered" in _ok(site, "kiosk", "add", KIOSK, "--commune", COMMUNE)
    assert KIOSK in _ok(site, "kiosk", "list")

    hub = _kiosk_hub(site, "run", "--name", "pg")
    kiosk = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=MQTTProtocolVersion.MQTTv5)
    try:
        kiosk.connect("127.0.0.1", broker.port)
        kiosk.loop_start()
        message = counts_message(3, 4)

        def sent_and_stored() -> bool:
            """Publish again until stored: the hub takes messages once it has subscribed."""
            kiosk.publish(message.topic, message.payload, qos=1)
            return bool(_stored_loans(hub_database_url))

        assert wait_for(sent_and_stored, timeout=30, step=0.5), "the hub never stored the counts"
        assert _stored_loans(hub_database_url) == [(KIOSK, 4, 3)]
        with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/api/overview", timeout=10) as r:
            overview = json.load(r)
        assert overview["loans_today"] == 4 and overview["kiosks"] == 1
    finally:
        kiosk.loop_stop()
        kiosk.disconnect()
        hub.send_signal(signal.SIGTERM)
        output = hub.communicate(timeout=20)[0]
    assert hub.returncode == 0, output
    assert "Traceback" not in output, output
