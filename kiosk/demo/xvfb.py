"""A private virtual display (Xvfb) for headless runs: scripted demos and the UI tests.

Xvfb picks a free display number itself and writes it to a pipe once it accepts clients
(``-displayfd``): no guessing, no race with another Xvfb on the machine.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator

SCREEN = "1400x1400x24"  # room for every supported size, 720x1280 portrait included


class XvfbMissing(RuntimeError):
    """Xvfb is not installed."""


@contextlib.contextmanager
def virtual_display(screen: str = SCREEN, timeout: float = 20.0) -> Iterator[str]:
    """Start Xvfb, set $DISPLAY for this process, yield it; stop Xvfb afterwards."""
    binary = shutil.which("Xvfb")
    if binary is None:
        raise XvfbMissing("Xvfb is not installed: sudo apt-get install xvfb")
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        [binary, "-displayfd", str(write_end), "-screen", "0", screen, "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    previous = os.environ.get("DISPLAY")
    try:
        with os.fdopen(read_end) as pipe:
            number = _read_line(pipe, process, timeout)
        os.environ["DISPLAY"] = f":{number}"
        yield os.environ["DISPLAY"]
    finally:
        if previous is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = previous
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _read_line(pipe, process: subprocess.Popen, timeout: float) -> str:
    import select

    ready, _, _ = select.select([pipe], [], [], timeout)
    line = pipe.readline().strip() if ready else ""
    if not line:
        process.kill()
        raise XvfbMissing("Xvfb did not start (no display number within the timeout)")
    return line
