"""Gamry Framework ``.DTA`` files: the ``ZCURVE`` table of an EIS experiment, and the ``CURVE`` tables
of DC experiments (chronoamperometry, chronopotentiometry, cyclic voltammetry...).

A ``.DTA`` is a tab-separated text: ``TAG`` lines of the experiment, then each table as a ``NAME
TABLE n`` line, a line of column names, a line of units and the rows (each after a leading tab).
Numbers follow the Windows locale that wrote the file, so a decimal comma (``5,00000E-001``) is read as
well as a point; columns are found by name (``Freq``, ``Zreal``, ``Zimag``; ``T``, ``Vf``, ``Im``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap.errors import DataWarning, FormatError, ReadError, warn
from redoxmap.io.raw import RawCycling, checked
from redoxmap.io.reader import Reader
from redoxmap.io.text import decode, head_text, locale_float


def gamry_tables(path: Path, tag: str) -> list[pd.DataFrame]:
    """Every table whose name starts with ``tag`` (``ZCURVE``; ``CURVE``, ``CURVE1``...), by column name."""
    lines = decode(path.read_bytes()).splitlines()
    starts = [i for i, line in enumerate(lines) if line.split("\t", 1)[0].startswith(tag)
              and line.split("\t")[1:2] == ["TABLE"]]
    tables = []
    for start in starts:
        if start + 2 >= len(lines):
            raise ReadError(f"the {lines[start].split()[0]} table ends before its first row (truncated?)", path=path)
        names = [name.strip() for name in lines[start + 1].split("\t")]
        rows, end = [], len(lines)
        for index in range(start + 3, len(lines)):
            if not lines[index].startswith("\t"):
                end = index
                break  # the next tag or table
            rows.append(lines[index].split("\t"))
        stray = [line for line in lines[end:end + 50] if line[:1] == " " and any(c.isdigit() for c in line)]
        if stray:
            warn(f"{path}: {len(stray)} lines after the {lines[start].split()[0]} table look like rows but "
                          "do not follow its tab layout (a hand-edited file?); they were not read",
                          DataWarning)
        if not rows:
            raise ReadError(f"the {lines[start].split()[0]} table holds no rows", path=path)
        width = min(len(names), *(len(r) for r in rows))
        tables.append(pd.DataFrame([r[:width] for r in rows], columns=names[:width]))
    return tables


def _numbers(table: pd.DataFrame, names: tuple[str, ...], path: Path) -> list[np.ndarray]:
    lowered = {str(c).lower(): c for c in table.columns}
    missing = [n for n in names if n.lower() not in lowered]
    if missing:
        raise FormatError(f"the table has no {', '.join(missing)} column (columns: "
                          f"{', '.join(str(c) for c in table.columns if c)})", path=path)
    return [np.array([locale_float(v) for v in table[lowered[n.lower()]]], dtype=float) for n in names]


def read_gamry_eis(path: Path) -> list[tuple]:
    """Every ``ZCURVE`` table of a ``.DTA`` file as ``(frequency_Hz, z_ohm, attrs)``."""
    tables = gamry_tables(path, "ZCURVE")
    if not tables:
        raise FormatError("no ZCURVE table: not a Gamry EIS file", path=path)
    sweeps = []
    for table in tables:
        f, real, imag = _numbers(table, ("Freq", "Zreal", "Zimag"), path)
        sweeps.append((f, real + 1j * imag, {"instrument": "Gamry"}))
    return sweeps


def read_gamry_dc(path: Path) -> RawCycling:
    """The ``CURVE`` tables of a DC experiment (``T`` in s, ``Vf`` in V, ``Im`` in A; positive anodic,
    i.e. charging a cathode), joined in file order."""
    tables = gamry_tables(path, "CURVE")
    if not tables:
        raise FormatError("no CURVE table: not a Gamry DC experiment (an EIS file holds a ZCURVE)", path=path)
    parts = [_numbers(table, ("T", "Vf", "Im"), path) for table in tables]
    time, voltage, current = (np.concatenate([p[k] for p in parts]) for k in range(3))
    technique = next((line.split("\t")[1] for line in decode(path.read_bytes()).splitlines()[:5]
                      if line.startswith("TAG\t")), None)
    table = pd.DataFrame({"time_s": time, "voltage_V": voltage, "current_A": current})
    return checked(RawCycling(table, instrument="Gamry", reader="gamry-dta", source_file=path,
                              metadata={"technique": technique} if technique else {}))


def _sniff(head: bytes, path: Path) -> bool:
    text = head_text(head).lstrip("\ufeff").lstrip()
    return text.startswith("EXPLAIN")  # every Gamry Framework data file


def _sniff_dc(head: bytes, path: Path) -> bool:
    return _sniff(head, path) and "\nZCURVE\t" not in head_text(head)


READERS = (
    Reader(name="gamry", modality="eis", instrument="Gamry", extensions=(".dta",), sniff=_sniff,
           read=read_gamry_eis, description="ZCURVE table of EIS experiments, decimal point or comma"),
    Reader(name="gamry-dta", modality="cycling", instrument="Gamry", extensions=(".dta",), sniff=_sniff_dc,
           read=read_gamry_dc, description="CURVE tables of DC experiments (CHRONOA, CV...), decimal point or comma"),
)
