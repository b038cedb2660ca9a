"""`kiosk i18n export|import|coverage`: the translators' spreadsheet workflow.

Commune staff export a language to CSV, translate or correct it in a spreadsheet, and import it
back; the kiosk uses the new text from the next screen on (the site folder overrides the
packaged catalogue, no reinstall). See docs/translating.md. (Not named `i18n.py`: importing
it would replace `kiosk.i18n` in the `kiosk.cli` package namespace.)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.audio import readiness
from kiosk.cli.common import load_config, print_table
from kiosk.clock import SystemClock
from kiosk.config import LANGUAGES, Config
from kiosk.i18n import _, extract, ngettext, provenance, spreadsheet
from kiosk.screens.wording import LANGUAGE_NAMES  # plain data, no Kivy

EXIT_REFUSED = 1
SHEET_AUTHOR = "kiosk i18n import"  # a contribution's author when it came from a spreadsheet


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "i18n", help=_("translations: export to a spreadsheet, import, coverage")
    )
    commands = parser.add_subparsers(dest="i18n_command", required=True, metavar=_("COMMAND"))
    export = commands.add_parser(
        "export", help=_("write a language's texts to a CSV file for a spreadsheet")
    )
    export.add_argument("language", choices=LANGUAGES, help=_("language code (e.g. tyz)"))
    export.add_argument("file", type=Path, help=_("the CSV file to write"))
    export.set_defaults(func=export_command)
    load = commands.add_parser(
        "import", help=_("use the translations of a CSV file (checked first)")
    )
    load.add_argument("language", choices=LANGUAGES, help=_("language code (e.g. tyz)"))
    load.add_argument("file", type=Path, help=_("the CSV file to read"))
    load.set_defaults(func=import_command)
    coverage = commands.add_parser("coverage", help=_("how much of each language is translated"))
    coverage.set_defaults(func=coverage_command)


def export_command(args: argparse.Namespace) -> int:
    config = load_config(args)
    count = spreadsheet.export_csv(args.language, args.file, config.data_dir / "locale")
    print(
        ngettext(
            "{count} text written to {file}.", "{count} texts written to {file}.", count
        ).format(count=count, file=args.file)
    )
    return 0


def import_command(args: argparse.Namespace) -> int:
    config = load_config(args)
    if not args.file.is_file():
        print(_("Error: {message}").format(message=_("file not found")), file=sys.stderr)
        return EXIT_REFUSED
    try:
        result = spreadsheet.import_csv(args.language, args.file, config.data_dir / "locale")
    except spreadsheet.TranslationImportRejected as exc:
        print(exc, file=sys.stderr)
        return EXIT_REFUSED
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    # Who made them: the sheet (the kiosk's own screen names the staff account instead).
    ledger = provenance.Ledger(config.data_dir, args.language)
    author = provenance.Author(f"{SHEET_AUTHOR} {args.file.name}")
    for msgid in result.changed_msgids:
        ledger.record(provenance.STRING, msgid, author, SystemClock().now())
    print(
        ngettext(
            "{changed} text changed; {entries} site translations in {file}.",
            "{changed} texts changed; {entries} site translations in {file}.",
            result.changed,
        ).format(changed=result.changed, entries=result.entries, file=result.path)
    )
    print(_("The kiosk uses them from the next reader on; no restart is needed."))
    return 0


def coverage_command(args: argparse.Namespace) -> int:
    config = load_config(args)
    messages = extract.extract()
    rows = [
        [
            _("Language"),
            _("Translated"),
            _("Reviewed"),
            _("Unreviewed"),
            _("Missing"),
            "%",
        ]
    ]
    for language in LANGUAGES:
        got = extract.coverage(language, config.data_dir / "locale", messages)
        rows.append(
            [
                f"{language} ({LANGUAGE_NAMES.get(language, language)})",
                str(got.translated),
                str(got.reviewed),
                str(got.unreviewed),
                str(got.missing),
                f"{got.percent:.0f}",
            ]
        )
    print_table(rows)
    print(_("Missing texts are shown in Vietnamese; English is the source language."))
    print()
    print_table(priority_rows(config))
    return 0


def priority_rows(config: Config) -> list[list[str]]:
    """The reader-priority texts and recordings of each language, and whether Home shows it
    (kiosk.audio.readiness, ``[languages]``)."""
    shown = readiness.shown_languages(
        config.data_dir, LANGUAGES, config.languages, config.language
    )
    rows = [[_("Language"), _("Reader-priority texts"), _("Recordings"), _("On Home")]]
    for language in LANGUAGES:
        got = readiness.coverage(config.data_dir, language)
        rows.append(
            [
                language,
                f"{got.translated}/{got.texts}",
                f"{got.recorded}/{got.prompts}",
                _("shown") if language in shown else _("hidden"),
            ]
        )
    return rows
