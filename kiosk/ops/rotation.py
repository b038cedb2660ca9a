"""Rotation batches (luân chuyển): books lent to the commune by the provincial library.

The life of a batch:

1. `import_manifest` - the province's list: a CSV (the catalogue columns plus `batch`,
   `source_library`, `due_back`) or a MARC file with 952/852 items (batch code, source and
   due-back date given by the caller). Its copies are created in the batch with status
   'missing': listed, not yet in the room. A copy sent back with an earlier batch (same
   accession) is attached to the new batch instead of being refused as a duplicate.
2. `receive` - staff tap or scan the books as they unpack them; each becomes 'available'.
   Whatever was not tapped is reported as missing from the delivery.
3. The copies lend like the commune's own; the desk caps their due dates (circulation.py).
4. `status` - what is in, out (with due dates) and missing.
5. `send_back` - a checklist: copies packed (status 'sent_back'), still on loan, missing.
   The batch counts as sent back once nothing of it is left in the room.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kiosk import desk, text
from kiosk.catalog import csv_import, marc, tables
from kiosk.catalog.csv_import import ImportRejected, RowProblem
from kiosk.clock import Clock, SystemClock
from kiosk.i18n import _
from kiosk.store.db import db, write_transaction
from kiosk.store.models import RotationBatch

BATCH_COLUMNS = ("batch", "source_library", "due_back")


class RotationError(ValueError):
    """A rotation operation that cannot be done, with a translated reason."""


@dataclass(frozen=True)
class Item:
    """A copy as the rotation lists show it."""

    accession: str
    title: str
    status: str
    due: date | None = None  # for a copy on loan


@dataclass
class ManifestSummary:
    """What importing a manifest did (or would do)."""

    code: str
    source_library: str
    due_back: date
    copies: int = 0
    reattached: int = 0
    titles_new: int = 0
    skipped: list[str] = field(default_factory=list)  # MARC records that could not be read
    dry_run: bool = False


@dataclass
class ReceiveResult:
    """One round of tapping a delivery."""

    received: list[Item] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # tapped before
    not_in_batch: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    still_missing: list[Item] = field(default_factory=list)


@dataclass
class BatchStatus:
    """Where the copies of a batch are."""

    batch: RotationBatch
    available: list[Item]
    on_loan: list[Item]
    missing: list[Item]
    sent_back: list[Item]


@dataclass
class Checklist:
    """Sending a batch back: what goes in the box and what is still out."""

    packed: list[Item]
    on_loan: list[Item]
    missing: list[Item]
    complete: bool


def parse_date(value: str) -> date:
    """2026-12-31 or 31/12/2026 (the Vietnamese way)."""
    value = text.clean(value)
    try:
        if "/" in value:
            day, month, year = (int(p) for p in value.split("/"))
            return date(year, month, day)
        return date.fromisoformat(value)
    except ValueError:
        raise RotationError(
            _("'{value}' is not a date (use 2026-12-31 or 31/12/2026)").format(value=value)
        ) from None


def get_batch(code: str) -> RotationBatch:
    batch = RotationBatch.get_or_none(RotationBatch.code == text.clean(code))
    if batch is None:
        raise RotationError(_("no rotation batch '{code}'").format(code=code))
    return batch


# --------------------------------------------------------------------------- manifest


def _split_csv(data: bytes, path: Path) -> tuple[dict[str, str], bytes]:
    """The batch columns' single value each, and the CSV without them (for csv_import)."""
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(
            str(path), [RowProblem(1, _("not UTF-8 text (save the file as CSV UTF-8)"))]
        ) from None
    separator = tables.delimiter(content.split("\n", 1)[0])  # ";" from Excel in Vietnamese
    rows = list(csv.reader(io.StringIO(content, newline=""), delimiter=separator))
    if not rows:
        raise ImportRejected(str(path), [RowProblem(1, _("the file has no rows"))])
    header = [h.strip().lower() for h in rows[0]]
    keep = [i for i, h in enumerate(header) if h not in BATCH_COLUMNS]
    values: dict[str, str] = {}
    problems = []
    for name in BATCH_COLUMNS:
        if name not in header:
            continue
        column = header.index(name)
        seen = {text.clean(r[column]) for r in rows[1:] if len(r) > column and r[column].strip()}
        if len(seen) > 1:
            problems.append(
                RowProblem(
                    1,
                    _("column '{column}' must have one value for the whole file").format(
                        column=name
                    ),
                )
            )
        elif seen:
            values[name] = seen.pop()
    if problems:
        raise ImportRejected(str(path), problems)
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([row[i] if i < len(row) else "" for i in keep])
    return values, out.getvalue().encode("utf-8")


