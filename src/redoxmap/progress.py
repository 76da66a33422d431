"""Progress where no terminal shows it: a batch job's log, a pipe, a file.

Rich draws its live bar and spinner only on a terminal; elsewhere it writes nothing until the work ends, so a
campaign of a thousand cells run by a batch system would say nothing for an hour. There, progress is written as
plain lines instead, at most one every :data:`LOG_EVERY_S` seconds, none for work shorter than that.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

LOG_EVERY_S = 10.0
"""Seconds between two progress lines in a log: about six lines a minute, a few hundred for a long campaign."""


def interactive_stderr() -> bool:
    """Whether standard error is a terminal, where rich draws live progress."""
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


class ProgressLines:
    """Progress as plain lines (``[h:mm:ss] text``), at most one every ``every_s`` seconds.

    The first line comes once ``every_s`` seconds have passed, so work shorter than that writes nothing; the last
    state is written by :meth:`close` where a line was written before it and the state changed since.

    Parameters
    ----------
    stream : file-like, optional
        Where the lines go (default: standard error, as it is when the work starts).
    every_s : float, optional
        Seconds between two lines (default: :data:`LOG_EVERY_S`, read when the lines start).
    clock : callable
        Seconds from an arbitrary origin (:func:`time.monotonic`).

    Examples
    --------
    >>> import io
    >>> ticks = iter([0.0, 4.0, 11.0, 12.0, 25.0])
    >>> out = io.StringIO()
    >>> lines = ProgressLines(out, every_s=10.0, clock=lambda: next(ticks))
    >>> for text in ("1 of 4", "2 of 4", "3 of 4", "4 of 4"):
    ...     lines.show(text)
    >>> lines.close()
    >>> print(out.getvalue(), end="")
    [0:00:11] 2 of 4
    [0:00:25] 4 of 4
    """

    def __init__(self, stream: TextIO | None = None, *, every_s: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.every_s, self.clock = LOG_EVERY_S if every_s is None else every_s, clock
        self.started = clock()
        self._written_at: float | None = None
        self._pending: str | None = None

    def show(self, text: str) -> None:
        """Record the current state; write it if ``every_s`` passed since the start or the last line."""
        now = self.clock()
        self._pending = text
        if now - (self.started if self._written_at is None else self._written_at) >= self.every_s:
            self._write(now)

    update = show
    """The same as :meth:`show`, so that these lines stand where a rich status spinner does."""

    def close(self) -> None:
        """Write the last state if a line was written before and it changed since."""
        if self._written_at is not None and self._pending is not None:
            self._write(self.clock())

    def _write(self, now: float) -> None:
        seconds = int(now - self.started)
        print(f"[{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}] {self._pending}", file=self.stream,
              flush=True)
        self._written_at, self._pending = now, None
