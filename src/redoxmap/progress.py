"""Progress where no terminal shows it: a batch job's log, a pipe, a file.

Rich draws its live bar and spinner only on a terminal; elsewhere it writes nothing until the work ends, so a
campaign of a thousand cells run by a batch system would say nothing for an hour. There, progress is written as
plain lines on standard error instead, at most one every :data:`LOG_EVERY_S` seconds (and the last state when the
work ends), none for work shorter than that.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

LOG_EVERY_S = 10.0
"""Seconds between two progress lines in a log: about six lines a minute, a few hundred for a long campaign."""


def progress_in_lines() -> bool:
    """Whether progress goes as plain lines: standard error is no interactive terminal (decided on the stream
    itself, so that ``FORCE_COLOR`` does not send a live bar's escape codes into a log; a ``TERM=dumb`` terminal,
    where rich's live display shows nothing until the end, gets lines too), and this is no notebook, where rich
    shows its own widget.

    Returns
    -------
    bool
    """
    from rich.console import Console

    console = Console(stderr=True)
    if console.is_jupyter:
        return False
    try:
        terminal = bool(sys.stderr is not None and sys.stderr.isatty())
    except (AttributeError, ValueError):  # no stream, or a closed one
        terminal = False
    return not (terminal and console.is_interactive)


def _monotonic() -> float:
    return time.monotonic()


class ProgressLines:
    """Progress as plain lines, ``[11:42:07, +0:02:10] text``: the time of day and the time since these lines
    started (one phase's, one command's), at most one every ``every_s`` seconds.

    The first line comes once ``every_s`` seconds have passed, so work shorter than that writes nothing; the last
    state is written by :meth:`close` where a line was written before and the state changed since. Safe to update
    from several threads (a report's figures report from the pool's thread).

    Parameters
    ----------
    stream : file-like, optional
        Where the lines go (default: standard error, as it is when the work starts). None where there is no
        standard error (``2>&-``), and lines stop at the first that cannot be written (a closed pipe): progress
        never ends the work, nor goes to standard output.
    every_s : float, optional
        Seconds between two lines (default: :data:`LOG_EVERY_S`, read when the lines start).
    clock : callable, optional
        Seconds from an arbitrary origin (default: :func:`time.monotonic`).

    Examples
    --------
    >>> import io
    >>> ticks = iter([0.0, 4.0, 11.0, 12.0, 25.0, 26.0, 27.0])
    >>> out = io.StringIO()
    >>> lines = ProgressLines(out, every_s=10.0, clock=lambda: next(ticks))
    >>> for text in ("1 of 5", "2 of 5", "3 of 5", "4 of 5", "5 of 5"):
    ...     lines.show(text)
    >>> lines.close()
    >>> print(out.getvalue(), end="")  # doctest: +ELLIPSIS
    [..., +0:00:11] 2 of 5
    [..., +0:00:25] 4 of 5
    [..., +0:00:27] 5 of 5
    """

    def __init__(self, stream: TextIO | None = None, *, every_s: float | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.every_s = LOG_EVERY_S if every_s is None else every_s
        self.clock = clock if clock is not None else _monotonic
        self.started = self.clock()
        self._written_at: float | None = None
        self._pending: str | None = None
        self._lock = threading.Lock()

    def show(self, text: str) -> None:
        """Record the current state; write it if ``every_s`` passed since the start or the last line."""
        with self._lock:
            now = self.clock()
            self._pending = text
            if now - (self.started if self._written_at is None else self._written_at) >= self.every_s:
                self._write(now)

    def update(self, status: str | None = None, **_ignored) -> None:
        """:meth:`show` with the call of rich's ``Status.update`` (its spinner and speed options mean nothing
        here), so that these lines stand where a status spinner does."""
        if status is not None:
            self.show(str(status))

    def close(self) -> None:
        """Write the last state if a line was written before and it changed since."""
        with self._lock:
            if self._written_at is not None and self._pending is not None:
                self._write(self.clock())

    def _write(self, now: float) -> None:
        seconds = int(now - self.started)
        line = (f"[{time.strftime('%H:%M:%S')}, +{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}] "
                f"{self._pending}")
        self._written_at, self._pending = now, None
        if self.stream is None:
            return
        try:
            print(line, file=self.stream, flush=True)
        except (OSError, ValueError):  # a closed pipe or stream: the work goes on without its progress
            self.stream = None
