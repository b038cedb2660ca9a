"""Checking the shelves at the kiosk, as the staff screen sees it: pure Python, no Kivy.

The session lives in the database (`kiosk.ops.inventory`): the screen opens on the open session
if there is one, with its progress, so an inventory interrupted by a power cut or a closed app
goes on where it stopped. Each tap gives one short line; Finish shows the result grouped by
kind, each kind with what staff should do about it. "On loan but on the shelf" is flagged, not
returned (see `kiosk.ops.inventory`): staff check the book in on the Return screen if it is back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk import text
from kiosk.config import Config
from kiosk.flows.session import Services, Tap
from kiosk.flows.staff_files import export_folder, usb_folders
from kiosk.i18n import N_, _
from kiosk.ops import inventory
from kiosk.ops.inventory import Finding
from kiosk.store.db import db

START, SHELF, SCAN, CONFIRM, RESULT = "start", "shelf", "scan", "confirm", "result"
RECENT = 30  # tap lines kept on screen

#: What staff should do about each kind of finding (shown with the result).
TO_DO = {
    "missing": N_("Look for these books. They stay marked missing until they are found."),
    "on_loan_found": N_(
        "These books are still on loan. Set them aside; if one is really back, check it in"
        " on the Return screen (that closes the loan)."
    ),
    "elsewhere": N_(
        "Put these books back on their own shelf. Rotation books of a batch already sent"
        " back go to the provincial library."
    ),
    "unknown": N_("These tags or codes name no book: label the book again, or ask the librarian."),
    "found": N_("On the right shelf: nothing to do."),
}


@dataclass(frozen=True)
class ScanLine:
    """What one tap gives on screen: its kind, the book and a short verdict."""

    kind: str
    headline: str
    detail: str


@dataclass(frozen=True)
class Group:
    """The findings of one kind, with their count and what to do."""

    kind: str
    label: str
    to_do: str
    findings: list[Finding]


def shelves() -> list[str]:
    """The shelves that exist (the copies' shelf field), in Vietnamese order."""
    rows = db.execute_sql(
        "SELECT DISTINCT shelf FROM copy WHERE shelf != ''"
        " AND status NOT IN ('withdrawn', 'sent_back')"
    ).fetchall()
    return text.collate([shelf for (shelf,) in rows])


def verdict(finding: Finding) -> ScanLine:
    """The short line for one tap."""
    book = " ".join(p for p in (finding.item, finding.title) if p)
    if finding.kind == "found":
        return ScanLine("found", book, _("Found: on the right shelf."))
    if finding.kind == "on_loan_found":
        return ScanLine("on_loan_found", book, _("On loan, but here: set it aside."))
    if finding.kind == "unknown":
        return ScanLine("unknown", finding.item, _("Unknown tag or code."))
    if finding.note and finding.note != _("wrong shelf"):
        where = _("Belongs elsewhere ({reason}).").format(reason=finding.note)
    else:
        where = _("Belongs elsewhere: shelf {shelf}.").format(shelf=finding.shelf or "—")
    return ScanLine("elsewhere", book, where)


class Inventory:
    """The inventory screen's state: which step, the taps so far, the result."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.clock = services.clock
        self.recent: list[ScanLine] = []
        self.findings: list[Finding] = []
        self.error = ""
        self.exported: Path | None = None
        session = inventory.open_session()
        if session is None:
            self.step = START
        else:  # resume where it stopped
            self.step = SCAN if session.current_shelf else SHELF

    @property
    def config(self) -> Config:
        """The configuration in force now (the export folders are looked up at export)."""
        return self.services.config

    @property
    def is_open(self) -> bool:
        return inventory.open_session() is not None

    def has_result(self) -> bool:
        """Whether a finished inventory exists (its result can be shown again)."""
        try:
            inventory.results()
        except inventory.InventoryError:
            return False
        return True

    def start(self) -> None:
        """Open a new session, or resume the open one."""
        if not self.is_open:
            inventory.start(self.clock)
        self.error, self.recent = "", []
        self.step = SCAN if self.progress().current_shelf else SHELF

    def choose_shelf(self, shelf: str) -> None:
        inventory.set_shelf(shelf)
        self.step, self.error = SCAN, ""

    def change_shelf(self) -> None:
        self.step, self.error = SHELF, ""

    def progress(self) -> inventory.Progress:
        return inventory.progress()

    def tap(self, tap: Tap) -> ScanLine | None:
        """A book tapped or scanned on the current shelf."""
        if self.step != SCAN:
            self.error = (
                _("Start the inventory first.")
                if self.step == START
                else _("Choose the shelf first, then tap the books.")
            )
            return None
        if tap.kind in ("reader", "staff"):
            self.error = _("This is a person's card, not a book.")
            return None
        (finding,) = inventory.scan([tap.key], self.clock)
        line = verdict(finding)
        self.recent = [line, *self.recent][:RECENT]
        self.error = ""
        return line

    def ask_finish(self) -> None:
        self.step, self.error = CONFIRM, ""

    def cancel_finish(self) -> None:
        self.step = SCAN if self.progress().current_shelf else SHELF

    def finish(self) -> None:
        """Close the session: copies not seen on the visited shelves become missing."""
        inventory.finish(self.clock)
        self.findings = inventory.results()
        self.step, self.exported, self.recent = RESULT, None, []

    def show_last(self) -> None:
        self.findings = inventory.results()
        self.step, self.exported = RESULT, None

    def groups(self) -> list[Group]:
        """The result by kind (kinds with nothing are left out), problems first."""
        order = ("on_loan_found", "missing", "elsewhere", "unknown", "found")
        groups = []
        for kind in order:
            found = [f for f in self.findings if f.kind == kind]
            if found:
                label = _(inventory.KIND_LABELS[kind])
                groups.append(Group(kind, label[:1].upper() + label[1:], _(TO_DO[kind]), found))
        return groups

    def export(self) -> Path | None:
        """Write the result as CSV to the USB stick if one is mounted, else to
        <data_dir>/exports; the file's path (None, with `error`, if it could not be written)."""
        stamp = self.clock.now().strftime("%Y%m%d-%H%M")
        try:
            path = export_folder(self.config) / f"kiem-ke-{stamp}.csv"
            inventory.to_csv(self.findings, path)
        except OSError as exc:  # a stick pulled out, full or read-only
            self.error = _("The file could not be written: {error}").format(error=exc.strerror)
            return None
        self.exported, self.error = path, ""
        return path

    @property
    def exported_on_usb(self) -> bool:
        """Whether the last export went to a USB stick (not to the kiosk's own card)."""
        return self.exported is not None and self.exported.parent in usb_folders(self.config)
