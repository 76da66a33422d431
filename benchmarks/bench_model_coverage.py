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

``--intervals profile`` measures a tried alternative instead (:func:`profile_coverage`): profile-likelihood intervals
with the fixed values as parameters penalised by their errors.

Run ``python benchmarks/bench_model_coverage.py [--trials 200] [--draws 40] [--workers 2] [--first-seed 0]
[--intervals refits|profile]``.
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


def virtual_study(seed: int):
    """One virtual study: its truth (fitted parameters across ``PRIOR``, fixed values drawn from their errors), its
    noisy training numbers, the held-out observations, the fixed-value table and the protocol's start."""
    from redoxmap.model.fit import Observation, predict
    from redoxmap.model.validation import draw_fixed, reference_evidence, reference_start, reference_study

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
    return truth, training, data["surface_r"] + data["liquid"], fixed, base, data


def trial(seed: int, draws: int = 40, intervals: str = "refits") -> tuple[dict, dict]:
    """One virtual study: coverage flags per fitted parameter and per held-out prediction, and per held-out
    prediction where its truth lies (``"above"``, ``"below"`` or ``"inside"`` the interval; for the refits' intervals,
    above the median of their predictions or not). ``intervals``: ``"refits"`` (the protocol's) or ``"profile"``
    (:func:`profile_coverage`)."""
    from redoxmap.errors import FitWarning
    from redoxmap.model.fit import FITTED, fit_model, predict

    truth, training, held_out, fixed, base, data = virtual_study(seed)
    # A trial's parameters can lie far out in the prior: overflowing exponents and infinite drops are expected
    # there (the draws that cannot run are left out by interval_sets), not news.
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", FitWarning)
        fit = fit_model(training, start=base, vary=FITTED)
        truth_held_out = predict(truth, held_out)
        if intervals == "profile":
            return profile_coverage(training, fit, fixed, held_out, truth, truth_held_out)
        return refit_coverage(training, fit, fixed, held_out, truth, truth_held_out, draws=draws, seed=seed,
                              surface_ni=data["surface_ni"])


def refit_coverage(training, fit, fixed, held_out, truth, truth_held_out, *, draws: int, seed: int,
                   surface_ni) -> tuple[dict, dict]:
    """Coverage of the protocol's intervals: ``draws`` refits from drawn fixed values
    (:func:`redoxmap.model.validation.interval_sets`)."""
    from redoxmap.errors import AnalysisError
    from redoxmap.model.fit import FITTED, LINEAR_BOUNDS, fit_model, predict
    from redoxmap.model.validation import interval_factor, interval_sets, prediction_table

    def refit(observations, start):
        return fit_model(observations, start=start, vary=FITTED)
    # A stream of their own: with the truth's seed, the first set's fixed values were the truth's.
    sets = interval_sets(training, fit, fixed, refit, count=draws, seed=INTERVAL_SEED_OFFSET + seed,
                         surface_ni=surface_ni)
    table = prediction_table(fit, held_out, predict, sets=sets)
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


PROFILE_LOG_SPAN = 5.0  # a positive parameter's profile searches within e^±5 of its fit
PROFILE_CHI2 = 3.84  # chi-square's 95 % quantile for one degree of freedom


