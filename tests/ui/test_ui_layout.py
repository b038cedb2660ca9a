"""Every screen, with realistic content, at every supported size, in Vietnamese and English:
no label's text may be larger than its box, and no label may stick out of the window.
Screenshots of each render go to $KIOSK_UI_SHOTS when set (to look at them)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk import sample
from kiosk.ui.boot import SIZES

CARD = sample.SAMPLE_CARDS["reader"]


def overflowing(driver) -> list[str]:
    """Visible labels whose rendered text is larger than their box, or outside the window."""
    from kivy.core.window import Window
    from kivy.uix.label import Label
    from kivy.uix.scrollview import ScrollView

    from kiosk.ui.driver import visible, walk

    problems = []
    for root in list(Window.children):
        for widget in walk(root):
            if not (isinstance(widget, Label) and widget.text and visible(widget)):
                continue
            width, height = widget.texture_size
            name = f"{type(widget).__name__} {widget.text[:40]!r}"
            if width > widget.width + 1 or height > widget.height + 1:
                problems.append(
                    f"{name}: text {width:.0f}x{height:.0f} in a "
                    f"{widget.width:.0f}x{widget.height:.0f} box"
                )
            if any(isinstance(a, ScrollView) for a in _ancestors(widget)):
                continue  # scrolled content may lie beyond the view
            x, y = widget.to_window(*widget.pos)
            if (
                x < -1
                or y < -1
                or x + widget.width > Window.width + 1
                or (y + widget.height > Window.height + 1)
            ):
                problems.append(f"{name}: outside the window at ({x:.0f}, {y:.0f})")
    return problems


def _ancestors(widget):
    node = widget.parent
    while node is not None and node.parent is not node:
        yield node
        node = node.parent


def scenes(ui, kiosk, language: str):
    """Show each screen with content; yields its name once it is shown."""
    app, desk, clock = ui.app, kiosk.services.desk, kiosk.services.clock

    def show(name: str, **kwargs) -> None:
        app.set_language(language)
        app.show(name, **kwargs)
        ui.frames(3)

    show("home")
    app.screen.hint = app.screen.hint or "x"
    from kiosk.ui.text import tr

    app.screen.hint = tr("To borrow, press Borrow first; to return, press Return.")
    ui.frames(2)
    yield "home"
    show("identify", purpose="borrow", unknown=True)
    yield "identify"
    app.session.identify(CARD)
    for item in ("LS-0001", "LS-0025", "LC-0047", "LS-0045", "LS-0040"):
        app.session.borrow(item)
    show("borrow")
    yield "borrow"
    show("summary")
    yield "summary"
    desk.borrow(CARD, "LS-0030")
    clock.advance(days=40)
    show("loans")
    app.screen.renew_all()
    ui.frames(2)
    yield "loans"
    show("returns")
    from kiosk.ui.session import Tap

    for item in ("LC-0047", "LS-0001", "LS-0003"):
        app.screen.on_tag(Tap("item", item))
    ui.frames(2)
    yield "returns"
    show("search")
    app.screen.type_text("truyen")
    yield "search"
    show("staff", card=sample.SAMPLE_CARDS["staff"])
    app.screen.error = "Nhập sai mã PIN quá nhiều lần: hãy thử lại sau 09:35"
    app.screen.pin = "12345678"
    ui.frames(2)
    yield "staff"
    show("staff_menu", staff_name="Chu Thị Hằng")
    yield "staff_menu"
    # Staff operations: registration, labelling, inventory.
    # Staff operations: import, rotation, reports.
    # Settings and help.
    show("borrow")
    app.idle_skew += app.idle_warning + 1
    ui.run_for(0.5)
    yield "inactivity"


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("size", list(SIZES))
def test_no_text_overflows(ui, kiosk, size: str, language: str):
    ui.resize(*SIZES[size])
    shots = os.environ.get("KIOSK_UI_SHOTS")
    problems = []
    for scene in scenes(ui, kiosk, language):
        if shots:
            ui.screenshot(Path(shots) / f"{size}-{language}-{scene}.png")
        problems += [f"{scene}: {p}" for p in overflowing(ui)]
    assert problems == []
