"""Fit the activation models to measurements, and say what the data cannot tell apart.

Observations (capacities by cycle and temperature, region III charge, r-values by mode, each
with its uncertainty; liquid or solid-state cells) are fitted jointly by weighted least squares
(``scipy.optimize.least_squares``, positive parameters on a log scale). One engine
(:func:`fit_parameters`) fits either model: :func:`fit_model` the cycle-resolved one,
:func:`fit_time_resolved` the particle model under galvanostatic cycling. The result carries
standard errors and correlations from the Jacobian at the optimum, the eigen-directions
the data barely constrain, and a plain-language identifiability warning; a profile of chi-square
over one parameter (the others refitted) gives an interval that does not assume linearity.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from itertools import pairwise

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from redoxmap.errors import AnalysisError, FitWarning, warn
from redoxmap.fitting import KNOWN, error_scale
from redoxmap.formatting import unit_of
from redoxmap.model.arrhenius import PER_EV, T_REF_K
from redoxmap.model.cycle_model import ActivationParameters, ParameterSet, interface_resistance, simulate_cycles
from redoxmap.model.time_model import CellParameters, simulate_time_resolved
from redoxmap.palette import COLORS
from redoxmap.results import FitResult

# What the capacities at two temperatures and the bulk r-values determine (:mod:`redoxmap.model.validation`): the
# interface (its resistance and that resistance's Arrhenius energy), the shared Li diffusivity, the oxygen capacity,
# r of activated material and the share of the Ni/Co redox reached. Everything else is a stated or measured value.
FITTED = ("r_int_ohm_g", "r_int_activation_energy_eV", "diffusivity_cm2_s", "q_o_mAh_g", "r_max", "u_ref")
FAILED_RESIDUAL = 1e3  # each normalised residual of a trial the model cannot run
POOR_FIT_REDUCED_CHI2 = 4.0  # above this the residuals are not noise (p < 1e-3 for 5+ degrees of freedom)
TIME_FITTED = ("k_activation_per_h", "activation_energy_eV", "diffusivity_cm2_s", "q_o_mAh_g")
# Parameters that may be negative or are bounded above: fitted linearly between these bounds.
LINEAR_BOUNDS = {"activation_energy_eV": (-1.0, 3.0), "surface_reaction_energy_eV": (-1.0, 3.0),
                 "plateau_V": (4.0, 5.0), "contact_fraction": (0.01, 1.0), "mn_reduction": (0.0, 1.0),
                 "u_activation_energy_eV": (-1.0, 3.0), "r_int_activation_energy_eV": (-1.0, 3.0),
                 "u_ref": (0.05, 1.0), "u_liquid": (0.05, 1.0), "phi_c": (0.01, 10.0), "rho": (1.0, 1e4),
                 "diffusion_activation_energy_eV": (-1.0, 3.0), "u_plateau_V": (4.0, 5.0),
                 "oxygen_hysteresis_V": (0.15, 1.3)}


@dataclass(frozen=True)
class Observation:
    """One measured number the model should reproduce.

    Attributes
    ----------
    kind : {"capacity", "capacity_o", "r", "charge_capacity", "region_iii", "interface_resistance", "ni_valence"}
        Discharge capacity (mAh/g), its oxygen part (cycle-resolved model only), the O activation
        index, or the charge capacity and its part above 4.4 V (region III; time-resolved model only);
        the interface resistance times the active mass (ohm g: an impedance fit's charge-transfer
        resistance, :func:`redoxmap.model.observations.interface_observations`) in either model;
        ``ni_valence`` is a separate measurement that fixes parameters (:mod:`redoxmap.model.validation`),
        never a fitted value.
    value, stderr : float
    temperature_C : float
    cycle : int
        The cycle (for r: the charge after which the spectrum was taken).
    mode : {"tey", "bulk"} or None
        For r-values.
    cell : {"solid", "liquid"}
    """

    kind: str
    value: float
    stderr: float
    temperature_C: float
    cycle: int
    mode: str | None = None
    cell: str = "solid"

    @property
    def label(self) -> str:
        """The observation in words, for messages: its kind (with the mode of an r-value), temperature
        (°C), cycle, and ``liquid`` for a liquid cell."""
        what = f"r ({self.mode})" if self.kind == "r" else self.kind
        return f"{what}, {self.temperature_C:g} °C, cycle {self.cycle}{', liquid' if self.cell == 'liquid' else ''}"


def _groups(observations: list[Observation]) -> dict[tuple, list[int]]:
    """Observation indices by (temperature, cell): one simulation serves each group."""
    groups: dict[tuple, list[int]] = {}
    for index, obs in enumerate(observations):
        groups.setdefault((obs.temperature_C, obs.cell), []).append(index)
    return groups


def _pick(observations, indices, columns: dict[str, np.ndarray], values: np.ndarray, model: str) -> None:
    """Each observation's value from a simulation's per-cycle columns (cycle 1 in row 0)."""
    for i in indices:
        obs = observations[i]
        key = obs.mode if obs.kind == "r" else obs.kind
        if key not in columns:
            raise AnalysisError(f"the {model} model does not give {obs.kind!r} observations "
                                f"({obs.label}); it gives {', '.join(sorted(columns))}")
        values[i] = columns[key][obs.cycle - 1]


def _interface_column(parameters: ParameterSet, temperature_C: float, cycles: int) -> np.ndarray:
    """The interface resistance (ohm g) each cycle: the models hold it constant over cycles."""
    return np.full(cycles, interface_resistance(parameters, temperature_C + 273.15))


def predict(parameters: ActivationParameters, observations: list[Observation], *,
            liquid_radius_nm: float | None = None) -> np.ndarray:
    """The cycle-resolved model's value for each observation (one simulation per temperature and cell type)."""
    values = np.empty(len(observations))
    for (temperature, cell), indices in _groups(observations).items():
        cycles = max(observations[i].cycle for i in indices)
        used = parameters if cell == "solid" or liquid_radius_nm is None else parameters.with_values(
            radius_nm=liquid_radius_nm)
        table = simulate_cycles(used, cycles, temperature_C=temperature, liquid=cell == "liquid").table
        columns = {"capacity": table["capacity_mAh_g"].to_numpy(), "capacity_o": table["capacity_o_mAh_g"].to_numpy(),
                   "tey": table["r_tey"].to_numpy(), "bulk": table["r_bulk"].to_numpy(),
                   "interface_resistance": _interface_column(used, temperature, cycles)}
        _pick(observations, indices, columns, values, "cycle-resolved")
    return values


