"""Files staff bring on a USB stick, and where exports go: pure Python, no Kivy.

The import folders are the mounted USB sticks (the config's ``kiosk.import_dirs`` glob
patterns, e.g. ``/media/*/*``) plus ``<data_dir>/import``, for files copied over the network.
Exports go to the first USB stick found, else to ``<data_dir>/exports``.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk import text
from kiosk.config import Config

IMPORTABLE = (".mrc", ".iso", ".marc", ".xml", ".csv", ".xlsx")


@dataclass(frozen=True)
class FoundFile:
    """An importable file: where it is and how big (to tell two exports apart)."""

    path: Path
    size: int

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def folder(self) -> str:
        return str(self.path.parent)


def usb_folders(config: Config) -> list[Path]:
    """The mounted USB sticks' folders that exist now, in the order of the config."""
    found: list[Path] = []
    for pattern in config.import_dirs:
        for name in sorted(glob.glob(os.path.expanduser(pattern))):
            path = Path(name)
            if path.is_dir() and path not in found:
                found.append(path)
    return found


def import_folders(config: Config) -> list[Path]:
    """Every folder searched for importable files."""
    return [*usb_folders(config), config.data_dir / "import"]


def importable_files(config: Config) -> list[FoundFile]:
    """The catalogue and manifest files in the import folders (not in subfolders), by folder
    then by name in Vietnamese order."""
    files = []
    for folder in import_folders(config):
        try:
            entries = list(folder.iterdir())
        except OSError:  # a stick pulled out while we look, or no import folder yet
            continue
        for path in entries:
            if path.suffix.lower() in IMPORTABLE and not path.name.startswith("."):
                try:
                    if path.is_file():
                        files.append(FoundFile(path, path.stat().st_size))
                except OSError:
                    continue
    return sorted(files, key=lambda f: (f.folder, text.sort_key(f.name)))


def export_folder(config: Config) -> Path:
    """The first writable USB stick, else ``<data_dir>/exports`` (created)."""
    for folder in usb_folders(config):
        if os.access(folder, os.W_OK):
            return folder
    folder = config.data_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def export_path(config: Config, stem: str, suffix: str, now: datetime) -> Path:
    """A new file name in the export folder: ``<stem>-YYYYMMDD-HHMM<suffix>``, never an
    existing file (a second export in the same minute gets ``-2``)."""
    folder = export_folder(config)
    base = f"{stem}-{now:%Y%m%d-%H%M}"
    path, n = folder / f"{base}{suffix}", 1
    while path.exists():
        n += 1
        path = folder / f"{base}-{n}{suffix}"
    return path


def size_text(size: int) -> str:
    """A file size for people: 950 B, 12 kB, 3.4 MB."""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.0f} kB"
    return f"{size / 1_000_000:.1f} MB"
