"""BioLogic EC-Lab / BT-Lab files: the ``.mpt`` text export and the binary ``.mpr``, as
cycling (and voltammetry) records or as impedance spectra (PEIS/GEIS, Modulo Bat).

The text export is parsed here (a header whose second line gives its length,
tab-separated columns, decimal commas in some locales, many column-name variants
across EC-Lab and BT-Lab versions and techniques). The binary format changes with
every EC-Lab release, so it is read through a maintained reader, the datalab-org fork
of galvani (GPL-3.0-or-later, hence the optional extra ``redoxmap[biologic]``).
Both share one column mapping.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap.errors import FormatError, MissingDependencyError, ReadError
from redoxmap.io.eis_files import split_sweeps
from redoxmap.io.labels import choose_columns, extract_arrays
from redoxmap.io.raw import RawCycling, checked
from redoxmap.io.reader import Reader, read_head
from redoxmap.io.text import TextFile, head_text, parse_table, timestamp

_SYNONYMS = {
    "time": ["time"],
    # Ewe is the working electrode against the reference (the cathode against Li in
    # a half cell); Ecell is what BT-Lab calls the cell voltage.
    "voltage": ["ewe", "ecell", "eweece"],
    "current": ["i"],
    "charge_increment": ["dq"],
    "cycle": ["cyclenumber"],
    "step": ["ns"],
    "temperature": ["temperature"],
    "charge_capacity": ["qcharge"],
    "discharge_capacity": ["qdischarge"],
    "frequency": ["freq"],
}
_HEADER_FIRST_LINE = ("EC-Lab ASCII FILE", "BT-Lab ASCII FILE")
_MASS = re.compile(r"Characteristic mass\s*:\s*([-\d.,eE+]+)\s*(mg|g)", re.IGNORECASE)


def _choose(labels: list[str], *, path: Path) -> dict:
    """The columns a cycling record needs, by quantity."""
    return choose_columns(labels, _SYNONYMS, path=path, required=("time", "voltage"))


def _to_raw(source, *, path: Path, reader: str, metadata: dict) -> RawCycling:
    """The cycling records of an export (a DataFrame) or of a binary file (a dict of column arrays)."""
    columns = extract_arrays(source, _choose(list(source), path=path))
    if "frequency_Hz" in columns:
        # Modulo Bat files interleave impedance points (freq > 0) with cycling records.
        cycling = ~(columns.pop("frequency_Hz") > 0)
        if not cycling.any():
            raise FormatError(
                "holds only impedance points (a PEIS/GEIS record), no cycling data", path=path
            )
        columns = {name: values[cycling] for name, values in columns.items()}
    dq = columns.pop("instrument_dq_Ah", None)
    if "current_A" not in columns:
        columns["current_A"] = _current_from_charge(columns["time_s"], dq, path=path)
    return checked(
        RawCycling(columns, instrument="BioLogic", reader=reader, source_file=path, metadata=metadata)
    )


def _current_from_charge(time_s: np.ndarray, dq_Ah: np.ndarray | None, *, path: Path) -> np.ndarray:
    """Current from the charge passed per record (GCPL ``.mpr`` files often store only dq)."""
    if dq_Ah is None:
        raise FormatError("no current column and no charge increment (dq) to derive it", path=path)
    dt = np.diff(time_s, prepend=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        current = dq_Ah * 3600.0 / dt
    current[~np.isfinite(current)] = 0.0
    return current


def _header_metadata(header_lines: list[str]) -> dict:
    metadata: dict = {}
    if len(header_lines) > 3 and header_lines[3].strip():
        metadata["technique"] = header_lines[3].strip()
    for line in header_lines:
        if ":" not in line:
            continue
        key, _, value = line.partition(":")
        key = key.strip()
        if key in ("Acquisition started on", "Device", "Run on channel", "Cycle Definition"):
            metadata[key.lower().replace(" ", "_")] = value.strip()
        if key == "Acquisition started on":
            started = timestamp(value.strip(), "%m/%d/%Y %H:%M:%S.%f") or timestamp(value.strip(), "%m/%d/%Y %H:%M:%S")
            if started:
                metadata["start_time"] = started  # the time column counts from here
        match = _MASS.search(line)
        if match:
            mass = float(match.group(1).replace(",", "."))
            if mass > 0:
                metadata["active_mass_mg"] = mass * (1000.0 if match.group(2).lower() == "g" else 1.0)
    return metadata


def _sniff_mpt(head: bytes, path: Path) -> bool:
    text = head_text(head)
    first = text.split("\n", 1)[0]
    if first.startswith(_HEADER_FIRST_LINE):
        return True
    # Exports saved without their header start directly with the column line.
    return "\t" in first and "time/s" in first and ("Ewe" in first or "Ecell" in first)


def mpt_frame(path: Path, columns: Callable[[list[str]], set[str]] | None = None) -> tuple[pd.DataFrame, dict]:
    """The columns of a BioLogic ``.mpt`` text export as they are named there, and header metadata
    (``columns``: which of them are needed, as :func:`redoxmap.io.text.parse_table` takes it)."""
    source = TextFile.read(path)
    lines = source.head(2)
    header_lines: list[str] = []
    skip = 0
    if lines and lines[0].startswith(_HEADER_FIRST_LINE):
        match = re.match(r"Nb header lines\s*:\s*(\d+)", lines[1] if len(lines) > 1 else "")
        if not match:
            raise FormatError("second line does not give the number of header lines", path=path)
        skip = int(match.group(1)) - 1
        header_lines = source.head(skip)
    return parse_table(source, sep="\t", skip_lines=skip, columns=columns), _header_metadata(header_lines)


def _cycling_columns(labels: list[str], *, path: Path) -> set[str]:
    """The labels :func:`_to_raw` takes from an export."""
    return {choice.label for choice in _choose(labels, path=path).values()}


def read_mpt(path: Path) -> RawCycling:
    """Read a BioLogic ``.mpt`` (or ``.txt``) text export."""
    frame, metadata = mpt_frame(path, partial(_cycling_columns, path=path))
    return _to_raw(frame, path=path, reader="biologic-mpt", metadata=metadata)


def _sniff_mpr(head: bytes, path: Path) -> bool:
    return head.startswith(b"BIO-LOGIC MODULAR FILE")


def mpr_columns(path: Path) -> tuple[dict[str, np.ndarray], dict]:
    """The columns of a BioLogic binary ``.mpr`` file by their names there, as arrays (through the
    datalab-org fork of galvani), and what the file says of its start."""
    try:
        from galvani import BioLogic
    except ImportError as exc:
        raise MissingDependencyError(
            "reading BioLogic .mpr files needs the optional extra: "
            "pip install 'redoxmap[biologic]' (or export the file as .mpt from EC-Lab)",
            path=path,
        ) from exc
    try:
        # our own handle, closed whatever happens: given a path, galvani leaves the file open when it
        # fails on a damaged file
        with open(path, "rb") as handle, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mpr = BioLogic.MPRfile(handle)
    except Exception as exc:  # galvani raises bare ValueError/struct.error/KeyError on bad files
        raise ReadError(f"not a readable BioLogic .mpr file ({type(exc).__name__}: {exc})", path=path) from exc
    records = mpr.data
    if records is None or not len(records) or not records.dtype.names:
        raise ReadError("the .mpr file holds no data points", path=path)
    metadata = {}
    if getattr(mpr, "startdate", None):
        metadata["start_date"] = str(mpr.startdate)
    return {name: records[name] for name in records.dtype.names}, metadata


def mpr_frame(path: Path) -> tuple[pd.DataFrame, dict]:
    """:func:`mpr_columns` as a DataFrame."""
    columns, metadata = mpr_columns(path)
    return pd.DataFrame(columns), metadata


def read_mpr(path: Path) -> RawCycling:
    """Read a BioLogic binary ``.mpr`` file through the datalab-org fork of galvani."""
    columns, metadata = mpr_columns(path)
    return _to_raw(columns, path=path, reader="biologic-mpr", metadata=metadata)


def _sniff_eis(head: bytes, path: Path) -> bool:
    if _sniff_mpr(head, path) or head_text(head).startswith(_HEADER_FIRST_LINE):
        return True
    first = head_text(head).split("\n", 1)[0]
    return "\t" in first and "freq/Hz" in first and "Re(Z)" in first  # an export without its header


def read_biologic_eis(path: Path) -> list[tuple]:
    """The impedance sweeps of a BioLogic ``.mpt``/``.mpr`` as ``(frequency_Hz, z_ohm, attrs)``,
    split where the frequency sweep starts again (a PEIS loop, a Modulo Bat series)."""
    binary = path.suffix.lower() == ".mpr" or _sniff_mpr(read_head(path), path)
    frame, metadata = (mpr_frame if binary else mpt_frame)(path)
    columns = {re.sub(r"[^a-z]", "", str(c).lower()): c for c in frame.columns}
    try:
        frequency, real, minus_imag = (pd.to_numeric(frame[columns[key]], errors="coerce").to_numpy(float)
                                       for key in ("freqhz", "rezohm", "imzohm"))
    except KeyError:
        raise FormatError("no freq/Hz, Re(Z)/Ohm and -Im(Z)/Ohm columns: not an impedance record",
                          path=path) from None
    time = pd.to_numeric(frame[columns["times"]], errors="coerce").to_numpy(float) if "times" in columns else None
    keep = np.isfinite(frequency) & (frequency > 0)  # Modulo Bat: cycling records carry freq = 0
    frequency, real, minus_imag = frequency[keep], real[keep], minus_imag[keep]
    time = time[keep] if time is not None else None
    sweeps = []
    for part in split_sweeps(frequency):
        attrs = dict(metadata)
        if time is not None:
            attrs["time_s"] = float(time[part][0])
        sweeps.append((frequency[part], real[part] - 1j * minus_imag[part], attrs))
    return sweeps


READERS = (
    Reader(
        name="biologic-mpt", modality="cycling", instrument="BioLogic", extensions=(".mpt", ".txt"),
        sniff=_sniff_mpt, read=read_mpt,
        description="BioLogic EC-Lab/BT-Lab text export (.mpt), incl. Modulo Bat and decimal commas",
    ),
    Reader(
        name="biologic-mpr", modality="cycling", instrument="BioLogic", extensions=(".mpr",),
        sniff=_sniff_mpr, read=read_mpr,
        description="BioLogic EC-Lab binary file (.mpr); needs redoxmap[biologic]",
    ),
    Reader(
        name="biologic", modality="eis", instrument="BioLogic", extensions=(".mpt", ".mpr"),
        sniff=_sniff_eis, read=read_biologic_eis,
        description="PEIS/GEIS exports and binaries (.mpr: biologic extra), Modulo Bat series",
    ),
)