def predict_time_resolved(parameters: CellParameters, observations: list[Observation], *, c_rate: float = 0.1,
                          liquid_radius_um: float | None = None, solver_tolerance: float = 1e-5) -> np.ndarray:
    """The time-resolved model's value for each observation (one galvanostatic run per temperature
    and cell type; a liquid cell has no interfacial resistance and full contact).

    ``solver_tolerance`` defaults to 1e-5: at the simulator's 1e-4 the capacities wander by
    ~0.2 mAh/g between neighbouring parameter values, more than a 2 % parameter step changes them,
    which would make the fit's derivatives noise."""
    values = np.empty(len(observations))
    for (temperature, cell), indices in _groups(observations).items():
        cycles = max(observations[i].cycle for i in indices)
        used = parameters
        if cell == "liquid":
            used = parameters.with_values(r_int_ohm_g=0.0, phi_c=1.0,
                                          radius_um=liquid_radius_um or parameters.radius_um)
        _, table = simulate_time_resolved(used, cycles, temperature_C=temperature, c_rate=c_rate,
                                          tolerance=solver_tolerance)
        columns = {"capacity": table["discharge_capacity_mAh_g"].to_numpy(),
                   "charge_capacity": table["charge_capacity_mAh_g"].to_numpy(),
                   "region_iii": table["region_iii_charge_mAh_g"].to_numpy(),
                   "tey": table["r_tey"].to_numpy(), "bulk": table["r_bulk"].to_numpy(),
                   "interface_resistance": _interface_column(used, temperature, cycles)}
        _pick(observations, indices, columns, values, "time-resolved")
    return values


