"""Camera barcode source: frames from a camera (or a folder), decoded off the UI thread.

Frame sources (each opens its library lazily, so the kiosk runs without them):

* :class:`Picamera2Frames`: the Raspberry Pi camera through picamera2 (Debian package
  ``python3-picamera2``; the venv needs ``--system-site-packages``). We ask for YUV420 and
  keep the Y plane: the grey image zbar wants, with no colour conversion at all.
* :class:`OpenCVFrames`: a V4L2 USB webcam through OpenCV (the optional ``camera`` extra,
  ``opencv-python-headless``). Frames are BGR.
* :class:`FolderFrames`: the images of a folder, in name order: tests and ``kiosk demo``.

:class:`CameraBarcodeSource` implements :class:`kiosk.hardware.interfaces.BarcodeSource`:
its thread reads frames and hands each to a :class:`DecodeWorker`, which decodes on a
thread of its own and gives up waiting after ``timeout_s``; a :class:`Confirmer` accepts a
code only once two frames read it identically, and then not again while it stays in view.
Accepted codes go to ``on_code`` as :class:`~kiosk.hardware.interfaces.CodeSeen` (pass a
queue's ``put`` to get them on a queue).
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Protocol

import numpy as np
from PIL import Image

from kiosk.hardware import barcode
from kiosk.hardware.barcode import Code
from kiosk.hardware.interfaces import CodeSeen
from kiosk.i18n import _
from kiosk.threads import Loop

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
DEFAULT_SIZE = (640, 480)


class CameraUnavailable(RuntimeError):
    """The camera cannot be used; the message says what to install, plug in or enable."""


class FrameSource(Protocol):
    """Something that gives camera frames.

    MUST: ``read()`` return the next frame as a numpy array in channel order ``order``
    ("L", "RGB", "BGR", ...), or None when no frame is available now (``exhausted`` then
    says whether one ever will be); ``close()`` release the device.
    """

    order: str

    @property
    def exhausted(self) -> bool: ...

    def read(self) -> np.ndarray | None: ...

    def close(self) -> None: ...


def _import(name: str, hint: str) -> ModuleType:
    """Import an optional library, or raise CameraUnavailable with ``hint``."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise CameraUnavailable(hint) from exc


# -- sources ---------------------------------------------------------------------------------------
class FolderFrames:
    """The images of a folder as frames (RGB), in name order.

    Each image is given ``repeat`` times in a row, as a camera sees the same book in
    several frames (the confirmer wants two reads); ``loop`` starts over at the end.
    """

    order = "RGB"

    def __init__(self, folder: Path | str, *, repeat: int = 1, loop: bool = False) -> None:
        self.folder = Path(folder)
        self.repeat = max(1, repeat)
        self.loop = loop
        found = self.folder.iterdir() if self.folder.is_dir() else iter(())
        self.paths = sorted(p for p in found if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self.paths:
            raise CameraUnavailable(_("No images in {folder}.").format(folder=self.folder))
        self._next = 0

    @property
    def exhausted(self) -> bool:
        """True once every image was read (never when looping)."""
        return not self.loop and self._next >= len(self.paths) * self.repeat

    def read(self) -> np.ndarray | None:
        """The next frame as an RGB array; None at the end."""
        if self.exhausted:
            return None
        path = self.paths[(self._next // self.repeat) % len(self.paths)]
        self._next += 1
        with Image.open(path) as image:
            return np.asarray(image.convert("RGB"))

    def close(self) -> None:
        """Nothing to release."""


class OpenCVFrames:
    """A V4L2 webcam through OpenCV (optional extra); frames are BGR."""

    order = "BGR"
    exhausted = False

    def __init__(self, device: int | str = 0, size: tuple[int, int] = DEFAULT_SIZE) -> None:
        cv2 = _import("cv2", _("OpenCV is missing: pip install 'thuvien-kiosk[camera]'."))
        self._capture = cv2.VideoCapture(device, cv2.CAP_V4L2)
        if not self._capture.isOpened():
            raise CameraUnavailable(
                _(
                    "The camera {device} cannot be opened. Is it plugged in, and is the kiosk "
                    "user in the video group?"
                ).format(device=device)
            )
        self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, size[0])
        self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, size[1])
        # One buffered frame: decoding is slower than the camera, and a stale queue of
        # frames would show the book the reader held up a second ago.
        self._capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)

    def read(self) -> np.ndarray | None:
        """The latest frame, or None if the camera gave none (unplugged, timeout)."""
        ok, frame = self._capture.read()
        return frame if ok else None

    def close(self) -> None:
        """Release the device."""
        self._capture.release()


