"""End to end: kiosk outbox -> real Mosquitto -> hub database, through a broker killed and
restarted, a cut link and a kiosk killed mid-drain: no sequence number missing, nothing
counted twice."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from kiosk import config
from kiosk.clock import FixedClock
from kiosk.demo import sample
from kiosk.desk import Desk
from kiosk.hub import config as hub_config
from kiosk.hub import registry
from kiosk.hub.models import IntervalCount, Received, open_hub_database
from kiosk.hub.service import HubService
from kiosk.store.db import close_database, open_database
from tests.support.broker import Broker, free_port
from tests.support.mqtt import wait_for
from tests.support.proxy import LinkProxy

INTERVALS = 1500
CARD = sample.SAMPLE_CARDS["reader"]


def make_backlog(kiosk: config.Config) -> None:
    """Weeks of activity recorded while the link was down: one interval's row each."""
    open_database(kiosk.db_path)
    clock = FixedClock(datetime(2026, 9, 1, 7, 30))
    sample.create(clock, kiosk.loans)
    desk = Desk(kiosk.loans, clock)
    for _ in range(INTERVALS):
        desk.borrow(CARD, "LS-0001")
        desk.return_item("LS-0001")
        clock.advance(minutes=15)
    close_database()


def kiosk_rows(db_path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchall()


class UplinkProcess:
    """`kiosk uplink run` as its own process, to be killed like a kiosk losing power."""

    def __init__(self, config_file: Path):
        env = {**os.environ, "KIOSK_CONFIG": str(config_file)}
        self.log = (config_file.parent / "uplink.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "uplink", "run"],
            env=env,
            stdout=self.log,
            stderr=self.log,
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.mark.timeout(300)
def test_nothing_lost_nothing_doubled_through_failures(tmp_path):
    hub = hub_config.load(
        None,
        overrides={
            "hub": {"data_dir": str(tmp_path / "hub")},
            "broker": {"password": "hub-secret"},
        },
    )
    open_hub_database(hub.database_url)
    registry.set_password(hub, hub.username, "hub-secret")
    creds = registry.add(hub, "06001-01", "06001", datetime(2026, 9, 1, 7, 0))
    (tmp_path / "broker").mkdir()
    hub_port = free_port()  # the kiosks' and the hub's listeners, as provisioning sets them up
    accounts = "allow_anonymous false\npassword_file {}\nacl_file " + str(hub.acl_file) + "\n"
    broker = Broker(
        tmp_path / "broker",
        head_config="per_listener_settings true\nautosave_on_changes true\n",
        extra_config=(
            accounts.format(hub.password_file)
            + "use_username_as_clientid true\n"
            + f"listener {hub_port} 127.0.0.1\n"
            + accounts.format(hub.hub_password_file)
        ),
    ).start()
    proxy = LinkProxy(broker.port, delay=0.004)
    hub = hub_config.load(
        None,
        overrides={
            "hub": {"data_dir": str(tmp_path / "hub"), "repair_seconds": 1},
            "broker": {"broker_url": f"mqtt://127.0.0.1:{hub_port}", "password": "hub-secret"},
        },
    )
    service = HubService(hub, "e2e")
    service.start()
    assert service.wait_subscribed()

    config_file = tmp_path / "kiosk.toml"
    config_file.write_text(
        f'[kiosk]\ncommune = "06001"\nid = "06001-01"\ndata_dir = "{tmp_path / "kiosk"}"\n'
        f'[uplink]\nbroker_url = "mqtt://127.0.0.1:{proxy.port}"\nusername = "06001-01"\n'
        f'password = "{creds.password}"\ncoalesce_seconds = 1\n',
        encoding="utf-8",
    )
    kiosk = config.load(config_file)
    make_backlog(kiosk)
    expected_seqs = {seq for (seq,) in kiosk_rows(kiosk.db_path, "SELECT seq FROM outbox")}
    expected = {
        (start.replace(" ", "T"), metric, group): n
        for start, metric, group, n in kiosk_rows(
            kiosk.db_path, "SELECT interval_start, metric, reader_group, count FROM counter_bucket"
        )
    }
    depth = lambda: kiosk_rows(  # noqa: E731 - rows not yet acknowledged by the broker
        kiosk.db_path, "SELECT count(*) FROM outbox WHERE state != 'sent'"
    )[0][0]
    total = depth()
    assert total == len(expected_seqs) == INTERVALS

    uplink = UplinkProcess(config_file)
    try:
        assert wait_for(lambda: depth() <= total * 3 // 4, timeout=60, step=0.01)
        broker.kill()  # the provincial server crashes...
        time.sleep(0.5)
        broker.start()  # ...and comes back on the same port with its saved state
        assert wait_for(lambda: depth() <= total // 2, timeout=60, step=0.01)
        proxy.cut()  # the commune's link drops for a while
        time.sleep(2)
        proxy.restore()
        assert wait_for(lambda: depth() <= total // 4, timeout=60, step=0.01)
        uplink.kill()  # power cut at the kiosk, mid-drain
        uplink = UplinkProcess(config_file)
        assert wait_for(lambda: depth() == 0, timeout=120), "the outbox did not drain"
        assert wait_for(lambda: Received.select().count() >= len(expected_seqs), timeout=60)
    finally:
        uplink.stop()
        service.stop()
        proxy.close()
        broker.kill()

    got = {r.seq for r in Received.select().where(Received.kiosk_id == "06001-01")}
    assert sorted(expected_seqs - got) == [], "sequence numbers missing at the hub"
    assert got == expected_seqs
    stored = {
        (r.interval_start.isoformat(), r.metric, r.reader_group): r.n
        for r in IntervalCount.select()
    }
    assert stored == expected, "the hub's totals differ from the kiosk's (lost or doubled)"
    assert service.counts.get("duplicate", 0) >= 0