@dataclass
class ModelFit(FitResult):
    """A fitted model and how well the data pin it down.

    Attributes
    ----------
    parameters : ActivationParameters or CellParameters
    table : pandas.DataFrame
        ``name``, ``value``, ``stderr``, ``relative_error``.
    correlations : pandas.DataFrame
    residuals : pandas.DataFrame
        Per observation: its label, kind, mode, cell, temperature and cycle; measured, stderr,
        model, (model - measured) / stderr.
    chi_square, reduced_chi_square : float
    identifiability : list of str
        Plain-language warnings: strongly correlated pairs, undetermined parameters, directions
        the data do not constrain.
    names : tuple of str
        The fitted parameters.
    predictor : callable
        ``predictor(parameters, observations)``: the model the fit used (for profiles).
    settings : dict
        How the fit was run (derivative step, tolerance), for refits in profiles.
    fixed : pandas.DataFrame
        Parameters held at values from separate measurements: ``name``, ``value``, ``stderr``,
        ``source`` (their errors are propagated by :func:`parameter_draws`; empty when none).
    """

    parameters: ParameterSet
    table: pd.DataFrame
    correlations: pd.DataFrame
    residuals: pd.DataFrame
    chi_square: float
    reduced_chi_square: float
    identifiability: list[str] = field(default_factory=list)
    names: tuple[str, ...] = FITTED
    predictor: Callable = field(default=predict, repr=False)
    settings: dict = field(default_factory=dict, repr=False)
    fixed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["name", "value", "stderr", "source"]))

    title = "Activation model fit"

    def _parameters(self) -> pd.DataFrame:
        """The fitted parameters with standard errors and the units their names carry."""
        return pd.DataFrame({"parameter": self.table["name"], "value": self.table["value"],
                             "stderr": self.table["stderr"], "unit": [unit_of(n) for n in self.table["name"]],
                             **({"at_bound": self.table["at_bound"]} if "at_bound" in self.table else {})})

    def observations(self) -> list[Observation]:
        """The observations the fit was made to (from its residual table), to refit or compensate it.

        Returns
        -------
        list of Observation
        """
        return [Observation(r.kind, float(r.measured), float(r.stderr), float(r.temperature_C), int(r.cycle),
                            r.mode if isinstance(r.mode, str) else None, r.cell) for r in self.residuals.itertuples()]

    def statistics(self) -> dict:
        """Chi-square and its reduced value, observations, the model fitted and the error convention."""
        return {"chi_square": self.chi_square, "reduced_chi_square": self.reduced_chi_square,
                "observations": len(self.residuals), "model": type(self.parameters).__name__, "errors": KNOWN,
                **{f"identifiability {k + 1}": text for k, text in enumerate(self.identifiability)}}

    def _draw(self, ax) -> None:
        """Observations by cycle (points with error bars) and the model's values (lines), one series
        per kind, temperature, mode and cell."""
        keys = ["kind", "temperature_C", "mode", "cell"]
        for k, (key, rows) in enumerate(self.residuals.fillna({"mode": ""}).groupby(keys, sort=False)):
            kind, temperature, mode, cell = key
            label = f"{kind}{f' ({mode})' if mode else ''}, {temperature:g} °C{', liquid' if cell == 'liquid' else ''}"
            color = COLORS[k % len(COLORS)]
            rows = rows.sort_values("cycle")
            ax.errorbar(rows["cycle"], rows["measured"], yerr=rows["stderr"], fmt="o", ms=3, capsize=2, color=color,
                        label=label)
            ax.plot(rows["cycle"], rows["model"], color=color, lw=1.0)
        ax.set_xlabel("Cycle")
        ax.set_ylabel("Value (mAh g$^{-1}$ or r)")
        ax.legend(fontsize=6)


def encode_values(parameters: ParameterSet, names) -> np.ndarray:
    """The values of ``names`` on the scale the fits work on: linear for those in ``LINEAR_BOUNDS``, else the
    logarithm (a positive parameter)."""
    values = parameters.to_dict()
    return np.array([values[n] if n in LINEAR_BOUNDS else np.log(values[n]) for n in names])


