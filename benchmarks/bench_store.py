"""Benchmark: the store of decoded cycler files, and a query across 200 cells of 700k rows each.

1. A second read of a real file through the store against decoding it (``read_cycling``), on
   ``NewareNDA/test_2.ndax`` (108k rows) and the 700k-row ``BTS85`` file; interleaved, median of 5.
2. 200 cells of 700k rows (140 million rows): ``test_2.ndax`` decoded once and repeated in time to
   700k rows and 324 cycles, each cell's currents and capacities scaled by its own factor (so every
   cell's table is distinct), half at 30 and half at 50 °C, kept with ``CellStore.add``. Then the
   discharge capacity of cycle 100 of every cell at 50 °C: ``cycle_capacities`` (the catalog picks the
   cells, polars' lazy scan reads one or two row groups of each) against the eager way with pandas
   (read the three columns needed of each chosen cell, then filter), interleaved, median of 3, with the
   peak resident memory each adds to a fresh process. The two must agree to the last digit.

The 200-cell store takes about 4 GB in ``--store`` (default: a folder under the system's temporary
folder, kept between runs and rebuilt when incomplete). Run
``python benchmarks/bench_store.py [--store DIR] [--cells N]``. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _timing import interleaved, threads_note

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "echem"
ROWS = 700_000
CYCLE = 100


def _second_read() -> None:
    from redoxmap import read_cycling
    from redoxmap.store import CellStore

    print("file | rows | read_cycling (s) | store, second read (s) | ratio")
    with tempfile.TemporaryDirectory() as tmp:
        store = CellStore(tmp)
        for name in ("test_2.ndax", "BTS85-36-6-5-110-20240424.ndax"):
            path = next(DATA.rglob(name))
            store.read_cycling(path)
            fresh, stored = interleaved(
                lambda path=path: read_cycling(path), lambda path=path: store.read_cycling(path)
            )
            print(f"{name} | {len(fresh['value'])} | {fresh['median']:.3f} ± {fresh['spread']:.3f} | "
                  f"{stored['median']:.3f} ± {stored['spread']:.3f} | {fresh['median'] / stored['median']:.1f}x")


def _long_cell() -> pd.DataFrame:
    """test_2.ndax repeated in time to ``ROWS`` rows, segmented once."""
    from redoxmap.cycling import from_records
    from redoxmap.io import read_raw_cycling

    raw = read_raw_cycling(next(DATA.rglob("test_2.ndax"))).table[["time_s", "voltage_V", "current_A"]]
    step = float(raw["time_s"].iloc[-1] - raw["time_s"].iloc[0]) + 1.0
    copies = -(-ROWS // len(raw))
    records = pd.concat([raw.assign(time_s=raw["time_s"] + k * step) for k in range(copies)], ignore_index=True)
    return from_records(records.iloc[:ROWS], source_file="test_2.ndax, repeated", instrument="Neware",
                        reader="neware")


def _fill(store, cells: int) -> None:
    from redoxmap.cycling.read import attach_metadata

    if len(store.catalog()) == cells:
        return
    base = _long_cell()
    provenance = {k: base.attrs["redoxmap"][k] for k in ("source_file", "instrument", "reader", "file_metadata")}
    for k in range(cells):
        factor = 1.0 + 0.002 * k
        table = base.assign(current_A=base["current_A"] * factor, capacity_Ah=base["capacity_Ah"] * factor)
        attach_metadata(table, **provenance, name=f"cell {k:03d}", active_mass_mg=5.0,
                        temperature_C=50.0 if k % 2 else 30.0)
        store.add(table)
        if k % 20 == 19:
            print(f"  stored {k + 1} cells", flush=True)


def _eager(store) -> pd.DataFrame:
    """The same query without the lazy scan: each chosen cell's three columns read whole, then filtered."""
    catalog = store.catalog()
    catalog = catalog[catalog["temperature_C"] == 50.0]
    rows = []
    for cell in catalog.itertuples():
        table = pd.concat([pd.read_parquet(p, columns=["cycle", "state", "capacity_Ah"])
                           for p in store.table_files(cell.key)], ignore_index=True)
        chosen = table[(table["cycle"] == CYCLE) & (table["state"] == "discharge")]
        capacity_mAh = chosen["capacity_Ah"].abs().max() * 1000.0
        rows.append({"cell": cell.cell, "capacity_mAh_g": capacity_mAh / (cell.active_mass_mg / 1000)})
    return pd.DataFrame(rows)


def _memory_in_child(way: str, store: Path) -> float:
    """Peak resident memory (MiB) a query adds to a fresh process (its imports and catalog read done)."""
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, __file__, "--store", str(store), "--measure", way], check=True,
                          capture_output=True, text=True, cwd=Path(__file__).parent)
    return json.loads(done.stdout.strip().splitlines()[-1])["added_MiB"]


def _measure(way: str, store) -> None:
    """In a fresh process: how far the resident memory rises above its level before one query (psutil,
    sampled every 0.05 s)."""
    import json

    from _timing import with_peak_memory

    from redoxmap.store import cycle_capacities

    cycle_capacities(store, 1, cells=[store.catalog()["cell"].iloc[0]])  # imports and first-call set-up
    _, memory, _ = with_peak_memory(lambda: cycle_capacities(store, CYCLE, temperature_C=50) if way == "lazy"
                                    else _eager(store), children=False)
    print(json.dumps({"added_MiB": memory["process"] - memory["start"]}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, default=Path(tempfile.gettempdir()) / "redoxmap-bench-store")
    parser.add_argument("--cells", type=int, default=200)
    parser.add_argument("--measure", choices=("lazy", "eager"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    warnings.simplefilter("ignore")
    from redoxmap.store import CellStore, cycle_capacities

    if options.measure:
        _measure(options.measure, CellStore(options.store))
        return

    print(threads_note())
    _second_read()
    store = CellStore(options.store)
    _fill(store, options.cells)
    catalog = store.catalog()
    size_gb = sum(p.stat().st_size for p in store.tables.rglob("*.parquet")) / 1e9
    print(f"\nstore: {len(catalog)} cells, {catalog['rows'].sum() / 1e6:.0f} million rows, {size_gb:.1f} GB of Parquet")

    def lazy():
        return cycle_capacities(store, CYCLE, temperature_C=50)

    lazy_time, eager_time = interleaved(lazy, lambda: _eager(store), repeat=3)
    merged = lazy_time["value"].merge(eager_time["value"], on="cell", suffixes=("", "_eager"))
    assert len(merged) == (catalog["temperature_C"] == 50).sum()
    assert np.array_equal(merged["capacity_mAh_g"], merged["capacity_mAh_g_eager"])
    lazy_memory, eager_memory = (_memory_in_child(way, options.store) for way in ("lazy", "eager"))
    print(f"discharge capacity of cycle {CYCLE} of the {len(merged)} cells at 50 C "
          f"({merged['capacity_mAh_g'].min():.1f}-{merged['capacity_mAh_g'].max():.1f} mAh/g):")
    print("way | time (s) | peak resident memory it adds to a fresh process (MiB)")
    print(f"cycle_capacities (polars, lazy) | {lazy_time['median']:.2f} ± {lazy_time['spread']:.2f} | "
          f"{lazy_memory:.0f}")
    print(f"pandas, three columns read whole | {eager_time['median']:.2f} ± {eager_time['spread']:.2f} | "
          f"{eager_memory:.0f}")
    print(f"ratio: {eager_time['median'] / lazy_time['median']:.1f}x faster")


if __name__ == "__main__":
    main()
