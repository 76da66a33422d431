"""Benchmark: a campaign of many cells through ``redoxmap report``, serially and on a 2-worker Dask cluster.

Each cell of the campaign is a copy (under its own name) of one of three real cycler files of the demo
study, in turn: a Neware ``.ndax`` (``NewareNDA/test_2.ndax``, 108k rows), an Arbin CSV
(battery-data-toolkit) and a Maccor export, each with an active mass and a temperature, and with
a Mn K-edge XAS spectrum (Mn3O4, three scans, fitted by LCF against the MnO, Mn2O3 and MnO2
references of the XAS Data Library) and an impedance spectrum (impedance.py's example) beside it.
Half the cells are at 30 °C and half at 50 °C, so the campaign view has two groups.

Every report runs in a fresh process (``redoxmap report --force --no-store --no-progress``), serially
(``--workers 1``: the analyses in the process, the figures drawn by the default pool of processes), with the
automatic choice (no ``--workers``: each phase serial or on a local cluster, as its tasks' measured cost
decides; :mod:`redoxmap.study.adaptive_executor`) and on a local cluster (``--workers 2``, its start included:
what a user waits for). For reference, the same study
is also reported in one process, figures included (``run_study`` and ``write_report(workers=1)``): the
"serial" the issue's goal of 1.6x was set against, since the default run keeps both cores busy drawing
(up to :data:`ONE_PROCESS_UP_TO` cells: beyond, its per-cell cost is that of the smaller studies).
For each: the wall time, the CPU time of the process and its descendants, the largest resident
memory of any one of them (``ru_maxrss`` of the waited-for descendants), the report's phases from
``report.json`` and the entry page's size. Then one cell's active mass is changed and the study
reported again serially without ``--force``: the figures whose inputs did not change are kept
(:mod:`redoxmap.report.figure_cache`); the run's time and the figures drawn and kept are printed.
The per-cell cost is the slope between the two largest sizes; 1,000 and 10,000 cells are
extrapolated from it and marked so (the measured points are printed beside them).

Run ``python benchmarks/bench_campaign.py [sizes...]`` (default 16 and 64 cells: about 12 minutes
here); ``python benchmarks/bench_campaign.py 16 64 1000`` measures 1,000 (about 40 minutes more on 2 cores).
A benchmark, not a test.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _timing import threads_note

from redoxmap.resources import demo_source

CYCLERS = ("neware_test_2.ndax", "arbin_example.csv", "maccor_three.txt")


def campaign_study(folder: Path, cells: int) -> Path:
    """A study of ``cells`` cells (see the module docstring); returns the folder."""
    source = demo_source()
    for part in ("cycling", "xas", "eis"):
        (folder / part).mkdir(parents=True, exist_ok=True)
    for name in ("MnO", "Mn2O3", "MnO2", "Mn3O4"):
        for k in (1, 2, 3):
            shutil.copy(source / "xas" / f"{name}_rt_0{k}.xdi", folder / "xas")
    shutil.copy(source / "eis" / "impedance_py_example.csv", folder / "eis")
    references = ",\n".join(
        f'  {{file = [{", ".join(f"{chr(34)}xas/{n}_rt_0{k}.xdi{chr(34)}" for k in (1, 2, 3))}], edge = "Mn-K", '
        f'mode = "transmission", valence = {v}, name = "{n}"}}' for n, v in (("MnO", 2), ("Mn2O3", 3), ("MnO2", 4)))
    scans = ", ".join(f'"xas/Mn3O4_rt_0{k}.xdi"' for k in (1, 2, 3))
    samples = []
    for index in range(cells):
        original = source / "cycling" / CYCLERS[index % len(CYCLERS)]
        copy = folder / "cycling" / f"cell_{index:05d}_{original.name}"
        shutil.copy(original, copy)
        samples.append(
            f'\n[[sample]]\nname = "cell {index:05d}"\nactive_mass_mg = 5.0\n'
            f"temperature_C = {30 if index % 2 else 50}\n[sample.files]\ncycling = \"cycling/{copy.name}\"\n"
            f'xas = [{{file = [{scans}], edge = "Mn-K", mode = "transmission", state = "charge 1"}}]\n'
            f'eis = [{{file = "eis/impedance_py_example.csv", state = "charge 1"}}]\n')
    (folder / "study.toml").write_text(
        f'[study]\nname = "campaign of {cells} cells"\n[model]\nrun = false\n'
        f'[xas]\nreference_e0_eV = 6539.0\nbootstrap = 0\nreferences = [\n{references}\n]\n'
        f'[eis]\ncircuit = "L0-R0-p(R1,CPE1)-p(R2,CPE2)-W1"\n' + "".join(samples))
    return folder


ONE_PROCESS_UP_TO = 100  # cells: a 1,000-cell study in one process would take about 25 minutes more
ONE_PROCESS = ("import sys, warnings; warnings.simplefilter('ignore')\n"
               "from redoxmap.report import write_report\nfrom redoxmap.study import SerialExecutor, run_study\n"
               "result = run_study(sys.argv[1], executor=SerialExecutor(progress=False), store=False)\n"
               "write_report(result, sys.argv[2], workers=1, reuse_figures=False)")


def report(folder: Path, workers: int | None, *, force: bool = True) -> dict:
    """One report in a fresh process (``force``: every figure drawn; ``workers`` 0: everything in that one
    process; None: no ``--workers``, the automatic choice): wall, CPU, the largest process's memory, phases,
    entry page, figures drawn and kept, and how each phase ran."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    command = ([sys.executable, "-c", ONE_PROCESS, str(folder), str(folder / "report")] if workers == 0 else
               [sys.executable, "-c", "from redoxmap.cli import main; main()", "report", str(folder),
                *(["--force"] if force else []), "--no-store", "--no-progress",
                *([] if workers is None else ["--workers", str(workers)])])
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    recorded = json.loads((folder / "report" / "report.json").read_text())
    return {"wall": wall, "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "peak_mib": after.ru_maxrss / 1024, "phases": recorded["timings_s"],
            "entry_kib": (folder / "report" / "index.html").stat().st_size / 1024, "figures": recorded["figures"],
            "execution": recorded.get("execution", [])}


