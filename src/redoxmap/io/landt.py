"""LAND (Landt/LANHE) CSV and Excel exports.

The layout is the one LAND's software writes when exporting records with English
column names (``test_time_s``, ``current_A``, ``voltage_V``, ``step_name``) after a
short block of cell information (``cell model:``, ``cell id:``...).
"""

from __future__ import annotations

from pathlib import Path

from redoxmap.io.reader import Reader
from redoxmap.io.tabular import (
    read_delimited,
    read_spreadsheet,
    sheet_headers,
    sniff_header,
    table_to_raw,
)
from redoxmap.io.text import head_text

SYNONYMS = {
    "time": [("testtimes", "s"), ("testtime", "s")],
    "voltage": [("voltagev", "v"), ("voltage", "v")],
    "current": [("currenta", "a"), ("currentma", "ma"), ("current", "a")],
    "cycle": ["cycleindex"],
    "step": ["stepindex"],
    "temperature": [("temperature1c", "c")],
    "charge_capacity": [("chargecapacityah", "ah")],
    "discharge_capacity": [("dischargecapacityah", "ah")],
}


def _sniff_csv(head: bytes, path: Path) -> bool:
    text = head_text(head).lstrip()
    return text.lower().startswith("cell model:") and sniff_header(head, SYNONYMS)


def read_landt_csv(path: Path):
    """Read a LAND CSV export."""
    frame = read_delimited(path, SYNONYMS, arrays=True)
    return table_to_raw(frame, SYNONYMS, path=path, instrument="LAND", reader="landt-csv")


# Column names only LAND's exports use; other workbooks go to the generic reader.
_MARKERS = {"testtimes", "currenta", "voltagev", "stepname"}


def _sniff_xlsx(head: bytes, path: Path) -> bool:
    if not head.startswith(b"PK\x03\x04") or not path.name.lower().endswith(".xlsx"):
        return False
    try:
        headers = sheet_headers(path)
    except Exception:  # noqa: BLE001 - sniffing: any failure means "not this format"
        return False
    return any(len(_MARKERS & set(keys)) >= 2 for keys in headers.values())


def read_landt_xlsx(path: Path):
    """Read a LAND Excel export (the first sheets whose header names time, voltage, current)."""
    frame = read_spreadsheet(path, SYNONYMS, sheet_filter=lambda name: not name.startswith("Channel"))
    return table_to_raw(frame, SYNONYMS, path=path, instrument="LAND", reader="landt-xlsx")


READERS = (
    Reader(
        name="landt-csv", modality="cycling", instrument="LAND", extensions=(".csv",),
        sniff=_sniff_csv, read=read_landt_csv, description="LAND (Landt) CSV export",
    ),
    Reader(
        name="landt-xlsx", modality="cycling", instrument="LAND", extensions=(".xlsx",),
        sniff=_sniff_xlsx, read=read_landt_xlsx, description="LAND (Landt) Excel export",
    ),
)