class Picamera2Frames:
    """The Raspberry Pi camera through picamera2; frames are the Y (luma) plane, grey."""

    order = "L"
    exhausted = False

    def __init__(self, size: tuple[int, int] = DEFAULT_SIZE, camera: int = 0) -> None:
        module = _import(
            "picamera2",
            _(
                "The picamera2 module is missing: sudo apt install python3-picamera2, and create "
                "the kiosk's virtual environment with --system-site-packages."
            ),
        )
        try:
            self._camera = module.Picamera2(camera)
        except (IndexError, RuntimeError) as exc:  # no camera attached / in use
            raise CameraUnavailable(
                _("The Raspberry Pi camera cannot be opened ({error}).").format(error=exc)
            ) from exc
        self._size = size
        config = self._camera.create_video_configuration(main={"size": size, "format": "YUV420"})
        self._camera.configure(config)
        self._camera.start()

    def read(self) -> np.ndarray | None:
        """The latest frame's luma plane (the first ``height`` rows of the YUV420 buffer)."""
        frame = self._camera.capture_array("main")
        width, height = self._size
        return frame[:height, :width]

    def close(self) -> None:
        """Stop and release the camera."""
        self._camera.stop()
        self._camera.close()


# -- decoding off the caller's thread --------------------------------------------------------------
Decoder = Callable[[np.ndarray, str], list[Code]]


def default_decoder(frame: np.ndarray, order: str) -> list[Code]:
    """The kiosk's decoder with the camera loop's time budget: once it is spent, the views
    left are skipped (the next frame comes in a few ms); a still image gets no budget."""
    return barcode.decode_report(frame, order=order, budget_s=barcode.CAMERA_BUDGET_S).codes


@dataclass
class _Job:
    frame: np.ndarray
    order: str
    done: threading.Event
    result: list[Code] | None = None
    error: BaseException | None = None


class DecodeWorker:
    """Decodes one frame at a time on a worker thread; the caller waits at most ``timeout_s``.

    A decode that overruns is abandoned: the caller gets None and carries on (its result,
    if it ever comes, is dropped). Python cannot kill a thread, so while an abandoned
    decode still runs no new one is started (``decode`` returns None at once): at most one
    thread is ever stuck, whatever zbar does.
    """

    def __init__(self, decoder: Decoder = default_decoder, timeout_s: float = 0.5) -> None:
        self.decoder = decoder
        self.timeout_s = timeout_s
        self.timeouts = 0  # decodes abandoned
        self.skipped = 0  # frames not decoded because an abandoned decode still ran
        self.errors = 0
        self._running: _Job | None = None

    @property
    def busy(self) -> bool:
        """True while an abandoned decode is still running."""
        return self._running is not None and not self._running.done.is_set()

    def decode(self, frame: np.ndarray, order: str) -> list[Code] | None:
        """The codes in ``frame``, or None if the decode timed out, failed or was skipped."""
        if self.busy:
            self.skipped += 1
            return None
        job = _Job(frame, order, threading.Event())
        self._running = job
        threading.Thread(target=self._run, args=(job,), name="barcode-decode", daemon=True).start()
        if not job.done.wait(self.timeout_s):
            self.timeouts += 1
            log.warning("barcode decode abandoned after %.2f s", self.timeout_s)
            return None
        if job.error is not None:
            self.errors += 1
            log.error("barcode decode failed: %r", job.error)
            return None
        return job.result

    def _run(self, job: _Job) -> None:
        try:
            job.result = self.decoder(job.frame, job.order)
        except Exception as exc:  # a decoder bug must not kill the camera thread
            job.error = exc
        finally:
            job.done.set()


