"""Benchmark: are the activation model's 95 % intervals calibrated when its fixed values are uncertain?

Virtual studies from known parameters: each trial draws the fitted parameters across their prior
range (log-uniform for the resistance and the diffusivity, uniform for the rest) **and every fixed
value from its stated error** (:func:`redoxmap.model.validation.draw_fixed`: the truth is not the
nominal value the fit assumes), makes the reference protocol's training numbers with the model
(capacities at 30 and 50 °C, bulk r), adds measurement noise as the reference study's errors
(3 mAh/g, 0.02 in r), fits them as ``redoxmap model validate`` does (the fixed values at their
nominal values) and asks whether each fitted parameter's and each held-out prediction's 95 %
interval holds the truth. The intervals are the protocol's: every fixed value drawn and the model
refitted (:func:`redoxmap.model.validation.interval_sets`), ``--draws`` of them per trial (40, as
``redoxmap model validate``); a held-out prediction's interval is the range of the sets' predictions from
39 sets (:func:`redoxmap.model.validation.prediction_interval`, distribution-free), +-t sd with fewer; a
parameter's interval is +-t sd of the drawn sets on the fit's scale (Student's t for their number,
:func:`redoxmap.model.validation.interval_factor`). Goal: 95 +- 3 % (with 200
trials the binomial standard error of a coverage of 95 % is 1.5 %). For each held-out prediction it also prints
on which side the misses fall and how often the truth lies above the median of the refits' predictions: a
calibrated interval misses on both sides, and its refits straddle the truth half the time.

Run ``python benchmarks/bench_model_coverage.py [--trials 200] [--draws 40] [--workers 2] [--first-seed 0]``.
A benchmark, not a test: it prints the coverage and the time, and asserts nothing.
"""

from __future__ import annotations

import argparse
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from functools import partial

import numpy as np

INTERVAL_SEED_OFFSET = 1_000_003  # the intervals draw apart from the truth (runs before 2026-12-06 shared its draws)
PRIOR = {"r_int_ohm_g": (4.0, 12.0, "log"), "r_int_activation_energy_eV": (0.05, 0.4, "linear"),
         "diffusivity_cm2_s": (5e-14, 5e-13, "log"), "q_o_mAh_g": (140.0, 200.0, "linear"),
         "r_max": (0.18, 0.28, "linear"), "u_ref": (0.6, 0.9, "linear")}


def trial(seed: int, draws: int = 40) -> dict:
    """One virtual study: coverage flags per fitted parameter and per held-out prediction, and per held-out
    prediction where its truth lies (``"above"``, ``"below"`` or ``"inside"`` the interval; above the median of
    the refits' predictions or not)."""
    from redoxmap.errors import AnalysisError, FitWarning
    from redoxmap.model.fit import FITTED, LINEAR_BOUNDS, Observation, fit_model, predict
    from redoxmap.model.validation import (
        draw_fixed,
        interval_factor,
        interval_sets,
        prediction_table,
        reference_evidence,
        reference_start,
        reference_study,
    )

    rng = np.random.default_rng(seed)
    data = reference_study()
    fixed = reference_evidence(data)
    base = reference_start(fixed)
    truth = base.with_values(**draw_fixed(fixed, rng, data["surface_ni"]))
    truth = truth.with_values(**{n: float(np.exp(rng.uniform(np.log(lo), np.log(hi))) if scale == "log"
                                          else rng.uniform(lo, hi)) for n, (lo, hi, scale) in PRIOR.items()})
    template = data["capacities"] + data["bulk_r"]
    exact = predict(truth, template)
    training = [Observation(o.kind, float(v + o.stderr * rng.normal()), o.stderr, o.temperature_C, o.cycle, o.mode)
                for o, v in zip(template, exact)]
    held_out = data["surface_r"] + data["liquid"]

    def refit(observations, start):
        return fit_model(observations, start=start, vary=FITTED)
    # A trial's parameters can lie far out in the prior: overflowing exponents and infinite drops are expected
    # there (the draws that cannot run are left out by interval_sets), not news.
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", FitWarning)
        fit = refit(training, base)
        # A stream of their own: with the truth's seed, the first set's fixed values were the truth's.
        sets = interval_sets(training, fit, fixed, refit, count=draws, seed=INTERVAL_SEED_OFFSET + seed,
                             surface_ni=data["surface_ni"])
        table = prediction_table(fit, held_out, predict, sets=sets)
        truth_held_out = predict(truth, held_out)
    covered = {}
    factor = interval_factor(len(sets))
    for name in FITTED:
        values = np.array([getattr(s, name) for s in sets])
        value, true = getattr(fit.parameters, name), getattr(truth, name)
        if name in LINEAR_BOUNDS:
            covered[name] = abs(value - true) <= factor * np.std(values, ddof=1)
        else:
            covered[name] = abs(np.log(value / true)) <= factor * np.std(np.log(values), ddof=1)
    sampled = []
    with np.errstate(all="ignore"):
        for s in sets:  # as prediction_table: a set the model cannot run, or whose run overflows, is left out
            try:
                values = predict(s, held_out)
            except AnalysisError:
                continue
            if np.all(np.isfinite(values)):
                sampled.append(values)
    sampled = np.array(sampled)
    sides = {}
    for k, (label, low, high, true) in enumerate(zip(table["observation"], table["low_95"], table["high_95"],
                                                     truth_held_out)):
        covered[label] = bool(low <= true <= high)
        above_median = bool(true > np.median(sampled[:, k])) if len(sampled) else None  # no set ran: not known
        side = ("no interval" if not (np.isfinite(low) and np.isfinite(high)) else
                "above" if true > high else "below" if true < low else "inside")
        sides[label] = (side, above_median)
    return covered, sides


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--draws", type=int, default=40, help="fixed-value draws (each a refit) per trial")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--first-seed", type=int, default=0, help="seed of the first trial (a fresh set of studies)")
    args = parser.parse_args()
    start = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        seeds = range(args.first_seed, args.first_seed + args.trials)
        outcomes = list(pool.map(partial(trial, draws=args.draws), seeds, chunksize=2))
    results, sides = [o[0] for o in outcomes], [o[1] for o in outcomes]
    elapsed = time.perf_counter() - start
    print(f"{args.trials} virtual studies of the reference protocol (fixed values drawn from their errors, "
          f"{args.draws} refits each), {args.workers} processes: {elapsed:.0f} s")
    print("Coverage of the 95 % intervals (goal 95 +- 3 %):")
    for name in results[0]:
        share = 100 * np.mean([r[name] for r in results])
        print(f"  {name:40s} {share:5.1f} %")
    overall = 100 * np.mean([v for r in results for v in r.values()])
    print(f"  {'all':40s} {overall:5.1f} %")
    print("Held-out predictions: misses above / below the interval, and the share of studies whose truth lies above "
          "the median of the refits' predictions (50 % when they are centred on it):")
    for label in sides[0]:
        where = [s[label][0] for s in sides]
        above = [s[label][1] for s in sides if s[label][1] is not None]
        print(f"  {label:40s} {where.count('above'):3d} / {where.count('below'):3d}   "
              f"{100 * np.mean(above) if above else float('nan'):5.1f} % of {len(above)}")


if __name__ == "__main__":
    main()
