"""Every screen, with realistic content, at the supported sizes, in every language: no label's
text may be larger than its box, no label may stick out of the window, and no reader who chose
Vietnamese, Tày, Nùng or H'Mông may see an English text that has a Vietnamese translation.
Screenshots of each render go to $KIOSK_UI_SHOTS when set (to look at them)."""

from __future__ import annotations

import os
import re
import string
from functools import cache
from pathlib import Path

import pytest

from kiosk import i18n
from kiosk.demo import sample
from kiosk.i18n import extract as i18n_tools
from kiosk.screens.boot import SIZES

CARD = sample.SAMPLE_CARDS["reader"]


def overflowing(driver) -> list[str]:
    """Visible labels whose rendered text is larger than their box, or outside the window."""
    from kivy.core.window import Window
    from kivy.uix.label import Label
    from kivy.uix.scrollview import ScrollView

    from kiosk.demo.driver import visible, walk

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
    from kiosk.screens.wording import tr

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
    app.screen.show_receipt()
    ui.frames(2)
    yield "receipt"
    desk.borrow(CARD, "LS-0030")
    clock.advance(days=40)
    show("loans")
    app.screen.renew_all()
    ui.frames(2)
    yield "loans"
    show("returns")
    from kiosk.flows.session import Tap

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
    from tests.screens import test_ui_staff_inventory, test_ui_staff_labels, test_ui_staff_register

    for staff_a in (test_ui_staff_register, test_ui_staff_labels, test_ui_staff_inventory):
        yield from staff_a.layout_scenes(ui, kiosk, show)
    # Staff operations: import, rotation, reports.
    from tests.screens.test_ui_staff_import import layout_scenes as staff_b_scenes

    yield from staff_b_scenes(ui, kiosk, show)
    # Settings and help.
    from tests.screens.test_ui_access import layout_scenes as access_scenes

    yield from access_scenes(ui, kiosk, show)
    show("borrow")
    app.idle_skew += app.idle_warning + 1
    ui.run_for(0.5)
    yield "inactivity"


LANGUAGES = ("vi", "en", "tyz", "nut", "hnj")
#: Every language at the smallest landscape size and at portrait (the two tightest layouts);
#: Vietnamese and English also at the two larger sizes. That keeps the run under ~2 minutes:
#: Tày, Nùng and H'Mông show Vietnamese wherever they are untranslated, and their few
#: translations are shorter than the Vietnamese, so at the roomier sizes vi already covers them.
TIGHT_SIZES = ("800x480", "720x1280")
CASES = [
    (size, language)
    for size in SIZES
    for language in LANGUAGES
    if language in ("vi", "en") or size in TIGHT_SIZES
]


@cache
def english_patterns() -> list[re.Pattern]:
    """A pattern per English msgid that has a different Vietnamese translation (placeholders
    match anything): such a text on a non-English screen is a missed translation."""
    vietnamese, messages = i18n.load_catalog("vi"), i18n_tools.extract()
    patterns = []
    for msgid, english in [(m, m) for m in messages] + list(messages.plurals.items()):
        if vietnamese.messages.get(msgid, msgid) == msgid:
            continue
        parts = list(string.Formatter().parse(english))
        literal = "".join(text for text, *_rest in parts)
        if sum(ch.isalpha() for ch in literal) < 3:
            continue  # too little text of its own to recognise
        regex = "".join(re.escape(t) + (".+?" if name is not None else "") for t, name, *_ in parts)
        patterns.append(re.compile(regex, re.S))
    return patterns


def english_leaks(driver) -> list[str]:
    """Visible labels of this app (its screens and its inactivity warning, not an overlay a
    previous test's app left on the shared window) showing an English source text."""
    from kivy.uix.label import Label

    from kiosk.demo.driver import visible, walk

    app = driver.app
    roots = [app.root] + ([app.idle.warning] if app.idle.warning.parent is not None else [])
    return [
        f"English text {w.text[:50]!r}"
        for root in roots
        for w in walk(root)
        if isinstance(w, Label) and w.text and visible(w)
        if any(p.fullmatch(w.text) for p in english_patterns())
    ]


@pytest.mark.parametrize(("size", "language"), CASES)
def test_no_text_overflows(ui, kiosk, size: str, language: str):
    ui.resize(*SIZES[size])
    shots = os.environ.get("KIOSK_UI_SHOTS")
    problems = []
    for scene in scenes(ui, kiosk, language):
        if shots:
            ui.screenshot(Path(shots) / f"{size}-{language}-{scene}.png")
        problems += [f"{scene}: {p}" for p in overflowing(ui)]
        if language != "en":
            problems += [f"{scene}: {p}" for p in english_leaks(ui)]
    assert problems == []


def test_english_leaks_are_detected(ui, kiosk):
    """The check above can fail: an English text on a Tày screen is reported."""
    ui.app.set_language("tyz")
    ui.app.show("home")
    ui.frames(2)
    assert english_leaks(ui) == []
    ui.app.screen.hint = "You borrowed 3 books."
    ui.frames(2)
    assert english_leaks(ui) == ["English text 'You borrowed 3 books.'"]
