"""Writing result tables: CSV or Parquet by extension, atomically."""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable
from os import PathLike
from pathlib import Path

import numpy as np
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
        return atomic_write(path, lambda tmp: _to_csv(frame, tmp))
    raise FormatError("output tables are written as .csv or .parquet", path=path)


POLARS_FROM_ROWS = 100_000
"""Tables of at least this many rows are written by polars: pandas' ``to_csv`` formats each value in Python (8.8 s
for the 2.9-million-row dQ/dV table of a 1,000-cell report, polars 0.40 s, byte for byte the same file), and below
this size polars' import (0.2 s) would cost more than it saves."""


def _to_csv(frame: pd.DataFrame, tmp: Path) -> None:
    """``frame`` as CSV without its index, as pandas writes it (flags ``True``/``False``, missing values empty); a
    large table of plain columns (numbers, flags, text) through polars (:data:`POLARS_FROM_ROWS`), whose numbers
    read back the same but may be spelled otherwise (``0.00001`` for pandas' ``1e-05``)."""
    if len(frame) < POLARS_FROM_ROWS or not _plain_columns(frame):
        frame.to_csv(tmp, index=False)
        return
    import polars as pl

    table = pl.from_pandas(frame, include_index=False)
    flags = [name for name, dtype in table.schema.items() if dtype == pl.Boolean]
    table = table.with_columns(pl.col(name).replace_strict({True: "True", False: "False"}, return_dtype=pl.String)
                               for name in flags)
    table.write_csv(tmp)


def _plain_columns(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` has two columns or more, each a real number, a flag or text under a unique text name: what
    polars writes as pandas does. Dates, complex numbers and Python objects it spells otherwise or not at all,
    float16 with all its digits (``0.099975586`` for pandas' ``0.1``), and a missing value of a one-column table as
    an empty line, which a CSV reader skips."""
    names = list(frame.columns)
    if len(names) < 2 or len(set(names)) != len(names) or not all(isinstance(name, str) for name in names):
        return False
    return all(_plain(frame[name]) for name in names)


def _plain(column: pd.Series) -> bool:
    types, dtype = pd.api.types, column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return types.infer_dtype(dtype.categories, skipna=True) == "string"
    if types.is_bool_dtype(dtype):
        return True
    if types.is_numeric_dtype(dtype):
        return not types.is_complex_dtype(dtype) and dtype != np.float16
    return types.infer_dtype(column, skipna=True) == "string"  # text, with gaps; an object column of text alone


def _to_parquet(frame: pd.DataFrame, tmp: Path) -> None:
    clean = frame.copy()
    clean.attrs = {}  # metadata objects are not all JSON-serialisable; tables carry data only
    clean.to_parquet(tmp, index=False)
