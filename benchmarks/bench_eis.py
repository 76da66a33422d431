"""Benchmark: equivalent-circuit fits, redoxmap against impedance.py 1.7.1, on the same spectra.

In one process:

1. per fit, like for like: impedance.py's getting-started data (exampleData.csv, inductive
   points removed as its documentation does) and two circuits, both tools starting from the
   same guess, unweighted (impedance.py's default) -- redoxmap with ``starts=0`` (the user's start,
   its symmetry-broken copy and the polishing restarts); then redoxmap's default (24 starts seeded
   from the data, polished);
2. agreement: each parameter's relative difference where both reach the same minimum (RC
   blocks compared by time constant, since p(R1,CPE1) and p(R2,CPE2) can trade places), and
   both chi-squares;
3. the 130-spectrum cycling series of one cell (AutoEIS): redoxmap's ``analyze_eis`` end to end
   (read, Kramers-Kronig test, fit of every spectrum, DRT) against impedance.py fitting the same
   spectra one by one, timed on 10 and scaled (its ``linKK`` fails with NumPy 2 -- it evaluates
   a string that names ``np`` -- so impedance.py's side has no validity test).

Every pair is timed alike: one warm-up of each, then A B A B, median and spread (5 rounds per fit,
3 for the series).

Install the anchors with ``pip install ".[bench]"`` (impedance.py 1.7.1) and run
``python benchmarks/bench_eis.py``. A benchmark, not a test: nothing asserts a timing.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from _timing import interleaved, threads_note

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "xrd_eis"
EXAMPLE = DATA / "ECSHackWeek+impedance.py" / "data" / "exampleData.csv"
SERIES = DATA / "AUTODIAL+AutoEIS" / "src" / "autoeis" / "assets" / "battery_data.npy"
CASES = [("R0-p(R1,C1)-p(R2-Wo1,C2)", [.01, .01, 100, .01, .05, 100, 1]),
         ("R0-p(R1,CPE1)-p(R2,CPE2)-W1", [.01, .01, 1, .9, .01, 1, .9, .01])]
SERIES_CIRCUIT = ("R0-p(R1,CPE1)-p(R2,CPE2)-W1", [0.1, 0.05, 1.0, 0.9, 0.3, 10.0, 0.8, 0.1])


def canonical(circuit: str, values) -> np.ndarray:
    """Parameters with the RC blocks ordered by time constant (for comparing two fits)."""
    from redoxmap.eis.circuits import Circuit
    from redoxmap.eis.fit import effective_capacitance

    parsed = Circuit(circuit)
    values = np.asarray(values, float)
    blocks = []
    for resistor, capacitor in parsed.rc_pairs():
        r = values[resistor.start]
        c = values[capacitor.start] if capacitor.kind == "C" else effective_capacitance(
            values[capacitor.start], values[capacitor.start + 1], r)
        blocks.append((r * c, [resistor.start, *range(capacitor.start, capacitor.start + capacitor.size)]))
    order = list(range(len(values)))
    slots = sorted(index for _, indices in blocks for index in indices)
    for slot, index in zip(slots, [i for _, indices in sorted(blocks) for i in indices]):
        order[slot] = index
    return values[order]


def main() -> None:
    warnings.simplefilter("ignore")
    from impedance import preprocessing
    from impedance.models.circuits import CustomCircuit

    from redoxmap.eis.circuits import Circuit
    from redoxmap.eis.fit import fit_circuit
    from redoxmap.io.eis_files import read_impedance
    from redoxmap.study.analyses.eis import ImpedanceEntry, analyze_eis

    print(threads_note())
    frequency, z = preprocessing.ignoreBelowX(*preprocessing.readCSV(str(EXAMPLE)))
    print(f"Per fit, impedance.py's example spectrum ({len(frequency)} points), same start, unweighted "
          "(median ± spread of 5, interleaved):")
    for circuit, guess in CASES:
        theirs = CustomCircuit(circuit, initial_guess=guess)
        their, our = interleaved(lambda theirs=theirs: theirs.fit(frequency, z),
                                 lambda circuit=circuit, guess=guess: fit_circuit(
                                     (frequency, z), circuit, weighting="unit", initial=guess, starts=0))
        _, multi_timing = interleaved(lambda theirs=theirs: theirs.fit(frequency, z),
                                      lambda circuit=circuit: fit_circuit((frequency, z), circuit, weighting="unit"),
                                      repeat=3)
        their_time, our_time, multi_time = their["median"], our["median"], multi_timing["median"]
        ours, multi = our["value"], multi_timing["value"]
        model = Circuit(circuit)
        their_chi2 = float(np.sum(np.abs(z - model.impedance(theirs.parameters_, frequency)) ** 2))
        difference = np.abs(canonical(circuit, ours.parameters["value"]) / canonical(circuit, theirs.parameters_) - 1)
        print(f"  {circuit}")
        print(f"    impedance.py {their_time * 1e3:7.1f} ± {their['spread'] * 1e3:.1f} ms  chi2 {their_chi2:.6e}")
        print(
            f"    redoxmap     {our_time * 1e3:7.1f} ± {our['spread'] * 1e3:.1f} ms  chi2 {ours.chi_square:.6e}   "
            "speed-up "
            f"{their_time / our_time:.1f}x (goal 10x); largest parameter difference {100 * difference.max():.2f} %"
            f" ({ours.parameters['name'][int(np.argmax(difference))]})"
        )
        print(f"    redoxmap, 24 data-seeded starts {multi_time * 1e3:7.1f} ms  chi2 {multi.chi_square:.6e} "
              f"({their_time / multi_time:.1f}x)")

    spectra = read_impedance(SERIES)
    n_theirs = 10

    def their_ten():
        for spectrum in spectra[:n_theirs]:
            CustomCircuit(SERIES_CIRCUIT[0], initial_guess=SERIES_CIRCUIT[1]).fit(spectrum.frequency_Hz,
                                                                                   spectrum.z_ohm)

    ours_timing, theirs_timing = interleaved(
        lambda: analyze_eis("series", [ImpedanceEntry([SERIES], "cycling")], circuit=SERIES_CIRCUIT[0]), their_ten,
        repeat=3)
    analysis, ours_series = ours_timing["value"], ours_timing["median"]
    theirs_series = theirs_timing["median"] / n_theirs * len(spectra)
    flagged = int(analysis.resistances["flags"].astype(bool).sum())
    print(f"\nSeries of {len(spectra)} spectra ({SERIES.name}), {SERIES_CIRCUIT[0]}:")
    print(
        f"  redoxmap     {ours_series:7.2f} ± {ours_timing['spread']:.2f} s  "
        f"(read, Kramers-Kronig, 24-start polished fits, DRT; {flagged} fits flagged, "
        f"{int(analysis.resistances['kk_valid'].sum())} spectra pass Kramers-Kronig)"
    )
    print(f"  impedance.py {theirs_series:7.1f} s  (one fit per spectrum, timed on {n_theirs}, scaled)")
    print(f"  speed-up {theirs_series / ours_series:.0f}x")


if __name__ == "__main__":
    main()
