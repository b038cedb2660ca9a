"""The uplink against a real Mosquitto: counts, status and health arrive; rows are deleted only
on PUBACK; an outbox filled while the broker is down drains in order when it comes back."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from kiosk import config
from kiosk.demo import sample
from kiosk.store import outbox
from kiosk.telemetry import payloads
from kiosk.telemetry.uplink import Uplink
from tests.support.broker import Broker
from tests.support.mqtt import Collector, wait_for

CARD = sample.SAMPLE_CARDS["reader"]


def kiosk_config(tmp_path, broker_url: str) -> config.Config:
    return config.load(
        None,
        overrides={
            "kiosk": {"commune": "06001", "data_dir": str(tmp_path / "data")},
            "uplink": {"broker_url": broker_url, "coalesce_seconds": 1},
        },
    )


@pytest.fixture
def started(request):
    """Uplinks started by a test, stopped after it."""
    running: list[Uplink] = []
    yield running
    for uplink in running:
        uplink.stop()


def check(message) -> dict:
    kind = message.topic.rsplit("/", 1)[1]
    body = json.loads(message.payload)
    version = int(body["schema"].rsplit(".v", 1)[1])
    assert list(Draft202012Validator(payloads.schema(kind, version)).iter_errors(body)) == []
    assert payloads.personal_fields(body) == []
    return body


def test_counts_status_and_health_reach_the_broker(desk, clock, tmp_path, broker, started):
    collector = Collector(broker.port)
    desk.borrow(CARD, "LS-0001")
    desk.borrow(CARD, "LS-0004")
    clock.advance(minutes=15)  # the 09:30 interval is closed: send at once
    uplink = Uplink(
        kiosk_config(tmp_path, broker.url),
        clock,
        devices=lambda: {"rfid": "ok", "scanner": "missing"},
    )
    uplink.start()
    started.append(uplink)
    assert wait_for(lambda: outbox.depth() == 0), "the outbox did not drain"
    assert uplink.alive and uplink.describe() == "connected; 0 intervals waiting"
    assert wait_for(lambda: collector.of_kind("counts") and collector.of_kind("health"))
    (counts,) = [check(m) for m in collector.of_kind("counts")]
    assert counts["interval"] == {"start": "2026-11-25T09:30:00", "minutes": 15}
    assert {"metric": "loans", "group": "adult", "n": 2} in counts["counts"]
    assert counts["stamp"]["boot"] == "test-boot" and counts["stamp"]["clock_synced"]
    health = check(collector.of_kind("health")[0])
    # the first health report goes out right after the first counts, before their PUBACK
    assert (health["rfid"], health["scanner"], health["outbox_depth"]) == ("ok", "missing", 1)
    status = collector.of_kind("status")
    assert check(status[0])["state"] == "online"
    assert status[0].topic == "thuvien/v1/20/06001/06001-01/status"
    collector.close()


def test_status_is_retained_and_offline_on_stop(desk, tmp_path, broker, started, clock):
    uplink = Uplink(kiosk_config(tmp_path, broker.url), clock)
    uplink.start()
    assert wait_for(lambda: uplink.connected)
    late = Collector(broker.port)  # subscribes after the fact: gets the retained status
    assert wait_for(lambda: late.of_kind("status"))
    assert late.of_kind("status")[0].retain and check(late.of_kind("status")[0])["state"] == (
        "online"
    )
    uplink.stop()
    assert wait_for(lambda: check(late.of_kind("status")[-1])["state"] == "offline")
    late.close()


def test_backlog_built_while_broker_is_down_drains_in_order(desk, clock, tmp_path, started):
    broker = Broker(tmp_path / "late-broker-dir")
    broker.folder.mkdir()
    for _ in range(30):  # a day and more of intervals while the link is down
        desk.borrow(CARD, "LS-0001")
        desk.return_item("LS-0001")
        clock.advance(hours=1)
    backlog = outbox.depth()
    assert backlog >= 30
    uplink = Uplink(kiosk_config(tmp_path, broker.url), clock)
    uplink.start()
    started.append(uplink)
    assert not wait_for(lambda: uplink.connected, timeout=1.0)
    assert outbox.depth() == backlog  # nothing lost, nothing sent
    broker.start()
    collector = Collector(broker.port)
    try:
        assert wait_for(lambda: outbox.depth() == 0, timeout=30), "backlog did not drain"
        assert wait_for(lambda: len(collector.of_kind("counts")) >= backlog - 1)
        seqs = [check(m)["seq"] for m in collector.of_kind("counts")]
        assert seqs == sorted(seqs)  # in order
        assert uplink.acked >= backlog - 1
    finally:
        collector.close()
        broker.kill()
