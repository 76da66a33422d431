"""Thermo Scientific Avantage exports of XPS regions: Excel workbooks and delimited text.

Avantage writes what its user saw: each region's counts on a binding-energy axis, and beside them the
instrument's own fit (each peak over its background, the background, the envelope, the residuals).

* **Workbook** (``.xlsx``): one sheet per region (``"C1s Scan"``, ``"O1s Scan"``, ``"Survey"``), a header
  row whose first cell starts with ``Binding Energy`` naming the columns (the counts, each fitted peak,
  ``Backgnd.``, ``Envelope``, ``Residuals``), a unit row (``eV``, ``Counts / s``), then the data with the
  binding energy descending. Sheets without that header (``Peak Table``, ``Titles``...) are left out.
* **Text** (``.txt``, ``.csv``, tab- or comma-separated): each region's columns start with its binding
  energy, headed ``BE_<region>`` (``BE_S 2p 4``), followed by its counts and its fit columns, until the
  next ``BE_`` column.

The counts become an :class:`redoxmap.io.xps_files.XpsSpectrum` (region named as XPS does, ``"C 1s"``);
the instrument's fit columns are kept in its metadata (``instrument_fit``, a table on the spectrum's own
binding energies) so that a refit can be put beside them.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap.errors import FormatError
from redoxmap.io.reader import Reader, read_head
from redoxmap.io.text import decode, head_text

_REGION = re.compile(r"^\s*([A-Z][a-z]?)\s*(\d[spdf](?:\d/2)?)", re.IGNORECASE)
_FIT_NAMES = ("backgnd", "background", "envelope", "residual")
_BE_TEXT = re.compile(r"(^|[\t,;])\s*\"?BE_", re.IGNORECASE)


def region_name(label: str) -> str:
    """``"C1s Scan"`` -> ``"C 1s"``, ``"S 2p 4"`` -> ``"S 2p"``; other labels as they are (``"Survey"``)."""
    found = _REGION.match(str(label))
    if not found:
        return str(label).replace(" Scan", "").strip()
    element = found.group(1)[0].upper() + found.group(1)[1:].lower()
    return f"{element} {found.group(2).lower()}"


def _spectrum(energy, counts, fit: pd.DataFrame, *, path: Path, region: str, sheet: str | None):
    from redoxmap.io.xps_files import make_spectrum

    energy, counts = np.asarray(energy, float), np.asarray(counts, float)
    keep = np.isfinite(energy) & np.isfinite(counts)
    fit = fit.loc[keep].reset_index(drop=True)
    fit.insert(0, "binding_energy_eV", energy[keep])
    metadata = {"instrument": "Thermo Avantage export", "instrument_fit": fit.sort_values("binding_energy_eV",
                                                                                          ignore_index=True)}
    if sheet is not None:
        metadata["sheet"] = sheet
    return make_spectrum(energy[keep], counts[keep], path=path, region=region, axis="binding",
                         excitation_energy_eV=None, metadata=metadata, block=sheet or region)


def read_avantage_workbook(path: str | Path) -> list:
    """Every region sheet of an Avantage Excel export (see the module description)."""
    from redoxmap.io.archives import check_archive
    from redoxmap.io.tabular import workbook_errors

    path = Path(path)
    check_archive(path, verify=True)
    with workbook_errors(path):
        sheets = pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
    spectra = []
    for name, frame in sheets.items():
        header = next((i for i, value in enumerate(frame.iloc[:, 0].astype(str)) if value.startswith("Binding Energy")),
                      None)
        if header is None:
            continue
        names = [str(v) if pd.notna(v) else "" for v in frame.iloc[header]]
        units = [str(v) if pd.notna(v) else "" for v in frame.iloc[header + 1]] if header + 1 < len(frame) else []
        data = frame.iloc[header + 2:].apply(pd.to_numeric, errors="coerce")
        counts = next((k for k, unit in enumerate(units) if k > 0 and "counts" in unit.lower()), None)
        if counts is None or data.shape[0] < 5:
            raise FormatError(f"sheet {name!r}: no counts column (a unit of 'Counts / s') beside the binding energy",
                              path=path)
        fit = {names[k] or f"column {k + 1}": data.iloc[:, k].to_numpy(float) for k in range(counts + 1, len(names))
               if names[k] and np.isfinite(data.iloc[:, k].to_numpy(float)).any()}
        spectra.append(_spectrum(data.iloc[:, 0], data.iloc[:, counts], pd.DataFrame(fit), path=path,
                                 region=region_name(name), sheet=str(name)))
    if not spectra:
        raise FormatError(f"no sheet with a 'Binding Energy' header row (sheets: {', '.join(map(str, sheets))})",
                          path=path)
    return spectra


def read_avantage_text(path: str | Path) -> list:
    """Every region of an Avantage text export: columns ``BE_<region>``, its counts and fit (module
    description)."""
    path = Path(path)
    read_head(path)
    text = decode(path.read_bytes())
    lines = text.splitlines()
    header = next((i for i, line in enumerate(lines[:100]) if _BE_TEXT.search(line)), None)
    if header is None:
        raise FormatError("no column headed BE_<region>", path=path)
    separator = "\t" if "\t" in lines[header] else ","
    try:
        frame = pd.read_csv(path, sep=separator, skiprows=header, header=0, engine="python", skip_blank_lines=True)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise FormatError(f"not a readable table ({str(exc)[:100]})", path=path) from exc
    frame.columns = [str(c).strip().strip('"') for c in frame.columns]
    starts = [k for k, c in enumerate(frame.columns) if c.upper().startswith("BE_")]
    spectra = []
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else frame.shape[1]
        block = frame.iloc[:, start:end].apply(pd.to_numeric, errors="coerce")
        if block.shape[1] < 2:
            raise FormatError(f"column {frame.columns[start]!r} has no counts beside it", path=path)
        label = frame.columns[start][3:]
        fit = block.iloc[:, 2:]
        fit = fit.loc[:, [np.isfinite(fit[c].to_numpy(float)).any() for c in fit.columns]]
        spectra.append(_spectrum(block.iloc[:, 0], block.iloc[:, 1], fit.reset_index(drop=True), path=path,
                                 region=region_name(label), sheet=None))
    return spectra


def _sniff_workbook(head: bytes, path: Path) -> bool:
    if not head.startswith(b"PK\x03\x04") or not path.name.lower().endswith((".xlsx", ".xlsm")):
        return False
    try:
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True)
        try:
            for sheet in workbook.worksheets[:10]:
                for row in sheet.iter_rows(max_row=12, max_col=1, values_only=True):
                    if str(row[0]).startswith("Binding Energy"):
                        return True
        finally:
            workbook.close()
    except Exception:  # noqa: BLE001 - sniffing: any failure means "not this format"
        return False
    return False


def _sniff_text(head: bytes, path: Path) -> bool:
    return bool(_BE_TEXT.search(head_text(head)[:20000]))


READERS = (
    Reader("avantage-xlsx", "xps", "Thermo Avantage", (".xlsx", ".xlsm"), _sniff_workbook, read_avantage_workbook,
           "Thermo Avantage Excel export: one sheet per region with the instrument's own fit beside the counts"),
    Reader("avantage-text", "xps", "Thermo Avantage", (".txt", ".csv", ".tsv"), _sniff_text, read_avantage_text,
           "Thermo Avantage text export: BE_<region> columns with counts and fit columns"),
)
