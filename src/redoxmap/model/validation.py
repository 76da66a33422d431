"""The reference study's protocol: train on some numbers, predict the others, with intervals.

Trained only on the discharge capacities at 30 and 50 °C and the bulk r-values; the surface
r-values and the liquid cell's first discharge are held out, and two qualitative tests of the
study are run beside them (the cell moved from 30 to 50 °C after two cycles; the better-mixed
composite at 30 °C). Every value the protocol does not fit is in :func:`reference_evidence` with its
source and error (a measurement of the study, or a stated value that says why it is stated), and
the intervals draw each of them and refit (:func:`interval_sets`): a fixed value changes what the
fit finds.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np
import pandas as pd
from scipy.stats import truncnorm

from redoxmap.errors import AnalysisError, FitWarning
from redoxmap.fitting import error_scale
from redoxmap.model.arrhenius import arrhenius_factor, arrhenius_fit
from redoxmap.model.cycle_model import ActivationParameters, ParameterSet, simulate_cycles
from redoxmap.model.fit import (
    FITTED,
    LINEAR_BOUNDS,
    ModelFit,
    Observation,
    decode_values,
    encode_values,
    energy_coupling,
    fit_model,
    fit_time_resolved,
    parameter_draws,
    predict,
    predict_time_resolved,
)
from redoxmap.model.surface import surface_reaction_from_valences
from redoxmap.model.time_model import CellParameters
from redoxmap.processes import forked_pool, ordered_map

# What the particle model's validation fits: transport, activation, interface and the oxygen capacity (the
# cycle-resolved protocol fits Q_O too; with the Mn channel beside it, a stated 170 overshot the 50 °C capacity).
TIME_VALIDATION_VARY = ("k_activation_per_h", "activation_energy_eV", "diffusivity_cm2_s", "r_int_ohm_g",
                        "r_int_activation_energy_eV", "r_max", "q_o_mAh_g")
PRISTINE_NI = 2.04  # the uncycled LLO's Ni valence (surface and bulk)
VALENCE_STDERR = 0.03  # not printed in the study: a valence from L-edge LCF, taken as +-0.03
AGREEMENT_PCT = 15.0  # a held-out prediction within this of the measurement agrees
CYCLE_INTERVAL_SETS = 40  # the cycle-resolved protocol's refits kept for its intervals, by default
PARTICLE_INTERVAL_SETS = 24  # the particle model's, by default (each a refit of minutes with refit=True)
MN_BULK_PRISTINE, MN_BULK_50C_FIRST = 3.99, 3.91  # bulk Mn valence before and after the 1st charge at 50 °C
R_BULK_50C_FIRST, R_BULK_SATURATED = 0.18, 0.22  # the bulk r there, and after 22 charges (activation complete)
LPM_PHI_C = (1.3, 0.2)  # the liquid-phase-mixed composite's contact relative to the hand-milled one
# Stated values: not measured in the reference study, each with the error drawn in the intervals and why. A
# study's own fit takes its particle radius from its SEM and fits its impedance with its capacities
# (redoxmap.study.model_evidence); the others it sets as parameters of the model ([model] parameters).
REFERENCE_STATED = {
    "plateau_V": (4.5, 0.05, ("the reference study: the oxygen plateau of the first charge at ~4.5 V (dQ/dV peak Ox4, "
                             "region III above 4.4 V)")),
    "tafel_width_V": (0.05, 0.016, ("RT / (alpha F) = 0.052 V at 30 °C with a transfer coefficient 0.5, +- 0.15 "
                                   "in alpha (symmetric Butler-Volmer; not measured in the study); in proportion "
                                   "to T at 50 °C")),
    "activation_energy_eV": (0.0, 0.2, ("stated: the step at a given local potential; what 30 °C lacks is potential, "
                                       "not the step itself (a liquid cell activates at 30 °C in its first charge)")),
    "contact_fraction": (0.3, 0.15, ("stated: the study's SEM of the hand-milled composite shows voids and loose "
                                    "contact without a number; a study's own cross-sections give the contact of "
                                    "the samples it predicts ([sem] predict)")),
    "diffusion_activation_energy_eV": (0.4, 0.15, ("stated: Li diffusion in a layered oxide (the time model's "
                                                  "value); not measured in the study")),
    "rho": (8.0, 4.0, "stated (the time model's value): activated material carries Li better; not measured"),
    "radius_nm": (1000.0, 300.0, ("stated: micrometre-sized single-crystal LLO; a study's own SEM replaces "
                                 "it (redoxmap.study.model_evidence)")),
    "tey_nm": (4.5, 0.5, "the reference study: TEY probes 4-5 nm"),
    "bulk_nm": (150.0, 50.0, "the reference study: iPFY and TFY probe 100-200 nm"),
    "u_liquid": (0.95, 0.05, ("stated: a liquid cell wets every particle, so its Ni2+/4+ is taken as reached in "
                             "full; Co3+/4+ (a fifth of the Ni/Co capacity) between half and in full at the slope's "
                             "end (drawn normal, clipped at 1); not measured in the study")),
    "surface_reaction_energy_eV": (0.3, 0.3, ("stated: the study follows the surface valence over cycles at 50 °C "
                                             "only; a series at 30 °C would fix it")),
}


TIME_STATED = {
    "radius_um": (1.0, 0.3, ("stated: micrometre-sized single-crystal LLO (the cycle-resolved protocol's radius); "
                             "not measured in the reference study")),
    "u_plateau_V": REFERENCE_STATED["plateau_V"],
    "tafel_width_V": REFERENCE_STATED["tafel_width_V"],
    "diffusion_activation_energy_eV": REFERENCE_STATED["diffusion_activation_energy_eV"],
    "rho": REFERENCE_STATED["rho"],
    "tey_nm": REFERENCE_STATED["tey_nm"],
    "bulk_nm": REFERENCE_STATED["bulk_nm"],
    "oxygen_hysteresis_V": (0.9, 0.2, ("stated: oxygen oxidised at 4.3-4.5 V is reduced near 3.4-3.6 V in Li-rich "
                                       "layered oxides (Assat and Tarascon, Nat. Energy 3, 373 (2018)), 0.7-1.1 V "
                                       "below the TM slope's top; not measured in the reference study (drawn "
                                       "normal, clipped to the model's 0.15-1.3 V)")),
    "exchange_current_mA_g": (50.0, 25.0, ("stated without a measurement: twice the 0.1 C current (25 mA/g), so "
                                           "that the Butler-Volmer overpotential stays a few mV and the fitted "
                                           "interface resistance carries the polarisation; drawn log-normal, a "
                                           "factor of 1.6 at one standard deviation")),
}
"""The time-resolved model's stated values, in its own names and units, each with the error its intervals draw:
those it shares with the cycle-resolved model (:data:`REFERENCE_STATED`) and its own. Not drawn: the surface
reaction's energy (it moves no held-out number: the loss is measured at 50 °C, where three of them are, and is nil
after a first charge; drawn alone it would break the measured rate), the contact (``phi_c`` = 1: the fitted
resistance and the drawn exchange current carry the interface) and Q_TM (the composition)."""


def reference_study() -> dict[str, list[Observation]]:
    """The reference study's numbers (Hu et al., Adv. Energy Mater. 2024; ../shared/SCIENCE.md).

    Capacities: 108.2 -> 221.7 mAh/g (cycles 1 and 40, 30 °C), 170.7 -> 285.4 (cycles 1 and 14, 50 °C),
    taken as +-3 mAh/g; r after the 1st charge at 30 °C and the 1st, 12th and 22nd at 50 °C, taken as
    +-0.02; the liquid cell's first discharge 257.8 mAh/g; the Ni valence after charges (``ni_valence``,
    +-0.03), in the bulk (3.30 at 30 °C, 3.37 at 50 °C after the first) and at the surface (3.34 at 30 °C;
    3.39, 2.62 and 2.50 after the 1st, 12th and 22nd at 50 °C): separate measurements that fix the TM
    utilisation and the surface process (:func:`reference_evidence`), never fitted.
    """
    capacities = [Observation("capacity", 108.2, 3.0, 30, 1), Observation("capacity", 221.7, 3.0, 30, 40),
                  Observation("capacity", 170.7, 3.0, 50, 1), Observation("capacity", 285.4, 3.0, 50, 14)]
    states = [(30, 1), (50, 1), (50, 12), (50, 22)]
    bulk = [Observation("r", v, 0.02, t, c, "bulk") for (t, c), v in zip(states, (0.03, 0.18, 0.21, 0.22))]
    tey = [Observation("r", v, 0.02, t, c, "tey") for (t, c), v in zip(states, (0.13, 0.26, 0.29, 0.42))]
    liquid = [Observation("capacity", 257.8, 3.0, 30, 1, cell="liquid")]
    bulk_ni = [Observation("ni_valence", v, VALENCE_STDERR, t, 1, "bulk") for t, v in ((30, 3.30), (50, 3.37))]
    surface_ni = [Observation("ni_valence", v, VALENCE_STDERR, t, c, "tey")
                  for (t, c), v in zip(states, (3.34, 3.39, 2.62, 2.50))]
    return {"capacities": capacities, "bulk_r": bulk, "surface_r": tey, "liquid": liquid, "bulk_ni": bulk_ni,
            "surface_ni": surface_ni}


def tm_utilisation_from_valence(bulk_ni: list[Observation], *, pristine: float = PRISTINE_NI,
                                electrons: float = 2.0) -> dict[str, tuple[float, float, str]]:
    """``u_ref`` and ``u_activation_energy_eV`` from the bulk Ni valence after the first charge at one or
    two temperatures: ``u = (v - pristine) / electrons`` (Ni2+ -> Ni4+), Arrhenius between them; the
    errors from each valence's and the pristine one's (``VALENCE_STDERR``).

    Returns ``{name: (value, stderr, source)}``.

    Raises
    ------
    AnalysisError
        Without a valence after a first charge, or with one not above the pristine valence.
    """
    first = sorted((o.temperature_C, o.value, o.stderr) for o in bulk_ni if o.cycle == 1)
    if not first or any(not np.isfinite(v) or v <= pristine for _, v, _ in first):
        raise AnalysisError(f"the TM utilisation needs the bulk valence after a first charge above the pristine "
                            f"{pristine:g} (got {[v for _, v, _ in first]})")
    (t1, v1, e1), (t2, v2, e2) = first[0], first[-1]
    u1, u2 = (v1 - pristine) / electrons, (v2 - pristine) / electrons
    error1, error2 = (np.hypot(e, VALENCE_STDERR) / electrons for e in (e1, e2))
    source = f"bulk Ni valence after the first charge ({', '.join(f'{v:g} at {t:g} °C' for t, v, _ in first)})"
    if t1 == t2:
        return {"u_ref": (u1, error1, source), "u_activation_energy_eV": (0.0, 0.0, source)}
    fit = arrhenius_fit([t1, t2], [u1, u2], [error1, error2])
    return {"u_ref": (fit.value_ref, fit.value_ref_stderr, source),
            "u_activation_energy_eV": (fit.energy_eV, fit.energy_stderr_eV, source)}


def surface_loss_evidence(surface_ni: list[Observation], reaction_energy_eV: float, *,
                          pristine: float = PRISTINE_NI) -> tuple[float, float, str, float]:
    """``surface_loss_per_cycle`` at T_ref (and its error) from the surface Ni valence after numbered
    charges at the temperature with the most of them, converted with the surface reaction's energy
    (:func:`redoxmap.model.surface.surface_reaction_from_valences`).

    Returns the value at T_ref, its error, the source and the temperature of the measurement (°C)."""
    table = pd.DataFrame([(o.temperature_C, o.cycle, o.value, o.stderr) for o in surface_ni],
                         columns=["temperature_C", "cycle", "valence", "valence_stderr"])
    temperature = float(table.groupby("temperature_C")["cycle"].nunique().idxmax())
    rate = surface_reaction_from_valences(table[table["temperature_C"] == temperature], pristine=pristine,
                                          stated_energy_eV=reaction_energy_eV, what="surface (TEY) Ni valence")
    return (*rate["surface_loss_per_cycle"], temperature)


def mn_reduction_evidence() -> tuple[float, float, str]:
    """``mn_reduction`` (and its error) from the bulk Mn valence before and after the first charge at
    50 °C, per unit of bulk activation there (its bulk r over the saturated one): separate measurements
    and training numbers, never a held-out one."""
    drop = MN_BULK_PRISTINE - MN_BULK_50C_FIRST
    activation = R_BULK_50C_FIRST / R_BULK_SATURATED
    drop_error = np.hypot(VALENCE_STDERR, VALENCE_STDERR)
    activation_error = activation * np.hypot(0.02 / R_BULK_50C_FIRST, 0.02 / R_BULK_SATURATED)
    value = drop / activation
    error = value * np.hypot(drop_error / drop, activation_error / activation)
    source = (f"bulk Mn valence {MN_BULK_PRISTINE:g} -> {MN_BULK_50C_FIRST:g} after the 1st charge at 50 °C, where "
              f"the bulk r is {R_BULK_50C_FIRST:g} of its saturated {R_BULK_SATURATED:g} (oxygen loss reduces Mn)")
    return float(value), float(error), source


def stated_values(exclude=()) -> pd.DataFrame:
    """The stated values (:data:`REFERENCE_STATED`) as a fixed-value table (``name``, ``value``, ``stderr``,
    ``source``), without the names in ``exclude``: what a study's own fit takes from the reference study
    unless it sets or fits them, so that its intervals carry their errors too."""
    return pd.DataFrame([{"name": n, "value": v, "stderr": e, "source": text}
                         for n, (v, e, text) in REFERENCE_STATED.items() if n not in set(exclude)],
                        columns=["name", "value", "stderr", "source"])


def reference_evidence(data: dict[str, list[Observation]]) -> pd.DataFrame:
    """Every value the protocol fixes rather than fits: ``name``, ``value``, ``stderr``, ``source``.

    Measured in the reference study: the Arrhenius energy of the Ni/Co utilisation (the ratio of the
    bulk Ni valences after the first charge at 30 and 50 °C: the L-edge fit under-counts Ni4+, so its
    level is fitted and only the ratio is taken), the Mn reduction that comes with oxygen loss, and the
    surface reaction's rate (the surface Ni valence over cycles at 50 °C). Stated, with why:
    :data:`REFERENCE_STATED`.
    """
    utilisation = tm_utilisation_from_valence(data["bulk_ni"])["u_activation_energy_eV"]
    rows = [{"name": "u_activation_energy_eV", "value": utilisation[0], "stderr": utilisation[1],
             "source": utilisation[2] + "; their ratio, since the L-edge fit under-counts Ni4+ (u_ref is fitted)"}]
    rows.append(dict(zip(("name", "value", "stderr", "source"), ("mn_reduction", *mn_reduction_evidence()))))
    gamma, error, source, _ = surface_loss_evidence(data["surface_ni"],
                                                    REFERENCE_STATED["surface_reaction_energy_eV"][0])
    rows.append({"name": "surface_loss_per_cycle", "value": gamma, "stderr": error, "source": source})
    return pd.concat([pd.DataFrame(rows), stated_values()], ignore_index=True)


def draw_fixed(fixed: pd.DataFrame, rng: np.random.Generator, surface_ni: list[Observation] | None = None) -> dict:
    """One draw of every fixed value from its error: normal within the bounds of ``LINEAR_BOUNDS`` for
    the values that may be negative or are bounded, log-normal for the positive ones. With
    ``surface_ni``, the surface loss at 30 °C follows the drawn reaction energy (the loss measured at
    50 °C stays what it was); so does a study's rate measured at one temperature
    (:func:`redoxmap.model.fit.energy_coupling`)."""
    drawn = {}
    for row in fixed.itertuples():
        if not row.stderr > 0:
            drawn[row.name] = float(row.value)
        elif row.name in LINEAR_BOUNDS:
            drawn[row.name] = float(np.clip(rng.normal(row.value, row.stderr), *LINEAR_BOUNDS[row.name]))
        else:
            drawn[row.name] = float(row.value * np.exp(rng.normal(0.0, row.stderr / row.value)))
    if surface_ni and "surface_reaction_energy_eV" in drawn:
        gamma, error, _, temperature = surface_loss_evidence(surface_ni, 0.0)
        at_measured = max(rng.normal(gamma, error), 0.0)
        drawn["surface_loss_per_cycle"] = at_measured / arrhenius_factor(drawn["surface_reaction_energy_eV"],
                                                                           temperature + 273.15)
    elif coupling := energy_coupling(fixed):  # a study's rate measured at one temperature keeps its value there
        nominal = float(fixed.set_index("name").loc["surface_reaction_energy_eV", "value"])
        drawn["surface_loss_per_cycle"] *= float(np.exp(coupling * (drawn["surface_reaction_energy_eV"] - nominal)))
    return drawn


class ParameterSets(list):
    """The parameter sets of :func:`interval_sets` or :func:`compensated_sets` (a list), with ``left_out``: how
    many draws were tried and not kept, of which ``rejected`` because the training numbers reject them."""

    left_out: int = 0
    rejected: int = 0


REJECTED_DELTA_CHI2 = 2.0 * np.log(1000.0)
"""A refit whose chi-square exceeds the nominal fit's by more than this (13.8, in units of the nominal fit's
error scale) describes the training numbers a thousand times less likely than the nominal fit does:
the draw of fixed values it started from is one the training numbers reject (its weight in a posterior
over the fixed values, exp(-Δχ²/2), would be below 0.1 %). Such refits are the runaways that had set
the protocol's absurd interval ends (a surface r of 718, a liquid cell of 2,075 mAh/g: χ² 72-2,065,
where the other refits gave 2-12; 2026-12-06)."""


def interval_sets(training: list[Observation], fit: ModelFit, fixed: pd.DataFrame, refit: Callable, *,
                  count: int = 60, seed: int = 0, surface_ni: list[Observation] | None = None, workers: int = 1,
                  on_refit: Callable[[int, float], None] | None = None) -> ParameterSets:
    """Parameter sets whose spread is the prediction's whole uncertainty: each draws every fixed value
    from its error (:func:`draw_fixed`), refits the training numbers from there (a fixed value changes
    what the fit finds) and adds one draw from that refit's covariance.

    A draw is left out when the model cannot fit it, when the training numbers reject its refit (chi-square
    above the nominal fit's by more than :data:`REJECTED_DELTA_CHI2`, on the error scale of the nominal fit's
    covariance, :func:`redoxmap.fitting.error_scale`), or when a covariance draw gives a parameter that is
    not a positive finite number; another is drawn, until ``count`` sets are kept or ``2 count`` were
    tried. ``result.left_out`` says how many were not kept, ``result.rejected`` how many of them for their
    chi-square. The sets kept weigh the same: weighting each by exp(-Δχ²/2) would be the posterior over the
    fixed values, and narrower; equal weights keep the intervals on the cautious side of it. Refits that sit
    at a bound of a parameter's range are kept: a bound is not evidence that the training numbers reject
    the fixed values drawn (only two fitted parameters have finite bounds, and ``u_ref`` = 1 is a physical
    ceiling).

    With ``workers`` above 1 the refits run in that many forked processes (``refit`` must then pickle: a
    module-level function), with the same draws and the same sets as one process gives; when enough are kept,
    the refits still running (at most ``workers`` - 1) are waited for and dropped. ``on_refit`` gets the count
    of refits done and the last one's chi-square (NaN: it could not refit), for progress.

    Refits on resampled training numbers (a parametric bootstrap) instead of the covariance draw were
    tried on 2026-12-06 and covered worse in ``benchmarks/bench_model_coverage.py`` (91 % of all intervals
    against 95 %; the first-charge surface r 85 and 90 %, as before): they are not used."""
    rng = np.random.default_rng(seed)
    sets, tried = ParameterSets(), 0
    limit = rejection_limit(fit)
    with warnings.catch_warnings(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", FitWarning)
        starts = [fit.parameters.with_values(**draw_fixed(fixed, rng, surface_ni)) for _ in range(2 * count)]
        pool = forked_pool(workers)  # made here, so that the finally below always shuts it down
        refits = ordered_map(pool, partial(_refit_or_none, refit, training), starts, ahead=max(workers - 1, 0))
        try:
            for refitted in refits:
                tried += 1
                if on_refit is not None:
                    on_refit(tried, np.nan if refitted is None else refitted.chi_square)
                if refitted is None or not np.isfinite(refitted.chi_square):
                    continue
                if refitted.chi_square > limit:  # never with a NaN nominal
                    sets.rejected += 1
                    continue
                try:
                    drawn = parameter_draws(refitted, 1, seed=seed + tried - 1)[0]
                except AnalysisError:
                    continue
                if _usable(drawn, fit):
                    sets.append(drawn)
                if len(sets) == count:
                    break
        except BrokenProcessPool as exc:  # a worker killed (out of memory, a signal): its refit is lost
            raise AnalysisError(f"a refit's worker process ended abruptly after {tried} refits ({exc}); with "
                                "workers=1 (--workers 1) the refits run in this process") from exc
        finally:
            refits.close()
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
    sets.left_out = tried - len(sets)
    return sets


def _refit_or_none(refit: Callable, training: list[Observation], start) -> ModelFit | None:
    """``refit(training, start)``, or None where the model cannot fit from ``start`` (in a worker process too)."""
    with warnings.catch_warnings(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", FitWarning)
        try:
            return refit(training, start)
        except AnalysisError:
            return None


def _usable(parameters, fit: ModelFit) -> bool:
    """Whether a drawn set can be run: every value finite, and the fitted positive parameters above zero."""
    values = parameters.to_dict()
    return all(np.isfinite(v) for v in values.values()) and all(
        values[n] > 0 for n in refit_names(fit) if n not in LINEAR_BOUNDS)


def rejection_limit(fit: ModelFit) -> float:
    """The chi-square above which the training numbers reject a parameter set: the nominal fit's plus
    :data:`REJECTED_DELTA_CHI2` on the error scale of its covariance (:func:`redoxmap.fitting.error_scale`: inflated
    only beyond the nominal chi-square's 95th percentile)."""
    scale = error_scale(fit.reduced_chi_square, errors_known=True, dof=len(fit.residuals) - len(fit.table))
    return fit.chi_square + REJECTED_DELTA_CHI2 * scale


def compensated_sets(training: list[Observation], fit: ModelFit, predictor: Callable, *, count: int = 24,
                     seed: int = 0, step: float = 0.02, at_least: int = 0,
                     on_evaluation: Callable[[int, float], None] | None = None) -> ParameterSets:
    """Parameter sets for a model too slow to refit per draw (the time-resolved one: minutes a fit), made as
    :func:`interval_sets` makes them with a linearised refit in place of the refit.

    Each draws every fixed value from its error (:func:`draw_fixed`) and moves the fitted parameters by what a
    refit would change to compensate it, to first order: ``-(J_θ⁺ J_φ) Δφ``, with ``J_θ`` and ``J_φ`` the
    training residuals' derivatives (in standard errors) by the fitted and the fixed values on the fits' scale
    (:func:`redoxmap.model.fit.encode_values`; forward differences of ``step``). The pseudo-inverse keeps only the
    directions of the fitted values that the training numbers determine (singular values of ``J_θ`` of at least
    :data:`DETERMINED_SINGULAR_VALUE`): along the others a refit has nothing to fit, and dividing by their small
    singular values sent every draw of the reference protocol out of the model's range. The set is left out where the
    training numbers reject that point (chi-square above :func:`rejection_limit`) and otherwise gets one draw of
    the fit's covariance, until ``count`` are kept or ``4 count`` were tried. A linearised refit is exact for a
    model linear in its parameters; where the model bends, the chi-square at the point it reaches says how far
    from a refit it is (a point beyond the limit is left out, as a refit beyond it would be). With ``at_least``, the
    draws stop once the tries left could no longer keep that many, or, after ``count / 2`` tries, once the share
    kept so far would keep fewer than half of them (the caller then draws otherwise).
    ``on_evaluation`` gets the count of model runs and the last chi-square, for progress.
    """
    fixed = fit.fixed.reset_index(drop=True)
    fitted_names, fixed_names = list(refit_names(fit)), list(fixed["name"])
    measured = np.array([o.value for o in training])
    sigma = np.array([o.stderr for o in training])
    runs = 0

    def residuals(parameters) -> np.ndarray:
        nonlocal runs
        runs += 1
        values = (predictor(parameters, training) - measured) / sigma
        if on_evaluation is not None:
            on_evaluation(runs, float(np.sum(values ** 2)))
        return values

    def jacobian(names) -> np.ndarray:
        x = encode_values(fit.parameters, names)
        columns = [(residuals(decode_values(x + step * np.eye(len(names))[k], names, fit.parameters)) - at_fit)
                   / step for k in range(len(names))]
        return np.column_stack(columns) if columns else np.zeros((len(training), 0))

    rng = np.random.default_rng(seed)
    limit = rejection_limit(fit)
    sets, tried = ParameterSets(), 0
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        at_fit = residuals(fit.parameters)
        compensation = -_determined_inverse(jacobian(fitted_names)) @ jacobian(fixed_names)
        centre_fixed, centre_fitted = encode_values(fit.parameters, fixed_names), encode_values(fit.parameters,
                                                                                                fitted_names)
        while len(sets) < count and tried < 4 * count and _may_keep(len(sets), tried, 4 * count, at_least):
            tried += 1
            drawn = fit.parameters.with_values(**draw_fixed(fixed, rng))
            shift = encode_values(drawn, fixed_names) - centre_fixed
            refitted = _within_bounds(decode_values(centre_fitted + compensation @ shift, fitted_names, drawn),
                                      fitted_names)
            try:
                chi_square = float(np.sum(residuals(refitted) ** 2))
            except AnalysisError:
                continue
            if not np.isfinite(chi_square):
                continue
            if chi_square > limit:
                sets.rejected += 1
                continue
            spread = replace(fit, parameters=refitted, fixed=fixed.iloc[0:0])
            drawn = parameter_draws(spread, 1, seed=seed + tried)[0]
            if _usable(drawn, fit):  # else counted as a draw that could not be run
                sets.append(drawn)
    sets.left_out = tried - len(sets)
    return sets


def _may_keep(kept: int, tried: int, most: int, at_least: int) -> bool:
    """Whether ``most`` tries may still keep ``at_least`` sets: enough tries are left, and (after an eighth of
    them) the share kept so far projects at least half of ``at_least``.

    >>> [_may_keep(kept, tried, 800, 100) for kept, tried in ((0, 99), (0, 101), (30, 200), (0, 701))]
    [True, False, True, False]
    >>> _may_keep(0, 0, 4, 1), _may_keep(0, 0, 4, 0)  # one draw asked for: the first try is always made
    (True, True)
    """
    if kept + most - tried < at_least:
        return False
    return tried < max(most // 8, 1) or kept + kept / tried * (most - tried) >= at_least / 2


DETERMINED_SINGULAR_VALUE = 1.0
"""A direction of the fitted values is determined by the training numbers when a unit step along it (an e-fold of a
positive parameter) moves their residuals by at least one standard error."""


def _determined_inverse(jacobian: np.ndarray) -> np.ndarray:
    """The pseudo-inverse of ``jacobian`` on its determined directions (:data:`DETERMINED_SINGULAR_VALUE`)."""
    left, values, right = np.linalg.svd(jacobian, full_matrices=False)
    kept = values >= DETERMINED_SINGULAR_VALUE
    return right[kept].T @ np.diag(1.0 / values[kept]) @ left[:, kept].T


def _within_bounds(parameters, names):
    """``parameters`` with those of ``names`` that have bounds (``LINEAR_BOUNDS``) clipped to them."""
    values = parameters.to_dict()
    return parameters.with_values(**{n: float(np.clip(values[n], *LINEAR_BOUNDS[n])) for n in names
                                     if n in LINEAR_BOUNDS})


def refit_names(fit: ModelFit) -> tuple[str, ...]:
    """The parameters the fit varied (those its covariance draws move)."""
    return tuple(fit.table["name"])


def interval_factor(count: int) -> float:
    """The half-width of a 95 % interval in standard deviations estimated from ``count`` parameter sets:
    Student's t at 97.5 % with ``count - 1`` degrees of freedom (2.26 for 10 sets, 2.09 for 20, 2.02 for
    40), since the spread of a few sets is itself uncertain; 1.96 would under-cover (by ~3 % with 10).

    Parameters
    ----------
    count : int

    Returns
    -------
    float

    Examples
    --------
    >>> round(interval_factor(20), 3)
    2.093
    """
    from scipy.stats import t

    return float(t.ppf(0.975, max(count - 1, 1)))


ORDER_STATISTIC_SETS = 39
"""From this many parameter sets a held-out interval is the range of their predictions (less the most extreme
where there are many more): a distribution-free 95 % prediction interval (Wilks 1941), which follows skewed
predictions; with fewer it is ± t sd of them (:func:`interval_factor`)."""


def prediction_interval(predicted: np.ndarray, sampled: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 95 % interval of each prediction from the values ``sampled`` (one row per parameter set).

    From :data:`ORDER_STATISTIC_SETS` sets: the k-th smallest and k-th largest value, k = ⌊0.025 (n + 1)⌋,
    which a further draw from the same distribution falls between with probability (n + 1 − 2k)/(n + 1)
    ≥ 95 % whatever its shape (Wilks 1941); 40 sets give their minimum and maximum. Predictions of the
    activation model are skewed (a first-charge surface r is bounded by the plateau's onset), where ± t sd
    about the nominal value reaches below zero on one side and beyond every draw on the other. Neither covers
    the truth of virtual studies' first-charge surface r at 30 °C at 95 % (86 % with ± t sd, 86-87 % with
    these, in 100 virtual studies of ``benchmarks/bench_model_coverage.py``, 2026-12-06; the guide's model
    page says why). With fewer sets: ``predicted`` ± t sd (:func:`interval_method` says which); with fewer than
    two, no interval (NaN). The interval always holds ``predicted``, and is not below zero (r-values and
    capacities are not negative).

    Parameters
    ----------
    predicted : numpy.ndarray
        The nominal predictions.
    sampled : numpy.ndarray
        Shape (sets, predictions).

    Returns
    -------
    low, high : numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> low, high = prediction_interval(np.array([1.0]), np.arange(1.0, 41.0)[:, None])
    >>> float(low[0]), float(high[0])
    (1.0, 40.0)
    """
    predicted = np.asarray(predicted, float)
    sampled = np.asarray(sampled, float).reshape(-1, predicted.size)
    count = len(sampled)
    if count >= ORDER_STATISTIC_SETS:
        k = _order_statistic(count)
        ordered = np.sort(sampled, axis=0)
        low, high = np.minimum(ordered[k - 1], predicted), np.maximum(ordered[count - k], predicted)
    elif count >= 2:
        with np.errstate(over="ignore"):  # sets far out in an undetermined direction: an unbounded interval
            half = np.std(sampled, axis=0, ddof=1) * interval_factor(count)
        low, high = predicted - half, predicted + half
    else:  # no spread to make one from: no interval (an interval of zero width would claim certainty)
        return np.full(predicted.size, np.nan), np.full(predicted.size, np.nan)
    return np.maximum(low, 0.0), high


def _order_statistic(count: int) -> int:
    """k of Wilks' interval from ``count`` sets: the largest with (count + 1 − 2k)/(count + 1) ≥ 95 %."""
    return int(np.floor(0.025 * (count + 1)))


def interval_method(count: int) -> str:
    """How :func:`prediction_interval` makes an interval from ``count`` parameter sets, in words.

    Parameters
    ----------
    count : int

    Returns
    -------
    str
    """
    if count >= ORDER_STATISTIC_SETS:
        k = _order_statistic(count)
        trimmed = "" if k == 1 else f" without the {k - 1} most extreme at each end"
        return f"range of {count} parameter sets{trimmed} (Wilks, {100 * (count + 1 - 2 * k) / (count + 1):.1f} %)"
    if count < 2:
        return f"none: {count} parameter set{'s' * (count != 1)} ran, and an interval needs two"
    return f"± t sd of {count} parameter sets (t = {interval_factor(count):.2f})"


def within_interval(measured, sigma, predicted, low, high) -> np.ndarray:
    """Whether each measurement lies within its prediction's interval widened by its own error: the half of
    the interval on the measurement's side and 1.96 ``sigma``, added in quadrature. A side without bound (the
    parameter sets of an undetermined fit) holds everything and so says nothing: it never agrees. Nor does any
    side of an interval with a side longer than the prediction itself (an upper end above twice the prediction,
    or a lower end below zero): a spread of more than 100 % does not determine the prediction, so a measurement
    inside it is not evidence that the model agrees (the particle model's full refits, each with a draw of a
    covariance whose errors reach thousands of per cent, gave 0.33 (0-467) for a surface r; 2026-12-07). The
    upper end is what decides it in practice: :func:`prediction_interval` cuts the lower end at zero, so a lower
    side is at most as long as its prediction, which the rule allows. The threshold, 100 %, is a stated choice.

    Parameters
    ----------
    measured, sigma, predicted, low, high : array-like

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> within_interval([0.26], [0.02], [0.219], [0.0], [0.236]).tolist()  # 0.041 from it, 0.043 allowed
    [True]
    >>> within_interval([0.42], [0.02], [0.38], [0.0], [float("inf")]).tolist()
    [False]
    >>> within_interval([0.42, 0.29], [0.02, 0.02], [0.38, 0.33], [0.1, 0.0], [0.7, 467.0]).tolist()
    [True, False]
    """
    measured, sigma, predicted, low, high = (np.asarray(v, float) for v in (measured, sigma, predicted, low, high))
    side = np.where(measured < predicted, predicted - low, high - predicted)
    return interval_determined(predicted, low, high) & (np.abs(predicted - measured) <= np.hypot(side, 1.96 * sigma))


def interval_determined(predicted, low, high) -> np.ndarray:
    """Whether each prediction's interval determines it: both sides finite and at most as long as the
    prediction (the rule of :func:`within_interval`).

    Parameters
    ----------
    predicted, low, high : array-like
        The predictions and the two ends of their intervals, in the predictions' units.

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> interval_determined([0.38, 0.33, 0.22], [0.1, 0.0, 0.0], [0.7, 467.0, 0.24]).tolist()
    [True, False, True]
    """
    predicted, low, high = (np.asarray(v, float) for v in (predicted, low, high))
    below, above = predicted - low, high - predicted
    return np.isfinite(below) & np.isfinite(above) & (np.maximum(below, above) <= np.abs(predicted))


def prediction_table(fit: ModelFit, held_out: list[Observation], predictor: Callable, *, draws: int = 300,
                     seed: int = 0, sets: list[ParameterSet] | None = None) -> pd.DataFrame:
    """Each held-out observation against the model's prediction and its 95 % interval.

    The interval comes from the values the parameter sets give (:func:`prediction_interval`): ``sets``
    (:func:`interval_sets`), or ``draws`` sets from the fit's covariance and the fixed values' errors
    (:func:`parameter_draws`).
    ``agrees``: within ``AGREEMENT_PCT`` of the measurement, or :func:`within_interval`; ``interval``: how
    it was made (:func:`interval_method`). A set the model cannot run, or whose predictions are not all
    finite numbers, is left out.
    """
    measured = np.array([o.value for o in held_out])
    sigma = np.array([o.stderr for o in held_out])
    predicted = predictor(fit.parameters, held_out)
    sampled = []
    # A drawn set far out in a poorly determined direction can overflow or stall the solver; it is left out
    # below, so its warnings are not news (the nominal prediction above keeps its own).
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        for parameters in sets if sets is not None else (parameter_draws(fit, draws, seed=seed) if draws else []):
            try:
                values = predictor(parameters, held_out)
            except AnalysisError:
                continue
            if np.all(np.isfinite(values)):  # a set whose run overflowed is one the model cannot run either
                sampled.append(values)
    low, high = prediction_interval(predicted, np.array(sampled).reshape(-1, len(held_out)))
    relative = 100 * (predicted - measured) / measured
    within = within_interval(measured, sigma, predicted, low, high)
    return pd.DataFrame({"observation": [o.label for o in held_out], "measured": measured, "measured_stderr": sigma,
                         "predicted": predicted, "low_95": low, "high_95": high,
                         "interval": interval_method(len(sampled)),
                         "difference_pct": relative, "agrees": (np.abs(relative) <= AGREEMENT_PCT) | within})


CHECK_SHARE = 0.95  # a qualitative test is decided when this share of the parameter sets says the same


def check_verdict(nominal: bool, shares: list[bool]) -> str:
    """A qualitative test's verdict from the nominal model and the parameter sets: ``"agrees"`` when the nominal
    model passes and ``CHECK_SHARE`` of the sets do, ``"disagrees"`` when it fails and as large a share fails,
    else ``"not determined"`` (the sets split: the values the training numbers leave open decide it). Without
    sets, the nominal model decides.

    Parameters
    ----------
    nominal : bool
        Whether the nominal model passes.
    shares : list of bool
        Whether each parameter set passes.

    Returns
    -------
    str

    Examples
    --------
    >>> check_verdict(True, [True] * 19 + [False]), check_verdict(True, [True] * 9 + [False])
    ('agrees', 'not determined')
    >>> check_verdict(False, [False] * 20), check_verdict(False, [])
    ('disagrees', 'disagrees')
    """
    if not shares:
        return "agrees" if nominal else "disagrees"
    passing = float(np.mean(shares))
    if nominal and passing >= CHECK_SHARE:
        return "agrees"
    if not nominal and passing <= 1 - CHECK_SHARE:
        return "disagrees"
    return "not determined"


def switch_check(sets: list[ParameterSet], nominal: ParameterSet) -> dict:
    """The cell moved from 30 to 50 °C after two cycles shows the oxygen plateau from cycle 3 on: the charge
    spent activating in cycle 3 is at least twice that of either earlier cycle; the verdict from the nominal model
    and the parameter sets (:func:`check_verdict`)."""
    temperatures = [30.0, 30.0, 50.0, 50.0]

    def plateau(parameters):
        return simulate_cycles(parameters, 4, temperature_C=temperatures).table["activation_charge_mAh_g"].to_numpy()
    nominal_charge = plateau(nominal)
    shares = [bool(c[2] >= 2 * max(c[0], c[1])) for c in map(plateau, sets)]
    verdict = check_verdict(bool(nominal_charge[2] >= 2 * max(nominal_charge[0], nominal_charge[1])), shares)
    return {"check": "30 -> 50 °C after two cycles: oxygen plateau from cycle 3",
            "measured": "plateau from cycle 3 on (the reference study)",
            "predicted": (f"charge on the plateau {nominal_charge[0]:.1f}, {nominal_charge[1]:.1f} mAh/g in cycles 1-2 "
                          f"at 30 °C, {nominal_charge[2]:.1f} in cycle 3 at 50 °C"
                          + (f"; in {np.mean(shares):.0%} of {len(shares)} parameter draws" if shares else "")
                          + ("; what would decide it: the 30 °C cell's region III charge in cycles 1-2, which the "
                             "study describes without a number" if verdict == "not determined" else "")),
            "verdict": verdict, "agrees": verdict == "agrees"}


def mixing_check(sets: list[ParameterSet], nominal: ParameterSet, *, cycles: int = 40, seed: int = 0) -> dict:
    """Liquid-phase against solid-phase mixing at 30 °C: the better contact of the LPM composite
    (``LPM_PHI_C``) activates more; the verdict from the nominal model and the sets (:func:`check_verdict`).
    Each set draws the LPM contact from its stated error, kept above 1: that its contact is the denser one is the
    study's evidence (its SEM), its size is not, so the gain's spread over the sets carries both."""

    def gain(parameters, phi_c):
        spm = simulate_cycles(parameters, cycles, temperature_C=30.0).table["capacity_mAh_g"].iloc[-1]
        lpm = simulate_cycles(parameters.with_values(phi_c=phi_c), cycles, temperature_C=30.0).table
        return float(lpm["capacity_mAh_g"].iloc[-1] - spm), float(lpm["capacity_mAh_g"].iloc[-1]), float(spm)
    difference, lpm, spm = gain(nominal, LPM_PHI_C[0])
    mean, error = LPM_PHI_C
    contacts = truncnorm.rvs((1.0 - mean) / error, np.inf, loc=mean, scale=error, size=len(sets),
                             random_state=np.random.default_rng(seed))
    gains = np.array([gain(p, phi_c)[0] for p, phi_c in zip(sets, contacts)])
    shares = list(gains > 0)
    verdict = check_verdict(difference > 0, shares)
    return {"check": "liquid- against solid-phase mixing, 30 °C: LPM activates more",
            "measured": "LPM activates more at 30 °C (the reference study, its SEM: denser contact)",
            "predicted": (f"cycle {cycles}: {lpm:.0f} mAh/g with LPM (phi_c {mean:g} +- {error:g}, above 1; "
                          f"stated: the study gives no contact number) against {spm:.0f} with SPM"
                          + (f"; more in {np.mean(shares):.0%} of {len(shares)} parameter draws (gain "
                             f"{np.percentile(gains, 2.5):.0f}-{np.percentile(gains, 97.5):.0f} mAh/g)"
                             if shares else "")),
            "verdict": verdict, "agrees": verdict == "agrees"}


@dataclass
class Validation:
    """The reference study's protocol: what the model trained on some numbers predicts for others.

    Attributes
    ----------
    fit : ModelFit
        Trained on the capacities and bulk r-values only; ``fit.fixed`` lists every fixed value with its
        source and error.
    predictions : pandas.DataFrame
        :func:`prediction_table` of the held-out numbers.
    checks : pandas.DataFrame
        The qualitative tests: ``check``, ``measured``, ``predicted``, ``verdict`` (:func:`check_verdict`) and
        ``agrees`` (the verdict is "agrees"; empty for the particle model).
    notes : list of str
        One line per held-out number or test the model misses.
    draws_left_out : str or None
        How many draws of the fixed values the intervals left out, and why (None: none).
    """

    fit: ModelFit
    predictions: pd.DataFrame
    checks: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["check", "measured", "predicted",
                                                                               "verdict", "agrees"]))
    notes: list[str] = field(default_factory=list)
    draws_left_out: str | None = None


def reference_start(fixed: pd.DataFrame) -> ActivationParameters:
    """The cycle-resolved model's start for the protocol: the fixed values in, the fitted ones at their
    defaults."""
    return ActivationParameters(**dict(zip(fixed["name"], fixed["value"])))


def time_fixed_values(data: dict[str, list[Observation]], surface_reaction_energy_eV: float) -> pd.DataFrame:
    """Every value the time-resolved protocol fixes rather than fits, with its source and error: the surface
    reaction's rate and the Mn reduction (measured in the reference study, :func:`reference_evidence`) and the
    stated values :data:`TIME_STATED`."""
    gamma, error, source, _ = surface_loss_evidence(data["surface_ni"], surface_reaction_energy_eV)
    rows = [{"name": "surface_loss_per_cycle", "value": gamma, "stderr": error, "source": source},
            dict(zip(("name", "value", "stderr", "source"), ("mn_reduction", *mn_reduction_evidence())))]
    rows += [{"name": n, "value": v, "stderr": e, "source": text} for n, (v, e, text) in TIME_STATED.items()]
    return pd.DataFrame(rows, columns=["name", "value", "stderr", "source"])


def _validate_particle(data, training, held_out, liquid_radius_nm, draws, on_evaluation, seed, *, refit: bool,
                       workers: int, on_refit) -> Validation:
    """The protocol with the time-resolved particle model: fitted from its fixed values, whose errors its
    intervals draw, each refitted to first order (:func:`compensated_sets`) or, with ``refit``, in full
    (:func:`interval_sets` on ``workers`` processes: minutes a refit)."""
    fixed = time_fixed_values(data, CellParameters().surface_reaction_energy_eV)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        start = CellParameters().with_values(**dict(zip(fixed["name"], fixed["value"])))
        fit = fit_time_resolved(training, start=start, vary=TIME_VALIDATION_VARY, seed=False,
                                on_evaluation=on_evaluation)
    fit.fixed = fixed
    # the liquid cell's radius is the composite's (drawn) unless the caller gives one
    predictor = partial(predict_time_resolved,
                        liquid_radius_um=None if liquid_radius_nm is None else liquid_radius_nm / 1000)
    count = PARTICLE_INTERVAL_SETS if draws is None else draws
    if draws == 0:
        sets = None
    elif refit:
        sets = interval_sets(training, fit, fixed, refit_particle, count=count, seed=seed, workers=workers,
                             on_refit=on_refit)
    else:
        sets = compensated_sets(training, fit, predictor, count=count, seed=seed, on_evaluation=on_evaluation)
    table = prediction_table(fit, held_out, predictor, sets=sets if sets is not None else [])
    return Validation(fit, table, notes=_misses(table, None),
                      draws_left_out=left_out_note(sets) if sets is not None else None)


def refit_cycles(training: list[Observation], start: ActivationParameters) -> ModelFit:
    """The cycle-resolved model's protocol fit (``FITTED``) from ``start``: a refit of :func:`validate_reference`.

    Parameters
    ----------
    training : list of Observation
    start : ActivationParameters
        The fixed values drawn, the fitted ones where the fit starts.

    Returns
    -------
    ModelFit
    """
    return fit_model(training, start=start, vary=FITTED)


def refit_particle(training: list[Observation], start: CellParameters) -> ModelFit:
    """:func:`refit_cycles` for the particle model: its protocol fit (``TIME_VALIDATION_VARY``) from ``start``
    (:class:`CellParameters`), without the grid scan (2.5-4 min here)."""
    return fit_time_resolved(training, start=start, vary=TIME_VALIDATION_VARY, seed=False)


def _misses(table: pd.DataFrame, checks: pd.DataFrame | None) -> list[str]:
    notes = [f"{row.observation}: predicted {row.predicted:.3g} (95 % {row.low_95:.3g}-{row.high_95:.3g}), "
             f"measured {row.measured:.3g}" for row in table.itertuples() if not row.agrees]
    if checks is not None:
        notes += [f"{row.check}: {row.verdict}: {row.predicted}" for row in checks.itertuples() if not row.agrees]
    return notes


def validate_reference(*, liquid_radius_nm: float | None = None, time_resolved: bool = False, draws: int | None = None,
                       on_evaluation: Callable[[int, float], None] | None = None, seed: int = 0,
                       refit: bool = False, workers: int = 1,
                       on_refit: Callable[[int, float], None] | None = None) -> Validation:
    """Train on the capacities at both temperatures and the bulk r-values; predict the surface
    r-values and the liquid cell's first discharge (its whole surface wetted, no interfacial loss),
    each with its 95 % interval, and run the study's two qualitative tests.

    The cycle-resolved model fits ``FITTED``; every other value is in ``fit.fixed`` with its source and
    error (:func:`reference_evidence`), and the intervals draw each of them and refit
    (:func:`interval_sets`, ``draws`` of them, default 40). ``liquid_radius_nm``: the liquid cell's
    particle radius if not the composite's. With ``time_resolved`` the particle model is trained instead
    (``TIME_VALIDATION_VARY``, from its defaults, which are this fit's result: a few minutes,
    ``on_evaluation`` reports progress), its fixed values in ``fit.fixed`` (:func:`time_fixed_values`) and its
    intervals from ``draws`` (default 24) draws of the covariance and every fixed value that the training
    numbers do not reject, each with the fitted values a linearised refit moves to (:func:`compensated_sets`),
    without the qualitative tests; with ``refit``, each draw is refitted in full instead (:func:`interval_sets`,
    :func:`refit_particle`: 2.5-4 min a refit, on ``workers`` forked processes; ``on_refit`` gets the
    refits done and the last one's chi-square). ``workers`` runs the refits of either model in that many forked
    processes (:func:`interval_sets`: the same intervals); ``refit`` applies to the particle model only (the
    cycle-resolved protocol refits every draw already).
    """
    data = reference_study()
    training = data["capacities"] + data["bulk_r"]
    held_out = data["surface_r"] + data["liquid"]
    if time_resolved:
        return _validate_particle(data, training, held_out, liquid_radius_nm, draws, on_evaluation, seed,
                                  refit=refit, workers=workers, on_refit=on_refit)
    fixed = reference_evidence(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        fit = refit_cycles(training, reference_start(fixed))
    fit.fixed = fixed
    predictor = partial(predict, liquid_radius_nm=liquid_radius_nm)
    count = CYCLE_INTERVAL_SETS if draws is None else draws
    sets = interval_sets(training, fit, fixed, refit_cycles, count=count, seed=seed,
                         surface_ni=data["surface_ni"], workers=workers, on_refit=on_refit)
    table = prediction_table(fit, held_out, predictor, sets=sets)
    checks = pd.DataFrame([switch_check(sets, fit.parameters), mixing_check(sets, fit.parameters, seed=seed)])
    return Validation(fit, table, checks, _misses(table, checks), left_out_note(sets))


def left_out_note(sets: ParameterSets) -> str | None:
    """What :attr:`Validation.draws_left_out` says of ``sets``: how many draws were left out, and why."""
    if not sets.left_out:
        return None
    failed = sets.left_out - sets.rejected
    reasons = []
    if sets.rejected:
        reasons.append(f"{sets.rejected} because the training numbers reject them (chi-square more than "
                       f"{REJECTED_DELTA_CHI2:.1f} above the fit's, on its error scale)")
    if failed:
        reasons.append(f"{failed} because the model could not refit or run them, or a covariance draw left a "
                       "parameter without a value")
    return (f"{sets.left_out} of {len(sets) + sets.left_out} draws of the fixed values were left out: "
            f"{'; '.join(reasons)} (the intervals: {interval_method(len(sets))})")
