"""The real `kiosk` command, run as a subprocess against a throw-away config and data dir.

Each run costs a fresh interpreter (~0.2 s), so read-only tests share one initialised sample
library (`sample_site`, module scope); tests that change data get their own folder. Every
command runs with its wall clock pinned (tests/support/pinned_time.py), by default to the last
minutes of a year: what "today" and "this month" mean must never depend on the day the suite
runs.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk import config as config_mod
from kiosk import i18n
from kiosk.circulation import due_date
from kiosk.cli import build_parser
from kiosk.demo.sample import tag_uid
from tests.support.pinned_time import kiosk_argv

FIXTURES = Path(__file__).parent.parent / "fixtures"

# When the commands run (a Thursday; the default rules close on Mondays): New Year's Eve, so
# "this month" is December and a loan's due date falls in the next year.
CLI_NOW = datetime(2026, 12, 31, 23, 58)

# Every command and sub-command of `kiosk` (test_help_list_is_complete keeps it honest).
COMMANDS = [
    (),
    ("init",),
    ("communes",),
    ("config",),
    ("config", "show"),
    ("config", "check"),
    ("report",),
    ("report", "month"),
    ("report", "year"),
    ("catalog",),
    ("catalog", "import"),
    ("catalog", "search"),
    ("catalog", "export"),
    ("reader",),
    ("reader", "add"),
    ("reader", "list"),
    ("reader", "export"),
    ("reader", "delete"),
    ("reader", "replace-card"),
    ("reader", "forget-old-loans"),
    ("rotation",),
    ("rotation", "import"),
    ("rotation", "receive"),
    ("rotation", "status"),
    ("rotation", "send-back"),
    ("inventory",),
    ("inventory", "start"),
    ("inventory", "scan"),
    ("inventory", "status"),
    ("inventory", "finish"),
    ("inventory", "report"),
    ("label",),
    ("label", "write"),
    ("label", "barcode"),
    ("label", "list"),
    ("staff",),
    ("staff", "add"),
    ("borrow",),
    ("return",),
    ("renew",),
    ("loans",),
    ("uplink",),
    ("uplink", "run"),
    ("uplink", "status"),
    ("hub",),
    ("hub", "run"),
    ("hub", "init"),
    ("hub", "kiosk"),
    ("hub", "kiosk", "add"),
    ("hub", "kiosk", "list"),
    ("hub", "kiosk", "remove"),
    ("doctor",),
    ("audio",),
    ("audio", "check"),
    ("audio", "say"),
    ("audio", "list"),
    ("backup",),
    ("backup", "run"),
    ("backup", "list"),
    ("backup", "restore"),
    ("i18n",),
    ("i18n", "export"),
    ("i18n", "import"),
    ("i18n", "coverage"),
    ("demo",),
    ("run",),  # the touch kiosk (issue 4)
]


@dataclass
class Site:
    """A kiosk installation in a temporary folder: its config file and data dir."""

    root: Path
    config: Path
    data_dir: Path
    now: datetime = CLI_NOW  # where each command's wall clock starts

    @property
    def db(self) -> Path:
        return self.data_dir / "kiosk.db"

    def run(
        self,
        *args: str,
        language: str | None = "en",
        stdin: str = "",
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess:
        """`kiosk ARGS` with KIOSK_CONFIG pointing here; stdin is closed after `stdin`."""
        environ = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
        environ["KIOSK_CONFIG"] = str(self.config)
        environ["PYTHONIOENCODING"] = "utf-8"
        if language is not None:
            environ["KIOSK_LANGUAGE"] = language
        environ.update(env or {})
        return subprocess.run(
            kiosk_argv(self.now, *args),
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=environ,
            cwd=self.root,
            timeout=120,
        )

    def ok(self, *args: str, **kwargs) -> str:
        """Run, require exit 0 and a clean stderr, return stdout."""
        result = self.run(*args, **kwargs)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        assert result.stderr == "", (args, result.stderr)
        return result.stdout

    def fails(self, *args: str, code: int = 1, **kwargs) -> subprocess.CompletedProcess:
        """Run, require exit `code` and no traceback."""
        result = self.run(*args, **kwargs)
        assert result.returncode == code, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr + result.stdout, result.stderr
        return result

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        """Run SQL on the kiosk's database directly (to check or to age data)."""
        connection = sqlite3.connect(self.db)
        try:
            with connection:
                return connection.execute(query, params).fetchall()
        finally:
            connection.close()