def decode_values(x, names, base: ParameterSet) -> ParameterSet:
    """``base`` with ``names`` set from values on the fits' scale (:func:`encode_values`)."""
    return base.with_values(**{n: (float(v) if n in LINEAR_BOUNDS else float(np.exp(v))) for n, v in zip(names, x)})


def parameter_draws(fit: ModelFit, count: int = 200, *, seed: int = 0) -> list[ParameterSet]:
    """Parameter sets drawn from the fit's covariance, to propagate its uncertainty into predictions.

    Draws are normal on the scale the fit works on (log for positive parameters, linear for
    those in ``LINEAR_BOUNDS``, clipped to those bounds); a parameter the data do not constrain
    (infinite error) keeps its fitted value, and undefined correlations count as zero. Parameters
    fixed from separate measurements (``fit.fixed``) are drawn too, independently, with their errors.
    """
    table = pd.concat([fit.table[["name", "value", "stderr"]], fit.fixed[["name", "value", "stderr"]]],
                      ignore_index=True) if len(fit.fixed) else fit.table
    names = list(table["name"])
    fitted = len(fit.table)
    center = encode_values(fit.parameters, names)
    values = np.asarray(table["value"], float)
    stderr = np.asarray(table["stderr"], float)
    error = np.array([e if n in LINEAR_BOUNDS else e / abs(v) for n, v, e in zip(names, values, stderr)])
    error = np.where(np.isfinite(error), error, 0.0)
    correlation = np.eye(len(names))
    correlation[:fitted, :fitted] = np.nan_to_num(
        fit.correlations.reindex(index=names[:fitted], columns=names[:fitted]).to_numpy(float), nan=0.0)
    np.fill_diagonal(correlation, 1.0)
    covariance = correlation * np.outer(error, error)
    draws = np.random.default_rng(seed).multivariate_normal(center, covariance, size=count, method="eigh")
    _follow_drawn_energy(draws, center, names, fit.fixed)
    for k, name in enumerate(names):
        if name in LINEAR_BOUNDS:
            draws[:, k] = np.clip(draws[:, k], *LINEAR_BOUNDS[name])
    return [decode_values(x, names, fit.parameters) for x in draws]


def energy_coupling(fixed: pd.DataFrame) -> float:
    """How far the logarithm of a surface rate at 30 °C moves per eV of its reaction energy's draw: a rate measured
    at one temperature T_m and brought to 30 °C with the stated energy (``rate_measured_at_C`` in ``fixed``) keeps
    its measured value there, so ``ln v_30`` moves by ``(1/T_m - 1/T_ref) / k`` times the energy's change (as the
    reference protocol's draws do); 0 where no rate is measured at one temperature.

    Parameters
    ----------
    fixed : pandas.DataFrame
        A fit's fixed values (``ModelFit.fixed``).

    Returns
    -------
    float
        Per eV.
    """
    names = set(fixed["name"])
    if "rate_measured_at_C" not in fixed or not {"surface_loss_per_cycle", "surface_reaction_energy_eV"} <= names:
        return 0.0
    measured_at = fixed.set_index("name")["rate_measured_at_C"].get("surface_loss_per_cycle", np.nan)
    return float(PER_EV * (1 / (measured_at + 273.15) - 1 / T_REF_K)) if np.isfinite(measured_at) else 0.0


def _follow_drawn_energy(draws: np.ndarray, center: np.ndarray, names: list[str], fixed: pd.DataFrame) -> None:
    """The drawn surface rates at 30 °C (log scale) moved with the drawn energy (:func:`energy_coupling`)."""
    coupling = energy_coupling(fixed)
    if coupling:
        rate, energy = names.index("surface_loss_per_cycle"), names.index("surface_reaction_energy_eV")
        draws[:, rate] += coupling * (draws[:, energy] - center[energy])


