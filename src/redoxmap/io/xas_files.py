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

# reader -> (instrument, extensions, description), for ``redoxmap formats``.
XAS_FORMATS = {
    "xdi": ("any beamline", (".xdi",), "XAS Data Interchange, named columns and metadata"),
    "columns": ("any beamline", (".txt", ".dat", ".csv"), "whitespace or CSV columns, named or via a channel map"),
    "athena": ("Athena/Demeter", (".prj",), "projects; each group's energy shift applied"),
    "hdf5": ("NeXus/HDF5", (".h5", ".hdf5", ".nxs"), "datasets named by a channel map"),
}


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


def _clean(energy: np.ndarray, channels: dict[str, np.ndarray], attrs: dict, path: Path) -> SpectrumTable:
    """Finite rows, strictly increasing energies (sorted, repeats averaged), with warnings."""
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
    return SpectrumTable(energy, values, {**attrs, "source_file": str(path)})


def _dataset(energy: np.ndarray, channels: dict[str, np.ndarray], attrs: dict, path: Path):
    """A clean Dataset (see :func:`_clean`)."""
    return _clean(energy, channels, attrs, path).to_dataset()


def read_xdi(path: str | PathLike):
    """Read an XDI 1.0 file: named columns and ``Family.key: value`` metadata.

    Returns
    -------
    xarray.Dataset
        Channels named after the ``Column.N`` labels (``energy`` is the coordinate).
    """
    return xdi_table(path).to_dataset()


_DATA_LINE = re.compile(r"^[ \t]*[^#\s]", re.MULTILINE)


def _numbers(block: str, path: Path) -> np.ndarray:
    """Parse a block of whitespace-separated numeric lines into a 2-D array.

    Fast path: one split of the whole block, accepted when the value count equals
    (lines x width of the first line); ragged, gappy or non-numeric blocks go to
    ``numpy.loadtxt``, which skips blank lines and gives a precise error. ``#`` comment
    lines inside the block are skipped.
    """
    if "#" in block:
        block = "\n".join(line for line in block.splitlines() if not line.lstrip().startswith("#"))
    block = block.strip()
    if not block:
        raise ReadError("no data rows", path=path)
    rows = block.count("\n") + 1  # blank lines inside the block send it to loadtxt, which skips them
    width = len(block.partition("\n")[0].split())
    values = block.split()
    if len(values) == width * rows:
        try:
            return np.array(values, dtype=float).reshape(rows, width)
        except ValueError:
            pass
    try:
        return np.loadtxt(block.splitlines(), ndmin=2)
    except ValueError as exc:
        raise ReadError(f"data lines cannot be parsed ({str(exc)[:120]})", path=path) from exc


_XDI_FIELD = re.compile(r"^#\s*([\w.]+)\s*:[ \t]*(.*?)\s*$", re.MULTILINE)


def xdi_table(path: str | PathLike) -> SpectrumTable:
    """The content of an XDI file as plain arrays (see :func:`read_xdi`)."""
    path = Path(path)
    head = read_head(path)
    if not head.lstrip().startswith(b"# XDI"):
        raise FormatError("not an XDI file (no '# XDI/' first line)", path=path)
    text = decode(path.read_bytes())
    # The header is the leading block of '#' lines; one regex pass reads its fields and
    # one split reads the data block (XDI files are parsed by the thousand in a study).
    data_start = _DATA_LINE.search(text)
    header, body = (text, "") if data_start is None else (text[:data_start.start()], text[data_start.start():])
    columns: dict[int, str] = {}
    attrs: dict[str, str] = {}
    for key, value in _XDI_FIELD.findall(header):
        column = re.fullmatch(r"Column\.(\d+)", key)
        if column:
            columns[int(column.group(1))] = value.split()[0].lower() if value else f"column{column.group(1)}"
        else:
            attrs[key] = value
    if not columns:
        raise FormatError("XDI header names no columns", path=path)
    table = _numbers(body, path)
    names = [columns.get(i + 1, f"column{i + 1}") for i in range(table.shape[1])]
    if "energy" not in names:
        raise FormatError(f"no energy column (columns: {', '.join(names)})", path=path)
    e = names.index("energy")
    channels = {n: table[:, i] for i, n in enumerate(names) if i != e}
    return _clean(table[:, e], channels, attrs, path)


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
    return _clean(table[:, e], channels, attrs, path)


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
    """Read channels from an HDF5/NeXus file through a channel map, as an xarray Dataset.

    See :func:`hdf5_table` for the parameters.
    """
    return hdf5_table(path, channels).to_dataset()


def hdf5_table(path: str | PathLike, channels: dict[str, str]) -> SpectrumTable:
    """Channels of an HDF5/NeXus file through a channel map, as plain arrays.

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
    return _clean(energy, values, attrs, path)


def read_spectrum_table(path: str | PathLike, *, channel_map: dict[str, str] | None = None, **options):
    """Read an XDI, HDF5 (with a channel map) or column file, chosen by content, as a Dataset.

    With a channel map, the file's columns are renamed to the map's roles.
    """
    return spectrum_table(path, channel_map=channel_map, **options).to_dataset()


def spectrum_table(path: str | PathLike, *, channel_map: dict[str, str] | None = None,
                   **options) -> SpectrumTable:
    """The content of an XDI, HDF5 or column file as plain arrays (see :func:`read_spectrum_table`)."""
    path = Path(path)
    head = read_head(path)
    if head.startswith(HDF5_MAGIC):
        if not channel_map:
            raise FormatError("an HDF5/NeXus file needs a channel map (energy = \"path/to/dataset\", ...)",
                              path=path)
        return hdf5_table(path, channel_map)
    table = _text_table(path, head, **options)
    if channel_map:
        renames = {label.lower(): role for role, label in channel_map.items() if role != "energy"}
        missing = [label for label in renames if label not in table]
        if missing:
            raise FormatError(f"channel map names columns not in the file: {', '.join(missing)} "
                              f"(columns: {', '.join(table.channels)})", path=path)
        table = SpectrumTable(table.energy, {role: table.channels[label] for label, role in renames.items()},
                              table.attrs)
    return table


def _text_table(path: Path, head: bytes, **options) -> SpectrumTable:
    if head.lstrip().startswith(b"# XDI"):
        return xdi_table(path)
    if head[:2] == b"\x1f\x8b" or b"Athena project file" in head[:200]:
        raise FormatError("an Athena project holds several spectra: use read_athena", path=path)
    return columns_table(path, **options)


def stack(spectra: dict, *, dim: str = "state"):
    """Stack same-grid spectra (DataArrays) along a new dimension (e.g. ``state``)."""
    import xarray as xr

    return xr.concat(list(spectra.values()), dim=pd.Index(list(spectra), name=dim))
