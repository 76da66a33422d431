"""X-ray absorption files: XDI, column text (whitespace or CSV) and Athena projects.

Every reader returns :class:`xarray.Dataset` objects: an ``energy`` coordinate in eV and
one data variable per channel (``i0``, ``itrans``, ``tey``, ``pfy``, ``mu``...), with the
file's metadata as attributes. Energies are sorted, repeated energies averaged and rows
with missing values dropped, each with a warning that names the file.
"""

from __future__ import annotations

import ast
import gzip
import re
import warnings
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap.errors import DataWarning, FormatError, ReadError
from redoxmap.io.registry import read_head
from redoxmap.io.text import decode


def _dataset(energy: np.ndarray, channels: dict[str, np.ndarray], attrs: dict, path: Path):
    """Build a clean Dataset: finite rows, increasing unique energies."""
    import xarray as xr

    energy = np.asarray(energy, dtype=float)
    values = {name: np.asarray(v, dtype=float) for name, v in channels.items()}
    finite = np.isfinite(energy)
    for v in values.values():
        finite &= np.isfinite(v)
    if not finite.all():
        warnings.warn(f"{path}: {int((~finite).sum())} rows with missing values were dropped",
                      DataWarning, stacklevel=3)
    energy = energy[finite]
    values = {k: v[finite] for k, v in values.items()}
    if len(energy) < 2:
        raise ReadError("fewer than two data points", path=path)
    if np.any(np.diff(energy) <= 0):
        warnings.warn(f"{path}: energy is not strictly increasing; points were sorted and "
                      "points at the same energy averaged", DataWarning, stacklevel=3)
        unique, inverse = np.unique(energy, return_inverse=True)
        counts = np.bincount(inverse)
        values = {k: np.bincount(inverse, weights=v) / counts for k, v in values.items()}
        energy = unique
    ds = xr.Dataset({k: ("energy", v) for k, v in values.items()}, coords={"energy": energy})
    ds["energy"].attrs["units"] = "eV"
    ds.attrs.update({**attrs, "source_file": str(path)})
    return ds


def read_xdi(path: str | PathLike):
    """Read an XDI 1.0 file: named columns and ``Family.key: value`` metadata.

    Returns
    -------
    xarray.Dataset
        Channels named after the ``Column.N`` labels (``energy`` is the coordinate).
    """
    path = Path(path)
    head = read_head(path)
    if not head.lstrip().startswith(b"# XDI"):
        raise FormatError("not an XDI file (no '# XDI/' first line)", path=path)
    text = decode(path.read_bytes())
    columns: dict[int, str] = {}
    attrs: dict[str, str] = {}
    data_lines = []
    for line in text.splitlines():
        if line.startswith("#"):
            match = re.match(r"#\s*([\w.]+)\s*:\s*(.*)", line)
            if match:
                key, value = match.group(1), match.group(2).strip()
                column = re.match(r"Column\.(\d+)", key)
                if column:
                    columns[int(column.group(1))] = value.split()[0].lower()
                else:
                    attrs[key] = value
        elif line.strip():
            data_lines.append(line)
    if not columns:
        raise FormatError("XDI header names no columns", path=path)
    try:
        table = np.loadtxt(data_lines, ndmin=2)
    except ValueError as exc:
        raise ReadError(f"XDI data cannot be parsed ({exc})", path=path) from exc
    names = [columns.get(i + 1, f"column{i + 1}") for i in range(table.shape[1])]
    if "energy" not in names:
        raise FormatError(f"no energy column (columns: {', '.join(names)})", path=path)
    e = names.index("energy")
    channels = {n: table[:, i] for i, n in enumerate(names) if i != e}
    return _dataset(table[:, e], channels, attrs, path)


def read_columns(path: str | PathLike, *, names: list[str] | None = None,
                 energy: str | None = None):
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
            match = re.match(r"([\w .]+?)\s*:\s*(.+)", body)
            if match and "\t" not in body:
                attrs[match.group(1).strip()] = match.group(2).strip()
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
    return _dataset(table[:, e], channels, attrs, path)


def _perl_list(text: str):
    """Parse the right-hand side of an Athena ``@name = (...);`` line without evaluating code."""
    body = text.strip().rstrip(";").strip()
    body = re.sub(r"\bundef\b", "None", body)
    return ast.literal_eval(body if body.startswith("(") else f"({body})")


