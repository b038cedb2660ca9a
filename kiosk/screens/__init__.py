"""The touch screens: one module and one .kv file per screen, on :class:`KioskScreen`.

Screens show and ask; they call :mod:`kiosk.flows.session` (or another pure-Python module of
:mod:`kiosk.flows`, which calls the core) and never decide anything about loans themselves.
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
    "staff_register": "staff_register:StaffRegisterScreen",
    "staff_labels": "staff_labels:StaffLabelsScreen",
    "staff_inventory": "staff_inventory:StaffInventoryScreen",
    "staff_import": "staff_import:StaffImportScreen",
    "staff_rotation": "staff_rotation:StaffRotationScreen",
    "staff_reports": "staff_reports:StaffReportsScreen",
    "staff_voices": "staff_voices:StaffVoicesScreen",
    "staff_translate": "staff_translate:StaffTranslateScreen",
    "settings": "settings:SettingsScreen",
}
