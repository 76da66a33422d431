"""Benchmark: valence by linear combination, redoxmap against xraylarch, on the same real spectra.

In one process, on the Mn K-edge XANES of MnO, Mn2O3, MnO2 (references) and Mn3O4
(XASDataLibrary, three scans each, calibrated on their Mn-foil channel):

1. one spectrum end to end: read the XDI file, absorption, calibration on the foil channel,
   normalisation, 3-reference LCF (redoxmap: load_mu + normalize_k_edge + fit_lcf; larch:
   read_xdi + pre_edge + lincombo_fit, calibrated with the same shift);
2. throughput: a stack of 100,000 spectra (mixtures of the real references with noise):
   redoxmap's vectorised exact solver in one call; larch's lincombo_fit timed on 200
   spectra and scaled;
3. agreement: the valence and weights each gives for Mn3O4, and for mixtures of known valence.

Both sides are timed alike: one warm-up of each, then A B A B, median and spread (20 rounds for
one spectrum, 5 for the stack against 200 larch fits).

Install larch beside redoxmap (``pip install xraylarch``) and run
``python benchmarks/bench_xas.py``. A benchmark, not a test: nothing asserts a timing.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from _timing import interleaved, threads_note

DATA = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "data"
    / "xas"
    / "XraySpectroscopy+XASDataLibrary"
    / "data"
    / "Mn"
)
VALENCES = {"MnO": 2.0, "Mn2O3": 3.0, "MnO2": 4.0}
FOIL_E0 = 6539.0


def ours_one(path: Path, references: dict):
    from redoxmap.xas import fit_lcf, load_mu, normalize_k_edge

    energy, mu = load_mu(path, reference_e0_eV=FOIL_E0)  # read, absorption, calibration
    norm = normalize_k_edge(energy, mu)
    return fit_lcf(energy, norm.norm, references, valences=VALENCES, window=(norm.e0 - 20, norm.e0 + 60),
                   edge="Mn-K")


def larch_group(path: Path):
    from larch.io import read_xdi
    from larch.xafs import pre_edge

    from redoxmap.xas import calibrate

    group = read_xdi(str(path))
    group.mu = np.log(group.i0 / group.itrans)
    reference = np.log(group.itrans / group.irefer)
    group.energy = group.energy + calibrate(group.energy, reference, FOIL_E0, search=(6530, 6550))
    pre_edge(group)
    return group


def larch_one(path: Path, components: list):
    from larch.math import lincombo_fit

    group = larch_group(path)
    return lincombo_fit(group, components, xmin=group.e0 - 20, xmax=group.e0 + 60)


def larch_valence(result, names: list[str]) -> tuple[float, float]:
    weights = np.array([result.weights[n] for n in names])
    return float(weights @ np.array([VALENCES[n] for n in names])), float(weights.sum())


def main() -> None:
    warnings.simplefilter("ignore")
    from larch.math import lincombo_fit

    from redoxmap.xas import fit_stack, load_merged, normalize

    references, components = {}, []
    for name in VALENCES:
        energy, mu = load_merged([DATA / f"{name}_rt_01.xdi"], reference_e0_eV=FOIL_E0)
        references[name] = (energy, normalize(energy, mu, edge="Mn-K").norm)
        group = larch_group(DATA / f"{name}_rt_01.xdi")
        group.filename = name
        group.groupname = name
        components.append(group)
    sample = DATA / "Mn3O4_rt_01.xdi"

    print(threads_note())
    our, their = interleaved(lambda: ours_one(sample, references), lambda: larch_one(sample, components), repeat=20)
    ours_time, ours, larch_time, theirs = our["median"], our["value"], their["median"], their["value"]
    names = [g.filename for g in components]
    their_valence, their_sum = larch_valence(theirs, names)
    print("One spectrum end to end (read, absorption, normalise, 3-reference LCF), Mn3O4_rt_01:")
    print(
        f"  redoxmap {ours_time * 1e3:8.2f} ± {our['spread'] * 1e3:.2f} ms   "
        f"valence {ours.valence:.3f} ± {ours.valence_stderr:.3f}, "
        f"weights sum {ours.weights.sum():.3f}"
    )
    print(
        f"  larch    {larch_time * 1e3:8.2f} ± {their['spread'] * 1e3:.2f} ms   "
        f"valence {their_valence:.3f}, weights sum {their_sum:.3f}"
    )
    print(f"  speed-up {larch_time / ours_time:.0f}x (goal 20x)")

    grid = np.linspace(6530, 6600, 300)
    basis = np.column_stack([np.interp(grid, *references[n]) for n in VALENCES])
    rng = np.random.default_rng(0)
    n_stack = 100_000
    weights = rng.dirichlet(np.ones(3), size=n_stack)
    stack = weights @ basis.T + rng.normal(0, 0.005, (n_stack, grid.size))
    truth = weights @ np.array(list(VALENCES.values()))

    from larch import Group

    component_groups = [Group(energy=grid, norm=basis[:, k], filename=name, groupname=name)
                        for k, name in enumerate(VALENCES)]
    n_larch = 200

    def larch_some():
        return [larch_valence(lincombo_fit(Group(energy=grid, norm=row), component_groups), list(VALENCES))[0]
                for row in stack[:n_larch]]

    stack_timing, larch_timing = interleaved(
        lambda: fit_stack(grid, stack, {n: (grid, basis[:, k]) for k, n in enumerate(VALENCES)},
                          valences=VALENCES, edge="Mn-K"), larch_some, repeat=5)
    ours_stack, valences = stack_timing["median"], stack_timing["value"][1]
    per_fit = larch_timing["median"] / n_larch
    larch_valences = larch_timing["value"]
    larch_stack = per_fit * n_stack
    print(f"\nStack of {n_stack:,} spectra (3 references, {grid.size} points):")
    print(
        f"  redoxmap {ours_stack:8.2f} ± {stack_timing['spread']:.2f} s   "
        f"({ours_stack / n_stack * 1e6:.1f} µs per spectrum), "
        f"max |valence - truth| {np.abs(valences - truth).max():.4f}"
    )
    print(f"  larch    {larch_stack:8.0f} s   ({per_fit * 1e3:.1f} ms per fit, timed on {n_larch}, scaled), "
          f"max |valence - truth| {np.abs(np.array(larch_valences) - truth[:n_larch]).max():.4f}")
    print(f"  throughput ratio {larch_stack / ours_stack:.0f}x (goal 1000x)")


if __name__ == "__main__":
    main()
