"""Topics and payloads, version 1 (documented in `docs/telemetry.md`, checked by JSON Schemas
in `schemas/` that the kiosk's tests and the hub both validate against).

Topics: ``thuvien/v1/{province}/{commune}/{kiosk}/{kind}`` with kind ``status`` (retained,
"offline" as the last will), ``counts`` (one interval's totals) and ``health``.

No personal data ever leaves the kiosk: `personal_fields` finds any key on the deny-list, and
the tests fail the build if a payload has one.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from kiosk.clock import Stamp

ROOT = "thuvien/v1"
KINDS = ("status", "counts", "health")  # kiosk -> hub
RESEND = "resend"  # hub -> kiosk: sequence numbers to send again
MAX_RESEND = 500
# The versions of each kind the hub takes (a kiosk in the field may still send an older one).
VERSIONS = {"status": (1,), "counts": (1,), "health": (1, 2)}
MAX_SEQ = 2**31 - 1  # the schemas bound every sequence number and counter by this
TOPIC_RE = re.compile(
    r"^thuvien/v1/(?P<province>\d{2})/(?P<commune>\d{5})/(?P<kiosk>[a-z0-9][a-z0-9-]{2,31})"
    r"/(?P<kind>status|counts|health)$"
)
MAX_PAYLOAD_BYTES = 64 * 1024  # the broker's max_packet_size is set above this

# Keys that would carry personal data; none may appear anywhere in a payload.
PERSONAL_DATA_DENYLIST = frozenset(
    {
        "name",
        "reader",
        "reader_id",
        "reader_name",
        "card",
        "card_id",
        "uid",
        "tag",
        "tag_uid",
        "title",
        "author",
        "isbn",
        "accession",
        "barcode",
        "phone",
        "email",
        "address",
        "birth",
        "birthday",
        "pin",
        "password",
        "patron",
        "borrower",
        "user",
        "person",
    }
)


def topic(province: str, commune: str, kiosk_id: str, kind: str) -> str:
    """The topic of one kind of message of one kiosk."""
    return f"{ROOT}/{province}/{commune}/{kiosk_id}/{kind}"


def _header(schema: str, kiosk_id: str, province: str, commune: str) -> dict[str, Any]:
    return {"schema": schema, "kiosk": kiosk_id, "province": province, "commune": commune}


def counts(
    kiosk_id: str,
    province: str,
    commune: str,
    seq: int,
    start: datetime,
    minutes: int,
    rows: list[tuple[str, str, int]],
    first: Stamp,
    sent: Stamp,
    dropped: int,
) -> dict[str, Any]:
    """One interval's totals (the whole interval so far, not a delta: repeats are harmless)."""
    return {
        **_header("thuvien.counts.v1", kiosk_id, province, commune),
        "seq": seq,
        "interval": {"start": start.isoformat(), "minutes": minutes},
        "counts": [{"metric": m, "group": g, "n": n} for m, g, n in rows],
        "stamp": first.as_json(),
        "sent": sent.as_json(),
        "dropped": dropped,
    }


def health(
    kiosk_id: str, province: str, commune: str, stamp: Stamp, figures: dict[str, Any]
) -> dict[str, Any]:
    """The kiosk's health: outbox depth, disk, temperature, devices, version, clock; with
    `latest_seq` and `oldest_seq` among the figures it is version 2 (the hub takes both)."""
    version = 2 if "latest_seq" in figures else 1
    return {
        **_header(f"thuvien.health.v{version}", kiosk_id, province, commune),
        "stamp": stamp.as_json(),
        **figures,
    }


def status(
    kiosk_id: str,
    province: str,
    commune: str,
    state: str,
    stamp: Stamp | None = None,
    version: str = "",
) -> dict[str, Any]:
    """Online/offline; the offline one is registered as the last will, without a stamp."""
    body = {**_header("thuvien.status.v1", kiosk_id, province, commune), "state": state}
    if stamp is not None:
        body["stamp"] = stamp.as_json()
    if version:
        body["version"] = version
    return body


def resend(kiosk_id: str, seqs: list[int]) -> dict[str, Any]:
    """The hub's request for sequence numbers it never got (published retained)."""
    return {"schema": "thuvien.resend.v1", "kiosk": kiosk_id, "seqs": seqs[:MAX_RESEND]}


def resend_request(raw: bytes, kiosk_id: str) -> list[int]:
    """The sequence numbers a resend message asks this kiosk for; [] for anything else (an
    empty retained message clears the request)."""
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return []
    if (
        not isinstance(body, dict)
        or body.get("schema") != "thuvien.resend.v1"
        or body.get("kiosk") != kiosk_id
    ):
        return []
    seqs = body.get("seqs")
    if not isinstance(seqs, list):
        return []
    return [
        s for s in seqs[:MAX_RESEND] if isinstance(s, int) and not isinstance(s, bool) and s > 0
    ]


def encode(payload: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON, as sent."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def personal_fields(payload: Any, path: str = "") -> list[str]:
    """Every key path in `payload` whose key is on the personal-data deny-list."""
    found = []
    if isinstance(payload, dict):
        for key, value in payload.items():
            where = f"{path}.{key}" if path else key
            if key.lower() in PERSONAL_DATA_DENYLIST:
                found.append(where)
            found += personal_fields(value, where)
    elif isinstance(payload, list):
        for i, item in enumerate(payload):
            found += personal_fields(item, f"{path}[{i}]")
    return found


@cache
def schema(kind: str, version: int = 1) -> dict[str, Any]:
    """The JSON Schema of one kind of payload, in one version."""
    name = f"{kind}.v{version}.json"
    return json.loads(resources.files("kiosk.telemetry.schemas").joinpath(name).read_text())


def schema_id(kind: str, version: int) -> str:
    """What the `schema` field of such a payload says, e.g. "thuvien.health.v2"."""
    return f"thuvien.{kind}.v{version}"
