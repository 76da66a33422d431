"""Battery Data Format (BDF): read and write its exact column labels.

BDF (Battery Data Alliance, Linux Foundation Energy) fixes one table layout for cycler
data: preferred labels such as ``Test Time / s``, ``Voltage / V``, ``Current / A``
(positive current = charging) or the machine-readable names ``test_time_second``,
``voltage_volt``, ``current_ampere``. Both are read; the preferred labels are written.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap.errors import FormatError, ReadError
from redoxmap.io.archives import gunzip
from redoxmap.io.reader import Reader, read_head
from redoxmap.io.tables import write_table
from redoxmap.io.tabular import read_delimited, sniff_header, table_to_raw
from redoxmap.io.text import TextFile

SYNONYMS = {
    "time": ["testtime", ("testtimesecond", "s")],
    "voltage": ["voltage", ("voltagevolt", "v")],
    "current": ["current", ("currentampere", "a")],
    "cycle": ["cyclecount"],
    "step": ["stepcount", "stepindex"],
    "temperature": ["ambienttemperature", ("ambienttemperaturecelsius", "c"),
                    "surfacetemperaturet1", ("temperaturet1celsius", "c")],
    "charge_capacity": ["chargingcapacity", ("chargingcapacityah", "ah")],
    "discharge_capacity": ["dischargingcapacity", ("dischargingcapacityah", "ah")],
}

# Canonical column -> BDF preferred label, in the order they are written.
PREFERRED_LABELS = {
    "time_s": "Test Time / s",
    "voltage_V": "Voltage / V",
    "current_A": "Current / A",
    "cycle": "Cycle Count / 1",
    "step": "Step Count / 1",
    "instrument_step": "Step Index / 1",
    "temperature_C": "Ambient Temperature / degC",
}


_GZIP_MAGIC = b"\x1f\x8b"


def _sniff(head: bytes, path: Path) -> bool:
    name = path.name.lower()
    if head.startswith(b"PAR1"):
        return ".bdf" in name
    if head.startswith(_GZIP_MAGIC):
        return ".bdf" in name
    return sniff_header(head, SYNONYMS, limit=3) and (
        ".bdf" in name or b"Test Time / " in head or b"test_time_second" in head
    )


def read_bdf(path: Path):
    """Read a BDF table (``.bdf``, ``.bdf.csv``, ``.bdf.gz``, ``.bdf.parquet``)."""
    if path.name.lower().endswith(".parquet"):
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises ArrowInvalid/OSError on damaged files
            raise ReadError(f"not a readable Parquet file ({type(exc).__name__}: {exc})", path=path) from exc
        frame.attrs = {}
    elif read_head(path).startswith(_GZIP_MAGIC):
        frame = read_delimited(path, SYNONYMS, limit=3, arrays=True,
                               source=TextFile.read(path, gunzip(path.read_bytes(), path)))
    else:
        frame = read_delimited(path, SYNONYMS, limit=3, arrays=True)
    return table_to_raw(frame, SYNONYMS, path=path, instrument="BDF", reader="bdf")


def to_bdf(table: pd.DataFrame) -> pd.DataFrame:
    """A canonical cycling table as a BDF table with the preferred labels.

    Charging and discharging capacity are the charge passed within each half cycle,
    zero outside it.
    """
    out = {label: table[column].to_numpy() for column, label in PREFERRED_LABELS.items()
           if column in table}
    if "capacity_Ah" in table and "state" in table:
        state = table["state"].astype(str).to_numpy()
        capacity = table["capacity_Ah"].to_numpy()
        out["Charging Capacity / Ah"] = np.where(state == "charge", capacity, 0.0)
        out["Discharging Capacity / Ah"] = np.where(state == "discharge", capacity, 0.0)
    return pd.DataFrame(out)


def write_bdf(table: pd.DataFrame, path: str | PathLike) -> Path:
    """Write a canonical cycling table as BDF (``.bdf.csv`` or ``.bdf.parquet``).

    Parameters
    ----------
    table : pandas.DataFrame
        A table from :func:`redoxmap.read_cycling`.
    path : path-like
        Destination; the extension chooses CSV or Parquet. Written atomically.

    Returns
    -------
    Path
    """
    path = Path(path)
    if not path.name.lower().endswith((".bdf.csv", ".bdf.parquet", ".bdf")):
        raise FormatError("a BDF file name ends in .bdf.csv, .bdf.parquet or .bdf", path=path)
    return write_table(to_bdf(table), path, csv_extensions=(".csv", ".bdf"))


READERS = (
    Reader(
        name="bdf", modality="cycling", instrument="BDF", extensions=(".bdf", ".bdf.csv", ".bdf.gz", ".bdf.parquet"),
        sniff=_sniff, read=read_bdf, description="Battery Data Format table (CSV or Parquet)",
    ),
)
