"""Configuration: packaged defaults overlaid with the site file, checked against one schema.

Every problem is collected and reported at once, each with its key and a hint, so a technician
fixes the file in one pass. Secrets are masked when the configuration is shown.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from kiosk import communes, text
from kiosk.i18n import _

SITE_CONFIG = Path("/etc/kiosk/kiosk.toml")
ENV_VAR = "KIOSK_CONFIG"
SECRET_KEYS = {"uplink.password"}
LANGUAGES = ("vi", "en", "tyz", "nut", "hnj")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
BACKENDS = ("emulated", "pi")
BARCODE_SOURCES = ("none", "camera", "picamera", "wedge", "folder")
AUDIO_SINKS = ("auto", "aplay", "file", "null")
PRINTER_KINDS = ("none", "usb", "serial", "file")
SERIAL_BAUDS = (9600, 19200, 38400, 57600, 115200)
# The reader groups the province counts by (a loan is counted under its reader's group). The
# counts schema (telemetry/schemas/counts.v1.json) pins `group` to these and "" (no group).
READER_GROUPS = ("child", "adult", "elder")


@dataclass(frozen=True)
class Problem:
    """One configuration error: where, what, and how to fix it."""

    key: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        return f"{self.key}: {self.message}" + (f" ({self.hint})" if self.hint else "")


class ConfigError(Exception):
    """The configuration could not be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem], source: str = ""):
        self.problems = problems
        self.source = source
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            _("Invalid configuration in {source}:").format(source=source) + "\n" + lines
        )


@dataclass(frozen=True)
class LoanRules:
    """The commune's circulation policy."""

    period_days: dict[str, int]
    limit: dict[str, int]
    max_renewals: int = 2
    overdue_block_days: int = 14
    rotation_margin_days: int = 3
    closed_weekdays: frozenset[int] = frozenset()
    closed_dates: frozenset[date] = frozenset()
    retention_days: int = 30
    card_validity_days: int = 1095

    @property
    def groups(self) -> tuple[str, ...]:
        """The reader groups this policy knows."""
        return tuple(self.period_days)


@dataclass(frozen=True)
class Hardware:
    """Which hardware backend to use and its pins (BCM numbering)."""

    backend: str
    spi_bus: int
    spi_device: int
    rst_pin: int
    irq_pin: int
    buzzer_pin: int
    led_pin: int
    beam_pin: int
    beam_pin_inside: int = -1
    classic_keys: tuple[bytes, ...] = (b"\xff" * 6,)
    barcode: str = "none"
    barcode_device: str = ""
    wedge_prefix: str = ""
    wedge_suffix: str = ""


@dataclass(frozen=True)
class Uplink:
    """Where and how the kiosk reports its counts."""

    enabled: bool
    broker_url: str
    username: str
    password: str
    ca_file: str
    cert_file: str
    key_file: str
    coalesce_seconds: int
    health_seconds: int
    outbox_max_rows: int
    outbox_max_days: int
    sent_keep_days: int


@dataclass(frozen=True)
class Audio:
    """Where the kiosk's voice goes (kiosk.audio.player)."""

    sink: str = "auto"
    device: str = ""
    speech: bool = True
    capture_device: str = ""  # ALSA microphone for recording prompts ("" = default)


@dataclass(frozen=True)
class Languages:
    """When Home offers Tày, Nùng or H'Mông (kiosk.audio.readiness): either share is enough."""

    recorded_percent: int = 100  # of the reader-priority prompts recorded
    translated_percent: int = 90  # of the reader-priority texts translated


@dataclass(frozen=True)
class Printer:
    """The optional ESC/POS receipt printer for paper slips (kiosk.hardware.printer)."""

    kind: str = "none"
    usb_vendor: int = 0
    usb_product: int = 0
    serial_device: str = ""
    baud: int = 9600
    file_path: str = ""
    width_dots: int = 384
    check_paper: bool = True


@dataclass(frozen=True)
class Config:
    """The validated configuration of one kiosk."""

    province: str
    commune: str
    kiosk_id: str
    room_name: str
    opening_hours: str
    hotline: str  # the provincial library's phone for staff, shown in the staff screens' help
    qr_receipt: bool
    language: str
    data_dir: Path
    hardware: Hardware
    loans: LoanRules
    uplink: Uplink
    # Where USB sticks are mounted (glob patterns): catalogue files are imported from them
    # (and from <data_dir>/import), exports are written to the first one found.
    import_dirs: tuple[str, ...] = ("/media/*/*", "/run/media/*/*")
    audio: Audio = Audio()
    printer: Printer = Printer()
    languages: Languages = Languages()
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)
    source: str = ""

    @property
    def db_path(self) -> Path:
        """The kiosk's SQLite database."""
        return self.data_dir / "kiosk.db"


