"""The two palettes, checked numerically: every text/background pair the screens draw has a
WCAG contrast of at least 4.5:1 (AA) in the normal palette and 7:1 (AAA) in high contrast,
and every action keeps a colour of its own in both."""

from __future__ import annotations

import pytest

from kiosk.screens.palette import HIGH_CONTRAST, NORMAL, contrast, luminance, text_pairs


def test_the_contrast_formula():
    assert contrast((0, 0, 0, 1), (1, 1, 1, 1)) == pytest.approx(21)
    assert contrast((1, 1, 1, 1), (1, 1, 1, 1)) == pytest.approx(1)
    # WCAG's worked value: #777777 on white is 4.48:1.
    grey = (0x77 / 255,) * 3
    assert contrast(grey, (1, 1, 1)) == pytest.approx(4.48, abs=0.01)
    assert luminance((1, 0, 0)) == pytest.approx(0.2126)


@pytest.mark.parametrize(("palette", "minimum"), [(NORMAL, 4.5), (HIGH_CONTRAST, 7.0)])
def test_every_text_is_readable(palette, minimum):
    weak = [
        f"{what}: {contrast(ink, ground):.2f}"
        for what, ink, ground in text_pairs(palette)
        if contrast(ink, ground) < minimum
    ]
    assert weak == []


def test_high_contrast_is_light_on_black():
    assert HIGH_CONTRAST.BACKGROUND[:3] == (0, 0, 0)
    assert contrast(HIGH_CONTRAST.INK, HIGH_CONTRAST.BACKGROUND) == pytest.approx(21)


@pytest.mark.parametrize("palette", [NORMAL, HIGH_CONTRAST])
def test_each_action_keeps_its_own_colour(palette):
    actions = [palette.TILE[name] for name in ("borrow", "return", "search", "loans")]
    assert len(set(actions)) == len(actions)
    assert len({palette.OK, palette.REFUSED, palette.ASK_STAFF, palette.NOTICE}) == 4
    assert set(palette.TILE) == set(NORMAL.TILE)


def test_switching_the_palette_changes_the_theme_constants(display):
    from kiosk.screens import theme

    tiles = theme.TILE
    try:
        theme.use_palette(True)
        assert theme.BACKGROUND == HIGH_CONTRAST.BACKGROUND and theme.INK == HIGH_CONTRAST.INK
        assert tiles is theme.TILE and tiles["borrow"] == HIGH_CONTRAST.TILE["borrow"]
    finally:
        theme.use_palette(False)
    assert theme.BACKGROUND == NORMAL.BACKGROUND and tiles["borrow"] == NORMAL.TILE["borrow"]


def test_every_help_picture_has_a_glyph(display):
    from kiosk.audio import prompts
    from kiosk.screens import theme

    pictures = {icon for lines in prompts.HELP.values() for icon, _text in lines}
    assert pictures - set(theme.ICONS) == set()


def test_every_icon_is_in_the_icon_font(display):
    from fontTools.ttLib import TTFont

    from kiosk.screens import fonts, theme

    found = fonts.locate()
    icons = TTFont(str(found.icons)).getBestCmap()
    assert {k: v for k, v in theme.ICONS.items() if ord(v) not in icons} == {}
    bold = TTFont(str(found.bold)).getBestCmap()
    assert all(ord(c) in bold for c in "–+?%")  # Settings' volume buttons, the help button
