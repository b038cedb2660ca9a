"""Everything the kiosk says aloud, each under a stable key, and each screen's help.

A key names one prompt in every language: the recording ``<data_dir>/audio/<lang>/<key>.wav``
(see docs/audio.md and kiosk.audio), or else the prompt's text spoken by espeak-ng, or else
its chime. Keys are lowercase ASCII words joined by "-", so staff can type them as file names.
The texts are the same English msgids the screens show (translated through kiosk.i18n), so a
recording, the speech and the screen say the same thing.

Kinds of keys:
- ``screen-<name>``: said when a reader opens that screen (Home: when a language is chosen);
- ``help-<name>``: the screen's help, said when its help overlay opens;
- ``refusal-<code>`` / ``notice-<code>``: every Refusal and Notice of kiosk.circulation;
- ``ok-borrow`` / ``ok-return`` / ``ok-renew``: a transaction went through;
- the app's own notices (several tags, hold still ...), and ``chime-*``: beeps only (a site
  may record its own chime).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl, urlencode

from kiosk import messages
from kiosk.circulation import Notice, Refusal
from kiosk.i18n import N_, Nn_


@dataclass(frozen=True)
class Prompt:
    """One thing the kiosk can say: its sentences (English msgids) and its fallback chime.

    ``counted``: sentences with figures, each (singular, plural, the figure that picks the
    form), said after ``msgids`` with the figures of the moment in words (:func:`figured`).
    """

    key: str
    msgids: tuple[str, ...] = ()
    chime: str = "notice"  # "ok" | "refused" | "notice" (kiosk.audio.wav.CHIMES)
    counted: tuple[tuple[str, str, str], ...] = ()

    def text(
        self,
        gettext: Callable[[str], str],
        ngettext: Callable[[str, str, int], str] | None = None,
        figures: Mapping[str, tuple[int | None, str]] | None = None,
    ) -> str:
        """The sentences in one language (`gettext`/`ngettext` of that language), as one text
        to say. `figures`: name -> (its number, or None; its words); without them the
        placeholders stay (the text staff read when they record the prompt)."""
        said = {k: words for k, (_n, words) in (figures or {}).items()}
        words = [gettext(m).format(**said) if said else gettext(m) for m in self.msgids]
        for singular, plural, count in self.counted:
            if figures is None or ngettext is None:
                words.append(gettext(singular))
                continue
            n = figures[count][0]
            sentence = ngettext(singular, plural, n if n is not None else 1)
            words.append(sentence.format(**said))
        return " ".join(words)


Figure = int | date | str


def figured(key: str, **figures: Figure) -> str:
    """A prompt key with the figures to say in it ("summary-lent?count=3&due=2026-12-24"):
    numbers and dates are said in words, in the reader's language (kiosk.audio.spoken)."""
    return f"{key}?{urlencode(sorted((k, str(v)) for k, v in figures.items()))}"


def split_key(key: str) -> tuple[str, dict[str, str]]:
    """The prompt key and its figures (as text), from what :func:`figured` made."""
    base, _mark, query = key.partition("?")
    return base, dict(parse_qsl(query))


def code_key(prefix: str, code: str) -> str:
    """``refusal-unknown-item`` for Refusal.UNKNOWN_ITEM: file-name friendly."""
    return f"{prefix}-{code.replace('_', '-')}"


def refusal_key(reason: Refusal) -> str:
    return code_key("refusal", reason.value)


def notice_key(notice: Notice) -> str:
    return code_key("notice", notice.value)


# -- screen prompts: said when the screen opens -----------------------------------------------
SCREEN_PROMPTS: dict[str, tuple[str, ...]] = {
    "home": (N_("Welcome! Touch a picture: borrow, return, find a book or see your loans."),),
    "identify": (N_("Tap your card on the reader"),),
    "borrow": (N_("Tap each book on the reader, one at a time."),),
    "summary": (N_("Thank you! Bring the books back by the date on the screen."),),
    "returns": (N_("Tap each book on the reader, one at a time."),),
    "loans": (N_("Here are your books and the day to bring each one back."),),
    "search": (N_("Type a few letters of a title or an author."),),
    "staff": (N_("Tap your staff card on the reader."),),
}

