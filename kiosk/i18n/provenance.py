"""Who made each site translation and recording, when, and who has reviewed it.

Commune librarians translate the reader's texts and record the voice prompts on the kiosk
(kiosk.flows.staff_translate, kiosk.flows.staff_voices). Each contribution is stamped with its
author (the staff account logged in), the time, and its review state: a *draft* until another
speaker of the language has read or heard it; then *reviewed by N*. The province needs this to
decide what to share with other communes, and a commune to know what to trust.

Kept in the site folder, one file per language: ``<data_dir>/contributions/<lang>.json``
(beside ``locale/`` and ``audio/``, in the data folder that backups cover), written atomically.
A file that cannot be read is set aside as ``<lang>.json.broken`` (never silently lost) and
the language starts a new record.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)

FOLDER = "contributions"
STRING, RECORDING = "strings", "recordings"
KINDS = (STRING, RECORDING)
DRAFT, REVIEWED = "draft", "reviewed"


@dataclass(frozen=True)
class Author:
    """A staff account as a contribution names it (the name is kept as it was then)."""

    name: str
    staff_id: int | None = None


@dataclass
class Contribution:
    """One string's translation or one prompt's recording in one language."""

    by: str
    staff_id: int | None
    at: str  # ISO 8601 from the kiosk's clock
    reviewers: list[dict] = field(default_factory=list)  # {"by", "staff_id", "at"}
    sha256: str = ""  # recordings: of the WAV file kept

    @property
    def state(self) -> str:
        return REVIEWED if self.reviewers else DRAFT

    @property
    def reviews(self) -> int:
        return len(self.reviewers)

    def reviewed_by(self, author: Author) -> bool:
        return any(_same(r, author) for r in self.reviewers)


def _same(entry: dict, author: Author) -> bool:
    if author.staff_id is not None and entry.get("staff_id") is not None:
        return entry["staff_id"] == author.staff_id
    return entry.get("by") == author.name


class Ledger:
    """The contributions of one language in one site folder."""

    def __init__(self, data_dir: Path, language: str) -> None:
        self.language = language
        self.path = data_dir / FOLDER / f"{language}.json"
        self.entries: dict[str, dict[str, Contribution]] = {kind: {} for kind in KINDS}
        self._load()

    def _load(self) -> None:
        if not self.path.is_file():
            return
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            for kind in KINDS:
                for key, value in raw.get(kind, {}).items():
                    self.entries[kind][key] = Contribution(**value)
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            broken = self.path.with_name(self.path.name + ".broken")
            log.error("contributions %s unreadable (%s): kept as %s", self.path, exc, broken.name)
            os.replace(self.path, broken)
            self.entries = {kind: {} for kind in KINDS}

    def get(self, kind: str, key: str) -> Contribution | None:
        return self.entries[kind].get(key)

    def record(self, kind: str, key: str, author: Author, when: datetime, sha256: str = "") -> None:
        """A new or changed contribution: a draft again (earlier reviews were of other words)."""
        self.entries[kind][key] = Contribution(
            author.name, author.staff_id, when.isoformat(timespec="seconds"), sha256=sha256
        )
        self.save()

    def review(self, kind: str, key: str, reviewer: Author, when: datetime) -> bool:
        """`reviewer` confirms the contribution; False when there is nothing to review, when
        they made it themselves, or reviewed it already (one person counts once)."""
        entry = self.get(kind, key)
        if entry is None or entry.reviewed_by(reviewer):
            return False
        if _same({"by": entry.by, "staff_id": entry.staff_id}, reviewer):
            return False
        at = when.isoformat(timespec="seconds")
        entry.reviewers.append({"by": reviewer.name, "staff_id": reviewer.staff_id, "at": at})
        self.save()
        return True

    def save(self) -> None:
        """Write the whole file through a temporary one (a power cut keeps the old one)."""
        data = {"language": self.language} | {
            kind: {key: asdict(c) for key, c in sorted(self.entries[kind].items())}
            for kind in KINDS
        }
        atomic_write(self.path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))


def atomic_write(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all: a temporary file, fsynced, renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
