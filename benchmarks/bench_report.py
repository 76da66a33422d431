"""Benchmark: what one more cycler file costs a report.

Studies of 2 and 8 copies (under distinct names) of a real Neware file (``NewareNDA/test_2.ndax``,
108k rows, 54 cycles; a mass and a temperature, so the report draws every cell's profiles and dQ/dV)
are reported by ``redoxmap report`` in a fresh process each, serially (``--workers 1``), without and
then with the store of decoded files; the wall time, the CPU time of the process and its children,
and the peak resident memory, and per file the slope between the two sizes. Each point is the median
of 3 runs.

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

SIZES = (2, 8)


def _report(folder: Path, *options: str, force: bool = True) -> tuple[float, float, float]:
    """Wall and CPU seconds (this process's children) and the peak memory (MiB) of one report, written in full
    (``force``: every file analysed and every figure drawn, where an unchanged study would be "Up to date" and
    its figures kept; an older redoxmap without ``--force`` is told nothing)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from redoxmap.cli import main; main()", "report", str(folder), "-o",
                    str(folder / "report"),
                    "--no-progress", *(["--force"] if force else []), "--workers", "1", *options], check=True,
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
    variants = (("none (before)", None),) if before else (("no", ("--no-store",)), ("yes, second run", ()))
    with tempfile.TemporaryDirectory() as tmp:
        for label, options in variants:
            points = {}
            for copies in SIZES:
                folder = copies_study(Path(tmp) / f"{label[:2]}{copies}", copies, name="report cost", mass_mg=5,
                                      temperature_C=30, model=False).parent
                if options == ():
                    _report(folder)  # fills the store
                runs = [_report(folder, *(options or ()), force=not before) for _ in range(3)]
                wall, cpu, peak = (statistics.median(r[i] for r in runs) for i in range(3))
                points[copies] = (wall, cpu)
                print(f"{label} | {copies} | {wall:.1f} | {cpu:.1f} | {peak:.0f}", flush=True)
            (w2, c2), (w8, c8) = points[SIZES[0]], points[SIZES[1]]
            span = SIZES[1] - SIZES[0]
            print(f"{label}: per file {(w8 - w2) / span:.2f} s wall, {(c8 - c2) / span:.2f} s CPU; fixed "
                  f"{w2 - SIZES[0] * (w8 - w2) / span:.1f} s", flush=True)


if __name__ == "__main__":
    main()
