"""Queries across the cells of a store that read only the rows they need.

The catalog (a few hundred records) picks the cells; polars' lazy Parquet scan then reads, of
each chosen cell's table, only the columns the query names and only the row groups whose cycle
range can hold a match (tables are stored sorted by cycle, in groups of 65,536 rows). A query for
one cycle of 200 cells of 700k rows each reads about one row group per cell instead of 140 million
rows (``benchmarks/bench_store.py``). polars comes with fastnda, a core dependency.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from redoxmap.errors import AnalysisError, DataWarning, ReadError, warn
from redoxmap.store.cells import CellStore

DIRECTIONS = ("charge", "discharge")


def _chosen(store: CellStore, cells: Sequence[str] | None, temperature_C: float | None,
            tolerance_C: float) -> pd.DataFrame:
    catalog = store.catalog()
    if cells is not None:
        missing = sorted(set(cells) - set(catalog["cell"]))
        if missing:
            raise AnalysisError(f"not in the store's catalog: {', '.join(missing)}", path=store.root)
        catalog = catalog[catalog["cell"].isin(cells)]
    if temperature_C is not None:
        temperatures = pd.to_numeric(catalog["temperature_C"], errors="coerce")
        catalog = catalog[(temperatures - temperature_C).abs() <= tolerance_C]
    return catalog.reset_index(drop=True)


def scan_cells(store: CellStore, *, cells: Sequence[str] | None = None, temperature_C: float | None = None,
               tolerance_C: float = 0.5):
    """A lazy table (``polars.LazyFrame``) of the rows of the chosen cells, with the cell's catalog
    columns ``cell``, ``active_mass_mg`` and ``temperature_C`` (as ``cell_temperature_C``) beside
    the table's own; nothing is read until it is collected.

    Parameters
    ----------
    store : CellStore
    cells : sequence of str, optional
        Cell names of the catalog (default: all).
    temperature_C : float, optional
        Only cells recorded at this temperature (within ``tolerance_C``).

    Raises
    ------
    AnalysisError
        For a cell the catalog does not have, or when no cell is chosen.

    Examples
    --------
    >>> import polars as pl                                                    # doctest: +SKIP
    >>> scan_cells(store).filter(pl.col("cycle") == 100).group_by("cell").agg(pl.col("voltage_V").max()).collect()
    ... # doctest: +SKIP
    """
    import polars as pl

    catalog = _chosen(store, cells, temperature_C, tolerance_C)
    if catalog.empty:
        raise AnalysisError("no cell of the store matches the query", path=store.root)
    files = {}
    for key in catalog["key"].unique():
        try:
            files.update({str(path): key for path in store.table_files(key)})
        except ReadError as exc:  # one lost table does not stop a query over the others
            warn(f"{exc}; its cells are left out: {', '.join(catalog.loc[catalog['key'] == key, 'cell'])}",
                          DataWarning)
    catalog = catalog[catalog["key"].isin(set(files.values()))]
    if catalog.empty:
        raise AnalysisError("no stored table of the chosen cells can be read", path=store.root)
    owners = pl.DataFrame({"_file": list(files), "key": list(files.values())}).join(
        pl.from_pandas(catalog[["key", "cell", "active_mass_mg", "temperature_C"]].astype(
            {"active_mass_mg": float, "temperature_C": float})).rename({"temperature_C": "cell_temperature_C"}),
        on="key")
    rows = pl.scan_parquet(list(files), include_file_paths="_file")
    return rows.join(owners.lazy(), on="_file").drop("_file", "key")


def cycle_capacities(store: CellStore, cycle: int, *, direction: str = "discharge",
                     cells: Sequence[str] | None = None, temperature_C: float | None = None,
                     tolerance_C: float = 0.5) -> pd.DataFrame:
    """The charge or discharge capacity of one cycle of every chosen cell, read from the store.

    Parameters
    ----------
    store : CellStore
    cycle : int
    direction : {"discharge", "charge"}
    cells, temperature_C, tolerance_C
        Which cells (see :func:`scan_cells`).

    Returns
    -------
    pandas.DataFrame
        ``cell``, ``temperature_C``, ``cycle``, ``capacity_mAh`` and ``capacity_mAh_g`` (NaN for a
        cell without an active mass); a chosen cell that did not reach the cycle is left out.

    Examples
    --------
    >>> cycle_capacities(CellStore("store"), 100, temperature_C=50)   # doctest: +SKIP
    """
    import polars as pl

    if direction not in DIRECTIONS:
        raise AnalysisError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
    rows = scan_cells(store, cells=cells, temperature_C=temperature_C, tolerance_C=tolerance_C)
    found = (rows.filter((pl.col("cycle") == int(cycle)) & (pl.col("state").cast(pl.String) == direction))
             .group_by("cell")
             .agg(pl.col("capacity_Ah").abs().max().alias("capacity_Ah"),
                  pl.col("active_mass_mg").first(), pl.col("cell_temperature_C").first().alias("temperature_C"))
             .sort("cell"))
    try:
        found = found.collect().to_pandas()
    except (pl.exceptions.PolarsError, OSError) as exc:  # a stored part damaged on disk
        raise ReadError(f"a stored table cannot be read ({str(exc).splitlines()[0]}); a report of its study "
                        "decodes the file again", path=store.root) from exc
    capacity_mAh = found["capacity_Ah"] * 1000.0
    return pd.DataFrame(
        {
            "cell": found["cell"],
            "temperature_C": found["temperature_C"],
            "cycle": int(cycle),
            "capacity_mAh": capacity_mAh,
            "capacity_mAh_g": capacity_mAh / (found["active_mass_mg"] / 1000),
        }
    )