def _defaults(name: str) -> dict[str, Any]:
    text_ = resources.files("kiosk").joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text_)


def merge(base: dict, site: dict, prefix: str, problems: list[Problem]) -> dict:
    """Overlay `site` on `base`; keys the schema does not know are reported, not ignored."""
    merged = dict(base)
    for key, value in site.items():
        path = f"{prefix}{key}"
        if key not in base:
            close = difflib.get_close_matches(key, list(base), n=1)
            hint = _("did you mean '{key}'?").format(key=close[0]) if close else ""
            problems.append(Problem(path, _("unknown setting"), hint))
        elif isinstance(base[key], dict) and not path.startswith("loans."):
            if isinstance(value, dict):
                merged[key] = merge(base[key], value, path + ".", problems)
            else:
                problems.append(Problem(path, _("must be a section [{key}]").format(key=path)))
        else:
            merged[key] = value
    return merged


def resolve_path(
    explicit: str | os.PathLike | None = None, env_var: str = ENV_VAR, default: Path = SITE_CONFIG
) -> tuple[Path, bool]:
    """The site config path (flag, then the environment, then /etc) and whether it was asked
    for explicitly (then it must exist)."""
    if explicit:
        return Path(explicit), True
    if os.environ.get(env_var):
        return Path(os.environ[env_var]), True
    return default, False


