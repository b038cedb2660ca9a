"""Payloads v1: valid against their JSON Schemas, and free of personal data."""

from __future__ import annotations

from datetime import datetime

import pytest
from jsonschema import Draft202012Validator

from kiosk import config, counters
from kiosk.clock import Stamp
from kiosk.telemetry import payloads

STAMP = Stamp(datetime(2026, 11, 25, 9, 31, 5), 1234.5, "boot-1", True)
COUNTS = payloads.counts(
    "06001-01",
    "20",
    "06001",
    7,
    datetime(2026, 11, 25, 9, 30),
    15,
    [("loans", "adult", 2), ("refused_limit_reached", "child", 1)],
    STAMP,
    STAMP,
    0,
)
HEALTH = payloads.health(
    "06001-01",
    "20",
    "06001",
    STAMP,
    {
        "outbox_depth": 3,
        "outbox_dropped": 0,
        "disk_free_mb": 1200.5,
        "cpu_temp_c": None,
        "rfid": "ok",
        "scanner": "missing",
        "version": "0.1.0",
        "uptime_s": 12.0,
    },
)
HEALTH_V2 = payloads.health(
    "06001-01",
    "20",
    "06001",
    STAMP,
    {k: v for k, v in HEALTH.items() if k not in ("schema", "kiosk", "province", "commune")}
    | {"latest_seq": 41, "oldest_seq": 3},
)
STATUS = payloads.status("06001-01", "20", "06001", "online", STAMP, "0.1.0")
WILL = payloads.status("06001-01", "20", "06001", "offline")


@pytest.mark.parametrize(
    ("kind", "body"), [("counts", COUNTS), ("health", HEALTH), ("status", STATUS), ("status", WILL)]
)
def test_payloads_match_their_schema(kind, body):
    Draft202012Validator.check_schema(payloads.schema(kind))
    assert list(Draft202012Validator(payloads.schema(kind)).iter_errors(body)) == []


def test_health_with_the_kept_seqs_is_version_2_and_version_1_still_valid():
    assert HEALTH_V2["schema"] == "thuvien.health.v2" and HEALTH["schema"] == "thuvien.health.v1"
    v2 = Draft202012Validator(payloads.schema("health", 2))
    assert list(v2.iter_errors(HEALTH_V2)) == []
    assert not v2.is_valid(HEALTH)  # v2 requires them
    assert not Draft202012Validator(payloads.schema("health")).is_valid(HEALTH_V2)
    for kind, versions in payloads.VERSIONS.items():
        for version in versions:
            assert payloads.schema(kind, version)["$id"] == payloads.schema_id(kind, version)


def test_schema_pins_metrics_and_groups_to_what_the_kiosk_counts():
    item = payloads.schema("counts")["properties"]["counts"]["items"]["properties"]
    assert item["metric"]["enum"] == list(counters.METRICS)
    assert item["group"]["enum"] == ["", *config.READER_GROUPS]


@pytest.mark.parametrize("body", [COUNTS, HEALTH, STATUS, WILL])
def test_no_personal_data_in_payloads(body):
    assert payloads.personal_fields(body) == []


def test_deny_list_catches_nested_personal_fields():
    leaky = {"counts": [{"metric": "loans", "reader": {"card_id": "A1B2"}}]}
    assert payloads.personal_fields(leaky) == ["counts[0].reader", "counts[0].reader.card_id"]


def test_schema_rejects_extra_fields_and_bad_values():
    validator = Draft202012Validator(payloads.schema("counts"))
    assert not validator.is_valid({**COUNTS, "name": "Hoàng Văn Tâm"})
    assert not validator.is_valid({**COUNTS, "seq": 0})
    assert not validator.is_valid(
        {**COUNTS, "counts": [{"metric": "loans", "group": "adult", "n": -1}]}
    )
    assert not validator.is_valid({**COUNTS, "commune": "6001"})


def test_topics():
    topic = payloads.topic("20", "06001", "06001-01", "counts")
    assert topic == "thuvien/v1/20/06001/06001-01/counts"
    assert payloads.TOPIC_RE.match(topic)["kiosk"] == "06001-01"
    assert payloads.TOPIC_RE.match("thuvien/v1/20/06001/06001-01/secrets") is None
    assert payloads.TOPIC_RE.match("thuvien/v1/20/06001/../counts") is None
