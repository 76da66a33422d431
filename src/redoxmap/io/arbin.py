"""Arbin files: MITS Pro / MITS 7 CSV and Excel exports, and the ``.res`` database.

A ``.res`` file is a Microsoft Access (Jet) database. It is read through
``mdb-export`` from mdbtools (a maintained C library and tools, Debian package
``mdbtools``), whose CSV of ``Channel_Normal_Table`` carries the same column names as
Arbin's own CSV export; without mdbtools the error says how to get it.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pandas as pd

from redoxmap.errors import DataWarning, MissingDependencyError, ReadError, warn
from redoxmap.io.archives import check_archive
from redoxmap.io.reader import Reader
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
    from redoxmap.io.text import head_lines, head_text

    if not sniff_header(head, SYNONYMS):
        return False
    text = head_text(head)
    index, sep = find_table_header(text, SYNONYMS)
    keys = header_keys(head_lines(text)[index], sep)
    return "datapoint" in keys and sum(marker in keys for marker in _MARKERS) >= 2  # Arbin always writes Data_Point


def read_arbin_csv(path: Path):
    """Read an Arbin CSV export."""
    frame = read_delimited(path, SYNONYMS, arrays=True)
    return table_to_raw(frame, SYNONYMS, path=path, instrument="Arbin", reader="arbin-csv")


def _sniff_xlsx(head: bytes, path: Path) -> bool:
    if not head.startswith(b"PK\x03\x04"):
        return False
    check_archive(path)  # a bomb in the shared strings would be unpacked by openpyxl's first look
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


RES_TABLE = "Channel_Normal_Table"


def _export(path: Path, table: str, *, required: bool = True) -> pd.DataFrame | None:
    """One table of a ``.res`` database through ``mdb-export`` (None for a missing optional table)."""
    program = shutil.which("mdb-export")
    if program is None:
        raise MissingDependencyError(
            "Arbin .res files are Microsoft Access databases; reading them needs mdbtools "
            "(e.g. apt-get install mdbtools), or export the test from MITS Pro as CSV/Excel",
            path=path,
        )
    try:
        done = subprocess.run([program, str(path), table], capture_output=True, text=True,
                              timeout=600, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ReadError("mdb-export did not finish within 10 minutes", path=path) from exc
    if done.returncode != 0 or not done.stdout.strip():
        if not required:
            return None
        detail = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "no output"
        raise ReadError(f"not a readable Arbin .res database (mdb-export: {detail})", path=path)
    try:
        return pd.read_csv(io.StringIO(done.stdout), low_memory=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise ReadError(f"the database's {table} cannot be parsed ({str(exc)[:100]})", path=path) from exc


# Arbin's auxiliary data types, and the canonical quantity of each.
_AUX_TYPES = {0: "voltage_V", 1: "temperature_C"}


def _aux_columns(path: Path, frame: pd.DataFrame) -> pd.DataFrame:
    """The auxiliary channels (``Auxiliary_Table``: voltage and temperature inputs) as ``aux<n>_...``
    columns beside the records, matched on the data point."""
    aux = _export(path, "Auxiliary_Table", required=False)
    if aux is None or aux.empty or "Data_Point" not in frame or not {"Data_Point", "Auxiliary_Index", "Data_Type",
                                                                    "X"} <= set(aux.columns):
        return frame
    aux = aux[aux["Data_Type"].isin(list(_AUX_TYPES))]
    if "Test_ID" in frame and "Test_ID" in aux:
        aux = aux[aux["Test_ID"] == frame["Test_ID"].iloc[0]]
    aux = aux.assign(column=[f"aux{int(i) + 1}_{_AUX_TYPES[int(t)]}" for i, t in zip(aux["Auxiliary_Index"],
                                                                                       aux["Data_Type"])])
    wide = aux.pivot_table(index="Data_Point", columns="column", values="X", aggfunc="first")
    return frame.join(wide, on="Data_Point")


def read_arbin_res(path: Path):
    """Read an Arbin ``.res`` database through ``mdb-export`` (mdbtools), with its auxiliary channels."""
    frame = _export(path, RES_TABLE)
    if frame.empty:
        raise ReadError(f"the database's {RES_TABLE} holds no records", path=path)
    tests = frame["Test_ID"].unique() if "Test_ID" in frame else []
    if len(tests) > 1:
        warn(f"{path}: {len(tests)} tests in one .res file; reading Test_ID {tests[0]} only",
                      DataWarning)
        frame = frame[frame["Test_ID"] == tests[0]]
    if "Data_Point" in frame:  # a database table has no row order: restore the logging order
        frame = frame.sort_values("Data_Point", kind="stable")
    frame = _aux_columns(path, frame.reset_index(drop=True))
    raw = table_to_raw(frame, SYNONYMS, path=path, instrument="Arbin", reader="arbin-res")
    temperatures = sorted(c for c in raw.table.columns if c.startswith("aux") and c.endswith("_temperature_C"))
    if temperatures and "temperature_C" not in raw.table:
        raw.table["temperature_C"] = raw.table[temperatures[0]]  # the first thermocouple: the cell's
    return raw


READERS = (
    Reader(
        name="arbin-csv", modality="cycling", instrument="Arbin", extensions=(".csv",),
        sniff=_sniff_csv, read=read_arbin_csv, description="Arbin MITS CSV export",
    ),
    Reader(
        name="arbin-xlsx", modality="cycling", instrument="Arbin", extensions=(".xlsx",),
        sniff=_sniff_xlsx, read=read_arbin_xlsx, description="Arbin Excel export (Channel_* sheets)",
    ),
    Reader(
        name="arbin-res", modality="cycling", instrument="Arbin", extensions=(".res",),
        sniff=_sniff_res, read=read_arbin_res, description="Arbin .res database (needs mdbtools)",
    ),
)
