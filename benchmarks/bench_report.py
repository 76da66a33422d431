"""Benchmark: what one more cycler file costs a report.

Studies of 2 and 16 copies (under distinct names) of a real Neware file (``NewareNDA/test_2.ndax``,
108k rows, 54 cycles; a mass and a temperature, so the report draws every cell's profiles and dQ/dV)
are reported by ``redoxmap report`` in a fresh process each: as a user runs it (no ``--workers``: each phase
starts here and may move to the report's forked processes), without and then with the store of decoded
files, and serially (``--workers 1``: the analyses in the report's process, the figures in its pool)
without the store; the wall time, the CPU time of the process and its children, and the peak resident
memory, and per file the slope between the two sizes. Each point is the median of 3 runs.

Run ``python benchmarks/bench_report.py``; ``--before`` measures an older redoxmap (one without the
store, e.g. ``PYTHONPATH=old/src``) the same way, without store options. A benchmark, not a test.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _studies import copies_study
from _timing import threads_note

SIZES = (2, 16)  # 16: the study (a phase of 8 tasks stays in the report's process)


def _report(folder: Path, *options: str, force: bool = True) -> tuple[float, float, float]:
    """Wall and CPU seconds (this process's children) and the peak memory (MiB) of one report, written in full
    (``force``: every file analysed and every figure drawn, where an unchanged study would be "Up to date" and
    its figures kept; an older redoxmap without ``--force`` is told nothing)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from redoxmap.cli import main; main()", "report", str(folder), "-o",
                    str(folder / "report"),
                    "--no-progress", *(["--force"] if force else []), *options], check=True,
                   capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", action="store_true", help="the code under test has no store")
    before = parser.parse_args().before
    print(threads_note())
    print("store | files | wall (s) | CPU (s) | peak MiB")
    variants = (("none (before)", ("--workers", "1")),) if before else (
        ("no", ("--no-store",)), ("yes, second run", ()), ("no, --workers 1", ("--no-store", "--workers", "1")))
    with tempfile.TemporaryDirectory() as tmp:
        points = {label: {} for label, _ in variants}
        for copies in SIZES:
            folders = {}
            for k, (label, options) in enumerate(variants):
                folders[label] = copies_study(Path(tmp) / f"v{k}-{copies}", copies, name="report cost", mass_mg=5,
                                              temperature_C=30, model=False).parent
                if options == ():
                    _report(folders[label])  # fills the store
            runs = {label: [] for label, _ in variants}
            for _ in range(3):  # the variants interleaved, so that the machine's drift falls on each alike
                for label, options in variants:
                    runs[label].append(_report(folders[label], *options, force=not before))
            for label, _ in variants:
                wall, cpu, peak = (statistics.median(r[i] for r in runs[label]) for i in range(3))
                points[label][copies] = (wall, cpu)
                print(f"{label} | {copies} | {wall:.1f} | {cpu:.1f} | {peak:.0f}", flush=True)
        span = SIZES[1] - SIZES[0]
        for label, _ in variants:
            (small_wall, small_cpu), (large_wall, large_cpu) = points[label][SIZES[0]], points[label][SIZES[1]]
            per_file = (large_wall - small_wall) / span
            print(f"{label}: per file {per_file:.2f} s wall, {(large_cpu - small_cpu) / span:.2f} s CPU; fixed "
                  f"{small_wall - SIZES[0] * per_file:.1f} s; {large_wall / SIZES[1]:.2f} s a file at "
                  f"{SIZES[1]} files, fixed cost included", flush=True)

if __name__ == "__main__":
    main()
