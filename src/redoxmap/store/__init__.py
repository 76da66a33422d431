"""A store of many cells: decoded cycler files kept as Parquet with a catalog, and queries across
cells that read only the rows they need (polars' lazy API)."""

from redoxmap._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "redoxmap.store.cells": ["CellStore", "file_digest"],
    "redoxmap.store.query": ["scan_cells", "cycle_capacities"],
})
