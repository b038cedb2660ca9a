"""Gap repair: a message the broker acknowledged but lost is asked for again and resent."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from kiosk import config
from kiosk.demo import sample
from kiosk.hub import config as hub_config
from kiosk.hub import registry, repair
from kiosk.hub.ingest import ACCEPTED, Ingestor
from kiosk.hub.models import Received, SeqWatermark, open_hub_database
from kiosk.hub.service import HubService
from kiosk.store import outbox
from kiosk.telemetry import payloads
from kiosk.telemetry.uplink import Uplink
from tests.support.mqtt import Collector, wait_for

CARD = sample.SAMPLE_CARDS["reader"]


def test_missing_seqs(hub_database_url):
    open_hub_database(hub_database_url)
    now = datetime(2026, 11, 25)
    assert repair.missing_seqs("06001-01") == []
    for seq in (1, 2, 5, 7):
        Received.create(kiosk_id="06001-01", seq=seq, received_at=now)
    assert repair.missing_seqs("06001-01") == [3, 4, 6]


def test_lost_message_is_requested_and_resent(
    desk, clock, tmp_path, broker, monkeypatch, hub_database_url
):
    hub = hub_config.load(
        None,
        overrides={
            "hub": {
                "data_dir": str(tmp_path / "hub"),
                "database": hub_database_url,
                "repair_seconds": 1,
            },
            "broker": {"broker_url": broker.url, "username": ""},
        },
    )
    open_hub_database(hub.database_url)
    registry.add(hub, "06001-01", "06001", clock.now())
    for _ in range(6):  # six closed intervals to send
        desk.borrow(CARD, "LS-0001")
        desk.return_item("LS-0001")
        clock.advance(minutes=15)
    lost: list[int] = []
    real_counts = Ingestor._counts

    def lossy(self, body, now):
        if body["seq"] == 3 and not lost:  # the broker "loses" seq 3 once, after its PUBACK
            lost.append(3)
            return ACCEPTED
        return real_counts(self, body, now)

    monkeypatch.setattr(Ingestor, "_counts", lossy)
    service = HubService(hub, "repair")
    service.start()
    assert service.wait_subscribed()
    watcher = Collector(broker.port, "thuvien/v1/+/+/+/resend")
    kiosk = config.load(
        None,
        overrides={
            "kiosk": {"commune": "06001", "data_dir": str(tmp_path / "data")},
            "uplink": {"broker_url": broker.url, "coalesce_seconds": 1},
        },
    )
    uplink = Uplink(kiosk, clock)
    uplink.start()
    try:
        assert wait_for(lambda: outbox.depth() == 0)
        assert wait_for(lambda: lost == [3])  # PUBACKed is not yet ingested
        seqs = lambda: {r.seq for r in Received.select()}  # noqa: E731
        assert wait_for(lambda: 3 in seqs(), timeout=20), "seq 3 was never resent"
        assert seqs() == set(range(1, max(seqs()) + 1))
        requests = [m.payload for m in watcher.messages]
        assert b'"seqs":[3]' in requests[0]  # asked for exactly what was missing...
        assert wait_for(lambda: watcher.messages[-1].payload == b"")  # ...then cleared
    finally:
        uplink.stop()
        service.stop()
        watcher.close()


def _received(*seqs: int) -> None:
    now = datetime(2026, 11, 25)
    Received.insert_many(
        [{"kiosk_id": "06001-01", "seq": s, "received_at": now} for s in seqs]
    ).execute()


@pytest.mark.parametrize("top", [payloads.MAX_SEQ, 2**62], ids=["schema-limit", "2^62"])
def test_repair_works_on_ranges_and_is_bounded(hub_database_url, top):
    """One huge seq (at the schema's limit, or 2^62 stored before the schema bounded it) must
    not build a list of every number (it killed the ingest thread with MemoryError at every
    start)."""
    open_hub_database(hub_database_url)
    _received(1, 2, 5, top)
    started = time.perf_counter()
    low = top - repair.WINDOW + 1  # without health v2: a window below the latest
    assert repair.missing_ranges("06001-01") == [(low, top - 1)]
    asked = repair.missing_seqs("06001-01")
    assert time.perf_counter() - started < 1.0
    assert asked == list(range(low, low + payloads.MAX_RESEND))


def test_trailing_gaps_are_seen_through_the_latest_seq_in_health(hub_database_url):
    open_hub_database(hub_database_url)
    _received(1, 2, 3, 5)
    assert repair.missing_seqs("06001-01") == [4]
    SeqWatermark.create(kiosk_id="06001-01", latest_seq=9, oldest_seq=1)
    assert repair.missing_ranges("06001-01") == [(4, 4), (6, 9)]
    assert repair.missing_seqs("06001-01") == [4, 6, 7, 8, 9]


def test_what_the_kiosk_no_longer_keeps_is_counted_lost_not_asked_for(hub_database_url):
    """More than a request's worth of seqs the kiosk pruned must not fill every request."""
    open_hub_database(hub_database_url)
    _received(1, 900, 901, 903)
    assert repair.missing_seqs("06001-01")[:2] == [2, 3]  # without health v2: asked for
    SeqWatermark.create(kiosk_id="06001-01", latest_seq=905, oldest_seq=850)
    assert repair.missing_seqs("06001-01") == [*range(850, 900), 902, 904, 905]
    assert repair.lost("06001-01") == 848  # 2..849


class _Recorder:
    """The hub's MQTT client as far as repair uses it: records retained publishes."""

    def __init__(self):
        self.published: list[tuple[str, bytes]] = []

    def publish(self, topic, payload, qos, retain):
        assert qos == 1 and retain
        self.published.append((topic, payload))


def test_open_requests_are_re_asserted_until_filled(tmp_path, monkeypatch, hub_database_url):
    settings = {"data_dir": str(tmp_path / "hub"), "database": hub_database_url}
    hub = hub_config.load(None, overrides={"hub": {**settings, "reassert_seconds": 60}})
    open_hub_database(hub.database_url)
    registry.add(hub, "06001-01", "06001", datetime(2026, 11, 25))
    _received(1, 3)
    service = HubService(hub, "reassert")
    recorder = _Recorder()
    service._client = recorder  # never started: only its repair pass runs here
    moments = iter([1000.0, 1030.0, 1061.0, 1062.0, 1063.0])
    monkeypatch.setattr("kiosk.hub.service.time.monotonic", lambda: next(moments))
    service._ask_for_gaps()  # asks
    service._ask_for_gaps()  # 30 s later: unchanged, not yet due
    service._ask_for_gaps()  # 61 s: asked again (the request or its answer may be lost)
    assert [p for _t, p in recorder.published] == [
        b'{"schema":"thuvien.resend.v1","kiosk":"06001-01","seqs":[2]}'
    ] * 2
    _received(2)
    service._ask_for_gaps()  # filled: cleared once
    service._ask_for_gaps()
    assert [p for _t, p in recorder.published][2:] == [b""]


def test_a_dead_ingest_thread_is_visible(tmp_path, monkeypatch):
    """A failure the loop does not survive must show: `alive` turns False (the dashboard's
    alarm, /api/health's 503 and the systemd watchdog read it); a failing repair pass is
    survived."""
    hub = hub_config.load(None, overrides={"hub": {"data_dir": str(tmp_path / "hub")}})
    open_hub_database(hub.database_url)
    service = HubService(hub, "dies")
    service._subscribed.set()
    monkeypatch.setattr(repair, "requests", lambda: 1 / 0)  # repair fails: survived
    service._worker.start()
    time.sleep(0.3)
    assert service.alive
    monkeypatch.setattr(service, "_next_batch", lambda: [][0])  # any bug
    assert wait_for(lambda: not service.alive, timeout=5)