def profile_coverage(training, fit, fixed, held_out, truth, truth_held_out) -> tuple[dict, dict]:
    """Coverage of profile-likelihood intervals, a tried alternative to the refits (not used by the protocol).

    The fixed values become parameters penalised by their stated errors (a normal prior on the fits' scale:
    linear within ``LINEAR_BOUNDS``, else the logarithm), so chi-square counts the training numbers and those
    priors. A quantity's 95 % interval holds a value when chi-square, minimised with the quantity held at that
    value (a residual of weight 1/eps), stays within 3.84 of its free minimum: the inversion of the likelihood-ratio
    test, so each interval costs one constrained fit per truth instead of a search for its ends. The surface loss
    at 30 °C is penalised on its own error here, where the truth draws it through the reaction's energy."""
    from scipy.optimize import least_squares

    from redoxmap.errors import AnalysisError
    from redoxmap.model.fit import FITTED, LINEAR_BOUNDS, decode_values, encode_values, predict

    held = fixed[fixed["stderr"] > 0].reset_index(drop=True)
    names = list(FITTED) + list(held["name"])
    start = encode_values(fit.parameters, names)
    centre = start[len(FITTED):]
    prior = np.array([e if n in LINEAR_BOUNDS else e / v for n, v, e in zip(held["name"], held["value"],
                                                                            held["stderr"])])
    low = np.array([LINEAR_BOUNDS[n][0] if n in LINEAR_BOUNDS else x - PROFILE_LOG_SPAN for n, x in zip(names, start)])
    high = np.array([LINEAR_BOUNDS[n][1] if n in LINEAR_BOUNDS else x + PROFILE_LOG_SPAN
                     for n, x in zip(names, start)])
    start = np.clip(start, low + 1e-9, high - 1e-9)
    measured = np.array([o.value for o in training])
    sigma = np.array([o.stderr for o in training])

    def residuals(x, target=None, value=None, eps=None):
        observations = training + ([target] if target is not None else [])
        try:
            predicted = predict(decode_values(x, names, fit.parameters), observations)
        except AnalysisError:
            predicted = np.full(len(observations), np.nan)
        out = np.concatenate([(predicted[:len(training)] - measured) / sigma, (x[len(FITTED):] - centre) / prior])
        if target is not None:
            out = np.append(out, (predicted[-1] - value) / eps)
        return np.where(np.isfinite(out), out, 1e3)  # a point the model cannot run: a very poor fit

    free = least_squares(residuals, start, bounds=(low, high), max_nfev=600)
    minimum = float(np.sum(residuals(free.x) ** 2))

    def holds_parameter(name: str, value: float) -> bool:
        """Whether a fitted parameter's interval holds ``value``: the others refitted with it held there."""
        k = names.index(name)
        held_at = float(encode_values(fit.parameters.with_values(**{name: value}), [name])[0])
        keep = [i for i in range(len(names)) if i != k]

        def restricted(y):
            return residuals(np.insert(y, k, held_at))
        solution = least_squares(restricted, free.x[keep], bounds=(low[keep], high[keep]), max_nfev=600)
        return float(np.sum(restricted(solution.x) ** 2)) - minimum <= PROFILE_CHI2

    def holds_prediction(target, value: float) -> bool:
        """Whether a held-out prediction's interval holds ``value`` (reached within 3 eps and within 3.84)."""
        eps = 0.002 if target.kind == "r" else 1.0
        solution = least_squares(residuals, free.x, args=(target, value, eps), bounds=(low, high), max_nfev=600)
        ends = residuals(solution.x, target, value, eps)
        return bool(abs(ends[-1]) <= 3.0 and float(np.sum(ends[:-1] ** 2)) - minimum <= PROFILE_CHI2)

    covered, sides = {}, {}
    for name in FITTED:
        covered[name] = holds_parameter(name, getattr(truth, name))
    nominal = predict(decode_values(free.x, names, fit.parameters), held_out)
    for target, true, centre_value in zip(held_out, truth_held_out, nominal):
        inside = holds_prediction(target, true)
        covered[target.label] = inside
        sides[target.label] = ("inside" if inside else "above" if true > centre_value else "below", None)
    return covered, sides


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--draws", type=int, default=40, help="fixed-value draws (each a refit) per trial")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--first-seed", type=int, default=0, help="seed of the first trial (a fresh set of studies)")
    parser.add_argument("--intervals", choices=("refits", "profile"), default="refits",
                        help="the protocol's refits (default), or profile likelihood with penalised fixed values")
    args = parser.parse_args()
    start = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        seeds = range(args.first_seed, args.first_seed + args.trials)
        outcomes = list(pool.map(partial(trial, draws=args.draws, intervals=args.intervals), seeds, chunksize=2))
    results, sides = [o[0] for o in outcomes], [o[1] for o in outcomes]
    elapsed = time.perf_counter() - start
    method = f"{args.draws} refits each" if args.intervals == "refits" else "profile-likelihood intervals"
    print(f"{args.trials} virtual studies of the reference protocol (fixed values drawn from their errors, "
          f"{method}), {args.workers} processes: {elapsed:.0f} s")
    print("Coverage of the 95 % intervals (goal 95 +- 3 %):")
    for name in results[0]:
        share = 100 * np.mean([r[name] for r in results])
        print(f"  {name:40s} {share:5.1f} %")
    overall = 100 * np.mean([v for r in results for v in r.values()])
    print(f"  {'all':40s} {overall:5.1f} %")
    print("Held-out predictions: misses above / below the interval (for profile intervals: above or below the "
          "penalised fit's prediction), and the share of studies whose truth lies above the median of the refits' "
          "predictions (50 % when they are centred on it; not for profile intervals):")
    for label in sides[0]:
        where = [s[label][0] for s in sides]
        above = [s[label][1] for s in sides if s[label][1] is not None]
        print(f"  {label:40s} {where.count('above'):3d} / {where.count('below'):3d}   "
              f"{100 * np.mean(above) if above else float('nan'):5.1f} % of {len(above)}")


if __name__ == "__main__":
    main()
