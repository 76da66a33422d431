"""Any delimited text or Excel table with time, voltage and current columns.

Used when a file is not recognised as a specific instrument's export: the header is
searched for common names (``Test Time (s)``, ``Voltage(V)``, ``Current(mA)``...),
or the user gives a column mapping and units.
"""

from __future__ import annotations

from pathlib import Path

from redoxmap.errors import FormatError
from redoxmap.io.labels import split_label
from redoxmap.io.raw import RawCycling
from redoxmap.io.reader import Reader
from redoxmap.io.tabular import (
    data_sheets,
    read_delimited,
    read_spreadsheet,
    sniff_header,
    table_to_raw,
)

SYNONYMS = {
    "time": ["cumulativetime", "totaltime", "testtime", "elapsedtime", "runtime", "time"],
    "voltage": ["voltage", "potential", "cellvoltage", "ewe", "ecell", "u"],
    "current": ["current", "i"],
    "cycle": ["cycleindex", "cyclenumber", "cycleid", "cycle"],
    "step": ["stepindex", "stepid", "stepnumber", "step"],
    "temperature": ["temperature", "temp"],
}
_QUANTITY_OF_OPTION = {"time": "time", "voltage": "voltage", "current": "current",
                       "cycle": "cycle", "step": "step", "temperature": "temperature"}


def _mapped_synonyms(columns: dict[str, str] | None, units: dict[str, str] | None) -> dict:
    if not columns:
        return SYNONYMS
    unknown = set(columns) - set(_QUANTITY_OF_OPTION)
    if unknown:
        raise FormatError(
            f"unknown quantities in the column mapping: {', '.join(sorted(unknown))} "
            f"(known: {', '.join(_QUANTITY_OF_OPTION)})"
        )
    synonyms = dict(SYNONYMS)
    for quantity, label in columns.items():
        key, unit = split_label(label)
        unit = (units or {}).get(quantity, unit).lower().replace(" ", "")
        synonyms[_QUANTITY_OF_OPTION[quantity]] = [(key, unit)] if unit else [key]
    return synonyms


def read_generic(
    path: Path,
    *,
    columns: dict[str, str] | None = None,
    units: dict[str, str] | None = None,
    current_sign: int = 1,
) -> RawCycling:
    """Read a table with time, voltage and current columns.

    Parameters
    ----------
    path : Path
    columns : dict, optional
        Quantity (``time``, ``voltage``, ``current``, ``cycle``, ``step``,
        ``temperature``) -> column label in the file.
    units : dict, optional
        Quantity -> unit (``"h"``, ``"mA"``...) where the label does not say it.
        Labels without a unit are taken as s, V and A.
    current_sign : {1, -1}
        Use -1 for files where discharge current is positive.
    """
    synonyms = _mapped_synonyms(columns, units)
    if path.name.lower().endswith((".xlsx", ".xlsm")):
        frame = read_spreadsheet(path, synonyms)
    else:
        frame = read_delimited(path, synonyms, arrays=True)
    raw = table_to_raw(frame, synonyms, path=path, instrument="unknown", reader="csv")
    if current_sign not in (1, -1):
        raise FormatError("current_sign must be 1 or -1", path=path)
    if current_sign == -1:
        raw.table["current_A"] = -raw.table["current_A"]
    return raw


def _sniff(head: bytes, path: Path) -> bool:
    if head.startswith(b"PK\x03\x04") and path.name.lower().endswith((".xlsx", ".xlsm")):
        try:
            return bool(data_sheets(path, SYNONYMS))
        except Exception:  # noqa: BLE001 - sniffing: any failure means "not this format"
            return False
    return sniff_header(head, SYNONYMS)


READERS = (
    Reader(
        name="csv", modality="cycling", instrument="unknown", extensions=(".csv", ".txt", ".tsv", ".xlsx"),
        sniff=_sniff, read=read_generic,
        description="generic table with time, voltage and current (column mapping optional)",
        options=("columns", "units", "current_sign"), fallback=True,
    ),
)
