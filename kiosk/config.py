"""Configuration: packaged defaults overlaid with the site file, checked against one schema.

Every problem is collected and reported at once, each with its key and a hint, so a technician
fixes the file in one pass. Secrets are masked when the configuration is shown.
"""

from __future__ import annotations

import copy
import difflib
import json
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from kiosk import communes, text
from kiosk.i18n import _

SITE_CONFIG = Path("/etc/kiosk/kiosk.toml")
ENV_VAR = "KIOSK_CONFIG"
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


class Checker:
    """Reads typed values out of the merged dict, recording a Problem for each bad one."""

    def __init__(self, merged: dict, problems: list[Problem]):
        self.merged = merged
        self.problems = problems

    def get(self, key: str, kind: type, hint: str = "") -> Any:
        section, name = key.split(".")
        return self.typed(key, self.merged[section][name], kind, hint)

    def typed(self, key: str, value: Any, kind: type, hint: str = "") -> Any:
        """`value` if it is of `kind` (text NFC-normalised), else kind() and a Problem."""
        if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
            self.fail(key, _("must be of type {kind}").format(kind=kind.__name__), hint)
            return kind()
        return text.clean(value) if kind is str else value

    def choice(self, key: str, choices: tuple[str, ...]) -> str:
        return self.within(key, self.get(key, str), choices)

    def within(self, key: str, value: Any, choices: tuple) -> Any:
        if value not in choices:
            self.fail(key, _("'{value}' is not allowed").format(value=value), " | ".join(choices))
        return value

    def count(self, key: str, low: int = 0, high: int = 10_000) -> int:
        return self.between(key, self.get(key, int), low, high)

    def between(self, key: str, value: int, low: int, high: int) -> int:
        if not low <= value <= high:
            self.fail(key, _("must be between {low} and {high}").format(low=low, high=high))
        return value

    def setting(self, key: str, value: Any, spec: Setting) -> Any:
        """One declared key's value from the site's `value`, checked as `spec` says; a value
        of the wrong type is reported and the default used."""
        if (spec.kind is int and isinstance(value, bool)) or not isinstance(value, spec.kind):
            self.fail(key, _("must be of type {kind}").format(kind=spec.kind.__name__))
            value = spec.default
        elif spec.kind is str:
            value = text.clean(value)
        if spec.choices:
            self.within(key, value, spec.choices)
        if spec.low is not None:
            self.between(key, value, spec.low, spec.high)
        return spec.parse(self, key, value) if spec.parse else value

    def section(self, name: str, cls: type) -> dict[str, Any]:
        """The field values of section `name`, each declared key read from the merged file."""
        values = self.merged[name]
        return {
            field_name: self.setting(
                f"{name}.{spec.name or field_name}", values[spec.name or field_name], spec
            )
            for field_name, spec in settings_of(cls)
        }

    def fail(self, key: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(key, message, hint))


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


@dataclass(frozen=True)
class Setting:
    """One configuration key, declared once on its dataclass field: its default as written in
    TOML (the type a site file must use follows from it), what it means (the comment in
    default.toml), and how it is checked and turned into the field's value."""

    default: Any
    doc: str = ""  # the comment after the key in default.toml
    above: str = ""  # longer comment lines above the key in default.toml
    choices: tuple = ()
    low: int | None = None
    high: int | None = None
    # raw (type-checked) value -> the field's value; reports its own problems on `key`
    parse: Callable[[Checker, str, Any], Any] | None = None
    name: str = ""  # the TOML key, when it is not the field's name
    secret: bool = False  # masked when the configuration is shown
    hex_digits: int = 0  # written as 0x0000 in default.toml

    @property
    def kind(self) -> type:
        """The TOML type the key takes."""
        return type(self.default)


def setting(default: Any, doc: str = "", **options: Any) -> Any:
    """A dataclass field declaring configuration key: the field's default is the parsed TOML
    default, so `Printer()` and an empty site file mean the same."""
    spec = Setting(default, doc, **options)
    value = spec.parse(Checker({}, []), "", default) if spec.parse else default
    if isinstance(value, (list, dict)):
        return field(default_factory=lambda: type(value)(value), metadata={"setting": spec})
    return field(default=value, metadata={"setting": spec})


