"""Gamry Framework ``.DTA`` files: the ``ZCURVE`` table of an EIS experiment."""

from __future__ import annotations

from pathlib import Path

from redoxmap.errors import FormatError
from redoxmap.io.reader import Reader
from redoxmap.io.text import decode, head_text, numeric_rows_after


def read_gamry_eis(path: Path) -> list[tuple]:
    """Every ``ZCURVE`` table of a ``.DTA`` file as ``(frequency_Hz, z_ohm, attrs)``."""
    lines = decode(path.read_bytes()).splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("ZCURVE")]
    if not starts:
        raise FormatError("no ZCURVE table: not a Gamry EIS file", path=path)
    sweeps = []
    for start in starts:
        if start + 3 >= len(lines):
            raise FormatError("the ZCURVE table ends before its first row (truncated?)", path=path)
        names = [h.strip().lower() for h in lines[start + 1].split("\t")]
        table = numeric_rows_after(lines, start + 3, path)
        index = {n: k - 1 for k, n in enumerate(names) if n}  # the data rows lose the leading tab column
        try:
            f, real, imag = (table[:, index[n]] for n in ("freq", "zreal", "zimag"))
        except (KeyError, IndexError):
            raise FormatError(f"ZCURVE columns {names} lack Freq, Zreal or Zimag", path=path) from None
        sweeps.append((f, real + 1j * imag, {"instrument": "Gamry"}))
    return sweeps


def _sniff(head: bytes, path: Path) -> bool:
    text = head_text(head).lstrip("\ufeff").lstrip()
    return text.startswith("EXPLAIN")  # every Gamry Framework data file


READERS = (
    Reader(name="gamry", modality="eis", instrument="Gamry", extensions=(".dta",), sniff=_sniff,
           read=read_gamry_eis, description="ZCURVE table of EIS experiments"),
)
