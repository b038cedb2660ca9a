"""The touch screens: one module and one .kv file per screen, on :class:`KioskScreen`.

Screens show and ask; they call :mod:`kiosk.ui.session` (or another pure-Python module of
:mod:`kiosk.ui`, which calls the core) and never decide anything about loans themselves.
``SCREENS`` maps each screen's name to its class (``module:Class`` under ``kiosk.screens``),
in the order the app adds them.
"""

SCREENS: dict[str, str] = {
    "home": "home:HomeScreen",
    "identify": "identify:IdentifyScreen",
    "borrow": "borrow:BorrowScreen",
    "summary": "summary:SummaryScreen",
    "returns": "returns:ReturnScreen",
    "loans": "loans:LoansScreen",
    "search": "search:SearchScreen",
    "staff": "staff:StaffScreen",
    "staff_menu": "staff_menu:StaffMenuScreen",
}