def _reattach(accessions: list[str], batch_id: int) -> set[str]:
    """Copies sent back earlier that come again: moved into the new batch."""
    found = set()
    for accession in accessions:
        changed = db.execute_sql(
            "UPDATE copy SET batch_id = ?, status = 'missing'"
            " WHERE accession = ? AND status = 'sent_back'",
            (batch_id, accession),
        ).rowcount
        if changed:
            found.add(accession)
    return found


def import_manifest(
    path: Path,
    code: str = "",
    source_library: str = "",
    due_back: date | None = None,
    dry_run: bool = False,
    clock: Clock | None = None,
) -> ManifestSummary:
    """Create the batch and its expected copies from a CSV or MARC manifest.

    Values given here override (and fill in for) the file's batch columns. CSV manifests are
    all or nothing, like catalogue CSVs; a MARC manifest skips unreadable records and says so.
    The new copies are stamped with the `clock`'s time (the kiosk's, by default).
    """
    now = (clock or SystemClock()).now()
    data = marc.read_file(path)
    kind = marc.detect_format(data, Path(path))
    if kind == "xlsx":
        raise ImportRejected(
            str(path),
            [RowProblem(0, _("a manifest must be a CSV file (save the sheet as CSV UTF-8)"))],
        )
    values, body = _split_csv(data, path) if kind == "csv" else ({}, b"")
    code = text.clean(code or values.get("batch", ""))
    source = text.clean(source_library or values.get("source_library", ""))
    due = due_back or (parse_date(values["due_back"]) if values.get("due_back") else None)
    if not code or not source or due is None:
        raise RotationError(
            _("a batch needs a code, a source library and a due-back date (in the file or given)")
        )
    if RotationBatch.get_or_none(RotationBatch.code == code) is not None:
        raise RotationError(_("batch '{code}' was already imported").format(code=code))
    summary = ManifestSummary(code, source, due, dry_run=dry_run)
    if kind == "csv":
        problems: list[RowProblem] = []
        rows = csv_import._read_rows(body, problems)
        if not rows and not problems:
            problems.append(RowProblem(1, _("the file has no rows")))
        bibs = None
    else:
        bibs, marc_problems, _count = marc.parse(data)
        summary.skipped = [str(p) for p in marc_problems if p.skipped]
        if not bibs:
            raise ImportRejected(str(path), marc_problems)  # type: ignore[arg-type]
    with write_transaction() as transaction:
        batch = RotationBatch.create(code=code, source_library=source, due_back=due)
        if bibs is None:
            again = _reattach([r.copy["accession"] for r in rows], batch.id)
            rows = [r for r in rows if r.copy["accession"] not in again]
            csv_import._check_unique(rows, problems)
            if problems:
                raise ImportRejected(str(path), sorted(problems, key=lambda p: p.line))
            csv_summary = csv_import.Summary()
            csv_import._write(rows, csv_summary, now)
            for row in rows:
                db.execute_sql(
                    "UPDATE copy SET batch_id = ?, status = 'missing' WHERE accession = ?",
                    (batch.id, row.copy["accession"]),
                )
            summary.copies, summary.titles_new = csv_summary.copies, csv_summary.titles_new
        else:
            accessions = [c["accession"] for b in bibs for c in b.copies]
            again = _reattach(accessions, batch.id)
            for bib in bibs:
                bib.copies = [c for c in bib.copies if c["accession"] not in again]
            marc_summary = marc.MarcSummary()
            marc.write(bibs, marc_summary, now, batch_id=batch.id, status="missing")
            summary.copies, summary.titles_new = marc_summary.copies, marc_summary.titles_new
        summary.reattached = len(again)
        if dry_run:
            transaction.rollback()
    return summary


