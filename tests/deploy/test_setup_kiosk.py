"""provisioning/pi/setup-kiosk.sh run into a temporary root: what it makes, and that a second
run changes nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from kiosk import config
from tests.deploy.conftest import (
    CONFIG_TXT,
    REPO,
    SETUP_KIOSK,
    ids,
    make_pi_root,
    requires_root,
    run_setup,
    tree_digest,
)

BROKER = "mqtts://mqtt.thuvien.example.vn:8883"


@pytest.fixture
def ca_file(tmp_path: Path) -> Path:
    path = tmp_path / "province-ca.crt"
    path.write_text("-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n")
    return path


@pytest.fixture
def pi_root(tmp_path: Path) -> Path:
    requires_root()
    return make_pi_root(tmp_path / "root")


def provision(pi_root: Path, source: Path, ca_file: Path, *extra: str):
    password_file = pi_root.parent / "password"
    password_file.write_text('pa"ss\\word\n')
    return run_setup(
        pi_root,
        "--commune",
        "06001",
        "--broker",
        BROKER,
        "--password-file",
        str(password_file),
        "--ca-file",
        str(ca_file),
        *extra,
        source=source,
    )


def owner(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_uid, st.st_gid, st.st_mode & 0o7777


def test_kiosk_user_and_device_groups(pi_root, source_tree, ca_file):
    provision(pi_root, source_tree, ca_file)
    user = ids(pi_root, "kiosk")
    assert user[5:] == ["/var/lib/kiosk", "/usr/sbin/nologin"]
    assert int(user[2]) < 1000  # a system user, and not the host's: in the tree's passwd
    assert ids(pi_root, "kiosk", "group")[2] == user[3]
    for group in ("spi", "gpio", "video", "input", "render", "audio"):
        members = ids(pi_root, group, "group")[3].split(",")
        assert members == ["pi", "kiosk"], group
    # the existing ids were kept
    assert ids(pi_root, "spi", "group")[2] == "999"
    assert "kiosk:" in (pi_root / "etc/shadow").read_text()


def test_config_file_content_and_permissions(pi_root, source_tree, ca_file):
    provision(pi_root, source_tree, ca_file)
    uid, gid = (int(x) for x in ids(pi_root, "kiosk")[2:4])
    site = pi_root / "etc/kiosk/kiosk.toml"
    assert owner(site) == (0, gid, 0o640)  # the service reads it, cannot rewrite it
    assert owner(pi_root / "etc/kiosk/ca.crt") == (0, 0, 0o644)
    assert (pi_root / "etc/kiosk/ca.crt").read_bytes() == ca_file.read_bytes()
    assert owner(pi_root / "var/lib/kiosk") == (uid, gid, 0o750)
    # the kiosk's own schema accepts it, with the awkward password intact (the CA path is
    # checked for existence: point it into the tree)
    assert tomllib.loads(site.read_text())["uplink"]["ca_file"] == "/etc/kiosk/ca.crt"
    in_tree = {"uplink": {"ca_file": str(pi_root / "etc/kiosk/ca.crt")}}
    loaded = config.load(site, overrides=in_tree)
    assert (loaded.commune, loaded.kiosk_id) == ("06001", "06001-01")
    assert loaded.hardware.backend == "pi"
    assert loaded.uplink.broker_url == BROKER
    assert (loaded.uplink.username, loaded.uplink.password) == ("06001-01", 'pa"ss\\word')
    assert str(loaded.data_dir) == "/var/lib/kiosk"


def test_spi_enabled_under_all_in_firmware_config(pi_root, source_tree, ca_file):
    provision(pi_root, source_tree, ca_file)
    text = (pi_root / "boot/firmware/config.txt").read_text()
    assert text.startswith(CONFIG_TXT)  # nothing of the original lost
    lines = [line.strip() for line in text.splitlines()]
    on = lines.index("dtparam=spi=on")
    sections = [line for line in lines[:on] if line.startswith("[")]
    assert sections[-1] == "[all]"  # not under [cm4]


def test_units_installed_and_enabled(pi_root, source_tree, ca_file):
    provision(pi_root, source_tree, ca_file)
    system = pi_root / "etc/systemd/system"
    for unit in (
        "kiosk.service",
        "kiosk-uplink.service",
        "kiosk-backup.service",
        "kiosk-backup.timer",
    ):
        assert (system / unit).read_bytes() == (REPO / "systemd" / unit).read_bytes()
        assert owner(system / unit) == (0, 0, 0o644)
    assert not (system / "kiosk-hub.service").exists()  # the province's, not a kiosk's
    wants = system / "multi-user.target.wants/kiosk.service"
    assert os.readlink(wants) == "/etc/systemd/system/kiosk.service"
    timer = system / "timers.target.wants/kiosk-backup.timer"
    assert os.readlink(timer) == "/etc/systemd/system/kiosk-backup.timer"
    assert not (system / "multi-user.target.wants/kiosk-uplink.service").exists()


def test_headless_enables_the_uplink_instead(pi_root, source_tree, ca_file):
    provision(pi_root, source_tree, ca_file)
    provision(pi_root, source_tree, ca_file, "--headless")
    wants = pi_root / "etc/systemd/system/multi-user.target.wants"
    assert sorted(p.name for p in wants.iterdir()) == ["kiosk-uplink.service"]


def test_journal_capped_and_usb_backup_mount(pi_root, source_tree, ca_file):
    provision(pi_root, source_tree, ca_file)
    journald = (pi_root / "etc/systemd/journald.conf.d/50-kiosk.conf").read_text()
    assert "[Journal]" in journald and "SystemMaxUse=64M" in journald
    fstab = (pi_root / "etc/fstab").read_text().splitlines()
    assert fstab[:2] == [
        "proc /proc proc defaults 0 0",
        "PARTUUID=4e639091-02 / ext4 defaults,noatime 0 1",
    ]
    usb = [line for line in fstab if " /media/kiosk-backup " in line]
    assert len(usb) == 1
    assert usb[0].startswith("LABEL=KIOSK-BACKUP /media/kiosk-backup vfat ")
    assert "nofail" in usb[0] and "x-systemd.automount" in usb[0]


def test_install_plan_recorded_without_touching_the_host(pi_root, source_tree, ca_file):
    result = provision(pi_root, source_tree, ca_file)
    assert "not installing Debian packages" in result.stdout
    apt = (pi_root / "opt/kiosk/provision/apt-packages").read_text().split()
    for package in (
        "libzbar0",
        "fonts-noto-core",
        "espeak-ng",
        "fake-hwclock",
        "mosquitto-clients",
        "python3-venv",
        "libsdl2-2.0-0",
        "libgbm1",
    ):
        assert package in apt
    pip = (pi_root / "opt/kiosk/provision/pip-requirements").read_text()
    assert "/opt/kiosk/src[pi,ui]" in pip
    assert "rpi-lgpio" not in pip  # a Pi 4: pyproject's markers choose
    assert not (pi_root / "opt/kiosk/venv").exists()
    # the source to build from is in the image, owned by root
    src = pi_root / "opt/kiosk/src"
    assert (src / "kiosk/watchdog.py").read_bytes() == (
        source_tree / "kiosk/watchdog.py"
    ).read_bytes()
    assert not list(src.rglob("__pycache__"))
    assert {p.stat().st_uid for p in src.rglob("*")} == {0}
    wrapper = pi_root / "usr/local/bin/kiosk"
    assert owner(wrapper) == (0, 0, 0o755)
    assert "runuser -u kiosk -- /opt/kiosk/venv/bin/kiosk" in wrapper.read_text()


def test_pi5_gets_rpi_lgpio(tmp_path, source_tree, ca_file):
    requires_root()
    root = make_pi_root(tmp_path / "root5", model="Raspberry Pi 5 Model B Rev 1.0")
    provision(root, source_tree, ca_file)
    pip = (root / "opt/kiosk/provision/pip-requirements").read_text().splitlines()
    assert any(line.startswith("rpi-lgpio") for line in pip)
    assert "Raspberry Pi 5" in pip[0]


def test_second_run_changes_nothing(pi_root, source_tree, ca_file):
    provision(pi_root, source_tree, ca_file)
    before = tree_digest(pi_root)
    second = provision(pi_root, source_tree, ca_file)
    assert tree_digest(pi_root) == before, second.stdout
    assert "wrote" not in second.stdout and "created" not in second.stdout
    # without arguments: keeps the configuration, still changes nothing
    third = run_setup(pi_root, source=source_tree)
    assert "keeping /etc/kiosk/kiosk.toml" in third.stdout
    assert tree_digest(pi_root) == before


def test_changed_arguments_rewrite_only_the_config(pi_root, source_tree, ca_file):
    provision(pi_root, source_tree, ca_file)
    result = provision(pi_root, source_tree, ca_file, "--kiosk-id", "06001-02")
    assert [line for line in result.stdout.splitlines() if "wrote" in line] == [
        "setup-kiosk: wrote /etc/kiosk/kiosk.toml"
    ]
    written = tomllib.loads((pi_root / "etc/kiosk/kiosk.toml").read_text())
    assert written["kiosk"]["id"] == "06001-02"


def test_read_only_root_with_data_partition(pi_root, source_tree, ca_file):
    provision(pi_root, source_tree, ca_file, "--read-only-root", "--data-device", "LABEL=KIOSKDATA")
    cmdline = (pi_root / "boot/firmware/cmdline.txt").read_text()
    assert cmdline.startswith("overlayroot=tmpfs:recurse=0 console=serial0")
    assert cmdline.count("\n") == 1  # the kernel reads one line
    fstab = (pi_root / "etc/fstab").read_text()
    assert "LABEL=KIOSKDATA /var/lib/kiosk ext4 defaults,noatime,nofail" in fstab
    assert "overlayroot" in (pi_root / "opt/kiosk/provision/apt-packages").read_text().split()
    volatile = pi_root / "etc/systemd/journald.conf.d/60-kiosk-volatile.conf"
    assert "Storage=volatile" in volatile.read_text()
    assert (
        "FILE=/var/lib/kiosk/fake-hwclock.data"
        in (pi_root / "etc/default/fake-hwclock").read_text()
    )
    before = tree_digest(pi_root)
    provision(pi_root, source_tree, ca_file, "--read-only-root", "--data-device", "LABEL=KIOSKDATA")
    assert tree_digest(pi_root) == before
    assert (pi_root / "boot/firmware/cmdline.txt").read_text() == cmdline


def test_bundle_from_the_hub(pi_root, source_tree, ca_file, tmp_path):
    bundle = tmp_path / "bundle-06001-03"
    bundle.mkdir()
    (bundle / "kiosk.toml").write_text(
        '[kiosk]\nprovince = "20"\ncommune = "06001"\nid = "06001-03"\n\n[uplink]\n'
        f'broker_url = "{BROKER}"\nusername = "06001-03"\npassword = "abc-DEF_123"\n'
        'ca_file = "/etc/kiosk/ca.crt"\n'
    )
    shutil.copy(ca_file, bundle / "ca.crt")
    run_setup(pi_root, "--bundle", str(bundle), source=source_tree)
    written = tomllib.loads((pi_root / "etc/kiosk/kiosk.toml").read_text())
    assert written["kiosk"]["id"] == "06001-03"
    assert written["uplink"]["password"] == "abc-DEF_123"
    assert (pi_root / "etc/kiosk/ca.crt").read_bytes() == ca_file.read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--commune", "6001"], "--commune must be 5 digits"),
        (["--commune", "06001", "--kiosk-id", "Kiosk_1"], "--kiosk-id must be"),
        (["--commune", "06001", "--broker", "http://x"], "--broker must look like"),
        (["--commune", "06001", "--broker", BROKER], "needs --password"),
        (["--commune", "06001", "--read-only-root"], "needs --data-device"),
        ([], "--commune is required the first time"),
    ],
)
def test_bad_arguments_change_nothing(pi_root, source_tree, args, message):
    before = tree_digest(pi_root)
    result = run_setup(pi_root, *args, source=source_tree, check=False)
    assert result.returncode != 0
    assert message in result.stderr
    assert tree_digest(pi_root) == before


def test_uplink_disabled_without_a_broker(pi_root, source_tree):
    run_setup(pi_root, "--commune", "06001", source=source_tree)
    loaded = config.load(pi_root / "etc/kiosk/kiosk.toml")
    assert loaded.uplink.enabled is False


def test_shell_scripts_are_shellcheck_clean():
    scripts = sorted((REPO / "provisioning").rglob("*.sh"))
    assert SETUP_KIOSK in scripts and len(scripts) >= 5
    result = subprocess.run(
        ["shellcheck", "--external-sources", "--severity=style", *map(str, scripts)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
