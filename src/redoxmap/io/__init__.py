"""Readers and writers: every instrument file becomes a :class:`RawCycling` table.

The reader is chosen by :func:`detect_reader` from the file's name and content; new
formats are added with :func:`register_reader`. The analysis packages build on what
this package returns; this package imports none of them.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from redoxmap.io.bdf import to_bdf, write_bdf
from redoxmap.io.raw import RawCycling
from redoxmap.io.registry import Reader, detect_reader, readers, register_reader
from redoxmap.io.tables import atomic_write, write_table

__all__ = [
    "RawCycling",
    "Reader",
    "atomic_write",
    "detect_reader",
    "read_raw_cycling",
    "readers",
    "register_reader",
    "to_bdf",
    "write_bdf",
    "write_table",
]


def read_raw_cycling(path: str | PathLike, *, format: str | None = None, **options) -> RawCycling:
    """Read a cycler file into canonical columns and units, without segmentation.

    Parameters
    ----------
    path : path-like
        The cycler file.
    format : str, optional
        Reader name (see :func:`readers`); detected from name and content if omitted.
    **options
        Reader options, e.g. ``columns=`` and ``units=`` for the generic ``"csv"`` reader.

    Returns
    -------
    RawCycling
    """
    path = Path(path)
    reader = detect_reader(path, format=format)
    if options:
        unknown = set(options) - set(reader.options)
        if unknown:
            from redoxmap.errors import FormatError

            raise FormatError(
                f"the {reader.name} reader takes no option(s) {', '.join(sorted(unknown))}",
                path=path,
            )
    return reader.read(path, **options)
