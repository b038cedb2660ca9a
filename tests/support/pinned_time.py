"""Run a real `kiosk` command as a subprocess with its wall clock pinned.

In-process tests pin time with a FixedClock or time-machine; a `kiosk ...` subprocess reads
the real clock, so a CLI test that borrows "today" and reports "this month" would depend on
the day it runs (and fail only in December, or only across midnight). The command is started
through a two-line launcher that starts time-machine's travel before the CLI is imported: the
command's clock starts at the pinned moment and then runs on (tick), so durations stay real.
"""

from __future__ import annotations

import sys
from datetime import datetime

# sys.argv inside the launcher: ["-c", moment, *args]; the CLI parses sys.argv[1:].
LAUNCHER = (
    "import sys\n"
    "sys.modules['pytest'] = None  # time-machine's pytest plugin is not needed: 0.2 s a run\n"
    "import time_machine\n"
    "del sys.modules['pytest']\n"
    "from datetime import datetime\n"
    "moment = datetime.fromisoformat(sys.argv.pop(1)).astimezone()  # naive: local time\n"
    "time_machine.travel(moment, tick=True).start()\n"
    "from kiosk.cli import main\n"
    "sys.exit(main())\n"
)


def kiosk_argv(moment: datetime, *args: str) -> list[str]:
    """The argv of `kiosk ARGS` whose wall clock starts at `moment` (naive, local time)."""
    return [sys.executable, "-c", LAUNCHER, moment.isoformat(), *args]
