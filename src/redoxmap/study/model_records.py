"""The fitted activation model's picture of each sample, for the activation map: a(z) by cycle, the
front and r by probe, with intervals from the fit's parameter uncertainty and its fixed values' errors.

The model is not a measurement: these arrays enter the map as ``model_*`` variables, beside (never
in place of) the measured ones.
"""

from __future__ import annotations

import warnings

import numpy as np

from redoxmap.errors import FitWarning
from redoxmap.model.cycle_model import simulate_cycles
from redoxmap.model.fit import parameter_draws
from redoxmap.model.validation import compensated_sets


def _run_arrays(parameters, cycles: int, temperature_C: float):
    run = simulate_cycles(parameters, cycles, temperature_C=temperature_C)
    table = run.table
    return (run.depth_nm, run.profiles, table["front_nm"].to_numpy(),
            np.column_stack([table["r_tey"].to_numpy(), table["r_bulk"].to_numpy()]))


def front_speed(cycles: np.ndarray, front_nm: np.ndarray) -> float:
    """The mean speed of the activation front, nm per cycle: the slope of its depth over the cycles
    since it formed (NaN with fewer than two such cycles)."""
    known = np.isfinite(front_nm)
    if known.sum() < 2:
        return float("nan")
    return float(np.polyfit(cycles[known], front_nm[known], 1)[0])


def _draws(fit, count: int) -> tuple[list, str]:
    """Parameter sets for the arrays' intervals, and how they were made.

    Each fixed value is drawn with the fitted values moved as a refit would move them to first order, and left out
    where the training numbers reject it (:func:`redoxmap.model.validation.compensated_sets`): a fixed value drawn
    with the fitted ones held would put the model where the data are not (a radius 30 % larger moves the 30 °C
    capacity at cycle 40 by some 50 mAh/g). Where the training numbers reject most draws (fewer than half of
    ``count`` kept: the fit varies too few parameters to absorb them), the fixed values are drawn with the fitted
    ones held after all, which is wider than the data allow, and the description says so. A fit without fixed
    values draws its covariance alone."""
    if not count:
        return [], "none"
    if not len(fit.fixed):
        return parameter_draws(fit, count), f"{count} draws of the fit's covariance"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        sets = compensated_sets(fit.observations(), fit, fit.predictor, count=count, at_least=(count + 1) // 2)
    if len(sets) >= (count + 1) // 2:
        return list(sets), (f"{len(sets)} draws of the fixed values, each compensated by the fitted values to "
                            f"first order, and of the fit's covariance ({sets.rejected} the training numbers reject "
                            "left out)")
    return parameter_draws(fit, count), (
        f"{count} draws of the fit's covariance and the fixed values with the fitted values held: the training "
        f"numbers reject {sets.rejected} of the {sets.left_out + len(sets)} compensated draws tried (the fit varies "
        "too few parameters to absorb the fixed values' errors), so these intervals are wider than the data allow")


def model_arrays(analysis, sample_temperatures: dict[str, float], *, cycles: int, draws: int = 200) -> dict:
    """The fitted model's arrays for every sample whose temperature the model was fitted at.

    Parameters
    ----------
    analysis : redoxmap.study.analyses.model.ModelAnalysis
    sample_temperatures : dict
        Sample name -> temperature in C.
    cycles : int
        Cycles to simulate.
    draws : int
        Parameter sets for the intervals (0: none): the fit's covariance and its fixed values drawn, each draw
        compensated by the fitted values to first order (:func:`_draws`).

    Returns
    -------
    dict
        ``samples``, ``cycle``, ``depth_nm``; per sample (first axis): ``a`` and ``a_stderr``
        (cycle, depth), ``front_nm`` and its ``front_stderr_nm``, ``front_low_nm``, ``front_high_nm``
        (2.5 and 97.5 % of the draws), ``r`` and ``r_stderr`` (cycle, probe: surface, bulk);
        ``front_speed_nm_cycle`` with ``front_speed_low``/``high`` (95 %); ``parameters`` (the fit's
        table as text), ``draws`` and ``intervals`` (how the draws were made, :func:`_draws`).
    """
    fitted = {round(float(t), 6) for t in analysis.cells["temperature_C"]}
    chosen = {name: t for name, t in sample_temperatures.items() if t is not None and round(float(t), 6) in fitted}
    if not chosen:
        return {}
    sets, intervals = _draws(analysis.fit, draws)
    by_temperature = {}
    for temperature in sorted(set(chosen.values())):
        depth, profiles, front, r = _run_arrays(analysis.fit.parameters, cycles, temperature)
        runs = [_run_arrays(p, cycles, temperature) for p in sets]
        numbered = np.arange(1, cycles + 1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a front not yet formed in every draw
            spread = {
                "a_stderr": np.std([x[1] for x in runs], axis=0) if runs else np.full_like(profiles, np.nan),
                "front_stderr_nm": np.nanstd([x[2] for x in runs], axis=0) if runs else np.full_like(front, np.nan),
                "front_low_nm": np.nanpercentile([x[2] for x in runs], 2.5, axis=0) if runs else front * np.nan,
                "front_high_nm": np.nanpercentile([x[2] for x in runs], 97.5, axis=0) if runs else front * np.nan,
                "r_stderr": np.std([x[3] for x in runs], axis=0) if runs else np.full_like(r, np.nan),
            }
            speeds = np.array([front_speed(numbered, x[2]) for x in runs])
            speeds = speeds[np.isfinite(speeds)]
        by_temperature[temperature] = {
            "a": profiles, "front_nm": front, "r": r, **spread, "depth_nm": depth,
            "front_speed_nm_cycle": front_speed(numbered, front),
            "front_speed_low": float(np.percentile(speeds, 2.5)) if len(speeds) else np.nan,
            "front_speed_high": float(np.percentile(speeds, 97.5)) if len(speeds) else np.nan,
        }
    samples = list(chosen)
    first = by_temperature[chosen[samples[0]]]
    out = {"samples": samples, "cycle": np.arange(1, cycles + 1), "depth_nm": first["depth_nm"],
           "draws": len(sets), "intervals": intervals, "parameters": analysis.fit.table.to_string(index=False),
           "radius_nm": analysis.fit.parameters.radius_nm}
    for key in ("a", "a_stderr", "front_nm", "front_stderr_nm", "front_low_nm", "front_high_nm", "r", "r_stderr",
                "front_speed_nm_cycle", "front_speed_low", "front_speed_high"):
        out[key] = np.stack([np.asarray(by_temperature[chosen[s]][key], float) for s in samples])
    return out
