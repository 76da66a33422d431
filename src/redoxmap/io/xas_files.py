"""X-ray absorption spectra: what every absorption reader returns, and reading a file into one.

Every reader gives a :class:`SpectrumTable` (plain arrays: an ``energy`` in eV and one
array per channel, ``i0``, ``itrans``, ``tey``, ``pfy``, ``mu``..., with the file's
metadata), which :meth:`SpectrumTable.to_dataset` turns into an :class:`xarray.Dataset`.
Energies are sorted, repeated energies averaged and rows with missing values dropped,
each with a warning that names the file.

The formats are read by their own modules (``xdi``, ``athena``, ``nexus``), found through
the reader registry; this module reads beamline column files (whitespace or CSV).
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap.errors import DataWarning, FormatError, ReadError, warn
from redoxmap.io.raw import refuse_implausible
from redoxmap.io.reader import Reader, read_head
from redoxmap.io.text import decode


class SpectrumTable:
    """A spectrum file's content as plain arrays: energy, channels and metadata.

    The readers build this first (it is all that processing one scan needs); the public
    readers wrap it into an :class:`xarray.Dataset`.
    """

    __slots__ = ("attrs", "channels", "energy")

    def __init__(self, energy: np.ndarray, channels: dict[str, np.ndarray], attrs: dict):
        self.energy, self.channels, self.attrs = energy, channels, attrs

    def __contains__(self, name: str) -> bool:
        return name in self.channels

    def to_dataset(self):
        """The same content as an xarray Dataset with an ``energy`` coordinate in eV."""
        import xarray as xr

        ds = xr.Dataset({k: ("energy", v) for k, v in self.channels.items()}, coords={"energy": self.energy})
        ds["energy"].attrs["units"] = "eV"
        ds.attrs.update(self.attrs)
        return ds


ENERGY_RANGE_EV = (40.0, 150_000.0)  # the Li K edge (55 eV) to hard X-rays; the public spectra: 520 eV-12.2 keV
MIN_SPAN_EV = 5.0  # an edge scan spans tens of eV (the public ones at least 21 eV)


def clean_spectrum(energy: np.ndarray, channels: dict[str, np.ndarray], attrs: dict, path: Path) -> SpectrumTable:
    """A reader's arrays as a :class:`SpectrumTable`: finite rows, strictly increasing energies
    (sorted, repeats averaged), with warnings that name the file."""
    energy = np.asarray(energy, dtype=float)
    values = {name: np.asarray(v, dtype=float) for name, v in channels.items()}
    finite = np.isfinite(energy)
    for v in values.values():
        finite &= np.isfinite(v)
    if not finite.all():
        warn(f"{path}: {int((~finite).sum())} rows with missing values were dropped",
                      DataWarning)
    energy = energy[finite]
    values = {k: v[finite] for k, v in values.items()}
    if len(energy) < 2:
        raise ReadError("fewer than two data points", path=path)
    refuse_implausible(energy, 1e6, "energy (eV)", path)
    for name, v in values.items():
        refuse_implausible(v, 1e100, f"channel {name!r}", path)
    low, high = float(energy.min()), float(energy.max())
    if low < ENERGY_RANGE_EV[0] or high > ENERGY_RANGE_EV[1] or high - low < MIN_SPAN_EV:
        raise FormatError(f"its energies run {low:.4g}-{high:.4g}: not an absorption spectrum in eV (edges lie "
                          f"between {ENERGY_RANGE_EV[0]:g} eV and {ENERGY_RANGE_EV[1] / 1e3:g} keV, a scan spans "
                          f"at least {MIN_SPAN_EV:g} eV; energies in keV, or another measurement's columns?)",
                          path=path)
    if np.any(np.diff(energy) <= 0):
        warn(f"{path}: energy is not strictly increasing; points were sorted and "
                      "points at the same energy averaged", DataWarning)
        unique, inverse = np.unique(energy, return_inverse=True)
        counts = np.bincount(inverse)
        values = {k: np.bincount(inverse, weights=v) / counts for k, v in values.items()}
        energy = unique
    return SpectrumTable(energy, values, {**attrs, "source_file": str(path)})


def read_columns(path: str | PathLike, *, names: list[str] | None = None, energy: str | None = None):
    """Read a beamline column file (whitespace or CSV, with or without ``#`` headers).

    Parameters
    ----------
    path : path-like
    names : list of str, optional
        Column names, when the file has no header line.
    energy : str, optional
        Name of the energy column; default: the first column.

    Returns
    -------
    xarray.Dataset
        Channels named after the header (or ``names``), lower case.
    """
    return columns_table(path, names=names, energy=energy).to_dataset()


def columns_table(path: str | PathLike, *, names: list[str] | None = None,
                  energy: str | None = None) -> SpectrumTable:
    """The content of a column file as plain arrays; parameters as :func:`read_columns`."""
    path = Path(path)
    read_head(path)
    text = decode(path.read_bytes())
    header: list[str] | None = None
    rows = []
    attrs = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            body = stripped.lstrip("#").strip()
            key, colon, value = body.partition(":")  # not a regular expression: linear on a line of blanks
            if colon and value.strip() and "\t" not in body and re.fullmatch(r"[\w .]+", key.strip() or "-"):
                attrs[key.strip()] = value.strip()
            elif body:
                header = re.split(r"[\s,;]+", body)
            continue
        fields = [f for f in re.split(r"[\s,;]+", stripped) if f]
        try:
            rows.append([float(f) for f in fields])
        except ValueError:
            if rows:
                raise ReadError(f"non-numeric data line: {stripped[:60]!r}", path=path) from None
            header = fields  # a header line without '#'
    if not rows:
        raise ReadError("no numeric data rows", path=path)
    width = min(len(r) for r in rows)
    table = np.array([r[:width] for r in rows])
    labels = names or header or []
    labels = [str(x).lower() for x in labels][:width]
    labels += [f"column{i + 1}" for i in range(len(labels), width)]
    e = labels.index(energy.lower()) if energy else 0
    if energy and energy.lower() not in labels:
        raise FormatError(f"no column {energy!r} (columns: {', '.join(labels)})", path=path)
    channels = {n: table[:, i] for i, n in enumerate(labels) if i != e}
    return clean_spectrum(table[:, e], channels, attrs, path)


def load_channel_map(path: str | PathLike) -> dict[str, str]:
    """A saved channel map: TOML or JSON, ``role = "column or dataset path"``.

    A ``[channels]`` table is used if present. Roles are ``energy``, ``i0``, ``itrans``,
    ``irefer``, ``tey``, ``tfy``, ``pfy``, ``mu`` or any name a command refers to.
    """
    import json
    import tomllib

    path = Path(path)
    read_head(path)
    try:
        data = (json.loads(path.read_text()) if path.suffix.lower() == ".json"
                else tomllib.loads(path.read_text()))
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise FormatError(f"not a valid channel map ({exc})", path=path) from exc
    data = data.get("channels", data)
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise FormatError("a channel map is a table of role = \"column name\"", path=path)
    return {str(k).lower(): v for k, v in data.items()}


def read_spectrum_table(path: str | PathLike, *, channel_map: dict[str, str] | None = None,
                        format: str | None = None, **options):
    """Read one absorption spectrum of any format ``redoxmap formats`` lists under ``xas``, as a
    Dataset (chosen by content, then name; see :func:`spectrum_table`)."""
    return spectrum_table(path, channel_map=channel_map, format=format, **options).to_dataset()


def spectrum_table(path: str | PathLike, *, channel_map: dict[str, str] | None = None,
                   format: str | None = None, **options) -> SpectrumTable:
    """One absorption spectrum as plain arrays.

    Parameters
    ----------
    path : path-like
        An XDI, column, single-group Athena or HDF5/NeXus file.
    channel_map : dict, optional
        Role -> column name (renames a text file's columns) or dataset path (needed for
        HDF5/NeXus).
    format : str, optional
        Force a reader by name (``"xdi"``, ``"columns"``, ``"athena"``, ``"hdf5"``).
    **options
        Reader options (``names=``, ``energy=`` for column files).
    """
    from redoxmap.io.registry import check_options, detect_reader

    path = Path(path)
    reader = detect_reader(path, modality="xas", format=format)
    if "channels" in reader.options:
        if not channel_map:
            raise FormatError(f"a {reader.instrument} file needs a channel map (energy = \"path/to/dataset\", ...)",
                              path=path)
        options = {**options, "channels": channel_map}
    check_options(reader, options, path)
    table = reader.read(path, **options)
    return rename_channels(table, channel_map, path) if channel_map and "channels" not in reader.options else table


def rename_channels(table: SpectrumTable, channel_map: dict[str, str], path: Path) -> SpectrumTable:
    """The channels a map names (``role -> column``), under their roles (``{"i0": "Mon", "itrans": "Ion1"}``)."""
    renames = {label.lower(): role for role, label in channel_map.items() if role != "energy"}
    missing = [label for label in renames if label not in table]
    if missing:
        raise FormatError(f"channel map names columns not in the file: {', '.join(missing)} "
                          f"(columns: {', '.join(table.channels)})", path=path)
    return SpectrumTable(table.energy, {role: table.channels[label] for label, role in renames.items()}, table.attrs)


def stack(spectra: dict, *, dim: str = "state"):
    """Stack same-grid spectra (DataArrays) along a new dimension (e.g. ``state``)."""
    import xarray as xr

    return xr.concat(list(spectra.values()), dim=pd.Index(list(spectra), name=dim))


def _sniff_columns(head: bytes, path: Path) -> bool:
    return b"\x00" not in head[:4096]


READERS = (
    Reader(name="columns", modality="xas", instrument="any beamline", extensions=(".txt", ".dat", ".csv"),
           sniff=_sniff_columns, read=columns_table, options=("names", "energy"), fallback=True,
           description="whitespace or CSV columns, named or via a channel map"),
)
