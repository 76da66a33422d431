"""Gatan Digital Micrograph DM3/DM4 images, read by RosettaSciIO (HyperSpy's reader, the ``tem``
extra), which knows Gatan's tag tree."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from redoxmap.errors import FormatError, MissingDependencyError, ReadError
from redoxmap.io.images import LENGTH_UNIT_NM
from redoxmap.io.reader import Reader


def read_dm(path: Path) -> tuple:
    """The first image of a DM3/DM4 file and its pixel size in nm (from the last axis' scale)."""
    try:
        from rsciio.digitalmicrograph import file_reader
    except ImportError as exc:
        raise MissingDependencyError('DM3/DM4 files need RosettaSciIO: pip install "redoxmap[tem]"') from exc
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            signals = file_reader(str(path))
    except Exception as exc:
        raise ReadError(f"damaged or unsupported Gatan file ({exc})", path=path) from exc
    images = [s for s in signals if np.asarray(s["data"]).ndim >= 2]
    if not images:
        raise FormatError("the Gatan file holds no image", path=path)
    signal = images[0]
    axes = signal.get("axes", [])
    pixel = None
    if axes:
        axis = axes[-1]
        factor = LENGTH_UNIT_NM.get(str(axis.get("units", "")).strip().lower())
        if factor and axis.get("scale"):
            pixel = float(axis["scale"]) * factor
    return np.asarray(signal["data"], dtype=float), pixel


def _sniff(head: bytes, path: Path) -> bool:
    # A DM file opens with its format version as a big-endian 32-bit integer.
    return head[:4] in (b"\x00\x00\x00\x03", b"\x00\x00\x00\x04")


READERS = (
    Reader(name="dm", modality="images", instrument="Gatan", extensions=(".dm3", ".dm4"), sniff=_sniff,
           read=read_dm, description="Digital Micrograph, through RosettaSciIO (tem extra)"),
)