def settings_of(cls: type) -> list[tuple[str, Setting]]:
    """The (field name, Setting) pairs of a section's dataclass, in declaration order."""
    return [(f.name, f.metadata["setting"]) for f in fields(cls) if "setting" in f.metadata]


def _weekdays(check: Checker, key: str, names: list) -> frozenset[int]:
    days = set()
    for name in names:
        if str(name).lower() in WEEKDAYS:
            days.add(WEEKDAYS.index(str(name).lower()))
        else:
            check.fail(key, _("unknown day '{day}'").format(day=name), "monday")
    if len(days) == 7:
        check.fail(key, _("the room cannot be closed every day"))
    return frozenset(days)


def _dates(check: Checker, key: str, values: list) -> frozenset[date]:
    dates = set()
    for value in values:
        try:
            dates.add(value if isinstance(value, date) else date.fromisoformat(str(value)))
        except ValueError:
            check.fail(key, _("'{value}' is not a date").format(value=value), "YYYY-MM-DD")
    return frozenset(dates)


def _group_table(check: Checker, key: str, table: dict) -> dict[str, int]:
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


def _keys(check: Checker, key: str, values: list) -> tuple[bytes, ...]:
    keys = []
    for value in values:
        try:
            found = bytes.fromhex(str(value))
        except ValueError:
            found = b""
        if len(found) != 6:
            check.fail(
                key, _("'{value}' is not a 6-byte key in hex").format(value=value), "FFFFFFFFFFFF"
            )
        else:
            keys.append(found)
    return tuple(keys)


def _hotline(check: Checker, key: str, phone: str) -> str:
    """A phone number: digits, spaces, '+', '.', '-' and brackets ("0205 3870 555")."""
    phone = phone.strip()
    if phone and not re.fullmatch(r"\+?[0-9(][0-9 .()-]{2,22}", phone):
        check.fail(key, _("must be a phone number"), "0205 3870 555")
    return phone


def broker_url(check: Checker, key: str, url: str) -> str:
    """An mqtt:// or mqtts:// URL with a host."""
    parsed = urlparse(url)
    if parsed.scheme not in ("mqtt", "mqtts") or not parsed.hostname:
        check.fail(key, _("must look like mqtts://host:8883"), url)
    return url


def existing_file(check: Checker, key: str, path: str) -> str:
    """A file that must exist when it is named at all."""
    if path and not Path(path).is_file():
        check.fail(key, _("file not found: {path}").format(path=path))
    return path


def _strings(_check: Checker, _key: str, values: list) -> tuple[str, ...]:
    return tuple(str(value) for value in values)


class Section:
    """A section of the site file: its keys are the dataclass fields declared with `setting`."""

    def check(self, check: Checker) -> None:
        """What no single key can say (nothing, unless a section says otherwise)."""


@dataclass(frozen=True)
class LoanRules(Section):
    """[loans]: the commune's circulation policy."""

    period_days: dict[str, int] = setting(
        {"child": 14, "adult": 21, "elder": 28},
        above="Reader groups and their loan period (days) and how many books they may hold"
        " at once.",
        parse=_group_table,
    )
    limit: dict[str, int] = setting({"child": 3, "adult": 5, "elder": 5}, parse=_group_table)
    max_renewals: int = setting(2, low=0, high=20)
    overdue_block_days: int = setting(
        14, "a reader with a loan overdue by more than this cannot borrow", low=0, high=365
    )
    rotation_margin_days: int = setting(
        3, "rotation items must be back this many days before the batch is due", low=0, high=60
    )
    closed_weekdays: frozenset[int] = setting(["monday"], parse=_weekdays)
    closed_dates: frozenset[date] = setting([], 'e.g. ["2026-09-02", "2027-01-01"]', parse=_dates)
    retention_days: int = setting(
        30, "a returned loan stops naming its reader after this many days", low=0, high=3650
    )
    card_validity_days: int = setting(1095, low=1, high=36500)

    @property
    def groups(self) -> tuple[str, ...]:
        """The reader groups this policy knows."""
        return tuple(self.period_days)

    def check(self, check: Checker) -> None:
        """What no single key can say."""
        if set(self.period_days) != set(self.limit):
            check.fail("loans.limit", _("must name the same reader groups as loans.period_days"))