def make_site(root: Path, extra: str = "", kiosk_extra: str = "", now: datetime = CLI_NOW) -> Site:
    """A site config: the minimal file plus `kiosk_extra` in [kiosk] and `extra` sections;
    its commands run at `now`."""
    root.mkdir(parents=True, exist_ok=True)
    data_dir = root / "data"
    path = root / "kiosk.toml"
    path.write_text(
        f'[kiosk]\ncommune = "06001"\ndata_dir = "{data_dir.as_posix()}"\n{kiosk_extra}\n{extra}',
        encoding="utf-8",
    )
    return Site(root, path, data_dir, now)


@pytest.fixture
def site(tmp_path) -> Site:
    """A configured kiosk with no database yet."""
    return make_site(tmp_path / "site")


@pytest.fixture
def sample(tmp_path) -> Site:
    """A kiosk of its own with the sample library, for tests that change data."""
    fresh = make_site(tmp_path / "sample")
    fresh.ok("init", "--sample")
    return fresh


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory) -> Site:
    """The sample library shared by the read-only tests: do not change its data."""
    shared = make_site(tmp_path_factory.mktemp("shared"))
    shared.ok("init", "--sample")
    return shared


def table_rows(output: str) -> list[list[str]]:
    """Split `print_table` output into cells (columns are separated by 2+ spaces)."""
    return [re.split(r"\s{2,}", line.strip()) for line in output.splitlines() if line.strip()]


# --------------------------------------------------------------------------- help


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "kiosk")
def test_help_exits_0(tmp_path, command):
    """--help needs no configuration: KIOSK_CONFIG points to a file that does not exist."""
    nowhere = Site(tmp_path, tmp_path / "missing.toml", tmp_path / "data")
    out = nowhere.ok(*command, "--help")
    assert out.startswith("usage: " + " ".join(("kiosk", *command)))
    assert not nowhere.data_dir.exists()


def test_help_list_is_complete():
    """COMMANDS names exactly the commands the parser has (a new command needs a help test)."""

    def walk(parser: argparse.ArgumentParser, prefix: tuple[str, ...]) -> set[tuple[str, ...]]:
        found = {prefix}
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found |= walk(sub, (*prefix, name))
        return found

    assert walk(build_parser(), ()) == set(COMMANDS)


# --------------------------------------------------------------------------- init, catalogue


def test_init_then_init_sample(site):
    out = site.ok("init")
    assert str(site.db) in out
    assert "schema version" in out
    assert site.db.is_file()
    assert site.sql("SELECT count(*) FROM title") == [(0,)]

    out = site.ok("init", "--sample")
    assert "Sample library added: 33 titles." in out
    assert site.sql("SELECT count(*) FROM title") == [(33,)]
    assert site.sql("SELECT count(*) FROM reader") == [(8,)]

    again = site.fails("init", "--sample")
    assert "not empty" in again.stdout + again.stderr
    assert site.sql("SELECT count(*) FROM title") == [(33,)]


def test_search_without_marks(sample_site):
    out = sample_site.ok("catalog", "search", "duong")
    rows = table_rows(out)
    assert rows[0] == ["Title", "Author", "Year", "Shelf", "Available"]
    assert rows[1] == ["Đường Kách Mệnh", "Hồ Chí Minh", "2019", "Chính trị", "1/1"]

    out = sample_site.ok("catalog", "search", "DUONG", "kach", "menh")
    assert "Đường Kách Mệnh" in out
    assert "No title found." in sample_site.ok("catalog", "search", "zzzz")


def test_catalog_import_good_file(site):
    site.ok("init")
    out = site.ok("catalog", "import", "--dry-run", str(FIXTURES / "catalog_good.csv"))
    assert "Dry run: nothing was written." in out
    assert "6 rows: 4 new titles, 0 existing titles, 6 copies." in out
    assert "No title found." in site.ok("catalog", "search", "truyen", "kieu")

    out = site.ok("catalog", "import", str(FIXTURES / "catalog_good.csv"))
    assert "Dry run" not in out
    assert "6 rows: 4 new titles, 0 existing titles, 6 copies." in out
    rows = table_rows(site.ok("catalog", "search", "truyen", "kieu"))
    assert rows[1] == ["Truyện Kiều", "Nguyễn Du", "2015", "Văn học", "2/2"]
    assert site.sql("SELECT count(*) FROM copy") == [(6,)]


