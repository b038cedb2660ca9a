"""The province broker as provisioning/hub sets it up, started for real: TLS on the kiosk
listener, password + ACL from the registry (through add-kiosk.sh and its bundle), the plain
listener on loopback only with a password.

The generated conf.d file names /etc/mosquitto/...; the test starts Mosquitto on a copy whose
paths point into the temporary tree and whose ports are free ones — nothing else is changed.
Not testable here: that the plain listener refuses other hosts (there is only loopback), and
Debian's mosquitto.service (no systemd as PID 1); the main mosquitto.conf is Debian's, with
its paths moved into the test folder.
"""

from __future__ import annotations

import os
import re
import signal
import ssl
import subprocess
import threading
import tomllib
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from kiosk.telemetry import payloads
from tests.deploy.conftest import REPO, make_pi_root, requires_root, run_setup
from tests.support.broker import MOSQUITTO, free_port, wait_for_port
from tests.support.mqtt import wait_for

HUB = REPO / "provisioning/hub"
KIOSK = REPO / ".venv/bin/kiosk"
TOPIC_A = "thuvien/v1/20/06001/06001-01/counts"
TOPIC_B = "thuvien/v1/20/06613/06613-01/counts"


class Province:
    """The tree setup-broker.sh made, the hub configuration, and a running Mosquitto."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.root = folder / "root"
        self.tls_port = free_port()
        self.plain_port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def certs(self) -> Path:
        return self.root / "etc/mosquitto/certs"

    def setup(self) -> None:
        etc = self.root / "etc"
        etc.mkdir(parents=True)
        (etc / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
        (etc / "group").write_text("root:x:0:\n")
        (etc / "shadow").write_text("root:*:19000:0:99999:7:::\n")
        (etc / "gshadow").write_text("root:*::\n")
        subprocess.run(
            [
                str(HUB / "setup-broker.sh"),
                "--root",
                str(self.root),
                "--host",
                "localhost",
                "--ip",
                "127.0.0.1",
            ],
            check=True,
            capture_output=True,
        )
        # the hub's own configuration, its paths moved into the tree
        text = (etc / "kiosk/hub.toml").read_text()
        text = text.replace('"/etc/', f'"{self.root}/etc/').replace(
            '"/var/lib/kiosk-hub"', f'"{self.folder}/hub-data"'
        )
        text = text.replace("mqtt://127.0.0.1:1883", f"mqtt://127.0.0.1:{self.plain_port}")
        self.hub_toml = self.folder / "hub.toml"
        self.hub_toml.write_text(text)
        self.hub_password = tomllib.loads(text)["broker"]["password"]

    def conf_d(self) -> Path:
        """The generated conf.d file with paths into the tree and free ports."""
        text = (self.root / "etc/mosquitto/conf.d/thuvien.conf").read_text()
        replacements = [
            (r"^listener 8883$", f"listener {self.tls_port}"),
            (r"^listener 1883 127\.0\.0\.1$", f"listener {self.plain_port} 127.0.0.1"),
            (r" /etc/mosquitto/", f" {self.root}/etc/mosquitto/"),
        ]
        for pattern, new in replacements:
            text, count = re.subn(pattern, new, text, flags=re.M)
            assert count >= 1, pattern
        folder = self.folder / "conf.d"
        folder.mkdir(exist_ok=True)
        (folder / "thuvien.conf").write_text(text)
        return folder

    def start(self) -> None:
        data = self.folder / "mosquitto-data"
        data.mkdir(exist_ok=True)
        main = self.folder / "mosquitto.conf"
        # Debian's /etc/mosquitto/mosquitto.conf, moved into the test folder; as root, Mosquitto
        # must stay root to read the test's files.
        user = "user root\n" if os.geteuid() == 0 else ""
        main.write_text(
            f"{user}pid_file {self.folder}/mosquitto.pid\npersistence true\n"
            f"persistence_location {data}/\nlog_dest file {self.folder}/mosquitto.log\n"
            f"include_dir {self.conf_d()}\n"
        )
        self.process = subprocess.Popen(
            [MOSQUITTO, "-c", str(main)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        try:
            wait_for_port(self.tls_port)
            wait_for_port(self.plain_port)
        except TimeoutError:
            self.process.kill()
            raise AssertionError(self.process.communicate()[0].decode() + self.log()) from None

    def log(self) -> str:
        path = self.folder / "mosquitto.log"
        return path.read_text() if path.exists() else ""

    def reload(self) -> None:
        self.process.send_signal(signal.SIGHUP)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def add_kiosk(self, kiosk_id: str, commune: str) -> Path:
        """add-kiosk.sh, as the province technician runs it; returns the bundle folder."""
        bundle = self.folder / f"bundle-{kiosk_id}"
        subprocess.run(
            [
                str(HUB / "add-kiosk.sh"),
                kiosk_id,
                "--commune",
                commune,
                "--hub-config",
                str(self.hub_toml),
                "--ca",
                str(self.certs / "ca.crt"),
                "--kiosk",
                str(KIOSK),
                "--as",
                "",
                "--no-reload",
                "--out",
                str(bundle),
            ],
            check=True,
            capture_output=True,
        )
        return bundle


class Client:
    """An MQTT 5 client over TLS (or plain), recording connect/publish/subscribe results."""

    def __init__(
        self,
        port: int,
        username: str | None,
        password: str = "",
        ca: Path | None = None,
        client_id: str = "",
    ):
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=MQTTProtocolVersion.MQTTv5
        )
        if username is not None:
            self.client.username_pw_set(username, password)
        if ca is not None:
            self.client.tls_set(ca_certs=str(ca))
        self.reason = None
        self.error: Exception | None = None
        self.puback: dict[int, object] = {}
        self.suback: dict[int, list] = {}
        self.received: list[tuple[str, bytes]] = []
        self._done = threading.Event()
        self.client.on_connect = self._on_connect
        self.client.on_connect_fail = lambda c, u: self._done.set()
        self.client.on_publish = lambda c, u, mid, reason, p: self.puback.__setitem__(mid, reason)
        self.client.on_subscribe = lambda c, u, mid, codes, p: self.suback.__setitem__(mid, codes)
        self.client.on_message = lambda c, u, m: self.received.append((m.topic, m.payload))
        try:
            self.client.connect("localhost", port, keepalive=10)
        except (OSError, ssl.SSLError) as exc:
            self.error = exc
            return
        self.client.loop_start()
        self._done.wait(5)

    def _on_connect(self, client, userdata, flags, reason, properties) -> None:
        self.reason = reason
        self._done.set()

    @property
    def accepted(self) -> bool:
        return self.reason is not None and not self.reason.is_failure

    def publish(self, topic: str, payload: bytes = b"{}"):
        info = self.client.publish(topic, payload, qos=1)
        assert wait_for(lambda: info.mid in self.puback, timeout=5), "no PUBACK"
        return self.puback[info.mid]

    def subscribe(self, topic: str):
        _rc, mid = self.client.subscribe(topic, qos=1)
        assert wait_for(lambda: mid in self.suback, timeout=5), "no SUBACK"
        return self.suback[mid][0]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def province(tmp_path):
    requires_root()
    running = Province(tmp_path)
    running.setup()
    yield running
    running.stop()


def bundle_credentials(bundle: Path) -> tuple[str, str]:
    uplink = tomllib.loads((bundle / "kiosk.toml").read_text())["uplink"]
    return uplink["username"], uplink["password"]


def test_generated_config_has_what_the_province_needs(province):
    text = (province.root / "etc/mosquitto/conf.d/thuvien.conf").read_text()
    settings = [line.split(None, 1) for line in text.splitlines() if line and line[0] != "#"]
    values = {key: value for key, value in settings}
    assert values["allow_anonymous"] == "false"
    assert values["per_listener_settings"] == "true"  # the kiosks' and the hub's accounts apart
    assert values["use_username_as_clientid"] == "true"
    assert [v for k, v in settings if k == "password_file"] == [
        "/etc/mosquitto/kiosk/passwd",
        "/etc/mosquitto/kiosk/hub.passwd",
    ]
    assert [v for k, v in settings if k == "listener"] == ["8883", "1883 127.0.0.1"]
    assert values["autosave_on_changes"] == "true"
    assert int(values["autosave_interval"]) <= 60
    assert payloads.MAX_PAYLOAD_BYTES < int(values["max_packet_size"]) <= 2 * 65536
    assert int(values["max_queued_messages"]) >= 75_000
    assert values["persistent_client_expiration"] == "14d"
    for key in ("persistence_location", "pid_file", "log_dest"):
        assert key not in values  # Debian's main file sets them; a repeat is an error


def test_files_mosquitto_reads_are_its_groups(province):
    accounts = province.root / "etc/mosquitto/kiosk"
    group = {
        line.split(":")[0]: int(line.split(":")[2])
        for line in (province.root / "etc/group").read_text().splitlines()
    }
    assert accounts.stat().st_mode & 0o7777 == 0o2750  # setgid: new files get the group
    for name in ("passwd", "hub.passwd", "acl"):
        st = (accounts / name).stat()
        assert (st.st_gid, st.st_mode & 0o777) == (group["mosquitto"], 0o640)
    key = (province.certs / "server.key").stat()
    assert (key.st_gid, key.st_mode & 0o777) == (group["mosquitto"], 0o640)
    assert (province.certs / "ca.key").stat().st_mode & 0o777 == 0o600


def test_tls_and_acl_matrix(province, tmp_path):
    bundle_a = province.add_kiosk("06001-01", "06001")
    province.start()
    user_a, password_a = bundle_credentials(bundle_a)
    ca = bundle_a / "ca.crt"
    assert tomllib.loads((bundle_a / "kiosk.toml").read_text())["uplink"]["broker_url"] == (
        "mqtts://localhost:8883"  # the public name from the server certificate, not loopback
    )
    hub = Client(province.plain_port, "hub", province.hub_password, client_id="hub-test")
    assert hub.accepted, province.log()
    assert not hub.subscribe("thuvien/v1/#").is_failure

    kiosk_a = Client(province.tls_port, user_a, password_a, ca=ca, client_id="06001-01")
    assert kiosk_a.accepted, province.log()
    assert not kiosk_a.publish(TOPIC_A, b"a").is_failure

    # a second kiosk, added while the broker runs: works after a reload (SIGHUP)
    bundle_b = province.add_kiosk("06613-01", "06613")
    user_b, password_b = bundle_credentials(bundle_b)
    province.reload()
    assert wait_for(lambda: "06613-01" in (province.root / "etc/mosquitto/kiosk/acl").read_text())
    kiosk_b = None
    for _attempt in range(20):  # the reload is asynchronous
        kiosk_b = Client(province.tls_port, user_b, password_b, ca=ca, client_id="06613-01")
        if kiosk_b.accepted:
            break
        kiosk_b.close()
    assert kiosk_b.accepted, province.log()

    # A may not publish as B, nor read B (the SUBACK may be granted: nothing is delivered)
    assert kiosk_a.publish(TOPIC_B, b"forged").is_failure
    kiosk_a.subscribe(TOPIC_B)
    assert not kiosk_b.publish(TOPIC_B, b"b").is_failure
    assert wait_for(lambda: len(hub.received) == 2)
    assert hub.received == [(TOPIC_A, b"a"), (TOPIC_B, b"b")]
    assert not wait_for(lambda: kiosk_a.received, timeout=1.0), "A read B's topic"
    # the hub may ask A to resend, and A reads that
    resend = "thuvien/v1/20/06001/06001-01/resend"
    assert not kiosk_a.subscribe(resend).is_failure
    assert not hub.publish(resend, b"[1]").is_failure
    assert wait_for(lambda: (resend, b"[1]") in kiosk_a.received)
    for client in (kiosk_a, kiosk_b, hub):
        client.close()


def test_refusals(province, tmp_path):
    bundle = province.add_kiosk("06001-01", "06001")
    province.start()
    user, password = bundle_credentials(bundle)
    ca = bundle / "ca.crt"
    wrong = Client(province.tls_port, user, password + "x", ca=ca)
    assert wrong.reason is not None and wrong.reason.is_failure  # bad password
    wrong.close()
    anonymous = Client(province.tls_port, None, ca=ca)
    assert not anonymous.accepted
    anonymous.close()
    anonymous_local = Client(province.plain_port, None)
    assert not anonymous_local.accepted  # the loopback listener wants a password too
    anonymous_local.close()
    # plain MQTT on the TLS port: no CONNACK ever
    plain = Client(province.tls_port, user, password)
    assert not plain.accepted
    plain.close()
    # a CA that is not the province's: the TLS handshake fails
    other = tmp_path / "other-ca"
    subprocess.run(
        [str(HUB / "make-certs.sh"), "--out", str(other), "--host", "localhost"],
        check=True,
        capture_output=True,
    )
    impostor = Client(province.tls_port, user, password, ca=other / "ca.crt")
    assert not impostor.accepted
    assert isinstance(impostor.error, ssl.SSLError)
    impostor.close()


def test_oversized_packet_refused(province):
    bundle = province.add_kiosk("06001-01", "06001")
    province.start()
    user, password = bundle_credentials(bundle)
    kiosk = Client(province.tls_port, user, password, ca=bundle / "ca.crt", client_id="06001-01")
    assert kiosk.accepted
    assert not kiosk.publish(TOPIC_A, b"x" * payloads.MAX_PAYLOAD_BYTES).is_failure
    info = kiosk.client.publish(TOPIC_A, b"x" * 100_000, qos=1)
    # Mosquitto drops the connection of a client that sends a packet over max_packet_size
    assert wait_for(lambda: not kiosk.client.is_connected(), timeout=5)
    assert info.mid not in kiosk.puback or kiosk.puback[info.mid].is_failure
    assert wait_for(lambda: "disconnected due to oversize packet" in province.log())
    kiosk.close()


def test_bundle_provisions_a_pi_that_connects(province, tmp_path, source_tree):
    """Hub to Pi: add-kiosk.sh's bundle given to setup-kiosk.sh makes a kiosk.toml whose
    credentials and CA get through TLS and the ACL."""
    bundle = province.add_kiosk("06001-01", "06001")
    province.start()
    pi_root = make_pi_root(tmp_path / "pi")
    run_setup(pi_root, "--bundle", str(bundle), source=source_tree)
    site = tomllib.loads((pi_root / "etc/kiosk/kiosk.toml").read_text())["uplink"]
    ca = pi_root / site["ca_file"].lstrip("/")
    kiosk = Client(
        province.tls_port, site["username"], site["password"], ca=ca, client_id="06001-01"
    )
    assert kiosk.accepted, province.log()
    assert not kiosk.publish(TOPIC_A).is_failure
    kiosk.close()


def test_a_kiosk_account_cannot_steal_take_over_or_write_the_hubs_topics(province):
    """The faults a provincial technician injected by hand (issue 20), with real clients."""
    bundle_a = province.add_kiosk("06001-01", "06001")
    bundle_b = province.add_kiosk("06613-01", "06613")
    province.start()
    ca = bundle_a / "ca.crt"
    user_a, password_a = bundle_credentials(bundle_a)
    user_b, password_b = bundle_credentials(bundle_b)
    hub = Client(province.plain_port, "hub", province.hub_password, client_id="hub-prov1")
    assert hub.accepted, province.log()
    assert not hub.subscribe("thuvien/v1/+/+/+/health").is_failure  # as HubService does
    kiosk_a = Client(province.tls_port, user_a, password_a, ca=ca, client_id=user_a)
    kiosk_b = Client(province.tls_port, user_b, password_b, ca=ca, client_id=user_b)
    assert kiosk_a.accepted and kiosk_b.accepted, province.log()

    # A joins the hub's share group (Mosquitto grants it): the hub still gets every message
    kiosk_a.subscribe("$share/hub/thuvien/v1/+/+/+/health")
    health_b = "thuvien/v1/20/06613/06613-01/health"
    for i in range(20):
        assert not kiosk_b.publish(health_b, str(i).encode()).is_failure
    assert wait_for(lambda: len(hub.received) == 20), len(hub.received)
    assert not kiosk_a.received

    # A connecting with B's client id, or the hub's, kicks nobody: its id is its user name
    for stolen in (user_b, "hub-prov1"):
        thief = Client(province.tls_port, user_a, password_a, ca=ca, client_id=stolen)
        assert thief.accepted
        thief.close()
    assert not wait_for(lambda: not kiosk_b.client.is_connected(), timeout=1.0), "B kicked"
    assert hub.client.is_connected(), "the hub was kicked"
    assert not kiosk_b.publish(health_b, b"still here").is_failure
    assert wait_for(lambda: (health_b, b"still here") in hub.received)

    # A may not write its own resend topic (the hub's), nor anything but its three kinds
    assert kiosk_a.publish("thuvien/v1/20/06001/06001-01/resend", b"{}").is_failure
    assert kiosk_a.publish("thuvien/v1/20/06001/06001-01/other", b"{}").is_failure
    assert not kiosk_a.publish("thuvien/v1/20/06001/06001-01/health", b"{}").is_failure

    # kiosk accounts do not work on the loopback listener, the hub's not on the public one
    local = Client(province.plain_port, user_a, password_a, client_id=user_a)
    assert not local.accepted
    local.close()
    outside = Client(province.tls_port, "hub", province.hub_password, ca=ca, client_id="hub-x")
    assert not outside.accepted
    outside.close()
    for client in (kiosk_a, kiosk_b, hub):
        client.close()
