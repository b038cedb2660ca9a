"""The kiosk's own settings chosen on its Settings screen: volume, mute, large text, contrast.

They live in ``<data_dir>/settings.json``, not in the site configuration and not in the
database: the configuration (/etc/kiosk/kiosk.toml) belongs to the technician and is read-only
for the kiosk's service user; a database table would need a migration and would travel with
backups to another kiosk, whose speaker and room differ. A small JSON file is readable by a
technician, deleted to go back to the defaults, and written atomically (temporary file, fsync,
rename), so a power cut leaves the old settings or the new ones, never half a file. A damaged
or hand-edited file never stops the kiosk: each bad value falls back to its default.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

log = logging.getLogger(__name__)

FILE_NAME = "settings.json"
VOLUME_STEP = 10


@dataclass(frozen=True)
class Preferences:
    """What staff set on the Settings screen."""

    volume: int = 80  # percent of the recorded level, 0..100 in steps of VOLUME_STEP
    muted: bool = False
    large_text: bool = False
    high_contrast: bool = False

    def with_volume(self, volume: int) -> Preferences:
        """The same settings at `volume`, kept within 0..100."""
        return replace(self, volume=max(0, min(100, int(volume))))


def path(data_dir: Path) -> Path:
    return data_dir / FILE_NAME


def _checked(raw: object) -> Preferences:
    """Preferences from decoded JSON; a value of the wrong type falls back to its default."""
    if not isinstance(raw, dict):
        log.warning("%s is not a JSON object: using the default settings", FILE_NAME)
        return Preferences()
    values = {}
    for spec in fields(Preferences):
        value = raw.get(spec.name, spec.default)
        if spec.type == "int" and isinstance(value, int) and not isinstance(value, bool):
            values[spec.name] = max(0, min(100, value))
        elif spec.type == "bool" and isinstance(value, bool):
            values[spec.name] = value
        else:
            log.warning("settings: %s=%r is not valid, using %r", spec.name, value, spec.default)
    return Preferences(**values)


def load(data_dir: Path) -> Preferences:
    """The saved settings, or the defaults when there are none (or they cannot be read)."""
    try:
        text = path(data_dir).read_text(encoding="utf-8")
    except FileNotFoundError:
        return Preferences()
    except OSError as exc:
        log.warning("cannot read %s (%s): using the default settings", path(data_dir), exc)
        return Preferences()
    try:
        return _checked(json.loads(text))
    except ValueError as exc:
        log.warning("%s is damaged (%s): using the default settings", path(data_dir), exc)
        return Preferences()


def save(data_dir: Path, preferences: Preferences) -> None:
    """Write the settings atomically (a power cut keeps the old file or the new one)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(asdict(preferences), indent=2, sort_keys=True) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=data_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path(data_dir))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    directory = os.open(data_dir, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power cut
    finally:
        os.close(directory)
