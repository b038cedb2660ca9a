"""Rotation batches (luân chuyển) as the staff screen shows them: pure Python, no Kivy.

The list gives each batch's counts and how close its due-back date is; receiving keeps the
running "n of m received" of one delivery; sending back is a dry-run checklist first, then
the real one once staff confirm. Errors of the core (``RotationError``, ``ImportRejected``)
come back as translated text, never as exceptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kiosk.catalog import marc
from kiosk.catalog.csv_import import ImportRejected
from kiosk.clock import Clock
from kiosk.flows.staff_import import cap_problems, rejection
from kiosk.i18n import _, format_date, ngettext
from kiosk.ops import rotation
from kiosk.store.db import db

NEAR_DAYS = 14  # a due-back date this close is shown in amber


@dataclass(frozen=True)
class BatchRow:
    """One batch in the list."""

    code: str
    source: str
    due_back: date
    total: int  # copies listed, not counting those already sent back
    received: int  # arrived: in the room or on loan
    on_loan: int
    missing: int  # listed but not (yet) here
    sent_back: bool
    days_left: int

    @property
    def urgency(self) -> str:
        """How close the due-back date is: "past", "near" or "" (and "" once sent back)."""
        if self.sent_back:
            return ""
        if self.days_left < 0:
            return "past"
        return "near" if self.days_left <= NEAR_DAYS else ""

    def due_text(self) -> str:
        when = format_date(self.due_back)
        if self.sent_back:
            return _("sent back")
        if self.days_left < 0:
            return ngettext(
                "due back {date}: {days} day late",
                "due back {date}: {days} days late",
                -self.days_left,
            ).format(date=when, days=-self.days_left)
        if self.days_left == 0:
            return _("due back today")
        return _("due back {date} (in {days} days)").format(date=when, days=self.days_left)

    def counts_text(self) -> str:
        return _("received {received} of {total} · on loan {on_loan} · missing {missing}").format(
            received=self.received, total=self.total, on_loan=self.on_loan, missing=self.missing
        )


def _counts(batch_id: int) -> dict[str, int]:
    rows = db.execute_sql(
        "SELECT status, count(*) FROM copy WHERE batch_id = ? GROUP BY status", (batch_id,)
    ).fetchall()
    return dict(rows)


def batch_row(batch, today: date) -> BatchRow:
    """The list's view of one RotationBatch."""
    counts = _counts(batch.id)
    here = counts.get("available", 0) + counts.get("on_loan", 0)
    missing = counts.get("missing", 0) + counts.get("lost", 0)
    return BatchRow(
        batch.code,
        batch.source_library,
        batch.due_back,
        here + missing,
        here,
        counts.get("on_loan", 0),
        missing,
        batch.sent_back_at is not None,
        (batch.due_back - today).days,
    )


def batch_rows(today: date) -> list[BatchRow]:
    """Every batch, those still here first, soonest due first."""
    return [batch_row(b, today) for b in rotation.batches()]


def find_row(code: str, today: date) -> BatchRow:
    return batch_row(rotation.get_batch(code), today)


# --------------------------------------------------------------------------- manifest


@dataclass
class ManifestView:
    """A manifest checked (dry run) or imported."""

    ok: bool
    headline: str
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    code: str = ""  # the batch's code, once known


def manifest(path: Path, dry_run: bool, clock: Clock | None = None) -> ManifestView:
    """Check or import a batch manifest: a CSV with the batch columns. A MARC manifest has
    no place for the batch's code, source and due-back date, which the screen cannot ask
    for: the message says how to import it from the command line."""
    try:
        if marc.detect_format(marc.read_file(path)) != "csv":
            return ManifestView(
                False,
                _(
                    "A MARC file has no batch code, source library or due-back date: ask"
                    " for the CSV manifest, or import it with 'kiosk rotation import FILE"
                    " --code ... --source ... --due-back ...'."
                ),
            )
        summary = rotation.import_manifest(path, dry_run=dry_run, clock=clock)
    except ImportRejected as exc:
        headline, problems = rejection(exc)
        return ManifestView(False, headline, [], problems)
    except rotation.RotationError as exc:
        return ManifestView(False, str(exc)[:1].upper() + str(exc)[1:])
    lines = [
        _("Batch: {code}").format(code=summary.code),
        _("From: {source}").format(source=summary.source_library),
        _("Due back: {date}").format(date=format_date(summary.due_back)),
        _("Copies expected: {count}").format(count=summary.copies + summary.reattached),
        _("New titles: {count}").format(count=summary.titles_new),
    ]
    problems = [_("Skipped: {problem}").format(problem=p) for p in summary.skipped]
    if dry_run:
        headline = _("Check the batch, then press Import.")
    else:
        headline = _("Batch {code} imported: tap its books as you unpack them.").format(
            code=summary.code
        )
    return ManifestView(True, headline, lines, cap_problems(problems), summary.code)


# --------------------------------------------------------------------------- receive


@dataclass
class Receiving:
    """One delivery being unpacked: each tap or scan is recorded at once."""

    code: str
    last: str = ""  # what the last tap did, for the status line
    last_ok: bool = True

    def tap(self, key: str, clock: Clock) -> bool:
        """Record one tapped or scanned item; True if it was a book of the batch just received."""
        try:
            result = rotation.receive(self.code, [key], clock)
        except rotation.RotationError as exc:
            self.last, self.last_ok = str(exc), False
            return False
        if result.received:
            item = result.received[0]
            self.last = _("Received: {title} ({accession})").format(
                title=item.title, accession=item.accession
            )
        elif result.already:
            self.last = _("{item}: already received").format(item=key)
        elif result.not_in_batch:
            self.last = _("{item}: not a book of this batch").format(item=key)
        else:
            self.last = _("{item}: unknown tag or code").format(item=key)
        self.last_ok = bool(result.received)
        return self.last_ok

    def progress(self, today: date) -> str:
        row = find_row(self.code, today)
        return _("{received} of {total} received").format(received=row.received, total=row.total)

    def still_missing(self) -> list[rotation.Item]:
        return rotation.status(self.code).missing


# --------------------------------------------------------------------------- send back


def checklist(code: str, clock: Clock) -> rotation.Checklist:
    """What sending the batch back would pack and leave out (nothing is written)."""
    return rotation.send_back(code, clock, dry_run=True)


def send_back(code: str, clock: Clock) -> rotation.Checklist:
    """Pack every copy of the batch that is in the room."""
    return rotation.send_back(code, clock)


def item_text(item: rotation.Item) -> str:
    """A copy in a list: accession, title, and the due date of a loan."""
    line = f"{item.accession}  {item.title}"
    if item.due:
        line += "  · " + _("due {date}").format(date=format_date(item.due))
    return line
