"""Spectro Inlets Zilien EC-MS exports (``.tsv``, file format versions 1 and 2).

Layout: a header of ``key<TAB>description<TAB>series<TAB>type<TAB>value`` rows (its length in
``num_header_lines``), then two column-header rows: the series each column belongs to
(``pot``, ``Iongauge value``, ``C0M2``... and in version 2 ``EC-lab``), and the column names
(``Time [s]``, ``Voltage [V]``, ``M2-H2 [A]``, ``time/s``, ``Ewe/V``). Each series carries its own
time column; columns of different series have different lengths, padded with empty cells.

The recording's start is ``start_timestamp`` (version 2) or the date in the file name (version
1, as Zilien names its files: ``2022-04-06 16_17_23 full set.tsv``). Zilien measures the offset of
each potentiostat file it followed (``offset ... pot_01``: ``MS time = EC-Lab time + offset``);
those offsets are kept for aligning the cycler's own file.

Checked against ixdat's reader (which names the same series) in the tests and the benchmark.
"""

from __future__ import annotations

import io
import re
from os import PathLike
from pathlib import Path

import numpy as np

from redoxmap.errors import FormatError, ReadError
from redoxmap.io.ms_files import MsRecording, channel, nonempty
from redoxmap.io.reader import Reader, read_head
from redoxmap.io.text import decode, head_text

_NAMED_DATE = re.compile(r"(\d{4}-\d{2}-\d{2}) (\d{2})_(\d{2})_(\d{2})")
_ION_CURRENT = re.compile(r"^M(\d+(?:\.\d+)?)(?:-(.*?))?\s*\[(\w+)\]$")
_UNIT = re.compile(r"^(.*?)\s*\[(.*?)\]$")


def _sniff(head: bytes, path: Path) -> bool:
    return head_text(head).startswith("num_header_lines\t")


def _header(lines: list[str], path: Path) -> tuple[dict, dict]:
    fields, offsets = {}, {}
    for line in lines:
        cells = line.split("\t")
        if len(cells) < 5:
            continue
        key, series, value = cells[0], cells[2], cells[4].strip()
        if key == "offset" and series.startswith("pot_"):
            try:
                offsets[series[4:]] = float(value)
            except ValueError:
                raise ReadError(f"offset of {series} is not a number ({value[:30]!r})", path=path) from None
        elif not series:
            fields[key] = value
    return fields, offsets


def read_zilien(path: str | PathLike) -> MsRecording:
    """Read a Zilien ``.tsv`` export: every series, the potentiostat columns, start and offsets.

    Returns
    -------
    MsRecording
    """
    import pandas as pd

    path = Path(path)
    if not _sniff(read_head(path), path):
        raise FormatError("not a Zilien export (no 'num_header_lines' first line)", path=path)
    text = decode(path.read_bytes())
    try:
        header_length = int(text.partition("\n")[0].split("\t")[4])
    except (IndexError, ValueError):
        raise ReadError("the num_header_lines row has no number", path=path) from None
    lines, start = [], 0
    for _ in range(header_length + 2):  # the header rows only: the data block goes to pandas in one piece
        end = text.find("\n", start)
        if not 2 <= header_length <= 10_000 or end < 0:
            raise ReadError(f"ends inside its {header_length}-line header (truncated?)", path=path)
        lines.append(text[start:end].rstrip("\r"))
        start = end + 1
    fields, offsets = _header(lines[:header_length], path)
    groups_row, names_row = lines[header_length].split("\t"), lines[header_length + 1].split("\t")
    if len(names_row) > 10_000:
        raise ReadError(f"a column header of {len(names_row):,} columns: damaged (Zilien writes a few hundred)",
                        path=path)
    body = text[start:]
    try:
        table = pd.read_csv(io.StringIO(body), sep="\t", header=None, dtype=float, names=range(len(names_row)),
                            on_bad_lines="error", engine="c", na_values=["", "NaN", "nan"])
    except (ValueError, pd.errors.ParserError) as exc:
        raise ReadError(f"data rows cannot be parsed ({str(exc)[:120]})", path=path) from exc
    if table.empty:
        raise ReadError("no data rows", path=path)
    group_of, current = [], ""
    for index in range(len(names_row)):
        label = groups_row[index].strip() if index < len(groups_row) else ""
        current = label or current
        group_of.append(current)
    channels, units, electrochemistry = {}, {}, {}
    for group in dict.fromkeys(group_of):
        columns = [i for i, g in enumerate(group_of) if g == group and names_row[i].strip()]
        time_columns = [i for i in columns if names_row[i].strip() in ("Time [s]", "time/s")]
        if not time_columns:
            continue
        time_s = table[time_columns[0]].to_numpy()
        for i in columns:
            if i in time_columns:
                continue
            label = names_row[i].strip()
            if group in ("pot", "EC-lab"):
                electrochemistry.setdefault(group, {"time_s": time_s})[label] = table[i].to_numpy()
                continue
            ion = _ION_CURRENT.match(label)
            if ion:
                name, unit = f"M{float(ion.group(1)):g}", ion.group(3)
            else:
                named = _UNIT.match(label)
                name, unit = (f"{group} [{named.group(2)}]", named.group(2)) if named else (group, "")
            name, data, unit = channel(path, name, time_s, table[i].to_numpy(), unit)
            channels[name], units[name] = data, unit
    if not channels:
        raise ReadError("no series with a time column", path=path)
    channels, units = nonempty(channels, units, path)
    start = fields.get("start_timestamp")
    if start:
        start = start.replace(" ", "T")
    else:
        named = _NAMED_DATE.search(path.name)
        start = f"{named.group(1)}T{named.group(2)}:{named.group(3)}:{named.group(4)}" if named else None
    return MsRecording(
        channels,
        units,
        str(path),
        start,
        _electrochemistry(electrochemistry, path),
        offsets,
        metadata={
            "instrument": "Spectro Inlets Zilien",
            "version": fields.get("file_format_version", "1"),
            "zilien_version": fields.get("Zilien version"),
            "measurement": fields.get("measurement_name"),
        },
    )


def _electrochemistry(groups: dict, path: Path):
    """The potentiostat columns as a cycler-like table (EC-Lab's own columns where Zilien copied them)."""
    import pandas as pd

    if "EC-lab" in groups and "Ewe/V" in groups["EC-lab"]:
        group = groups["EC-lab"]
        voltage, current = group.get("Ewe/V"), group.get("I/mA", group.get("<I>/mA"))
    elif "pot" in groups and "Voltage [V]" in groups["pot"]:
        group = groups["pot"]
        voltage, current = group.get("Voltage [V]"), group.get("Current [mA]")
    else:
        return None
    frame = pd.DataFrame({"time_s": group["time_s"], "voltage_V": voltage,
                          "current_A": None if current is None else np.asarray(current) * 1e-3})
    return frame.dropna(subset=["time_s", "voltage_V"]).reset_index(drop=True)


READERS = (
    Reader("zilien", "dems", "Spectro Inlets", (".tsv",), _sniff, read_zilien,
           "Spectro Inlets Zilien EC-MS export (.tsv v1, v2): ion currents, pressures, potentiostat, offsets"),
)
