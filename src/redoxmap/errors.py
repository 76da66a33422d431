"""Exception and warning types of redoxmap.

Every failure that redoxmap can explain raises a subclass of :class:`RedoxmapError`,
so that scripts can catch one type, and every message names the file and what is
wrong with it. Suspicious but usable data produces a :class:`RedoxmapWarning`.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

__all__ = [
    "AnalysisError",
    "DataWarning",
    "FitError",
    "FitWarning",
    "FormatError",
    "ManifestError",
    "MissingDependencyError",
    "ReadError",
    "RedoxmapError",
    "RedoxmapWarning",
    "stack_level",
    "warn",
]


class RedoxmapError(Exception):
    """Base class of every error raised by redoxmap.

    Parameters
    ----------
    message : str
        What is wrong, in words a user can act on.
    path : str or path-like, optional
        The file the problem is about; it is put in front of the message.
    """

    def __init__(self, message: str, *, path: str | PathLike | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.message = message
        super().__init__(f"{self.path}: {message}" if self.path is not None else message)


class ReadError(RedoxmapError):
    """A file cannot be read: missing, empty, truncated or corrupted."""


class FormatError(ReadError):
    """A file was read but is not in a format redoxmap knows, or lacks a needed column."""


class MissingDependencyError(RedoxmapError, ImportError):
    """An optional dependency is needed; the message names the extra that provides it."""


class ManifestError(RedoxmapError):
    """A study manifest (``study.toml``) is invalid or names files that do not exist."""


class AnalysisError(RedoxmapError, ValueError):
    """An analysis was asked for something the data or its arguments cannot give (a ``ValueError`` too, so
    that code catching a bad value catches it)."""


class FitError(AnalysisError):
    """A fit could not be carried out (too few points, no convergence)."""


class RedoxmapWarning(UserWarning):
    """Base class of redoxmap's warnings."""


class DataWarning(RedoxmapWarning):
    """Data that is usable but suspicious: a missing mass, an implausible capacity."""


class FitWarning(RedoxmapWarning):
    """A fit that finished but should not be trusted blindly (a parameter at its bound)."""


def warn(message: str, category: type[Warning] = DataWarning) -> None:
    """Warn at the user's line: :func:`warnings.warn` with the stack level of :func:`stack_level`.

    Parameters
    ----------
    message : str
        What is suspicious and what to do about it, naming the file where there is one.
    category : type of Warning
        :class:`DataWarning` (the default) for questionable input, :class:`FitWarning` for a fit to check,
        :class:`RedoxmapWarning` or a built-in category for anything else.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn("cell.ndax: no active mass given; capacities are in mAh")
    >>> caught[0].category.__name__, str(caught[0].message)
    ('DataWarning', 'cell.ndax: no active mass given; capacities are in mAh')
    """
    import warnings

    warnings.warn(message, category, stacklevel=stack_level())  # stack_level counts this frame too


def stack_level() -> int:
    """The ``stacklevel`` that makes a warning point at the first caller outside redoxmap (the user's
    script or notebook cell), not at redoxmap's own source: counted by walking the stack, as pandas does,
    since a fixed number is wrong from every call depth but one. Pass it as ``warnings.warn(...,
    stacklevel=stack_level())``."""
    import inspect
    import os

    package = os.path.dirname(os.path.abspath(__file__))
    frame = inspect.currentframe()
    level = 0
    try:
        while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
            frame = frame.f_back
            level += 1
    finally:
        del frame
    return max(level, 1)

