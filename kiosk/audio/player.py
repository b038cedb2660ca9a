"""Play prompts without ever blocking the caller: a worker thread, a sink, volume and mute.

``Player.say(*keys, language=...)`` returns at once. The worker loads each key's sound
(kiosk.audio: recording, speech or chime), scales it to the volume and hands it to the sink;
a new ``say`` interrupts what is playing. Muted, nothing reaches the sink. Any failure is
logged and forgotten: a missing speaker must never break a loan on screen.

Sinks (chosen by ``[audio] sink`` in the configuration):
- :class:`AplaySink`: ``aplay`` (alsa-utils) in a subprocess, the WAV on its stdin (nothing
  is written to the SD card); a newer prompt kills it;
- :class:`RecordingSink`: plays nothing but keeps what would have been played, with its
  volume-scaled samples, and takes as long as the sound lasts (unless interrupted); with a folder
  it also writes each sound there as a WAV. ``null`` is one without a folder, ``file`` one
  with ``<data_dir>/audio-out``; tests use it too.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import subprocess
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kiosk.audio import AudioLibrary, Source
from kiosk.audio.wav import Sound, scaled, wav_bytes, write_wav
from kiosk.threads import Loop

if TYPE_CHECKING:
    from kiosk.config import Config
    from kiosk.preferences import Preferences

log = logging.getLogger(__name__)

OUT_DIR = "audio-out"
OUT_KEEP = 50  # the file sink keeps the newest sounds only
TAKE_KEY = "take"  # what a sound given to Player.play is called in logs and sinks


class Sink(Protocol):
    """Where sounds go. ``play`` MUST block its (worker) thread until the sound has played,
    and MUST return promptly once `cancelled` is set (at once if it is set already); it MAY
    raise OSError when the device fails."""

    def play(self, sound: Sound, source: Source, cancelled: threading.Event) -> None: ...


class AplaySink:
    """The sound card, through ``aplay``; `device` is an ALSA device name ("" = default)."""

    POLL_S = 0.02

    def __init__(self, device: str = "", program: str = "aplay") -> None:
        self.device = device
        self.program = program

    def command(self) -> list[str]:
        return [self.program, "-q", *(["-D", self.device] if self.device else []), "-"]

    def play(self, sound: Sound, source: Source, cancelled: threading.Event) -> None:
        if cancelled.is_set():
            return
        process = subprocess.Popen(
            self.command(), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        # aplay reads its stdin at the playback rate: feed it from a helper thread, so that
        # this one can watch for a cancellation meanwhile.
        feeder = threading.Thread(target=_feed, args=(process, wav_bytes(sound)), daemon=True)
        feeder.start()
        while process.poll() is None:
            if cancelled.wait(self.POLL_S):
                process.kill()
                break
        process.wait()
        feeder.join()
        errors = process.stderr.read() if process.stderr else b""
        if process.stderr:
            process.stderr.close()
        if process.returncode > 0:  # < 0: killed on purpose
            lines = errors.decode("utf-8", "replace").strip().splitlines()
            raise OSError(f"aplay failed: {lines[-1] if lines else process.returncode}")


def _feed(process: subprocess.Popen, data: bytes) -> None:
    # aplay may end or be killed (a newer prompt) while it is fed: then nothing is left to do.
    with contextlib.suppress(BrokenPipeError, ValueError, OSError):
        process.stdin.write(data)
        process.stdin.close()


@dataclass
class Played:
    """One sound a RecordingSink received."""

    source: Source
    sound: Sound  # as scaled by the player
    interrupted: bool = False
    path: Path | None = None


@dataclass
class RecordingSink:
    """A silent sink that remembers the newest `keep` sounds and how they ended.

    ``realtime``: a sound takes its own duration to "play" (so a new prompt can interrupt
    it); otherwise it ends at once. ``folder``: also write each sound there as a WAV.
    """

    folder: Path | None = None
    realtime: bool = True
    keep: int = OUT_KEEP
    played: deque = field(default_factory=deque)
    _count: int = 0

    def play(self, sound: Sound, source: Source, cancelled: threading.Event) -> None:
        entry = Played(source, sound)
        if self.folder is not None:
            entry.path = self._write(sound, source.key)
        self.played.append(entry)
        while len(self.played) > self.keep:
            self.played.popleft()
        if self.realtime:
            entry.interrupted = cancelled.wait(sound.seconds)
        else:
            entry.interrupted = cancelled.is_set()

    @property
    def keys(self) -> list[str]:
        """The keys played, oldest first."""
        return [entry.source.key for entry in self.played]

    def _write(self, sound: Sound, key: str) -> Path:
        """Save the sound as the folder's next numbered WAV; keep the newest `keep` files."""
        assert self.folder is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        files = sorted(self.folder.glob("[0-9][0-9][0-9][0-9][0-9][0-9]-*.wav"))
        if not self._count and files:  # numbering goes on across runs
            self._count = int(files[-1].name[:6])
        self._count += 1
        path = self.folder / f"{self._count:06d}-{key}.wav"
        write_wav(sound, path)
        for old in files[: max(0, len(files) + 1 - self.keep)]:
            old.unlink(missing_ok=True)
        return path


