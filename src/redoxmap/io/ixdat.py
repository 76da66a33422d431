"""CSV exports written by ixdat, the analysis package EC-MS users share their data in.

Layout (``Measurement.export``, ixdat 0.2 and later): a header of ``key = value`` lines
(``ixdat version``, ``name``, ``technique``, ``tstamp`` as Unix time, ``N_header_lines``), one
``timecol 'M32-x' for: 'M32'`` line per time axis naming the series measured on it (the
potentiostat's ``Ewe/V``, ``I/mA`` and ``cycle number`` share ``time/s``; every mass signal has
its own), a blank line, then one table whose cells are separated by a comma and a tab. Series of
different lengths are padded with empty cells. Times count from ``tstamp``.

Mass signals (``M2``, ``M32``...) are ion currents in ampere, as ixdat stores them; a column that
names its unit (``Ewe/V``, ``I/mA``, ``<I>/mA``) is converted from that unit. The start is ``tstamp``
given as UTC: files aligned with each other through their starts must share that clock (two ixdat
exports do; a BioLogic ``.mpt`` states local time, so give the offset between them).

Checked against ixdat's own reader of the same files in the tests.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from os import PathLike
from pathlib import Path

from redoxmap.errors import FormatError, ReadError
from redoxmap.io.generic import SYNONYMS
from redoxmap.io.labels import choose_columns, extract
from redoxmap.io.ms_files import MsRecording, channel, nonempty
from redoxmap.io.raw import RawCycling, checked
from redoxmap.io.reader import Reader, read_head
from redoxmap.io.text import decode, head_text

_TIMECOL = re.compile(r"^timecol '(.+?)' for: (.+)$")
_MASS = re.compile(r"^M(\d+(?:\.\d+)?)$")
_UNIT = re.compile(r"^(.*?)/\s*(\w+)$")
MAX_HEADER_LINES = 10_000


def _sniff(head: bytes, path: Path) -> bool:
    return head_text(head).startswith("ixdat version")


def _parse(path: Path):
    """The header fields, ``series -> its time column``, and the table (one float column per header cell)."""
    import pandas as pd

    if not _sniff(read_head(path), path):
        raise FormatError("not an ixdat export (no 'ixdat version' first line)", path=path)
    text = decode(path.read_bytes())
    fields, time_of, start = {}, {}, 0
    for _ in range(MAX_HEADER_LINES):
        end = text.find("\n", start)
        if end < 0:
            raise ReadError("ends inside its header, before the column names (truncated?)", path=path)
        line = text[start:end].rstrip("\r")
        start = end + 1
        if not line.strip():
            break
        timecol = _TIMECOL.match(line)
        if timecol:
            for series in re.findall(r"'(.+?)'", timecol.group(2)):
                time_of[series] = timecol.group(1)
        elif " = " in line:
            key, _, value = line.partition(" = ")
            fields[key.strip()] = value.strip()
    else:
        raise ReadError(f"no blank line ends its header within {MAX_HEADER_LINES:,} lines", path=path)
    names_end = text.find("\n", start)
    names = [cell.strip() for cell in text[start:names_end if names_end >= 0 else len(text)].split(",")]
    if len(names) < 2 or not time_of:
        raise ReadError("no column names, or no 'timecol' lines naming each series' time", path=path)
    missing = sorted({column for column in [*time_of, *time_of.values()] if column not in names})
    if missing:
        raise ReadError(f"the header names columns the table lacks: {', '.join(missing[:5])}", path=path)
    body = (text[names_end + 1:] if names_end >= 0 else "").replace("\t", "")  # cells are ",\t"-separated
    try:
        table = pd.read_csv(io.StringIO(body), sep=",", header=None, names=range(len(names)), dtype=float,
                            skipinitialspace=True, engine="c", on_bad_lines="error",
                            na_values=["", "nan", "NaN"])
    except (ValueError, pd.errors.ParserError) as exc:
        raise ReadError(f"data rows cannot be parsed ({str(exc)[:120]})", path=path) from exc
    table.columns = names
    if table.empty:
        raise ReadError("no data rows", path=path)
    return fields, time_of, table


def _start(fields: dict, path: Path) -> str | None:
    """``tstamp`` (Unix time) as a naive ISO time in UTC."""
    stamp = fields.get("tstamp")
    if stamp is None:
        return None
    try:
        moment = datetime.fromtimestamp(float(stamp), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise ReadError(f"tstamp {stamp[:30]!r} is not a Unix time", path=path) from None
    return moment.replace(tzinfo=None).isoformat()


def _electrochemistry(time_of: dict, table, path: Path):
    """The potentiostat series (those on one time axis with a potential and a current, and the cycle
    number where exported) as a cycler-like table, and their columns; ``(None, [])`` without them."""
    import pandas as pd

    for time_column in dict.fromkeys(time_of.values()):
        members = [time_column, *[s for s, t in time_of.items() if t == time_column]]
        chosen = choose_columns(members, SYNONYMS, path=path, required=())
        if {"time", "voltage", "current"} <= set(chosen):
            frame = extract(table[members], chosen).dropna(subset=["time_s", "voltage_V", "current_A"])
            return pd.DataFrame(frame).reset_index(drop=True), members
    return None, []


def read_ixdat_ms(path: str | PathLike) -> MsRecording:
    """Read an ixdat CSV export as a mass-spectrometer recording: every series on its own time axis.

    Returns
    -------
    MsRecording
        Ion currents ``M<m/z>`` in A; other series under their own names with their units; the
        potentiostat series, where the export holds them, as ``electrochemistry``.

    Raises
    ------
    ReadError
        For a damaged export, or one without mass signals (an EC export: read it as the cycler file).
    """
    path = Path(path)
    fields, time_of, table = _parse(path)
    electrochemistry, potentiostat = _electrochemistry(time_of, table, path)
    channels, units = {}, {}
    for series, time_column in time_of.items():
        if series in potentiostat:
            continue
        mass = _MASS.match(series)
        named = _UNIT.match(series)
        name, unit = (f"M{float(mass.group(1)):g}", "A") if mass else (series, named.group(2) if named else "")
        name, data, unit = channel(path, name, table[time_column].to_numpy(), table[series].to_numpy(), unit)
        channels[name], units[name] = data, unit
    if not channels:
        raise ReadError(f"an ixdat {fields.get('technique', '')} export without mass-spectrometer series; "
                        "read it as the cell's cycler file (--cycler)", path=path)
    channels, units = nonempty(channels, units, path)
    return MsRecording(channels, units, str(path), _start(fields, path), electrochemistry,
                       metadata={"instrument": "ixdat export", "ixdat_version": fields.get("ixdat version"),
                                 "technique": fields.get("technique"), "measurement": fields.get("name"),
                                 "start_time_zone": "UTC"})


def read_ixdat_ec(path: str | PathLike) -> RawCycling:
    """Read the potentiostat series of an ixdat CSV export (EC or EC-MS) as a cycler record.

    Returns
    -------
    RawCycling
        ``time_s`` (from the export's ``tstamp``, kept as ``start_time`` in UTC), ``voltage_V``,
        ``current_A`` and, where exported, ``instrument_cycle``.
    """
    path = Path(path)
    fields, time_of, table = _parse(path)
    frame, _ = _electrochemistry(time_of, table, path)
    if frame is None:
        raise FormatError(f"an ixdat {fields.get('technique', '')} export without potential and current "
                          "series on one time axis", path=path)
    metadata = {"start_time": _start(fields, path), "technique": fields.get("technique"),
                "measurement": fields.get("name"), "start_time_zone": "UTC"}
    return checked(RawCycling(frame, instrument="ixdat export", reader="ixdat-csv", source_file=path,
                              metadata={k: v for k, v in metadata.items() if v}))


READERS = (
    Reader("ixdat-csv", "dems", "ixdat", (".csv",), _sniff, read_ixdat_ms,
           "ixdat CSV export (EC-MS, MS): every series with its own time column"),
    Reader("ixdat-csv", "cycling", "ixdat", (".csv",), _sniff, read_ixdat_ec,
           "ixdat CSV export (EC, EC-MS): the potentiostat's potential and current"),
)
