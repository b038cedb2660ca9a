"""What the dashboard shows of delivery: rejections and held-apart intervals per kiosk, a dead
ingest thread, health figures that are not JSON (NaN), and a room full of browsers."""

from __future__ import annotations

import json
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from kiosk.hub import web
from kiosk.hub.models import KioskState, MisdatedCount, Received, SeqWatermark
from tests.hub.conftest import NOW
from tests.hub.test_web import Server


def strict_json(body: bytes):
    """JSON as a browser's JSON.parse reads it: NaN and Infinity are errors."""

    def refuse(name: str):
        raise ValueError(f"{name} is not JSON")

    return json.loads(body, parse_constant=refuse)


@pytest.fixture
def served(hub_config, hub_data):
    """A dashboard whose ingest can be made to die."""
    alive = threading.Event()
    alive.set()
    running = Server.__new__(Server)
    running.httpd = web.make_server(hub_config, clock=lambda: NOW, ingest_alive=alive.is_set)
    running.url = f"http://127.0.0.1:{running.httpd.server_address[1]}"
    running.thread = threading.Thread(
        target=running.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    running.thread.start()
    yield running, alive
    running.stop()


def test_a_health_figure_that_is_not_json_shows_as_none(served, hub_data):
    hub_data.add_kiosk("06001-01", "06001")
    # as an older hub stored it: Python's json.dumps writes NaN and Infinity
    KioskState.update(health='{"disk_free_mb": NaN, "cpu_temp_c": Infinity}').execute()
    server, _alive = served
    status, _headers, body = server.get("/api/commune/06001")
    assert status == 200
    health = strict_json(body)["kiosks"][0]["health"]
    assert health == {"disk_free_mb": None, "cpu_temp_c": None}
    status, _headers, page = server.get("/commune/06001")
    assert status == 200 and b"NaN" not in page and b"Infinity" not in page


def test_rejections_and_held_apart_intervals_per_kiosk(served, hub_data):
    hub_data.add_kiosk("06001-01", "06001")
    hub_data.add_kiosk("06001-02", "06001")
    hub_data.reject("bad_date", 2, kiosk_id="06001-02")
    hub_data.reject("bad_schema", 1, kiosk_id="06001-02")
    MisdatedCount.create(
        kiosk_id="06001-01",
        boot="b1",
        interval_start="1970-01-01T00:00:00",
        metric="loans",
        reader_group="adult",
        n=3,
        seq=1,
        first_wall="1970-01-01T00:01:00",
        first_mono=60.0,
        minutes=15,
    )
    server, _alive = served
    kiosks = {k["kiosk_id"]: k for k in server.json("/api/commune/06001")["kiosks"]}
    assert (kiosks["06001-01"]["rejected"], kiosks["06001-01"]["misdated"]) == (0, 1)
    assert kiosks["06001-02"]["rejections"] == {"bad_date": 2, "bad_schema": 1}
    assert kiosks["06001-02"]["rejected"] == 3
    _status, _headers, page = server.get("/commune/06001")
    assert 'data-k="rejected">3<' in page.decode()
    assert 'data-k="misdated">1<' in page.decode()


def test_intervals_the_kiosk_no_longer_keeps_show_as_lost(served, hub_data):
    hub_data.add_kiosk("06001-01", "06001")
    Received.insert_many(
        [{"kiosk_id": "06001-01", "seq": s, "received_at": NOW} for s in (1, 2, 7, 9)]
    ).execute()
    SeqWatermark.create(kiosk_id="06001-01", latest_seq=9, oldest_seq=8)
    server, _alive = served
    (kiosk,) = server.json("/api/commune/06001")["kiosks"]
    assert kiosk["lost"] == 4  # 3, 4, 5, 6: 8 is still on the kiosk, it can be asked for


def test_a_dead_ingest_is_an_alarm_and_a_503(served, hub_data):
    server, alive = served
    assert server.get("/api/health")[0] == 200
    assert server.json("/api/overview")["ingest_stopped"] is False
    alive.clear()  # the ingest thread died
    status, _headers, body = server.get("/api/health")
    assert (status, json.loads(body)) == (503, {"ingest": "stopped"})
    assert server.json("/api/overview")["ingest_stopped"] is True
    _status, _headers, page = server.get("/")
    assert 'role="alert"' in page.decode()


def test_a_hundred_browsers_at_once_are_all_answered(served, hub_data):
    server, _alive = served
    assert server.httpd.request_queue_size >= 100
    start = threading.Barrier(100)

    def fetch(_i: int) -> int:
        start.wait()
        with urllib.request.urlopen(server.url + "/api/health", timeout=5) as response:
            return response.status

    with ThreadPoolExecutor(max_workers=100) as pool:
        assert list(pool.map(fetch, range(100))) == [200] * 100


def test_the_new_health_keys_are_translated(served, hub_data):
    hub_data.add_kiosk(
        "06001-01", "06001", health={"uptime_s": 12.0, "latest_seq": 4, "oldest_seq": 1}
    )
    server, _alive = served
    _status, _headers, page = server.get("/commune/06001")
    text = page.decode()
    for key in ("uptime_s", "latest_seq", "oldest_seq"):
        assert f"<th>{key}</th>" not in text