def test_catalog_import_malformed_file_writes_nothing(site):
    site.ok("init")
    result = site.fails("catalog", "import", str(FIXTURES / "catalog_bad_isbn.csv"))
    assert result.stdout == ""
    assert "nothing imported" in result.stderr
    assert "line 3:" in result.stderr
    assert "978-0-306-40615-8" in result.stderr
    # line 2 was valid, but nothing at all was written
    assert "No title found." in site.ok("catalog", "search", "nguoi", "thay")
    assert site.sql("SELECT count(*) FROM title") == [(0,)]

    missing = site.fails("catalog", "import", str(site.root / "nope.csv"))
    assert "nope.csv" in missing.stderr


# --------------------------------------------------------------------------- readers, staff


def test_reader_add_duplicate_and_bad_group(site):
    out = site.ok(
        "reader", "add", "--card", "04a1b2c3", "--name", "Nông Văn Dũng", "--group", "adult"
    )
    assert "Reader #1 registered, card 04A1B2C3" in out

    duplicate = site.fails(
        "reader", "add", "--card", "04:A1:B2:C3", "--name", "Vi Thị Lan", "--group", "elder"
    )
    assert "card 04A1B2C3 already belongs to a reader" in duplicate.stderr
    assert duplicate.stderr.startswith("Error: ")

    bad_group = site.fails(
        "reader", "add", "--card", "04FFFFFF", "--name", "Lý Thị Mai", "--group", "alien"
    )
    assert "unknown reader group 'alien'" in bad_group.stderr
    assert "child, adult, elder" in bad_group.stderr
    assert site.sql("SELECT card_id, name FROM reader") == [("04A1B2C3", "Nông Văn Dũng")]

    rows = table_rows(site.ok("reader", "list"))
    assert rows[0][:4] == ["#", "Card", "Name", "Group"]
    assert rows[1][:4] == ["1", "04A1B2C3", "Nông Văn Dũng", "adult"]
    assert len(rows) == 2


def test_reader_list_and_export(sample_site):
    rows = table_rows(sample_site.ok("reader", "list"))
    assert len(rows) == 1 + 8
    assert rows[1][:4] == ["1", "A1B2C3D4", "Hoàng Văn Tâm", "adult"]

    for reference in ("1", "#1", "a1b2c3d4"):
        data = json.loads(sample_site.ok("reader", "export", reference))
        assert data["reader"]["name"] == "Hoàng Văn Tâm"
        assert data["reader"]["card_id"] == "A1B2C3D4"
        assert data["loans"] == []

    unknown = sample_site.fails("reader", "export", "999")
    assert "no reader '999'" in unknown.stderr


def test_loan_history_is_forgotten_by_its_own_command_not_by_opening_the_store(sample):
    sample.ok("borrow", "A1B2C3D4", "LS-0001", "LS-0003")
    sample.ok("return", "LS-0001", "LS-0003")
    long_ago = str(sample.now - timedelta(days=31))  # the default retention is 30 days
    sample.sql("UPDATE loan SET returned_at = ? WHERE copy_id = 1", (long_ago,))
    assert len(json.loads(sample.ok("reader", "export", "1"))["loans"]) == 2  # still named

    out = sample.ok("reader", "forget-old-loans")
    assert out == "1 returned loan older than 30 days no longer names its reader.\n"
    loans = json.loads(sample.ok("reader", "export", "1"))["loans"]
    assert len(loans) == 1  # the loan returned today is kept
    assert sample.sql("SELECT count(*) FROM loan WHERE reader_id IS NULL") == [(1,)]
    assert "0 returned loans" in sample.ok("reader", "forget-old-loans")


def test_reader_delete_refused_while_on_loan(sample):
    sample.ok("borrow", "A1B2C3D4", "LS-0001")
    refused = sample.fails("reader", "delete", "1", "--yes")
    assert "still has 1 book on loan" in refused.stderr
    assert json.loads(sample.ok("reader", "export", "1"))["loans"][0]["accession"] == "LS-0001"

    sample.ok("return", "LS-0001")
    assert "Reader #1 erased." in sample.ok("reader", "delete", "1", "--yes")
    gone = sample.fails("reader", "export", "1")
    assert "no reader '1'" in gone.stderr
    assert sample.fails("reader", "export", "A1B2C3D4").returncode == 1
    # the loan stays, counted, without its reader
    assert sample.sql("SELECT reader_id, reader_group FROM loan") == [(None, "adult")]


