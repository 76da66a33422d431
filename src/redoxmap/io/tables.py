"""Writing result tables: CSV or Parquet by extension, atomically."""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable
from os import PathLike
from pathlib import Path

import pandas as pd

from redoxmap.errors import FormatError


@functools.cache
def _file_mode() -> int:
    """The mode a new file gets from the process's umask (0644 for the usual 022)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write(path: str | PathLike, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place.

    A crash or an error leaves no half-written file: either the old file or the new one. The file
    gets the permissions the umask gives any new file (a temporary file alone would be owner-only,
    and a report on a shared drive must open for colleagues).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, _file_mode())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def write_table(
    frame: pd.DataFrame, path: str | PathLike, *, csv_extensions: tuple[str, ...] = (".csv",)
) -> Path:
    """Write a table as Parquet (``.parquet``) or CSV (``.csv``), chosen by the extension.

    Parameters
    ----------
    frame : pandas.DataFrame
    path : path-like
        Destination file; written atomically.

    Returns
    -------
    Path

    Raises
    ------
    FormatError
        If the extension is neither.
    """
    path = Path(path)
    name = path.name.lower()
    if name.endswith(".parquet"):
        return atomic_write(path, lambda tmp: _to_parquet(frame, tmp))
    if name.endswith(csv_extensions):
        return atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False))
    raise FormatError("output tables are written as .csv or .parquet", path=path)


def _to_parquet(frame: pd.DataFrame, tmp: Path) -> None:
    clean = frame.copy()
    clean.attrs = {}  # metadata objects are not all JSON-serialisable; tables carry data only
    clean.to_parquet(tmp, index=False)
