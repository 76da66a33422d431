"""Pfeiffer Vacuum mass-spectrometer files: PV MassSpec scan exports (PrismaPro) and Quadstar ``.sac``.

The export is a preamble (program version, run, start date, sensor, mass range and
resolution, number of time points) and a table: one row per scan, with its relative and
absolute time, then one column per mass step (``0.20``, ``0.30``... amu). Scans that were not
completed are written as ``-nan`` and dropped.

Quadstar 32-bit ``.sac`` files (analogue scans of a QMS/QMG) are read through RosettaSciIO (the
``tem`` extra), whose reader decodes their binary layout.

Scans are turned into mass channels as an RGA's bar-graph mode reports them
(:func:`~redoxmap.io.ms_files.scans_to_channels`); the full scans are kept in
``metadata["scans"]`` (``time_s``, ``mass_amu``, ``signal``) for spectra.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from os import PathLike
from pathlib import Path

import numpy as np

from redoxmap.errors import FormatError, ReadError
from redoxmap.io.ms_files import MsRecording, nonempty, scans_to_channels
from redoxmap.io.reader import Reader, read_head
from redoxmap.io.text import decode, head_text

# A value is a number or a time stamp; a longer row is damaged (pandas spends seconds on a field of megabytes).
MAX_FIELD_CHARACTERS = 64
MAX_COLUMNS = 64_004  # 1,000 amu at 64 points per amu, and the time and step columns


def _sniff(head: bytes, path: Path) -> bool:
    text = head_text(head)
    return text.startswith("PV MassSpec") and "EXPORTED" in text[:200]


def read_pv_massspec(path: str | PathLike) -> MsRecording:
    """Read a PV MassSpec scan export into per-mass channels (peak heights) and its scans.

    Returns
    -------
    MsRecording
    """
    import pandas as pd

    path = Path(path)
    if not _sniff(read_head(path), path):
        raise FormatError("not a PV MassSpec export (no 'PV MassSpec' / 'EXPORTED' preamble)", path=path)
    text = decode(path.read_bytes())
    preamble, _, _ = text.partition("Time Relative (sec)")
    if "EXPORTED SCAN DATA" not in preamble:
        kind = preamble.splitlines()[1].strip() if len(preamble.splitlines()) > 1 else "unknown"
        raise FormatError(f"a PV MassSpec export of kind {kind!r}; redoxmap reads scan exports", path=path)
    if not _:
        raise ReadError("no 'Time Relative (sec)' table header", path=path)
    start = text.index("Time Relative (sec)")
    header_end = text.find("\n", start)
    columns = text.count("\t", start, header_end if header_end >= 0 else len(text)) + 1
    if columns > MAX_COLUMNS:
        raise ReadError(f"a scan table header of {columns:,} columns (at most {MAX_COLUMNS:,}: 1,000 amu at "
                        "64 points per amu): damaged", path=path)
    longest = max(map(len, text[start:].splitlines()))
    if longest > MAX_FIELD_CHARACTERS * columns:
        raise ReadError(f"a row of {longest:,} characters in a table of {columns:,} columns: damaged", path=path)
    try:
        table = pd.read_csv(io.StringIO(text[start:]), sep="\t", na_values=["-nan", "nan", "NaN"], engine="c")
    except (ValueError, pd.errors.ParserError) as exc:
        raise ReadError(f"scan table cannot be parsed ({str(exc)[:120]})", path=path) from exc
    # Names stripped before they are used: pandas selects columns through a fixed-width array of their
    # names, so one name padded with megabytes of blanks would cost gigabytes.
    table.columns = [str(c).strip() for c in table.columns]
    mass_columns = [c for c in table.columns if re.fullmatch(r"\d+(\.\d+)?", c)]
    if not mass_columns:
        raise ReadError("the scan table has no mass columns", path=path)
    masses = np.array([float(c) for c in mass_columns])
    currents = table[mass_columns].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    time_s = pd.to_numeric(table["Time Relative (sec)"], errors="coerce").to_numpy(dtype=float)
    complete = np.isfinite(time_s) & np.isfinite(currents).all(axis=1)
    if not complete.any():
        raise ReadError("no complete scan (every row has missing values)", path=path)
    time_s, currents = time_s[complete], currents[complete]
    channels, units = nonempty(*scans_to_channels(path, time_s, masses, currents, "A"), path)
    when = re.search(r"^(\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2})\s*$", preamble, re.MULTILINE)
    start_time = datetime.strptime(when.group(1), "%m/%d/%Y %H:%M:%S").isoformat() if when else None
    sensor = re.search(r"SensorID:\s*(.*)", preamble)
    return MsRecording(channels, units, str(path), start_time, metadata={
        "instrument": f"Pfeiffer PV MassSpec ({sensor.group(1).strip() if sensor else 'unknown sensor'})",
        "scans": {"time_s": time_s, "mass_amu": masses, "signal": currents},
        "dropped_incomplete_scans": int((~complete).sum())})


def _sniff_sac(head: bytes, path: Path) -> bool:
    return path.suffix.lower() == ".sac" and len(head) > 200 and b"\x00" in head[:512]  # binary; rsciio checks the rest


def read_quadstar(path: str | PathLike) -> MsRecording:
    """Read a Quadstar ``.sac`` file (analogue scans) through RosettaSciIO.

    Returns
    -------
    MsRecording
    """
    from redoxmap.io.rosettasciio import rsciio_signals

    path = Path(path)
    read_head(path)
    signals = [s for s in rsciio_signals(path, "quadstar", what="Quadstar file") if np.asarray(s["data"]).ndim == 2]
    if not signals:
        raise ReadError("holds no analogue scans", path=path)
    signal = signals[0]
    data = np.asarray(signal["data"], dtype=float)
    time_axis, mass_axis = signal["axes"][0], signal["axes"][-1]
    time_s = time_axis.get("offset", 0.0) + time_axis.get("scale", 1.0) * np.arange(data.shape[0])
    masses = mass_axis.get("offset", 0.0) + mass_axis.get("scale", 1.0) * np.arange(data.shape[1])
    quantity = str(signal.get("metadata", {}).get("Signal", {}).get("quantity", ""))
    unit = "counts/s" if "cps" in quantity else "A"
    channels, units = nonempty(*scans_to_channels(path, time_s, masses, data, unit), path)
    general = signal.get("metadata", {}).get("General", {})
    start = f"{general['date']}T{general['time']}" if general.get("date") and general.get("time") else None
    return MsRecording(channels, units, str(path), start, metadata={
        "instrument": "Pfeiffer Quadstar", "scans": {"time_s": time_s, "mass_amu": masses, "signal": data}})


READERS = (
    Reader("pv-massspec", "dems", "Pfeiffer", (".dat", ".txt", ".csv"), _sniff, read_pv_massspec,
           "Pfeiffer PV MassSpec scan export (PrismaPro): peak height per integer mass, and the scans"),
    Reader("quadstar", "dems", "Pfeiffer", (".sac",), _sniff_sac, read_quadstar,
           "Pfeiffer Quadstar .sac analogue scans (through RosettaSciIO, the tem extra)"),
)