def test_reader_delete_asks_for_confirmation(sample):
    declined = sample.fails("reader", "delete", "2", stdin="n\n")
    assert "Nothing erased." in declined.stdout
    assert sample.sql("SELECT count(*) FROM reader WHERE id = 2") == [(1,)]

    erased = sample.run("reader", "delete", "2", stdin="y\n")
    assert erased.returncode == 0, erased.stderr
    assert "Reader #2 erased." in erased.stdout
    assert sample.sql("SELECT count(*) FROM reader WHERE id = 2") == [(0,)]


def test_reader_delete_without_an_answer_erases_nothing(sample):
    """Run from a script with no terminal (stdin at end of file): a refusal, not a traceback."""
    result = sample.fails("reader", "delete", "2", stdin="")
    assert "Nothing erased." in result.stdout + result.stderr
    assert sample.sql("SELECT count(*) FROM reader WHERE id = 2") == [(1,)]


def test_staff_add_with_pin_on_stdin(site):
    out = site.ok(
        "staff",
        "add",
        "--card",
        "5aff0002",
        "--name",
        "Chu Văn An",
        "--pin-stdin",
        stdin="482915\n",
    )
    assert "Staff member Chu Văn An added (card 5AFF0002)." in out
    ((card, pin_hash),) = site.sql("SELECT card_id, pin_hash FROM staff")
    assert card == "5AFF0002"
    assert pin_hash.startswith("scrypt$")
    assert "482915" not in pin_hash

    for bad_pin in ("12a4", "123", "123456789", ""):
        result = site.fails(
            "staff",
            "add",
            "--card",
            "5AFF0003",
            "--name",
            "Hà Văn B",
            "--pin-stdin",
            stdin=bad_pin + "\n",
        )
        assert "the PIN must be 4 to 8 digits" in result.stderr, bad_pin
    assert site.sql("SELECT count(*) FROM staff") == [(1,)]

    again = site.fails(
        "staff", "add", "--card", "5AFF0002", "--name", "X", "--pin-stdin", stdin="1111\n"
    )
    assert "already belongs to a staff member" in again.stderr


# --------------------------------------------------------------------------- circulation


def test_borrow_return_renew_and_loans(sample):
    """One reader's day at the desk, with one loan aged so that it is overdue."""
    rules = config_mod.load(sample.config).loans
    today = sample.now.date()
    due = i18n.format_date(due_date(today, "adult", rules))

    out = sample.ok("borrow", "A1B2C3D4", "LS-0001", "200000000003")  # accession, barcode
    assert f"✓ Dế Mèn phiêu lưu ký: borrowed, due {due}" in out
    assert out.count("borrowed") == 2

    refused = sample.fails("borrow", "A1B2C3D4", "LS-0025")  # reference only
    assert "✗ Then Tày Lạng Sơn:" in refused.stdout
    unknown = sample.fails("borrow", "FFFFFFFF", "LS-0002")
    assert "✗" in unknown.stdout

    rows = table_rows(sample.ok("loans"))
    assert rows[0] == ["Due", "Days late", "Accession", "Title", "Reader", "Card"]
    assert sorted(r[1] for r in rows[1:]) == ["LS-0001", "LS-0003"]  # no "days late" cell
    assert "No overdue loans." in sample.ok("loans", "--overdue")

    early = sample.fails("renew", "A1B2C3D4", "LS-0001")  # nothing to gain yet
    assert "✗" in early.stdout

    sample.sql(
        "UPDATE loan SET due = ? WHERE copy_id = (SELECT id FROM copy WHERE accession = ?)",
        (str(today - timedelta(days=3)), "LS-0001"),
    )
    rows = table_rows(sample.ok("loans", "--overdue"))
    assert len(rows) == 2
    late = today - timedelta(days=3)
    assert rows[1][0] in (str(late), i18n.format_date(late))
    assert rows[1][1:3] == ["3", "LS-0001"]
    assert rows[1][-2:] == ["Hoàng Văn Tâm", "A1B2C3D4"]

    out = sample.ok("renew", "A1B2C3D4", "LS-0001")
    assert f"renewed, due {due}" in out
    assert "No overdue loans." in sample.ok("loans", "--overdue")
    assert sample.sql(
        "SELECT renewals FROM loan JOIN copy ON copy.id = loan.copy_id WHERE accession = 'LS-0001'"
    ) == [(1,)]

    out = sample.ok("return", "LS-0001", tag_uid(3))
    assert out.count("returned") == 2
    assert "No current loans." in sample.ok("loans")
    again = sample.ok("return", "LS-0001")  # not on loan: accepted, with a notice
    assert "returned —" in again
    assert "No loans to renew." in sample.ok("renew", "A1B2C3D4")


