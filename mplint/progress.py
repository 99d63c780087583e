"""A progress bar on standard error, for runs long enough to need one.

``mplint check`` shows it when standard error is a terminal and ``--quiet`` is not given, and only once
the files still to lint have taken :data:`DELAY` seconds: a short run prints nothing more than before.
The bar is redrawn in place (a carriage return, no new line) from a background thread, so that a long
file still shows the time going by, and erased before the report is printed.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Callable, Optional, TextIO

__all__ = ["DELAY", "Progress", "wanted"]

#: Seconds before the bar appears.
DELAY = 2.0
#: Seconds between redraws.
INTERVAL = 0.25
_WIDTH = 24


def wanted(stream: TextIO, quiet: bool) -> bool:
    """Whether a run should show progress on ``stream``: a terminal (not a dumb one), not ``--quiet``."""
    if quiet or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except ValueError:  # a closed stream
        return False


class Progress:
    """Files linted out of the total, and the time since the start, drawn on one line of ``stream``."""

    def __init__(
        self,
        stream: TextIO,
        *,
        delay: float = DELAY,
        interval: float = INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.delay = delay
        self.interval = interval
        self.clock = clock
        self.total = 0
        self.done = 0
        self.started = 0.0
        self.shown = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def start(self, total: int) -> None:
        """Begin timing ``total`` files; the bar appears once ``delay`` seconds have passed."""
        self.total = total
        self.started = self.clock()
        if total and self._thread is None:
            self._thread = threading.Thread(target=self._tick, name="mplint-progress", daemon=True)
            self._thread.start()

    def advance(self) -> None:
        """One more file is done."""
        with self._lock:
            self.done += 1
        self.draw()

    def render(self) -> str:
        """The bar's line: ``mplint: [#######.......] 12/40 files, 0:07``."""
        total = max(self.total, 1)
        filled = min(_WIDTH, self.done * _WIDTH // total)
        elapsed = int(max(self.clock() - self.started, 0.0))
        bar = "#" * filled + "." * (_WIDTH - filled)
        noun = "file" if self.total == 1 else "files"
        return (
            f"mplint: [{bar}] {self.done}/{self.total} {noun}, {elapsed // 60}:{elapsed % 60:02d}"
        )

    def draw(self) -> None:
        """Redraw the bar, once the delay has passed."""
        with self._lock:
            if self._stop.is_set() or self.clock() - self.started < self.delay:
                return
            self.shown = True
            self._write("\r" + self.render() + "\x1b[K")

    def close(self) -> None:
        """Stop redrawing and erase the bar (the line is left empty for the report)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._lock:
            if self.shown:
                self._write("\r\x1b[K")
                self.shown = False

    def _tick(self) -> None:
        while not self._stop.wait(self.interval):
            self.draw()

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away: no progress, the run goes on
            self._stop.set()
