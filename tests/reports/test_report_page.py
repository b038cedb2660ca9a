"""The printable report: made by the real `kiosk report ... --html` command, printed to PDF
by a real headless browser (Debian's chromium), then read back with poppler's pdfinfo and
pdftotext: one A4 page, the Vietnamese heading, the figures and both signature blocks. The
commands run on a pinned day of December, the month each commune prints its figures for the
annual report (and the month whose title once came out as the year's)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest

from kiosk.demo import sample
from kiosk.reports import figures as reports
from kiosk.reports import page as report_page
from tests.support.pinned_time import kiosk_argv

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
A4_POINTS = (595.0, 842.0)  # 210 x 297 mm
PRINTED = datetime(2026, 12, 8, 10, 15)  # two days before the annual report is due


def kiosk_command(site: Path, *args: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    environ.update(KIOSK_CONFIG=str(site / "kiosk.toml"), PYTHONIOENCODING="utf-8")
    environ["KIOSK_LANGUAGE"] = "en"  # the page is Vietnamese whatever the CLI speaks
    done = subprocess.run(
        kiosk_argv(PRINTED, *args),
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environ,
        timeout=120,
    )
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    """A sample kiosk with two loans this month, and its report page from the CLI."""
    site = tmp_path_factory.mktemp("site")
    (site / "kiosk.toml").write_text(
        f'[kiosk]\ncommune = "06001"\ndata_dir = "{site / "data"}"\n'
        '[hardware]\nbackend = "emulated"\n',
        encoding="utf-8",
    )
    kiosk_command(site, "init", "--sample")
    kiosk_command(site, "borrow", sample.SAMPLE_CARDS["reader"], "LS-0001", "LS-0004")
    html = site / "bao-cao.html"
    done = kiosk_command(site, "report", "month", "--html", str(html))
    assert str(html) in done.stderr and "Loans" in done.stdout
    return html


def chromium(profile: Path, *args: str) -> None:
    # scripts/setup installs chromium and poppler-utils: missing ones are a broken set-up
    assert CHROMIUM is not None, "chromium is missing: run scripts/setup"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",
        *args,
    ]
    subprocess.run(command, capture_output=True, timeout=90, check=True)


def test_the_page_prints_on_one_a4_sheet(page: Path, tmp_path: Path):
    pdf = tmp_path / "bao-cao.pdf"
    chromium(tmp_path / "profile", f"--print-to-pdf={pdf}", page.as_uri())
    assert shutil.which("pdfinfo"), "poppler-utils is missing: run scripts/setup"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"^Pages:\s+1$", info.stdout, re.M), info.stdout
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout, re.M)
    assert size, info.stdout
    width, height = float(size[1]), float(size[2])
    assert abs(width - A4_POINTS[0]) < 2 and abs(height - A4_POINTS[1]) < 2
    words = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    today = PRINTED.date()
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "ỦY BAN NHÂN DÂN XÃ ĐOÀN KẾT",
        "BÁO CÁO KẾT QUẢ HOẠT ĐỘNG THƯ VIỆN",
        f"Tháng {today.month} năm {today.year}",
        f"Đoàn Kết, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}",
        "Người lập biểu",
        "Thủ trưởng đơn vị",
        "Theo nhóm bạn đọc",
        "Thiếu",  # the group names may wrap in their narrow columns
    ):
        assert expected in words, (expected, words)
    loans = re.search(r"Lượt mượn\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", words)
    assert loans and loans.groups() == ("2", "0", "2", "0"), words


def test_a_screenshot_of_the_page(page: Path, tmp_path: Path):
    shot = Path(os.environ.get("KIOSK_REPORT_SHOT", tmp_path / "page.png"))
    chromium(tmp_path / "profile", f"--screenshot={shot}", "--window-size=794,1123", page.as_uri())
    assert shot.stat().st_size > 10_000  # a rendered page, not a blank one


def test_render_annual_without_groups_and_escaping():
    report = reports.Report(
        reports.Period(2026),
        (),
        {("loans", "adult"): 7},
        (("Copies held", 12, None),),
    )
    unit = report_page.Unit("Phường <Đông Kinh>", "Thư viện & Đọc sách", "05977-01")
    html = report_page.render(report, unit, date(2026, 12, 5))
    assert "Năm 2026" in html and "ngày 05 tháng 12 năm 2026" in html
    assert "PHƯỜNG &lt;ĐÔNG KINH&gt;" in html and "THƯ VIỆN &amp; ĐỌC SÁCH" in html
    assert '<td>Lượt mượn</td><td class="n">7</td></tr>' in html
    assert '<td>Số bản sách hiện có</td><td class="n">12</td></tr>' in html
    assert "@page { size: A4" in html
    assert unit.place == "<Đông Kinh>"


def test_report_csv_has_a_bom(tmp_path):
    from kiosk.flows.staff_reports import write_csv

    report = reports.Report(reports.Period(2026, 11), ("adult",), {})
    raw = write_csv(report, tmp_path / "r.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and b"\r\r\n" not in raw
