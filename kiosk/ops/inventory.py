"""Inventory: staff tap or scan the books shelf by shelf; the kiosk says what is where.

The session lives in the database (tables inventory_session / inventory_scan), so a session
interrupted by a power cut or a closed terminal resumes where it stopped: `start` refuses to
open a second one, `scan` adds to the open one.

A scan is recorded on the *current shelf* (set with `set_shelf`, or passed with the scan). Only
shelves visited in the session are judged, so checking one shelf a day is fine. At `finish`:

- found: on the shelf it belongs to.
- missing: belongs on a visited shelf, was 'available' there, not seen -> status 'missing'.
  (Copies already 'missing' and still not seen stay missing and are listed too.)
- on_loan_found: the store says it is on loan, but it is on the shelf. We do NOT close the loan
  as returned: nobody knows who has it or whether a reader still has it at home mid-loan; a
  silent return would also count a return that did not happen. The copy is flagged for staff,
  who check it in with `kiosk return` (which closes the loan and counts it) if it is really
  back. A copy whose status says on loan without any open loan is fixed to 'available'.
- elsewhere: seen on a shelf it does not belong to, or a rotation copy of a batch already
  sent back (it should have gone home), or a copy withdrawn or sent back.
- unknown: a tag or code that names no copy.

Copies found with status 'missing' or 'lost' are set back to 'available' (status fixed).
The result is frozen in inventory_result when the session finishes (finishing changes the
statuses it is computed from) and can be written as CSV.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from kiosk import desk, text
from kiosk.clock import Clock
from kiosk.i18n import N_, _
from kiosk.store.db import db, write_transaction
from kiosk.store.models import InventoryResult, InventorySession

KINDS = ("found", "missing", "on_loan_found", "elsewhere", "unknown")
KIND_LABELS = {  # translated where shown
    "found": N_("found"),
    "missing": N_("missing"),
    "on_loan_found": N_("on loan but on the shelf"),
    "elsewhere": N_("belongs elsewhere"),
    "unknown": N_("unknown tag or code"),
}


class InventoryError(ValueError):
    """An inventory operation that cannot be done, with a translated reason."""


@dataclass(frozen=True)
class Finding:
    """One line of the result."""

    kind: str
    item: str
    title: str = ""
    shelf: str = ""  # where it belongs
    seen_shelf: str = ""  # where it was seen
    note: str = ""


@dataclass(frozen=True)
class Progress:
    """How far the open session is, per visited shelf: (seen, expected)."""

    session_id: int
    current_shelf: str
    shelves: dict[str, tuple[int, int]]
    unknown: int


def open_session() -> InventorySession | None:
    """The session not finished yet, if any."""
    return InventorySession.get_or_none(InventorySession.finished_at.is_null())


def _require_open() -> InventorySession:
    session = open_session()
    if session is None:
        raise InventoryError(_("no inventory is open: start one first"))
    return session


def start(clock: Clock, shelf: str = "") -> InventorySession:
    """Open a new session (one at a time: an open one must be finished or resumed)."""
    with write_transaction():
        if open_session() is not None:
            raise InventoryError(_("an inventory is already open: resume it or finish it"))
        return InventorySession.create(started_at=clock.now(), current_shelf=text.clean(shelf))


def set_shelf(shelf: str) -> None:
    """The shelf the next scans are on."""
    with write_transaction():
        session = _require_open()
        session.current_shelf = text.clean(shelf)
        session.save()


def scan(items: list[str], clock: Clock, shelf: str | None = None) -> list[Finding]:
    """Record items seen on the current shelf (or `shelf`, which becomes current); return a
    provisional finding for each, for the screen's immediate feedback."""
    findings = []
    with write_transaction():
        session = _require_open()
        if shelf is not None:
            session.current_shelf = text.clean(shelf)
            session.save()
        where = session.current_shelf
        for raw in items:
            item = text.clean(raw)
            copy = desk.find_copy(item)
            key = f"c{copy.view.id}" if copy else f"u{item.upper()}"
            db.execute_sql(
                "INSERT INTO inventory_scan (session_id, item_key, item, copy_id, shelf, seen_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, item_key)"
                " DO UPDATE SET shelf = excluded.shelf, seen_at = excluded.seen_at",
                (session.id, key, item, copy.view.id if copy else None, where, str(clock.now())),
            )
            findings.append(_judge_seen(item, copy.view.id if copy else None, where))
    return findings


_COPY = (
    "SELECT c.id, c.accession, t.title, c.shelf, c.status, b.sent_back_at,"
    " (SELECT count(*) FROM loan l WHERE l.copy_id = c.id AND l.returned_at IS NULL)"
    " FROM copy c JOIN title t ON t.id = c.title_id"
    " LEFT JOIN rotation_batch b ON b.id = c.batch_id WHERE c.id = ?"
)


