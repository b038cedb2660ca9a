"""The kiosk registry against a real Mosquitto: issued passwords work, and the ACL lets each
kiosk write only its own topics and read none, while the hub reads them all."""

from __future__ import annotations

import signal
import threading
from datetime import datetime

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from kiosk.hub import config as hub_config
from kiosk.hub import registry
from kiosk.hub.models import RegisteredKiosk, open_hub_database
from tests.support.broker import Broker, free_port
from tests.support.mqtt import Collector, wait_for

NOW = datetime(2026, 11, 25, 10, 0)


@pytest.fixture
def hub(tmp_path, hub_database_url):
    overrides = {"hub": {"data_dir": str(tmp_path / "hub"), "database": hub_database_url}}
    config = hub_config.load(None, overrides=overrides)
    database = open_hub_database(config.database_url)
    yield config
    database.close()


@pytest.fixture
def secured_broker(tmp_path, hub):
    """Mosquitto with no anonymous access, the registry's password files and ACL: the kiosks'
    listener (`port`) and the hub's (`hub_port`), as provisioning/hub sets it up."""
    registry.set_password(hub, hub.username, "hub-secret")
    registry.write_acl(hub)
    folder = tmp_path / "broker"
    folder.mkdir()
    hub_port = free_port()
    accounts = "allow_anonymous false\npassword_file {}\nacl_file " + str(hub.acl_file) + "\n"
    broker = Broker(
        folder,
        head_config="per_listener_settings true\n",
        extra_config=(
            accounts.format(hub.password_file)
            + "use_username_as_clientid true\n"
            + f"listener {hub_port} 127.0.0.1\n"
            + accounts.format(hub.hub_password_file)
        ),
    )
    broker.hub_port = hub_port
    yield broker.start()
    broker.kill()


class Client:
    """A connected MQTT 5 client recording its acknowledgements."""

    def __init__(self, port: int, username: str | None, password: str = ""):
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=MQTTProtocolVersion.MQTTv5)
        if username is not None:
            self.client.username_pw_set(username, password)
        self.connect_reason = None
        self.puback: dict[int, object] = {}
        self.suback: dict[int, list] = {}
        self._connected = threading.Event()
        self.client.on_connect = self._on_connect
        self.client.on_publish = lambda c, u, mid, reason, p: self.puback.__setitem__(mid, reason)
        self.client.on_subscribe = lambda c, u, mid, reasons, p: self.suback.__setitem__(
            mid, reasons
        )
        self.received: list[str] = []
        self.client.on_message = lambda c, u, message: self.received.append(message.topic)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        self._connected.wait(5)

    def _on_connect(self, client, userdata, flags, reason, properties):
        self.connect_reason = reason
        self._connected.set()

    @property
    def accepted(self) -> bool:
        return self.connect_reason is not None and not self.connect_reason.is_failure

    def publish_ok(self, topic: str) -> bool:
        info = self.client.publish(topic, b"{}", qos=1)
        assert wait_for(lambda: info.mid in self.puback, timeout=5)
        return not self.puback[info.mid].is_failure

    def subscribe_ok(self, topic: str) -> bool:
        _rc, mid = self.client.subscribe(topic, qos=1)
        assert wait_for(lambda: mid in self.suback, timeout=5)
        return not self.suback[mid][0].is_failure

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def test_mosquitto_hash_format():
    hashed = registry.mosquitto_hash("secret", salt=bytes(12))
    assert hashed.startswith("$7$101$AAAAAAAAAAAAAAAA$") and len(hashed.split("$")[4]) == 88


