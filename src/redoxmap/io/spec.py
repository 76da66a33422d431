"""SPEC data files (certif.com's SPEC, the control software of many synchrotron beamlines): many scans
in one file, each a ``#S`` block with its column labels (``#L``, separated by two spaces) and rows.

An absorption spectrum is a scan with an energy column (``Energy``, ``ZapEnergy``, ``Mono Energy``...);
energies in keV (below 100) are converted to eV. MCA lines (``@A``, continued with ``\\``) are skipped.
Name one scan of several as ``file::N`` (its ``#S`` number).
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path

import numpy as np

from redoxmap.errors import DataWarning, FormatError, ReadError, warn
from redoxmap.io.reader import Reader, read_head
from redoxmap.io.text import decode, head_text
from redoxmap.io.xas_files import SpectrumTable, clean_spectrum

_SCAN = re.compile(r"^#S\s+(\d+)\s*(.*)$")
_ENERGY = re.compile(r"energy", re.IGNORECASE)


def spec_scans(path: str | PathLike) -> list[dict]:
    """Every scan of a SPEC file: ``number``, ``command``, ``labels`` and ``rows`` (a 2-D array)."""
    path = Path(path)
    read_head(path)
    scans, current, continued = [], None, False
    for line in decode(path.read_bytes()).splitlines():
        if continued or line.startswith("@"):  # MCA data, possibly continued over lines
            continued = line.rstrip().endswith("\\")
            continue
        match = _SCAN.match(line)
        if match:
            current = {"number": match.group(1), "command": match.group(2).strip(), "labels": [], "rows": []}
            scans.append(current)
        elif current is None or not line.strip():
            continue
        elif line.startswith("#L"):
            current["labels"] = [label.strip() for label in re.split(r"\s{2,}", line[2:].strip()) if label.strip()]
        elif not line.startswith("#"):
            try:
                current["rows"].append([float(v) for v in line.split()])
            except ValueError:
                continue  # a damaged row is skipped; the scan is checked for enough rows below
    if not scans:
        raise FormatError("no #S scan: not a SPEC file", path=path)
    for scan in scans:
        width = len(scan["labels"])
        rows = [r for r in scan["rows"] if len(r) == width]
        if len(rows) < len(scan["rows"]):
            warn(f"{path}: scan {scan['number']}: {len(scan['rows']) - len(rows)} rows without "
                          f"{width} values were skipped", DataWarning)
        scan["rows"] = np.array(rows, dtype=float).reshape(len(rows), width)
    return scans


def spec_tables(path: str | PathLike) -> dict[str, SpectrumTable]:
    """The absorption spectra of a SPEC file: each scan with an energy column, by its ``#S`` number."""
    path = Path(path)
    tables = {}
    for scan in spec_scans(path):
        energy_column = next((i for i, label in enumerate(scan["labels"]) if _ENERGY.search(label)), None)
        if energy_column is None or len(scan["rows"]) < 2:
            continue
        energy = scan["rows"][:, energy_column]
        attrs = {"scan": scan["number"], "command": scan["command"], "energy_column": scan["labels"][energy_column]}
        if np.nanmedian(energy) < 100:  # keV, as SPEC energy motors usually are
            energy = energy * 1000.0
            attrs["energy_unit"] = "keV in the file, converted to eV"
        channels = {label.lower(): scan["rows"][:, i] for i, label in enumerate(scan["labels"]) if i != energy_column}
        tables[scan["number"]] = clean_spectrum(energy, channels, attrs, path)
    if not tables:
        raise ReadError("no scan of this SPEC file has an energy column (not an absorption measurement)", path=path)
    return tables


def spec_table(path: str | PathLike) -> SpectrumTable:
    """The one absorption scan of a SPEC file; a file of several names them (read one as ``file::N``)."""
    tables = spec_tables(path)
    if len(tables) > 1:
        raise FormatError(f"{len(tables)} energy scans (#S {', '.join(list(tables)[:8])}"
                          f"{' ...' if len(tables) > 8 else ''}): name one as file::N", path=path)
    return next(iter(tables.values()))


def _sniff(head: bytes, path: Path) -> bool:
    text = head_text(head)
    return bool(re.search(r"^#S\s+\d+", text, re.MULTILINE)) and bool(re.search(r"^#L\s", text, re.MULTILINE))


READERS = (
    Reader(name="spec", modality="xas", instrument="SPEC (synchrotron beamlines)", extensions=(".spec", ".dat"),
           sniff=_sniff, read=spec_table, description="scans with an energy column; one of several as file::N"),
)