def _judge_seen(item: str, copy_id: int | None, seen_shelf: str) -> Finding:
    if copy_id is None:
        return Finding("unknown", item, seen_shelf=seen_shelf)
    _id, accession, title, shelf, status, batch_gone, open_loans = db.execute_sql(
        _COPY, (copy_id,)
    ).fetchone()
    if status in ("withdrawn", "sent_back") or batch_gone:
        note = _("rotation copy of a batch sent back") if batch_gone else status
        return Finding("elsewhere", accession, title, shelf, seen_shelf, note)
    if open_loans:
        return Finding("on_loan_found", accession, title, shelf, seen_shelf)
    if shelf != seen_shelf:
        return Finding("elsewhere", accession, title, shelf, seen_shelf, _("wrong shelf"))
    return Finding("found", accession, title, shelf, seen_shelf)


def progress() -> Progress:
    """Per visited shelf: items seen there that belong there, and items expected there."""
    session = _require_open()
    shelves: dict[str, tuple[int, int]] = {}
    visited = {
        s
        for (s,) in db.execute_sql(
            "SELECT DISTINCT shelf FROM inventory_scan WHERE session_id = ?", (session.id,)
        )
    }
    visited.add(session.current_shelf)
    for shelf in sorted(visited):
        expected = db.execute_sql(
            "SELECT count(*) FROM copy WHERE shelf = ? AND status IN ('available', 'missing')",
            (shelf,),
        ).fetchone()[0]
        seen = db.execute_sql(
            "SELECT count(*) FROM inventory_scan s JOIN copy c ON c.id = s.copy_id"
            " WHERE s.session_id = ? AND s.shelf = ? AND c.shelf = ?",
            (session.id, shelf, shelf),
        ).fetchone()[0]
        shelves[shelf] = (seen, expected)
    unknown = db.execute_sql(
        "SELECT count(*) FROM inventory_scan WHERE session_id = ? AND copy_id IS NULL",
        (session.id,),
    ).fetchone()[0]
    return Progress(session.id, session.current_shelf, shelves, unknown)


def finish(clock: Clock) -> list[Finding]:
    """Judge the open session, apply the status changes, freeze and return the result."""
    with write_transaction():
        session = _require_open()
        scans = db.execute_sql(
            "SELECT item, copy_id, shelf FROM inventory_scan WHERE session_id = ? ORDER BY id",
            (session.id,),
        ).fetchall()
        findings = [_judge_seen(item, copy_id, shelf) for item, copy_id, shelf in scans]
        seen_ids = {copy_id for _item, copy_id, _shelf in scans if copy_id}
        visited = {shelf for _item, _copy, shelf in scans}
        for shelf in sorted(visited):
            rows = db.execute_sql(
                "SELECT c.id, c.accession, t.title, c.status FROM copy c"
                " JOIN title t ON t.id = c.title_id"
                " WHERE c.shelf = ? AND c.status IN ('available', 'missing') ORDER BY c.accession",
                (shelf,),
            ).fetchall()
            for copy_id, accession, title, status in rows:
                if copy_id in seen_ids:
                    continue
                note = _("already missing") if status == "missing" else ""
                findings.append(Finding("missing", accession, title, shelf, "", note))
                db.execute_sql("UPDATE copy SET status = 'missing' WHERE id = ?", (copy_id,))
        # Status fixes for what was seen (see the module docstring for on-loan copies).
        for copy_id in seen_ids:
            db.execute_sql(
                "UPDATE copy SET status = 'available' WHERE id = ? AND (status IN"
                " ('missing', 'lost') OR (status = 'on_loan' AND NOT EXISTS (SELECT 1 FROM loan"
                " WHERE copy_id = copy.id AND returned_at IS NULL)))",
                (copy_id,),
            )
        for f in findings:
            InventoryResult.create(
                session=session,
                kind=f.kind,
                item=f.item,
                title=f.title,
                shelf=f.shelf,
                seen_shelf=f.seen_shelf,
                note=f.note,
            )
        session.finished_at = clock.now()
        session.save()
    return findings


def results(session_id: int | None = None) -> list[Finding]:
    """The frozen result of a finished session (the latest one by default)."""
    if session_id is None:
        last = (
            InventorySession.select()
            .where(InventorySession.finished_at.is_null(False))
            .order_by(InventorySession.id.desc())
            .first()
        )
        if last is None:
            raise InventoryError(_("no finished inventory yet"))
        session_id = last.id
    rows = InventoryResult.select().where(InventoryResult.session == session_id)
    order = {k: i for i, k in enumerate(KINDS)}
    found = [Finding(r.kind, r.item, r.title, r.shelf, r.seen_shelf, r.note) for r in rows]
    return sorted(found, key=lambda f: (order[f.kind], f.shelf, f.item))


def to_csv(findings: list[Finding], path: Path) -> None:
    """The result as CSV (UTF-8 with BOM for spreadsheets), one line per item."""
    with Path(path).open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["result", "item", "title", "shelf", "seen_on_shelf", "note"])
        for f in findings:
            writer.writerow([f.kind, f.item, f.title, f.shelf, f.seen_shelf, f.note])