def fit_model(observations: list[Observation], *, start: ActivationParameters | None = None,
              vary: tuple[str, ...] = FITTED, liquid_radius_nm: float | None = None,
              correlation_limit: float = 0.95) -> ModelFit:
    """Fit the cycle-resolved model's ``vary`` parameters to the observations.

    Raises
    ------
    AnalysisError
        With no observations, an unknown parameter name or an observation the model does not give.
    """
    return fit_parameters(observations, partial(predict, liquid_radius_nm=liquid_radius_nm),
                          start or ActivationParameters(), vary, correlation_limit=correlation_limit)


def fit_time_resolved(observations: list[Observation], *, start: CellParameters | None = None,
                      vary: tuple[str, ...] = TIME_FITTED, c_rate: float = 0.1,
                      liquid_radius_um: float | None = None, correlation_limit: float = 0.95,
                      on_evaluation: Callable[[int, float], None] | None = None, seed: bool = True) -> ModelFit:
    """Fit the time-resolved particle model to capacities, region III charge and r-values.

    Each evaluation cycles the particle as far as the latest observed cycle (about 0.1 s per
    cycle at the fit's solver tolerance), so a fit to 40 cycles at two temperatures takes
    minutes, not seconds: ``on_evaluation(count, chi_square)`` is called after each, for progress.
    The derivatives are taken over 2 % steps, well above the solver's noise.

    The particle model switches regime steeply where the first charge can or cannot sustain the
    oxygen plateau (set by transport, the activation rate and the interfacial loss); a local fit
    started on the wrong side of that edge stays there, so with ``seed`` the diffusivity and the
    activation rate (those of them in ``vary``) are first scanned over a log grid on the
    observations of the first two cycles, and the fit starts from the best.

    Raises
    ------
    AnalysisError
        As :func:`fit_model`, or when the particle model fails for the parameters tried.
    """
    predictor = partial(predict_time_resolved, c_rate=c_rate, liquid_radius_um=liquid_radius_um)
    start = start or CellParameters()
    evaluations = 0

    def progress(_count, chi2):  # one count over the scan and the fit
        nonlocal evaluations
        evaluations += 1
        if on_evaluation is not None:
            on_evaluation(evaluations, chi2)
    if seed:
        start = _scan_start(observations, predictor, start, vary, progress)
    return fit_parameters(observations, predictor, start, vary,
                          correlation_limit=correlation_limit, diff_step=2e-2, tolerance=1e-4,
                          on_evaluation=progress)


SCAN_DECADES = {"diffusivity_cm2_s": np.arange(-1.5, 1.6, 0.5), "k_activation_per_h": np.arange(-1.0, 1.1, 1.0)}


def _chi_square(predictor, parameters: ParameterSet, observations: list[Observation]) -> float:
    """chi-square of the model at fixed parameters."""
    measured = np.array([o.value for o in observations])
    sigma = np.array([o.stderr for o in observations])
    return float(np.sum(((predictor(parameters, observations) - measured) / sigma) ** 2))


def _scan_start(observations, predictor, start: ParameterSet, vary, progress) -> ParameterSet:
    """The grid point (``SCAN_DECADES`` around the start, for the scanned names in ``vary``) whose
    chi-square over the first two cycles' observations is lowest."""
    scanned = [name for name in SCAN_DECADES if name in vary]
    early = [o for o in observations if o.cycle <= 2]
    if not scanned or not early:
        return start
    best, best_chi2 = start, np.inf
    for decades in np.stack(np.meshgrid(*(SCAN_DECADES[n] for n in scanned)), -1).reshape(-1, len(scanned)):
        trial = start.with_values(**{n: getattr(start, n) * 10 ** d for n, d in zip(scanned, decades)})
        try:
            chi2 = _chi_square(predictor, trial, early)
        except AnalysisError:
            continue  # a corner of the grid the model cannot run: not a start
        progress(0, chi2)
        if chi2 < best_chi2:
            best, best_chi2 = trial, chi2
    return best


