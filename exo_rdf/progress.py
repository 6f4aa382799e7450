"""A one-line progress bar on stderr for the long stages: loading, validating and uploading big files.

On a terminal the bar redraws in place; when forced on elsewhere (``--progress`` into a log) it
prints a line at every tenth of the way. Off by default when stderr is not a terminal, so that
scripts and tests see only results.
"""
from __future__ import annotations

import sys
import threading
import time


class Progress:
    """Progress of one stage: `label`, `done` out of `total` units (bytes are shown as MB).

    Thread-safe: uploads report from several threads. A disabled Progress does nothing.
    """

    def __init__(self, label: str, total: int, *, unit: str = "", enabled: bool | None = None, stream=None):
        self.stream = stream or sys.stderr
        self.enabled = _is_terminal(self.stream) if enabled is None else enabled
        self.label, self.total, self.unit = label, max(total, 1), unit
        self.done = 0
        self._lock = threading.Lock()
        self._start = time.monotonic()
        self._last_draw = 0.0
        self._last_tenth = -1
        self._interactive = _is_terminal(self.stream)

    def add(self, amount: int) -> None:
        """Count amount more units done."""
        with self._lock:
            self.done = min(self.done + amount, self.total)
            self._draw()

    def set(self, done: int) -> None:
        """Set the units done so far."""
        with self._lock:
            self.done = min(done, self.total)
            self._draw()

    def finish(self) -> None:
        """Mark the stage complete and end the line."""
        with self._lock:
            self.done = self.total
            self._draw(final=True)

    def _amount(self, n: int) -> str:
        return f"{n / (1 << 20):.0f}" if self.unit == "MB" else str(n)

    def _draw(self, final: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        fraction = self.done / self.total
        if self._interactive:
            if not final and now - self._last_draw < 0.1:
                return
            end = "\n" if final else ""
        else:
            tenth = int(fraction * 10)
            if tenth == self._last_tenth:
                return
            self._last_tenth = tenth
            end = "\n"
        self._last_draw = now
        width = 28
        filled = int(width * fraction)
        unit = f" {self.unit}" if self.unit else ""
        line = (f"{self.label[-36:]:<36} [{'#' * filled}{'.' * (width - filled)}] "
                f"{self._amount(self.done)}/{self._amount(self.total)}{unit} {now - self._start:5.1f} s"
                f"{'' if final else _eta(self.done, self.total, now - self._start)}")
        self.stream.write(("\r" if self._interactive else "") + line + end)
        self.stream.flush()


def _eta(done: int, total: int, elapsed: float) -> str:
    """ ", ETA 1 min 05 s": the time left at the rate so far (units done per second), or "" before any."""
    if done <= 0 or elapsed <= 0 or done >= total:
        return ""
    left = int((total - done) * elapsed / done)
    return f", ETA {left // 60} min {left % 60:02d} s" if left >= 60 else f", ETA {left} s"


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