# -- two identical reads ---------------------------------------------------------------------------
class Confirmer:
    """Accepts a code once it was read ``reads`` times, each within ``window_s`` of the last.

    A single read may be a misread (zbar's EAN-13 check digit catches only 9 in 10); the
    same value from two frames is far less likely to be wrong. An accepted code is not
    accepted again while it keeps being read (the book held in front of the camera): only
    after it was out of sight for ``hold_s``.
    """

    def __init__(self, reads: int = 2, window_s: float = 1.0, hold_s: float = 3.0) -> None:
        self.reads = reads
        self.window_s = window_s
        self.hold_s = hold_s
        self._count: dict[Code, int] = {}
        self._last: dict[Code, float] = {}
        self._accepted: set[Code] = set()

    def feed(self, codes: list[Code], at: float) -> list[CodeSeen]:
        """The codes of one frame read at time ``at``; returns those accepted now."""
        self._forget(at)
        accepted = []
        for code in dict.fromkeys(codes):  # one vote per frame
            if code in self._accepted:
                self._last[code] = at
                continue
            recent = at - self._last.get(code, -1e18) <= self.window_s
            self._count[code] = self._count.get(code, 0) + 1 if recent else 1
            self._last[code] = at
            if self._count[code] >= self.reads:
                self._accepted.add(code)
                accepted.append(CodeSeen(code.value, code.symbology, at))
        return accepted

    def _forget(self, now: float) -> None:
        for code, last in list(self._last.items()):
            limit = self.hold_s if code in self._accepted else self.window_s
            if now - last > limit:
                self._last.pop(code)
                self._count.pop(code, None)
                self._accepted.discard(code)


# -- the barcode source ----------------------------------------------------------------------------
class CameraBarcodeSource:
    """A :class:`~kiosk.hardware.interfaces.BarcodeSource` on a frame source.

    Its thread reads a frame, decodes it through the worker (at most ``timeout_s``), feeds
    the confirmer and calls ``on_code`` for each accepted code; ``interval_s`` paces the
    loop (0: as fast as decoding goes). A frame source that fails is logged and retried.
    """

    def __init__(
        self,
        frames: FrameSource,
        *,
        worker: DecodeWorker | None = None,
        confirmer: Confirmer | None = None,
        interval_s: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.frames = frames
        self.worker = worker or DecodeWorker()
        self.confirmer = confirmer or Confirmer()
        self.interval_s = interval_s
        self.clock = clock
        self.frames_read = 0
        self._lock = threading.Lock()  # stop() vs a callback in flight
        # A frame source that fails is logged and retried after 1 s (the Loop's policy).
        self._loop = Loop("barcode-camera", self._read, join_s=self.worker.timeout_s + 1.0)
        self._on_code: Callable[[CodeSeen], None] | None = None

    @property
    def running(self) -> bool:
        """True while the thread runs (it ends by itself when a folder is exhausted)."""
        return self._loop.alive

    def start(self, on_code: Callable[[CodeSeen], None]) -> None:
        """Start reading; ``on_code`` is called from this source's thread (idempotent)."""
        if self._loop.alive:
            return
        self._on_code = on_code
        self._loop.start()

    def stop(self) -> None:
        """Stop reading; ``on_code`` is never called after this returns (idempotent)."""
        with self._lock:
            self._on_code = None
        self._loop.stop()

    def _read(self) -> float | None:
        """Read and decode one frame; the wait before the next (None: no frames will come)."""
        frame = self.frames.read()
        if frame is None:
            return None if self.frames.exhausted else 0.05
        self.frames_read += 1
        codes = self.worker.decode(frame, self.frames.order)
        if codes is not None:
            self._deliver(self.confirmer.feed(codes, self.clock()))
        return self.interval_s

    def _deliver(self, seen: list[CodeSeen]) -> None:
        with self._lock:
            if self._on_code is None:
                return
            for event in seen:
                self._on_code(event)
