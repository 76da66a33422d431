"""O K-edge pre-edge: peaks A, B, C, D on an arctan step, and the oxygen activation index.

In a Li-rich layered oxide the O K pre-edge holds peak A (~529.5 eV, Mn4+ 3d - O 2p),
B (~531 eV, oxidised oxygen O^n-, 0 < n < 2), C (Ni2+/Mn eg - O 2p) and D (products of
the cathode-electrolyte reaction); optional components for O bound to reduced TM ("TMred",
~531.6 eV) and for interphase oxyanions ("oxyanion", ~534 eV) keep those from being read as B.
Each is a Gaussian or pseudo-Voigt with bounded, adjustable priors; the edge jump is an arctan
step. The activation index compares B with A and with B of the uncycled material measured in
the same mode:
``r = (b - b0) / a`` by default.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from redoxmap.defaults import O_K_PEAKS, O_K_WINDOW_EV, R_FORMULA
from redoxmap.errors import AnalysisError, DataWarning, FitError, FitWarning, warn
from redoxmap.fitting import SCALED, at_bound, stderr
from redoxmap.palette import COLORS
from redoxmap.results import FitResult


@dataclass(frozen=True)
class PeakPrior:
    """Starting centre and bounds (eV) and the width range (sigma, eV) of one peak."""

    center: float
    low: float
    high: float
    sigma: float = 0.5
    sigma_max: float = 1.5


DEFAULT_PRIORS: dict[str, PeakPrior] = {
    "A": PeakPrior(529.5, 528.8, 530.3),
    "B": PeakPrior(531.0, 530.4, 531.7),
    "C": PeakPrior(532.2, 531.7, 533.0),
    "D": PeakPrior(533.5, 533.0, 534.5),
    # Optional components, fitted when named in ``peaks``: O 2p hybridised with reduced TM (Mn2+/Ni2+ in a
    # rock-salt-like surface, near 531.5 eV, between B and C), so that its growth is not read as oxidised
    # oxygen; and oxygen of interphase oxyanions (sulfate, phosphate, carbonate) above the TM-O pre-edge.
    "TMred": PeakPrior(531.6, 531.2, 532.0, sigma=0.4, sigma_max=1.0),
    "oxyanion": PeakPrior(534.0, 533.4, 535.0, sigma=0.6, sigma_max=1.5),
}
STEP_PRIOR = PeakPrior(536.0, 534.5, 538.5, sigma=1.0, sigma_max=3.0)


@dataclass
class PreEdgeFit(FitResult):
    """Result of :func:`fit_pre_edge`: per-peak centre, height, area and their errors (unweighted:
    a spectrum's noise is not known, so scaled by the reduced chi-square, as ``errors`` says)."""

    peaks: dict[str, dict[str, float]]
    r_squared: float
    reduced_chi_square: float
    energy: np.ndarray = field(repr=False)
    data: np.ndarray = field(repr=False)
    fit: np.ndarray = field(repr=False)
    components: dict[str, np.ndarray] = field(repr=False, default_factory=dict)
    mode: str | None = None
    notes: list[str] = field(default_factory=list)
    errors: str = SCALED
    height_covariance: np.ndarray | None = field(repr=False, default=None)

    title = "O K pre-edge fit"

    def height(self, peak: str) -> tuple[float, float]:
        """Height of a peak and its standard error."""
        return self.peaks[peak]["height"], self.peaks[peak]["height_stderr"]

    def heights_covariance(self, first: str, second: str) -> float:
        """The covariance of two peaks' heights (0 when the fit could not estimate it): A and B share
        the edge step and overlap, so their errors are correlated."""
        names = list(self.peaks)
        if self.height_covariance is None or first not in names or second not in names:
            return 0.0
        value = float(self.height_covariance[names.index(first), names.index(second)])
        return value if np.isfinite(value) else 0.0

    def _parameters(self) -> pd.DataFrame:
        """Centre, height and area of each peak with their standard errors."""
        units = {"center_eV": "eV", "height": "", "area": "eV"}
        errors = {"center_eV": "center_stderr", "height": "height_stderr", "area": "area_stderr"}
        pinned = {"center_eV": "center_at_bound", "height": "area_at_bound", "area": "area_at_bound"}
        return pd.DataFrame([{"parameter": f"{name} {key.removesuffix('_eV')}", "value": values[key],
                              "stderr": values[errors[key]], "unit": units[key],
                              "at_bound": values.get(pinned[key], pd.NA)}  # NA: saved before the flag
                             for name, values in self.peaks.items() for key in units])

    def statistics(self) -> dict:
        """R-squared, reduced chi-square, points, detection mode and the error convention."""
        return {"r_squared": self.r_squared, "reduced_chi_square": self.reduced_chi_square,
                "points": len(self.energy), "mode": self.mode or "", "errors": self.errors}

    def _draw(self, ax) -> None:
        ax.plot(self.energy, self.data, "k.", ms=2, label="data")
        ax.plot(self.energy, self.fit, color=COLORS[1], lw=1.2, label="fit")
        for k, (prefix, component) in enumerate(self.components.items()):
            name = prefix.rstrip("_")
            if name in self.peaks:
                ax.fill_between(self.energy, component, alpha=0.35, color=COLORS[(k + 2) % len(COLORS)],
                                label=f"peak {name}")
        ax.set_xlabel("Energy (eV)")
        ax.set_ylabel("Normalised absorption")
        ax.legend(loc="best", fontsize=6.5)

    def _residual(self):
        return self.energy, self.data - self.fit, "Energy (eV)"


def fit_pre_edge(energy, mu, *, peaks: tuple[str, ...] = O_K_PEAKS,
                 priors: dict[str, PeakPrior] | None = None, shape: str = "gaussian",
                 window: tuple[float, float] = O_K_WINDOW_EV, step: bool = True,
                 mode: str | None = None) -> PreEdgeFit:
    """Fit the O K pre-edge with named peaks on an arctan step (lmfit).

    Parameters
    ----------
    energy, mu : array-like
        A normalised O K-edge spectrum (eV).
    peaks : tuple of str
        Which of the priors to fit.
    priors : dict, optional
        Name -> :class:`PeakPrior`, overriding :data:`DEFAULT_PRIORS`.
    shape : {"gaussian", "pseudo-voigt"}
    window : (float, float)
        Energy range fitted, in eV.
    step : bool
        Include the arctan edge step (only when the window reaches its prior range).
    mode : str, optional
        Detection mode (``"tey"``, ``"tfy"``...), carried into the result.

    Raises
    ------
    AnalysisError, FitError
        Too few points in the window, unknown peak or shape, or a failed fit.

    Notes
    -----
    One function past a screen because the lmfit model built from the priors, the fit and the check of
    each peak against its bounds share the peaks' parameter names, in that order.
    """
    import lmfit

    priors = {**DEFAULT_PRIORS, **(priors or {})}
    unknown = [p for p in peaks if p not in priors]
    if unknown:
        raise AnalysisError(f"no prior for peak(s) {unknown}; known: {', '.join(priors)}")
    if shape not in ("gaussian", "pseudo-voigt"):
        raise AnalysisError("shape must be 'gaussian' or 'pseudo-voigt'")
    energy, mu = np.asarray(energy, float), np.asarray(mu, float)
    inside = (energy >= window[0]) & (energy <= window[1])
    n_params = 3 * len(peaks) + (3 if step else 0) + 1
    if inside.sum() < n_params + 5:
        raise AnalysisError(f"{int(inside.sum())} points in {window[0]}-{window[1]} eV: too few "
                            f"for {n_params} parameters")
    x, y = energy[inside], mu[inside]
    # A step outside the window cannot be determined and would pin the covariance.
    step = step and window[1] > STEP_PRIOR.low
    model = lmfit.models.ConstantModel(prefix="bg_")
    params = model.make_params(c=float(np.min(y[: max(3, len(y) // 10)])))
    if step:
        s = lmfit.models.StepModel(form="arctan", prefix="step_")
        model = model + s
        params.update(s.make_params(amplitude=max(float(y[-5:].mean() - y[:5].mean()), 1e-6) * 0.8,
                                    center=STEP_PRIOR.center, sigma=STEP_PRIOR.sigma))
        params["step_center"].set(min=STEP_PRIOR.low, max=STEP_PRIOR.high)
        params["step_sigma"].set(min=0.1, max=STEP_PRIOR.sigma_max)
        params["step_amplitude"].set(min=0.0)
    top = float(np.ptp(y)) or 1.0
    for name in peaks:
        prior = priors[name]
        cls = lmfit.models.GaussianModel if shape == "gaussian" else lmfit.models.PseudoVoigtModel
        peak = cls(prefix=f"{name}_")
        model = model + peak
        local = y[np.argmin(np.abs(x - prior.center))] - y.min()
        params.update(peak.make_params(center=prior.center, sigma=prior.sigma,
                                       amplitude=max(local, 0.05 * top) * prior.sigma * 2.5))
        params[f"{name}_center"].set(min=prior.low, max=prior.high)
        params[f"{name}_sigma"].set(min=0.1, max=prior.sigma_max)
        params[f"{name}_amplitude"].set(min=0.0)
    try:
        result = model.fit(y, params, x=x)
    except (ValueError, TypeError) as exc:
        raise FitError(f"O K pre-edge fit failed ({exc})") from exc
    p = result.params
    notes = []
    table = {}
    def value(name, key):
        par = p[f"{name}_{key}"]
        return float(par.value), stderr(par)

    for name in peaks:
        center, center_err = value(name, "center")
        height, height_err = value(name, "height")
        area, area_err = value(name, "amplitude")
        table[name] = {"center_eV": center, "center_stderr": center_err, "height": height,
                       "height_stderr": height_err, "area": area, "area_stderr": area_err,
                       # the centre's prior range; the area's zero (a peak the data do not hold)
                       "center_at_bound": at_bound(p[f"{name}_center"], atol=1e-3),
                       "area_at_bound": at_bound(p[f"{name}_amplitude"], atol=1e-9)}
        for key in ("center", "sigma"):
            par = p[f"{name}_{key}"]
            if at_bound(par, atol=1e-3):
                notes.append(
                    f"peak {name} {key} ended at its bound ({par.value:.3f}): widen its prior or drop the peak"
                )
    if step:
        for key in ("center", "sigma"):
            par = p[f"step_{key}"]
            if at_bound(par, atol=1e-3):
                notes.append(f"edge step {key} ended at its bound ({par.value:.3f}): widen the window or its prior")
    if any(p[name].stderr is None for name in p if p[name].vary):
        notes.append("standard errors could not be estimated (a parameter is not determined by the data)")
    for note in notes:
        warn(note, FitWarning)
    residual = y - result.best_fit
    return PreEdgeFit(
        peaks=table, r_squared=1 - float(np.sum(residual ** 2) / np.sum((y - y.mean()) ** 2)),
        reduced_chi_square=float(result.redchi), energy=x, data=y, fit=result.best_fit,
        components=result.eval_components(x=x), mode=mode, notes=notes,
        height_covariance=_height_covariance(result, peaks),
    )


def _height_covariance(result, peaks) -> np.ndarray | None:
    """The covariance matrix of the peaks' heights from the fit's correlated parameters (lmfit's uvars).

    Computed here as J·diag(σ²)·Jᵀ over the independent variables in the order the heights name them, not by
    ``uncertainties.covariance_matrix``, whose sums run in an order that changes from process to process
    (the same fit then differs in its last bits, and a report would redraw its figures)."""
    found = getattr(result, "uvars", None) or {}
    heights = [found.get(f"{name}_height") for name in peaks]
    if any(h is None or not hasattr(h, "derivatives") for h in heights):
        return None
    variables = list(dict.fromkeys(v for h in heights for v in h.derivatives))
    jacobian = np.array([[h.derivatives.get(v, 0.0) for v in variables] for h in heights], float).reshape(
        len(heights), len(variables))
    sigma2 = np.array([v.std_dev ** 2 for v in variables], float)
    return (jacobian * sigma2) @ jacobian.T


FORMULAS = {
    "(b-b0)/a": lambda a, b, b0: (b - b0) / a,
    "b/a": lambda a, b, b0: b / a,
    "(b-b0)/b0": lambda a, b, b0: (b - b0) / b0,
}


def activation_index(fit: PreEdgeFit, pristine: PreEdgeFit | None = None, *,
                     formula: str = R_FORMULA) -> tuple[float, float]:
    """Oxygen activation index and its standard error (first-order propagation).

    ``a`` and ``b`` are the heights of peaks A and B; ``b0`` is B of the uncycled
    material. A warning is given when ``b0`` comes from another detection mode.
    """
    if formula not in FORMULAS:
        raise AnalysisError(f"unknown formula {formula!r}; use one of {', '.join(FORMULAS)}")
    for peak in ("A", "B"):
        if peak not in fit.peaks:
            raise AnalysisError(f"the fit has no peak {peak}; fit peaks A and B for the index")
    a, sa = fit.height("A")
    b, sb = fit.height("B")
    b0, sb0 = (0.0, 0.0)
    if "b0" in formula:
        if pristine is None or "B" not in pristine.peaks:
            raise AnalysisError(f"the formula {formula} needs the pristine spectrum's peak B")
        b0, sb0 = pristine.height("B")
        if fit.mode and pristine.mode and fit.mode != pristine.mode:
            warn(f"b0 comes from the {pristine.mode} spectrum but the sample is {fit.mode}: "
                          "the probing depths differ, so r mixes surface and bulk", DataWarning)
    function = FORMULAS[formula]
    value = function(a, b, b0)
    # Numerical derivatives, then first-order propagation with the covariance of a and b (one fit, so
    # correlated) and b0's variance (another spectrum's fit, so independent of both).
    point = np.array([a, b, b0], dtype=float)
    gradient = np.zeros(3)
    for i in range(3):
        h = 1e-6 * max(abs(point[i]), 1e-6)
        up, down = point.copy(), point.copy()
        up[i] += h
        down[i] -= h
        gradient[i] = (function(*up) - function(*down)) / (2 * h)
    covariance = np.diag(np.nan_to_num(np.array([sa, sb, sb0], float)) ** 2)
    covariance[0, 1] = covariance[1, 0] = fit.heights_covariance("A", "B")
    stderr = float(np.sqrt(max(gradient @ covariance @ gradient, 0.0)))
    return float(value), stderr