# -- help: (icon name in kiosk.screens.theme.ICONS, sentence), shown and said in order ------------
HelpLines = tuple[tuple[str, str], ...]
GENERIC = "generic"  # the help of a reader screen that has none of its own
STAFF_GENERIC = "staff_generic"  # the help of a staff screen with none of its own

HELP: dict[str, HelpLines] = {
    "home": (
        ("language", N_("Touch your language at the top.")),
        ("borrow", N_("To borrow books, touch Borrow, then tap your card.")),
        ("return", N_("To return books, touch Return. No card is needed.")),
        ("search", N_("To find a book, touch Find a book.")),
        ("loans", N_("To see your books and keep them longer, touch My loans.")),
    ),
    "identify": (
        ("card", N_("Hold your library card flat on the reader.")),
        ("ask", N_("No card yet? Ask the librarian to make one for you.")),
        ("home", N_("Touch Home to go back.")),
    ),
    "borrow": (
        ("book", N_("Tap each book on the reader, one at a time.")),
        ("ok", N_("Green: you may take the book home.")),
        ("refused", N_("Red or orange: the book stays here. Listen to the reason.")),
        ("back", N_("Tapped a book by mistake? Touch Remove.")),
        ("done", N_("When you are done, touch Finish.")),
    ),
    "summary": (
        ("ok", N_("Your books are lent to you.")),
        ("calendar", N_("The big date is the day to bring them back.")),
        ("done", N_("Touch Done when you are finished.")),
    ),
    "returns": (
        ("book", N_("Tap each book on the reader, one at a time. No card is needed.")),
        ("ok", N_("Green: the book is returned. Put it on the cart.")),
        ("notice", N_("Blue: the book goes on the rotation shelf.")),
        ("done", N_("Touch Done when you are finished.")),
    ),
    "loans": (
        ("loans", N_("Here are your books and the day to bring each one back.")),
        ("ask", N_("Red: the book is late. Please bring it back soon.")),
        ("renew", N_("Touch Renew to keep a book longer.")),
    ),
    "search": (
        ("search", N_("Type a few letters of a title or an author.")),
        ("ok", N_("Green: a copy is on the shelf. Look for the shelf name.")),
        ("notice", N_("Blue: read it here, in the reading room. It does not go home.")),
        ("ask", N_("Orange: all copies are lent. Ask the librarian.")),
    ),
    "staff": (
        ("staff", N_("For library staff only.")),
        ("card", N_("Tap your staff card, type your PIN, then touch OK.")),
        ("home", N_("Touch Home to go back.")),
    ),
    "staff_menu": (
        ("staff", N_("Choose a task with the big buttons.")),
        ("done", N_("When you are finished, touch Back to the kiosk.")),
    ),
    "staff_register": (
        ("card", N_("Tap the new reader's card, or find a reader by name to change their card.")),
        ("staff", N_("Type the name, choose the group, then read the notice to the reader.")),
        ("ok", N_("The reader agrees: touch Accept. The card works at once.")),
        ("back", N_("Touch Back to return to the staff menu.")),
    ),
    "staff_labels": (
        ("book", N_("Choose a shelf, then put each book's tag on the reader when asked.")),
        ("ok", N_("Green: the label is written and checked. Stick the tag inside the cover.")),
        ("refused", N_("Red: write it again, or use a new tag.")),
        ("back", N_("Touch Back to return to the staff menu.")),
    ),
    "staff_inventory": (
        ("book", N_("Choose a shelf, then tap every book on it, one at a time.")),
        ("ask", N_("Touch Finish: the list shows missing books and books on the wrong shelf.")),
        ("done", N_("You can stop and go on later: the count is kept.")),
        ("back", N_("Touch Back to return to the staff menu.")),
    ),
    "staff_import": (
        ("book", N_("Put the USB stick in and touch the catalogue file: it is checked first.")),
        ("ask", N_("Read the lines that cannot be imported, then touch Import.")),
        ("ok", N_("Nothing changes until you touch Import.")),
        ("back", N_("Touch Back to return to the staff menu.")),
    ),
    "staff_rotation": (
        ("book", N_("Choose a batch from the provincial library to receive or send back.")),
        ("ok", N_("Tap each book of the box: the screen counts them and lists the missing.")),
        ("calendar", N_("Red: the batch is due back at the provincial library.")),
        ("back", N_("Touch Back to return to the staff menu.")),
    ),
    "staff_reports": (
        ("calendar", N_("Touch the arrows to change the month, or show the whole year.")),
        ("ok", N_("Save CSV writes a spreadsheet to the USB stick; Printable page writes a page.")),
        ("back", N_("Touch Back to return to the staff menu.")),
    ),
    "staff_voices": (
        (
            "listen",
            N_("Listen to the Vietnamese prompt, then press Record and say it in your language."),
        ),
        ("ok", N_("Press Stop at the end, listen to the take, then press Keep.")),
        ("refused", N_("Too loud, too quiet or silent: the kiosk says so. Record again.")),
        ("back", N_("Touch Back to return to the staff menu.")),
    ),
    "staff_translate": (
        ("language", N_("Choose the language, then touch a text. The first ones matter most.")),
        (
            "ok",
            N_(
                "Type the translation; words in curly brackets have keys of their own."
                " Then touch Save."
            ),
        ),
        ("ask", N_("Another speaker of the language checks it and touches Reviewed.")),
        ("back", N_("Touch Back to return to the staff menu.")),
    ),
    "settings": (
        ("volume", N_("Touch – or + to change the volume, then Test sound to hear it.")),
        ("mute", N_("Sound off makes the kiosk silent. The buzzer still beeps.")),
        ("large_text", N_("Large text makes the words bigger.")),
        ("contrast", N_("High contrast shows light words on black.")),
        ("ok", N_("These settings are kept when the kiosk restarts.")),
    ),
    GENERIC: (
        ("home", N_("Touch Home to go back to the start.")),
        ("ask", N_("If you need help, ask the librarian.")),
    ),
    STAFF_GENERIC: (
        ("staff", N_("Follow the steps on the screen, one at a time.")),
        ("back", N_("Touch Back to return to the staff menu.")),
        ("ask", N_("If something is unclear, call the provincial library.")),
    ),
}
#: Under every staff screen's help when the site set ``kiosk.hotline`` (said with the number).
HOTLINE = N_("Provincial library: {phone}")


