"""Plain tables of potential and current (a voltammogram exported by any program).

A header that names its columns is read by name and unit (``Potential (V)``, ``I/mA``,
``Time (s)``); only a table with no header line at all is read by position: potential,
current and, if present, time. A record without time needs the scan rate, from which the
time of each point follows.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap.errors import FormatError
from redoxmap.io.generic import SYNONYMS
from redoxmap.io.labels import choose_columns, extract
from redoxmap.io.raw import RawCycling, checked
from redoxmap.io.reader import Reader
from redoxmap.io.tabular import find_table_header
from redoxmap.io.text import TextFile, parse_table

_NUMBER_LINE = re.compile(r"^\s*[-+]?(\d|\.\d)")


def read_potential_table(path: Path, *, scan_rate_mV_s: float | None = None) -> RawCycling:
    """Read a table of potential (V) and current (A) with an optional time column (s).

    Parameters
    ----------
    path : Path
    scan_rate_mV_s : float, optional
        Needed when the table has no time column: time is the swept potential over the rate.

    Returns
    -------
    RawCycling
        ``time_s``, ``voltage_V``, ``current_A``.
    """
    source = TextFile.read(path)
    found = find_table_header(source.head(60), SYNONYMS, quantities=("voltage", "current"))
    if found is not None:
        index, sep = found
        frame = parse_table(source, sep=sep, skip_lines=index)
        table = extract(frame, choose_columns(list(frame.columns), SYNONYMS, path=path,
                                              required=("voltage", "current")))
        table = table.apply(pd.to_numeric, errors="coerce")
    else:
        table = _positional(source.text(), path)
    stated = stated_scan_rate("\n".join(source.head(200)))
    metadata = {"stated_scan_rate_mV_s": stated} if stated else {}
    if "time_s" not in table:
        rate = scan_rate_mV_s or stated
        if not rate:
            raise FormatError("a table without a time column, and no scan rate in its header: give the scan rate "
                              "(--scan-rate, or scan_rate_mV_s=)", path=path)
        table["time_s"] = swept_time(table["voltage_V"].to_numpy(float), rate)
    return checked(RawCycling(table[["time_s", "voltage_V", "current_A"]], instrument="unknown",
                              reader="potential-table", source_file=path, metadata=metadata))


_RATES = (
    # CH Instruments "Scan Rate (V/s) = 0.02", Princeton VersaStudio "Scan Rate (V/s)=0.003", PalmSens
    # "Scan rate (V/s): 0.1", and the same with mV/s
    re.compile(r"scan\s*rate\s*\(\s*(m?V/s)\s*\)\s*[=:]\s*([-+\d.eE]+)", re.IGNORECASE),
    re.compile(r"scan\s*rate\s*[=:]\s*([-+\d.eE]+)\s*(m?V/s)", re.IGNORECASE),
    # Gamry DTA "SCANRATE\tQUANT\t100\tScan Rate (mV/s)"
    re.compile(r"^SCANRATE\s+QUANT\s+([-+\d.eE]+)\s+Scan Rate \((m?V/s)\)", re.IGNORECASE | re.MULTILINE),
    # BioLogic .mpt "dE/dt   20.000" with "dE/dt unit   mV/s"
    re.compile(r"^dE/dt\s+([-+\d.eE]+)\s*$.*?^dE/dt unit\s+(m?V/s)", re.IGNORECASE | re.MULTILINE | re.DOTALL),
)


def stated_scan_rate(text: str) -> float | None:
    """The scan rate an instrument wrote into a file's header, in mV/s (None when it states none).

    Examples
    --------
    >>> stated_scan_rate("Init E (V) = 0.2\\nScan Rate (V/s) = 0.02\\n")
    20.0
    >>> stated_scan_rate("SCANRATE\\tQUANT\\t100\\tScan Rate (mV/s)")
    100.0
    """
    for number, pattern in enumerate(_RATES):
        found = pattern.search(text)
        if not found:
            continue
        value, unit = (found.group(2), found.group(1)) if number == 0 else (found.group(1), found.group(2))
        try:
            rate = abs(float(value))
        except ValueError:
            continue
        return rate * (1e3 if unit.lower() == "v/s" else 1.0) or None
    return None


def swept_time(potential_V: np.ndarray, scan_rate_mV_s: float) -> np.ndarray:
    """Time of each point of a sweep at a constant scan rate: the potential travelled so far."""
    travelled = np.concatenate([[0.0], np.cumsum(np.abs(np.diff(potential_V)))])
    return travelled / (scan_rate_mV_s * 1e-3)


def _positional(text: str, path: Path) -> pd.DataFrame:
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if lines and not _NUMBER_LINE.match(lines[0]):
        raise FormatError(f"the header {lines[0].strip()[:80]!r} names no potential and current columns",
                          path=path)
    rows = [[float(v) for v in re.split(r"[\s,;]+", line.strip()) if v] for line in lines
            if _parses(line)]
    if not rows or min(len(r) for r in rows) < 2 or len(rows) < 10:
        raise FormatError("not a CV record: expected potential and current columns", path=path)
    width = min(len(r) for r in rows)
    values = np.array([r[:width] for r in rows])
    table = pd.DataFrame({"voltage_V": values[:, 0], "current_A": values[:, 1]})
    if width >= 3:
        table["time_s"] = values[:, 2]
    return table


def _parses(line: str) -> bool:
    try:
        [float(v) for v in re.split(r"[\s,;]+", line.strip()) if v]
    except ValueError:
        return False
    return True


def _sniff(head: bytes, path: Path) -> bool:
    return b"\x00" not in head[:4096]


READERS = (
    Reader(name="potential-table", modality="cv", instrument="any", extensions=(".csv", ".txt", ".dat"),
           sniff=_sniff, read=read_potential_table, options=("scan_rate_mV_s",), fallback=True,
           description="potential and current[, time] columns, named or (without a header) in that order"),
)