@dataclass(frozen=True)
class Hardware(Section):
    """[hardware]: which hardware backend to use and its pins (BCM numbering)."""

    backend: str = setting(
        "emulated", '"pi" on a Raspberry Pi; "emulated" for the demo and tests', choices=BACKENDS
    )
    spi_bus: int = setting(0, low=0, high=6)
    spi_device: int = setting(0, low=0, high=2)
    rst_pin: int = setting(25, "BCM numbering everywhere", low=0, high=27)
    irq_pin: int = setting(24, low=0, high=27)
    buzzer_pin: int = setting(18, low=0, high=27)
    led_pin: int = setting(23, low=0, high=27)
    beam_pin: int = setting(17, low=0, high=27)
    beam_pin_inside: int = setting(
        -1, "a second beam inside the door gives the direction; -1 = none", low=-1, high=27
    )
    classic_keys: tuple[bytes, ...] = setting(
        ["FFFFFFFFFFFF"], "MIFARE Classic keys to try for item data (hex, 6 bytes)", parse=_keys
    )
    barcode: str = setting(
        "none",
        "none | camera (USB webcam) | picamera | wedge (USB scanner) | folder",
        choices=BARCODE_SOURCES,
    )
    barcode_device: str = setting(
        "", "/dev/video0, /dev/input/by-id/...-event-kbd, or an image folder"
    )
    wedge_prefix: str = setting("", "what the USB scanner sends before and after each code")
    wedge_suffix: str = setting("")

    def check(self, check: Checker) -> None:
        """What no single key can say."""
        pins = {
            name: getattr(self, name)
            for name in ("rst_pin", "irq_pin", "buzzer_pin", "led_pin", "beam_pin")
        }
        inside = [self.beam_pin_inside] if self.beam_pin_inside >= 0 else []
        used = [*pins.values(), *inside]
        if len(set(used)) < len(used):
            check.fail("hardware", _("two devices share a GPIO pin"), str(pins))
        if self.barcode in ("wedge", "folder") and not self.barcode_device:
            check.fail("hardware.barcode_device", _("not set"), "/dev/input/by-id/...-event-kbd")


@dataclass(frozen=True)
class Uplink(Section):
    """[uplink]: where and how the kiosk reports its counts."""

    enabled: bool = setting(True)
    broker_url: str = setting(
        "mqtts://localhost:8883",
        "the provincial hub's broker; mqtt:// only for tests",
        parse=broker_url,
    )
    username: str = setting("", "this kiosk's own credentials (`kiosk hub kiosk add` issues them)")
    password: str = setting("", secret=True)
    ca_file: str = setting("", "the province's CA certificate (for mqtts://)", parse=existing_file)
    cert_file: str = setting("", "optional client certificate and key", parse=existing_file)
    key_file: str = setting("", parse=existing_file)
    coalesce_seconds: int = setting(
        30, "the open interval's totals are sent at most this often", low=1, high=900
    )
    health_seconds: int = setting(300, low=10, high=86400)
    outbox_max_rows: int = setting(
        50000, "about a year of 15-minute intervals", low=100, high=10_000_000
    )
    outbox_max_days: int = setting(400, low=1, high=3650)
    sent_keep_days: int = setting(
        14, "sent intervals kept this long, in case the hub asks for them again", low=0, high=365
    )


