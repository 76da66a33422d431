"""Thermo Fisher (FEI) electron-microscope images, read by RosettaSciIO (the ``tem`` extra): TIA ``.ser``
series with their ``.emi`` metadata, and Velox ``.emd`` (HDF5)."""

from __future__ import annotations

from pathlib import Path

from redoxmap.io.hdf5_probe import HDF5_MAGIC
from redoxmap.io.reader import Reader
from redoxmap.io.rosettasciio import rsciio_image

_SER_MAGIC = b"II\x97\x01"  # little-endian byte order mark, then the series id 0x0197
_EMI_MAGIC = b"JK\x00\x02"


def read_tia(path: Path) -> tuple:
    """The image of a TIA ``.emi`` (with its ``_1.ser`` beside it) or ``.ser`` file, and its pixel size in nm."""
    return rsciio_image(path, "tia", what="TIA file")


def read_velox(path: Path) -> tuple:
    """The first image of a Velox ``.emd`` file and its pixel size in nm."""
    return rsciio_image(path, "emd", what="Velox EMD file")


def _sniff_tia(head: bytes, path: Path) -> bool:
    # An .emi opens with TIA's "JK" object-stream header (its XML metadata may lie past the first 64 kB).
    return head.startswith(_SER_MAGIC) or (path.suffix.lower() == ".emi" and head.startswith(_EMI_MAGIC))


def _sniff_velox(head: bytes, path: Path) -> bool:
    return head.startswith(HDF5_MAGIC) and path.suffix.lower() == ".emd"


READERS = (
    Reader(name="tia", modality="images", instrument="Thermo Fisher (FEI) TIA", extensions=(".ser", ".emi"),
           sniff=_sniff_tia, read=read_tia, description="TIA series and their .emi metadata (tem extra)"),
    Reader(name="velox", modality="images", instrument="Thermo Fisher Velox", extensions=(".emd",),
           sniff=_sniff_velox, read=read_velox, description="Velox EMD (HDF5), first image (tem extra)"),
)