def fit_parameters(observations: list[Observation], predictor: Callable, start: ParameterSet,
                   vary: tuple[str, ...], *, correlation_limit: float = 0.95, diff_step: float = 1e-4,
                   tolerance: float = 1e-8, on_evaluation: Callable[[int, float], None] | None = None) -> ModelFit:
    """Fit ``vary`` of ``start`` so that ``predictor(parameters, observations)`` meets the observations.

    Parameters
    ----------
    observations : list of Observation
    predictor : callable
        The model: parameters and observations to the model's value of each.
    start : ParameterSet
        Starting values, and the values of the parameters not fitted.
    vary : tuple of str
    correlation_limit : float
        |correlation| above which a pair is reported as trading off.
    diff_step : float
        Relative step of the finite-difference Jacobian (on the log scale for positive parameters).
    tolerance : float
        Relative change of chi-square and of the parameters below which the fit stops (a model
        solved numerically needs one above its solver's tolerance).
    on_evaluation : callable, optional
        Called with the number of model evaluations so far and the latest chi-square.

    Raises
    ------
    AnalysisError
        With no observations or an unknown parameter name.

    Notes
    -----
    One function past a screen because the fit, its covariance, the identifiability checks and the
    result share one Jacobian and one set of scaled parameters, in that order.
    """
    if not observations:
        raise AnalysisError("no observations to fit")
    unknown = [n for n in vary if n not in start.to_dict()]
    if unknown:
        raise AnalysisError(f"unknown model parameters: {', '.join(unknown)}")
    names = tuple(vary)
    measured = np.array([o.value for o in observations])
    sigma = np.array([o.stderr for o in observations])
    lower = np.array([LINEAR_BOUNDS[n][0] if n in LINEAR_BOUNDS else -np.inf for n in names])
    upper = np.array([LINEAR_BOUNDS[n][1] if n in LINEAR_BOUNDS else np.inf for n in names])

    evaluations, failures = 0, []

    def evaluate(x):
        return (predictor(decode_values(x, names, start), observations) - measured) / sigma

    def residuals(x):
        nonlocal evaluations
        try:
            normalised = evaluate(x)
        except AnalysisError as exc:
            if not evaluations:
                raise  # the start itself cannot be run: nothing to fit from
            # A trial step where the model cannot run counts as a very poor fit, so the optimiser
            # steps back instead of stopping the whole fit.
            failures.append(str(exc))
            normalised = np.full(len(observations), FAILED_RESIDUAL)
        evaluations += 1
        if on_evaluation is not None:
            on_evaluation(evaluations, float(normalised @ normalised))
        return normalised

    x0 = np.clip(encode_values(start, names), lower + 1e-9, upper - 1e-9)
    solution = least_squares(residuals, x0, bounds=(lower, upper), diff_step=diff_step,
                             ftol=tolerance, xtol=tolerance, max_nfev=100 * (len(names) + 1))
    fitted = decode_values(solution.x, names, start)
    dof = max(len(observations) - len(names), 0)
    chi2 = float(np.sum(solution.fun ** 2))
    reduced = chi2 / dof if dof else float("nan")
    J = solution.jac
    if failures:
        # A step the model could not run entered the last Jacobian as the penalty, and such columns all point
        # the same way (every pair correlated +-1): take the derivatives at the solution again.
        J = _jacobian_at(evaluate, solution.x, solution.fun, diff_step, lower, upper)
    column_norm = np.linalg.norm(J, axis=0)
    inert = column_norm <= 1e-9 * max(column_norm.max(), 1e-300)  # no effect on any observation
    # The observations carry their errors: covariance scaled by max(1, reduced chi-square) (redoxmap.fitting)
    covariance = np.linalg.pinv(J.T @ J) * error_scale(reduced, errors_known=True, dof=dof)
    error_encoded = np.where(inert, np.inf, np.sqrt(np.clip(np.diag(covariance), 0, None)))
    values = np.array([getattr(fitted, n) for n in names])
    stderr = np.where([n in LINEAR_BOUNDS for n in names], error_encoded, values * error_encoded)
    with np.errstate(invalid="ignore", divide="ignore"):
        correlation = covariance / np.outer(error_encoded, error_encoded)
    correlation[inert, :] = correlation[:, inert] = np.nan
    table = pd.DataFrame({"name": names, "value": values, "stderr": stderr,
                          "relative_error": np.abs(stderr / values)})
    model = predictor(fitted, observations)
    residual_table = pd.DataFrame({"observation": [o.label for o in observations],
                                   "kind": [o.kind for o in observations], "mode": [o.mode for o in observations],
                                   "cell": [o.cell for o in observations],
                                   "temperature_C": [o.temperature_C for o in observations],
                                   "cycle": [o.cycle for o in observations], "measured": measured,
                                   "stderr": sigma, "model": model, "normalised_residual": (model - measured) / sigma})
    notes = _identifiability(names, table, correlation, J, len(observations), correlation_limit)
    if dof and reduced > POOR_FIT_REDUCED_CHI2:
        worst = residual_table.loc[residual_table["normalised_residual"].abs().idxmax()]
        notes.insert(0, f"reduced chi-square {reduced:.3g}: the model does not describe these data within their "
                        f"errors (worst: {worst['observation']}, {worst['normalised_residual']:+.1f} sigma); "
                        "its parameters and errors describe the best compromise, not the cell")
    if inert.any():
        notes.insert(0, f"no effect on these observations: {', '.join(np.array(names)[inert])} (kept at the start "
                        "value; e.g. a TM utilisation already capped at one)")
    pinned = [bool(np.isfinite(lo) and min(v - lo, hi - v) <= 1e-6 * (hi - lo))
              for v, lo, hi in zip(solution.x, lower, upper)]
    table["at_bound"] = pinned
    at_bound = [n for n, stuck in zip(names, pinned) if stuck]
    if at_bound:
        notes.insert(0, f"stuck at a bound of its range: {', '.join(at_bound)} (the data push it beyond what is "
                        "physical, or the model lacks something they need)")
    if failures:
        notes.append(f"the model could not be run for {len(failures)} of the parameter sets tried (treated as a very "
                     f"poor fit), e.g. {failures[0]}")
    if not solution.success:
        notes.insert(0, f"the fit stopped before converging ({solution.message})")
    for note in notes:
        warn(note, FitWarning)
    return ModelFit(fitted, table, pd.DataFrame(correlation, index=names, columns=names), residual_table, chi2,
                    reduced, notes, names, predictor, {"diff_step": diff_step, "tolerance": tolerance})