@dataclass(frozen=True)
class Audio(Section):
    """[audio]: where the kiosk's voice goes (kiosk.audio.player)."""

    sink: str = setting(
        "auto",
        above=(
            'Where the kiosk\'s voice goes (docs/audio.md). "auto": the sound card through aplay'
            ' when\nthere is one, else silent; "aplay"; "file": each sound as a WAV in'
            " <data_dir>/audio-out (to\ncheck the voice on a kiosk without a speaker);"
            ' "null": silent.'
        ),
        choices=AUDIO_SINKS,
    )
    device: str = setting(
        "", 'ALSA device for aplay, e.g. "plughw:1,0" for a USB speaker; "" = default'
    )
    speech: bool = setting(True, "espeak-ng says the prompts that have no recording")
    capture_device: str = setting(
        "", 'ALSA microphone for recording prompts, e.g. "plughw:1,0"; `arecord -l`'
    )


@dataclass(frozen=True)
class Languages(Section):
    """[languages]: when Home offers Tày, Nùng or H'Mông (kiosk.audio.readiness)."""

    recorded_percent: int = setting(
        100,
        above=(
            "When Home offers Tày, Nùng or H'Mông (docs/translating.md): once this share of the\n"
            "reader-priority voice prompts is recorded, OR this share of the reader-priority"
            " texts is\ntranslated, at this kiosk. Until then the language is hidden (staff can"
            ' preview it), so a\nreader never picks a "Tày" that is really Vietnamese.'
            " 0 shows it always."
        ),
        low=0,
        high=100,
    )
    translated_percent: int = setting(90, low=0, high=100)


@dataclass(frozen=True)
class Printer(Section):
    """[printer]: the optional ESC/POS receipt printer for paper slips
    (kiosk.hardware.printer)."""

    kind: str = setting(
        "none",
        above="""An optional ESC/POS thermal receipt printer for a paper slip of the borrowed books
(docs/printer.md). "none": no printer, no Print button; "usb": a USB printer by its ids
(`lsusb` shows them; provisioning/pi/99-thuvien-printer.rules gives the kiosk access);
"serial": a printer on a serial port; "file": write each print job to `file_path` (a test or
emulation, or the kernel's usblp device /dev/usb/lp0, which cannot report paper out).""",
        choices=PRINTER_KINDS,
    )
    usb_vendor: int = setting(
        0,
        "e.g. 0x0416 (Winbond-based 58 mm printers), 0x04b8 (Epson)",
        low=0,
        high=0xFFFF,
        hex_digits=4,
    )
    usb_product: int = setting(0, "e.g. 0x5011", low=0, high=0xFFFF, hex_digits=4)
    serial_device: str = setting("", 'e.g. "/dev/ttyUSB0" or "/dev/serial0"')
    baud: int = setting(9600, "the printer's serial speed (its self-test page shows it)")
    file_path: str = setting("", 'kind = "file": where each job is written')
    width_dots: int = setting(
        384, "printable width: 384 for 58 mm paper, 576 for 80 mm", low=128, high=832
    )
    check_paper: bool = setting(
        True, "ask the printer for paper before and after printing (USB, serial)"
    )

    def check(self, check: Checker) -> None:
        """What no single key can say."""
        if self.kind == "usb":
            for name in ("usb_vendor", "usb_product"):
                if not getattr(self, name):
                    check.fail(
                        f"printer.{name}", _("not set"), _("'lsusb' shows the printer's ids")
                    )
        if self.kind == "serial" and not self.serial_device:
            check.fail("printer.serial_device", _("not set"), "/dev/ttyUSB0")
        if self.kind == "serial" and self.baud not in SERIAL_BAUDS:
            check.fail(
                "printer.baud",
                _("'{value}' is not allowed").format(value=self.baud),
                " | ".join(str(b) for b in SERIAL_BAUDS),
            )
        if self.kind == "file" and not self.file_path:
            check.fail("printer.file_path", _("not set"), "/dev/usb/lp0")
        if self.width_dots % 8:
            # a raster line is sent as whole bytes of 8 dots
            check.fail("printer.width_dots", _("must be a multiple of 8"), "384 | 576")


