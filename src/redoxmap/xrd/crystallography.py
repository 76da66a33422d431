"""Bragg's law, d-spacings of lattices, and lattice parameters from indexed peaks.

Lattice parameters are refined against the fitted peak positions in 2theta, weighted by
their standard errors (``scipy.optimize.least_squares``), with an optional zero shift
and/or sample displacement (``delta 2theta = z - 2 (s / R) cos theta``, ``s/R`` refined as
one number) where there are more peaks than parameters. The linear solution in the
reciprocal metric (``1/d^2`` is linear in it) is the starting point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from redoxmap.errors import AnalysisError
from redoxmap.fitting import KNOWN, error_scale
from redoxmap.palette import COLORS
from redoxmap.results import FitResult

SYSTEMS = {
    "cubic": ("a",),
    "hexagonal": ("a", "c"),  # also R-3m in the hexagonal setting
    "tetragonal": ("a", "c"),
    "orthorhombic": ("a", "b", "c"),
    "monoclinic": ("a", "b", "c", "beta"),  # b unique (C2/m)
}
SPACE_GROUP_SYSTEMS = {"R-3m": "hexagonal", "P63/mmc": "hexagonal", "P-3m1": "hexagonal", "C2/m": "monoclinic",
                       "C2/c": "monoclinic", "Fd-3m": "cubic", "Fm-3m": "cubic", "Pmmn": "orthorhombic"}


def d_spacing(two_theta_deg, wavelength_A: float):
    """Bragg d-spacing (Angstrom) of a reflection at ``two_theta_deg``: ``lambda / (2 sin theta)``."""
    theta = np.radians(np.asarray(two_theta_deg, float)) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return wavelength_A / (2 * np.sin(theta))


def d_spacing_stderr(two_theta_deg, two_theta_stderr_deg, wavelength_A: float):
    """Standard error of :func:`d_spacing`: ``d cot(theta) sigma_theta``."""
    theta = np.radians(np.asarray(two_theta_deg, float)) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return d_spacing(two_theta_deg, wavelength_A) / np.tan(theta) * np.radians(
            np.asarray(two_theta_stderr_deg, float)) / 2


def two_theta(d_A, wavelength_A: float):
    """2theta (degrees) of a reflection with spacing ``d_A``; NaN where ``lambda > 2d``."""
    ratio = wavelength_A / (2 * np.asarray(d_A, float))
    with np.errstate(invalid="ignore"):
        return np.degrees(2 * np.arcsin(np.where(ratio <= 1, ratio, np.nan)))


def _as_params(system: str, values) -> dict:
    return dict(zip(SYSTEMS[system], (float(v) for v in values)))


def inverse_d_squared(hkl, system: str, params: dict) -> np.ndarray:
    """``1/d^2`` (1/Angstrom^2) of reflections ``hkl`` (shape ``(n, 3)``) in a lattice."""
    h, k, l = np.asarray(hkl, float).T
    if system == "cubic":
        return (h ** 2 + k ** 2 + l ** 2) / params["a"] ** 2
    if system == "hexagonal":
        return 4 / 3 * (h ** 2 + h * k + k ** 2) / params["a"] ** 2 + l ** 2 / params["c"] ** 2
    if system == "tetragonal":
        return (h ** 2 + k ** 2) / params["a"] ** 2 + l ** 2 / params["c"] ** 2
    if system == "orthorhombic":
        return h ** 2 / params["a"] ** 2 + k ** 2 / params["b"] ** 2 + l ** 2 / params["c"] ** 2
    if system == "monoclinic":
        beta = np.radians(params["beta"])
        s2 = np.sin(beta) ** 2
        return (h ** 2 / (params["a"] ** 2 * s2) + k ** 2 / params["b"] ** 2 + l ** 2 / (params["c"] ** 2 * s2)
                - 2 * h * l * np.cos(beta) / (params["a"] * params["c"] * s2))
    raise AnalysisError(f"unknown crystal system {system!r} (one of {', '.join(SYSTEMS)})")


def d_of(hkl, system: str, params: dict) -> np.ndarray:
    """d-spacings (Angstrom) of reflections ``hkl`` in a lattice."""
    return 1 / np.sqrt(inverse_d_squared(np.atleast_2d(hkl), system, params))


def _linear_start(hkl, d, system: str) -> dict:
    """Lattice parameters from the reciprocal metric, linear in 1/d^2 (unweighted start)."""
    h, k, l = np.asarray(hkl, float).T
    q = 1 / np.asarray(d, float) ** 2
    columns = {"cubic": [h ** 2 + k ** 2 + l ** 2], "hexagonal": [4 / 3 * (h ** 2 + h * k + k ** 2), l ** 2],
               "tetragonal": [h ** 2 + k ** 2, l ** 2], "orthorhombic": [h ** 2, k ** 2, l ** 2],
               "monoclinic": [h ** 2, k ** 2, l ** 2, h * l]}[system]
    A = np.column_stack(columns)
    if np.linalg.matrix_rank(A) < A.shape[1]:
        raise AnalysisError(f"the indexed peaks {[tuple(int(v) for v in r) for r in np.asarray(hkl)]} do not "
                            f"determine a {system} lattice ({', '.join(SYSTEMS[system])}): add peaks with "
                            "other indices")
    x = np.linalg.lstsq(A, q, rcond=None)[0]
    if system == "monoclinic":
        a_star2, b_star2, c_star2, cross = x
        cos_beta_star = cross / (2 * np.sqrt(a_star2 * c_star2))
        sin_beta_star = np.sqrt(max(1 - cos_beta_star ** 2, 1e-12))
        return {"a": 1 / (np.sqrt(a_star2) * sin_beta_star), "b": 1 / np.sqrt(b_star2),
                "c": 1 / (np.sqrt(c_star2) * sin_beta_star), "beta": 180 - np.degrees(np.arccos(cos_beta_star))}
    return _as_params(system, 1 / np.sqrt(np.abs(x)))


@dataclass
class LatticeFit(FitResult):
    """Refined lattice parameters.

    Attributes
    ----------
    system : str
    params, stderr : dict
        Lattice parameters (Angstrom, beta in degrees) and, where refined, ``zero_shift_deg``
        and ``displacement`` (s/R); standard errors from the peaks' errors, scaled by
        sqrt(max(1, reduced chi-square)) (the convention of :mod:`redoxmap.fitting`).
    reduced_chi_square : float
        Of the 2theta residuals in units of their standard errors (NaN with no spare peak).
    peaks : pandas.DataFrame
        ``hkl``, observed and calculated 2theta and d, residual.
    """

    bounded = False  # an unbounded least-squares refinement

    system: str
    params: dict
    stderr: dict
    reduced_chi_square: float
    peaks: pd.DataFrame

    title = "Lattice refinement"

    def summary(self) -> dict:
        """Parameters, errors and fit quality as plain numbers (a flat, JSON-ready dict)."""
        def clean(v):
            return None if v is None or not np.isfinite(v) else float(v)
        return {"system": self.system, "params": {k: clean(v) for k, v in self.params.items()},
                "stderr": {k: clean(v) for k, v in self.stderr.items()},
                "reduced_chi_square": clean(self.reduced_chi_square)}

    def _parameters(self) -> pd.DataFrame:
        """The cell parameters (and zero shift, displacement where refined) with standard errors."""
        def unit(name):
            return "deg" if name.endswith("_deg") or name in ("alpha", "beta", "gamma") else (
                "" if name == "displacement" else "Å")
        return pd.DataFrame([{"parameter": k, "value": v, "stderr": self.stderr.get(k, np.nan), "unit": unit(k)}
                             for k, v in self.params.items()])

    def statistics(self) -> dict:
        """Crystal system, reflections used, reduced chi-square of the positions, error convention."""
        return {"system": self.system, "reflections": len(self.peaks),
                "reduced_chi_square": self.reduced_chi_square, "errors": KNOWN}

    def _draw(self, ax) -> None:
        """Observed minus calculated position of each reflection, labelled by its indices."""
        ax.axhline(0, color="0.6", lw=0.5)
        ax.plot(self.peaks["two_theta_obs_deg"], 1e3 * self.peaks["residual_deg"], "o", color=COLORS[0])
        for x, y, hkl in zip(self.peaks["two_theta_obs_deg"], 1e3 * self.peaks["residual_deg"], self.peaks["hkl"]):
            ax.annotate(f"({hkl.replace(' ', '')})", (x, y), xytext=(2, 3), textcoords="offset points", fontsize=6.5)
        ax.set_xlabel("2θ (°)")
        ax.set_ylabel("Observed − calculated 2θ (m°)")
        shown = ", ".join(f"{k} = {v:.5g}" for k, v in self.params.items() if k in ("a", "b", "c"))
        ax.set_title(f"{self.system}: {shown} Å", loc="left", fontsize=8)


def fit_lattice(hkl, two_theta_deg, two_theta_stderr_deg, *, wavelength_A: float, system: str,
                zero_shift: bool = False, displacement: bool = False) -> LatticeFit:
    """Lattice parameters by least squares from indexed peak positions.

    Parameters
    ----------
    hkl : array-like
        Miller indices, shape ``(n, 3)`` (hexagonal setting for R-3m).
    two_theta_deg, two_theta_stderr_deg : array-like
        Fitted K-alpha1 positions and their standard errors (degrees).
    wavelength_A : float
    system : str
        A key of :data:`SYSTEMS`, or a space group of :data:`SPACE_GROUP_SYSTEMS`.
    zero_shift, displacement : bool
        Also refine a 2theta zero shift and/or a sample displacement.

    Raises
    ------
    AnalysisError
        With fewer peaks than parameters, or peaks whose indices cannot fix the lattice.
    """
    system = SPACE_GROUP_SYSTEMS.get(system, system)
    if system not in SYSTEMS:
        raise AnalysisError(f"unknown crystal system or space group {system!r}")
    hkl = np.atleast_2d(np.asarray(hkl, float))
    observed = np.asarray(two_theta_deg, float)
    errors = np.asarray(two_theta_stderr_deg, float)
    errors = np.where(np.isfinite(errors) & (errors > 0), errors, np.nanmedian(errors[errors > 0])
                      if np.any(errors > 0) else 0.01)
    names = list(SYSTEMS[system]) + (["zero_shift_deg"] if zero_shift else []) + (
        ["displacement"] if displacement else [])
    if len(observed) < len(names):
        raise AnalysisError(f"{len(observed)} peaks cannot fix {len(names)} parameters ({', '.join(names)})")
    start = _linear_start(hkl, d_spacing(observed, wavelength_A), system)
    n_lattice = len(SYSTEMS[system])
    theta = np.radians(observed) / 2

    def calculated(x):
        lattice = _as_params(system, x[:n_lattice])
        result = two_theta(d_of(hkl, system, lattice), wavelength_A)
        extra = list(x[n_lattice:])
        if zero_shift:
            result = result + extra.pop(0)
        if displacement:
            result = result - np.degrees(2 * extra.pop(0) * np.cos(theta))
        return result

    x0 = np.array(list(start.values()) + [0.0] * (len(names) - n_lattice))
    solution = least_squares(lambda x: (calculated(x) - observed) / errors, x0, method="lm" if len(observed) > len(x0)
                             else "trf", x_scale="jac")
    dof = len(observed) - len(names)
    chi2 = float(np.sum(solution.fun ** 2))
    reduced = chi2 / dof if dof > 0 else float("nan")
    try:
        covariance = np.linalg.inv(solution.jac.T @ solution.jac) * error_scale(reduced, errors_known=True, dof=dof)
        errs = np.sqrt(np.clip(np.diag(covariance), 0, None))
    except np.linalg.LinAlgError:
        errs = np.full(len(names), np.nan)
    params = dict(zip(names, (float(v) for v in solution.x)))
    calc = calculated(solution.x)
    lattice = _as_params(system, solution.x[:n_lattice])
    peaks = pd.DataFrame({"hkl": [" ".join(str(int(v)) for v in row) for row in hkl],
                          "two_theta_obs_deg": observed, "two_theta_calc_deg": calc,
                          "residual_deg": observed - calc, "d_obs_A": d_spacing(observed, wavelength_A),
                          "d_calc_A": d_of(hkl, system, lattice)})
    return LatticeFit(system, params, dict(zip(names, (float(e) for e in errs))), reduced, peaks)


def c_from_003(two_theta_deg, two_theta_stderr_deg, wavelength_A: float):
    """The quick estimate ``c = 3 d(003)`` of an R-3m layered oxide, with its standard error."""
    return (3 * d_spacing(two_theta_deg, wavelength_A),
            3 * d_spacing_stderr(two_theta_deg, two_theta_stderr_deg, wavelength_A))


def zero_shift_from_reference(observed_deg, reference_d_A, wavelength_A: float):
    """The 2theta shift (observed minus expected, degrees) that a reference peak of known d shows."""
    return np.asarray(observed_deg, float) - two_theta(reference_d_A, wavelength_A)


@dataclass
class InstrumentCorrection:
    """A zero shift ``z`` (degrees) and a sample displacement ``s/R`` found from an internal standard.

    The observed position of a peak is ``2theta_true + z - 2 (s/R) cos(theta)`` (in radians for
    the displacement term); :meth:`apply` removes both from measured angles.
    """

    zero_shift_deg: float
    displacement: float
    zero_shift_stderr_deg: float
    displacement_stderr: float

    def apply(self, two_theta_deg) -> np.ndarray:
        """Corrected angles (degrees); the displacement term is evaluated at the corrected angle
        (two passes: it changes the angle by a few thousandths of a degree)."""
        angles = np.asarray(two_theta_deg, float)
        corrected = angles
        for _ in range(2):
            corrected = (
                angles - self.zero_shift_deg + np.degrees(2 * self.displacement * np.cos(np.radians(corrected) / 2))
            )
        return corrected


def instrument_correction(observed_deg, reference_d_A, wavelength_A: float, *, displacement: bool = True,
                          stderr_deg=None) -> InstrumentCorrection:
    """Zero shift (and displacement) from peaks of an internal standard of known d (e.g. Si, LaB6).

    Linear least squares of ``observed - expected = z - 2 (s/R) cos(theta)``; one peak gives the
    zero shift only.
    """
    observed = np.asarray(observed_deg, float)
    expected = two_theta(reference_d_A, wavelength_A)
    shift = observed - expected
    theta = np.radians(expected) / 2  # the displacement term belongs to the true angle
    use_displacement = displacement and len(observed) >= 2
    A = np.column_stack([np.ones_like(observed)] + ([np.degrees(-2 * np.cos(theta))] if use_displacement else []))
    weights = 1 / np.asarray(stderr_deg, float) if stderr_deg is not None else np.ones_like(observed)
    solution, residual, *_ = np.linalg.lstsq(A * weights[:, None], shift * weights, rcond=None)
    dof = len(observed) - A.shape[1]
    reduced = float(residual[0]) / dof if dof > 0 and len(residual) else float("nan")
    if stderr_deg is not None:
        scale = error_scale(reduced, errors_known=True, dof=dof)
    else:  # no errors given: equal weights, the residuals estimate the noise (none without a spare peak)
        scale = reduced if np.isfinite(reduced) else 0.0
    covariance = np.linalg.inv((A * weights[:, None]).T @ (A * weights[:, None])) * scale
    errors = np.sqrt(np.diag(covariance))
    return InstrumentCorrection(float(solution[0]), float(solution[1]) if use_displacement else 0.0,
                                float(errors[0]), float(errors[1]) if use_displacement else float("nan"))
