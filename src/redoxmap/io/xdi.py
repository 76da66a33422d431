"""XAS Data Interchange (XDI 1.0) files: named columns and ``Family.key: value`` metadata."""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path

import numpy as np

from redoxmap.errors import FormatError, ReadError
from redoxmap.io.reader import Reader, read_head
from redoxmap.io.text import decode
from redoxmap.io.xas_files import SpectrumTable, clean_spectrum


def read_xdi(path: str | PathLike):
    """Read an XDI 1.0 file: named columns and ``Family.key: value`` metadata.

    Returns
    -------
    xarray.Dataset
        Channels named after the ``Column.N`` labels (``energy`` is the coordinate).
    """
    return xdi_table(path).to_dataset()


_DATA_LINE = re.compile(r"^[ \t]*[^#\s]", re.MULTILINE)


def _numbers(block: str, path: Path) -> np.ndarray:
    """Parse a block of whitespace-separated numeric lines into a 2-D array.

    Fast path: one split of the whole block, accepted when the value count equals
    (lines x width of the first line); ragged, gappy or non-numeric blocks go to
    ``numpy.loadtxt``, which skips blank lines and gives a precise error. ``#`` comment
    lines inside the block are skipped.
    """
    if "#" in block:
        block = "\n".join(line for line in block.splitlines() if not line.lstrip().startswith("#"))
    block = block.strip()
    if not block:
        raise ReadError("no data rows", path=path)
    rows = block.count("\n") + 1  # blank lines inside the block send it to loadtxt, which skips them
    width = len(block.partition("\n")[0].split())
    values = block.split()
    if len(values) == width * rows:
        try:
            return np.array(values, dtype=float).reshape(rows, width)
        except ValueError:
            pass
    try:
        return np.loadtxt(block.splitlines(), ndmin=2)
    except ValueError as exc:
        raise ReadError(f"data lines cannot be parsed ({str(exc)[:120]})", path=path) from exc


_XDI_KEY = re.compile(r"[\w.]+")


def _header_fields(header: str) -> list[tuple[str, str]]:
    """``# Key.name: value`` lines as pairs, split at the first colon: a pattern with a lazy value and
    trailing blanks would take quadratic time on a line holding a million blanks."""
    pairs = []
    for line in header.splitlines():
        if not line.startswith("#"):
            continue
        key, colon, value = line[1:].partition(":")
        key = key.strip(" \t")
        if colon and _XDI_KEY.fullmatch(key):
            pairs.append((key, value.strip(" \t\r")))
    return pairs


def xdi_table(path: str | PathLike) -> SpectrumTable:
    """The content of an XDI file as plain arrays (see :func:`read_xdi`)."""
    path = Path(path)
    head = read_head(path)
    if not head.lstrip().startswith(b"# XDI"):
        raise FormatError("not an XDI file (no '# XDI/' first line)", path=path)
    text = decode(path.read_bytes())
    # The header is the leading block of '#' lines, read line by line; one split reads the data block
    # (XDI files are parsed by the thousand in a study).
    data_start = _DATA_LINE.search(text)
    header, body = (text, "") if data_start is None else (text[:data_start.start()], text[data_start.start():])
    columns: dict[int, str] = {}
    attrs: dict[str, str] = {}
    for key, value in _header_fields(header):
        column = re.fullmatch(r"Column\.(\d+)", key)
        if column:
            columns[int(column.group(1))] = value.split()[0].lower() if value else f"column{column.group(1)}"
        else:
            attrs[key] = value
    if not columns:
        raise FormatError("XDI header names no columns", path=path)
    table = _numbers(body, path)
    names = [columns.get(i + 1, f"column{i + 1}") for i in range(table.shape[1])]
    if "energy" not in names:
        raise FormatError(f"no energy column (columns: {', '.join(names)})", path=path)
    e = names.index("energy")
    channels = {n: table[:, i] for i, n in enumerate(names) if i != e}
    return clean_spectrum(table[:, e], channels, attrs, path)


def _sniff(head: bytes, path: Path) -> bool:
    return head.lstrip().startswith(b"# XDI")


READERS = (
    Reader(name="xdi", modality="xas", instrument="any beamline", extensions=(".xdi",), sniff=_sniff,
           read=xdi_table, description="XAS Data Interchange, named columns and metadata"),
)
