"""The hub's configuration: packaged defaults (`hub_default.toml`) plus the site file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kiosk import communes
from kiosk.config import (
    Checker,
    ConfigError,
    Problem,
    broker_settings,
    packaged_defaults,
    read_layers,
    resolve_path,
)
from kiosk.config import (
    data_dir as data_dir_for,
)
from kiosk.i18n import _

SITE_CONFIG = Path("/etc/kiosk/hub.toml")
ENV_VAR = "KIOSK_HUB_CONFIG"
SUBSCRIPTIONS = ("plain", "shared")


@dataclass(frozen=True)
class HubConfig:
    """The validated configuration of one hub worker."""

    province: str
    database: str
    data_dir: Path
    share_group: str
    subscription: str
    communes: tuple[str, ...]
    active_days: int
    repair_seconds: int
    reassert_seconds: int
    web_host: str
    web_port: int
    password_file: Path  # the kiosks' accounts (the TLS listener)
    hub_password_file: Path  # the hub's account (the loopback listener)
    acl_file: Path
    broker_url: str
    username: str
    password: str
    ca_file: str
    cert_file: str
    key_file: str

    @property
    def database_url(self) -> str:
        """A peewee db_url: the configured one, or SQLite in the data folder."""
        return self.database or f"sqlite:///{self.data_dir / 'hub.db'}"


def _communes(check: Checker, province: str) -> tuple[str, ...]:
    """This worker's partition: the communes whose kiosks it takes ([] = all)."""
    codes = check.get("hub.communes", list)
    for code in codes:
        found = communes.find(code) if isinstance(code, str) else None
        if found is None or found.province_code != province:
            reason = _("'{code}' is not a commune of province {province}")
            check.fail("hub.communes", reason.format(code=code, province=province))
    return tuple(c for c in codes if isinstance(c, str))


def load(path: str | os.PathLike | None = None, overrides: dict | None = None) -> HubConfig:
    """Load and validate the hub configuration; raise ConfigError listing every problem."""
    site_path, required = resolve_path(path, ENV_VAR, SITE_CONFIG)
    problems: list[Problem] = []
    base = packaged_defaults("hub_default.toml")
    merged = read_layers(base, site_path, required, overrides, problems)
    check = Checker(merged, problems)
    province = check.get("hub.province", str)
    if province not in communes.provinces():
        check.fail("hub.province", _("unknown province code"), "20")
    data_dir = data_dir_for(check.get("hub.data_dir", str), "kiosk-hub")
    database = check.get("hub.database", str)
    if database and not database.startswith(("sqlite:///", "postgresql://", "postgres://")):
        check.fail("hub.database", _("must be a sqlite:/// or postgresql:// URL"), database)
    config = HubConfig(
        province=province,
        database=database,
        data_dir=data_dir,
        share_group=check.get("hub.share_group", str) or "hub",
        subscription=check.choice("hub.subscription", SUBSCRIPTIONS),
        communes=_communes(check, province),
        active_days=check.count("hub.active_days", 1, 365),
        repair_seconds=check.count("hub.repair_seconds", 1, 3600),
        reassert_seconds=check.count("hub.reassert_seconds", 1, 86400),
        web_host=check.get("hub.web_host", str),
        web_port=check.count("hub.web_port", 1, 65535),
        password_file=Path(
            check.get("hub.mosquitto_password_file", str) or data_dir / "mosquitto.passwd"
        ),
        hub_password_file=Path(
            check.get("hub.mosquitto_hub_password_file", str) or data_dir / "mosquitto-hub.passwd"
        ),
        acl_file=Path(check.get("hub.mosquitto_acl_file", str) or data_dir / "mosquitto.acl"),
        **broker_settings(check, "broker"),
    )
    if problems:
        raise ConfigError(problems, str(site_path) if site_path.is_file() else _("defaults"))
    return config
