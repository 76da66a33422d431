"""The capacity rise: how fast a cell's discharge capacity rises to its activated value.

An empirical description of the cycling data alone (the physical model of activation,
which explains it, is :func:`redoxmap.model.fit_model`).

Model (per cycle n >= 1)::

    Q(n) = Q_inf - (Q_inf - Q_1) exp(-(n - 1) / N_act)  [- fade (n - 1)]

``Q_1`` is the first discharge, ``Q_inf`` the activated capacity, ``N_act`` the
activation constant in cycles, and the optional linear ``fade`` (capacity per cycle)
separates slow degradation from activation. The fit is an unweighted least-squares fit
through lmfit (a cycler logs capacities without errors), so the covariance is scaled by the
reduced chi-square (the convention of :mod:`redoxmap.fitting`) and ``reduced_chi_square`` is in
(mAh/g)^2: the scatter of the capacities about the law.
``n90``, the number of cycles to 90 % of the activation gain (from ``Q_1`` to
``Q_inf``), is ``1 + N_act ln 10``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from redoxmap.errors import FitError, FitWarning, warn
from redoxmap.fitting import SCALED, at_bound, stderr
from redoxmap.formatting import format_value_error
from redoxmap.results import FitResult

_LN10 = math.log(10.0)


def capacity_rise_curve(n, q_inf, q_1, n_act, fade=0.0):
    """The saturating activation law (with an optional linear fade), vectorised in ``n``."""
    n = np.asarray(n, dtype=float)
    return q_inf - (q_inf - q_1) * np.exp(-(n - 1.0) / n_act) - fade * (n - 1.0)


@dataclass
class CapacityRiseFit(FitResult):
    """Result of :func:`fit_capacity_rise`.

    Values carry standard errors (``nan`` where the covariance could not be estimated; scaled by
    the reduced chi-square, as ``errors`` says); ``r_squared`` and ``reduced_chi_square`` describe
    the fit quality; ``pinned`` names the parameters that ended on a bound of their range.
    """

    name: str
    unit: str
    q_inf: float
    q_inf_stderr: float
    q_1: float
    q_1_stderr: float
    n_act: float
    n_act_stderr: float
    fade: float
    fade_stderr: float
    n90: float
    n90_stderr: float
    r_squared: float
    reduced_chi_square: float
    n_points: int
    cycles: np.ndarray = field(repr=False)
    capacity: np.ndarray = field(repr=False)
    notes: list[str] = field(default_factory=list)
    lmfit_result: object = field(default=None, repr=False, metadata={"serialize": False})
    errors: str = SCALED
    pinned: tuple[str, ...] | None = None

    def predict(self, cycles) -> np.ndarray:
        """Capacity the fitted law gives at ``cycles``."""
        return capacity_rise_curve(cycles, self.q_inf, self.q_1, self.n_act, self.fade)

    title = "Capacity rise"

    def summary(self) -> dict:
        """Scalar results as a plain dict (JSON-ready)."""
        keys = ["name", "unit", "q_inf", "q_inf_stderr", "q_1", "q_1_stderr", "n_act",
                "n_act_stderr", "fade", "fade_stderr", "n90", "n90_stderr", "r_squared",
                "reduced_chi_square", "n_points", "errors"]
        out = {k: getattr(self, k) for k in keys}
        out["notes"] = list(self.notes)
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                for k, v in out.items()}

    def _parameters(self) -> pd.DataFrame:
        """Q_1, Q_inf, N_act, the fade and n90 (derived) with standard errors."""
        return pd.DataFrame([
            {"parameter": label, "value": getattr(self, key), "stderr": getattr(self, f"{key}_stderr"), "unit": unit,
             # n90 follows N_act; a result saved before the flags existed: not known
             "at_bound": pd.NA if self.pinned is None else ("n_act" if key == "n90" else key) in self.pinned}
            for key, label, unit in (("q_1", "Q_1", self.unit), ("q_inf", "Q_inf", self.unit),
                                     ("n_act", "N_act", "cycles"), ("fade", "fade", f"{self.unit} per cycle"),
                                     ("n90", "n90", "cycles"))])

    def statistics(self) -> dict:
        """Cell, cycles fitted, R-squared, reduced chi-square (in the capacity's unit squared), convention."""
        return {"cell": self.name, "cycles": self.n_points, "r_squared": self.r_squared,
                "reduced_chi_square": self.reduced_chi_square, "errors": self.errors}

    def draw_data_and_law(self, ax) -> None:
        """The capacities and the fitted law on ``ax``, the law labelled with N_act and Q_inf, without axis
        titles or legend: what a figure comparing many cells draws of each (a legend redrawn for every cell
        made such a figure quadratic in its cells: 12.8 s of a 250-cell report).

        Parameters
        ----------
        ax : matplotlib.axes.Axes
        """
        (points,) = ax.plot(self.cycles, self.capacity, "o", ms=3 if self.n_points <= 100 else 1)
        n = np.linspace(1, self.cycles.max(), 300)
        ax.plot(n, self.predict(n), "-", color=points.get_color(),
                label=(f"{self.name}: $N_{{act}}$ = {format_value_error(self.n_act, self.n_act_stderr)} cycles, "
                       f"$Q_\\infty$ = {format_value_error(self.q_inf, self.q_inf_stderr)} {self.unit}"))

    def _draw(self, ax) -> None:
        self.draw_data_and_law(ax)
        ax.set_xlabel("Cycle number")
        ax.set_ylabel(f"Discharge capacity ({self.unit.replace('/g', ' g$^{-1}$')})")
        ax.legend(loc="best", fontsize=6.5)

    def _residual(self):
        return self.cycles, self.capacity - self.predict(self.cycles), "Cycle number"


def fit_capacity_rise(
    cycles,
    capacity,
    *,
    name: str = "cell",
    unit: str = "mAh/g",
    linear_fade: bool = False,
) -> CapacityRiseFit:
    """Fit the activation law to discharge capacity against cycle number.

    Parameters
    ----------
    cycles : array-like of int
        Cycle numbers (1 = first cycle).
    capacity : array-like of float
        Discharge capacity per cycle (``nan`` entries are dropped).
    name : str
        Label of the cell.
    unit : str
        Unit of ``capacity``, carried into the result.
    linear_fade : bool
        Also fit a linear fade term.

    Returns
    -------
    CapacityRiseFit

    Raises
    ------
    FitError
        With fewer cycles than parameters + 1, or if the fit fails.

    Warns
    -----
    FitWarning
        When a parameter ends at its bound, the covariance cannot be estimated, or the
        capacity falls rather than rises.

    Examples
    --------
    >>> n = np.arange(1, 41)
    >>> fit = fit_capacity_rise(n, capacity_rise_curve(n, 222.0, 108.2, 8.0))
    >>> round(fit.n_act, 2)
    8.0
    """
    import lmfit

    n = np.asarray(cycles, dtype=float)
    q = np.asarray(capacity, dtype=float)
    keep = np.isfinite(n) & np.isfinite(q) & (n >= 1)
    n, q = n[keep], q[keep]
    n_params = 4 if linear_fade else 3
    if len(n) < n_params + 1:
        raise FitError(f"{name}: {len(n)} cycles with a discharge capacity; the activation "
                       f"fit needs at least {n_params + 1}")
    span = max(float(n.max() - n.min()), 1.0)
    q_scale = float(np.max(np.abs(q))) or 1.0
    q_first, q_last = float(q[np.argmin(n)]), float(np.mean(q[np.argsort(n)[-3:]]))
    gain = (q - q_first) / (q_last - q_first) if q_last != q_first else np.zeros_like(q)
    reached = n[gain >= 1 - math.exp(-1)]
    n_guess = float(np.clip((reached.min() - 1) if len(reached) else span / 3, 0.2, span))

    model = lmfit.Model(capacity_rise_curve, independent_vars=["n"])
    params = model.make_params(q_inf=q_last, q_1=q_first, n_act=n_guess, fade=0.0)
    params["q_inf"].set(min=-10 * q_scale, max=10 * q_scale)
    params["q_1"].set(min=-10 * q_scale, max=10 * q_scale)
    params["n_act"].set(min=1e-3, max=100.0 * span)
    params["fade"].set(vary=linear_fade)
    try:
        result = model.fit(q, params, n=n)
    except (ValueError, TypeError) as exc:
        raise FitError(f"{name}: activation fit failed ({exc})") from exc
    p = result.params
    notes = []
    par = p["n_act"]
    if at_bound(par, rtol=1e-3):
        notes.append(f"N_act ended at its bound ({par.value:.3g} cycles): the data do not "
                     "fix the activation rate (already activated, or still far from saturation)")
    if p["n_act"].stderr is None:
        notes.append("standard errors could not be estimated (singular covariance)")
    if p["q_inf"].value < p["q_1"].value:
        notes.append("capacity falls over the cycles: this describes fade, not activation")
    elif 1.0 + p["n_act"].value * _LN10 > n.max():
        notes.append(f"90 % of the rise would be reached only after cycle {1.0 + p['n_act'].value * _LN10:.0f}, "
                     f"beyond the {n.max():.0f} cycles fitted: Q_inf is an extrapolation")
    for note in notes:
        warn(f"{name}: {note}", FitWarning)
    residual = q - result.best_fit
    total = float(np.sum((q - q.mean()) ** 2))
    n_act, n_act_err = float(p["n_act"].value), stderr(p["n_act"])
    return CapacityRiseFit(
        name=name, unit=unit,
        q_inf=float(p["q_inf"].value), q_inf_stderr=stderr(p["q_inf"]),
        q_1=float(p["q_1"].value), q_1_stderr=stderr(p["q_1"]),
        n_act=n_act, n_act_stderr=n_act_err,
        fade=float(p["fade"].value), fade_stderr=stderr(p["fade"]) if linear_fade else 0.0,
        n90=1.0 + n_act * _LN10, n90_stderr=n_act_err * _LN10,
        r_squared=1.0 - float(np.sum(residual ** 2)) / total if total > 0 else float("nan"),
        reduced_chi_square=float(result.redchi),
        n_points=len(n), cycles=n, capacity=q, notes=notes, lmfit_result=result,
        pinned=tuple(key for key in ("q_inf", "q_1", "n_act") if at_bound(p[key], rtol=1e-3)),
    )


def fit_capacity_rise_from_summary(summary: pd.DataFrame, *, name: str = "cell",
                                linear_fade: bool = False) -> CapacityRiseFit:
    """Fit :func:`fit_capacity_rise` to a :func:`cycle_summary` (mAh/g when the mass is known)."""
    column = ("discharge_capacity_mAh_g" if "discharge_capacity_mAh_g" in summary
              else "discharge_capacity_mAh")
    unit = "mAh/g" if column.endswith("_g") else "mAh"
    return fit_capacity_rise(summary["cycle"], summary[column], name=name, unit=unit,
                          linear_fade=linear_fade)


def compare_capacity_rise(fits: Mapping[str, CapacityRiseFit] | list[CapacityRiseFit]) -> pd.DataFrame:
    """One row per cell with the fitted activation parameters and their errors."""
    items = fits.values() if isinstance(fits, Mapping) else fits
    return pd.DataFrame([fit.summary() for fit in items]).drop(columns=["notes"])
