"""Configuration: defaults + site file, one schema, every problem reported at once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kiosk import config


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_minimal_site_file(tmp_path):
    cfg = config.load(write(tmp_path, '[kiosk]\ncommune = "06001"\ndata_dir = "/srv/k"\n'))
    assert cfg.commune == "06001" and cfg.province == "20"
    assert cfg.kiosk_id == "06001-01"
    assert cfg.db_path == Path("/srv/k/kiosk.db")
    assert cfg.loans.period_days == {"child": 14, "adult": 21, "elder": 28}
    assert cfg.loans.closed_weekdays == frozenset({0})
    assert cfg.hardware.backend == "emulated"


def test_site_values_override_defaults(tmp_path):
    cfg = config.load(
        write(
            tmp_path,
            """
[kiosk]
commune = "06613"
id = "dinh-lap-1"
language = "tyz"
[loans]
period_days = { child = 7, adult = 14 }
limit = { child = 2, adult = 4 }
closed_weekdays = ["sunday", "Monday"]
closed_dates = ["2026-09-02", 2027-01-01]
""",
        )
    )
    assert cfg.kiosk_id == "dinh-lap-1" and cfg.language == "tyz"
    assert cfg.loans.groups == ("child", "adult")
    assert cfg.loans.closed_weekdays == frozenset({6, 0})
    assert cfg.loans.closed_dates == frozenset({date(2026, 9, 2), date(2027, 1, 1)})


def test_every_problem_reported_at_once_with_key_and_hint(tmp_path):
    path = write(
        tmp_path,
        """
