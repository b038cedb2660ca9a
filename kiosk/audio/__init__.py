"""The kiosk's voice: which sound to play for a prompt key in a language.

Recordings live in ``<data_dir>/audio/<lang>/<key>.wav`` (16-bit PCM WAV; keys in
kiosk.audio.prompts, how to record them in docs/audio.md). For a key and the reader's language the
kiosk plays the first of:

1. the recording in that language;
2. for Tày, Nùng and H'Mông: the Vietnamese recording — nearly every reader who chose one of
   them also understands spoken Vietnamese (the school language), and a clear Vietnamese
   sentence helps more than silence;
3. the prompt's text spoken by espeak-ng: English text with the English voice for English,
   otherwise the Vietnamese text with the Vietnamese (northern) voice. espeak-ng has no Tày,
   Nùng or H'Mông voice, and a Vietnamese voice reading Tày or H'Mông spelling garbles the
   tones, so these languages hear Vietnamese speech too;
4. the prompt's chime (kiosk.audio.wav.CHIMES): rising for yes, falling for no.

Speech is made once and cached as WAV under ``<data_dir>/cache/speech``. Nothing here plays
sound: kiosk.audio.player does, on a worker thread.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kiosk import i18n
from kiosk.audio.prompts import PROMPTS, Prompt, split_key
from kiosk.audio.spoken import in_words
from kiosk.audio.wav import CHIMES, Sound, WavError, beep, read_wav

log = logging.getLogger(__name__)

AUDIO_DIR = "audio"
SPEECH_CACHE = Path("cache") / "speech"
EXTENSION = ".wav"
#: Languages whose readers hear Vietnamese when their own recording is missing.
HEAR_VIETNAMESE = frozenset({"tyz", "nut", "hnj"})
SPEECH_RATE = 145  # words per minute: a little slower than espeak-ng's 175, for the elderly
SPEECH_TIMEOUT_S = 20


@dataclass(frozen=True)
class Source:
    """Where one sound comes from: a recording, espeak-ng speech, or a chime."""

    kind: str  # "recording" | "speech" | "chime"
    key: str
    language: str = ""  # of the recording or of the spoken text
    path: Path | None = None
    text: str = ""
    chime: str = "notice"

    def describe(self) -> str:
        """One line for staff (`kiosk audio say`)."""
        if self.kind == "recording":
            return f"recording {self.path}"
        if self.kind == "speech":
            return f"espeak-ng ({self.language}): {self.text}"
        return f"chime ({self.chime})"


def speech_language(language: str) -> str:
    """The language whose text espeak-ng says for a reader of `language`."""
    return "en" if language == "en" else "vi"


class AudioLibrary:
    """Finds and loads the sound of a prompt key (recordings, speech, chimes).

    ``espeak``: the espeak-ng program, or None to never synthesise speech.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        espeak: str | None = "espeak-ng",
        site_locale: Path | None = None,
    ) -> None:
        self.folder = data_dir / AUDIO_DIR
        self.cache = data_dir / SPEECH_CACHE
        self.espeak = shutil.which(espeak) if espeak else None
        self.site_locale = site_locale if site_locale is not None else data_dir / "locale"
        self._translators: dict[str, i18n.Translator] = {}

    # -- resolution -----------------------------------------------------------------------------
    def recording(self, key: str, language: str) -> Path:
        return self.folder / language / f"{key}{EXTENSION}"

    def text(self, prompt: Prompt, language: str, figures: dict[str, str] | None = None) -> str:
        """The prompt's words in `language` (with the site's own translations), with
        `figures` (from prompts.figured) said in words."""
        if language not in self._translators:
            self._translators[language] = i18n.Translator(language, self.site_locale)
        translator = self._translators[language]
        said = None if figures is None else {k: in_words(v, language) for k, v in figures.items()}
        return prompt.text(translator.gettext, translator.ngettext, said)

    def sources(self, key: str, language: str) -> Iterator[Source]:
        """Every way to play `key` for a reader of `language`, best first (chime last). A
        prompt with figures is spoken first when the voice speaks the reader's language (a
        recording cannot say today's figures), else its recording."""
        base, figures = split_key(key)
        prompt = PROMPTS.get(base) or Prompt(base)
        spoken = speech_language(language)
        speech = None
        if self.espeak and (prompt.msgids or prompt.counted):
            text = self.text(prompt, spoken, figures or None)
            speech = Source("speech", key, spoken, text=text, chime=prompt.chime)
        speech_first = speech is not None and bool(figures) and spoken == language
        if speech_first:
            yield speech
        languages = [language] + (["vi"] if language in HEAR_VIETNAMESE else [])
        for lang in languages:
            path = self.recording(base, lang)
            if path.is_file():
                yield Source("recording", key, lang, path=path, chime=prompt.chime)
        if speech is not None and not speech_first:
            yield speech
        yield Source("chime", key, chime=prompt.chime)

    def resolve(self, key: str, language: str) -> Source:
        """The source that would play (without loading it)."""
        return next(self.sources(key, language))

    # -- loading --------------------------------------------------------------------------------
    def load(self, source: Source) -> Sound:
        """The samples of `source`; WavError or OSError when it cannot be loaded."""
        if source.kind == "recording" and source.path is not None:
            return read_wav(source.path)
        if source.kind == "speech":
            return read_wav(self.speech_file(source.text, source.language))
        return beep(CHIMES.get(source.chime, CHIMES["notice"]))

    def sound(self, key: str, language: str) -> tuple[Source, Sound]:
        """The best sound for `key` that loads: a broken recording or a failed synthesis
        falls through to the next way (a chime always works)."""
        for source in self.sources(key, language):
            try:
                return source, self.load(source)
            except (WavError, OSError, subprocess.SubprocessError) as exc:
                log.warning("cannot play %s: %s", source.describe(), exc)
        raise AssertionError("unreachable: a chime always loads")

    def speech_file(self, text: str, language: str) -> Path:
        """A WAV of espeak-ng saying `text` (cached: made once per voice, speed and text)."""
        if not self.espeak:
            raise OSError("espeak-ng is not installed")
        voice = "en" if language == "en" else "vi"
        digest = hashlib.sha256(f"{voice}|{SPEECH_RATE}|{text}".encode()).hexdigest()[:24]
        target = self.cache / f"{voice}-{digest}{EXTENSION}"
        if target.is_file():
            return target
        self.cache.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(suffix=EXTENSION, dir=self.cache)
        os.close(fd)
        try:
            # The text goes through stdin (UTF-8), never as an argument that could look
            # like an option.
            subprocess.run(
                [self.espeak, "-v", voice, "-s", str(SPEECH_RATE), "-w", tmp, "--stdin"],
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=SPEECH_TIMEOUT_S,
                check=True,
            )
            os.replace(tmp, target)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return target
