"""Mass-spectrometer recordings (DEMS, EC-MS): what every reader returns, and generic CSV exports.

Every mass-spectrometry reader gives an :class:`MsRecording`: channels with their own time
axes (a quadrupole visits the masses one after the other, so each ion current has its own
sampling times), in seconds from the recording's start, with the start as a wall-clock time
when the file states it. Ion-current channels are named ``M<m/z>`` (``M32``, ``M44``) in
ampere; other channels keep their names with the unit appended (``"Iongauge value [mbar]"``).
The electrochemistry some programs log beside the gas (Zilien's potentiostat columns) is
kept as a cycler-like table.

Generic exports are read here: a delimited table with a time column (``time_s``, ``Time [s]``,
``Time Relative (sec)``, ``Elapsed time``, Hiden's ``Time`` with ``ms``) and one column per mass,
named as instruments name them (``M32``, ``m/z 32``, ``mass 32``, ``32 amu``, ``Faraday 32``,
``SEM 44``, ``m32 [A]``); a unit in the name is honoured (A, nA, pA, Torr, mbar).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np

from redoxmap.errors import AnalysisError, DataWarning, FormatError, ReadError, warn
from redoxmap.io.raw import refuse_implausible
from redoxmap.io.reader import Reader, read_head
from redoxmap.io.text import decode, head_text


@dataclass
class MsRecording:
    """A mass-spectrometer recording: channels on their own time axes.

    Attributes
    ----------
    channels : dict of str to (numpy.ndarray, numpy.ndarray)
        ``name -> (time_s, values)``, time in seconds from the recording's start, ascending.
    units : dict of str to str
        The unit of each channel (``"A"`` for ion currents).
    source_file : str
    start_time : str or None
        Wall-clock start as naive ISO 8601 on the recording PC's clock (as cyclers write theirs).
    electrochemistry : pandas.DataFrame or None
        ``time_s`` (same clock as the channels), ``voltage_V``, ``current_A`` (positive = charging,
        as the file signs it), where the program logged the potentiostat beside the gas.
    offsets_s : dict of str to float
        Offsets the program measured between its clock and a potentiostat file's
        (``MS time = potentiostat time + offset``), by the potentiostat file's number (``"01"``).
    metadata : dict
    """

    channels: dict
    units: dict
    source_file: str
    start_time: str | None = None
    electrochemistry: object = None
    offsets_s: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        masses = ", ".join(f"{m:g}" for m in self.masses())
        return f"MsRecording({Path(self.source_file).name!r}, m/z {masses or 'none'}, {len(self.channels)} channels)"

    def masses(self) -> dict[float, str]:
        """Ion-current channels by m/z."""
        found = {}
        for name in self.channels:
            match = re.fullmatch(r"M(\d+(?:\.\d+)?)", name)
            if match:
                found[float(match.group(1))] = name
        return dict(sorted(found.items()))

    def signal(self, mz_or_name: float | str) -> tuple[np.ndarray, np.ndarray]:
        """``(time_s, values)`` of one channel, by m/z (``32``) or by name.

        Raises
        ------
        AnalysisError
            Naming the channels the recording has.
        """
        name = mz_or_name if isinstance(mz_or_name, str) else self.masses().get(float(mz_or_name))
        if name is None or name not in self.channels:
            raise AnalysisError(f"no channel {mz_or_name!r}; channels: {', '.join(self.channels)}",
                                path=self.source_file)
        return self.channels[name]

    def to_frame(self):
        """All channels in one long table: ``channel``, ``unit``, ``time_s``, ``value``.

        Returns
        -------
        pandas.DataFrame
        """
        import pandas as pd

        return pd.concat([pd.DataFrame({"channel": name, "unit": self.units.get(name, ""), "time_s": t, "value": v})
                          for name, (t, v) in self.channels.items()], ignore_index=True)


_UNIT_SCALE = {"a": 1.0, "ma": 1e-3, "ua": 1e-6, "µa": 1e-6, "na": 1e-9, "pa": 1e-12, "fa": 1e-15}


def channel(path: Path, name: str, time_s, values, unit: str) -> tuple[str, tuple[np.ndarray, np.ndarray], str]:
    """A clean channel: finite pairs, ascending time, implausible magnitudes refused, current in ampere."""
    time_s = np.asarray(time_s, dtype=float)
    values = np.asarray(values, dtype=float)
    keep = np.isfinite(time_s) & np.isfinite(values)
    time_s, values = time_s[keep], values[keep]
    refuse_implausible(time_s, 1e9, f"time of channel {name!r} (s)", path)
    scale = _UNIT_SCALE.get(unit.lower().replace(" ", ""))
    if scale is not None:
        values, unit = values * scale, "A"
    refuse_implausible(values, 1e12 if unit != "A" else 1.0, f"channel {name!r} ({unit})", path)
    if len(time_s) and np.any(np.diff(time_s) < 0):
        order = np.argsort(time_s, kind="stable")
        time_s, values = time_s[order], values[order]
        warn(f"{path}: channel {name!r}: times were not ascending and were sorted", DataWarning)
    return name, (time_s, values), unit


def nonempty(channels: dict, units: dict, path: Path) -> tuple[dict, dict]:
    """The channels with data (the empty ones dropped with a warning); a recording with none is refused."""
    empty = [name for name, (t, _) in channels.items() if len(t) == 0]
    if empty:
        warn(f"{path}: channels without data were dropped: {', '.join(empty)}", DataWarning)
    kept = {name: data for name, data in channels.items() if name not in empty}
    if not kept:
        raise ReadError("no channel holds data", path=path)
    return kept, {name: units[name] for name in kept}


SCAN_HALF_WINDOW_AMU = 0.3


def scans_to_channels(path: Path, time_s, masses, signal, unit: str) -> tuple[dict, dict]:
    """Per-mass channels from analogue scans, as an RGA's bar-graph mode reports them: the peak height
    (maximum) within +-0.3 amu of each integer mass, at each scan's time.

    Parameters
    ----------
    time_s : array, one per scan
    masses : array, the scan's mass axis (amu)
    signal : 2-D array, scans x masses
    """
    masses = np.asarray(masses, dtype=float)
    signal = np.asarray(signal, dtype=float)
    channels, units = {}, {}
    for mass in range(max(1, int(np.ceil(masses.min()))), int(np.floor(masses.max())) + 1):
        inside = np.abs(masses - mass) <= SCAN_HALF_WINDOW_AMU + 1e-9
        if inside.sum() < 2:
            continue
        name, data, unit_ = channel(path, f"M{mass}", time_s, signal[:, inside].max(axis=1), unit)
        channels[name], units[name] = data, unit_
    return channels, units


_MASS = re.compile(r"^\s*(?:m/?z|mass|amu|faraday|sem|cdem|m)\s*[:=_-]?\s*(\d+(?:\.\d+)?)\s*(?:amu)?"
                   r"(?:\s*[-\w/]*)?\s*(?:[\[(]\s*([a-zµ]*a|torr|mbar|pa|c/s)\s*[\])])?\s*$", re.IGNORECASE)
_MASS_SUFFIX = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*amu\s*(?:[\[(]\s*([a-zµ]*a|torr|mbar)\s*[\])])?\s*$", re.IGNORECASE)
_TIME = re.compile(r"^\s*(time|elapsed|t)\b.*?(?:[\[(/]\s*(s|sec|seconds|min|h)\s*[\])]?)?\s*$|^time_s$|"
                   r"time relative \(sec\)", re.IGNORECASE)
_TIME_SCALE = {"s": 1.0, "sec": 1.0, "seconds": 1.0, "min": 60.0, "h": 3600.0}


def mass_of(label: str) -> tuple[float, str] | None:
    """``(m/z, unit)`` for a column that names a mass (``"m/z 32"``, ``"M44 [A]"``, ``"28 amu"``), else None."""
    for pattern in (_MASS, _MASS_SUFFIX):
        match = pattern.match(str(label))
        if match:
            return float(match.group(1)), (match.group(2) or "A")
    return None


def _header(text: str) -> tuple[int, str, list[str]] | None:
    for index, line in enumerate(text.splitlines()[:80]):
        sep = "\t" if "\t" in line else ";" if ";" in line else "," if "," in line else None
        if sep is None:
            continue
        cells = [c.strip().strip('"') for c in line.split(sep)]
        if any(_TIME.match(c) for c in cells) and sum(mass_of(c) is not None for c in cells) >= 1:
            return index, sep, cells
    return None


def _sniff_table(head: bytes, path: Path) -> bool:
    return _header(head_text(head)) is not None


def read_ms_table(path: str | PathLike, *, start_time: str | None = None) -> MsRecording:
    """Read a delimited table of a time column and mass channels (see the module docstring).

    Parameters
    ----------
    start_time : str, optional
        The recording's wall-clock start (ISO 8601), when the file does not state it.
    """
    import pandas as pd

    path = Path(path)
    read_head(path)
    text = decode(path.read_bytes())
    found = _header(text)
    if found is None:
        raise FormatError("no header line with a time column and mass columns (M32, m/z 32, mass 32...)", path=path)
    index, sep, _cells = found
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, skiprows=index, engine="python", skipinitialspace=True)
    except (ValueError, pd.errors.ParserError) as exc:
        raise ReadError(f"table cannot be parsed ({str(exc)[:120]})", path=path) from exc
    frame.columns = [str(c).strip().strip('"') for c in frame.columns]
    time_column = next(c for c in frame.columns if _TIME.match(c))
    unit = (_TIME.match(time_column).group(2) or "s").lower()
    time_s = pd.to_numeric(frame[time_column], errors="coerce").to_numpy() * _TIME_SCALE.get(unit, 1.0)
    channels, units = {}, {}
    for column in frame.columns:
        mass = mass_of(column)
        if column == time_column or mass is None:
            continue
        name, data, unit_ = channel(path, f"M{mass[0]:g}", time_s, pd.to_numeric(frame[column], errors="coerce"),
                                    mass[1])
        channels[name], units[name] = data, unit_
    channels, units = nonempty(channels, units, path)
    stated = re.search(r"(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?)", "\n".join(text.splitlines()[:index]))
    return MsRecording(
        channels,
        units,
        str(path),
        start_time or (stated.group(1).replace(" ", "T") if stated else None),
        metadata={"instrument": "generic table"},
    )


def read_ms(path: str | PathLike, *, format: str | None = None, **options) -> MsRecording:
    """Read a mass-spectrometer file (Zilien .tsv, Pfeiffer PV MassSpec export, generic CSV).

    Parameters
    ----------
    path : path-like
    format : str, optional
        A reader name (``redoxmap formats``); detected from the content if omitted.

    Returns
    -------
    MsRecording

    Examples
    --------
    >>> recording = read_ms("2022-09-19 11_27_59 test-21.tsv")    # doctest: +SKIP
    >>> recording.masses()                                         # doctest: +SKIP
    {2.0: 'M2', 4.0: 'M4', ..., 32.0: 'M32', 44.0: 'M44'}
    """
    from redoxmap.io.registry import read_with

    return read_with(path, modality="dems", format=format, **options)[1]


READERS = (
    Reader("ms-table", "dems", "generic", (".csv", ".txt", ".tsv", ".dat"), _sniff_table, read_ms_table,
           "Table of a time column and mass channels (M32, m/z 32, mass 32: Hiden, RGA and script exports)",
           options=("start_time",), fallback=True),
)
