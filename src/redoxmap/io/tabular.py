"""What the delimited-text and spreadsheet readers share: find the table, map its columns.

Arbin, Maccor, LAND, BDF and generic exports differ in their preambles and column
names, not in how a table is turned into canonical columns; this module does that
part once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap.errors import FormatError, ReadError, RedoxmapError
from redoxmap.io.archives import check_archive
from redoxmap.io.labels import AUX_COLUMN, choose_columns, extract_arrays, split_label
from redoxmap.io.raw import RawCycling, checked
from redoxmap.io.text import TextFile, head_lines, head_text, parse_table, unique_names

Synonyms = dict[str, list]
MAX_HEADER_CHARS = 20_000  # the widest real export header (Arbin with aux channels) is ~2,000


def guess_separator(header_line: str) -> str:
    """The delimiter of a header line: tab, then semicolon, then comma."""
    for sep in ("\t", ";", ","):
        if header_line.count(sep) >= 2:
            return sep
    return ","


def header_keys(line: str, sep: str) -> list[str]:
    """Normalised name keys of the labels in a header line."""
    return list(_line_keys(line, sep))


@lru_cache(maxsize=256)
def _line_keys(line: str, sep: str) -> tuple[str, ...]:
    # Every text reader's sniffer looks for its header in the same first lines of a file, each label
    # parsed by split_label: a tenth of a 2.6 MB LAND export's read before this was remembered.
    return tuple(split_label(label)[0] for label in line.split(sep))


def matches(keys: list[str], synonyms: Synonyms, quantities=("time", "voltage", "current")) -> bool:
    """Whether header keys name every one of ``quantities`` through ``synonyms``."""
    names = set(keys)
    for quantity in quantities:
        accepted = {s if isinstance(s, str) else s[0] for s in synonyms[quantity]}
        if not names & accepted:
            return False
    return True


def find_table_header(text: str | list[str], synonyms: Synonyms, *, limit: int = 60,
                      quantities=("time", "voltage", "current")) -> tuple[int, str] | None:
    """The index and separator of the first line (within ``limit``) that names ``quantities``
    (``text``: the file's head, or its first lines)."""
    lines = head_lines(text) if isinstance(text, str) else text
    for index, line in enumerate(lines[:limit]):
        if len(line) > MAX_HEADER_CHARS:
            continue  # not a header (a damaged line would otherwise cost a label parse per character)
        sep = guess_separator(line)
        if matches(header_keys(line, sep), synonyms, quantities):
            return index, sep
    return None


def sniff_header(head: bytes, synonyms: Synonyms, *, limit: int = 60) -> bool:
    """Sniff helper: does a table header for these synonyms appear near the top of the file?"""
    if head[:4] in (b"PK\x03\x04", b"PAR1") or b"\x00" in head[:2048]:
        return False
    return find_table_header(head_text(head), synonyms, limit=limit) is not None


def read_delimited(path: Path, synonyms: Synonyms, *, limit: int = 60, source: TextFile | None = None,
                   also: Callable[[str], bool] = lambda label: False,
                   arrays: bool = False) -> pd.DataFrame | dict[str, np.ndarray]:
    """Read a delimited export whose header is the first line naming time, voltage and current (``source``:
    the file when the caller has already read or unpacked it). Only the columns :func:`table_to_raw` will
    choose through ``synonyms`` (and auxiliary channels, and those ``also`` accepts) need to be parsed.
    ``arrays``: the caller hands the table straight to :func:`table_to_raw`, which takes column arrays (a small
    table of numbers then skips pandas: :func:`~redoxmap.io.text.parse_table`)."""
    source = TextFile.read(path) if source is None else source
    found = find_table_header(source.head(limit), synonyms, limit=limit)
    if found is None:
        raise FormatError("no table header with time, voltage and current columns found", path=path)
    index, sep = found

    def needed(labels: list[str]) -> set[str]:
        chosen = {choice.label for choice in choose_columns(labels, synonyms, path=path).values()}
        return chosen | {label for label in labels if AUX_COLUMN.match(label) or also(label)}
    return parse_table(source, sep=sep, skip_lines=index, columns=needed, arrays=arrays)


def read_spreadsheet(
    path: Path, synonyms: Synonyms, *, sheet_filter: Callable[[str], bool] = lambda name: True
) -> pd.DataFrame:
    """Read the data sheets of an Excel workbook whose header names time, voltage and current.

    Sheets accepted by ``sheet_filter`` whose header matches are concatenated in order
    (exports split long tests across sheets).
    """
    names = data_sheets(path, synonyms, sheet_filter=sheet_filter)
    if not names:
        raise FormatError("no sheet with time, voltage and current columns", path=path)
    with workbook_errors(path):
        frames = [pd.read_excel(path, sheet_name=name, engine="openpyxl") for name in names]
    frame = pd.concat(frames, ignore_index=True)
    frame.columns = unique_names(frame.columns)
    return frame


def sheet_headers(path: Path) -> dict[str, list[str]]:
    """Normalised name keys of the first row of every sheet of a workbook (reads headers only)."""
    from openpyxl import load_workbook

    check_archive(path, verify=True)
    with workbook_errors(path):
        workbook = load_workbook(path, read_only=True)
        try:
            headers = {}
            for sheet in workbook.worksheets:
                first = next(sheet.iter_rows(max_row=1, values_only=True), ())
                headers[sheet.title] = [split_label(str(c))[0] for c in first if c is not None]
            return headers
        finally:
            workbook.close()


@contextmanager
def workbook_errors(path: Path) -> Iterator[None]:
    """A workbook openpyxl cannot parse (a damaged sheet's XML, a missing part) as a :class:`ReadError`.

    openpyxl raises whatever its XML and zip layers raise; any of it means a damaged workbook."""
    try:
        yield
    except RedoxmapError:
        raise
    except Exception as exc:
        raise ReadError(f"not a readable Excel workbook ({type(exc).__name__}: {str(exc)[:120]})",
                        path=path) from exc


def data_sheets(
    path: Path, synonyms: Synonyms, *, sheet_filter: Callable[[str], bool] = lambda name: True
) -> list[str]:
    """Names of the sheets whose first row names time, voltage and current."""
    return [name for name, keys in sheet_headers(path).items()
            if sheet_filter(name) and matches(keys, synonyms)]


def table_to_raw(
    frame: pd.DataFrame | dict[str, np.ndarray],
    synonyms: Synonyms,
    *,
    path: Path,
    instrument: str,
    reader: str,
    metadata: dict | None = None,
    charge_states: tuple[str, ...] = (),
    discharge_states: tuple[str, ...] = (),
) -> RawCycling:
    """Map a parsed table (a DataFrame, or its columns' arrays by label) to canonical columns and check it.

    Parameters
    ----------
    charge_states, discharge_states : tuple of str
        For instruments that log current without sign and a state column (Maccor
        ``C``/``D``): the state codes whose current is made positive or negative.
    """
    chosen = choose_columns(list(frame), synonyms, path=path)
    # Column arrays, not a DataFrame: checked() builds the one DataFrame (an intermediate one, and dropping a
    # column from it, were a third of a small file's read)
    columns = extract_arrays(frame, chosen)
    state = columns.pop("instrument_state", None)
    if state is not None and (charge_states or discharge_states):
        state = pd.Series(state, dtype="str").str.upper()  # pandas' (Arrow's, pandas 3): NumPy's took 1.2 ms
        sign = np.where(state.isin(charge_states), 1.0, np.where(state.isin(discharge_states), -1.0, 0.0))
        columns["current_A"] = np.abs(columns["current_A"]) * sign
    return checked(RawCycling(columns, instrument=instrument, reader=reader, source_file=path,
                              metadata=metadata or {}))
