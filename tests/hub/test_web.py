"""The dashboard over real HTTP, and in a real headless browser (Debian's chromium)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk import i18n
from kiosk.hub import indicators as ind
from kiosk.hub import report, web
from tests.hub.conftest import NOW

TODAY = NOW.replace(hour=8)
HOSTILE_KIOSK = '<script>alert("k")</script>'
HOSTILE_COMMUNE = '"><img src=x onerror=alert(1)>'
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# What a browser does with a page does not depend on the database behind it: the browser tests
# run on SQLite only (the pages' figures are checked over HTTP on both backends).
BROWSER_ON_SQLITE = pytest.mark.parametrize("hub_backend", ["sqlite"])


@pytest.fixture
def filled(hub_data):
    """Two communes with kiosks (one with two), a month of visits, loans and rejections."""
    hub_data.add_kiosk(
        "06001-01",
        "06001",
        health={
            "outbox_depth": 3,
            "cpu_temp_c": 51.2,
            "disk_free_mb": 900.0,
            "rfid": "ok",
            "scanner": "missing",
            "version": "0.1.0",
            "outbox_dropped": 0,
        },
    )
    hub_data.add_kiosk("06001-02", "06001", online=False, last_seen=NOW - timedelta(hours=5))
    hub_data.add_kiosk("05977-01", "05977", online=False, last_seen=NOW - timedelta(days=3))
    for day in range(35):
        start = TODAY - timedelta(days=day)
        hub_data.count("06001-01", "06001", start, "visits_door", 10 + day, group="")
        hub_data.count("06001-01", "06001", start, "loans", 3)
        hub_data.count("06001-02", "06001", start, "visits_card", 2)
        hub_data.count("05977-01", "05977", start, "visits_card", 4, synced=day % 7 != 0)
    hub_data.count("05977-01", "05977", datetime(2025, 11, 20, 9), "visits_card", 40)
    hub_data.reject("bad_json", 3)
    return hub_data


class Server:
    """The dashboard served from a thread on a free port."""

    def __init__(self, config, clock=lambda: NOW):
        self.httpd = web.make_server(config, clock=clock)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def get(self, path: str, method: str = "GET") -> tuple[int, dict, bytes]:
        request = urllib.request.Request(self.url + path, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def json(self, path: str) -> dict:
        status, _headers, body = self.get(path)
        assert status == 200, path
        return json.loads(body)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(hub_config, hub_data):
    running = Server(hub_config)
    yield running
    running.stop()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/commune/06001",
        "/commune/05983",
        "/plan",
        "/report/2026",
        "/report/2025",
        "/report/2026.csv",
        "/api/overview",
        "/api/commune/06001",
        "/api/plan",
        "/static/hub.css",
        "/static/hub.js",
        "/plan/",
        "/?x=1",
    ],
)
def test_pages_answer(server, filled, path):
    status, headers, body = server.get(path)
    assert status == 200 and body
    assert "default-src 'self'" in headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path",
    [
        "/nope",
        "/commune/99999",
        "/commune/abc",
        "/commune/06001/x",
        "/report/1999",
        "/report/2027",
        "/report/2026.xlsx",
        "/static/missing.js",
        "/static/../web.py",
        "/api/commune/99999",
        "/api/nope",
        "/favicon.ico",
    ],
)
def test_unknown_paths_are_404(server, filled, path):
    status, _headers, body = server.get(path)
    assert status == 404
    assert b"Traceback" not in body
    if path.startswith("/api/"):
        assert json.loads(body) == {"error": "Not Found"}


def test_head_and_unsupported_methods(server):
    status, headers, body = server.get("/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0
    assert server.get("/", method="POST")[0] == 501


def test_an_error_is_a_plain_500(server, monkeypatch):
    def broken(*args):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(ind, "overview", broken)
    status, _headers, body = server.get("/")
    assert status == 500 and b"database on fire" not in body and b"Traceback" not in body
    status, _headers, body = server.get("/api/overview")
    assert status == 500 and json.loads(body) == {"error": "Internal Server Error"}
    assert server.get("/plan")[0] == 200  # the server goes on


def test_overview_json_equals_the_indicators(server, filled):
    data = server.json("/api/overview")
    expected = ind.overview("20", NOW, 30)
    assert data["visits_today"] == expected.visits_today == 10 + 2 + 4
    assert data["visits_month"] == expected.visits_month
    assert data["loans_today"] == expected.loans_today == 3
    assert data["loans_month"] == expected.loans_month == 3 * 25
    assert (data["kiosks"], data["kiosks_online"]) == (3, 1)
    assert [d["visits"] for d in data["daily"]] == [n for _, n in expected.daily]
    assert data["rejections"] == {"bad_json": 3} and data["rejected"] == 3
    by_code = {c["code"]: c for c in data["communes"]}
    assert by_code["06001"]["status"] == "partial" and by_code["05977"]["status"] == "offline"
    assert by_code["06001"]["visits_source"] == "mixed"
    assert by_code["05977"]["unsynced_month"] == expected.unsynced_month == 4
    assert data["time"] == "10:00:00"


def test_commune_and_plan_json_equal_the_indicators(server, filled):
    commune = server.json("/api/commune/06001")
    row = ind.commune_rows("20", NOW, 30, commune="06001")[0]
    assert commune["name"] == "Xã Đoàn Kết"
    assert (commune["visits_today"], commune["loans_month"]) == (row.visits_today, row.loans_month)
    assert [k["kiosk_id"] for k in commune["kiosks"]] == ["06001-01", "06001-02"]
    assert commune["kiosks"][0]["health"]["cpu_temp_c"] == 51.2
    empty = server.json("/api/commune/05983")
    assert empty["kiosks"] == [] and empty["visits_month"] == 0
    plan = server.json("/api/plan")
    expected = ind.plan("20", NOW, 30)
    assert plan["active_communes"] == len(expected.active) == 2
    assert plan["share"] == round(expected.share, 1) == 3.1
    assert (plan["target_year"], plan["target_share"], plan["share_met"]) == (2026, 15.0, False)
    assert plan["visits_ytd"] == expected.visits_ytd
    assert plan["visits_ytd_last_year"] == expected.visits_ytd_last_year == 40


def test_report_csv_has_bom_header_rows_and_total(server, filled):
    status, headers, body = server.get("/report/2026.csv")
    assert status == 200
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in headers["Content-Disposition"]
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    header = rows.index(report.columns())
    assert rows[header + 1][:4] == ["06001", "Xã Đoàn Kết", "2", "yes"]
    assert rows[header + 2][:3] == ["05977", "Phường Đông Kinh", "1"]
    rep = ind.annual_report("20", 2026, NOW, 30)
    assert rows[header + 3][:5] == ["", "Whole province", "3", "", str(rep.total.visits)]
    indicators = {r[0]: r[1:] for r in rows[header + 4 :] if r}
    assert indicators["Communes with an active model library"] == [
        "2/65 (3,1%)",
        "15% by 2026",
        "not met",
    ]


def test_values_are_escaped_in_html(server, hub_data):
    hub_data.add_kiosk(
        HOSTILE_KIOSK,
        "06001",
        version="<svg onload=alert(2)>",
        health={"<b>key</b>": "<i>value</i>", "rfid": "<u>x</u>"},
    )
    hub_data.add_kiosk("k-hostile", HOSTILE_COMMUNE)
    hub_data.count(HOSTILE_KIOSK, "06001", TODAY, "loans", 1)
    pages = [server.get(p)[2].decode() for p in ("/", "/commune/06001", "/report/2026")]
    for html in pages:
        for raw in (HOSTILE_KIOSK, HOSTILE_COMMUNE, "<svg onload", "<b>key", "<i>value", "<u>x"):
            assert raw not in html
    assert "&lt;script&gt;alert(&quot;k&quot;)&lt;/script&gt;" in pages[1]
    assert "&lt;b&gt;key&lt;/b&gt;" in pages[1]
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in pages[0]
    assert "/commune/%22%3E%3Cimg" in pages[0]  # the link is URL-encoded too


def test_labels_json_cannot_close_its_script_element():
    assert "</script>" not in web._json_for_html({"x": "</script><script>alert(1)"})


def test_pages_speak_vietnamese(server, filled):
    i18n.set_language("vi")
    html = server.get("/")[2].decode()
    assert '<html lang="vi">' in html
    assert "Xã Đoàn Kết" in html and "Phường Đông Kinh" in html
    assert "Xã, phường" in html  # "Commune", from the Vietnamese catalog


def test_concurrent_requests_each_get_a_connection(server, filled):
    paths = ["/", "/api/overview", "/api/plan", "/commune/06001", "/report/2026.csv"] * 8
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(lambda p: server.get(p)[0], paths))
    assert statuses == [200] * len(paths)


# ---------------------------------------------------------------------------------------------
# A real browser


def chromium(profile: Path, *args: str) -> str:
    """Run headless chromium once; its stdout."""
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=1280,900",
        "--virtual-time-budget=5000",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


@pytest.fixture
def browser_profile(tmp_path):
    # scripts/setup installs chromium: a missing browser is a broken set-up, not a reason to skip
    assert CHROMIUM is not None, "chromium is missing: run scripts/setup"
    return tmp_path / "chromium-profile"


class NextDayClock:
    """The page is rendered on the 25th; every later call (the script's poll) is the 26th."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> datetime:
        self.calls += 1
        return NOW if self.calls == 1 else NOW + timedelta(days=1)


@BROWSER_ON_SQLITE
def test_browser_runs_the_script_and_fills_live_numbers(hub_config, filled, browser_profile):
    filled.count("06001-01", "06001", TODAY + timedelta(days=1), "loans", 41)
    live = Server(hub_config, clock=NextDayClock())
    try:
        dom = chromium(browser_profile, "--dump-dom", live.url + "/")
    finally:
        live.stop()
    # the server wrote the 25th's 3 loans; the script replaced them with the 26th's 41
    row = re.search(r'<tr data-id="06001">.*?</tr>', dom, re.S).group(0)
    assert re.search(r'data-k="loans_today">41<', row)
    assert re.search(r'data-live="loans_today">41<', dom)
    assert re.search(r'id="updated"[^>]*>Updated 10:00:00<', dom)
    assert len(re.findall(r'<rect [^>]*class="bar"', dom)) == 30
    assert "26/11" in dom  # the chart's last day label


@BROWSER_ON_SQLITE
def test_browser_screenshots(server, filled, browser_profile, tmp_path):
    shots = tmp_path / "shots"
    shots.mkdir()
    pages = {
        "overview": "/",
        "commune": "/commune/06001",
        "plan": "/plan",
        "report": "/report/2026",
    }
    for name, path in pages.items():
        chromium(browser_profile, f"--screenshot={shots / name}.png", server.url + path)
        png = (shots / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 10_000, name


@BROWSER_ON_SQLITE
def test_browser_prints_the_report_on_a4(server, filled, browser_profile, tmp_path):
    pdf = tmp_path / "report.pdf"
    chromium(
        browser_profile,
        f"--print-to-pdf={pdf}",
        "--no-pdf-header-footer",
        server.url + "/report/2026",
    )
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())
    assert boxes and all(
        (round(float(w)), round(float(h))) == (842, 595) for w, h in boxes
    )  # A4 landscape, in points


def test_vietnamese_number_formats():
    assert report.fmt_int(1234567) == "1.234.567"
    assert report.fmt_pct(15.0) == "15%" and report.fmt_pct(15.38) == "15,4%"
    assert report.fmt_pct(1011.44, signed=True) == "+1.011,4%"
    assert report.fmt_pct(-3.25, signed=True) == "-3,2%" and report.fmt_pct(None) == "—"
    assert report.fmt_time(datetime(2026, 1, 2, 3, 4)) == "02/01/2026 03:04"
