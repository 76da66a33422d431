"""MRC images (the cryo-EM and Direct Electron format: a 1,024-byte header, then the voxels), read by
RosettaSciIO (the ``tem`` extra)."""

from __future__ import annotations

from pathlib import Path

from redoxmap.io.reader import Reader
from redoxmap.io.rosettasciio import rsciio_image


def read_mrc(path: Path) -> tuple:
    """The first image of an MRC file and its pixel size in nm."""
    return rsciio_image(path, "mrc", what="MRC file")


def _sniff(head: bytes, path: Path) -> bool:
    # MRC2014 writes "MAP " at byte 208; older writers only the extension says.
    return head[208:212] == b"MAP " or (path.suffix.lower() == ".mrc" and len(head) >= 1024)


READERS = (
    Reader(name="mrc", modality="images", instrument="MRC (Direct Electron, cryo-EM)", extensions=(".mrc",),
           sniff=_sniff, read=read_mrc, description="MRC/MRC2014 images (tem extra)"),
)
