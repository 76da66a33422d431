"""How fast an activation proceeds: the cycles to 50 % and 90 % of its final value, with errors.

Two laws, one for each kind of series the map holds:

* a quantity that is zero in the pristine material and saturates, sampled at a few states (the O
  activation index r, or a valence change from pristine): ``x(n) = x_inf (1 - exp(-n / N))``, fitted by
  weighted least squares with the measurements' own errors (known: the covariance is scaled by
  max(1, reduced chi-square), the convention of :mod:`redoxmap.fitting`);
  ``n_f = N ln(1 / (1 - f))``;
* a capacity measured every cycle: the activation law of :mod:`redoxmap.cycling.capacity_rise`,
  ``Q(n) = Q_inf - (Q_inf - Q_1) exp(-(n - 1) / N)``; the cycle where it reaches a fraction f of
  ``Q_inf`` is ``1 + N ln((Q_inf - Q_1) / ((1 - f) Q_inf))`` (1 when ``Q_1`` is already there). Its
  errors come from the fit's covariance by drawing parameter sets (the relation is not linear).

A series that has not begun to saturate gives an N that is not determined: the result says so
instead of quoting a number.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from redoxmap.errors import FitError
from redoxmap.fitting import error_scale

FRACTIONS = (0.5, 0.9)
MAX_RELATIVE_ERROR = 1.0  # an N known worse than this is "not determined"
LAW_REJECTED_P = 1e-3  # a law this unlikely given the states' errors gives no speed


@dataclass
class Kinetics:
    """Cycles to 50 % and 90 % of a series' final value.

    Attributes
    ----------
    n50, n50_stderr, n90, n90_stderr : float
        Cycles (NaN when not determined).
    final, final_stderr : float
        The saturation value the fractions refer to.
    last_cycle : float
        The last cycle with data: an n90 beyond it is an extrapolation.
    law : str
        Which law was fitted.
    determined : bool
    note : str
        Why it is not determined, or what to keep in mind.
    """

    n50: float
    n50_stderr: float
    n90: float
    n90_stderr: float
    final: float
    final_stderr: float
    last_cycle: float
    law: str
    determined: bool = True
    note: str = ""

    @property
    def extrapolated(self) -> bool:
        """Whether n90 lies beyond the last cycle measured."""
        return bool(np.isfinite(self.n90) and self.n90 > self.last_cycle)


def _undetermined(law: str, last: float, note: str, final=math.nan, final_stderr=math.nan) -> Kinetics:
    return Kinetics(math.nan, math.nan, math.nan, math.nan, final, final_stderr, last, law, False, note)


def saturating_kinetics(cycles, values, errors) -> Kinetics:
    """Fit ``x(n) = x_inf (1 - exp(-n / N))`` to a few states (x = 0 in the pristine material).

    Parameters
    ----------
    cycles : array-like
        Cycle of each state (>= 1).
    values, errors : array-like
        The quantity and its standard errors (errors <= 0 or missing count as unknown: refused).
    """
    from scipy.optimize import curve_fit

    law = "x(n) = x_inf (1 - exp(-n/N)), weighted by the measurement errors"
    n, x, s = (np.asarray(a, float) for a in (cycles, values, errors))
    keep = np.isfinite(n) & np.isfinite(x) & (n >= 1)
    n, x, s = n[keep], x[keep], s[keep]
    last = float(n.max()) if len(n) else math.nan
    if len(n) < 2 or len(np.unique(n)) < 2:
        return _undetermined(law, last, "needs states after at least two different cycles")
    if not np.all(np.isfinite(s) & (s > 0)):
        return _undetermined(law, last, "needs the standard error of every state")
    if x[np.argmax(n)] <= 2 * s[np.argmax(n)]:
        return _undetermined(law, last, "not activated in the last state measured")

    def law_of(cycle, final, constant):
        return final * -np.expm1(-cycle / constant)

    start = (float(x.max()), float(max(np.median(n) / 2, 0.5)))
    bounds = ([0.0, 0.05], [10 * abs(x).max() + 10 * s.max(), 1e4])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (final, constant), covariance = curve_fit(law_of, n, x, p0=start, sigma=s, absolute_sigma=True,
                                                      bounds=bounds, max_nfev=2000)
    except (RuntimeError, ValueError) as exc:
        return _undetermined(law, last, f"the fit failed ({exc})")
    dof = len(n) - 2
    chi_square = float(np.sum(((law_of(n, final, constant) - x) / s) ** 2))
    reduced = chi_square / dof if dof > 0 else math.nan
    if dof > 0:
        from scipy.stats import chi2

        if chi2.sf(chi_square, dof) < LAW_REJECTED_P:
            return _undetermined(
                law,
                last,
                f"the saturating law does not describe the states (chi-square {chi_square:.1f} "
                f"for {dof} degree{'s' * (dof != 1)} of freedom): they keep changing after it "
                "would have saturated",
                float(x[np.argmax(n)]),
                float(s[np.argmax(n)]),
            )
    covariance = covariance * error_scale(reduced, errors_known=True, dof=dof)
    errors = np.sqrt(np.clip(np.diag(covariance), 0, None)) if np.all(np.isfinite(covariance)) else [math.inf] * 2
    if constant >= 0.99 * bounds[1][1] or not np.isfinite(errors[1]) or errors[1] > MAX_RELATIVE_ERROR * constant:
        return _undetermined(law, last, "still rising in the last state: its final value is not yet in sight",
                             float(x[np.argmax(n)]), float(s[np.argmax(n)]))
    factors = [math.log(1 / (1 - f)) for f in FRACTIONS]
    return Kinetics(constant * factors[0], errors[1] * factors[0], constant * factors[1], errors[1] * factors[1],
                    float(final), float(errors[0]), last, law)


def capacity_kinetics(cycles, capacity, *, name: str = "capacity", draws: int = 4000, seed: int = 0) -> Kinetics:
    """Cycles for a per-cycle capacity to reach 50 % and 90 % of its activated value ``Q_inf``.

    Parameters
    ----------
    cycles, capacity : array-like
        Cycle numbers and capacities (NaN dropped).
    name : str
        For messages.
    """
    from redoxmap.cycling.capacity_rise import fit_capacity_rise

    law = "Q(n) = Q_inf - (Q_inf - Q_1) exp(-(n-1)/N)"
    n = np.asarray(cycles, float)
    last = float(np.nanmax(n)) if len(n) else math.nan
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = fit_capacity_rise(cycles, capacity, name=name)
    except FitError as exc:
        return _undetermined(law, last, str(exc))
    if fit.q_inf <= 0:
        return _undetermined(law, last, "no capacity to activate")
    if fit.q_1 >= FRACTIONS[-1] * fit.q_inf:
        # "No rise" is a claim about the data, not only about the law fitted to them: the first cycle must
        # hold 90 % of both the highest and the last capacities measured (a series that falls and climbs
        # again, as a faulty cell's may, fits a flat law badly and says nothing of a rise).
        values = np.asarray(capacity, float)[np.isfinite(np.asarray(capacity, float))]
        order = np.argsort(n[np.isfinite(np.asarray(capacity, float))])
        values = values[order]
        final = float(np.median(values[-3:]))
        if values[0] < FRACTIONS[-1] * max(float(values.max()), final):
            return _undetermined(law, last, f"the activation law does not describe the series (R² "
                                 f"{fit.r_squared:.2f}): its first cycle holds less than 90 % of its highest "
                                 "capacity, so neither a rise nor its absence is shown", fit.q_inf, fit.q_inf_stderr)
        return Kinetics(1.0, 0.0, 1.0, 0.0, fit.q_inf, fit.q_inf_stderr, last, law,
                        note="reached in the first cycle")
    covariance = getattr(fit.lmfit_result, "covar", None)
    names = list(getattr(fit.lmfit_result, "var_names", []))
    if covariance is None or not {"q_inf", "q_1", "n_act"} <= set(names):
        return _undetermined(law, last, "the fit's covariance could not be estimated", fit.q_inf,
                             fit.q_inf_stderr)
    if not np.isfinite(fit.n_act_stderr) or fit.n_act_stderr > MAX_RELATIVE_ERROR * fit.n_act:
        return _undetermined(law, last, "the capacity is still rising: its activated value is not yet in sight",
                             fit.q_inf, fit.q_inf_stderr)
    order = [names.index(k) for k in ("q_inf", "q_1", "n_act")]
    center = np.array([fit.q_inf, fit.q_1, fit.n_act])
    sampled = np.random.default_rng(seed).multivariate_normal(center, np.asarray(covariance)[np.ix_(order, order)],
                                                              size=draws, method="eigh")
    out = []
    for fraction in FRACTIONS:
        best = _cycle_of_fraction(center[None, :], fraction)[0]
        spread = _cycle_of_fraction(sampled, fraction)
        out += [best, float(np.nanstd(spread))]
    return Kinetics(out[0], out[1], out[2], out[3], fit.q_inf, fit.q_inf_stderr, last, law)


def _cycle_of_fraction(parameters: np.ndarray, fraction: float) -> np.ndarray:
    q_inf, q_1, n_act = parameters.T
    with np.errstate(divide="ignore", invalid="ignore"):
        cycle = 1 + n_act * np.log((q_inf - q_1) / ((1 - fraction) * q_inf))
    return np.where((q_1 >= fraction * q_inf) & (q_inf > 0), 1.0, np.where(n_act > 0, cycle, np.nan))
