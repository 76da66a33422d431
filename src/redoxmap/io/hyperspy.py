"""HyperSpy's own files (``.hspy``, HDF5), read by RosettaSciIO (the ``tem`` extra): the first image."""

from __future__ import annotations

from pathlib import Path

from redoxmap.io.hdf5_probe import HDF5_MAGIC
from redoxmap.io.reader import Reader
from redoxmap.io.rosettasciio import rsciio_image


def read_hspy(path: Path) -> tuple:
    """The first image of a HyperSpy file and its pixel size in nm."""
    return rsciio_image(path, "hspy", what="HyperSpy file")


def _sniff(head: bytes, path: Path) -> bool:
    return head.startswith(HDF5_MAGIC) and path.suffix.lower() in (".hspy", ".hdf5")


READERS = (
    Reader(name="hspy", modality="images", instrument="HyperSpy", extensions=(".hspy", ".hdf5"), sniff=_sniff,
           read=read_hspy, description="HyperSpy HDF5 files, first image (tem extra)"),
)
