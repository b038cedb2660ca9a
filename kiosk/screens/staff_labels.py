"""Staff: label books — write a copy's identifier into a blank tag (checked by reading it
back), give a copy a barcode, or label a whole shelf one book after another.

The decisions are in :mod:`kiosk.flows.staff_labels`; this screen shows its step and passes
taps, scans and key presses to it. A tag is written on the frame after "writing" is shown.
"""

from __future__ import annotations

from functools import partial

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.flows import staff_labels as flow_mod
from kiosk.screens import theme
from kiosk.screens.base import KioskButton, KioskScreen, WrapLabel, load_kv
from kiosk.screens.outcomes import ResultLine
from kiosk.screens.staff_register import StaffopsMessage  # noqa: F401 (its rules)
from kiosk.screens.wording import tr

MAX_LINES = 60  # copies listed at once (the list is for finding one, not for reading all)


class StaffLabelsScreen(KioskScreen):
    """Labelling: choose a copy, tap a blank tag; or a bulk session."""

    staff_name = StringProperty("")
    typed = StringProperty("")
    list_title = StringProperty("")
    todo_count = NumericProperty(0)
    message = StringProperty("")
    message_detail = StringProperty("")
    message_ok = BooleanProperty(True)
    copy_heading = StringProperty("")
    copy_title = StringProperty("")
    copy_where = StringProperty("")
    instruction = StringProperty("")
    progress = StringProperty("")

    def on_kv_post(self, base_widget: object) -> None:
        for key in flow_mod.PAD_KEYS:
            button = KioskButton(
                action=f"pad-{key}",
                text="" if key == "back" else key,
                icon="\u232b" if key == "back" else "",
                colour=theme.HEADER if key == "back" else theme.TILE["neutral"],
            )
            button.bind(on_release=partial(self.key, key))
            self.ids.pad.add_widget(button)

    def on_activate(self, staff_name: str = "", **kwargs: object) -> None:
        if staff_name:
            self.staff_name = staff_name
        self.flow = flow_mod.Labelling(self._reader)
        self.refresh()

    def on_deactivate(self) -> None:
        self.flow = None
        for box in ("todo", "left", "shelves"):
            self.ids[box].clear_widgets()

    def _reader(self):
        hardware = self.app.hardware
        return hardware.tag_reader if hardware is not None else None

    # -- actions ----------------------------------------------------------------------------------
    def to_menu(self) -> None:
        self.app.show("staff_menu", staff_name=self.staff_name)

    def key(self, key: str, *_args: object) -> None:
        self.flow.type_key(key)
        self.typed = self.flow.typed  # the list below stays as it is: no rebuild per key

    def find(self) -> None:
        self.flow.find()
        self.refresh()

    def choose(self, accession: str, *_args: object) -> None:
        self.flow.choose(accession)
        self.refresh()

    def choose_shelves(self) -> None:
        self.flow.choose_shelves()
        self.refresh()

    def start_bulk(self, shelf: str | None, *_args: object) -> None:
        self.flow.start_bulk(shelf)
        self.refresh()

    def back(self) -> None:
        self.flow.back()
        self.refresh()

    def skip(self) -> None:
        self.flow.skip()
        self.refresh()

    def want_barcode(self) -> None:
        self.flow.want_barcode()
        self.refresh()

    def write_now(self) -> None:
        """Write the tag already resting on the reader."""
        self.app.feedback(self.flow.write().ok)
        self.refresh()

    def on_tag(self, tap) -> bool:
        self.flow.tap(tap)
        if self.flow.pending:
            self.message = tr("Writing the tag… hold it still.")
            self.message_detail, self.message_ok = "", True
            Clock.schedule_once(self._write_pending, 0)
            return True
        if self.flow.line is not None:
            self.app.feedback(self.flow.line.ok)
        self.refresh()
        return True

    def _write_pending(self, _dt: float) -> None:
        if self.flow is not None and self.flow.pending:
            self.write_now()

    # -- showing ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        flow = self.flow
        line = flow.line
        self.message = line.headline if line else ""
        self.message_detail = line.detail if line else ""
        self.message_ok = line.ok if line else True
        self.typed = flow.typed
        self._show_target(flow.target)
        if flow.step == flow_mod.PICK:
            self._show_todo()
        elif flow.step == flow_mod.SHELVES:
            self._show_shelves()
        elif flow.step == flow_mod.BULK:
            self._show_bulk()
        self.ids.steps.current = flow.step

    def _show_target(self, target: flow_mod.CopyInfo | None) -> None:
        if target is None:
            self.copy_heading = self.copy_title = ""
            self.copy_where = tr("Every copy of this session is done.")
            self.instruction = ""
            return
        self.copy_title = target.title
        self.copy_where = tr("Shelf: {shelf}").format(shelf=target.shelf or "—")
        self.copy_heading = tr("{accession} · tags: {tags} · barcode: {barcode}").format(
            accession=target.accession, tags=target.tags, barcode=target.barcode or "—"
        )
        if self.flow.barcode_mode:
            self.instruction = tr("Scan the barcode label for this copy now.")
        else:
            self.instruction = tr("Put a blank tag on the reader: it is written and checked.")

    def _show_todo(self) -> None:
        box = self.ids.todo
        box.clear_widgets()
        if self.flow.matches:
            rows = [(c.accession, c.title, c.shelf) for c in self.flow.matches]
            self.list_title = tr("Copies with this number:")
        else:
            rows = self.flow.todo()
            self.todo_count = len(rows)
            self.list_title = tr("Without a tag: {count}").format(count=len(rows))
        for accession, title, shelf in rows[:MAX_LINES]:
            line = ResultLine(
                icon=theme.ICONS["book"],
                colour=theme.HEADER,
                headline=title,
                detail=f"{accession} · {shelf}",
                button_text=tr("Choose"),
                button_action=f"choose-{accession}",
            )
            line.bind(on_press_button=partial(self.choose, accession))
            box.add_widget(line)

    def _show_shelves(self) -> None:
        grid = self.ids.shelves
        grid.clear_widgets()
        choices = [(None, tr("All shelves"), sum(n for _s, n in flow_mod.shelves_to_label()))]
        choices += [(shelf, shelf or "—", n) for shelf, n in flow_mod.shelves_to_label()]
        for shelf, label, count in choices:
            button = KioskButton(
                action=f"shelf-{shelf}" if shelf is not None else "shelf-all",
                text=tr("{shelf}: {count}").format(shelf=label, count=count),
                colour=theme.HEADER,
            )
            button.bind(on_release=partial(self.start_bulk, shelf))
            grid.add_widget(button)

    def _show_bulk(self) -> None:
        session = self.flow.session
        done, total = session.progress
        self.progress = tr("{done} of {total} labelled").format(done=done, total=total)
        left = session.left
        self.list_title = tr("Left: {count}").format(count=len(left))
        box = self.ids.left
        box.clear_widgets()
        titles = {a: t for a, t, _s in session.todo}
        for accession in left[:MAX_LINES]:
            if accession in session.skipped:
                info = flow_mod.copy_info(accession)
                title = info.title if info else ""
                text = f"{accession}  {title}  (" + tr("skipped") + ")"
            else:
                text = f"{accession}  {titles.get(accession, '')}".rstrip()
            box.add_widget(WrapLabel(text=text, font_size=self.app.theme.small))


load_kv("staff_labels")