@pytest.mark.parametrize(
    "now",
    [
        CLI_NOW,  # December: the month report is not the annual one
        datetime(2027, 1, 1, 0, 0, 30),  # the first minute of a year
        datetime(2028, 2, 29, 12, 0),  # a leap day
    ],
    ids=str,
)
def test_reports_count_the_loans(tmp_path, now):
    sample = make_site(tmp_path / "sample", now=now)
    sample.ok("init", "--sample")
    sample.ok("borrow", "A1B2C3D8", "LS-0001")  # a child
    sample.ok("borrow", "A1B2C3D4", "LS-0003", "LS-0004")  # an adult
    sample.ok("return", "LS-0003")

    text = sample.ok("report", "month", "--csv")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["Indicator", "Total", "Children", "Adults", "Elderly"]
    by_label = {row[0]: row[1:] for row in table[1:]}
    assert by_label["Loans"] == ["3", "1", "2", "0"]
    assert by_label["Returns"] == ["1", "0", "1", "0"]
    assert by_label["New readers"] == ["8", "2", "4", "2"]
    assert by_label["Visits (readers with a card)"][0] == "2"

    assert text == sample.ok("report", "month", f"{now:%Y-%m}", "--csv")
    before = sample.ok("report", "month", f"{now.replace(day=1) - timedelta(days=1):%Y-%m}")
    assert next(line for line in before.splitlines() if line.startswith("Loans")).split()[1] == "0"

    out = sample.ok("report", "year")
    assert out.startswith(f"Report {now.year}\n")
    loans_line = next(line for line in out.splitlines() if line.startswith("Loans"))
    assert loans_line.split()[1:] == ["3", "1", "2", "0"]

    empty = sample.ok("report", "year", "2020", "--csv")
    assert list(csv.reader(io.StringIO(empty)))[3] == ["Loans", "0", "0", "0", "0"]


@pytest.mark.parametrize(
    "args",
    [
        ("init", "--sample"),
        ("report", "month", "2026-13"),
        ("report", "month", "9999-12"),  # its end would be in the year 10000
        ("report", "year", "0"),
        ("report", "year", "10000"),
    ],
    ids=["sample-twice", "bad-month", "last-month-of-9999", "year-0", "year-10000"],
)
def test_user_errors_go_to_stderr(sample_site, args):
    """The CLI's rule: an error a person can fix is a message on stderr and a non-zero exit."""
    result = sample_site.fails(*args)
    assert result.stderr.strip() != ""
    assert result.stdout.strip() == "" or "schema version" in result.stdout


# --------------------------------------------------------------------------- configuration


def test_bad_config_lists_every_problem(tmp_path):
    site = make_site(
        tmp_path,
        kiosk_extra='langauge = "vi"\n',
        extra="[hardware]\nbuzzer = 18\n[loans]\nmax_renewals = 99\n",
    )
    site.config.write_text(
        site.config.read_text(encoding="utf-8").replace('"06001"', '"99999"'), encoding="utf-8"
    )
    for args in (("config", "check"), ("catalog", "search", "duong")):
        result = site.fails(*args, code=2)
        assert result.stdout == ""
        assert str(site.config) in result.stderr
        problems = [line for line in result.stderr.splitlines() if line.startswith("  - ")]
        assert len(problems) == 4, result.stderr
        assert "kiosk.langauge: unknown setting (did you mean 'language'?)" in result.stderr
        assert "hardware.buzzer: unknown setting (did you mean 'buzzer_pin'?)" in result.stderr
        assert "kiosk.commune: '99999' is not a commune of province 20" in result.stderr
        assert "loans.max_renewals: must be between 0 and 20" in result.stderr
    assert not site.data_dir.exists()


def test_bad_commune_code_alone(tmp_path):
    site = make_site(tmp_path)
    site.config.write_text(
        site.config.read_text(encoding="utf-8").replace('"06001"', '"6001"'), encoding="utf-8"
    )
    result = site.fails("config", "check", code=2)
    assert "kiosk.commune:" in result.stderr
    assert "kiosk communes" in result.stderr  # the hint


