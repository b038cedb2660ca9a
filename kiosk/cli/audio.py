"""`kiosk audio ...`: the kiosk's recorded prompts (docs/audio.md).

- ``kiosk audio check [--lang L] [--strict]``: per language, the keys with no recording (with
  the sentence to record), the files that match no key and the files that cannot be played.
  Exit status 1 when a file is unknown or broken (a recording that will never play); missing
  recordings are normal (speech or a chime stands in) and fail only with ``--strict``.
- ``kiosk audio say KEY [--lang L] [--volume N]``: play one prompt on the speaker and say
  where it came from (recording, espeak-ng or chime).
- ``kiosk audio list [--lang L]``: every key with its sentence.
"""

from __future__ import annotations

import argparse
import sys

from kiosk import preferences
from kiosk.audio import AUDIO_DIR, AudioLibrary
from kiosk.audio.check import FolderReport, LanguageReport, check_folder
from kiosk.audio.player import Player, make_sink
from kiosk.audio.prompts import PROMPTS
from kiosk.cli.common import load_config
from kiosk.config import LANGUAGES
from kiosk.i18n import _, ngettext

EXIT_PROBLEM = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    audio = subparsers.add_parser("audio", help=_("check and try the recorded voice prompts"))
    commands = audio.add_subparsers(dest="audio_command", metavar=_("COMMAND"), required=True)
    check = commands.add_parser(
        "check", help=_("list missing, unknown and broken recordings per language")
    )
    check.add_argument("--lang", choices=LANGUAGES, help=_("only this language"))
    check.add_argument(
        "--strict", action="store_true", help=_("a missing recording is a problem too")
    )
    check.set_defaults(func=check_command)
    say = commands.add_parser("say", help=_("play one prompt on the speaker"))
    say.add_argument("key", help=_("the prompt's key (see 'kiosk audio list')"))
    say.add_argument("--lang", choices=LANGUAGES, help=_("language (default: the kiosk's)"))
    say.add_argument("--volume", type=int, help=_("volume 0-100 (default: the saved one)"))
    say.set_defaults(func=say_command)
    listing = commands.add_parser("list", help=_("every prompt key with its sentence"))
    listing.add_argument("--lang", choices=LANGUAGES, help=_("language (default: the kiosk's)"))
    listing.set_defaults(func=list_command)


def _sentence(library: AudioLibrary, key: str, language: str) -> str:
    prompt = PROMPTS[key]
    return library.text(prompt, language) if prompt.msgids else _("(a chime, no words)")


def _print_language(report: LanguageReport, library: AudioLibrary) -> None:
    print(
        ngettext(
            "{lang}: {found} recording, {missing} missing, {unknown} unknown, {broken} broken",
            "{lang}: {found} recordings, {missing} missing, {unknown} unknown, {broken} broken",
            report.found,
        ).format(
            lang=report.language,
            found=report.found,
            missing=len(report.missing),
            unknown=len(report.unknown),
            broken=len(report.broken),
        )
    )
    for name, why in report.broken:
        print("  " + _("BROKEN {file}: {why}").format(file=name, why=why))
    for name, close in report.unknown:
        hint = " " + _("(did you mean {key}.wav?)").format(key=close) if close else ""
        print("  " + _("UNKNOWN {file}: matches no key, never played").format(file=name) + hint)
    for key in report.missing:
        print(f"  {_('missing')} {key}.wav: {_sentence(library, key, report.language)}")


def check_command(args: argparse.Namespace) -> int:
    config = load_config(args)
    folder = config.data_dir / AUDIO_DIR
    languages = (args.lang,) if args.lang else LANGUAGES
    report: FolderReport = check_folder(folder, languages, known=LANGUAGES)
    library = AudioLibrary(config.data_dir)
    print(_("Recordings folder: {folder}").format(folder=folder))
    for name in report.stray_folders:
        print(
            _("UNKNOWN {file}: not a language folder ({languages})").format(
                file=name, languages=", ".join(LANGUAGES)
            )
        )
    for language_report in report.languages:
        _print_language(language_report, library)
    if report.problems or (args.strict and report.missing):
        return EXIT_PROBLEM
    return 0


def say_command(args: argparse.Namespace) -> int:
    config = load_config(args)
    if args.key not in PROMPTS:
        print(
            _("Unknown key '{key}': see 'kiosk audio list'.").format(key=args.key), file=sys.stderr
        )
        return EXIT_PROBLEM
    language = args.lang or config.language
    saved = preferences.load(config.data_dir)
    volume = saved.volume if args.volume is None else args.volume
    library = AudioLibrary(config.data_dir, espeak="espeak-ng" if config.audio.speech else None)
    source = library.sound(args.key, language)[0]
    print(source.describe())
    if saved.muted and args.volume is None:
        print(_("The kiosk is muted (Settings screen); give --volume to hear it anyway."))
        return 0
    player = Player(library, make_sink(config.audio.sink, config.audio.device, config.data_dir))
    player.set_volume(volume)
    try:
        player.say(args.key, language=language)
        player.wait(timeout=60)
    finally:
        player.close()
    if player.errors:
        print(_("The sound could not be played: see the messages above."), file=sys.stderr)
        return EXIT_PROBLEM
    return 0


def list_command(args: argparse.Namespace) -> int:
    config = load_config(args)
    language = args.lang or config.language
    library = AudioLibrary(config.data_dir)
    for key in PROMPTS:
        print(f"{key}: {_sentence(library, key, language)}")
    return 0