def read_athena(path: str | PathLike) -> dict:
    """Read every group of an Athena project, applying each group's stored energy shift.

    Athena keeps the energy shift a user applied (``bkg_eshift``) beside the unshifted
    energies; a popular reader ignores it (its Mn3O4 then sits 19 eV off). Here the
    returned energies are ``raw + eshift``, and the shift is kept in ``attrs``.

    Returns
    -------
    dict
        Group label -> :class:`xarray.Dataset` with ``mu`` (and ``i0`` where stored).
    """
    path = Path(path)
    head = read_head(path)
    try:
        raw = gzip.decompress(path.read_bytes()) if head[:2] == b"\x1f\x8b" else path.read_bytes()
    except (OSError, EOFError) as exc:
        raise ReadError(f"the Athena project is truncated or corrupted ({exc})", path=path) from exc
    text = decode(raw)
    if "Athena project file" not in text[:200]:
        raise FormatError("not an Athena project (no 'Athena project file' header)", path=path)
    groups, current = {}, None
    for line in text.splitlines():
        if line.startswith("$old_group"):
            current = {}
            continue
        match = re.match(r"@(\w+)\s*=\s*(.*)$", line)
        if current is None or not match:
            continue
        name, rhs = match.groups()
        if name not in ("args", "x", "y", "i0"):
            continue
        try:
            current[name] = _perl_list(rhs)
        except (ValueError, SyntaxError) as exc:
            if groups:  # a project cut short: keep the groups that are whole
                warnings.warn(f"{path}: the project is cut inside a group; the {len(groups)} complete "
                              "groups before it were read", DataWarning, stacklevel=2)
                break
            raise ReadError(f"damaged Athena record @{name} ({type(exc).__name__})", path=path) from exc
        if name == "y" and "args" in current and "x" in current:
            args = current["args"]
            meta = dict(zip(args[::2], args[1::2]))
            label = str(meta.get("label", f"group{len(groups) + 1}"))
            shift = float(meta.get("bkg_eshift") or 0.0)
            energy = np.asarray(current["x"], dtype=float) + shift
            channels = {"mu": np.asarray(current["y"], dtype=float)}
            if "i0" in current and len(current["i0"]) == len(energy):
                channels["i0"] = np.asarray(current["i0"], dtype=float)
            attrs = {"label": label, "energy_shift_eV": shift,
                     "athena_e0_eV": float(meta.get("bkg_e0") or np.nan),
                     "element": str(meta.get("bkg_z", "")), "edge": str(meta.get("fft_edge", ""))}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DataWarning)
                groups[label] = _dataset(energy, channels, attrs, path)
            current = None
    if not groups:
        raise ReadError("the Athena project holds no groups with data", path=path)
    return groups


HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


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


def read_hdf5(path: str | PathLike, channels: dict[str, str]):
    """Read channels from an HDF5/NeXus file through a channel map.

    Parameters
    ----------
    channels : dict
        Role -> dataset path inside the file; ``energy`` is required. The attributes of
        the groups holding the datasets become the spectrum's metadata.
    """
    import h5py

    path = Path(path)
    head = read_head(path)
    if not head.startswith(HDF5_MAGIC):
        raise FormatError("not an HDF5 file", path=path)
    if "energy" not in channels:
        raise FormatError("the channel map must name the energy dataset", path=path)
    try:
        with h5py.File(path, "r") as handle:
            values, attrs = {}, {}
            for role, dataset in channels.items():
                if dataset not in handle:
                    raise FormatError(f"no dataset {dataset!r} for channel {role!r}", path=path)
                values[role] = np.asarray(handle[dataset][()], dtype=float).ravel()
                parent = handle[dataset].parent
                attrs.update({k: (v.decode() if isinstance(v, bytes) else v.item() if hasattr(v, "item") else v)
                              for k, v in parent.attrs.items()})
    except OSError as exc:
        raise ReadError(f"the HDF5 file cannot be read ({exc})", path=path) from exc
    energy = values.pop("energy")
    lengths = {k: len(v) for k, v in values.items()}
    if any(n != len(energy) for n in lengths.values()):
        raise FormatError(f"channels differ in length from energy ({len(energy)}): {lengths}", path=path)
    return _dataset(energy, values, attrs, path)


def read_spectrum_table(path: str | PathLike, *, channel_map: dict[str, str] | None = None, **options):
    """Read an XDI, HDF5 (with a channel map) or column file, chosen by content.

    With a channel map, the file's columns are renamed to the map's roles.
    """
    path = Path(path)
    head = read_head(path)
    if head.startswith(HDF5_MAGIC):
        if not channel_map:
            raise FormatError("an HDF5/NeXus file needs a channel map (energy = \"path/to/dataset\", ...)",
                              path=path)
        return read_hdf5(path, channel_map)
    ds = _read_text_spectrum(path, head, **options)
    if channel_map:
        energy_label = channel_map.get("energy")
        renames = {label.lower(): role for role, label in channel_map.items() if role != "energy"}
        missing = [label for label in renames if label not in ds]
        if missing:
            raise FormatError(f"channel map names columns not in the file: {', '.join(missing)} "
                              f"(columns: {', '.join(ds.data_vars)})", path=path)
        ds = ds[list(renames)].rename(renames)
        if energy_label:
            ds.attrs["energy_column"] = energy_label
    return ds


def _read_text_spectrum(path: Path, head: bytes, **options):
    if head.lstrip().startswith(b"# XDI"):
        return read_xdi(path)
    if head[:2] == b"\x1f\x8b" or b"Athena project file" in head[:200]:
        raise FormatError("an Athena project holds several spectra: use read_athena", path=path)
    return read_columns(path, **options)


def stack(spectra: dict, *, dim: str = "state"):
    """Stack same-grid spectra (DataArrays) along a new dimension (e.g. ``state``)."""
    import xarray as xr

    return xr.concat(list(spectra.values()), dim=pd.Index(list(spectra), name=dim))
