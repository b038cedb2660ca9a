"""On-device checks for ``kiosk doctor``: is this Pi ready to run the kiosk, and if not, why.

Each check returns a :class:`CheckResult`: OK, WARNING (works, but worth knowing) or
PROBLEM (the kiosk will not work), with a translated message and how to fix it. Every
check takes what it inspects as parameters (paths, functions) through :class:`System`, so
the tests run them on fake ``/dev`` and ``/proc`` trees and on the emulated MFRC522.
"""

from __future__ import annotations

import ctypes
import enum
import grp
import importlib.metadata
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.i18n import _

VERSION_REG = 0x37
GENUINE_VERSIONS = {0x91: "1.0", 0x92: "2.0"}
KNOWN_CLONES = {0x88: "FM17522", 0xB2: "FM17522", 0x12: "counterfeit"}
TIME_ERROR = 5  # adjtimex(2): the clock is not synchronised
# Video nodes every Pi has for its codecs and ISP: they are not cameras.
SOC_VIDEO = ("bcm2835-codec", "bcm2835-isp", "rpi-hevc-dec", "pispbe", "rpivid")


class Status(enum.StrEnum):
    """How bad a finding is."""

    OK = "ok"
    WARNING = "warning"
    PROBLEM = "problem"


@dataclass(frozen=True)
class CheckResult:
    """One line of the report: what was checked, the verdict, and how to fix it."""

    name: str
    status: Status
    message: str
    fix: str = ""


Transfer = Callable[[list[int]], list[int]]


def _real_adjtimex() -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    timex = ctypes.create_string_buffer(512)  # struct timex with modes = 0: read only
    return int(libc.adjtimex(timex))


def _real_groups() -> set[str]:
    names = set()
    for gid in os.getgroups():
        try:
            names.add(grp.getgrgid(gid).gr_name)
        except KeyError:
            continue
    return names


def _distribution_installed(name: str) -> bool:
    try:
        importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def _real_spi(device: Path) -> Transfer:
    import spidev  # vendor library, only when the check runs on the device

    bus, dev = (int(x) for x in device.name.removeprefix("spidev").split("."))
    spi = spidev.SpiDev()
    spi.open(bus, dev)
    spi.max_speed_hz = 1_000_000
    return lambda data: list(spi.xfer2(list(data)))


@dataclass
class System:
    """What the checks look at; defaults are the real machine."""

    dev: Path = Path("/dev")
    proc: Path = Path("/proc")
    sys_root: Path = Path("/sys")
    spi_bus: int = 0
    spi_device: int = 0
    access: Callable[[Path, int], bool] = lambda p, m: os.access(p, m)
    groups: Callable[[], set[str]] = _real_groups
    installed: Callable[[str], bool] = _distribution_installed
    open_spi: Callable[[Path], Transfer] = _real_spi
    adjtimex: Callable[[], int] = _real_adjtimex
    extra: list[CheckResult] = field(default_factory=list)  # e.g. a configuration error

    @property
    def spi_path(self) -> Path:
        """The SPI device node of the reader."""
        return self.dev / f"spidev{self.spi_bus}.{self.spi_device}"


# -- the checks ---------------------------------------------------------------------------------
def check_spi(system: System) -> CheckResult:
    """SPI enabled (the device node exists) and usable by this user."""
    name = _("SPI")
    path = system.spi_path
    if not path.exists():
        return CheckResult(
            name,
            Status.PROBLEM,
            _("{device} does not exist: SPI is not enabled.").format(device=path),
            _("Run: sudo raspi-config nonint do_spi 0, then reboot."),
        )
    if not system.access(path, os.R_OK | os.W_OK):
        return CheckResult(
            name,
            Status.PROBLEM,
            _("{device} exists but this user cannot open it.").format(device=path),
            _("Run: sudo usermod -aG spi $USER, then log in again."),
        )
    return CheckResult(name, Status.OK, _("{device} is ready.").format(device=path))


def check_groups(system: System) -> CheckResult:
    """The user belongs to the spi and gpio groups."""
    name = _("User groups")
    missing = sorted({"spi", "gpio"} - system.groups())
    if missing:
        return CheckResult(
            name,
            Status.PROBLEM,
            _("This user is not in the group(s): {groups}.").format(groups=", ".join(missing)),
            _("Run: sudo usermod -aG {groups} $USER, then log in again.").format(
                groups=",".join(missing)
            ),
        )
    return CheckResult(name, Status.OK, _("This user is in the spi and gpio groups."))


