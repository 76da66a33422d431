"""The table a reader returns, and the checks every reader's output goes through."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap.errors import DataWarning, FormatError, ReadError, warn

REQUIRED_COLUMNS = ("time_s", "voltage_V", "current_A")


@dataclass
class RawCycling:
    """A cycler file's records in canonical units, before segmentation.

    Attributes
    ----------
    table : pandas.DataFrame
        ``time_s``, ``voltage_V``, ``current_A`` (positive = charging) and, where the
        file has them, ``instrument_cycle``, ``instrument_step``, ``temperature_C``,
        ``instrument_charge_capacity_Ah``, ``instrument_discharge_capacity_Ah``.
    instrument : str
        The instrument family (``"BioLogic"``, ``"Neware"``...).
    reader : str
        The name of the reader that produced it.
    source_file : Path
    metadata : dict
        What the file says about itself (mass, dates, technique), as found.
    """

    table: pd.DataFrame
    instrument: str
    reader: str
    source_file: Path
    metadata: dict = field(default_factory=dict)


def checked(raw: RawCycling) -> RawCycling:
    """Validate and tidy a reader's output; every reader's result passes through here.

    Drops rows without time, voltage or current, converts voltages recorded in mV
    under a ``V`` label, and warns where time runs backwards. A reader may hand its table
    over as a dict of column arrays: the checks run on the arrays and the DataFrame is built
    once, at the end (column access on a DataFrame costs tens of microseconds each, which
    for a file of a few thousand rows is more than the checks).

    Raises
    ------
    FormatError
        If a required column is missing.
    ReadError
        If no usable row remains (an empty or truncated file).
    """
    table, path = raw.table, raw.source_file
    columns = dict(table) if isinstance(table, dict) else {c: table[c].to_numpy() for c in table.columns}
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise FormatError(f"no {', '.join(missing)} column", path=path)
    required = [np.asarray(columns[c], dtype=float) for c in REQUIRED_COLUMNS]
    finite = np.isfinite(required[0]) & np.isfinite(required[1]) & np.isfinite(required[2])
    if not finite.all():
        dropped = int((~finite).sum())
        if dropped > 1:  # a single incomplete last line is what an interrupted export leaves
            warn(
                f"{path}: {dropped} rows without time, voltage or current were dropped",
                DataWarning,
            )
        columns = {name: np.asarray(values)[finite] for name, values in columns.items()}
        required = [values[finite] for values in required]
    time, voltage, current = required
    if not len(time):
        raise ReadError("contains no data rows with time, voltage and current", path=path)
    largest_voltage = refuse_implausible(voltage, 1e5, "voltage (V)", path)  # 1e5: mV under a V label passes
    refuse_implausible(current, 1e4, "current (A)", path)
    if largest_voltage > 100.0:
        warn(
            f"{path}: voltages up to {largest_voltage:.1f} look like millivolts "
            "under a volt label; they were divided by 1000",
            DataWarning,
        )
        columns["voltage_V"] = voltage / 1000.0
    backwards = time[1:] < time[:-1]  # np.diff's array of differences was 0.28 s of an 11-million-row read
    if backwards.any():
        warn(
            f"{path}: time runs backwards at {int(backwards.sum())} rows (first at row "
            f"{int(np.argmax(backwards)) + 1}); those intervals count as zero duration",
            DataWarning,
        )
    raw.table = _frame(columns)
    return raw


def _frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """A DataFrame of column arrays (not copied), its column labels an Index made once per set of names:
    making it from the names was a third of a DataFrame's making (25 us), a tenth of a small file's read."""
    frame = pd.DataFrame(dict(enumerate(columns.values())), copy=False)
    frame.columns = _labels(tuple(columns)).view()  # its own Index object: a name set on one table stays there
    return frame


@lru_cache(maxsize=64)
def _labels(names: tuple[str, ...]) -> pd.Index:
    return pd.Index(names)


def read_raw_cycling(path: str | PathLike, *, format: str | None = None, **options) -> RawCycling:
    """Read a cycler file into canonical columns and units, without segmentation.

    Parameters
    ----------
    path : path-like
        The cycler file.
    format : str, optional
        Reader name (see :func:`readers`); detected from content and name if omitted.
    **options
        Reader options, e.g. ``columns=`` and ``units=`` for the generic ``"csv"`` reader.

    Returns
    -------
    RawCycling
    """
    from redoxmap.io.registry import read_with

    return read_with(path, modality="cycling", format=format, **options)[1]


def refuse_implausible(values, limit: float, what: str, path) -> float:
    """Refuse magnitudes no instrument writes (``1e308`` from a damaged or mis-parsed file).

    Parameters
    ----------
    values : array-like
        The values (non-finite ones are ignored: those are dropped elsewhere, with a warning).
    limit : float
        The largest magnitude a real file of this kind holds, with its unit, far beyond any measurement.
    what : str
        The quantity with its unit, for the message (``"voltage (V)"``).

    Returns
    -------
    float
        The largest finite magnitude (0 for none).

    Raises
    ------
    FormatError
    """
    values = np.asarray(values, dtype=float)
    if not values.size:
        return 0.0
    # The extremes, NaN ignored: two plain reductions. A masked maximum of the magnitudes took 20 ns a value
    # (0.24 s a column of an 11-million-row export); it is needed only where an infinity is among them.
    with np.errstate(invalid="ignore"):
        low, high = np.fmin.reduce(values, axis=None), np.fmax.reduce(values, axis=None)  # of any shape
    if np.isfinite(low) and np.isfinite(high):
        largest = max(abs(float(low)), abs(float(high)))
    else:
        largest = float(np.max(np.abs(values), initial=0.0, where=np.isfinite(values)))
    if largest > limit:
        raise FormatError(f"{what} reaches {largest:.3g}, beyond {limit:g}: not a measurement "
                          "(a damaged file, or a column read as the wrong quantity)", path=path)
    return largest
