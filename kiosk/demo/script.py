"""Scripted sessions for ``kiosk demo --script FILE --screenshots DIR``.

A script is a JSON file: an object with ``steps`` (a list) and optionally ``size``
(``"800x480"``) and ``language`` (``"vi"``). Each step is an object with ONE action key:

=====================  ==============================================================
``{"press": "borrow"}``   touch the visible button of that name (Home: ``borrow``,
                          ``return``, ``search``, ``loans``, ``staff``, ``lang-en`` ...;
                          everywhere: ``home``, ``finish``, ``done``, ``renew-0``,
                          ``renew-all``, ``remove-0``, ``pin-1`` ... ``pin-ok``)
``{"tap_card": "reader"}``  put a card on the emulated reader and take it away: a sample
                          alias (``reader``, ``child``, ``staff``) or a UID in hex
``{"tap_book": "LS-0004"}`` the labelled sticker of a sample copy
``{"type": "duong"}``       type on the on-screen keyboard
``{"pin": "1234"}``         type a PIN on the staff pad (then press ``pin-ok``)
``{"wait": 0.5}``           let real time pass (seconds)
``{"idle": 50}``            pretend nobody touched the kiosk for that many seconds
``{"advance_days": 18}``    move the demo's clock forward (loans fall due)
``{"size": "720x1280"}``    resize the window
``{"expect": "borrow"}``    fail unless this screen is shown
``{"screenshot": "name"}``  an extra screenshot with that name
=====================  ==============================================================

A step may add ``"note"`` (shown in the log) and ``"shot": false`` (no picture after it).
After every step a PNG is saved as ``NN-action-argument.png`` in the screenshot folder.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

ACTIONS = (
    "press",
    "tap_card",
    "tap_book",
    "type",
    "pin",
    "wait",
    "idle",
    "advance_days",
    "size",
    "expect",
    "screenshot",
)


class ScriptError(ValueError):
    """A script that cannot be played, with the step's number."""


@dataclass(frozen=True)
class Step:
    action: str
    argument: Any
    note: str = ""
    shot: bool = True

    def slug(self) -> str:
        arg = re.sub(r"[^0-9A-Za-z]+", "-", str(self.argument)).strip("-")[:24]
        return f"{self.action}-{arg}" if arg else self.action


@dataclass(frozen=True)
class Script:
    steps: list[Step]
    size: tuple[int, int] = (800, 480)
    language: str = ""


def parse_size(text: str) -> tuple[int, int]:
    width, _, height = text.partition("x")
    return int(width), int(height)


def parse(data: Any) -> Script:
    """Check a loaded script; ScriptError names the bad step."""
    if isinstance(data, list):
        data = {"steps": data}
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        raise ScriptError('a script is an object with a "steps" list')
    steps = []
    for number, raw in enumerate(data["steps"], 1):
        keys = [k for k in raw if k in ACTIONS] if isinstance(raw, dict) else []
        if len(keys) != 1:
            raise ScriptError(f"step {number}: exactly one of {', '.join(ACTIONS)} expected")
        steps.append(Step(keys[0], raw[keys[0]], raw.get("note", ""), raw.get("shot", True)))
    size = parse_size(data["size"]) if "size" in data else (800, 480)
    return Script(steps, size, data.get("language", ""))


def load(path: Path | None) -> Script:
    """A script file, or the packaged default demo when `path` is None."""
    if path is None:
        text = resources.files("kiosk.demo").joinpath("scripts", "demo.json").read_text("utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    try:
        return parse(json.loads(text))
    except json.JSONDecodeError as exc:
        raise ScriptError(f"not JSON: {exc}") from exc


def play(driver, script: Script, shots: Path | None, clock=None, log=print) -> list[Path]:
    """Play `script` on a started driver; a PNG per step in `shots`. Returns the PNGs."""
    saved: list[Path] = []
    for number, step in enumerate(script.steps, 1):
        log(
            f"{number:02d} {step.action} {step.argument!s}"
            + (f" — {step.note}" if step.note else "")
        )
        _do(driver, step, clock)
        if shots is not None and step.shot:
            name = step.argument if step.action == "screenshot" else step.slug()
            saved.append(driver.screenshot(shots / f"{number:02d}-{name}.png"))
    return saved


def _do(driver, step: Step, clock) -> None:
    action, arg = step.action, step.argument
    if action == "press":
        driver.press(str(arg))
    elif action == "tap_card":
        driver.tap_card(str(arg))
    elif action == "tap_book":
        driver.tap_book(str(arg))
    elif action == "type":
        driver.type(str(arg))
    elif action == "pin":
        for digit in str(arg):
            driver.press(f"pin-{digit}")
    elif action == "wait":
        driver.run_for(float(arg))
    elif action == "idle":
        driver.idle(float(arg))
    elif action == "advance_days":
        if clock is None or not hasattr(clock, "advance"):
            raise ScriptError("advance_days needs the demo's clock")
        clock.advance(days=float(arg))
        driver.frames(1)
    elif action == "size":
        driver.resize(*parse_size(str(arg)))
    elif action == "expect":
        shown = driver.app.screen.name
        if shown != arg:
            raise ScriptError(f'expected screen "{arg}", the kiosk shows "{shown}"')
    elif action == "screenshot":
        pass  # the picture is taken by play()