def help_topic(screen: str) -> str:
    """Which help a screen shows: its own, else the staff or the reader fallback."""
    if screen in HELP:
        return screen
    return STAFF_GENERIC if screen.startswith("staff") else GENERIC


def help_lines(screen: str) -> HelpLines:
    """The help of `screen` (icon name, English msgid) in order."""
    return HELP[help_topic(screen)]


def help_key(screen: str) -> str:
    return f"help-{help_topic(screen).replace('_', '-')}"


def screen_key(screen: str) -> str | None:
    """The prompt said when `screen` opens, if it has one."""
    return f"screen-{screen.replace('_', '-')}" if screen in SCREEN_PROMPTS else None


# -- outcomes -----------------------------------------------------------------------------------
OK_PROMPTS: dict[str, tuple[str, ...]] = {
    "borrow": (N_("You may take this book home."),),
    "return": (N_("Returned — put it on the cart."),),
    "renew": (N_("Renewed."),),
}
# The app's own notices and hints.
OTHER_PROMPTS: dict[str, tuple[tuple[str, ...], str]] = {
    "several-tags": (
        (N_("Several tags at once: please tap one book at a time."),),
        "notice",
    ),
    "hold-still": ((N_("Hold the book still on the reader for a moment."),), "notice"),
    "item-on-home": ((N_("To borrow, press Borrow first; to return, press Return."),), "notice"),
    "unknown-tag": (
        (N_("This card or book is not known here. Please ask the librarian."),),
        "refused",
    ),
    "book-not-card": ((N_("That is a book. Please tap your card first."),), "notice"),
    "card-not-book": ((N_("This is a card, not a book. Please tap a book."),), "notice"),
    "already-listed": ((N_("This book is already on your list."),), "notice"),
    "overdue-warning": (
        (N_("You have a late book. Please bring it back soon."),),
        "notice",
    ),
    "nothing-borrowed": (
        (N_("No book was borrowed."), N_("The reasons are on the screen.")),
        "notice",
    ),
    "not-staff-card": ((N_("This is not a staff card."),), "refused"),
    "still-there": ((N_("Are you still there?"), N_("Touch the screen to continue.")), "notice"),
    "sound-test": ((N_("This is how loud the kiosk speaks."),), "ok"),
    "hotline": ((HOTLINE,), "notice"),  # said with figured(..., phone=...)
    # The paper slip's outcome (the Print button on the summary)
    "slip-printed": ((N_("Your slip is printed. Please take it."),), "ok"),
    "slip-no-paper": ((N_("The printer is out of paper. Please ask the librarian."),), "notice"),
    "slip-missing": ((N_("The printer is not answering. Please ask the librarian."),), "notice"),
}
CHIME_OK, CHIME_REFUSED, CHIME_NOTICE = "chime-ok", "chime-refused", "chime-notice"
# Prompts that say the figures of the moment (see figured()): (singular, plural, counted by).
COUNTED_PROMPTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "summary-lent": (
        (
            *Nn_(
                "You borrowed {count} book. Bring it back by {due}.",
                "You borrowed {count} books. Bring them back by {due}.",
            ),
            "count",
        ),
    ),
    "account": (
        (*Nn_("You have {count} book on loan.", "You have {count} books on loan."), "count"),
        (*Nn_("You may borrow {more} more book.", "You may borrow {more} more books."), "more"),
    ),
    "search-found": (
        (*Nn_("{count} book found: {titles}.", "{count} books found: {titles}."), "count"),
    ),
}


