"""Benchmark: are the activation model's 95 % intervals calibrated?

Virtual studies from known parameters: each trial draws the fitted parameters across their prior
range (log-uniform for the rates and lengths, uniform for the rest), makes the reference protocol's
training numbers with the model (capacities at 30 and 50 C, bulk r), adds measurement noise as the
reference study's errors (3 mAh/g, 0.02 in r), fits them as ``redoxmap model validate`` does, and
asks whether each parameter's 95 % interval (+-1.96 standard errors on the fit's scale) and each
held-out prediction's (:func:`redoxmap.model.validation.prediction_table`) holds the truth. Goal:
95 +- 3 % (with 200 trials the binomial standard error of a coverage of 95 % is 1.5 %).

Run ``python benchmarks/bench_model_coverage.py [--trials 200] [--workers 2] [--first-seed 0]``. A benchmark, not a
test: it prints the coverage and the time, and asserts nothing.
"""

from __future__ import annotations

import argparse
import time
import warnings
from concurrent.futures import ProcessPoolExecutor

import numpy as np

PRIOR = {"kappa_ref": (1.0, 20.0, "log"), "eta_ref_V": (0.02, 0.09, "linear"), "rho": (1.5, 5.0, "log"),
         "q_o_mAh_g": (170.0, 240.0, "linear"), "r_max": (0.17, 0.27, "linear")}


def trial(seed: int) -> dict:
    """One virtual study: coverage flags per parameter and per held-out prediction."""
    from redoxmap.errors import FitWarning
    from redoxmap.model.fit import FITTED, LINEAR_BOUNDS, Observation, fit_model, predict
    from redoxmap.model.validation import (
        prediction_table,
        reference_evidence,
        reference_start,
        reference_study,
    )

    rng = np.random.default_rng(seed)
    data = reference_study()
    fixed = reference_evidence(data)
    base = reference_start(fixed)
    truth = base.with_values(**{n: float(np.exp(rng.uniform(np.log(lo), np.log(hi))) if scale == "log"
                                         else rng.uniform(lo, hi)) for n, (lo, hi, scale) in PRIOR.items()})
    template = data["capacities"] + data["bulk_r"]
    exact = predict(truth, template)
    training = [Observation(o.kind, float(v + o.stderr * rng.normal()), o.stderr, o.temperature_C, o.cycle, o.mode)
                for o, v in zip(template, exact)]
    held_out = data["surface_r"] + data["liquid"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        fit = fit_model(training, start=base, vary=FITTED)
    fit.fixed = fixed.iloc[0:0]  # the truth's fixed values are the ones used: nothing more to propagate
    covered = {}
    for row in fit.table.itertuples():
        true = getattr(truth, row.name)
        if row.name in LINEAR_BOUNDS:
            covered[row.name] = abs(row.value - true) <= 1.96 * row.stderr
        else:
            covered[row.name] = abs(np.log(row.value / true)) <= 1.96 * row.stderr / row.value
    table = prediction_table(fit, held_out, predict, draws=100, seed=seed)
    for label, low, high, true in zip(table["observation"], table["low_95"], table["high_95"],
                                      predict(truth, held_out)):
        covered[label] = bool(low <= true <= high)
    return covered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--first-seed", type=int, default=0, help="seed of the first trial (a fresh set of studies)")
    args = parser.parse_args()
    start = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(pool.map(trial, range(args.first_seed, args.first_seed + args.trials), chunksize=4))
    elapsed = time.perf_counter() - start
    print(f"{args.trials} virtual studies of the reference protocol, {args.workers} processes: {elapsed:.0f} s")
    print("Coverage of the 95 % intervals (goal 95 +- 3 %):")
    for name in results[0]:
        share = 100 * np.mean([r[name] for r in results])
        print(f"  {name:40s} {share:5.1f} %")
    overall = 100 * np.mean([v for r in results for v in r.values()])
    print(f"  {'all':40s} {overall:5.1f} %")


if __name__ == "__main__":
    main()