def check_reader(system: System) -> CheckResult:
    """The MFRC522 answers on SPI, and whether it is a genuine NXP chip."""
    name = _("RFID reader")
    try:
        transfer = system.open_spi(system.spi_path)
        version = transfer([(VERSION_REG << 1) | 0x80, 0])[1]
    except (ImportError, OSError) as exc:
        return CheckResult(
            name,
            Status.PROBLEM,
            _("The reader cannot be reached ({error}).").format(error=exc),
            _("Enable SPI and install the Pi extra: pip install 'thuvien-kiosk[pi]'."),
        )
    if version in (0x00, 0xFF):
        return CheckResult(
            name,
            Status.PROBLEM,
            _("No reader answers on SPI (version 0x{version:02X}).").format(version=version),
            _("Check the wiring (SDA to CE0, SCK, MOSI, MISO, RST) and the 3.3 V supply."),
        )
    if version in GENUINE_VERSIONS:
        return CheckResult(
            name,
            Status.OK,
            _("MFRC522 version {number} answers (0x{version:02X}).").format(
                number=GENUINE_VERSIONS[version], version=version
            ),
        )
    return CheckResult(
        name,
        Status.WARNING,
        _("The reader answers with version 0x{version:02X}: a clone, not an NXP MFRC522.").format(
            version=version
        ),
        _("It usually works; if tags are read badly, replace the module with a genuine one."),
    )


def check_camera(system: System) -> CheckResult:
    """A camera for barcodes: a /dev/video* node that is not one of the Pi's codec nodes."""
    name = _("Camera")
    cameras = []
    for node in sorted(system.dev.glob("video*")):
        label_file = system.sys_root / "class" / "video4linux" / node.name / "name"
        label = label_file.read_text().strip() if label_file.is_file() else node.name
        if not label.startswith(SOC_VIDEO):
            cameras.append(f"{node} ({label})")
    if not cameras:
        return CheckResult(
            name,
            Status.WARNING,
            _("No camera found: books without a tag cannot be scanned by camera."),
            _("Plug in a USB camera or connect the Pi camera, or use a USB barcode scanner."),
        )
    return CheckResult(
        name, Status.OK, _("Camera found: {cameras}.").format(cameras=", ".join(cameras))
    )


def pi_model(system: System) -> str | None:
    """The model string from the device tree, e.g. "Raspberry Pi 5 Model B Rev 1.0"."""
    path = system.proc / "device-tree" / "model"
    if not path.is_file():
        return None
    return path.read_bytes().rstrip(b"\0").decode("ascii", "replace").strip()


def check_model(system: System) -> CheckResult:
    """The Pi model, and on a Pi 5 that the GPIO library is rpi-lgpio."""
    name = _("Raspberry Pi")
    model = pi_model(system)
    if model is None or "Raspberry Pi" not in model:
        return CheckResult(
            name,
            Status.WARNING,
            _("This is not a Raspberry Pi ({model}).").format(model=model or "?"),
            _('Use the "emulated" hardware backend on this machine.'),
        )
    if "Raspberry Pi 5" in model and not system.installed("rpi-lgpio"):
        return CheckResult(
            name,
            Status.PROBLEM,
            _("{model}: RPi.GPIO does not work on a Pi 5.").format(model=model),
            _("Run: pip uninstall RPi.GPIO; pip install rpi-lgpio."),
        )
    return CheckResult(name, Status.OK, model)


def check_clock(system: System) -> CheckResult:
    """The clock is synchronised (the Pi has no RTC: until NTP syncs, its time is wrong)."""
    name = _("Clock")
    try:
        state = system.adjtimex()
    except (OSError, AttributeError) as exc:
        return CheckResult(
            name, Status.WARNING, _("The clock state cannot be read ({error}).").format(error=exc)
        )
    if state == TIME_ERROR or state < 0:
        return CheckResult(
            name,
            Status.PROBLEM,
            _("The clock is not synchronised: dates of loans and visits may be wrong."),
            _("Connect the kiosk to the network; check: timedatectl status."),
        )
    return CheckResult(name, Status.OK, _("The clock is synchronised."))


CHECKS: tuple[Callable[[System], CheckResult], ...] = (
    check_model,
    check_spi,
    check_groups,
    check_reader,
    check_camera,
    check_clock,
)


def run_checks(system: System | None = None) -> list[CheckResult]:
    """Every check, in order (a crashing check is reported as a problem, not raised)."""
    system = system or System()
    results = list(system.extra)
    for check in CHECKS:
        try:
            results.append(check(system))
        except Exception as exc:
            results.append(CheckResult(check.__name__, Status.PROBLEM, repr(exc)))
    return results


def failed(results: list[CheckResult]) -> bool:
    """True when any result is a PROBLEM (warnings do not fail the doctor)."""
    return any(r.status is Status.PROBLEM for r in results)
