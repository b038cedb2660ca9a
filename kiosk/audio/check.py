"""Check a kiosk's recordings folder (``kiosk audio check``): per language, the keys with no
recording, the files that match no key (a typo means a recording that never plays), and the
files that are not a WAV the kiosk can play.

Missing recordings are normal (speech or a chime stands in, see kiosk.audio); unknown and
broken files are mistakes to fix.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.audio import EXTENSION
from kiosk.audio.prompts import PROMPTS
from kiosk.audio.wav import WavError, read_wav

SILENT_PEAK = 328  # below 1% of full scale: a recording of nothing


@dataclass
class LanguageReport:
    """What the check found in ``audio/<language>/``."""

    language: str
    missing: list[str] = field(default_factory=list)  # keys without a recording
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (file, closest key or "")
    broken: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    found: int = 0  # good recordings

    @property
    def problems(self) -> bool:
        return bool(self.unknown or self.broken)


@dataclass
class FolderReport:
    languages: list[LanguageReport]
    stray_folders: list[str] = field(default_factory=list)  # audio/<x>/ with x no language

    @property
    def problems(self) -> bool:
        return bool(self.stray_folders) or any(r.problems for r in self.languages)

    @property
    def missing(self) -> bool:
        return any(r.missing for r in self.languages)


def _check_file(path: Path) -> str:
    """Why `path` cannot be played, or "" when it is a good recording."""
    try:
        sound = read_wav(path)
    except WavError as exc:
        return str(exc)
    if sound.peak < SILENT_PEAK:
        return "silent (nothing was recorded?)"
    return ""


def check_language(folder: Path, language: str) -> LanguageReport:
    """Check ``folder/<language>`` against every prompt key."""
    report = LanguageReport(language)
    where = folder / language
    files = []
    if where.is_dir():
        files = sorted(p for p in where.iterdir() if not p.name.startswith("."))
    present = set()
    for path in files:
        stem = path.stem
        if path.is_dir():
            report.unknown.append((path.name + "/", ""))
        elif stem not in PROMPTS:
            close = difflib.get_close_matches(stem.lower(), list(PROMPTS), n=1, cutoff=0.7)
            report.unknown.append((path.name, close[0] if close else ""))
        elif path.suffix.lower() != EXTENSION:
            report.broken.append((path.name, f"only {EXTENSION} files are played: convert it"))
        elif why := _check_file(path):
            report.broken.append((path.name, why))
        else:
            present.add(stem)
            report.found += 1
    report.missing = [key for key in PROMPTS if key not in present]
    return report


def check_folder(
    folder: Path, languages: tuple[str, ...], known: tuple[str, ...] | None = None
) -> FolderReport:
    """Check the recordings of `languages`; `known` languages (default: the same) may have a
    folder, any other folder is reported as stray."""
    known = known or languages
    stray = []
    if folder.is_dir():
        stray = sorted(
            p.name + ("/" if p.is_dir() else "")
            for p in folder.iterdir()
            if not p.name.startswith(".") and p.name not in known
        )
    return FolderReport([check_language(folder, lang) for lang in languages], stray)
