"""Scribner ZPlot ``.z`` files: the data columns after ``End Comments``."""

from __future__ import annotations

from pathlib import Path

from redoxmap.errors import FormatError
from redoxmap.io.reader import Reader
from redoxmap.io.text import decode, head_text, numeric_rows_after


def read_zplot(path: Path) -> list[tuple]:
    """The spectrum of a ZPlot file as ``[(frequency_Hz, z_ohm, attrs)]`` (Z' and Z'' are its
    fifth and sixth columns)."""
    lines = decode(path.read_bytes()).splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().startswith("End Comments")), None)
    if start is None:
        raise FormatError("no 'End Comments' line: not a ZPlot file", path=path)
    table = numeric_rows_after(lines, start + 1, path)
    if table.shape[1] < 6:
        raise FormatError(f"ZPlot rows have {table.shape[1]} columns, expected Freq ... Z' Z''", path=path)
    return [(table[:, 0], table[:, 4] + 1j * table[:, 5], {"instrument": "ZPlot"})]


def _sniff(head: bytes, path: Path) -> bool:
    text = head_text(head)[:4000]
    return "ZPlot" in text or "End Comments" in text


READERS = (
    Reader(name="zplot", modality="eis", instrument="Scribner ZPlot", extensions=(".z",), sniff=_sniff,
           read=read_zplot, description="columns after 'End Comments'"),
)
