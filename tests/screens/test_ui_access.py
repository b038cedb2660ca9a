"""Accessibility and the voice in the real app: the help overlay on every screen, the settings
screen (kept across a restart), high contrast on screen, large text, and the prompts played
for each outcome. The voice goes to a RecordingSink (no sound card here): it keeps the
volume-scaled samples of what would have been played."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kiosk import preferences
from kiosk.audio import AudioLibrary, prompts
from kiosk.audio.player import AplaySink, Player, RecordingSink
from kiosk.circulation import Notice, Refusal
from kiosk.demo import sample
from kiosk.screens.palette import HIGH_CONTRAST, NORMAL
from tests.screens.conftest import IDLE_COUNTDOWN, IDLE_WARNING, shows, still, texts
from tests.screens.test_ui_layout import overflowing, scenes

SHOTS = os.environ.get("KIOSK_UI_SHOTS")


def start(kiosk, sink=None):
    """A started app whose voice goes to `sink` (a RecordingSink by default)."""
    from kiosk.demo.driver import Driver

    player = Player(AudioLibrary(kiosk.config.data_dir), sink or RecordingSink(realtime=False))
    app = kiosk.make_app(
        idle_warning=IDLE_WARNING, idle_countdown=IDLE_COUNTDOWN, audio=player, monotonic=still
    )
    driver = Driver(app, kiosk.hardware).start()
    driver.resize(800, 480)
    return driver


@pytest.fixture
def ui(kiosk):
    driver = start(kiosk)
    yield driver
    driver.stop()


def layout_scenes(ui, kiosk, show):
    """The settings screen and the help overlay, for tests/screens/test_ui_layout.py."""
    show("settings", staff_name="Chu Thị Hằng")
    yield "settings"
    show("borrow")  # the longest reader help, over a screen
    ui.app.open_help()
    ui.frames(3)
    yield "help"
    ui.app._help.dismiss(animation=False)
    ui.frames(2)


def heard(driver) -> list[str]:
    """The prompt keys played so far, once the player is done."""
    assert driver.app.audio.wait(10)
    return driver.app.audio.sink.keys


def shot(driver, name: str) -> None:
    if SHOTS:
        driver.screenshot(Path(SHOTS) / f"access-{name}.png")


def staff_login(driver) -> None:
    driver.tap_card("staff")
    for digit in "1234":
        driver.press(f"pin-{digit}")
    driver.press("pin-ok")
    assert driver.app.screen.name == "staff_menu"


def open_screen(driver, kiosk, name: str) -> None:
    """Show `name` the way a person reaches it (a reader or staff where it needs one)."""
    app = driver.app
    if name in ("borrow", "loans", "summary"):
        app.session.identify(sample.SAMPLE_CARDS["reader"])
    if name.startswith("staff_") or name == "settings":
        app.show(name, staff_name="Chu Thị Hằng")
    elif name == "identify":
        app.show(name, purpose="borrow")
    else:
        app.show(name)
    driver.frames(3)


def test_every_screen_has_help(ui, kiosk):
    from kivy.core.window import Window

    from kiosk.screens import SCREENS
    from kiosk.screens.help import HelpOverlay
    from kiosk.screens.wording import tr

    for name in SCREENS:
        open_screen(ui, kiosk, name)
        ui.press("help")
        overlays = [w for w in Window.children if isinstance(w, HelpOverlay)]
        assert len(overlays) == 1, name
        expected = [tr(msgid) for _icon, msgid in prompts.help_lines(name)]
        assert overlays[0].lines == expected and all(expected), name
        assert all(shows(ui, line) for line in expected), name
        assert heard(ui)[-1] == prompts.help_key(name), name
        if name in ("home", "borrow", "settings", "staff_register"):
            shot(ui, f"help-{name}")
        ui.press("help-close")
        assert not any(isinstance(w, HelpOverlay) for w in Window.children), name
        if name != "home":
            ui.app.end_session()


def test_help_says_its_text_again_and_stops_when_closed(ui, kiosk):
    ui.press("help")
    assert heard(ui) == ["help-home"]
    ui.press("help-listen")
    assert heard(ui) == ["help-home", "help-home"]
    ui.press("help-close")
    assert ui.app.audio.wait(2)
    assert ui.app.audio.sink.played[-1].source.key == "help-home"  # nothing new after close


def test_settings_are_kept_across_a_restart(kiosk):
    from kiosk.screens import theme

    data_dir = kiosk.config.data_dir
    ui = start(kiosk)
    try:
        staff_login(ui)
        ui.press("settings")
        assert ui.app.screen.name == "settings"
        assert shows(ui, "80%")
        ui.press("volume-down")
        ui.press("volume-down")
        assert shows(ui, "60%")
        assert heard(ui)[-1] == "sound-test"
        # The test sound was played at 60 %: its peak is 60 % of the unscaled sound's.
        raw = AudioLibrary(data_dir).sound("sound-test", "vi")[1]
        assert abs(ui.app.audio.sink.played[-1].sound.peak - int(raw.peak * 0.6)) <= 1
        ui.press("large-text")
        ui.press("high-contrast")
        assert ui.app.screen.name == "settings"  # rebuilt, same screen, same staff
        assert ui.app.screen.staff_name == "Chu Thị Hằng"
        shot(ui, "settings-high-contrast-large")
        played = len(ui.app.audio.sink.played)
        ui.press("mute")
        ui.press("sound-test")
        assert heard(ui) and len(ui.app.audio.sink.played) == played  # muted: nothing
    finally:
        ui.stop()
    saved = json.loads((data_dir / preferences.FILE_NAME).read_text("utf-8"))
    assert saved == {"volume": 60, "muted": True, "large_text": True, "high_contrast": True}

    ui = start(kiosk)  # the kiosk restarts
    try:
        assert ui.app.preferences == preferences.Preferences(60, True, True, True)
        assert ui.app.theme.large_text and theme.BACKGROUND == HIGH_CONTRAST.BACKGROUND
        assert ui.app.audio.volume == 60 and ui.app.audio.muted
        ui.press("borrow")
        assert heard(ui) == []  # muted from the first screen on
        staff_login_from_home(ui)
        ui.press("settings")
        ui.press("high-contrast")
        ui.press("large-text")
        ui.press("mute")
        assert theme.BACKGROUND == NORMAL.BACKGROUND and not ui.app.theme.large_text
        assert heard(ui)[-1] == "sound-test"  # sound back on: staff hear it at once
    finally:
        ui.stop()


def staff_login_from_home(driver) -> None:
    driver.app.end_session()
    staff_login(driver)


def pixel(path: Path, x: int, y: int) -> tuple[int, int, int]:
    from PIL import Image

    with Image.open(path) as image:
        return image.convert("RGB").getpixel((x, image.height - 1 - y))


def test_high_contrast_changes_the_colours_on_screen(ui, tmp_path):
    staff_login(ui)
    ui.press("settings")
    before = ui.screenshot(tmp_path / "normal.png")
    ui.press("high-contrast")
    after = ui.screenshot(tmp_path / "contrast.png")

    def rgb(colour) -> tuple[int, int, int]:
        return tuple(round(c * 255) for c in colour[:3])

    def close(a, b) -> bool:
        return all(abs(x - y) <= 3 for x, y in zip(a, b, strict=True))

    # (4, 4): the background's corner; (400, 476): the middle of the header bar's top edge.
    assert close(pixel(before, 4, 4), rgb(NORMAL.BACKGROUND))
    assert close(pixel(after, 4, 4), rgb(HIGH_CONTRAST.BACKGROUND))
    assert close(pixel(before, 400, 477), rgb(NORMAL.HEADER))
    assert close(pixel(after, 400, 477), rgb(HIGH_CONTRAST.HEADER))
    ui.app.end_session()
    ui.frames(3)
    home = ui.screenshot(tmp_path / "home.png")
    assert close(pixel(home, 400, 477), rgb(HIGH_CONTRAST.HEADER))  # every screen, not one


def test_large_text_makes_the_type_bigger(ui, kiosk):
    from kivy.uix.label import Label

    from kiosk.demo.driver import visible, walk

    card = sample.SAMPLE_CARDS["reader"]
    kiosk.services.desk.borrow(card, "LS-0001")
    ui.press("loans")
    ui.tap_card("reader")

    def sizes() -> dict[str, float]:
        return {
            w.text: w.font_size
            for w in walk(ui.app.root)
            if isinstance(w, Label) and w.text and visible(w)
        }

    normal = sizes()
    ui.app.theme.large_text = True
    ui.frames(4)
    large = sizes()
    title = next(t for t in normal if "Dế Mèn" in t)
    assert large[title] == pytest.approx(normal[title] * 1.3)
    assert ui.app.theme.text == pytest.approx(normal_text(ui) * 1.3)
    shot(ui, "loans-large")
    ui.app.theme.large_text = False


def normal_text(driver) -> float:
    from kivy.metrics import sp

    return sp(20) * driver.app.theme.scale


@pytest.mark.parametrize("mode", ["large", "contrast", "both"])
def test_no_text_overflows_in_the_access_modes(kiosk, mode: str):
    from kiosk.screens import theme

    preferences.save(
        kiosk.config.data_dir,
        preferences.Preferences(large_text=mode != "contrast", high_contrast=mode != "large"),
    )
    ui = start(kiosk)
    try:
        assert theme.palette is (HIGH_CONTRAST if mode != "large" else NORMAL)
        problems = []
        for scene in scenes(ui, kiosk, "vi"):
            if SHOTS:
                ui.screenshot(Path(SHOTS) / f"access-{mode}-{scene}.png")
            problems += [f"{scene}: {p}" for p in overflowing(ui)]
            problems += [f"{scene}: {p}" for p in cut_off_buttons(ui) + faint_rows(ui)]
        assert problems == []
    finally:
        ui.stop()


def cut_off_buttons(driver) -> list[str]:
    """Menu tiles (buttons laid out in a grid) only partly in view in a scrolled area: a tile
    whose label is cut off (large text once hid the staff menu's Settings tile this way).
    Lines of a long list may be cut at the edge: the list scrolls, as readers expect."""
    from kivy.uix.gridlayout import GridLayout
    from kivy.uix.scrollview import ScrollView

    from kiosk.demo.driver import visible, walk
    from kiosk.screens.base import KioskButton

    problems = []
    for view in walk(driver.app.root):
        if not (isinstance(view, ScrollView) and visible(view)):
            continue
        vy = view.to_window(*view.pos)[1]
        for button in walk(view):
            if not (
                isinstance(button, KioskButton)
                and isinstance(button.parent, GridLayout)
                and button.opacity > 0
            ):
                continue
            y = button.to_window(*button.pos)[1]
            inside = vy - 1 <= y and y + button.height <= vy + view.height + 1
            apart = y >= vy + view.height or y + button.height <= vy
            if not inside and not apart:
                problems.append(f"button {button.action!r} cut off by its list")
    return problems


def faint_rows(driver) -> list[str]:
    """Table cells whose type is too close to their row's colour (high contrast once gave
    white type on a cream stripe in the reports table)."""
    from kiosk.demo.driver import visible, walk
    from kiosk.screens.palette import contrast
    from kiosk.screens.staff_panel import PanelCell, PanelRow

    return [
        f"cell {cell.text[:30]!r}: contrast {contrast(cell.color, row.background):.1f}"
        for row in walk(driver.app.root)
        if isinstance(row, PanelRow) and row.background[3] > 0 and visible(row)
        for cell in row.children
        if isinstance(cell, PanelCell) and cell.text
        if contrast(cell.color, row.background) < 4.5
    ]


def test_outcomes_are_said(ui, kiosk):
    ui.press("lang-en")
    assert heard(ui)[-1] == "screen-home"
    ui.press("borrow")
    assert heard(ui)[-1] == "screen-identify"
    ui.tap_card("reader")
    assert heard(ui)[-1] == "screen-borrow"
    ui.tap_book("LS-0001")
    assert heard(ui)[-1] == "ok-borrow"
    kiosk.services.desk.borrow(sample.SAMPLE_CARDS["child"], "LS-0004")
    ui.tap_book("LS-0004")
    assert heard(ui)[-1] == prompts.refusal_key(Refusal.ON_LOAN_TO_OTHER)
    # Said in the reader's language: English speech for English.
    last = ui.app.audio.sink.played[-1]
    assert last.source.kind == "speech" and last.source.language == "en"
    assert last.source.text == "This book is on loan to another reader."
    ui.app.end_session()
    ui.frames(3)
    ui.press("return")
    assert ui.app.screen.name == "returns"
    ui.tap_book("LC-0047")  # a rotation item that was not on loan
    keys = heard(ui)
    assert keys[-2:] == [
        prompts.notice_key(Notice.ROTATION_ITEM),
        prompts.notice_key(Notice.WAS_NOT_ON_LOAN),
    ]


def test_an_unknown_card_says_why(ui):
    ui.press("borrow")
    ui.tap_card("0A0B0C0D")
    assert ui.app.screen.name == "identify"
    assert heard(ui)[-1] == prompts.refusal_key(Refusal.UNKNOWN_READER)


def test_a_broken_speaker_never_breaks_a_loan(kiosk):
    ui = start(kiosk, sink=AplaySink(device="no-such-device"))
    try:
        ui.press("borrow")
        ui.tap_card("reader")
        ui.tap_book("LS-0001")
        assert ui.app.audio.wait(10)
        assert ui.app.audio.errors >= 1
        assert [r.accession for r in ui.app.session.lent()] == ["LS-0001"]
        assert any("Dế Mèn" in t for t in texts(ui))
    finally:
        ui.stop()


def test_the_app_says_its_notices_and_the_inactivity_warning(ui):
    from kiosk.hardware.interfaces import SeveralTags

    ui.press("borrow")
    ui.tap_card("reader")
    ui.app.on_hardware_event(SeveralTags())
    assert heard(ui)[-1] == "several-tags"
    assert shows(ui, "Có nhiều thẻ cùng lúc")  # the banner says it too
    ui.idle(IDLE_WARNING + 1)
    assert ui.app.idle.warning.parent is not None
    assert heard(ui)[-1] == "still-there"
