"""Type stub of the lazy exports of redoxmap.store.

Written by ``python -m redoxmap._lazy``; tests/test_stubs.py keeps it true.
"""

from redoxmap.store.cells import CellStore as CellStore
from redoxmap.store.cells import file_digest as file_digest
from redoxmap.store.query import cycle_capacities as cycle_capacities
from redoxmap.store.query import scan_cells as scan_cells

__all__ = [
    "CellStore",
    "cycle_capacities",
    "file_digest",
    "scan_cells",
]
