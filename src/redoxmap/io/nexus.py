"""HDF5/NeXus absorption data: channels taken from datasets a channel map names."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np

from redoxmap.errors import FormatError, ReadError
from redoxmap.io.hdf5_probe import HDF5_MAGIC, probe_hdf5
from redoxmap.io.reader import Reader, read_head
from redoxmap.io.xas_files import SpectrumTable, clean_spectrum


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
    probe_hdf5(path)
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
    return clean_spectrum(energy, values, attrs, path)


def _sniff(head: bytes, path: Path) -> bool:
    return head.startswith(HDF5_MAGIC)


READERS = (
    Reader(name="hdf5", modality="xas", instrument="NeXus/HDF5", extensions=(".h5", ".hdf5", ".nxs"),
           sniff=_sniff, read=hdf5_table, options=("channels",), description="datasets named by a channel map"),
)
