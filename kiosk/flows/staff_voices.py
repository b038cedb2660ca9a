"""Staff: record the voice prompts in the commune's language, one prompt at a time.

For each prompt key (reader-priority first, kiosk.audio.readiness) the screen shows the
Vietnamese text and plays the Vietnamese prompt; the librarian says the same meaning in the
chosen language into the microphone, listens back, and keeps the take or records it again.
Each take is checked and cleaned by kiosk.audio.takes (refused when clipped, silent, too short
or only noise, with the reason); a kept take becomes ``<data_dir>/audio/<lang>/<key>.wav`` (the
file the player already plays), written atomically, and the contribution is stamped with the
staff account and the time (kiosk.i18n.provenance). Pure Python: the screen plays the sounds.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk import i18n
from kiosk.audio import AudioLibrary, readiness, takes
from kiosk.audio.prompts import PROMPTS
from kiosk.audio.wav import Sound
from kiosk.clock import Clock
from kiosk.hardware.microphone import Microphone
from kiosk.i18n import _
from kiosk.i18n import provenance as prov

READY, RECORDING, LISTEN = "ready", "recording", "listen"


@dataclass(frozen=True)
class Said:
    """A message for the librarian: its text and kind ("info", "ok", "error", "wait")."""

    text: str
    kind: str = "info"


class VoiceRecording:
    """Recording one language's prompts; `index` is the prompt on screen."""

    def __init__(
        self,
        library: AudioLibrary,
        language: str,
        microphone: Microphone,
        author: prov.Author,
        clock: Clock,
    ) -> None:
        self.library = library
        self.language = language
        self.microphone = microphone
        self.author = author
        self.clock = clock
        self.ledger = prov.Ledger(library.folder.parent, language)
        self.keys = readiness.recording_order()
        self.priority = frozenset(readiness.priority_keys())
        self.index = self.first_missing()
        self.state = READY
        self.take: Sound | None = None
        self.message = Said(_("Listen to the Vietnamese, then press Record and say it."))

    # -- where we are ---------------------------------------------------------------------------
    @property
    def key(self) -> str:
        return self.keys[self.index]

    def recorded(self, key: str) -> bool:
        return self.library.recording(key, self.language).is_file()

    def first_missing(self, after: int = -1) -> int:
        """The first prompt after `after` (wrapping round) without a recording; reader-priority
        prompts come first in the list. When all are recorded: the one after `after`."""
        count = len(self.keys)
        order = [(after + 1 + n) % count for n in range(count)]
        return next((n for n in order if not self.recorded(self.keys[n])), order[0])

    def progress(self) -> tuple[int, int]:
        """(reader-priority prompts recorded, how many there are)."""
        return sum(self.recorded(k) for k in self.priority), len(self.priority)

    def vietnamese(self) -> str:
        """What the prompt says, in Vietnamese, with {placeholders} where figures go."""
        return self.library.text(PROMPTS[self.key], "vi")

    def has_figures(self) -> bool:
        """A prompt the kiosk says with today's figures: a recording cannot say them."""
        return bool(PROMPTS[self.key].counted)

    def contribution(self) -> prov.Contribution | None:
        return self.ledger.get(prov.RECORDING, self.key)

    def go(self, step: int) -> None:
        """Another prompt (+1 next, -1 previous); a take not kept is dropped."""
        if self.state == RECORDING:
            return
        self.index = (self.index + step) % len(self.keys)
        self.state, self.take = READY, None
        self.message = Said(_("Listen to the Vietnamese, then press Record and say it."))

    # -- recording --------------------------------------------------------------------------------
    def start(self) -> bool:
        """Begin a take; False (and the reason) when the microphone cannot be opened."""
        if self.state == RECORDING:
            return True
        try:
            self.microphone.start()
        except OSError as exc:
            self.message = Said(
                _("The microphone cannot be used: {error}").format(error=exc), "error"
            )
            return False
        self.state, self.take = RECORDING, None
        self.message = Said(_("Recording ... speak now, then press Stop."), "wait")
        return True

    def stop(self) -> takes.Verdict | None:
        """End the take and check it: a good one waits to be listened to and kept."""
        if self.state != RECORDING:
            return None
        self.state = READY
        try:
            capture = self.microphone.stop()
        except OSError as exc:
            self.message = Said(
                _("The microphone stopped working: {error}").format(error=exc), "error"
            )
            return None
        verdict = takes.check(capture.pcm, capture.rate)
        if not verdict.ok:
            self.message = Said(_(takes.PROBLEMS[verdict.problem]), "error")
            return verdict
        self.state, self.take = LISTEN, verdict.sound
        self.message = Said(
            _("Good take ({seconds} s). Listen to it, then Keep it or record again.").format(
                seconds=i18n.format_number(verdict.seconds, decimals=1)
            ),
            "ok",
        )
        return verdict

    def keep(self) -> bool:
        """Save the take as this prompt's recording and go to the next prompt to record."""
        if self.state != LISTEN or self.take is None:
            return False
        path = self.library.recording(self.key, self.language)
        try:
            digest = takes.keep(path, self.take)
            self.ledger.record(prov.RECORDING, self.key, self.author, self.clock.now(), digest)
        except OSError as exc:  # a full or read-only card: the take stays, to try again
            self.message = Said(_("Not saved: {error}").format(error=exc.strerror or exc), "error")
            return False
        kept = self.key
        self.state, self.take = READY, None
        self.index = self.first_missing(after=self.index)
        self.message = Said(_("Kept: {key}. Next prompt.").format(key=kept), "ok")
        return True

    def discard(self) -> None:
        """Forget the take (record again)."""
        if self.state == LISTEN:
            self.state, self.take = READY, None
            self.message = Said(_("Take dropped. Press Record to try again."))

    def review(self) -> bool:
        """The staff member on duty confirms the recording another one made."""
        done = self.ledger.review(prov.RECORDING, self.key, self.author, self.clock.now())
        self.message = (
            Said(_("Marked as reviewed by {name}.").format(name=self.author.name), "ok")
            if done
            else Said(_("Only another staff member can review this recording."), "error")
        )
        return done
