"""Benchmark: reading EC-MS recordings, redoxmap against ixdat, on the same real Zilien files.

Every Zilien ``.tsv`` export in ``../shared/data/dems`` (versions 1 and 2, 150-530 kB) is read by
``redoxmap.io.read_ms`` and by ``ixdat.Measurement.read(..., reader="zilien")`` (ixdat's documented
call), interleaved, after a warm-up of each, median of 5. The ion currents both return are
compared. Then the quantification of a virtual first-cycle cell (23 h at 10 s, two gases) is
timed: baseline, delay, lag correction, totals per half cycle.

Run ``python benchmarks/bench_dems.py`` (needs ixdat: ``pip install -e ".[bench]"``). Not a test.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np
from _timing import interleaved, threads_note

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "dems" / "ixdat+ixdat-large-test-files"


def main() -> None:
    warnings.simplefilter("ignore")
    import ixdat

    import redoxmap
    from redoxmap.dems import load_calibration, quantify_gases, simulate_dems_cell
    from redoxmap.io import read_ms

    print(f"Zilien EC-MS exports: redoxmap.io.read_ms against ixdat {ixdat.__version__}. {threads_note()}")
    total = [0.0, 0.0]
    for path in sorted(DATA.rglob("*.tsv")):
        if "mass scan" in str(path):
            continue  # spectra, not time series
        ours, theirs = interleaved(lambda path=path: read_ms(path),
                                   lambda path=path: ixdat.Measurement.read(path, reader="zilien"), repeat=5)
        recording, measurement = ours["value"], theirs["value"]
        worst = max(float(np.max(np.abs(recording.signal(m)[1] - measurement.grab(f"M{m:g} [A]")[1])))
                    for m in recording.masses())
        total[0] += ours["median"]
        total[1] += theirs["median"]
        print(f"  {path.name[:44]:44s} {path.stat().st_size / 1e3:6.0f} kB  redoxmap {ours['median'] * 1e3:7.1f} ms  "
              f"ixdat {theirs['median'] * 1e3:7.1f} ms  ratio {theirs['median'] / ours['median']:5.1f}x  "
              f"largest ion-current difference {worst:.1e} A")
    print(
        f"  all files: redoxmap {total[0] * 1e3:.0f} ms, ixdat {total[1] * 1e3:.0f} ms, "
        f"ratio {total[1] / total[0]:.1f}x"
    )

    with tempfile.TemporaryDirectory() as folder:
        truth = simulate_dems_cell(folder, temperature_C=50)
        cycling = redoxmap.read_cycling(Path(folder) / "cycler.csv", active_mass_mg=10)
        recording = read_ms(Path(folder) / "ms.csv")
        factors = load_calibration(Path(folder) / "calibration.json")

        def run():
            return quantify_gases(recording, factors, cycling=cycling, offset_s=truth["offset_s"],
                                  delay_s=truth["delay_s"], lag_s=truth["lag_s"])

        timing, _ = interleaved(run, run, repeat=5)
        o2 = timing["value"].totals.query("gas == 'O2' and direction == 'charge'").iloc[0]
        print(f"\nQuantification of a virtual cell ({len(recording.signal(32)[0]):,} samples per gas): "
              f"{timing['median'] * 1e3:.0f} ms; O2 {o2.amount_umol_g:.2f} ± {o2.amount_stderr_umol_g:.2f} µmol/g "
              f"(truth {truth['O2_charge_umol_g']:.2f})")


if __name__ == "__main__":
    main()
