"""Benchmark: what one more cycler file costs a report.

Studies of 2 and 16 copies (under distinct names) of a real Neware file (``NewareNDA/test_2.ndax``,
108k rows, 54 cycles; a mass and a temperature, so the report draws every cell's profiles and dQ/dV)
are reported by ``redoxmap report`` in a fresh process each: as a user runs it (no ``--workers``: each phase
starts here and may move to the report's forked processes), without and then with the store of decoded
files, and serially (``--workers 1``: the analyses in the report's process, the figures in its pool)
without the store; the wall time, the CPU time of the process and its children, and the peak resident
memory, and per file the slope between the two sizes. Each point is the median of 3 runs.

``--baseline REV`` adds an older redoxmap, a commit of this repository unpacked into a temporary folder
(``git archive``) and run from it as its users ran it (no options, in this environment's dependencies), into the
same interleaved rounds, and prints each variant's per-file cost and 16-file time over the baseline's: the issue's
"half the per-cell cost" measured against the code it was filed on (``--baseline dd9ac53``, the round's start) on
the same machine in the same minutes, rather than against a figure taken on another day.

Run ``python benchmarks/bench_report.py [--baseline REV]``. A benchmark, not a test.
"""

from __future__ import annotations

import os
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
REPOSITORY = Path(__file__).resolve().parents[1]


def _report(folder: Path, *options: str, source: Path | None = None) -> tuple[float, float, float]:
    """Wall and CPU seconds (this process's children) and the peak memory (MiB) of one report, written in full
    (``--force``: every file analysed and every figure drawn, where an unchanged study would be "Up to date" and
    its figures kept). With ``source`` (an older redoxmap's ``src`` folder), that code with ``options`` alone: it
    may know neither ``--force`` nor ``--no-progress``, and writes everything anew."""
    command = [sys.executable, "-c", "from redoxmap.cli import main; main()", "report", str(folder), "-o",
               str(folder / "report"), *(() if source else ("--no-progress", "--force")), *options]
    environment = dict(os.environ, PYTHONPATH=str(source)) if source else None
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=environment)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def _unpack(revision: str, folder: Path) -> Path:
    """The ``src`` folder of ``revision`` of this repository, unpacked into ``folder`` (nothing of the working copy
    changes)."""
    archive = subprocess.run(["git", "-C", str(REPOSITORY), "archive", revision, "src"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder / "src"


def _summary(label: str, points: dict, baseline: dict | None) -> str:
    """A variant's per-file cost (the slope between the two sizes), fixed cost and time a file at the larger size,
    each over the baseline's where there is one."""
    span = SIZES[1] - SIZES[0]
    (small_wall, small_cpu), (large_wall, large_cpu) = points[SIZES[0]], points[SIZES[1]]
    per_file = (large_wall - small_wall) / span
    line = (f"{label}: per file {per_file:.2f} s wall, {(large_cpu - small_cpu) / span:.2f} s CPU; fixed "
            f"{small_wall - SIZES[0] * per_file:.1f} s; {large_wall / SIZES[1]:.2f} s a file at {SIZES[1]} files, "
            "fixed cost included")
    if baseline and points is not baseline:
        base_per_file = (baseline[SIZES[1]][0] - baseline[SIZES[0]][0]) / span
        line += (f"; over the baseline's: per file {per_file / base_per_file:.2f}x, at {SIZES[1]} files "
                 f"{large_wall / baseline[SIZES[1]][0]:.2f}x")
    return line


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", metavar="REV", help="an older commit to measure in the same rounds")
    revision = parser.parse_args().baseline
    print(threads_note())
    print("variant | files | wall (s) | CPU (s) | peak MiB")
    variants = [("no store", ("--no-store",)), ("store, second run", ()),
                ("no store, --workers 1", ("--no-store", "--workers", "1"))]
    with tempfile.TemporaryDirectory() as tmp:
        source = _unpack(revision, Path(tmp)) if revision else None
        if source:
            variants.insert(0, (f"baseline {revision}", ()))
        points = {label: {} for label, _ in variants}
        for copies in SIZES:
            folders = {}
            for k, (label, options) in enumerate(variants):
                folders[label] = copies_study(Path(tmp) / f"v{k}-{copies}", copies, name="report cost", mass_mg=5,
                                              temperature_C=30, model=False).parent
                if label == "store, second run":
                    _report(folders[label])  # fills the store
            runs = {label: [] for label, _ in variants}
            for _ in range(3):  # the variants interleaved, so that the machine's drift falls on each alike
                for label, options in variants:
                    old = source if label.startswith("baseline") else None
                    runs[label].append(_report(folders[label], *options, source=old))
            for label, _ in variants:
                wall, cpu, peak = (statistics.median(r[i] for r in runs[label]) for i in range(3))
                points[label][copies] = (wall, cpu)
                print(f"{label} | {copies} | {wall:.1f} | {cpu:.1f} | {peak:.0f}", flush=True)
        baseline = points[variants[0][0]] if source else None
        for label, _ in variants:
            print(_summary(label, points[label], baseline), flush=True)

if __name__ == "__main__":
    main()
