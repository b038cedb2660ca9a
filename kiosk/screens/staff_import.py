"""Catalogue import from a USB stick (dry run first, then Import) and catalogue export."""

from __future__ import annotations

from functools import partial

from kiosk.flows import staff_files, staff_import
from kiosk.screens import theme
from kiosk.screens.staff_panel import StaffPanel, file_label
from kiosk.screens.wording import tr


class StaffImportScreen(StaffPanel):
    """Pick a file, see the dry run, import; or export the catalogue to the stick."""

    def on_activate(self, **kwargs: object) -> None:
        super().on_activate(**kwargs)
        self.heading = tr("Catalogue import and export")
        self.heading_icon = theme.ICONS["borrow"]
        self.chosen = None
        self.show_files()

    @property
    def config(self):
        return self.app.services.config

    def show_files(self) -> None:
        """The importable files on the USB stick(s) and in the import folder."""
        self.chosen = None
        self.clear_lines()
        files = staff_files.importable_files(self.config)
        if files:
            self.say(tr("Choose a file to import (nothing is written before you confirm)."))
        else:
            self.say(
                tr("No catalogue file found. Plug in the USB stick, then press Refresh."), "warn"
            )
            self.add_text(tr("Folders searched:"), bold=True)
            for folder in staff_files.import_folders(self.config):
                self.add_text(str(folder))
        for n, found in enumerate(files, start=1):
            self.add_choice(f"file-{n}", file_label(found), partial(self.check, found))
        self.set_actions(
            ("refresh", tr("Refresh"), theme.HEADER, self.show_files),
            ("export-csv", tr("Export CSV"), theme.TILE["loans"], partial(self.export, "csv")),
            ("export-marc", tr("Export MARC"), theme.TILE["loans"], partial(self.export, "marc")),
        )

    def check(self, found: staff_files.FoundFile) -> None:
        """The dry run of `found`, in the background."""
        self.chosen = found
        self.run_background(
            tr("Checking {file} ...").format(file=found.name),
            partial(staff_import.check, found.path),
            self.show_result,
        )

    def do_import(self) -> None:
        found = self.chosen
        self.run_background(
            tr("Importing {file} ... please wait.").format(file=found.name),
            partial(staff_import.apply, found.path, self.app.services.clock),
            self.show_result,
        )

    def show_result(self, view: staff_import.ImportView) -> None:
        if view.manifest:  # a rotation manifest: the rotation screen checks and imports it
            self.app.show("staff_rotation", staff_name=self.staff_name, manifest=self.chosen)
            return
        self.show_file_view(self.chosen.name, view.lines, view.problems)
        if not view.ok:
            self.say(view.headline, "error")
            self.app.feedback(False)
            self.set_actions(("files", tr("Other file"), theme.HEADER, self.show_files))
        elif view.dry_run:
            self.say(view.headline, "warn" if view.problems else "info")
            self.set_actions(
                ("import", tr("Import"), theme.OK, self.do_import),
                ("files", tr("Other file"), theme.HEADER, self.show_files),
            )
        else:
            self.say(view.headline, "ok")
            self.app.feedback(True)
            self.set_actions(("files", tr("Other file"), theme.HEADER, self.show_files))

    def export(self, kind: str) -> None:
        now = self.app.services.clock.now()
        self.run_background(
            tr("Writing the catalogue ..."),
            partial(staff_import.export, self.config, kind, now),
            self.exported,
        )

    def exported(self, done: staff_import.Exported) -> None:
        self.say(done.message(), "ok")
        self.app.feedback(True)