def _catalogue() -> dict[str, Prompt]:
    found: list[Prompt] = []
    for screen, msgids in SCREEN_PROMPTS.items():
        found.append(Prompt(f"screen-{screen.replace('_', '-')}", msgids))
    for topic, lines in HELP.items():
        found.append(Prompt(f"help-{topic.replace('_', '-')}", tuple(m for _, m in lines)))
    for reason in Refusal:
        found.append(Prompt(refusal_key(reason), messages.refusal_msgids(reason), "refused"))
    for notice in Notice:
        found.append(Prompt(notice_key(notice), (messages.NOTICES[notice],), "notice"))
    for action, msgids in OK_PROMPTS.items():
        found.append(Prompt(f"ok-{action}", msgids, "ok"))
    for key, (msgids, chime) in OTHER_PROMPTS.items():
        found.append(Prompt(key, msgids, chime))
    for key, counted in COUNTED_PROMPTS.items():
        chime = "ok" if key == "summary-lent" else "notice"
        found.append(Prompt(key, chime=chime, counted=counted))
    for key, chime in ((CHIME_OK, "ok"), (CHIME_REFUSED, "refused"), (CHIME_NOTICE, "notice")):
        found.append(Prompt(key, (), chime))
    return {prompt.key: prompt for prompt in found}


#: Every key, in a stable order (screens, help, refusals, notices, outcomes, others, chimes).
PROMPTS: dict[str, Prompt] = _catalogue()

# The order in which a return's notices are said: where the book goes first.
_NOTICE_ORDER = (
    Notice.ROTATION_ITEM,
    Notice.WAS_NOT_ON_LOAN,
    Notice.FOUND,
    Notice.RETURNED_LATE,
    Notice.DUE_SHORTENED,
    Notice.ALREADY_YOURS,
)


def result_keys(result) -> tuple[str, ...]:
    """What to say for one kiosk.desk.Result: its refusal, or the outcome and its notices
    (mirrors kiosk.screens.outcomes.describe, so the voice says what the screen shows)."""
    if not result.ok:
        return (refusal_key(result.refusal),)
    notices = [n for n in _NOTICE_ORDER if n in result.notices]
    keys = [notice_key(n) for n in notices]
    if result.action == "return" and (
        Notice.WAS_NOT_ON_LOAN in notices or Notice.ROTATION_ITEM in notices
    ):
        return tuple(keys)  # the notice already says where the book goes
    if Notice.ALREADY_YOURS in notices:
        return tuple(keys)
    return (f"ok-{result.action}", *keys)


def results_keys(results) -> tuple[str, ...]:
    """What to say for several results at once (Renew all): the first refusal, else done."""
    refused = [r for r in results if not r.ok]
    if refused:
        return result_keys(refused[0])
    return ("ok-renew",) if results else (CHIME_NOTICE,)
