"""The registry of cycler-file readers and the detection of a file's format.

A reader is registered once with the extensions it claims and a ``sniff`` function
that looks at the first bytes of a file. :func:`detect_reader` asks the readers that
claim the extension first, then every reader, so that a mislabelled file is still
recognised and a file nobody recognises gets an error that lists what was tried.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

from redoxmap.errors import FormatError, ReadError

HEAD_BYTES = 65536


@dataclass(frozen=True)
class Reader:
    """A registered cycler-file reader.

    Attributes
    ----------
    name : str
        Short identifier, usable as ``format=`` in :func:`redoxmap.read_cycling`.
    instrument : str
        The instrument family, recorded in the metadata of what it reads.
    extensions : tuple of str
        Lower-case file name endings it claims (``".mpt"``, ``".bdf.csv"``).
    sniff : callable
        ``sniff(head: bytes, path: Path) -> bool``: does the file look like this format?
    read : callable
        ``read(path: Path, **options) -> RawCycling``.
    """

    name: str
    instrument: str
    extensions: tuple[str, ...]
    sniff: Callable[[bytes, Path], bool]
    read: Callable[..., object]
    description: str = ""
    options: tuple[str, ...] = field(default_factory=tuple)
    fallback: bool = False  # tried only after every instrument-specific reader


_READERS: dict[str, Reader] = {}


def register_reader(reader: Reader) -> Reader:
    """Add a reader to the registry (replacing one of the same name) and return it."""
    _READERS[reader.name] = reader
    return reader


def readers() -> dict[str, Reader]:
    """All registered readers by name, in registration order."""
    _load_builtin_readers()
    return dict(_READERS)


def _load_builtin_readers() -> None:
    # Importing the modules registers their readers; done lazily so that importing
    # redoxmap stays cheap.
    from redoxmap.io import arbin, bdf, biologic, generic, landt, maccor, neware  # noqa: F401


def read_head(path: Path) -> bytes:
    """The first bytes of a file, with clear errors for missing, unreadable or empty files."""
    if not path.exists():
        raise ReadError("file does not exist", path=path)
    if path.is_dir():
        raise ReadError("is a folder, not a file", path=path)
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as exc:
        raise ReadError(f"cannot be opened ({exc.strerror})", path=path) from exc
    if not head.strip():
        raise ReadError("file is empty", path=path)
    return head


def detect_reader(path: str | PathLike, *, format: str | None = None) -> Reader:
    """Choose the reader for a file from its name and content.

    Parameters
    ----------
    path : path-like
        The file.
    format : str, optional
        A reader name that overrides detection.

    Returns
    -------
    Reader

    Raises
    ------
    ReadError
        If the file is missing or empty.
    FormatError
        If ``format`` is unknown or no reader recognises the file.
    """
    path = Path(path)
    known = readers()
    if format is not None:
        if format not in known:
            raise FormatError(
                f"unknown format {format!r}; known formats: {', '.join(known)}", path=path
            )
        read_head(path)
        return known[format]
    head = read_head(path)
    name = path.name.lower()
    by_extension = [r for r in known.values() if any(name.endswith(e) for e in r.extensions)]
    # Longest matching extension first, so ".bdf.csv" beats ".csv".
    by_extension.sort(key=lambda r: -max(len(e) for e in r.extensions if name.endswith(e)))
    others = [r for r in known.values() if r not in by_extension]
    order = [r for r in by_extension if not r.fallback] + [r for r in others if not r.fallback]
    order += [r for r in by_extension + others if r.fallback]
    for reader in order:
        if reader.sniff(head, path):
            return reader
    claimed = ", ".join(r.name for r in by_extension) or "none"
    raise FormatError(
        "not a cycler file redoxmap recognises (readers claiming its extension: "
        f"{claimed}); pass format=... or use the generic CSV reader with a column mapping",
        path=path,
    )
