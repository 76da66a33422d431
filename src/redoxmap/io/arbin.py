"""Arbin exports: MITS Pro / MITS 7 CSV and Excel files.

The binary ``.res`` file is a Microsoft Access database; no maintained Python reader
opens it without the external ``mdbtools`` programs, so it gets a clear error that
says how to export it instead.
"""

from __future__ import annotations

from pathlib import Path

from redoxmap.errors import FormatError
from redoxmap.io.registry import Reader, register_reader
from redoxmap.io.tabular import read_delimited, read_spreadsheet, sniff_header, table_to_raw

SYNONYMS = {
    "time": [("testtime", "s")],
    "voltage": [("voltage", "v")],
    "current": [("current", "a")],
    "cycle": ["cycleindex"],
    "step": ["stepindex"],
    "temperature": [("auxtemperature1", "c"), ("temperature", "c")],
    "charge_capacity": [("chargecapacity", "ah")],
    "discharge_capacity": [("dischargecapacity", "ah")],
}
# Both the MITS header ("Data Point", "Cycle Index") and the underscore variant
# ("Data_Point", "Cycle_Index") normalise to the same keys.
_MARKERS = ("datapoint", "cycleindex", "stepindex")


def _sniff_csv(head: bytes, path: Path) -> bool:
    from redoxmap.io.tabular import find_table_header, header_keys
    from redoxmap.io.text import head_text

    if not sniff_header(head, SYNONYMS):
        return False
    index, sep = find_table_header(head_text(head), SYNONYMS)
    keys = header_keys(head_text(head).splitlines()[index], sep)
    return sum(marker in keys for marker in _MARKERS) >= 2


def read_arbin_csv(path: Path):
    """Read an Arbin CSV export."""
    frame = read_delimited(path, SYNONYMS)
    return table_to_raw(frame, SYNONYMS, path=path, instrument="Arbin", reader="arbin-csv")


def _sniff_xlsx(head: bytes, path: Path) -> bool:
    if not head.startswith(b"PK\x03\x04"):
        return False
    try:
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True)
        names = workbook.sheetnames
        workbook.close()
    except Exception:  # noqa: BLE001 - sniffing: any failure means "not this format"
        return False
    return any(name.startswith("Channel") for name in names)


def read_arbin_xlsx(path: Path):
    """Read an Arbin Excel export (data on ``Channel_*`` sheets)."""
    frame = read_spreadsheet(path, SYNONYMS, sheet_filter=lambda name: name.startswith("Channel"))
    return table_to_raw(frame, SYNONYMS, path=path, instrument="Arbin", reader="arbin-xlsx")


def _sniff_res(head: bytes, path: Path) -> bool:
    return head[4:19] == b"Standard Jet DB"


def read_arbin_res(path: Path):
    """Refuse ``.res`` files with an actionable message (no maintained pure-Python reader)."""
    raise FormatError(
        "Arbin .res files are Microsoft Access databases that need the external mdbtools "
        "programs; export the test from MITS Pro as CSV or Excel and read that",
        path=path,
    )


register_reader(Reader(
    name="arbin-csv", instrument="Arbin", extensions=(".csv",),
    sniff=_sniff_csv, read=read_arbin_csv, description="Arbin MITS CSV export",
))
register_reader(Reader(
    name="arbin-xlsx", instrument="Arbin", extensions=(".xlsx",),
    sniff=_sniff_xlsx, read=read_arbin_xlsx, description="Arbin Excel export (Channel_* sheets)",
))
register_reader(Reader(
    name="arbin-res", instrument="Arbin", extensions=(".res",),
    sniff=_sniff_res, read=read_arbin_res, description="Arbin .res (refused with advice)",
))
