"""Benchmark: a study of many cycler files, serial against the Dask executor with 2 local workers,
and a second report of the same study served by its store of decoded files.

Studies of 1, 10, 100 and 1,000 copies (under distinct names) of a real Neware file
(``NewareNDA/test_2.ndax``, 108k rows, 108 half cycles) are analysed by ``run_study`` (read,
segment, summary, regions, dQ/dV and peaks, capacity rise: the cycling analysis the report makes)
serially and on a 2-process ``LocalCluster`` (started inside the timing: what a user waits for),
both without the store (every file decoded); wall time, speed-up, and the peak resident memory
(psutil, every 0.05 s) of all processes together and of the largest single one (the main process
or a worker). Up to 100 files the store is measured too: the first run fills it, the second reads
from it. The issue's 100,000-spectrum XAS study is not run here (see the closing note).

Run ``python benchmarks/bench_scale.py [sizes...]`` (1,000 files take about 25 min here). A benchmark,
not a test.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import warnings
from pathlib import Path

from _timing import threads_note, with_peak_memory

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "echem"
STORE_UP_TO = 100


def _write_study(folder: Path, copies: int) -> Path:
    source = next(DATA.rglob("test_2.ndax"))
    (folder / "cycling").mkdir(parents=True)
    for k in range(copies):
        shutil.copy(source, folder / "cycling" / f"cell_{k:04d}.ndax")
    samples = "".join(f'\n[[sample]]\nname = "cell {k}"\n[sample.files]\ncycling = "cycling/cell_{k:04d}.ndax"\n'
                      for k in range(copies))
    (folder / "study.toml").write_text('[study]\nname = "scale"\n' + samples)
    return folder / "study.toml"


def main(sizes) -> None:
    warnings.simplefilter("ignore")
    from redoxmap.study import SerialExecutor, load_study, run_study
    from redoxmap.study.dask_executor import DaskExecutor

    print(threads_note())
    print("files | serial (s) | Dask, 2 workers (s) | speed-up | peak MiB serial | peak MiB Dask (all / largest "
          "process) | store: fill, then second run (s)")
    for copies in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            study = load_study(_write_study(Path(tmp), copies))
            serial, serial_mib, first = with_peak_memory(lambda study=study: run_study(
                study, executor=SerialExecutor(progress=False), store=False))

            def on_dask(study=study):
                with DaskExecutor(workers=2, progress=False) as executor:
                    return run_study(study, executor=executor, store=False)

            parallel, dask_mib, second = with_peak_memory(on_dask)
            assert [o.ok for o in first.sections["cycling"]] == [o.ok for o in second.sections["cycling"]]
            stored = ""
            if copies <= STORE_UP_TO:
                runs = [with_peak_memory(lambda study=study: run_study(
                    study, executor=SerialExecutor(progress=False), store=Path(tmp) / "store"))[0] for _ in range(2)]
                stored = f"{runs[0]:.1f}, then {runs[1]:.1f}"
            print(f"{copies:5d} | {serial:10.1f} | {parallel:19.1f} | {serial / parallel:7.2f}x | "
                  f"{serial_mib['total']:15.0f} | {dask_mib['total']:6.0f} / {dask_mib['process']:.0f} | {stored}",
                  flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 10, 100, 1000])
