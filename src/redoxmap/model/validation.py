"""The reference study's protocol: train on some numbers, predict the others, with intervals.

Trained only on the discharge capacities at 30 and 50 °C and the bulk r-values; the surface
r-values and the liquid cell's first discharge are held out. Parameters the training numbers do
not determine are fixed, each from a separate measurement or a stated argument
(:func:`reference_evidence`), and their errors propagated with the fit's into every prediction.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np
import pandas as pd

from redoxmap.errors import AnalysisError, FitWarning
from redoxmap.model.cycle_model import (
    FARADAY,
    GAS_CONSTANT,
    T_REF_K,
    ActivationParameters,
    ParameterSet,
    arrhenius_factor,
)
from redoxmap.model.fit import (
    FITTED,
    ModelFit,
    Observation,
    fit_model,
    fit_time_resolved,
    parameter_draws,
    predict,
    predict_time_resolved,
)
from redoxmap.model.surface import surface_loss_from_valence
from redoxmap.model.time_model import CellParameters

# What the particle model's validation fits: transport, activation and interface (Q_O stays at 170).
TIME_VALIDATION_VARY = ("k_activation_per_h", "activation_energy_eV", "diffusivity_cm2_s", "r_int_ohm_g",
                        "r_int_activation_energy_eV", "r_max")
PRISTINE_NI = 2.04  # the uncycled LLO's Ni valence (surface and bulk)
VALENCE_STDERR = 0.03  # not printed in the study: a valence from L-edge LCF, taken as +-0.03
AGREEMENT_PCT = 15.0  # a held-out prediction within this of the measurement agrees
# Stated, not fitted (the training numbers cannot split the temperature dependence of the activation
# rate between the interface and the activation step): value, standard error, why.
REFERENCE_STATED = {
    "activation_energy_eV": (0.0, 0.0, ("stated: the activation step itself is not what 30 °C lacks; a liquid "
                                        "cell activates at 30 °C (257.8 mAh/g in its first discharge)")),
    "r_int_activation_energy_eV": (0.4, 0.1, ("stated: a sulfide|oxide charge-transfer resistance (0.3-0.5 eV); "
                                              "replace it with the Arrhenius energy of your EIS fits")),
}


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
    k1, k2 = 1 / (t1 + 273.15), 1 / (t2 + 273.15)
    per_eV = FARADAY / GAS_CONSTANT
    energy = -np.log(u2 / u1) / (k2 - k1) / per_eV
    energy_error = np.hypot(error1 / u1, error2 / u2) / abs(k2 - k1) / per_eV
    u_ref = u1 * float(np.exp(-energy * per_eV * (1 / T_REF_K - k1)))
    return {"u_ref": (float(u_ref), float(error1), source),
            "u_activation_energy_eV": (float(energy), float(energy_error), source)}


def surface_loss_evidence(surface_ni: list[Observation], activation_energy_eV: float, *,
                          pristine: float = PRISTINE_NI) -> tuple[float, float, str]:
    """``surface_loss_per_cycle`` at T_ref (and its error) from the surface Ni valence after numbered
    charges at the temperature with the most of them (converted with the activation step's energy)."""
    by_temperature: dict[float, list[Observation]] = {}
    for obs in surface_ni:
        by_temperature.setdefault(obs.temperature_C, []).append(obs)
    temperature, rows = max(by_temperature.items(), key=lambda item: len({o.cycle for o in item[1]}))
    gamma, error = surface_loss_from_valence([o.cycle for o in rows], [o.value for o in rows],
                                             [o.stderr for o in rows], pristine=pristine)
    scale = arrhenius_factor(activation_energy_eV, temperature + 273.15)
    source = (f"surface (TEY) Ni valence after charges {', '.join(str(o.cycle) for o in rows)} at {temperature:g} °C "
              f"({gamma:.3g} per cycle there)")
    return gamma / scale, error / scale, source


def reference_evidence(data: dict[str, list[Observation]], *,
                       activation_energy_eV: float = REFERENCE_STATED["activation_energy_eV"][0],
                       stated: bool = True) -> pd.DataFrame:
    """The parameters the protocol fixes rather than fits: ``name``, ``value``, ``stderr``, ``source``
    (the TM utilisation and the surface loss from the Ni valences; with ``stated``, the energies of
    ``REFERENCE_STATED``)."""
    rows = [{"name": n, "value": v, "stderr": e, "source": s}
            for n, (v, e, s) in tm_utilisation_from_valence(data["bulk_ni"]).items()]
    gamma, error, source = surface_loss_evidence(data["surface_ni"], activation_energy_eV)
    rows.append({"name": "surface_loss_per_cycle", "value": gamma, "stderr": error, "source": source})
    if stated:
        rows += [{"name": n, "value": v, "stderr": e, "source": s} for n, (v, e, s) in REFERENCE_STATED.items()]
    return pd.DataFrame(rows)


def prediction_table(fit: ModelFit, held_out: list[Observation], predictor: Callable, *, draws: int = 300,
                     seed: int = 0, extra_sd: np.ndarray | None = None) -> pd.DataFrame:
    """Each held-out observation against the model's prediction and its 95 % interval.

    The interval is the fit's parameter uncertainty (and that of the fixed parameters) propagated by
    ``draws`` parameter sets (:func:`parameter_draws`): ``predicted +- 1.96 sd`` of the draws' values,
    not below zero (r-values and capacities are not negative).
    ``agrees``: within ``AGREEMENT_PCT`` of the measurement, or the measurement inside the interval
    widened by its own error. A draw the model cannot run (a particle that never reaches its cut-off)
    is left out. ``extra_sd`` (per observation) is added in quadrature: what the draws cannot carry,
    such as a stated value whose change moves the fit itself (:func:`stated_spread`).
    """
    measured = np.array([o.value for o in held_out])
    sigma = np.array([o.stderr for o in held_out])
    predicted = predictor(fit.parameters, held_out)
    sampled = []
    for parameters in parameter_draws(fit, draws, seed=seed) if draws else []:
        try:
            sampled.append(predictor(parameters, held_out))
        except AnalysisError:
            continue
    spread = np.std(sampled, axis=0, ddof=1) if len(sampled) > 1 else np.zeros(len(held_out))
    if extra_sd is not None:
        spread = np.hypot(spread, extra_sd)
    relative = 100 * (predicted - measured) / measured
    within = np.abs(predicted - measured) <= 1.96 * np.hypot(spread, sigma)
    return pd.DataFrame({"observation": [o.label for o in held_out], "measured": measured, "measured_stderr": sigma,
                         "predicted": predicted,
                         "low_95": np.maximum(predicted - 1.96 * spread, 0.0), "high_95": predicted + 1.96 * spread,
                         "difference_pct": relative, "agrees": (np.abs(relative) <= AGREEMENT_PCT) | within})


def stated_spread(training: list[Observation], held_out: list[Observation], fit: ModelFit, fixed: pd.DataFrame,
                  refit: Callable[[list[Observation], ParameterSet], ModelFit], predictor: Callable) -> np.ndarray:
    """The standard deviation of each held-out prediction from the errors of the stated values: each
    stated value with an error is moved by it either way, the model refitted to the training numbers
    (a stated energy changes what the fit finds, which a draw at fixed fitted values would miss), and
    half the difference of the two predictions taken; the stated values add in quadrature."""
    variance = np.zeros(len(held_out))
    for row in fixed[fixed["name"].isin(list(REFERENCE_STATED)) & (fixed["stderr"] > 0)].itertuples():
        moved = [predictor(refit(training, fit.parameters.with_values(**{row.name: row.value + sign * row.stderr})
                                 ).parameters, held_out) for sign in (-1.0, 1.0)]
        variance += ((moved[1] - moved[0]) / 2) ** 2
    return np.sqrt(variance)


@dataclass
class Validation:
    """The reference study's protocol: what the model trained on some numbers predicts for others.

    Attributes
    ----------
    fit : ModelFit
        Trained on the capacities and bulk r-values only; ``fit.fixed`` lists what separate
        measurements fixed.
    predictions : pandas.DataFrame
        :func:`prediction_table` of the held-out numbers.
    notes : list of str
        One line per held-out number the model misses.
    """

    fit: ModelFit
    predictions: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def reference_start(fixed: pd.DataFrame) -> ActivationParameters:
    """The cycle-resolved model's start for the protocol: the fixed parameters (:func:`reference_evidence`)
    in, the fitted ones at their defaults."""
    return ActivationParameters(**dict(zip(fixed["name"], fixed["value"])))


def _time_start(data) -> CellParameters:
    start = CellParameters()
    gamma, _, _ = surface_loss_evidence(data["surface_ni"], start.activation_energy_eV)
    return start.with_values(surface_loss_per_cycle=gamma)


def validate_reference(*, liquid_radius_nm: float = 1000.0, time_resolved: bool = False, draws: int | None = None,
                       on_evaluation: Callable[[int, float], None] | None = None) -> Validation:
    """Train on the capacities at both temperatures and the bulk r-values; predict the surface
    r-values and the liquid cell's first discharge (full contact, eta_int = 0, ``liquid_radius_nm``),
    each with its 95 % interval.

    The cycle-resolved model fits ``FITTED``; its TM utilisation comes from the bulk Ni valence and its
    surface process from the surface Ni valence (:func:`reference_evidence`), the energies of
    ``REFERENCE_STATED`` are stated, and their errors reach the intervals through refits
    (:func:`stated_spread`). With ``time_resolved`` the particle model is trained instead
    (``TIME_VALIDATION_VARY``, from its defaults, which are this fit's result: a few minutes,
    ``on_evaluation`` reports progress; its surface process from the same surface Ni valences).
    ``draws``: parameter sets for the intervals (default 300, 24 for the particle model).
    """
    data = reference_study()
    training = data["capacities"] + data["bulk_r"]
    held_out = data["surface_r"] + data["liquid"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        if time_resolved:
            start = _time_start(data)
            fit = fit_time_resolved(training, start=start, vary=TIME_VALIDATION_VARY, seed=False,
                                    on_evaluation=on_evaluation)
            fixed = reference_evidence(data, activation_energy_eV=fit.parameters.activation_energy_eV, stated=False)
            fixed = fixed[fixed["name"] == "surface_loss_per_cycle"].reset_index(drop=True)
            # gamma at T_ref follows the fitted activation energy, so that the model's loss at 50 °C is the
            # measured one (the surface process does not touch the training numbers: the fit stands).
            fit.parameters = fit.parameters.with_values(surface_loss_per_cycle=float(fixed.loc[0, "value"]))
            predictor = partial(predict_time_resolved, liquid_radius_um=liquid_radius_nm / 1000)
        else:
            fixed = reference_evidence(data)
            fit = fit_model(training, start=reference_start(fixed), vary=FITTED)
            predictor = partial(predict, liquid_radius_nm=liquid_radius_nm)
    fit.fixed = fixed
    extra = None
    if not time_resolved:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FitWarning)
            extra = stated_spread(training, held_out, fit, fixed,
                                  lambda observations, start: fit_model(observations, start=start, vary=FITTED),
                                  predictor)
    # The stated values reach the interval through refits only: drawn at fixed fitted values they would
    # be counted a second time, and the wrong way.
    measured_only = replace(fit, fixed=fixed[~fixed["name"].isin(list(REFERENCE_STATED))])
    table = prediction_table(measured_only, held_out, predictor, draws=draws if draws is not None else
                             (24 if time_resolved else 300), extra_sd=extra)
    notes = [f"{row.observation}: predicted {row.predicted:.3g} (95 % {row.low_95:.3g}-{row.high_95:.3g}), "
             f"measured {row.measured:.3g}" for row in table.itertuples() if not row.agrees]
    return Validation(fit, table, notes)