def _jacobian_at(evaluate: Callable, x: np.ndarray, base: np.ndarray, step: float, lower: np.ndarray,
                 upper: np.ndarray) -> np.ndarray:
    """Forward differences of ``evaluate`` at ``x`` (its value ``base``), each parameter stepped as
    ``least_squares`` steps it (``step`` x max(1, |x|)), downwards where upwards crosses a bound or the
    model cannot run there; a parameter the model cannot run on either side gets a zero column (inert:
    undetermined)."""
    jacobian = np.zeros((len(base), len(x)))
    for k in range(len(x)):
        size = step * max(1.0, abs(x[k]))
        for signed in (size, -size):
            trial = x.copy()
            trial[k] += signed
            if not lower[k] <= trial[k] <= upper[k]:
                continue
            try:
                jacobian[:, k] = (evaluate(trial) - base) / signed
            except AnalysisError:
                continue
            break
    return jacobian


def _identifiability(names, table, correlation, J, n_obs, limit) -> list[str]:
    notes = []
    if n_obs < len(names):
        notes.append(f"{n_obs} observations for {len(names)} parameters: at least {len(names) - n_obs} "
                     "combinations of parameters are not determined by these data at all")
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            if abs(correlation[i, j]) > limit:
                notes.append(f"{names[i]} and {names[j]} trade off (correlation {correlation[i, j]:+.2f}): the data "
                             "fix a combination of the two, not each")
    loose = table.loc[table["relative_error"] > 1.0, "name"].tolist()
    if loose:
        notes.append(f"undetermined (standard error above 100 %): {', '.join(loose)}")
    singular = np.linalg.svd(J, compute_uv=False)
    if len(singular) and singular[-1] < 1e-6 * singular[0]:
        notes.append("the fit has directions of almost zero curvature: treat the errors as lower bounds and use "
                     "profile_chi_square for the parameters that matter")
    return notes


