"""Gap repair: a message the broker acknowledged but lost is asked for again and resent."""

from __future__ import annotations

from datetime import datetime

from kiosk import config
from kiosk.demo import sample
from kiosk.hub import config as hub_config
from kiosk.hub import registry, repair
from kiosk.hub.ingest import ACCEPTED, Ingestor
from kiosk.hub.models import Received, open_hub_database
from kiosk.hub.service import HubService
from kiosk.store import outbox
from kiosk.telemetry.uplink import Uplink
from tests.support.mqtt import Collector, wait_for

CARD = sample.SAMPLE_CARDS["reader"]


def test_missing_seqs(tmp_path):
    open_hub_database(f"sqlite:///{tmp_path / 'hub.db'}")
    now = datetime(2026, 11, 25)
    assert repair.missing_seqs("06001-01") == []
    for seq in (1, 2, 5, 7):
        Received.create(kiosk_id="06001-01", seq=seq, received_at=now)
    assert repair.missing_seqs("06001-01") == [3, 4, 6]


def test_lost_message_is_requested_and_resent(desk, clock, tmp_path, broker, monkeypatch):
    hub = hub_config.load(
        None,
        overrides={
            "hub": {"data_dir": str(tmp_path / "hub"), "repair_seconds": 1},
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
        assert lost == [3]
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