def _kiosk_data_dir(_check: Checker, _key: str, value: str) -> Path:
    return data_dir(value, "kiosk")


@dataclass(frozen=True)
class Config(Section):
    """The validated configuration of one kiosk: the [kiosk] keys, then one field per section."""

    province: str = setting("20", "Lạng Sơn")
    commune: str = setting("", "5-digit commune code: `kiosk communes` lists them. Required.")
    kiosk_id: str = setting("", 'unique kiosk id; empty = "<commune>-01"', name="id")
    room_name: str = setting("Thư viện cơ sở")
    opening_hours: str = setting("07:30–11:30, 13:30–17:00")
    hotline: str = setting(
        "", "the provincial library's phone, shown in the staff screens' help", parse=_hotline
    )
    qr_receipt: bool = setting(True, "offer an on-screen QR code with the list of borrowed books")
    language: str = setting(
        "vi", "default language of the kiosk: vi, en, tyz, nut, hnj", choices=LANGUAGES
    )
    data_dir: Path = setting(
        "",
        "empty = $STATE_DIRECTORY, else /var/lib/kiosk as root, else ~/.local/share/thuvien-kiosk",
        parse=_kiosk_data_dir,
    )
    import_dirs: tuple[str, ...] = setting(
        ["/media/*/*", "/run/media/*/*"],
        above=(
            "Folders where USB sticks are mounted (glob patterns; Raspberry Pi OS:"
            " /media/<user>/<label>).\nStaff import catalogue files from them (and from"
            " <data_dir>/import); exports go to the first."
        ),
        parse=_strings,
    )
    hardware: Hardware = field(default_factory=Hardware)
    loans: LoanRules = field(default_factory=LoanRules)
    uplink: Uplink = field(default_factory=Uplink)
    audio: Audio = field(default_factory=Audio)
    printer: Printer = field(default_factory=Printer)
    languages: Languages = field(default_factory=Languages)
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)
    source: str = ""

    @property
    def db_path(self) -> Path:
        """The kiosk's SQLite database."""
        return self.data_dir / "kiosk.db"

    def check(self, check: Checker) -> None:
        """What no single key can say: the commune within the province, the kiosk id."""
        if self.province not in communes.provinces():
            check.fail("kiosk.province", _("unknown province code"), "20")
        if not self.commune:
            check.fail("kiosk.commune", _("not set"), _("run 'kiosk communes' to list the codes"))
        elif (found := communes.find(self.commune)) is None or found.province_code != self.province:
            check.fail(
                "kiosk.commune",
                _("'{code}' is not a commune of province {province}").format(
                    code=self.commune, province=self.province
                ),
                _("run 'kiosk communes' to list the codes"),
            )
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{2,31}", self.kiosk_id):
            check.fail("kiosk.id", _("must be 3-32 lowercase letters, digits or '-'"), "06001-01")


#: The site file's sections: [kiosk] holds Config's own keys, each other one a field of Config.
SECTIONS: dict[str, type] = {
    "kiosk": Config,
    "hardware": Hardware,
    "loans": LoanRules,
    "uplink": Uplink,
    "audio": Audio,
    "languages": Languages,
    "printer": Printer,
}
SECRET_KEYS = {
    f"{section}.{spec.name or name}"
    for section, cls in SECTIONS.items()
    for name, spec in settings_of(cls)
    if spec.secret
}


def packaged_defaults(name: str) -> dict[str, Any]:
    """A TOML file shipped in the package (the hub's defaults)."""
    return tomllib.loads(resources.files("kiosk").joinpath(name).read_text(encoding="utf-8"))


def defaults() -> dict[str, dict[str, Any]]:
    """The kiosk's defaults as a site file would write them, from the declarations."""
    return {
        section: {spec.name or name: copy.deepcopy(spec.default) for name, spec in settings_of(cls)}
        for section, cls in SECTIONS.items()
    }