def read_layers(
    defaults: str, site_path: Path, required: bool, overrides: dict | None, problems: list[Problem]
) -> dict[str, Any]:
    """The packaged defaults overlaid with the site file and `overrides` (unknown keys go to
    `problems`); raises ConfigError for a missing or unreadable site file."""
    site: dict[str, Any] = {}
    if site_path.is_file():
        try:
            site = tomllib.loads(site_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(
                [Problem("-", _("not valid TOML"), str(exc))], str(site_path)
            ) from exc
    elif required:
        raise ConfigError([Problem("-", _("file not found"))], str(site_path))
    merged = merge(_defaults(defaults), site, "", problems)
    return merge(merged, overrides, "", problems) if overrides else merged


def load(path: str | os.PathLike | None = None, overrides: dict | None = None) -> Config:
    """Load and validate the kiosk's configuration; raise ConfigError listing every problem."""
    site_path, required = resolve_path(path)
    problems: list[Problem] = []
    merged = read_layers("default.toml", site_path, required, overrides, problems)
    config = _validate(merged, problems)
    if problems:
        raise ConfigError(problems, str(site_path) if site_path.is_file() else _("defaults"))
    return config.__class__(**{**config.__dict__, "source": str(site_path)})


class Checker:
    """Reads typed values out of the merged dict, recording a Problem for each bad one."""

    def __init__(self, merged: dict, problems: list[Problem]):
        self.merged = merged
        self.problems = problems

    def get(self, key: str, kind: type, hint: str = "") -> Any:
        section, name = key.split(".")
        value = self.merged[section][name]
        if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
            self.fail(key, _("must be of type {kind}").format(kind=kind.__name__), hint)
            return kind()
        return text.clean(value) if kind is str else value

    def choice(self, key: str, choices: tuple[str, ...]) -> str:
        value = self.get(key, str)
        if value not in choices:
            self.fail(key, _("'{value}' is not allowed").format(value=value), " | ".join(choices))
        return value

    def count(self, key: str, low: int = 0, high: int = 10_000) -> int:
        value = self.get(key, int)
        if not low <= value <= high:
            self.fail(key, _("must be between {low} and {high}").format(low=low, high=high))
        return value

    def fail(self, key: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(key, message, hint))


def _validate(merged: dict, problems: list[Problem]) -> Config:
    check = Checker(merged, problems)
    province, commune = _location(check)
    kiosk_id = check.get("kiosk.id", str) or f"{commune or 'kiosk'}-01"
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{2,31}", kiosk_id):
        check.fail("kiosk.id", _("must be 3-32 lowercase letters, digits or '-'"), "06001-01")
    return Config(
        province=province,
        commune=commune,
        kiosk_id=kiosk_id,
        room_name=check.get("kiosk.room_name", str),
        opening_hours=check.get("kiosk.opening_hours", str),
        hotline=_hotline(check),
        qr_receipt=check.get("kiosk.qr_receipt", bool),
        language=check.choice("kiosk.language", LANGUAGES),
        data_dir=data_dir(check.get("kiosk.data_dir", str), "kiosk"),
        hardware=_hardware(check),
        loans=_loans(check),
        uplink=_uplink(check),
        import_dirs=tuple(str(p) for p in check.get("kiosk.import_dirs", list)),
        audio=Audio(
            sink=check.choice("audio.sink", AUDIO_SINKS),
            device=check.get("audio.device", str),
            speech=check.get("audio.speech", bool),
            capture_device=check.get("audio.capture_device", str),
        ),
        printer=_printer(check),
        languages=Languages(
            recorded_percent=check.count("languages.recorded_percent", 0, 100),
            translated_percent=check.count("languages.translated_percent", 0, 100),
        ),
        raw=merged,
    )


def _location(check: Checker) -> tuple[str, str]:
    province = check.get("kiosk.province", str)
    commune = check.get("kiosk.commune", str)
    if province not in communes.provinces():
        check.fail("kiosk.province", _("unknown province code"), "20")
    if not commune:
        check.fail("kiosk.commune", _("not set"), _("run 'kiosk communes' to list the codes"))
    elif (found := communes.find(commune)) is None or found.province_code != province:
        check.fail(
            "kiosk.commune",
            _("'{code}' is not a commune of province {province}").format(
                code=commune, province=province
            ),
            _("run 'kiosk communes' to list the codes"),
        )
    return province, commune


def data_dir(value: str, name: str) -> Path:
    """The configured folder, else systemd's StateDirectory, else /var/lib/<name> as root,
    else ~/.local/share/thuvien-<name> (a developer's or the demo's)."""
    if value:
        return Path(value).expanduser()
    if os.environ.get("STATE_DIRECTORY"):
        return Path(os.environ["STATE_DIRECTORY"].split(":")[0])
    if os.geteuid() == 0:
        return Path("/var/lib") / name
    return Path.home() / ".local/share" / f"thuvien-{name}"


def _hardware(check: Checker) -> Hardware:
    pins = {
        name: check.count(f"hardware.{name}", 0, 27)
        for name in ("rst_pin", "irq_pin", "buzzer_pin", "led_pin", "beam_pin")
    }
    inside = check.count("hardware.beam_pin_inside", -1, 27)
    used = [*pins.values(), *([inside] if inside >= 0 else [])]
    if len(set(used)) < len(used):
        check.fail("hardware", _("two devices share a GPIO pin"), str(pins))
    barcode = check.choice("hardware.barcode", BARCODE_SOURCES)
    device = check.get("hardware.barcode_device", str)
    if barcode in ("wedge", "folder") and not device:
        check.fail("hardware.barcode_device", _("not set"), "/dev/input/by-id/...-event-kbd")
    return Hardware(
        backend=check.choice("hardware.backend", BACKENDS),
        spi_bus=check.count("hardware.spi_bus", 0, 6),
        spi_device=check.count("hardware.spi_device", 0, 2),
        **pins,
        beam_pin_inside=inside,
        classic_keys=_keys(check),
        barcode=barcode,
        barcode_device=device,
        wedge_prefix=check.get("hardware.wedge_prefix", str),
        wedge_suffix=check.get("hardware.wedge_suffix", str),
    )


def _printer(check: Checker) -> Printer:
    kind = check.choice("printer.kind", PRINTER_KINDS)
    printer = Printer(
        kind=kind,
        usb_vendor=check.count("printer.usb_vendor", 0, 0xFFFF),
        usb_product=check.count("printer.usb_product", 0, 0xFFFF),
        serial_device=check.get("printer.serial_device", str),
        baud=check.get("printer.baud", int),
        file_path=check.get("printer.file_path", str),
        width_dots=check.count("printer.width_dots", 128, 832),
        check_paper=check.get("printer.check_paper", bool),
    )
    if kind == "usb":
        for name in ("usb_vendor", "usb_product"):
            if not getattr(printer, name):
                check.fail(f"printer.{name}", _("not set"), _("'lsusb' shows the printer's ids"))
    if kind == "serial" and not printer.serial_device:
        check.fail("printer.serial_device", _("not set"), "/dev/ttyUSB0")
    if kind == "serial" and printer.baud not in SERIAL_BAUDS:
        check.fail(
            "printer.baud",
            _("'{value}' is not allowed").format(value=printer.baud),
            " | ".join(str(b) for b in SERIAL_BAUDS),
        )
    if kind == "file" and not printer.file_path:
        check.fail("printer.file_path", _("not set"), "/dev/usb/lp0")
    if printer.width_dots % 8:
        # a raster line is sent as whole bytes of 8 dots
        check.fail("printer.width_dots", _("must be a multiple of 8"), "384 | 576")
    return printer


def _keys(check: Checker) -> tuple[bytes, ...]:
    keys = []
    for value in check.get("hardware.classic_keys", list):
        try:
            key = bytes.fromhex(str(value))
        except ValueError:
            key = b""
        if len(key) != 6:
            check.fail(
                "hardware.classic_keys",
                _("'{value}' is not a 6-byte key in hex").format(value=value),
                "FFFFFFFFFFFF",
            )
        else:
            keys.append(key)
    return tuple(keys)


def _hotline(check: Checker) -> str:
    """A phone number: digits, spaces, '+', '.', '-' and brackets ("0205 3870 555")."""
    phone = check.get("kiosk.hotline", str).strip()
    if phone and not re.fullmatch(r"\+?[0-9(][0-9 .()-]{2,22}", phone):
        check.fail("kiosk.hotline", _("must be a phone number"), "0205 3870 555")
    return phone


def _group_table(check: Checker, key: str) -> dict[str, int]:
    table = check.get(key, dict)
    result = {}
    for group, days in table.items():
        if group not in READER_GROUPS:
            # the province's counts schema knows only these groups: the hub would refuse the
            # counts of any other as junk
            check.fail(
                f"{key}.{group}",
                _("not a reader group the province counts (one of: {groups})").format(
                    groups=", ".join(READER_GROUPS)
                ),
            )
        elif isinstance(days, bool) or not isinstance(days, int) or not 0 < days <= 365:
            check.fail(f"{key}.{group}", _("must be a whole number from 1 to 365"))
        else:
            result[group] = days
    return result


def _loans(check: Checker) -> LoanRules:
    periods = _group_table(check, "loans.period_days")
    limits = _group_table(check, "loans.limit")
    if set(periods) != set(limits):
        check.fail("loans.limit", _("must name the same reader groups as loans.period_days"))
    return LoanRules(
        period_days=periods,
        limit=limits,
        max_renewals=check.count("loans.max_renewals", 0, 20),
        overdue_block_days=check.count("loans.overdue_block_days", 0, 365),
        rotation_margin_days=check.count("loans.rotation_margin_days", 0, 60),
        closed_weekdays=_weekdays(check),
        closed_dates=_dates(check),
        retention_days=check.count("loans.retention_days", 0, 3650),
        card_validity_days=check.count("loans.card_validity_days", 1, 36500),
    )


def _weekdays(check: Checker) -> frozenset[int]:
    days = set()
    for name in check.get("loans.closed_weekdays", list):
        if str(name).lower() in WEEKDAYS:
            days.add(WEEKDAYS.index(str(name).lower()))
        else:
            check.fail("loans.closed_weekdays", _("unknown day '{day}'").format(day=name), "monday")
    if len(days) == 7:
        check.fail("loans.closed_weekdays", _("the room cannot be closed every day"))
    return frozenset(days)


def _dates(check: Checker) -> frozenset[date]:
    dates = set()
    for value in check.get("loans.closed_dates", list):
        try:
            dates.add(value if isinstance(value, date) else date.fromisoformat(str(value)))
        except ValueError:
            check.fail(
                "loans.closed_dates", _("'{value}' is not a date").format(value=value), "YYYY-MM-DD"
            )
    return frozenset(dates)


def broker_settings(check: Checker, section: str) -> dict[str, str]:
    """The broker URL, credentials and TLS files of a section, checked."""
    url = check.get(f"{section}.broker_url", str)
    parsed = urlparse(url)
    if parsed.scheme not in ("mqtt", "mqtts") or not parsed.hostname:
        check.fail(f"{section}.broker_url", _("must look like mqtts://host:8883"), url)
    settings = {
        "broker_url": url,
        "username": check.get(f"{section}.username", str),
        "password": check.get(f"{section}.password", str),
    }
    for name in ("ca_file", "cert_file", "key_file"):
        settings[name] = check.get(f"{section}.{name}", str)
        if settings[name] and not Path(settings[name]).is_file():
            check.fail(f"{section}.{name}", _("file not found: {path}").format(path=settings[name]))
    return settings


def _uplink(check: Checker) -> Uplink:
    return Uplink(
        enabled=check.get("uplink.enabled", bool),
        **broker_settings(check, "uplink"),
        coalesce_seconds=check.count("uplink.coalesce_seconds", 1, 900),
        health_seconds=check.count("uplink.health_seconds", 10, 86400),
        outbox_max_rows=check.count("uplink.outbox_max_rows", 100, 10_000_000),
        outbox_max_days=check.count("uplink.outbox_max_days", 1, 3650),
        sent_keep_days=check.count("uplink.sent_keep_days", 0, 365),
    )


def masked(config: Config) -> dict[str, Any]:
    """The merged settings with secrets replaced by asterisks, for display."""
    shown = {section: dict(values) for section, values in config.raw.items()}
    for key in SECRET_KEYS:
        section, name = key.split(".")
        if shown[section].get(name):
            shown[section][name] = "********"
    shown["kiosk"]["id"] = config.kiosk_id
    shown["kiosk"]["data_dir"] = str(config.data_dir)
    return shown
