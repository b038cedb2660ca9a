"""Labelling books: write the item identifier into a tag, or give a copy a barcode.

`write_label` labels the tag resting on the reader with the copy's accession number (the
identifier the desk finds copies by) through a `TagWriter`'s `write_item`, which verifies
by reading it back, and only then records the tag's UID in copy_tag: a tag that failed to
write is never linked to a copy. `LabelSession` walks the copies without a label (optionally
one shelf), with progress and what is left, for a bulk labelling session.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk import desk, text
from kiosk.hardware.interfaces import TagWriter
from kiosk.i18n import _
from kiosk.store.db import db, write_transaction


class LabelError(ValueError):
    """Labelling that cannot be done, with a translated reason."""


@dataclass(frozen=True)
class Labelled:
    """A copy and the tag now carrying its identifier."""

    accession: str
    title: str
    uid: str


def _copy(item: str) -> desk.CopyRow:
    copy = desk.find_copy(item)
    if copy is None:
        raise LabelError(_("no copy '{item}'").format(item=item))
    return copy


def write_label(reader: TagWriter, item: str) -> Labelled:
    """Label the tag on the reader for the copy named by `item`; record the tag's UID."""
    copy = _copy(item)
    reader.poll()  # a new tag on the reader becomes `current` (a resting one already is)
    tag = reader.current
    if tag is None:
        raise LabelError(_("No tag on the reader."))
    uid = tag.uid.hex().upper()
    owner = db.execute_sql("SELECT copy_id FROM copy_tag WHERE uid = ?", (uid,)).fetchone()
    if owner and owner[0] != copy.view.id:
        raise LabelError(_("tag {uid} already labels another copy: use a new tag").format(uid=uid))
    reader.write_item(copy.accession, uid=tag.uid)  # TagWriteError: nothing recorded
    with write_transaction():
        db.execute_sql(
            "INSERT OR IGNORE INTO copy_tag (uid, copy_id) VALUES (?, ?)", (uid, copy.view.id)
        )
    return Labelled(copy.accession, copy.title, uid)


def assign_barcode(item: str, barcode: str) -> Labelled:
    """Give the copy named by `item` a barcode (printed label) instead of, or besides, a tag."""
    code = text.clean(barcode)
    if not code or not code.isprintable() or " " in code:
        raise LabelError(_("'{code}' is not a barcode").format(code=barcode))
    with write_transaction():
        copy = _copy(item)
        other = db.execute_sql(
            "SELECT accession FROM copy WHERE barcode = ? AND id != ?", (code, copy.view.id)
        ).fetchone()
        if other:
            raise LabelError(
                _("barcode {code} is already on copy {accession}").format(
                    code=code, accession=other[0]
                )
            )
        db.execute_sql("UPDATE copy SET barcode = ? WHERE id = ?", (code, copy.view.id))
    return Labelled(copy.accession, copy.title, code)


def unlabelled(shelf: str | None = None) -> list[tuple[str, str, str]]:
    """(accession, title, shelf) of the commune's copies without a tag, by shelf then number."""
    sql = (
        "SELECT c.accession, t.title, c.shelf FROM copy c JOIN title t ON t.id = c.title_id"
        " WHERE NOT EXISTS (SELECT 1 FROM copy_tag g WHERE g.copy_id = c.id)"
        " AND c.status NOT IN ('withdrawn', 'sent_back')"
    )
    params: tuple = ()
    if shelf is not None:
        sql += " AND c.shelf = ?"
        params = (text.clean(shelf),)
    return db.execute_sql(sql + " ORDER BY c.shelf, c.accession", params).fetchall()


class LabelSession:
    """A bulk labelling run: the next copy to label, progress, and what is left."""

    def __init__(self, shelf: str | None = None) -> None:
        self.todo = unlabelled(shelf)
        self.total = len(self.todo)
        self.done: list[Labelled] = []
        self.skipped: list[str] = []

    @property
    def next(self) -> tuple[str, str, str] | None:
        """The copy to label now."""
        return self.todo[0] if self.todo else None

    def label_next(self, reader: TagWriter) -> Labelled:
        """Label the tag on the reader for the next copy (it stays next if this fails)."""
        if not self.todo:
            raise LabelError(_("every copy is labelled"))
        labelled = write_label(reader, self.todo[0][0])
        self.todo.pop(0)
        self.done.append(labelled)
        return labelled

    def skip(self) -> None:
        """Leave the next copy for later (e.g. the book is not at hand)."""
        if self.todo:
            self.skipped.append(self.todo.pop(0)[0])

    @property
    def progress(self) -> tuple[int, int]:
        """(labelled, total)."""
        return len(self.done), self.total

    @property
    def left(self) -> list[str]:
        """Accession numbers still to label, skipped ones included."""
        return [a for a, _t, _s in self.todo] + self.skipped
