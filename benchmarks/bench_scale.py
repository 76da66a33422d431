"""Benchmark: a study of many cycler files, serial against the Dask executor with 2 local workers,
and a second report of the same study served by its store of decoded files.

Studies of 1, 10, 100 and 1,000 copies (under distinct names) of a real Neware file
(``NewareNDA/test_2.ndax``, 108k rows, 108 half cycles) are analysed by ``run_study`` (read,
segment, summary, regions, dQ/dV and peaks, capacity rise: the cycling analysis the report makes)
serially and on a 2-process ``LocalCluster`` (started inside the timing: what a user waits for),
both without the store (every file decoded); wall time, speed-up, and the peak resident memory
(psutil, every 0.05 s) of all processes together and of the largest single one (the main process
or a worker). Up to 100 files the store is measured too: the first run fills it, the second reads
from it.

With ``--xas``: 100,000 Mn K-edge spectra (mixtures of the real MnO, Mn2O3 and MnO2 references with
noise, as in ``bench_xas.py``), made and fitted by 3-reference LCF (``fit_stack``) in chunks of
10,000: serially, and as one Dask task per chunk on the 2-process cluster (each task makes its own
spectra, as a worker would read its own files); the same valences either way.

Run ``python benchmarks/bench_scale.py [sizes...]`` (1,000 files take about 12 min here) or
``python benchmarks/bench_scale.py --xas``. A benchmark, not a test.
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from pathlib import Path

from _studies import copies_study
from _timing import threads_note, with_peak_memory

STORE_UP_TO = 100


def _xas_chunk(seed: int, size: int, grid, basis):
    """Make ``size`` noisy mixtures of the references and fit them; their valences."""
    import numpy as np
    from bench_xas import VALENCES

    from redoxmap.xas import fit_stack

    rng = np.random.default_rng(seed)
    stack = rng.dirichlet(np.ones(3), size=size) @ basis.T + rng.normal(0, 0.005, (size, grid.size))
    return fit_stack(grid, stack, {n: (grid, basis[:, k]) for k, n in enumerate(VALENCES)}, valences=VALENCES,
                     edge="Mn-K")[1]


def xas_scale(spectra: int = 100_000, chunk: int = 10_000) -> None:
    """100,000 spectra by LCF, serially and on 2 Dask workers (see the module docstring)."""
    import numpy as np
    from bench_xas import DATA as XAS
    from bench_xas import FOIL_E0, VALENCES

    from redoxmap.study.dask_executor import DaskExecutor
    from redoxmap.xas import load_merged, normalize

    grid = np.linspace(6530, 6600, 300)
    columns = []
    for name in VALENCES:
        energy, mu = load_merged([XAS / f"{name}_rt_01.xdi"], reference_e0_eV=FOIL_E0)
        columns.append(np.interp(grid, energy, normalize(energy, mu, edge="Mn-K").norm))
    basis = np.column_stack(columns)
    seeds = range(spectra // chunk)
    serial, serial_mib, first = with_peak_memory(lambda: [_xas_chunk(k, chunk, grid, basis) for k in seeds])

    def on_dask():
        with DaskExecutor(workers=2, progress=False) as executor:
            futures = executor.client.map(_xas_chunk, list(seeds), size=chunk, grid=grid, basis=basis, pure=False)
            return executor.client.gather(futures)

    parallel, dask_mib, second = with_peak_memory(on_dask)
    assert all(np.allclose(a, b, rtol=1e-9, atol=0) for a, b in zip(first, second))  # BLAS threads differ
    print(
        f"\n{spectra:,} XAS spectra (LCF, {spectra // chunk} chunks) | serial {serial:.1f} s, "
        f"peak {serial_mib['total']:.0f} "
        f"MiB | Dask, 2 workers {parallel:.1f} s, peak {dask_mib['total']:.0f} / {dask_mib['process']:.0f} MiB | "
        f"speed-up {serial / parallel:.2f}x",
        flush=True,
    )


def main(sizes) -> None:
    warnings.simplefilter("ignore")
    from redoxmap.study import SerialExecutor, load_study, run_study
    from redoxmap.study.dask_executor import DaskExecutor

    print(threads_note())
    print("files | serial (s) | Dask, 2 workers (s) | speed-up | peak MiB serial | peak MiB Dask (all / largest "
          "process) | store: fill, then second run (s)")
    for copies in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            study = load_study(copies_study(Path(tmp), copies, name="scale"))
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
    if "--xas" in sys.argv:
        warnings.simplefilter("ignore")
        xas_scale()
    else:
        main([int(a) for a in sys.argv[1:]] or [1, 10, 100, 1000])