def one_cell_changed(folder: Path) -> None:
    """Give the first cell another active mass: its figures, and those comparing cells, must be redrawn."""
    manifest = folder / "study.toml"
    text = manifest.read_text()
    first = 'name = "cell 00000"\nactive_mass_mg = '
    manifest.write_text(text.replace(f"{first}5.0", f"{first}5.5"))


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [16, 64]
    print(threads_note())
    print("cells | run | wall (s) | CPU (s) | largest process (MiB) | entry page (KiB) | phases (s)")
    measured: dict[str, dict[int, float]] = {"one process": {}, "serial": {}, "automatic": {}, "dask": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for cells in sizes:
            folder = campaign_study(Path(tmp) / f"c{cells}", cells)
            for label, workers in (("one process", 0), ("serial", 1), ("automatic", None), ("dask", 2)):
                if workers == 0 and cells > ONE_PROCESS_UP_TO:
                    continue
                result = report(folder, workers)
                measured[label][cells] = result["wall"]
                phases = ", ".join(f"{k} {v:.1f}" for k, v in result["phases"].items())
                print(f"{cells} | {label} | {result['wall']:.1f} | {result['cpu']:.1f} | {result['peak_mib']:.0f} | "
                      f"{result['entry_kib']:.0f} | {phases}", flush=True)
                moved = [d for d in result["execution"] if "Dask workers in" in d or "then the other" in d]
                if workers is None:
                    print(f"{cells} | automatic: {len(result['execution'])} phases decided, {len(moved)} moved to a "
                          f"cluster", flush=True)
            ratios = (f"{cells} | dask / serial | {measured['serial'][cells] / measured['dask'][cells]:.2f}x; "
                      f"automatic / serial {measured['serial'][cells] / measured['automatic'][cells]:.2f}x")
            if cells in measured["one process"]:
                one = measured["one process"][cells]
                ratios += (f"; dask / one process {one / measured['dask'][cells]:.2f}x; "
                           f"serial / one process {one / measured['serial'][cells]:.2f}x")
            print(ratios, flush=True)
            one_cell_changed(folder)
            again = report(folder, 1, force=False)
            print(f"{cells} | serial, one cell's mass changed: {again['wall']:.1f} s "
                  f"({again['wall'] / measured['serial'][cells]:.2f} of the first; figures drawn "
                  f"{again['figures']['drawn']}, kept {again['figures']['kept']})", flush=True)
    if len(sizes) >= 2:
        low, high = sorted(sizes)[-2:]
        for label, points in measured.items():
            if not {low, high} <= set(points):
                continue
            slope = (points[high] - points[low]) / (high - low)
            fixed = points[high] - slope * high
            print(f"{label}: {slope:.2f} s per cell, {fixed:.1f} s fixed (from {low} and {high} cells: "
                  f"{points[low]:.1f} and {points[high]:.1f} s measured); extrapolated: 1,000 cells "
                  f"{fixed + 1000 * slope:.0f} s, 10,000 cells {(fixed + 10_000 * slope) / 60:.0f} min")


if __name__ == "__main__":
    main()
