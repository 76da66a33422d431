"""Benchmark: read + per-cycle summary + dQ/dV of every half cycle, redoxmap against navani.

navani (the package users pick for this today) runs in the same process on the same files:
``echem_file_loader`` + ``cycle_summary`` + ``dqdv_single_cycle`` for every half cycle.
redoxmap runs ``read_cycling`` (decode + segmentation) + ``cycle_summary`` + ``dqdv`` of
every half cycle. The per-step breakdown is the best of ``--repeat`` runs; the ratio is taken from
both whole pipelines timed alike (a warm-up each, interleaved, median of ``--repeat``), except for
nda_v26 where navani's dQ/dV of 18,171 half cycles is timed on 300 and scaled.

navani pins numpy<2 and pandas<3, which clash with fastnda (numpy>=2.2), but runs with
them; install it beside redoxmap without its pins::

    pip install -e ".[bench]" && pip install --no-deps navani datalab-org-galvani

Run::

    python benchmarks/bench_cycling.py                # all files; navani's dQ/dV on nda_v26
                                                      # is timed on 300 half cycles and scaled
    python benchmarks/bench_cycling.py --full         # navani on every half cycle (~15 min)

This is a benchmark, not a test: nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

from _timing import best, interleaved, threads_note

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "echem"
FILES = ["NewareNDA/test_2.ndax", "NewareNDA/BTS85-36-6-5-110-20240424.ndax", "fastnda/nda_v26.nda"]


def run_redoxmap(path: Path, repeat: int) -> dict:
    import redoxmap
    from redoxmap.cycling import cycle_summary, half_cycles
    from redoxmap.cycling.differential import dqdv
    from redoxmap.io import read_raw_cycling

    decode, _ = best(lambda: read_raw_cycling(path), repeat)
    read, table = best(lambda: redoxmap.read_cycling(path), repeat)
    summary, _ = best(lambda: cycle_summary(table, halves=half_cycles(table)), repeat)
    curves, result = best(lambda: dqdv(table), repeat)
    return {"decode": decode, "read": read, "summary": summary, "dqdv": curves,
            "half_cycles": result.dqdv.shape[0], "cycles": int(table["cycle"].max())}


def _redoxmap_pipeline(path: Path):
    import redoxmap
    from redoxmap.cycling import cycle_summary, half_cycles
    from redoxmap.cycling.differential import dqdv

    table = redoxmap.read_cycling(path)
    cycle_summary(table, halves=half_cycles(table))
    return dqdv(table)


def run_navani(path: Path, limit: int | None) -> dict:
    import navani.echem as ec
    import numpy as np

    if not hasattr(np, "trapz"):  # navani calls np.trapz, removed in numpy 2.4; same function
        np.trapz = np.trapezoid

    start = time.perf_counter()
    try:
        frame = ec.echem_file_loader(str(path))
        substituted = False
    except NotImplementedError:  # NewareNDA: "nda version 26 is not yet supported"
        frame = _navani_on_fastnda_records(path)
        substituted = True
    read = time.perf_counter() - start
    start = time.perf_counter()
    ec.cycle_summary(frame)
    summary = time.perf_counter() - start
    halves = [h for h in frame["half cycle"].unique()]
    timed = halves if limit is None else halves[:limit]
    groups = frame.groupby("half cycle")
    failures = 0
    start = time.perf_counter()
    for number in timed:
        part = groups.get_group(number)
        try:
            ec.dqdv_single_cycle(part["Capacity"], part["Voltage"])
        except Exception:  # noqa: BLE001 - navani raises various types on short half cycles
            failures += 1
    dqdv = (time.perf_counter() - start) * len(halves) / max(len(timed), 1)
    return {"read": read, "summary": summary, "dqdv": dqdv, "half_cycles": len(halves),
            "extrapolated": len(timed) < len(halves), "failures": failures,
            "substituted": substituted}


def _navani_on_fastnda_records(path: Path):
    """navani's own Neware processing, fed fastnda's records in NewareNDA's layout.

    navani reads Neware files through NewareNDA.read, which does not support every NDA
    version; only that one call is replaced, so navani's processing, summary and dQ/dV
    are what is timed.
    """
    from unittest import mock

    import fastnda
    import navani.echem as ec
    import pandas as pd

    def newarenda_layout(filename, *args, **kwargs):
        f = fastnda.read(str(filename), cycle_mode="raw").to_pandas()
        current = f["current_mA"].astype(float)
        capacity = f["capacity_mAh"].abs().astype(float)
        return pd.DataFrame({
            "Index": f["index"], "Cycle": f["cycle_count"], "Step": f["step_count"],
            "Step_Index": f["step_index"], "Status": f["step_type"].astype(str),
            "Time": f["step_time_s"], "Voltage": f["voltage_V"].astype(float), "Current(mA)": current,
            "Charge_Capacity(mAh)": capacity.where(current > 0, 0.0),
            "Discharge_Capacity(mAh)": capacity.where(current < 0, 0.0),
            "Timestamp": pd.to_datetime(f["unix_time_s"], unit="s"),
        })

    with mock.patch("NewareNDA.NewareNDA.read", newarenda_layout):
        return ec.echem_file_loader(str(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="time navani's dQ/dV on every half cycle")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    try:
        import navani
    except ImportError:
        navani = None
        print("navani is not installed: redoxmap timings only (see this file's docstring)")

    print(threads_note())
    print(f"{'file':44s} {'tool':9s} {'read':>8s} {'summary':>8s} {'dQ/dV':>8s} {'total':>8s} {'half cycles':>11s}")
    for name in FILES:
        path = args.data / name
        ours = run_redoxmap(path, args.repeat)
        total = ours["read"] + ours["summary"] + ours["dqdv"]
        print(f"{name:44s} {'redoxmap':9s} {ours['read']:8.3f} {ours['summary']:8.3f} {ours['dqdv']:8.3f} "
              f"{total:8.3f} {ours['half_cycles']:11d}")
        after = ours["summary"] + ours["dqdv"]
        print(f"{'':44s} {'':9s} analysis after read_cycling / read_cycling = {after / ours['read']:.2f}; "
              f"after decoding (segmentation included) / decoding = "
              f"{(after + ours['read'] - ours['decode']) / ours['decode']:.2f}")
        if navani is None:
            continue
        limit = None if args.full or ours["half_cycles"] <= 2000 else 300
        if limit is None:
            # both whole pipelines, warmed up and timed alike: interleaved, median of --repeat
            a, b = interleaved(lambda path=path: _redoxmap_pipeline(path), lambda path=path: run_navani(path, None),
                               repeat=args.repeat)
            theirs = b["value"]
            print(f"{'':44s} end to end, interleaved, median of {args.repeat} after a warm-up: redoxmap "
                  f"{a['median']:.2f} s (spread {a['spread']:.2f}), navani {b['median']:.2f} s (spread "
                  f"{b['spread']:.2f}): {b['median'] / a['median']:.1f}x")
        else:
            theirs = run_navani(path, limit)
        their_total = theirs["read"] + theirs["summary"] + theirs["dqdv"]
        note = " (dQ/dV scaled from 300)" if theirs["extrapolated"] else ""
        if theirs["substituted"]:
            note += " (NewareNDA cannot read this NDA version: navani fed fastnda's records)"
        print(f"{'':44s} {'navani':9s} {theirs['read']:8.3f} {theirs['summary']:8.3f} {theirs['dqdv']:8.3f} "
              f"{their_total:8.3f} {theirs['half_cycles']:11d}{note}")
        print(f"{'':44s} speed-up (navani / redoxmap): total {their_total / total:.0f}x, "
              f"dQ/dV {theirs['dqdv'] / ours['dqdv']:.0f}x")


if __name__ == "__main__":
    main()
