"""Labelling books at the kiosk, as the staff screen sees it: pure Python, no Kivy.

Staff choose a copy (type its number, scan its barcode, or pick it from the copies without a
tag) and tap a blank tag: `kiosk.ops.labelling.write_label` writes the item identifier in our tag
layout and reads it back before the tag's UID is recorded. A bulk session
(`kiosk.ops.labelling.LabelSession`) walks a shelf's unlabelled copies one after another.

Writing needs the app's tag reader (a `kiosk.hardware.interfaces.TagWriter`). The RFID poller
keeps running while labelling: the reader's lock serialises its polls with the write, and after
a verified write the tag counts as resting on the reader, so the poller reports no new tap.

A tap reaches this module as a `Tap` with its `source`: an RFID tag is written, a barcode
picks a copy (or, after "Barcode", becomes the chosen copy's barcode).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk import desk
from kiosk.flows.session import Tap
from kiosk.hardware import tags
from kiosk.hardware.rfid import TagWriteError
from kiosk.i18n import _
from kiosk.ops import labelling
from kiosk.store.db import db

PICK, SHELVES, COPY, BULK = "pick", "shelves", "copy", "bulk"
PAD_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "-", "0", "back")
MAX_TYPED = 24
WRITE_ERRORS = (labelling.LabelError, TagWriteError, tags.LabelError)


@dataclass(frozen=True)
class CopyInfo:
    """A copy as the labelling screen shows it."""

    accession: str
    title: str
    shelf: str
    barcode: str
    tags: int


@dataclass(frozen=True)
class Line:
    """The outcome of the last action: good or not, a headline and a detail."""

    ok: bool
    headline: str
    detail: str = ""


def copy_info(item: str) -> CopyInfo | None:
    """The copy named by a tag UID, barcode or accession number."""
    found = desk.find_copy(item)
    if found is None:
        return None
    shelf, barcode, count = db.execute_sql(
        "SELECT shelf, coalesce(barcode, ''), (SELECT count(*) FROM copy_tag WHERE copy_id = ?)"
        " FROM copy WHERE id = ?",
        (found.view.id, found.view.id),
    ).fetchone()
    return CopyInfo(found.accession, found.title, shelf, barcode, count)


def find_copies(typed: str) -> list[CopyInfo]:
    """Copies named by what was typed: the exact accession (or barcode), else every copy whose
    number is the digits typed ("61" finds LS-0061), so staff need not type the prefix."""
    exact = copy_info(typed) if typed.strip() else None
    if exact is not None:
        return [exact]
    digits = re.sub(r"\D", "", typed)
    if not digits:
        return []
    rows = db.execute_sql("SELECT accession FROM copy ORDER BY accession").fetchall()
    numbers = [
        a for (a,) in rows if re.sub(r"\D", "", a) and int(re.sub(r"\D", "", a)) == int(digits)
    ]
    return [info for a in numbers if (info := copy_info(a)) is not None]


def shelves_to_label() -> list[tuple[str, int]]:
    """(shelf, copies without a tag) for every shelf that has some."""
    counts: dict[str, int] = {}
    for _accession, _title, shelf in labelling.unlabelled():
        counts[shelf] = counts.get(shelf, 0) + 1
    return sorted(counts.items())


class Labelling:
    """The labelling screen's state: the chosen copy or the bulk session, and the last outcome.

    `reader` gives the app's tag reader (None on a kiosk without one).
    """

    def __init__(self, reader: Callable[[], Any]) -> None:
        self._reader = reader
        self.step = PICK
        self.typed = ""
        self.matches: list[CopyInfo] = []
        self.chosen: CopyInfo | None = None
        self.session: labelling.LabelSession | None = None
        self.barcode_mode = False
        self.pending = False  # a tag is waiting to be written (the screen shows "writing")
        self.line: Line | None = None

    # -- choosing a copy --------------------------------------------------------------------------
    def type_key(self, key: str) -> None:
        if key == "back":
            self.typed = self.typed[:-1]
        elif len(self.typed) < MAX_TYPED:
            self.typed += key

    def find(self) -> None:
        """Choose the copy typed (several matches: the screen lists them to pick from)."""
        self.matches = find_copies(self.typed)
        if not self.matches:
            self.line = Line(False, _("No copy '{item}'.").format(item=self.typed or "—"))
        elif len(self.matches) == 1:
            self.choose(self.matches[0].accession)
        else:
            self.line = Line(True, _("Several copies have this number: choose one."))

    def choose(self, accession: str) -> None:
        info = copy_info(accession)
        if info is None:
            self.line = Line(False, _("No copy '{item}'.").format(item=accession))
            return
        self.chosen, self.step, self.barcode_mode, self.line = info, COPY, False, None
        self.typed, self.matches = "", []

    def todo(self) -> list[tuple[str, str, str]]:
        """(accession, title, shelf) of the copies without a tag."""
        return labelling.unlabelled()

    def back(self) -> None:
        """Back to choosing a copy (a bulk session stops; what was written stays)."""
        self.step, self.chosen, self.session, self.barcode_mode = PICK, None, None, False
        self.pending = False

    # -- bulk -------------------------------------------------------------------------------------
    def choose_shelves(self) -> None:
        self.step, self.line = SHELVES, None

    def start_bulk(self, shelf: str | None) -> None:
        """Label the copies without a tag, of `shelf` or of every shelf (None)."""
        self.session = labelling.LabelSession(shelf)
        self.step, self.chosen, self.line = BULK, None, None

    def skip(self) -> None:
        if self.session is not None:
            self.session.skip()
            self.line = None

    @property
    def target(self) -> CopyInfo | None:
        """The copy the next tag is for."""
        if self.step == BULK and self.session is not None and self.session.next:
            return copy_info(self.session.next[0])
        return self.chosen if self.step == COPY else None

    # -- taps -------------------------------------------------------------------------------------
    def tap(self, tap: Tap) -> None:
        """A tag or a barcode reached the screen."""
        if tap.source == "barcode":
            self._code(tap)
        elif tap.kind in ("reader", "staff"):
            self.line = Line(False, _("This is a person's card, not a tag for a book."))
        elif self.target is None:
            self._identify(tap)
        else:
            self.pending = True  # the screen calls write() once "writing" is shown

    def want_barcode(self) -> None:
        """The next scanned code becomes the chosen copy's barcode."""
        self.barcode_mode = self.target is not None

    def write(self) -> Line:
        """Write the target copy's identifier into the tag on the reader and check it."""
        self.pending = False
        target, reader = self.target, self._reader()
        if target is None:
            self.line = Line(False, _("Choose a copy first, then tap a blank tag."))
        elif reader is None:
            self.line = Line(False, _("This kiosk has no RFID reader to write tags with."))
        else:
            self.line = self._write(target, reader)
        return self.line

    def _write(self, target: CopyInfo, reader: Any) -> Line:
        try:
            if self.step == BULK and self.session is not None:
                done = self.session.label_next(reader)
            else:
                done = labelling.write_label(reader, target.accession)
        except WRITE_ERRORS as exc:
            message = str(exc)
            return Line(False, _("The tag was not labelled."), message[:1].upper() + message[1:])
        if self.step == COPY:  # the next tag is for another book: choose it first
            self.step, self.chosen = PICK, None
        return Line(
            True,
            _("Tag written and checked: {accession}").format(accession=done.accession),
            _("{title} · tag {uid}").format(title=done.title, uid=done.uid),
        )

    def _identify(self, tap: Tap) -> None:
        """A tag with no copy chosen: say what it is."""
        info = copy_info(tap.key) if tap.kind == "item" else None
        if info is not None:
            self.line = Line(
                True,
                _("This tag labels {accession}.").format(accession=info.accession),
                info.title,
            )
        else:
            self.line = Line(False, _("Choose a copy first, then tap a blank tag."))

    def _code(self, tap: Tap) -> None:
        target = self.target
        if self.barcode_mode and target is not None:
            try:
                done = labelling.assign_barcode(target.accession, tap.key)
            except labelling.LabelError as exc:
                self.line = Line(False, str(exc)[:1].upper() + str(exc)[1:])
                return
            self.barcode_mode = False
            self.chosen = copy_info(done.accession) if self.step == COPY else self.chosen
            self.line = Line(
                True,
                _("Barcode {code} given to {accession}.").format(
                    code=done.uid, accession=done.accession
                ),
                done.title,
            )
            return
        info = copy_info(tap.key) if tap.kind == "item" else None
        if info is None:
            self.line = Line(False, _("No copy has the code {code}.").format(code=tap.key))
        elif self.step == BULK and self.session is not None:
            self._bring_forward(info.accession)
        else:
            self.choose(info.accession)

    def _bring_forward(self, accession: str) -> None:
        """In a bulk session, the book scanned is labelled next (whatever the pile's order)."""
        assert self.session is not None
        todo, skipped = self.session.todo, self.session.skipped
        if accession in skipped:  # skipped earlier, and here it is after all
            skipped.remove(accession)
            info = copy_info(accession)
            todo.append((accession, info.title if info else "", info.shelf if info else ""))
        index = next((i for i, row in enumerate(todo) if row[0] == accession), None)
        if index is None:
            self.line = Line(
                False, _("{accession} is not in this session.").format(accession=accession)
            )
            return
        todo.insert(0, todo.pop(index))
        self.line = None
