"""Benchmark: a study of many cycler files, serial against the Dask executor with 2 local workers.

Studies of 1, 10, 50 and 100 copies (under distinct names) of a real Neware file
(``NewareNDA/test_2.ndax``, 108 half cycles) are analysed by ``run_study`` (read, segment, summary,
regions, dQ/dV and peaks, capacity rise: the cycling analysis the report makes) serially and on a
2-process ``LocalCluster`` (started inside the timing: what a user waits for); wall time, speed-up and
the peak resident memory of the processes (psutil, sampled every 0.1 s). The 1,000-file and 100,000-
spectrum studies of the issue are not run here (they take tens of minutes on this 2-core machine);
the per-file cost below extrapolates to them.

Run ``python benchmarks/bench_scale.py [sizes...]``. A benchmark, not a test.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "echem"


def _write_study(folder: Path, copies: int) -> Path:
    source = next(DATA.rglob("test_2.ndax"))
    (folder / "cycling").mkdir(parents=True)
    for k in range(copies):
        shutil.copy(source, folder / "cycling" / f"cell_{k:04d}.ndax")
    samples = "".join(f'\n[[sample]]\nname = "cell {k}"\n[sample.files]\ncycling = "cycling/cell_{k:04d}.ndax"\n'
                      for k in range(copies))
    (folder / "study.toml").write_text('[study]\nname = "scale"\n' + samples)
    return folder / "study.toml"


def _peak_memory(stop: threading.Event, out: list) -> None:
    import psutil

    me = psutil.Process()
    peak = 0
    while not stop.is_set():
        try:
            rss = me.memory_info().rss + sum(c.memory_info().rss for c in me.children(recursive=True))
        except psutil.Error:
            rss = 0
        peak = max(peak, rss)
        time.sleep(0.1)
    out.append(peak)


def _timed(function):
    stop, peak = threading.Event(), []
    watcher = threading.Thread(target=_peak_memory, args=(stop, peak))
    watcher.start()
    start = time.perf_counter()
    value = function()
    elapsed = time.perf_counter() - start
    stop.set()
    watcher.join()
    return elapsed, peak[0] / 2**20, value


def main(sizes) -> None:
    warnings.simplefilter("ignore")
    from redoxmap.study import SerialExecutor, load_study, run_study
    from redoxmap.study.dask_executor import DaskExecutor

    print("files  serial (s)  peak MiB   dask 2 workers (s)  peak MiB   speed-up")
    for copies in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            study = load_study(_write_study(Path(tmp), copies))
            serial, serial_mib, first = _timed(lambda study=study: run_study(
                study, executor=SerialExecutor(progress=False)))

            def on_dask(study=study):
                with DaskExecutor(workers=2, progress=False) as executor:
                    return run_study(study, executor=executor)

            parallel, dask_mib, second = _timed(on_dask)
            assert [o.ok for o in first.sections["cycling"]] == [o.ok for o in second.sections["cycling"]]
            print(f"{copies:5d}  {serial:10.1f}  {serial_mib:8.0f}   {parallel:18.1f}  {dask_mib:8.0f}   "
                  f"{serial / parallel:7.2f}x")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 10, 50, 100])
