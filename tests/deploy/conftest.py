"""Fixtures for the deployment tests: a fake Raspberry Pi OS root, a frozen source tree."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SETUP_KIOSK = REPO / "provisioning/pi/setup-kiosk.sh"

# What Raspberry Pi OS Bookworm Lite has before the script runs: the first user and the
# device groups raspberrypi-sys-mods creates (ids as on a real image).
PASSWD = "root:x:0:0:root:/root:/bin/bash\npi:x:1000:1000:,,,:/home/pi:/bin/bash\n"
GROUPS = {
    "root": (0, ""),
    "audio": (29, "pi"),
    "video": (44, "pi"),
    "input": (105, "pi"),
    "render": (106, "pi"),
    "pi": (1000, ""),
    "spi": (999, "pi"),
    "gpio": (997, "pi"),
}
CONFIG_TXT = (
    "# For more options and information see http://rptl.io/configtxt\n"
    "#dtparam=i2c_arm=on\n#dtparam=spi=on\n"
    "dtoverlay=vc4-kms-v3d\nmax_framebuffers=2\n\n[cm4]\notg_mode=1\n\n[all]\n"
)
CMDLINE = "console=serial0,115200 console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 rootwait\n"


def requires_root() -> None:
    """The script sets owners (chown) and creates users: it needs root, as on the Pi."""
    if os.geteuid() != 0:
        pytest.skip("provisioning runs as root (chown, useradd); run the tests as root")


def make_pi_root(folder: Path, model: str = "Raspberry Pi 4 Model B Rev 1.5") -> Path:
    """A minimal Raspberry Pi OS tree: /etc users and groups, /boot/firmware, the board model."""
    etc = folder / "etc"
    etc.mkdir(parents=True)
    (etc / "passwd").write_text(PASSWD)
    (etc / "shadow").write_text("root:*:19000:0:99999:7:::\npi:*:19000:0:99999:7:::\n")
    (etc / "group").write_text("".join(f"{n}:x:{g}:{m}\n" for n, (g, m) in GROUPS.items()))
    (etc / "gshadow").write_text("".join(f"{n}:!::{m}\n" for n, (_, m) in GROUPS.items()))
    for name in ("shadow", "gshadow"):
        (etc / name).chmod(0o640)
    firmware = folder / "boot/firmware"
    firmware.mkdir(parents=True)
    (firmware / "config.txt").write_text(CONFIG_TXT)
    (firmware / "cmdline.txt").write_text(CMDLINE)
    (etc / "fstab").write_text(
        "proc /proc proc defaults 0 0\nPARTUUID=4e639091-02 / ext4 defaults,noatime 0 1\n"
    )
    model_file = folder / "proc/device-tree/model"
    model_file.parent.mkdir(parents=True)
    model_file.write_bytes(model.encode() + b"\0")
    return folder


@pytest.fixture(scope="session")
def source_tree(tmp_path_factory) -> Path:
    """A frozen copy of what the script installs: others edit the repository meanwhile, and
    an idempotence test must not see their edits as changes."""
    copy = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, copy / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("kiosk", "systemd", "provisioning"):
        shutil.copytree(REPO / name, copy / name, ignore=ignore)
    return copy


def run_setup(root: Path, *args: str, source: Path, check: bool = True):
    """Run the provisioning script into `root`."""
    result = subprocess.run(
        [
            "bash",
            str(source / "provisioning/pi/setup-kiosk.sh"),
            "--root",
            str(root),
            "--source",
            str(source),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def tree_digest(root: Path) -> str:
    """Everything a second run could change: paths, types, modes, owners, mtimes, contents,
    symlink targets."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        digest.update(f"{path.relative_to(root)} {st.st_mode} {st.st_uid} {st.st_gid} ".encode())
        digest.update(f"{st.st_mtime_ns} ".encode())
        if path.is_symlink():
            digest.update(os.readlink(path).encode())
        elif path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def ids(root: Path, name: str, database: str = "passwd") -> list[str]:
    """The fields of `name` in the tree's /etc/passwd or /etc/group."""
    for line in (root / "etc" / database).read_text().splitlines():
        fields = line.split(":")
        if fields[0] == name:
            return fields
    raise KeyError(name)