[kiosk]
commune = "99999"
language = "fr"
comune = "x"
[hardware]
backend = "arduino"
rst_pin = 99
[loans]
period_days = { child = 0, adult = 21 }
limit = { adult = 5, elder = 3 }
closed_weekdays = ["funday"]
closed_dates = ["tomorrow"]
[uplink]
broker_url = "http://hub"
ca_file = "/nonexistent/ca.pem"
""",
    )
    with pytest.raises(config.ConfigError) as caught:
        config.load(path)
    keys = {p.key for p in caught.value.problems}
    assert keys >= {
        "kiosk.commune",
        "kiosk.language",
        "kiosk.comune",
        "hardware.backend",
        "hardware.rst_pin",
        "loans.period_days.child",
        "loans.limit",
        "loans.closed_weekdays",
        "loans.closed_dates",
        "uplink.broker_url",
        "uplink.ca_file",
    }
    by_key = {p.key: p for p in caught.value.problems}
    assert by_key["kiosk.comune"].hint == "did you mean 'commune'?"
    assert "kiosk communes" in by_key["kiosk.commune"].hint
    assert "emulated | pi" in by_key["hardware.backend"].hint
    assert str(path) in str(caught.value)


def test_commune_required(tmp_path):
    with pytest.raises(config.ConfigError) as caught:
        config.load(write(tmp_path, "[kiosk]\n"))
    assert [p.key for p in caught.value.problems] == ["kiosk.commune"]


def test_wrong_types_reported(tmp_path):
    with pytest.raises(config.ConfigError) as caught:
        config.load(
            write(
                tmp_path,
                '[kiosk]\ncommune = 6001\n[loans]\nmax_renewals = "two"\nretention_days = true\n',
            )
        )
    keys = {p.key for p in caught.value.problems}
    assert keys == {"kiosk.commune", "loans.max_renewals", "loans.retention_days"}


def test_shared_gpio_pin_reported(tmp_path):
    with pytest.raises(config.ConfigError, match="share a GPIO pin"):
        config.load(write(tmp_path, '[kiosk]\ncommune = "06001"\n[hardware]\nled_pin = 18\n'))


def test_bad_toml_says_where(tmp_path):
    with pytest.raises(config.ConfigError, match="line 2"):
        config.load(write(tmp_path, '[kiosk]\ncommune = "06001\n'))


def test_path_from_environment_and_missing_explicit_file(tmp_path, monkeypatch):
    path = write(tmp_path, '[kiosk]\ncommune = "06001"\n')
    monkeypatch.setenv(config.ENV_VAR, str(path))
    assert config.load().source == str(path)
    monkeypatch.setenv(config.ENV_VAR, str(tmp_path / "missing.toml"))
    with pytest.raises(config.ConfigError, match="file not found"):
        config.load()


def test_text_values_are_nfc_normalised(tmp_path):
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Thư viện xã Đoàn Kết")
    cfg = config.load(write(tmp_path, f'[kiosk]\ncommune = "06001"\nroom_name = "{nfd}"\n'))
    assert cfg.room_name == "Thư viện xã Đoàn Kết"


def test_secrets_masked(tmp_path):
    cfg = config.load(
        write(
            tmp_path,
            '[kiosk]\ncommune = "06001"\n[uplink]\nusername = "06001-01"\npassword = "s3cret"\n',
        )
    )
    shown = config.masked(cfg)
    assert shown["uplink"]["password"] == "********"
    assert shown["uplink"]["username"] == "06001-01"
    assert "s3cret" not in repr(shown)
    assert cfg.uplink.password == "s3cret"


def test_a_reader_group_the_province_does_not_count_is_refused(tmp_path):
    """The hub's counts schema knows only these groups: a kiosk configured with another would
    have every count of that group rejected as junk, so the kiosk refuses it at once."""
    with pytest.raises(config.ConfigError) as caught:
        config.load(
            write(
                tmp_path,
                '[kiosk]\ncommune = "06001"\n[loans]\n'
                "period_days = { adult = 21, student = 21 }\nlimit = { adult = 5, student = 5 }\n",
            )
        )
    problems = {p.key: p for p in caught.value.problems}
    assert set(problems) == {"loans.period_days.student", "loans.limit.student"}
    assert "child, adult, elder" in problems["loans.limit.student"].message


@pytest.mark.parametrize("phone", ["0205 3870 555", "+84 205 3870555", "(0205) 387-0555", ""])
def test_a_hotline_is_a_phone_number(tmp_path, phone):
    site = write(tmp_path, f'[kiosk]\ncommune = "06001"\nhotline = "{phone}"\n')
    assert config.load(site).hotline == phone


@pytest.mark.parametrize("phone", ["call Hằng", "12", "0205; rm -rf /"])
def test_a_hotline_that_is_no_phone_number_is_refused(tmp_path, phone):
    with pytest.raises(config.ConfigError) as caught:
        config.load(write(tmp_path, f'[kiosk]\ncommune = "06001"\nhotline = "{phone}"\n'))
    assert [p.key for p in caught.value.problems] == ["kiosk.hotline"]


def test_printer_is_off_by_default_and_read_when_set(tmp_path):
    assert config.load(write(tmp_path, '[kiosk]\ncommune = "06001"\n')).printer.kind == "none"
    cfg = config.load(
        write(
            tmp_path,
            '[kiosk]\ncommune = "06001"\n[printer]\nkind = "usb"\n'
            "usb_vendor = 0x0416\nusb_product = 0x5011\nwidth_dots = 576\n",
        )
    )
    assert cfg.printer == config.Printer(
        kind="usb", usb_vendor=0x0416, usb_product=0x5011, width_dots=576
    )


@pytest.mark.parametrize(
    ("body", "keys"),
    [
        ('kind = "bluetooth"', {"printer.kind"}),
        ('kind = "usb"', {"printer.usb_vendor", "printer.usb_product"}),
        ('kind = "usb"\nusb_vendor = 0x10000\nusb_product = 1', {"printer.usb_vendor"}),
        ('kind = "serial"\nbaud = 12345', {"printer.serial_device", "printer.baud"}),
        ('kind = "file"', {"printer.file_path"}),
        ('kind = "file"\nfile_path = "/tmp/slip.bin"\nwidth_dots = 380', {"printer.width_dots"}),
        ("width_dots = 4000\ncheck_paper = 1", {"printer.width_dots", "printer.check_paper"}),
    ],
)
def test_bad_printer_settings_are_reported_with_their_key(tmp_path, body, keys):
    with pytest.raises(config.ConfigError) as caught:
        config.load(write(tmp_path, f'[kiosk]\ncommune = "06001"\n[printer]\n{body}\n'))
    assert {p.key for p in caught.value.problems} == keys


def test_printer_problems_are_translated(tmp_path):
    from kiosk import i18n

    i18n.set_language("vi")  # the autouse fixture switches back
    with pytest.raises(config.ConfigError) as caught:
        config.load(write(tmp_path, '[kiosk]\ncommune = "06001"\n[printer]\nkind = "file"\n'))
    (problem,) = caught.value.problems
    assert (problem.key, problem.message) == ("printer.file_path", "chưa đặt")


def test_default_toml_is_written_from_the_declarations():
    """Each key is declared once (its dataclass field): the shipped default.toml is rendered
    from the declarations (`python -m kiosk.config`), never edited apart from them."""
    import tomllib

    shipped = config.DEFAULTS_FILE.read_text(encoding="utf-8")
    assert shipped == config.render_defaults(), "run: python -m kiosk.config"
    assert tomllib.loads(shipped) == config.defaults()


def test_an_empty_site_file_means_the_declared_defaults(tmp_path):
    cfg = config.load(write(tmp_path, '[kiosk]\ncommune = "06001"\n'))
    assert cfg.hardware == config.Hardware() and cfg.loans == config.LoanRules()
    assert cfg.uplink == config.Uplink() and cfg.audio == config.Audio()
    assert cfg.printer == config.Printer()
    assert cfg.hardware.classic_keys == (b"\xff" * 6,) and cfg.loans.closed_weekdays == {0}


def test_a_wrong_type_is_one_problem_and_the_default_is_kept(tmp_path):
    with pytest.raises(config.ConfigError) as caught:
        config.load(
            write(tmp_path, '[kiosk]\ncommune = "06001"\nlanguage = 7\n[hardware]\nspi_bus = "0"\n')
        )
    problems = [(p.key, p.message) for p in caught.value.problems]
    assert problems == [
        ("kiosk.language", "must be of type str"),
        ("hardware.spi_bus", "must be of type int"),
    ]
