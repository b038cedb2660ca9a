"""`kiosk demo`: the scripted session with its screenshots, the text fallback, script checks."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
import time_machine

from kiosk.cli import main
from kiosk.demo import script

# The demo starts its clock from the machine's: pinned to New Year's Eve, with the clock running.
ON_NEW_YEARS_EVE = time_machine.travel(datetime(2026, 12, 31, 23, 58).astimezone(), tick=True)


@ON_NEW_YEARS_EVE
def test_scripted_demo_saves_a_png_per_step(display, tmp_path: Path, capsys, monkeypatch):
    if display:  # our private Xvfb: the window already uses it
        monkeypatch.setenv("DISPLAY", display)
    plan = tmp_path / "short.json"
    plan.write_text(
        json.dumps(
            {
                "size": "1024x600",
                "steps": [
                    {"press": "borrow"},
                    {"tap_card": "reader"},
                    {"tap_book": "LS-0001"},
                    {"press": "finish"},
                    {"expect": "summary"},
                    {"screenshot": "the-end", "note": "an extra picture"},
                ],
            }
        ),
        encoding="utf-8",
    )
    shots = tmp_path / "shots"
    assert main(["demo", "--script", str(plan), "--screenshots", str(shots)]) == 0
    pngs = sorted(p.name for p in shots.glob("*.png"))
    assert pngs[0] == "01-press-borrow.png" and pngs[-1] == "06-the-end.png"
    assert len(pngs) == 6
    assert all((shots / p).read_bytes().startswith(b"\x89PNG") for p in pngs)
    assert str(shots.resolve()) in capsys.readouterr().out


def test_packaged_script_is_valid():
    plan = script.load(None)
    actions = {step.action for step in plan.steps}
    assert {"tap_card", "tap_book", "press", "type", "pin", "idle", "expect"} <= actions


@pytest.mark.parametrize(
    "data",
    [{"steps": [{"press": "a", "tap_card": "b"}]}, {"steps": [{"jump": 1}]}, {"nope": []}],
)
def test_bad_scripts_are_refused(data):
    with pytest.raises(script.ScriptError):
        script.parse(data)


@ON_NEW_YEARS_EVE
def test_text_demo_needs_no_display(tmp_path: Path, capsys):
    assert main(["demo", "--text", "--data-dir", str(tmp_path)]) == 0
    assert "Đường Kách Mệnh" in capsys.readouterr().out
