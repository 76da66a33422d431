"""Ametek (Princeton Applied Research / Solartron) VersaStudio ``.par`` files: EIS segments."""

from __future__ import annotations

import re
from pathlib import Path

from redoxmap.errors import FormatError
from redoxmap.io.reader import Reader
from redoxmap.io.text import decode, head_text, numeric_rows_after

_COLUMNS = ("frequency(hz)", "z real", "z imag")


def read_versastudio(path: Path) -> list[tuple]:
    """Every impedance segment of a ``.par`` file as ``(frequency_Hz, z_ohm, attrs)``."""
    text = decode(path.read_bytes())
    sweeps = []
    for segment in re.findall(r"<Segment\d+>(.*?)</Segment\d+>", text, re.DOTALL):
        definition = re.search(r"Definition=(.*)", segment)
        if not definition:
            continue
        names = [n.strip().lower() for n in definition.group(1).split(",")]
        if "frequency(hz)" not in names:
            continue
        missing = [n for n in _COLUMNS if n not in names]
        if missing:
            raise FormatError(f"an EIS segment without {', '.join(missing)} columns", path=path)
        table = numeric_rows_after(segment[definition.end():].strip().splitlines(), 0, path)
        if table.shape[1] <= max(names.index(n) for n in _COLUMNS):
            raise FormatError(f"EIS rows hold {table.shape[1]} values, the segment defines {len(names)}",
                              path=path)
        f, real, imag = (table[:, names.index(n)] for n in _COLUMNS)
        sweeps.append((f, real + 1j * imag, {"instrument": "VersaStudio"}))
    return sweeps


def _sniff(head: bytes, path: Path) -> bool:
    text = head_text(head)
    return "<Segment" in text or "VersaStudio" in text[:2000]


READERS = (
    Reader(name="versastudio", modality="eis", instrument="Ametek VersaStudio", extensions=(".par",),
           sniff=_sniff, read=read_versastudio, description="EIS segments"),
)