def merge(base: dict, site: dict, prefix: str, problems: list[Problem]) -> dict:
    """Overlay `site` on `base`; keys the schema does not know are reported, not ignored."""
    merged = dict(base)
    for key, value in site.items():
        path = f"{prefix}{key}"
        if key not in base:
            close = difflib.get_close_matches(key, list(base), n=1)
            hint = _("did you mean '{key}'?").format(key=close[0]) if close else ""
            problems.append(Problem(path, _("unknown setting"), hint))
        elif isinstance(base[key], dict) and not prefix:  # a section (tables inside are values)
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
    base: dict, site_path: Path, required: bool, overrides: dict | None, problems: list[Problem]
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
    merged = merge(base, site, "", problems)
    return merge(merged, overrides, "", problems) if overrides else merged


def load(path: str | os.PathLike | None = None, overrides: dict | None = None) -> Config:
    """Load and validate the kiosk's configuration; raise ConfigError listing every problem."""
    site_path, required = resolve_path(path)
    problems: list[Problem] = []
    merged = read_layers(defaults(), site_path, required, overrides, problems)
    config = _validate(merged, problems)
    if problems:
        raise ConfigError(problems, str(site_path) if site_path.is_file() else _("defaults"))
    return config.__class__(**{**config.__dict__, "source": str(site_path)})


def _validate(merged: dict, problems: list[Problem]) -> Config:
    """The Config of the merged settings: every key read and checked in file order, then what
    each section must hold together; every problem goes to `problems`."""
    check = Checker(merged, problems)
    values = {name: check.section(name, cls) for name, cls in SECTIONS.items()}
    kiosk = values.pop("kiosk")
    kiosk["kiosk_id"] = kiosk["kiosk_id"] or f"{kiosk['commune'] or 'kiosk'}-01"
    sections = {name: SECTIONS[name](**fields) for name, fields in values.items()}
    config = Config(**kiosk, **sections, raw=merged)
    for part in (config, *sections.values()):
        part.check(check)
    return config


def broker_settings(check: Checker, section: str) -> dict[str, str]:
    """The broker URL, credentials and TLS files of a section (the hub's [broker]), checked
    as the kiosk's [uplink] ones are."""
    settings = {name: check.get(f"{section}.{name}", str) for name in BROKER_KEYS}
    broker_url(check, f"{section}.broker_url", settings["broker_url"])
    for name in ("ca_file", "cert_file", "key_file"):
        existing_file(check, f"{section}.{name}", settings[name])
    return settings


BROKER_KEYS = ("broker_url", "username", "password", "ca_file", "cert_file", "key_file")


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


# -- the documented defaults file -------------------------------------------------------------
DEFAULTS_FILE = Path(__file__).with_name("default.toml")
DEFAULTS_HEADER = """\
# Packaged defaults. A site overrides any of these in /etc/kiosk/kiosk.toml
# (or the file named by --config or $KIOSK_CONFIG). `kiosk config show` prints the result.
# Written by `python -m kiosk.config` from the declarations in kiosk/config.py: edit those.
"""
COMMENT_COLUMN = 26


def _toml(value: Any, hex_digits: int = 0) -> str:
    """`value` as TOML (the few shapes the defaults use)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"0x{value:0{hex_digits}x}" if hex_digits else str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {value!r}")


def render_defaults() -> str:
    """default.toml: every key with its default and what it means, section by section."""
    lines = [DEFAULTS_HEADER.rstrip()]
    for section, cls in SECTIONS.items():
        lines += ["", f"[{section}]"]
        for name, spec in settings_of(cls):
            lines += [f"# {line}" for line in spec.above.splitlines()]
            entry = f"{spec.name or name} = {_toml(spec.default, spec.hex_digits)}"
            if spec.doc:
                width = COMMENT_COLUMN if len(entry) < COMMENT_COLUMN - 1 else len(entry) + 3
                entry = f"{entry:<{width}}# {spec.doc}"
            lines.append(entry)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    DEFAULTS_FILE.write_text(render_defaults(), encoding="utf-8")
    print(f"wrote {DEFAULTS_FILE}")
