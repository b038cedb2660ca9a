"""The uplink over TLS, and the last will when a kiosk dies without a goodbye."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from kiosk import config
from kiosk.demo import sample
from kiosk.store import outbox
from kiosk.telemetry.uplink import Uplink
from tests.support.broker import Broker, free_port
from tests.support.certs import make_certs
from tests.support.mqtt import Collector, wait_for

CARD = sample.SAMPLE_CARDS["reader"]


def tls_broker(tmp_path) -> tuple[Broker, dict]:
    certs = make_certs(tmp_path / "pki")
    folder = tmp_path / "broker"
    folder.mkdir()
    tls_port = free_port()
    broker = Broker(
        folder,
        extra_config=(
            "allow_anonymous true\n"
            f"listener {tls_port} 127.0.0.1\ncafile {certs['ca']}\n"
            f"certfile {certs['cert']}\nkeyfile {certs['key']}\nallow_anonymous true\n"
        ),
    )
    broker.tls_port = tls_port
    return broker.start(), certs


def kiosk_config(tmp_path, url: str, ca: str = "") -> config.Config:
    return config.load(
        None,
        overrides={
            "kiosk": {"commune": "06001", "data_dir": str(tmp_path / "data")},
            "uplink": {"broker_url": url, "ca_file": ca, "coalesce_seconds": 1},
        },
    )


def test_uplink_over_tls(desk, clock, tmp_path):
    broker, certs = tls_broker(tmp_path)
    collector = Collector(broker.port)  # the plain loopback listener, for the test's eyes
    desk.borrow(CARD, "LS-0001")
    clock.advance(minutes=15)
    uplink = Uplink(
        kiosk_config(tmp_path, f"mqtts://localhost:{broker.tls_port}", str(certs["ca"])), clock
    )
    uplink.start()
    try:
        assert wait_for(lambda: outbox.depth() == 0), "nothing drained over TLS"
        assert wait_for(lambda: collector.of_kind("counts"))
    finally:
        uplink.stop()
        collector.close()
        broker.kill()


def test_uplink_refuses_a_broker_it_cannot_verify(desk, clock, tmp_path):
    broker, _certs = tls_broker(tmp_path)
    other_ca = make_certs(tmp_path / "other-pki", name="other")["ca"]
    desk.borrow(CARD, "LS-0001")
    clock.advance(minutes=15)
    uplink = Uplink(
        kiosk_config(tmp_path, f"mqtts://localhost:{broker.tls_port}", str(other_ca)), clock
    )
    uplink.start()
    try:
        assert not wait_for(lambda: uplink.connected, timeout=2.0)
        assert outbox.depth() >= 1  # kept for a broker it can trust
    finally:
        uplink.stop()
        broker.kill()


def test_last_will_says_offline_when_the_kiosk_dies(tmp_path, broker):
    config_file = tmp_path / "kiosk.toml"
    config_file.write_text(
        f'[kiosk]\ncommune = "06001"\ndata_dir = "{tmp_path / "k"}"\n'
        f'[uplink]\nbroker_url = "{broker.url}"\n',
        encoding="utf-8",
    )
    watcher = Collector(broker.port, "thuvien/v1/+/+/+/status")
    kiosk = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "uplink", "run"],
        env={**os.environ, "KIOSK_CONFIG": str(config_file)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(lambda: watcher.messages, timeout=20)
        assert json.loads(watcher.messages[-1].payload)["state"] == "online"
        kiosk.send_signal(signal.SIGKILL)  # a power cut: no DISCONNECT, no goodbye
        kiosk.wait()
        assert wait_for(lambda: len(watcher.messages) >= 2, timeout=20)
        will = json.loads(watcher.messages[-1].payload)
        assert will["state"] == "offline" and "stamp" not in will
    finally:
        if kiosk.poll() is None:
            kiosk.kill()
        watcher.close()
