"""Galvanostatic cycling: segmentation, summaries, voltage regions, dQ/dV, activation."""

from redoxmap.cycling.read import CellMetadata, cell_metadata, from_records, read_cycling
from redoxmap.cycling.segment import segment
from redoxmap.cycling.summary import cycle_summary, half_cycles

__all__ = [
    "CellMetadata",
    "cell_metadata",
    "cycle_summary",
    "from_records",
    "half_cycles",
    "read_cycling",
    "segment",
]
