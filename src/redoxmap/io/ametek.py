"""Ametek (Princeton Applied Research / Solartron) VersaStudio ``.par`` files: EIS segments, and the
potential sweeps of a voltammetry experiment (with the scan rate its header states)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap.errors import FormatError
from redoxmap.io.reader import Reader
from redoxmap.io.text import decode, head_text, numeric_rows_after

_COLUMNS = ("frequency(hz)", "z real", "z imag")


def _segments(text: str, path: Path, columns: tuple[str, ...], what: str):
    """``(column names, numeric rows)`` of every segment whose ``Definition`` names all ``columns``
    (lower case), with rows wide enough to hold them."""
    for segment in re.findall(r"<Segment\d+>(.*?)</Segment\d+>", text, re.DOTALL):
        definition = re.search(r"Definition=(.*)", segment)
        if not definition:
            continue
        names = [n.strip().lower() for n in definition.group(1).split(",")]
        if any(n not in names for n in columns):
            continue
        table = numeric_rows_after(segment[definition.end():].strip().splitlines(), 0, path)
        if table.shape[1] <= max(names.index(n) for n in columns):
            raise FormatError(f"{what} rows hold {table.shape[1]} values, the segment defines {len(names)}", path=path)
        yield names, table


def read_versastudio(path: Path) -> list[tuple]:
    """Every impedance segment of a ``.par`` file as ``(frequency_Hz, z_ohm, attrs)``."""
    text = decode(path.read_bytes())
    sweeps = []
    for names, table in _segments(text, path, ("frequency(hz)",), "EIS"):
        missing = [n for n in _COLUMNS if n not in names]
        if missing:
            raise FormatError(f"an EIS segment without {', '.join(missing)} columns", path=path)
        if table.shape[1] <= max(names.index(n) for n in _COLUMNS):
            raise FormatError(f"EIS rows hold {table.shape[1]} values, the segment defines {len(names)}", path=path)
        f, real, imag = (table[:, names.index(n)] for n in _COLUMNS)
        if not np.any(f > 0):
            continue  # a potential sweep (its frequency column unused), not an impedance segment
        sweeps.append((f, real + 1j * imag, {"instrument": "VersaStudio"}))
    if not sweeps:
        raise FormatError("no impedance segment (a column of frequencies above zero)", path=path)
    return sweeps


_SWEEP = ("e(v)", "i(a)", "elapsed time(s)")


def read_versastudio_cv(path: Path):
    """The potential sweeps of a ``.par`` file (segments with E(V), I(A) and elapsed time, and no
    frequency) as one record, with the scan rate its header states.

    Returns
    -------
    RawCycling
        ``time_s``, ``voltage_V``, ``current_A`` (VersaStudio's anodic current is positive).
    """
    from redoxmap.io.potential_table import stated_scan_rate
    from redoxmap.io.raw import RawCycling, checked

    text = decode(path.read_bytes())
    parts = []
    for names, table in _segments(text, path, _SWEEP, "sweep"):
        if "frequency(hz)" in names and np.any(table[:, names.index("frequency(hz)")] != 0):
            continue  # an impedance segment (its frequency column is used)
        parts.append(pd.DataFrame({"time_s": table[:, names.index("elapsed time(s)")],
                                   "voltage_V": table[:, names.index("e(v)")],
                                   "current_A": table[:, names.index("i(a)")]}))
    if not parts:
        raise FormatError("no potential-sweep segment (E(V), I(A), Elapsed Time(s))", path=path)
    table = pd.concat(parts, ignore_index=True)
    table = table[np.isfinite(table).all(axis=1)].reset_index(drop=True)
    rate = stated_scan_rate(text[:text.find("<Segment")] if "<Segment" in text else text[:20000])
    return checked(RawCycling(table, instrument="Ametek VersaStudio", reader="versastudio-cv", source_file=path,
                              metadata={"stated_scan_rate_mV_s": rate} if rate else {}))


def _sniff(head: bytes, path: Path) -> bool:
    text = head_text(head)
    return "<Segment" in text or "VersaStudio" in text[:2000]


def _sniff_cv(head: bytes, path: Path) -> bool:
    text = head_text(head)
    return _sniff(head, path) and ("Cyclic Voltammetry" in text or "Linear Sweep" in text or "E(V), I(A)" in text)


READERS = (
    Reader(name="versastudio", modality="eis", instrument="Ametek VersaStudio", extensions=(".par",),
           sniff=_sniff, read=read_versastudio, description="EIS segments"),
    Reader(name="versastudio-cv", modality="cv", instrument="Ametek VersaStudio", extensions=(".par",),
           sniff=_sniff_cv, read=read_versastudio_cv, description="potential sweeps, with their stated scan rate"),
)
