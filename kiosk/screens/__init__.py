"""The touch screens: one module and one .kv file per screen, on :class:`KioskScreen`.

Screens show and ask; they call :mod:`kiosk.ui.session` (which calls the core) and never
decide anything about loans themselves. ``SCREENS`` lists them in the order the app adds them.
"""

SCREENS = (
    "home",
    "identify",
    "borrow",
    "summary",
    "returns",
    "loans",
    "search",
    "staff",
    "staff_menu",
)