def test_config_that_is_not_toml(tmp_path):
    site = make_site(tmp_path)
    site.config.write_text("[kiosk\ncommune = 06001\n", encoding="utf-8")
    result = site.fails("config", "check", code=2)
    assert "not valid TOML" in result.stderr


def test_missing_config_file(sample_site, tmp_path):
    missing = tmp_path / "no-such.toml"
    result = sample_site.fails("--config", str(missing), "config", "show", code=2)
    assert str(missing) in result.stderr
    assert "file not found" in result.stderr

    nowhere = Site(tmp_path, missing, tmp_path / "data")
    assert "file not found" in nowhere.fails("reader", "list", code=2).stderr


def test_config_flag_wins_over_the_environment(sample_site, tmp_path):
    other = make_site(tmp_path / "other", kiosk_extra='room_name = "Phòng đọc Đoàn Kết"\n')
    shown = json.loads(sample_site.ok("--config", str(other.config), "config", "show"))
    assert shown["kiosk"]["room_name"] == "Phòng đọc Đoàn Kết"
    assert shown["kiosk"]["data_dir"] == str(other.data_dir)


def test_config_show_masks_the_password(tmp_path):
    site = make_site(
        tmp_path,
        extra='[uplink]\nusername = "kiosk-06001"\npassword = "s3cr3t-Mqtt!"\n'
        'broker_url = "mqtts://hub.langson.example:8883"\n',
    )
    out = site.ok("config", "show")
    assert "s3cr3t-Mqtt!" not in out
    shown = json.loads(out)
    assert shown["uplink"]["password"] == "********"
    assert shown["uplink"]["username"] == "kiosk-06001"
    assert shown["uplink"]["broker_url"] == "mqtts://hub.langson.example:8883"
    assert shown["kiosk"]["commune"] == "06001"
    assert shown["kiosk"]["id"] == "06001-01"
    assert shown["kiosk"]["data_dir"] == str(site.data_dir)
    assert "Configuration OK" in site.ok("config", "check")


def test_communes_lists_the_65_communes(sample_site):
    rows = table_rows(sample_site.ok("communes"))
    assert rows[0] == ["Code", "Commune"]
    codes = [row[0] for row in rows[1:]]
    assert len(codes) == 65
    assert len(set(codes)) == 65
    assert all(re.fullmatch(r"\d{5}", code) for code in codes)
    assert ["06001", "Xã Đoàn Kết"] in rows


def test_demo_runs(sample_site):
    out = sample_site.ok("demo")
    assert "▶" in out
    assert "Đường Kách Mệnh" in out
    assert "borrowed" in out
    assert "Report " in out


# --------------------------------------------------------------------------- language


def test_default_language_is_vietnamese(sample_site):
    """Without KIOSK_LANGUAGE the site's language (default vi) is spoken."""
    vietnamese = i18n.load_catalog("vi").messages
    assert vietnamese.get("Title", "Title") != "Title", "vi.po should translate 'Title'"
    result = sample_site.run("catalog", "search", "duong", language=None)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() != ""
    assert vietnamese["Title"] in result.stdout
    assert "Đường Kách Mệnh" in result.stdout
    assert "Available" not in result.stdout  # the English header is not used


def test_site_translation_overrides_the_packaged_one(tmp_path):
    site = make_site(tmp_path)
    (site.data_dir / "locale").mkdir(parents=True)
    (site.data_dir / "locale" / "vi.po").write_text(
        'msgid "No title found."\nmsgstr "Không có sách nào như vậy (bản dịch của xã)."\n',
        encoding="utf-8",
    )
    out = site.ok("catalog", "search", "zzzz", language=None)
    assert "Không có sách nào như vậy (bản dịch của xã)." in out


def test_english_site_gets_english_not_the_vietnamese_fallback(tmp_path):
    """An 'en' site must print the English source strings, even where vi.po has a translation."""
    site = make_site(tmp_path, kiosk_extra='language = "en"\n')
    (site.data_dir / "locale").mkdir(parents=True)
    (site.data_dir / "locale" / "vi.po").write_text(
        'msgid "No title found."\nmsgstr "Không tìm thấy."\n', encoding="utf-8"
    )
    assert site.ok("catalog", "search", "zzzz", language=None).strip() == "No title found."
    assert site.ok("catalog", "search", "zzzz", language="en").strip() == "No title found."
