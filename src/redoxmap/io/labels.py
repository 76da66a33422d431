"""Column labels with units, as cyclers write them, mapped to canonical quantities.

Cyclers name the same quantity in many ways (``Test Time (s)``, ``time/s``,
``Test_Time(s)``, ``TestTime``, ``Voltage / V``, ``<Ewe>/V``, ``mAmps``...). This
module splits a label into a name and a unit, normalises the name to a key, and
finds, for each canonical quantity, the first label that a reader's synonym list
accepts, with the factor that converts its unit to the canonical one. Every
tabular reader uses it, so a new synonym or unit is added in one place.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from os import PathLike

import numpy as np
import pandas as pd

from redoxmap.errors import FormatError

# Canonical quantity -> (canonical column, unit family).
QUANTITIES: dict[str, tuple[str, str]] = {
    "time": ("time_s", "time"),
    "voltage": ("voltage_V", "voltage"),
    "current": ("current_A", "current"),
    "cycle": ("instrument_cycle", "count"),
    "step": ("instrument_step", "count"),
    "temperature": ("temperature_C", "temperature"),
    "charge_capacity": ("instrument_charge_capacity_Ah", "capacity"),
    "discharge_capacity": ("instrument_discharge_capacity_Ah", "capacity"),
    "state": ("instrument_state", "text"),
    "charge_increment": ("instrument_dq_Ah", "capacity"),
    "frequency": ("frequency_Hz", "frequency"),
}

# Unit (lower case, as written after the name) -> factor to the canonical unit.
# A label without a unit ("") is taken in the canonical (SI) unit; readers whose
# instruments use other units say so in their synonym lists.
# Garbled micro and degree signs ("�A", "ï¿½C") come from files saved in one
# code page and read in another; they are common enough in real exports to list.
_UNIT_FACTORS: dict[str, dict[str, float]] = {
    "time": {"": 1.0, "s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
             "ms": 1e-3, "min": 60.0, "mins": 60.0, "minute": 60.0, "h": 3600.0,
             "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0, "hours": 3600.0, "d": 86400.0},
    "voltage": {"": 1.0, "v": 1.0, "volt": 1.0, "volts": 1.0, "mv": 1e-3},
    "current": {"": 1.0, "a": 1.0, "amp": 1.0, "amps": 1.0, "ma": 1e-3, "mamps": 1e-3, "ua": 1e-6,
                "µa": 1e-6, "μa": 1e-6, "�a": 1e-6, "ï¿½a": 1e-6, "na": 1e-9},
    "capacity": {"": 1.0, "ah": 1.0, "a.h": 1.0, "amp-hr": 1.0, "mah": 1e-3, "ma.h": 1e-3,
                 "mamp-hr": 1e-3, "uah": 1e-6, "µah": 1e-6, "as": 1 / 3600, "mas": 1e-3 / 3600,
                 "c": 1 / 3600},
    "temperature": {"": 1.0, "c": 1.0, "°c": 1.0, "degc": 1.0, "�c": 1.0, "ï¿½c": 1.0, "celsius": 1.0},
    "frequency": {"hz": 1.0, "khz": 1e3},
    "count": {"": 1.0, "1": 1.0},
    "text": {"": 1.0},
}

_PAREN = re.compile(r"^(?P<name>.*?)\s*[(\[](?P<unit>[^()\[\]]*)[)\]]\s*$")
# redoxmap's own one-word labels (time_s, voltage_V, current_mA); a longer name keeps its underscores
# (LAND's test_time_s, charge_capacity_Ah are matched whole by their readers)
_SUFFIX = re.compile(r"^(?P<name>[^\W_]+)_(?P<unit>[^\W\d_]+)$")
_KNOWN_UNITS = {unit for family in _UNIT_FACTORS.values() for unit in family if unit not in ("", "1")}
_SLASH = re.compile(r"^(?P<name>.*?)\s*/\s*(?P<unit>[^/]*)$")


def split_label(label: str) -> tuple[str, str]:
    """Split a column label into a normalised name key and a unit (remembered for short labels: detection
    asks every reader's sniffer about the same header lines, 1,400 labels for one file).

    Parameters
    ----------
    label : str
        A column label such as ``"Test Time (s)"``, ``"<Ewe>/V"`` or ``"Amps"``.

    Returns
    -------
    key, unit : str
        The name lower-cased with everything but letters and digits removed, and the
        unit as written (lower case, ``""`` when the label has none).

    Examples
    --------
    >>> split_label("Test Time (s)")
    ('testtime', 's')
    >>> split_label("<Ewe/V>")
    ('ewe', 'v')
    >>> split_label("current_mA")
    ('current', 'ma')
    """
    if isinstance(label, str) and len(label) <= 200:
        return _split_label(label)
    return _split_label.__wrapped__(label)


@functools.lru_cache(maxsize=4096)
def _split_label(label: str) -> tuple[str, str]:
    text = str(label).replace("\ufeff", "").strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    text = text.replace("<", "").replace(">", "")
    match = _PAREN.match(text) or _SLASH.match(text)
    if not match:
        suffix = _SUFFIX.match(text)
        match = suffix if suffix and suffix.group("unit").lower() in _KNOWN_UNITS else None
    if match and match.group("name").strip():
        name, unit = match.group("name"), match.group("unit")
    else:
        name, unit = text, ""
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    return key, unit.strip().lower().replace(" ", "")


@dataclass(frozen=True)
class ColumnChoice:
    """One source column chosen for a canonical quantity."""

    label: str
    factor: float


def choose_columns(
    labels: list[str],
    synonyms: dict[str, list[str | tuple[str, str]]],
    *,
    path: str | PathLike,
    required: tuple[str, ...] = ("time", "voltage", "current"),
) -> dict[str, ColumnChoice]:
    """Pick, for each quantity, the first label that matches one of its synonyms.

    Parameters
    ----------
    labels : list of str
        The column labels of the file, in order.
    synonyms : dict
        Quantity name (a key of :data:`QUANTITIES`) -> accepted names, in order of
        preference. A name is a normalised key (``"testtime"``) or a pair
        ``(key, default_unit)`` for labels that carry no unit (``("amps", "a")``).
    path : path-like
        The file, for error messages.
    required : tuple of str
        Quantities whose absence is an error.

    Returns
    -------
    dict
        Quantity -> :class:`ColumnChoice`.

    Raises
    ------
    FormatError
        If a required quantity is missing or its unit is not understood.
    """
    parsed = [(label, *split_label(label)) for label in labels]
    chosen: dict[str, ColumnChoice] = {}
    for quantity, names in synonyms.items():
        family = QUANTITIES[quantity][1]
        for entry in names:
            key, default_unit = (entry, "") if isinstance(entry, str) else entry
            hit = next((p for p in parsed if p[1] == key), None)
            if hit is None:
                continue
            label, _, unit = hit
            unit = unit or default_unit
            factors = _UNIT_FACTORS[family]
            if unit not in factors:
                raise FormatError(
                    f"column {label!r} has unit {unit!r}, which redoxmap cannot convert "
                    f"to {QUANTITIES[quantity][0]}",
                    path=path,
                )
            chosen[quantity] = ColumnChoice(label, factors[unit])
            break
    missing = [q for q in required if q not in chosen]
    if missing:
        shown = ", ".join(repr(label) for label in labels[:30])
        raise FormatError(
            f"no {' or '.join(missing)} column found (columns: {shown})", path=path
        )
    return chosen


# RE2 syntax (pyarrow's regex engine) as well as Python's.
_DURATION = r"^\s*(?:(?P<days>\d+)\s*d\s*)?(?P<h>\d+):(?P<m>\d{1,2}):(?P<s>\d{1,2}(?:\.\d*)?)\s*$"


def _durations(text: pd.Series) -> np.ndarray:
    """Seconds of ``[Nd ]HH:MM:SS.f`` durations, NaN where a value is not one, with pyarrow's compute
    functions over the column (a Python regex per row cost a Maccor export half its read time).

    A column whose every value is a duration (one regex match, no captures) is split at its colons and
    its ``d``: RE2's capture groups cost five times as much (2.3 ms of a Maccor export's 3 ms here)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pa.array(text, type=pa.large_string())
    if isinstance(values, pa.ChunkedArray):  # a column pandas holds in chunks (one concatenated from tables)
        values = values.combine_chunks()
    if len(values) and not values.null_count and pc.all(pc.match_substring_regex(values, _DURATION)).as_py():
        return _split_durations(values)
    parts = pc.extract_regex(values, _DURATION)

    def number(name: str) -> np.ndarray:
        field = parts.field(name)
        field = pc.if_else(pc.equal(field, ""), pa.scalar(None, field.type), field)  # an optional group unmatched
        return pc.cast(field, pa.float64()).to_numpy(zero_copy_only=False)

    days = np.nan_to_num(number("days"), nan=0.0)
    return days * 86400.0 + number("h") * 3600.0 + number("m") * 60.0 + number("s")


