"""Which prompts and texts matter most to a reader, and when a language is ready to offer.

One place decides "reader-priority" (everything else about contributions uses it): the
prompts a reader meets on the way to a loan or a return, in the order they meet them — Home,
borrowing, returning, the refusals, the summary, then the help of those screens — followed by
the words on the big buttons of those screens. The staff screens for recording and
translating list these first (kiosk.flows.staff_voices, kiosk.flows.staff_translate).

A language that is neither Vietnamese nor English is offered on Home only when it is useful
(``[languages]`` in the configuration, default: every reader-priority prompt recorded, or at
least 90% of the reader-priority texts translated), so a reader never picks a "Tày" that is
really Vietnamese. The kiosk's own configured language is always shown; staff can preview a
hidden one from the staff screens.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kiosk import i18n, messages
from kiosk.audio import AUDIO_DIR, EXTENSION
from kiosk.audio.prompts import PROMPTS, Prompt
from kiosk.circulation import Refusal
from kiosk.config import Languages

#: Reader-priority prompt keys in the order readers meet them (refusals expand below).
_PRIORITY_HEAD = ("screen-home", "screen-identify", "screen-borrow", "ok-borrow")
_PRIORITY_TAIL = (
    "screen-returns", "ok-return", "nothing-borrowed", "summary-lent", "screen-summary",
    "help-home", "help-identify", "help-borrow", "help-returns", "help-summary", "help-generic",
)  # fmt: skip
#: The words on the big buttons of Home, borrowing, returning and the summary: msgids marked
#: where the screens show them (.kv files), so not marked again here (a test checks them).
READER_LABELS = ("Borrow", "Return", "Find a book", "My loans", "Finish", "Done", "Remove", "Home")
ALWAYS_SHOWN = ("vi", "en")  # Vietnamese is complete; English is the source


def priority_keys() -> tuple[str, ...]:
    """The reader-priority prompt keys, in reader order."""
    refusals = tuple(f"refusal-{r.value.replace('_', '-')}" for r in Refusal)
    keys = (*_PRIORITY_HEAD, "refusal-unknown-reader", *refusals, *_PRIORITY_TAIL)
    return tuple(dict.fromkeys(keys))


def recording_order() -> list[str]:
    """Every prompt staff can record: reader-priority first, then the others in catalogue
    order. Chimes are left out (a beep is no sentence to say)."""
    first = list(priority_keys())
    rest = [key for key, p in PROMPTS.items() if key not in first and _sentences(p)]
    return first + rest


def _sentences(prompt: Prompt) -> tuple[str, ...]:
    """The msgids a prompt says: its sentences and the first form of its counted ones."""
    return (*prompt.msgids, *(singular for singular, _plural, _n in prompt.counted))


def priority_msgids() -> list[str]:
    """The reader-priority texts (English msgids), in reader order, each once."""
    found: list[str] = []
    for key in priority_keys():
        found += _sentences(PROMPTS[key])
    found += READER_LABELS
    found.append(messages.ASK_LIBRARIAN)
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class Coverage:
    """How much of a language's reader-priority content exists at this kiosk."""

    language: str
    recorded: int
    prompts: int
    translated: int
    texts: int

    @property
    def recorded_percent(self) -> float:
        return 100.0 * self.recorded / self.prompts if self.prompts else 100.0

    @property
    def translated_percent(self) -> float:
        return 100.0 * self.translated / self.texts if self.texts else 100.0


def useful(coverage: Coverage, threshold: Languages) -> bool:
    """Whether a language passes the threshold (``[languages]``): either share is enough."""
    return (
        coverage.recorded_percent >= threshold.recorded_percent
        or coverage.translated_percent >= threshold.translated_percent
    )


def coverage(data_dir: Path, language: str) -> Coverage:
    """Count the reader-priority recordings (``audio/<lang>/<key>.wav``) and translations
    (the packaged catalogue with the site's own, never the Vietnamese fallback)."""
    folder = data_dir / AUDIO_DIR / language
    keys = priority_keys()
    recorded = sum((folder / f"{key}{EXTENSION}").is_file() for key in keys)
    catalog = i18n.load_catalog(language, data_dir / "locale")
    texts = priority_msgids()
    translated = sum(bool(catalog.messages.get(m)) for m in texts)
    return Coverage(language, recorded, len(keys), translated, len(texts))


def shown_languages(
    data_dir: Path,
    languages: Iterable[str],
    threshold: Languages,
    kiosk_language: str,
    preview: str = "",
) -> list[str]:
    """The languages Home offers, in picker order: Vietnamese, English, the kiosk's own, a
    staff `preview`, and each other language that meets `threshold`."""
    return [
        lang
        for lang in languages
        if lang in ALWAYS_SHOWN
        or lang in (kiosk_language, preview)
        or useful(coverage(data_dir, lang), threshold)
    ]
