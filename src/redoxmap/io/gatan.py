"""Gatan Digital Micrograph DM3/DM4 images, read by RosettaSciIO (the ``tem`` extra), which knows Gatan's
tag tree."""

from __future__ import annotations

from pathlib import Path

from redoxmap.io.reader import Reader
from redoxmap.io.rosettasciio import rsciio_image


def read_dm(path: Path) -> tuple:
    """The first image of a DM3/DM4 file and its pixel size in nm (from the last axis' scale)."""
    return rsciio_image(path, "digitalmicrograph", what="Gatan file")


def _sniff(head: bytes, path: Path) -> bool:
    # A DM file opens with its format version as a big-endian 32-bit integer.
    return head[:4] in (b"\x00\x00\x00\x03", b"\x00\x00\x00\x04")


READERS = (
    Reader(name="dm", modality="images", instrument="Gatan", extensions=(".dm3", ".dm4"), sniff=_sniff,
           read=read_dm, description="Digital Micrograph, through RosettaSciIO (tem extra)"),
)
