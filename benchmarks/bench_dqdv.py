"""Benchmark: time and memory of dQ/dV on a file of many short half cycles, and how they grow.

``fastnda/nda_v26.nda`` (18,171 half cycles) repeated in time 1x, 4x and 16x (290,736 half cycles at
16x), segmented once each; ``redoxmap.cycling.dqdv`` of every half cycle, timed (median of 3) and
its peak memory traced (tracemalloc: numpy's buffers included), with the size of the result. Each half
cycle is kept on its own stretch of the grid, so memory should grow with the rows, not with half
cycles x grid bins (the dense grid of 16x is 290,736 x 239 x 8 bytes = 556 MB).

Run ``python benchmarks/bench_dqdv.py``. A benchmark, not a test.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
import warnings
from pathlib import Path

import pandas as pd
from _timing import threads_note

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "echem"


def _repeated(records: pd.DataFrame, factor: int):
    from redoxmap.cycling import from_records

    span = float(records["time_s"].iloc[-1] - records["time_s"].iloc[0]) + 1.0
    tiled = pd.concat([records.assign(time_s=records["time_s"] + k * span) for k in range(factor)], ignore_index=True)
    return from_records(tiled, source_file=f"nda_v26 x{factor}", active_mass_mg=5.0)


def main() -> None:
    warnings.simplefilter("ignore")
    from redoxmap.cycling import dqdv
    from redoxmap.io import read_raw_cycling

    print(threads_note())
    records = read_raw_cycling(DATA / "fastnda" / "nda_v26.nda").table[["time_s", "voltage_V", "current_A"]]
    print("copies | rows | half cycles | time (s) | per M rows (s) | peak traced memory (MB) | result (MB) | "
          "dense grid would be (MB)")
    for factor in (1, 4, 16):
        table = _repeated(records, factor)
        times = []
        for _ in range(3):
            start = time.perf_counter()
            result = dqdv(table)
            times.append(time.perf_counter() - start)
        tracemalloc.start()
        result = dqdv(table)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        n_half, n_bins = len(result.half_cycles), len(result.voltage_V)
        median = statistics.median(times)
        # An older redoxmap (PYTHONPATH=old/src) holds the dense grid itself.
        kept = result.values.nbytes + result.windows.nbytes if hasattr(result, "windows") else result.dqdv.nbytes
        print(f"{factor:6d} | {len(table):,} | {n_half:,} | {median:.2f} | {median / len(table) * 1e6:.2f} | "
              f"{peak / 1e6:.0f} | {kept / 1e6:.1f} | {n_half * n_bins * 8 / 1e6:.0f}", flush=True)


if __name__ == "__main__":
    main()