def has_sound_card(cards: Path = Path("/proc/asound/cards")) -> bool:
    """Whether ALSA lists a sound card."""
    try:
        text = cards.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return bool(text.strip()) and "no soundcards" not in text


def make_sink(kind: str, device: str, data_dir: Path) -> Sink:
    """The sink named by the configuration ("auto" picks aplay only where it can play)."""
    if kind == "auto":
        kind = "aplay" if shutil.which("aplay") and has_sound_card() else "null"
        log.info("audio: using the %s sink", kind)
    if kind == "aplay":
        return AplaySink(device)
    if kind == "file":
        return RecordingSink(folder=data_dir / OUT_DIR)
    return RecordingSink(realtime=False)


class Player:
    """Says prompts on a worker thread; the newest request interrupts the one playing."""

    def __init__(
        self, library: AudioLibrary, sink: Sink, *, volume: int = 80, muted: bool = False
    ) -> None:
        self.library = library
        self.sink = sink
        self.volume = volume
        self.muted = muted
        self.errors = 0  # failures so far (logged; never raised to the caller)
        self._last_error = ""
        self._request: tuple[tuple[str | Sound, ...], str] | None = None
        self._cancel = threading.Event()  # set when the request being played is replaced
        self._busy = False
        self._closed = False
        self._wake = threading.Condition()
        self._loop = Loop("audio", self._next)
        self._loop.start()

    # -- the caller's side (the UI thread): never blocks ----------------------------------------
    def say(self, *keys: str, language: str = "vi") -> None:
        """Play `keys` one after the other in `language`, interrupting what plays now."""
        self._ask((keys, language) if keys else None)

    def play(self, sound: Sound) -> None:
        """Play a sound made just now (a staff member's take, to listen back), interrupting
        what plays now; at the volume, and not at all when muted, like a prompt."""
        self._ask(((sound,), ""))

    def _ask(self, request: tuple[tuple[str | Sound, ...], str] | None) -> None:
        """Replace what plays (or waits to play) by `request` (None: silence)."""
        with self._wake:
            self._cancel.set()
            self._cancel = threading.Event()
            self._request = None if self.muted else request
            self._wake.notify_all()

    def stop(self) -> None:
        """Silence now."""
        self.say()

    def set_volume(self, volume: int) -> None:
        self.volume = max(0, min(100, int(volume)))

    def set_muted(self, muted: bool) -> None:
        self.muted = muted
        if muted:
            self.stop()

    def wait(self, timeout: float = 10.0) -> bool:
        """Block until everything asked so far has played (CLI and tests); False on timeout."""
        with self._wake:
            return self._wake.wait_for(
                lambda: self._request is None and not self._busy, timeout=timeout
            )

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._request = None
            self._cancel.set()
            self._wake.notify_all()
        self._loop.stop()

    # -- the worker -----------------------------------------------------------------------------
    def _next(self) -> float | None:
        """Wait for a request and play it (None: closed)."""
        with self._wake:
            self._wake.wait_for(lambda: self._request is not None or self._closed)
            if self._closed:
                return None
            (keys, language), cancelled = self._request, self._cancel
            self._request, self._busy = None, True
        try:
            self._play(keys, language, cancelled)
        finally:
            with self._wake:
                self._busy = False
                self._wake.notify_all()
        return 0

    def _play(
        self, keys: tuple[str | Sound, ...], language: str, cancelled: threading.Event
    ) -> None:
        for key in keys:
            if cancelled.is_set():
                return
            try:
                if isinstance(key, Sound):
                    source, sound = Source("recording", TAKE_KEY), key
                else:
                    source, sound = self.library.sound(key, language)
                if self.muted or cancelled.is_set():
                    return
                self.sink.play(scaled(sound, self.volume), source, cancelled)
            except OSError as exc:  # no speaker, a broken device ...: say it once, go on
                self.errors += 1
                if str(exc) != self._last_error:
                    log.warning("audio: cannot play %s: %s", key, exc)
                self._last_error = str(exc)
                return
            except Exception:  # a bug: log it in full, but keep the kiosk going
                self.errors += 1
                log.exception("audio: cannot play %s", key)
                return


def open_player(config: Config, prefs: Preferences | None = None) -> Player:
    """The player for a kiosk.config.Config, at the saved volume and mute (kiosk.preferences)."""
    from kiosk import preferences

    library = AudioLibrary(config.data_dir, espeak="espeak-ng" if config.audio.speech else None)
    sink = make_sink(config.audio.sink, config.audio.device, config.data_dir)
    prefs = prefs or preferences.load(config.data_dir)
    return Player(library, sink, volume=prefs.volume, muted=prefs.muted)
