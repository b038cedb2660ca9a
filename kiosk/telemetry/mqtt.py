"""The paho-mqtt client set-up shared by the kiosk's uplink and the hub: MQTT 5, callback API
version 2, credentials, TLS for mqtts:// URLs, reconnection with a backoff."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion


def new_client(
    client_id: str,
    broker_url: str,
    username: str,
    password: str,
    ca_file: str,
    cert_file: str,
    key_file: str,
    max_backoff: int = 120,
    protocol: MQTTProtocolVersion = MQTTProtocolVersion.MQTTv5,
    **options: Any,
) -> mqtt.Client:
    """A configured, not yet connected client (MQTT 5 unless told otherwise)."""
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=client_id, protocol=protocol, **options
    )
    if username:
        client.username_pw_set(username, password)
    if urlparse(broker_url).scheme == "mqtts":
        client.tls_set(
            ca_certs=ca_file or None, certfile=cert_file or None, keyfile=key_file or None
        )
    client.reconnect_delay_set(min_delay=1, max_delay=max_backoff)
    return client


def address(broker_url: str) -> tuple[str, int]:
    """Host and port of a broker URL (8883 by default for mqtts://, else 1883)."""
    url = urlparse(broker_url)
    return url.hostname or "localhost", url.port or (8883 if url.scheme == "mqtts" else 1883)
