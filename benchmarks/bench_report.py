"""Benchmark: what one more cycler file costs a report.

Studies of 2 and 16 copies (under distinct names) of a real Neware file (``NewareNDA/test_2.ndax``,
108k rows, 54 cycles; a mass and a temperature, so the report shows every cell's profiles and dQ/dV: on the
section's page, drawn by Matplotlib, for 2 files; on each cell's page, drawn by the browser, for 16, so the slope
between them flatters a change of the cell pages and the 16-file time is the measure to read)
are reported by ``redoxmap report`` in a fresh process each: as a user runs it (no ``--workers``: each phase
starts here and may move to the report's forked processes), without and then with the store of decoded
files, and serially (``--workers 1``: the analyses in the report's process, the figures in its pool)
without the store; the wall time, the CPU time of the process and its children, and the peak resident
memory, and per file the slope between the two sizes. Each point is the median of 3 runs.

``--baseline REV`` adds an older redoxmap, a commit of this repository unpacked into a temporary folder
(``git archive``) and run from it in this environment's dependencies, into the same interleaved rounds: without
its store and, where it has one, with it filled, each told what the current code is told where it knows the option
(``--force``, ``--no-progress``: its ``report --help`` says). Each current variant's per-file cost and 16-file
time are printed over the like baseline's (store against store): the issue's "half the per-cell cost" measured
against the code it was filed on (``--baseline dd9ac53``, the round's start) on the same machine in the same
minutes, rather than against a figure taken on another day. CPU and peak memory are each run's own: its process's
and the processes it waited for.

Run ``python benchmarks/bench_report.py [--baseline REV]``. A benchmark, not a test.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from _studies import copies_study
from _timing import threads_note

SIZES = (2, 16)  # 16: the study (a phase of 8 tasks stays in the report's process)
REPOSITORY = Path(__file__).resolve().parents[1]
CURRENT = ("--no-progress", "--force")  # every file analysed and every figure drawn, none found "Up to date"


class Variant(NamedTuple):
    """One way of running the report: its label, its options, the ``src`` folder of the code it runs (None: the
    code installed here) and whether a first run fills its store before the timed ones."""

    label: str
    options: tuple[str, ...]
    source: Path | None = None
    store_filled: bool = False


def _command(folder: Path, variant: Variant, *extra: str) -> tuple[list[str], dict | None]:
    command = [sys.executable, "-c", "from redoxmap.cli import main; main()", "report", str(folder), "-o",
               str(folder / "report"), *variant.options, *extra]
    return command, (dict(os.environ, PYTHONPATH=str(variant.source)) if variant.source else None)


def _report(folder: Path, variant: Variant) -> tuple[float, float, float]:
    """Wall and CPU seconds and the peak resident memory (MiB) of one report: the CPU of its process and the
    processes it waited for, and the largest peak of any one of them (``os.wait4``: this run's alone, not the
    largest of every run so far; not their sum). Run from the study's folder,
    so that no ``src`` folder of the working directory shadows the code under test."""
    command, environment = _command(folder, variant)
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environment, cwd=folder)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            log.seek(0)
            raise SystemExit(f"{variant.label}: the report failed ({process.returncode}):\n"
                             f"{log.read().decode(errors='replace')[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _unpack(revision: str, folder: Path) -> Path:
    """The ``src`` folder of ``revision`` of this repository, unpacked into ``folder`` (nothing of the working copy
    changes)."""
    archive = subprocess.run(["git", "-C", str(REPOSITORY), "archive", revision, "src"], capture_output=True,
                             check=False)
    if archive.returncode:
        raise SystemExit(f"git archive {revision}: {archive.stderr.decode(errors='replace').strip()}")
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder / "src"


def _baseline_variants(revision: str, folder: Path) -> list[Variant]:
    """The older code run as the current one is: without its store and, where it has one, with it filled; told
    to analyse and draw everything (``--force``) and to show no progress where it knows those options (its
    ``report --help`` says)."""
    source = _unpack(revision, folder)
    command, environment = _command(folder, Variant("help", (), source), "--help")
    environment["COLUMNS"] = "200"  # no option name wrapped or cut in the help's table
    shown = subprocess.run(command, capture_output=True, text=True, env=environment, cwd=folder, check=False)
    if shown.returncode:
        raise SystemExit(f"redoxmap {revision} does not run here:\n{shown.stderr[-3000:]}")

    def knows(option: str) -> bool:
        return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", shown.stdout) is not None

    known = tuple(o for o in CURRENT if knows(o))
    if not knows("--no-store"):  # before the store: every run decodes every file
        return [Variant(f"baseline {revision}", known, source)]
    return [Variant(f"baseline {revision}, no store", (*known, "--no-store"), source),
            Variant(f"baseline {revision}, store, second run", known, source, store_filled=True)]


def _summary(label: str, points: dict, baseline: tuple[str, dict] | None) -> str:
    """A variant's per-file cost (the slope between the two sizes), fixed cost and time a file at the larger size,
    the first and last over the baseline's where one is given."""
    span = SIZES[1] - SIZES[0]
    (small_wall, small_cpu), (large_wall, large_cpu) = points[SIZES[0]], points[SIZES[1]]
    per_file = (large_wall - small_wall) / span
    line = (f"{label}: per file {per_file:.2f} s wall, {(large_cpu - small_cpu) / span:.2f} s CPU; fixed "
            f"{small_wall - SIZES[0] * per_file:.1f} s; {large_wall / SIZES[1]:.2f} s a file at {SIZES[1]} files, "
            "fixed cost included")
    if baseline:
        name, base = baseline
        base_per_file = (base[SIZES[1]][0] - base[SIZES[0]][0]) / span
        line += (f"; over {name}: per file {per_file / base_per_file:.2f}x, at {SIZES[1]} files "
                 f"{large_wall / base[SIZES[1]][0]:.2f}x")
    return line


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", metavar="REV", help="an older commit to measure in the same rounds")
    revision = parser.parse_args().baseline
    print(threads_note())
    print("variant | files | wall (s) | CPU (s) | peak MiB")
    variants = [Variant("no store", (*CURRENT, "--no-store")), Variant("store, second run", CURRENT, store_filled=True),
                Variant("no store, --workers 1", (*CURRENT, "--no-store", "--workers", "1"))]
    with tempfile.TemporaryDirectory() as tmp:
        baselines = _baseline_variants(revision, Path(tmp)) if revision else []
        variants = baselines + variants
        points = {v.label: {} for v in variants}
        for copies in SIZES:
            folders = {}
            for k, variant in enumerate(variants):
                folders[variant.label] = copies_study(Path(tmp) / f"v{k}-{copies}", copies, name="report cost",
                                                      mass_mg=5, temperature_C=30, model=False).parent
                if variant.store_filled:
                    _report(folders[variant.label], variant)
            runs = {v.label: [] for v in variants}
            for _ in range(3):  # the variants interleaved, so that the machine's drift falls on each alike
                for variant in variants:
                    runs[variant.label].append(_report(folders[variant.label], variant))
            for variant in variants:
                wall, cpu, peak = (statistics.median(r[i] for r in runs[variant.label]) for i in range(3))
                points[variant.label][copies] = (wall, cpu)
                print(f"{variant.label} | {copies} | {wall:.1f} | {cpu:.1f} | {peak:.0f}", flush=True)
        for variant in variants:
            like = _like_for_like(variant, baselines)
            print(_summary(variant.label, points[variant.label], (like.label, points[like.label]) if like else None),
                  flush=True)


def _like_for_like(variant: Variant, baselines: list[Variant]) -> Variant | None:
    """The baseline a variant is compared with: the one that fills its store where the variant does, else the
    one without."""
    if variant.source is not None or not baselines:
        return None
    return next((b for b in baselines if b.store_filled == variant.store_filled), baselines[0])


if __name__ == "__main__":
    main()