def profile_chi_square(observations: list[Observation], fit: ModelFit, name: str, values) -> pd.DataFrame:
    """chi-square with ``name`` held at each of ``values`` and the other fitted parameters refitted.

    The 95 % interval is where the profile stays within 3.84 of its minimum; unlike the standard
    error it does not assume the model is linear in its parameters.
    """
    others = tuple(n for n in fit.names if n != name)
    rows = []
    for value in values:
        start = fit.parameters.with_values(**{name: float(value)})
        if others:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FitWarning)
                chi2 = fit_parameters(observations, fit.predictor, start, others, **fit.settings).chi_square
        else:
            chi2 = _chi_square(fit.predictor, start, observations)
        rows.append({name: float(value), "chi_square": chi2})
    return pd.DataFrame(rows)


@dataclass
class Profile:
    """A chi-square profile of one parameter and the 95 % interval it gives.

    Attributes
    ----------
    name : str
    table : pandas.DataFrame
        ``value``, ``chi_square``, ``delta_chi_square`` (above the fit's minimum).
    low, high : float
        Where the profile crosses 3.84 above the minimum; NaN where it stays below within the
        scanned range (the data do not bound the parameter on that side).
    """

    name: str
    table: pd.DataFrame
    low: float
    high: float


def poorly_identified(fit: ModelFit, *, limit: int = 2, correlation_limit: float = 0.95) -> list[str]:
    """The fitted parameters the data pin down worst: in a strongly correlated pair or with a
    standard error above 50 %, largest relative error first (at most ``limit``)."""
    table = fit.table.set_index("name")
    correlated = (fit.correlations.abs() > correlation_limit).sum(axis=1) > 1  # the diagonal counts once
    loose = table.index[(table["relative_error"] > 0.5) | correlated.reindex(table.index, fill_value=False)]
    return list(table.loc[loose].sort_values("relative_error", ascending=False).index[:limit])


def profile_interval(observations: list[Observation], fit: ModelFit, name: str, *, points: int = 9,
                     span_sigma: float = 3.0) -> Profile:
    """Profile ``name`` over ``span_sigma`` standard errors either side of the fit (on the log scale
    for positive parameters, the relative error taken between 5 % and 100 %; within the bounds for
    the others) and read off the 95 % interval (delta chi-square 3.84, times the reduced chi-square
    when the fit is significantly worse than its data's errors allow: the convention of
    :mod:`redoxmap.fitting`, so that the profile and the linearised interval agree)."""
    row = fit.table.set_index("name").loc[name]
    steps = np.linspace(-span_sigma, span_sigma, points)
    if name in LINEAR_BOUNDS:
        lo, hi = LINEAR_BOUNDS[name]
        spread = row["stderr"] if np.isfinite(row["stderr"]) and row["stderr"] > 0 else 0.1 * (hi - lo)
        values = np.clip(row["value"] + steps * spread, lo, hi)
    else:
        relative = float(np.clip(np.nan_to_num(row["relative_error"], nan=1.0), 0.05, 1.0))
        values = row["value"] * np.exp(steps * relative)
    table = profile_chi_square(observations, fit, name, np.unique(values)).rename(columns={name: "value"})
    table["delta_chi_square"] = table["chi_square"] - min(fit.chi_square, table["chi_square"].min())
    dof = len(observations) - len(fit.names)
    threshold = 3.84 * error_scale(fit.reduced_chi_square, errors_known=True, dof=dof)
    inside = table["delta_chi_square"].to_numpy() <= threshold
    v, d = table["value"].to_numpy(), table["delta_chi_square"].to_numpy()
    best = int(np.argmin(d))

    def crossing(indices):
        for i, j in pairwise(indices):
            if inside[i] and not inside[j]:
                return float(v[i] + (threshold - d[i]) * (v[j] - v[i]) / (d[j] - d[i]))
        return float("nan")
    return Profile(name, table, crossing(list(range(best, -1, -1))), crossing(list(range(best, len(v)))))