def test_add_issues_credentials_and_acl(hub):
    creds = registry.add(hub, "06001-01", "06001", NOW)
    assert len(creds.password) >= 20
    assert creds.password not in hub.password_file.read_text()
    acl = hub.acl_file.read_text()
    assert (
        "user 06001-01\ntopic write thuvien/v1/20/06001/06001-01/status\n"
        "topic write thuvien/v1/20/06001/06001-01/counts\n"
        "topic write thuvien/v1/20/06001/06001-01/health\n"
        "topic read thuvien/v1/20/06001/06001-01/resend\n"
    ) in acl
    assert 'username = "06001-01"' in creds.kiosk_toml("mqtts://hub.example:8883")
    with pytest.raises(registry.RegistryError, match="already registered"):
        registry.add(hub, "06001-01", "06001", NOW)
    with pytest.raises(registry.RegistryError, match="not a commune"):
        registry.add(hub, "99999-01", "99999", NOW)
    with pytest.raises(registry.RegistryError, match="not a valid kiosk id"):
        registry.add(hub, "Bad Id", "06001", NOW)
    assert RegisteredKiosk.select().count() == 1


@pytest.mark.parametrize("hub_backend", ["sqlite"])  # Mosquitto's ACL: no database logic
def test_acl_matrix_on_a_real_broker(hub, secured_broker):
    a = registry.add(hub, "06001-01", "06001", NOW)
    b = registry.add(hub, "06613-01", "06613", NOW)
    secured_broker.process.send_signal(signal.SIGHUP)  # reload passwords and ACL
    own_a = "thuvien/v1/20/06001/06001-01/counts"
    own_b = "thuvien/v1/20/06613/06613-01/counts"
    hub_reader = Collector(secured_broker.hub_port, "thuvien/v1/#", hub.username, "hub-secret")
    kiosk_a = Client(secured_broker.port, a.kiosk_id, a.password)
    assert wait_for(lambda: kiosk_a.accepted, timeout=10)
    assert kiosk_a.publish_ok(own_a)
    assert not kiosk_a.publish_ok(own_b), "a kiosk published as another kiosk"
    assert not kiosk_a.publish_ok("thuvien/v1/20/06001/06001-02/counts")
    # Mosquitto may grant the SUBSCRIBE, but it delivers nothing the ACL does not let it read
    kiosk_a.subscribe_ok(own_b)
    kiosk_a.subscribe_ok("thuvien/v1/#")
    kiosk_b = Client(secured_broker.port, b.kiosk_id, b.password)
    assert wait_for(lambda: kiosk_b.accepted, timeout=10)
    assert kiosk_b.publish_ok(own_b)
    assert wait_for(lambda: len(hub_reader.messages) == 2)
    assert [m.topic for m in hub_reader.messages] == [own_a, own_b]  # refused ones never came
    assert not wait_for(lambda: kiosk_a.received, timeout=1.0), "a kiosk read another's topic"
    kiosk_b.close()
    for username, password in ((a.kiosk_id, "wrong"), (None, ""), ("06613-01", a.password)):
        intruder = Client(secured_broker.port, username, password)
        assert not intruder.accepted
        intruder.close()
    kiosk_a.close()
    registry.remove(hub, b.kiosk_id)
    secured_broker.process.send_signal(signal.SIGHUP)
    removed = Client(secured_broker.port, b.kiosk_id, b.password)
    assert not removed.accepted
    removed.close()
    hub_reader.close()


def _verifies(hashed: str, password: str) -> bool:
    """Whether a `$7$` hash is of this password (as Mosquitto checks it)."""
    import base64

    _empty, _seven, _iterations, salt, _digest = hashed.split("$")
    return registry.mosquitto_hash(password, base64.b64decode(salt)) == hashed


def test_hub_init_keeps_the_configured_password(tmp_path, capsys):
    """setup-broker.sh writes hub.toml with a password: `kiosk hub init` afterwards must not
    issue another and leave hub.toml stale (the hub could no longer log in)."""
    from kiosk.cli import main

    site = tmp_path / "hub.toml"
    site.write_text(
        f'[hub]\ndata_dir = "{tmp_path / "hub-data"}"\n[broker]\nusername = "hub"\n'
        'password = "from-setup"\n'
    )
    assert main(["hub", "--hub-config", str(site), "init"]) == 0
    assert "from-setup" not in capsys.readouterr().out
    lines = (tmp_path / "hub-data/mosquitto-hub.passwd").read_text().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hub:")
    assert _verifies(lines[0].split(":", 1)[1], "from-setup")
    assert "hub:" not in (tmp_path / "hub-data/mosquitto.passwd").read_text()