def _split_durations(values) -> np.ndarray:
    """:func:`_durations` of values that all match ``_DURATION``: each has two colons, and a ``d`` after
    its days where it gives them (a ``0d`` is put before those that do not)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def numbers(strings) -> np.ndarray:
        return pc.cast(pc.utf8_trim_whitespace(strings), "float64").to_numpy(zero_copy_only=False)

    fields = pc.list_flatten(pc.split_pattern(values, ":"))
    first = fields[0::3]
    no_days = pc.binary_join_element_wise(pa.scalar("0d", first.type), first, pa.scalar("", first.type))
    first = pc.if_else(pc.match_substring(first, "d"), first, no_days)
    days_hours = numbers(pc.list_flatten(pc.split_pattern(first, "d")))
    return (days_hours[0::2] * 86400.0 + days_hours[1::2] * 3600.0 + numbers(fields[1::3]) * 60.0
            + numbers(fields[2::3]))


def to_seconds(values) -> np.ndarray:
    """Convert a time column (Series or array) to float seconds.

    Accepts numbers, durations written ``[Nd ]HH:MM:SS.f`` and date-times (some
    exports put the wall-clock time under a ``time/s`` label); date-times become
    seconds since the first record.
    """
    if isinstance(values, np.ndarray) and values.dtype.kind in "iuf":
        return values.astype(float)
    if not isinstance(values, pd.Series):
        values = pd.Series(values)
    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(dtype=float)
    text = values.astype(str)
    seconds = _durations(text)
    missing = np.isnan(seconds)
    if missing.any():  # plain numbers among them (parsing every value again cost a Maccor read a tenth)
        seconds[missing] = pd.to_numeric(values[missing], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(seconds).mean() > 0.5:
        stamps = pd.to_datetime(text, errors="coerce", format="mixed")
        if stamps.notna().mean() > 0.5:
            return (stamps - stamps.dropna().iloc[0]).dt.total_seconds().to_numpy(dtype=float)
    return seconds


AUX_COLUMN = re.compile(r"^aux\d+_(voltage_V|temperature_C)$")
"""Auxiliary channels (a reference electrode's voltage, thermocouples) that readers name themselves."""


def as_float(values) -> np.ndarray:
    """A column (Series or array) as float64, anything that is not a number as NaN (numeric columns
    without a parse)."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "iuf":
        return values.astype(float, copy=False)
    if isinstance(values, pd.Series) and isinstance(values.dtype, np.dtype) and values.dtype.kind in "iuf":
        return values.to_numpy(dtype=float)  # NumPy numbers hold no NA: na_value= cost an integer column 15 us
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=float, na_value=np.nan)
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def extract_arrays(source, chosen: dict[str, ColumnChoice]) -> dict[str, np.ndarray]:
    """The chosen columns of ``source`` (a DataFrame, or a dict of arrays as a binary reader has them)
    with canonical names and units, as arrays (auxiliary channels a reader already named
    ``aux<n>_voltage_V`` / ``aux<n>_temperature_C`` are kept as they are)."""
    out = {column: as_float(source[column]) for column in source if AUX_COLUMN.match(str(column))}
    for quantity, choice in chosen.items():
        column, family = QUANTITIES[quantity]
        values = source[choice.label]
        if family == "text":
            out[column] = pd.Series(values).astype(str).str.strip().to_numpy()
            continue
        numeric = to_seconds(values) if family == "time" else as_float(values)
        # a factor of 1 multiplied anyway was a copy of the column (0.1 s of an 11-million-row read)
        out[column] = numeric * choice.factor if choice.factor != 1.0 else numeric
    return out


def extract(frame: pd.DataFrame, chosen: dict[str, ColumnChoice]) -> pd.DataFrame:
    """:func:`extract_arrays` as a DataFrame."""
    return pd.DataFrame(extract_arrays(frame, chosen), copy=False)


# Length units of image calibrations (ImageJ, vendor metadata) -> nm.
LENGTH_UNIT_NM = {"nm": 1.0, "nanometer": 1.0, "nanometre": 1.0, "a": 0.1, "å": 0.1, "angstrom": 0.1,
               "um": 1e3, "µm": 1e3, "μm": 1e3, "micron": 1e3, "microns": 1e3, "mm": 1e6, "cm": 1e7,
               "m": 1e9, "pm": 1e-3}
