"""The kiosk registry: which kiosks report, and their broker credentials and ACL.

Adding a kiosk issues it a random password. Only a hash goes into Mosquitto's password file
(the `$7$` PBKDF2-SHA512 format of mosquitto_passwd), and the ACL file is rewritten so each
kiosk may write only its own status, counts and health (not its own `resend`: that is the
hub's) and read only its `resend`, while the hub reads them all. The hub's account lives in a
password file of its own, which only the broker's loopback listener reads; the kiosks' file
only the public TLS listener, where the client id is the user name
(`use_username_as_clientid`), so no account can take another's client id and kick it off.
Send Mosquitto a SIGHUP (or restart it) after a change so it reloads the files.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk import communes
from kiosk.hub.config import HubConfig
from kiosk.hub.models import RegisteredKiosk, hub_db
from kiosk.i18n import _
from kiosk.telemetry import payloads

KIOSK_ID = re.compile(r"[a-z0-9][a-z0-9-]{2,31}")
MOSQUITTO_ITERATIONS = 101  # what mosquitto_passwd 2.0 uses for $7$


class RegistryError(ValueError):
    """A registry operation that cannot be done, with a translated reason."""


@dataclass(frozen=True)
class Credentials:
    """What a newly added kiosk needs: put it in its /etc/kiosk/kiosk.toml."""

    kiosk_id: str
    province: str
    commune: str
    password: str

    def kiosk_toml(self, broker_url: str) -> str:
        """The kiosk's configuration bundle."""
        return (
            f'[kiosk]\nprovince = "{self.province}"\ncommune = "{self.commune}"\n'
            f'id = "{self.kiosk_id}"\n\n[uplink]\nbroker_url = "{broker_url}"\n'
            f'username = "{self.kiosk_id}"\npassword = "{self.password}"\n'
            'ca_file = "/etc/kiosk/ca.crt"\n'
        )


def mosquitto_hash(password: str, salt: bytes | None = None) -> str:
    """A password hash in mosquitto_passwd's `$7$` format (PBKDF2-SHA512)."""
    salt = salt or os.urandom(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, MOSQUITTO_ITERATIONS, 64)
    b64 = base64.b64encode
    return f"$7${MOSQUITTO_ITERATIONS}${b64(salt).decode()}${b64(digest).decode()}"


def _read_passwords(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    lines = [line.split(":", 1) for line in path.read_text().splitlines() if ":" in line]
    return {user: hashed for user, hashed in lines}


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.chmod(tmp, 0o640)
    tmp.replace(path)


def set_password(config: HubConfig, user: str, password: str) -> None:
    """Set one user's password: the hub's in its own file, a kiosk's in the kiosks' file."""
    path = config.hub_password_file if user == config.username else config.password_file
    users = _read_passwords(path)
    users[user] = mosquitto_hash(password)
    _write_atomically(path, "".join(f"{u}:{h}\n" for u, h in users.items()))
    if user == config.username:  # an older set-up kept it among the kiosks: not any more
        _remove_password(config, user)


def _remove_password(config: HubConfig, user: str) -> None:
    users = _read_passwords(config.password_file)
    users.pop(user, None)
    _write_atomically(config.password_file, "".join(f"{u}:{h}\n" for u, h in users.items()))


def acl_text(config: HubConfig, kiosks: list[RegisteredKiosk]) -> str:
    """The ACL: the hub reads every kiosk topic (and writes the resend requests); each kiosk
    writes only its own topics and reads only its own resend requests."""
    lines = [
        "# Written by `kiosk hub kiosk add|remove`: do not edit by hand.",
        "",
        f"user {config.username}",
        f"topic readwrite {payloads.ROOT}/#",
        "",
    ]
    for kiosk in kiosks:
        where = (kiosk.province, kiosk.commune, kiosk.kiosk_id)
        lines.append(f"user {kiosk.kiosk_id}")
        lines += [f"topic write {payloads.topic(*where, kind)}" for kind in payloads.KINDS]
        lines += [f"topic read {payloads.topic(*where, payloads.RESEND)}", ""]
    return "\n".join(lines)


def write_acl(config: HubConfig) -> None:
    """Rewrite the ACL file from the registry."""
    kiosks = list(RegisteredKiosk.select().order_by(RegisteredKiosk.kiosk_id))
    _write_atomically(config.acl_file, acl_text(config, kiosks))


def add(config: HubConfig, kiosk_id: str, commune: str, now: datetime) -> Credentials:
    """Register a kiosk in a commune of the hub's province and issue its credentials."""
    if not KIOSK_ID.fullmatch(kiosk_id) or kiosk_id == config.username:
        raise RegistryError(
            _("'{id}' is not a valid kiosk id (3-32 lowercase letters, digits or '-')").format(
                id=kiosk_id
            )
        )
    found = communes.find(commune)
    if found is None or found.province_code != config.province:
        raise RegistryError(
            _("'{code}' is not a commune of province {province}").format(
                code=commune, province=config.province
            )
        )
    with hub_db.atomic():
        if RegisteredKiosk.get_or_none(RegisteredKiosk.kiosk_id == kiosk_id):
            raise RegistryError(_("kiosk {id} is already registered").format(id=kiosk_id))
        RegisteredKiosk.create(
            kiosk_id=kiosk_id, province=config.province, commune=commune, created_at=now
        )
    password = secrets.token_urlsafe(18)
    set_password(config, kiosk_id, password)
    write_acl(config)
    return Credentials(kiosk_id, config.province, commune, password)


def remove(config: HubConfig, kiosk_id: str) -> None:
    """Unregister a kiosk: its credentials stop working at the broker's next reload."""
    deleted = RegisteredKiosk.delete().where(RegisteredKiosk.kiosk_id == kiosk_id).execute()
    if not deleted:
        raise RegistryError(_("no kiosk {id}").format(id=kiosk_id))
    _remove_password(config, kiosk_id)
    write_acl(config)
