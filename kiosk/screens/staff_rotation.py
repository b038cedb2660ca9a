"""Rotation batches (luân chuyển): the list, a batch's status, importing a manifest, receiving
a delivery by taps or scans, and sending a batch back with a checklist and a confirmation."""

from __future__ import annotations

from functools import partial

from kiosk.flows import staff_files, staff_rotation
from kiosk.ops import rotation
from kiosk.screens import theme
from kiosk.screens.staff_panel import StaffPanel, file_label
from kiosk.screens.wording import tr, tr_n

URGENCY = {"past": theme.REFUSED, "near": theme.ASK_STAFF, "": theme.HEADER}


class StaffRotationScreen(StaffPanel):
    """One screen, several views: ``view`` is "list", "batch", "receive", "send", "files",
    "manifest" (a checked manifest)."""

    def on_activate(self, **kwargs: object) -> None:
        super().on_activate(**kwargs)
        self.heading = tr("Rotation batches")
        self.heading_icon = theme.ICONS["renew"]
        self.code = ""
        self.receiving: staff_rotation.Receiving | None = None
        self.chosen = None
        manifest = kwargs.get("manifest")
        if isinstance(manifest, staff_files.FoundFile):
            self.view = "files"
            self.check(manifest)  # picked on the catalogue import screen: check it here
        else:
            self.show_list()

    def on_deactivate(self) -> None:
        self.receiving = None

    @property
    def clock(self):
        return self.app.services.clock

    def today(self):
        return self.clock.now().date()

    # -- the list -----------------------------------------------------------------------------
    def show_list(self) -> None:
        self.view, self.receiving = "list", None
        self.clear_lines()
        rows = staff_rotation.batch_rows(self.today())
        if rows:
            self.say(tr("Tap a batch to see it, receive it or send it back."))
        else:
            self.say(tr("No rotation batches yet: import the manifest from the USB stick."))
        for row in rows:
            text = f"{row.code} · {row.source}\n{row.due_text()}\n{row.counts_text()}"
            colour = URGENCY[row.urgency] if not row.sent_back else theme.TILE["neutral"]
            self.add_choice(
                f"batch-{row.code}", text, partial(self.show_batch, row.code), colour, tall=1.6
            )
        self.set_actions(
            ("import-manifest", tr("Import a manifest"), theme.TILE["loans"], self.show_files)
        )

    # -- one batch ----------------------------------------------------------------------------
    def show_batch(self, code: str) -> None:
        self.view, self.code, self.receiving = "batch", code, None
        row = staff_rotation.find_row(code, self.today())
        state = rotation.status(code)
        self.say(
            f"{row.code}: {row.due_text()}",
            {"past": "error", "near": "warn"}.get(row.urgency, "info"),
        )
        self.clear_lines()
        self.add_text(tr("From: {source}").format(source=row.source))
        counts = row.counts_text()
        self.add_text(counts[:1].upper() + counts[1:])
        self._items(tr("On loan ({count}):"), state.on_loan)
        self._items(tr("Missing ({count}):"), state.missing)
        actions = []
        if not row.sent_back:
            actions = [
                ("receive", tr("Receive"), theme.OK, self.start_receiving),
                ("send-back", tr("Send back"), theme.ASK_STAFF, self.show_checklist),
            ]
        self.set_actions(*actions, ("batches", tr("All batches"), theme.HEADER, self.show_list))

    def _items(self, heading: str, items: list) -> None:
        if items:
            self.add_text(heading.format(count=len(items)), bold=True)
            for item in items:
                self.add_text(staff_rotation.item_text(item))

    # -- receiving ----------------------------------------------------------------------------
    def start_receiving(self) -> None:
        self.view = "receive"
        self.receiving = staff_rotation.Receiving(self.code)
        self.show_receiving(tr("Tap or scan each book of the batch as you unpack it."), "info")

    def show_receiving(self, message: str, kind: str) -> None:
        receiving = self.receiving
        progress = receiving.progress(self.today())
        self.say(f"{progress}. {message}", kind)
        self.clear_lines()
        missing = receiving.still_missing()
        if missing:
            self._items(tr("Not received yet ({count}):"), missing)
        else:
            self.add_text(tr("Every book of the batch has arrived."), bold=True, colour=theme.OK)
        self.set_actions(
            ("done", tr("Done"), theme.OK, partial(self.show_batch, self.code)),
        )

    def on_tag(self, tap) -> bool:
        if self.view != "receive" or self.receiving is None or tap.kind not in ("item", "unknown"):
            return False
        ok = self.receiving.tap(tap.key, self.clock)
        self.app.feedback(ok)
        self.show_receiving(self.receiving.last, "ok" if ok else "error")
        return True

    # -- sending back -------------------------------------------------------------------------
    def show_checklist(self) -> None:
        self.view = "send"
        checklist = staff_rotation.checklist(self.code, self.clock)
        self.clear_lines()
        self._items(tr("In the box ({count}):"), checklist.packed)
        self._items(tr("Still on loan ({count}):"), checklist.on_loan)
        self._items(tr("Missing ({count}):"), checklist.missing)
        out = len(checklist.on_loan) + len(checklist.missing)
        if out:
            self.say(
                tr_n(
                    "{out} book of the batch is not here. Send back the others?",
                    "{out} books of the batch are not here. Send back the others?",
                    out,
                ).format(out=out),
                "warn",
            )
        else:
            self.say(tr("Pack the books listed, then confirm."), "info")
        packed = len(checklist.packed)
        confirm = tr_n("Send back {count} book", "Send back {count} books", packed).format(
            count=packed
        )
        self.set_actions(
            ("confirm-send-back", confirm, theme.ASK_STAFF, self.send_back),
            ("cancel", tr("Cancel"), theme.HEADER, partial(self.show_batch, self.code)),
        )

    def send_back(self) -> None:
        checklist = staff_rotation.send_back(self.code, self.clock)
        self.show_batch(self.code)
        packed = len(checklist.packed)
        message = tr_n(
            "{count} book packed to go back.", "{count} books packed to go back.", packed
        ).format(count=packed)
        if not checklist.complete:
            out = len(checklist.on_loan) + len(checklist.missing)
            message += " " + tr_n("{out} book still out.", "{out} books still out.", out).format(
                out=out
            )
        self.say(message, "ok" if checklist.complete else "warn")
        self.app.feedback(True)

    # -- manifest -----------------------------------------------------------------------------
    def show_files(self) -> None:
        self.view = "files"
        self.clear_lines()
        files = staff_files.importable_files(self.app.services.config)
        if files:
            self.say(tr("Choose the batch's manifest (CSV or MARC)."))
        else:
            self.say(
                tr("No catalogue file found. Plug in the USB stick, then press Refresh."), "warn"
            )
        for n, found in enumerate(files, start=1):
            self.add_choice(f"file-{n}", file_label(found), partial(self.check, found))
        self.set_actions(
            ("refresh", tr("Refresh"), theme.HEADER, self.show_files),
            ("batches", tr("All batches"), theme.HEADER, self.show_list),
        )

    def check(self, found) -> None:
        self.chosen = found
        self.run_background(
            tr("Checking {file} ...").format(file=found.name),
            partial(staff_rotation.manifest, found.path, True),
            self.show_manifest,
        )

    def do_import(self) -> None:
        self.run_background(
            tr("Importing {file} ... please wait.").format(file=self.chosen.name),
            partial(staff_rotation.manifest, self.chosen.path, False, self.clock),
            self.imported,
        )

    def show_manifest(self, view: staff_rotation.ManifestView) -> None:
        self.view = "manifest"
        self.show_file_view(self.chosen.name, view.lines, view.problems)
        actions = [
            ("files", tr("Other file"), theme.HEADER, self.show_files),
            ("batches", tr("All batches"), theme.HEADER, self.show_list),
        ]
        if view.ok:
            self.say(view.headline, "warn" if view.problems else "info")
            actions.insert(0, ("import", tr("Import"), theme.OK, self.do_import))
        else:
            self.say(view.headline, "error")
            self.app.feedback(False)
        self.set_actions(*actions)

    def imported(self, view: staff_rotation.ManifestView) -> None:
        if not view.ok:
            self.show_manifest(view)
            return
        self.app.feedback(True)
        self.show_batch(view.code)
        self.say(view.headline, "ok")