# --------------------------------------------------------------------------- lists


def _items(batch: RotationBatch, status: str) -> list[Item]:
    rows = db.execute_sql(
        "SELECT c.accession, t.title, c.status, l.due FROM copy c JOIN title t ON t.id ="
        " c.title_id LEFT JOIN loan l ON l.copy_id = c.id AND l.returned_at IS NULL"
        " WHERE c.batch_id = ? AND c.status = ? ORDER BY c.accession",
        (batch.id, status),
    ).fetchall()
    return [Item(a, t, s, date.fromisoformat(d) if d else None) for a, t, s, d in rows]


def status(code: str) -> BatchStatus:
    """Where every copy of the batch is."""
    batch = get_batch(code)
    return BatchStatus(
        batch,
        _items(batch, "available"),
        _items(batch, "on_loan"),
        _items(batch, "missing") + _items(batch, "lost"),
        _items(batch, "sent_back"),
    )


def batches() -> list[RotationBatch]:
    """Every batch, the ones still here first, then by due-back date."""
    return list(
        RotationBatch.select().order_by(
            RotationBatch.sent_back_at.is_null(False), RotationBatch.due_back, RotationBatch.code
        )
    )


# --------------------------------------------------------------------------- receive, send back


def receive(code: str, items: list[str], clock: Clock) -> ReceiveResult:
    """Record the tapped or scanned items of a delivery as arrived ('missing' -> 'available')."""
    result = ReceiveResult()
    with write_transaction():
        batch = get_batch(code)
        if batch.sent_back_at is not None:
            raise RotationError(_("batch '{code}' was already sent back").format(code=code))
        for item in items:
            copy = desk.find_copy(item)
            if copy is None:
                result.unknown.append(item)
                continue
            batch_id = db.execute_sql(
                "SELECT batch_id FROM copy WHERE id = ?", (copy.view.id,)
            ).fetchone()[0]
            if batch_id != batch.id:
                result.not_in_batch.append(item)
            elif copy.view.status == "missing":
                db.execute_sql("UPDATE copy SET status = 'available' WHERE id = ?", (copy.view.id,))
                result.received.append(Item(copy.accession, copy.title, "available"))
            else:
                result.already.append(item)
        if result.received and batch.received_at is None:
            batch.received_at = clock.now()
            batch.save()
        result.still_missing = _items(batch, "missing")
    return result


def send_back(
    code: str, clock: Clock, items: list[str] | None = None, dry_run: bool = False
) -> Checklist:
    """Pack the batch: copies in the room (or only `items`, as they go into the box) become
    'sent_back'; the checklist names what is still on loan or missing. `dry_run` only lists."""
    with write_transaction() as transaction:
        batch = get_batch(code)
        in_room = {i.accession: i for i in _items(batch, "available")}
        if items is not None:
            chosen = []
            for item in items:
                copy = desk.find_copy(item)
                if copy is None or copy.accession not in in_room:
                    raise RotationError(
                        _("'{item}' is not a book of batch '{code}' that is in the room").format(
                            item=item, code=code
                        )
                    )
                chosen.append(in_room[copy.accession])
        else:
            chosen = list(in_room.values())
        for item in chosen:
            db.execute_sql(
                "UPDATE copy SET status = 'sent_back' WHERE batch_id = ? AND accession = ?",
                (batch.id, item.accession),
            )
        on_loan, missing = _items(batch, "on_loan"), _items(batch, "missing")
        complete = not _items(batch, "available") and not on_loan and not missing
        if not _items(batch, "available") and batch.sent_back_at is None:
            batch.sent_back_at = clock.now()
            batch.save()
        if dry_run:
            transaction.rollback()
    packed = [Item(i.accession, i.title, "sent_back") for i in chosen]
    return Checklist(packed, on_loan, missing, complete)
