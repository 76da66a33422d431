"""Distribution of relaxation times by Tikhonov regularisation, with lambda chosen by GCV.

``Z(w) = R_inf + i w L + integral gamma(ln tau) / (1 + i w tau) d ln tau`` is discretised on a
log grid of tau one decade wider than the measured range each side; gamma >= 0 is found
by non-negative least squares on the |Z|-weighted real and imaginary parts stacked with
``sqrt(lambda)`` times a second-difference operator. lambda minimises the generalised
cross-validation function of the (unconstrained) regularised problem (Golub, Heath and
Wahba, Technometrics 21, 215, 1979), over a log grid. Peaks of gamma give the time
constants; their areas (in ohm) are the resistances of the processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import nnls
from scipy.signal import find_peaks

from redoxmap.errors import AnalysisError
from redoxmap.results import FitResult


@dataclass
class DrtResult(FitResult):
    """A distribution of relaxation times.

    Attributes
    ----------
    tau_s, gamma_ohm : numpy.ndarray
        The grid and gamma(ln tau) (ohm per unit ln tau).
    r_inf_ohm, inductance_H : float
    lambda_ : float
        The regularisation parameter used, and how it was chosen (``method``).
    peaks : pandas.DataFrame
        ``tau_s``, ``f_Hz`` (= 1/(2 pi tau)), ``gamma_ohm``, ``R_ohm`` (area between the
        neighbouring minima).
    frequency_Hz, z_data, z_fit : numpy.ndarray
        The spectrum and the impedance the distribution gives back.
    """

    bounded = False  # a regularised inversion: no parameter has a bound

    tau_s: np.ndarray = field(repr=False)
    gamma_ohm: np.ndarray = field(repr=False)
    r_inf_ohm: float
    inductance_H: float
    lambda_: float
    method: str
    peaks: pd.DataFrame
    frequency_Hz: np.ndarray = field(repr=False)
    z_fit: np.ndarray = field(repr=False)
    z_data: np.ndarray = field(repr=False, default=None)

    title = "Distribution of relaxation times"

    def _parameters(self) -> pd.DataFrame:
        """R_inf, the inductance, and each peak's time constant and resistance (a regularised
        inversion has no standard errors: its ``lambda_`` sets the smoothness instead)."""
        rows = [{"parameter": "R_inf", "value": self.r_inf_ohm, "stderr": np.nan, "unit": "Ω"},
                {"parameter": "L", "value": self.inductance_H, "stderr": np.nan, "unit": "H"}]
        for k, peak in enumerate(self.peaks.itertuples(index=False), start=1):
            rows += [{"parameter": f"peak {k} tau", "value": peak.tau_s, "stderr": np.nan, "unit": "s"},
                     {"parameter": f"peak {k} R", "value": peak.R_ohm, "stderr": np.nan, "unit": "Ω"}]
        return pd.DataFrame(rows)

    def statistics(self) -> dict:
        """Regularisation (lambda and how it was chosen), points, and the relative misfit of Z."""
        stats = {"lambda": self.lambda_, "lambda_method": self.method, "points": len(self.frequency_Hz),
                 "peaks": len(self.peaks)}
        if self.z_data is not None:
            relative = np.abs(self.z_data - self.z_fit) / np.abs(self.z_data)
            stats["rms_relative_residual"] = float(np.sqrt(np.mean(relative ** 2)))
        return stats

    def _draw(self, ax) -> None:
        (line,) = ax.semilogx(self.tau_s, self.gamma_ohm, lw=1.1)  # the axes' next colour: DRTs overlay
        ax.plot(self.peaks["tau_s"], self.peaks["gamma_ohm"], "v", color=line.get_color(), ms=4)
        ax.set_xlabel("τ (s)")
        ax.set_ylabel("γ (Ω)")

    def _residual(self):
        if self.z_data is None:
            return None
        return self.frequency_Hz, 100 * (self.z_data - self.z_fit).real / np.abs(self.z_data), "Frequency (Hz)"


def _second_difference(n: int) -> np.ndarray:
    D = np.zeros((n - 2, n))
    for i in range(n - 2):
        D[i, i:i + 3] = (1.0, -2.0, 1.0)
    return D


def gcv_curve(A: np.ndarray, b: np.ndarray, L: np.ndarray, lambdas: np.ndarray) -> np.ndarray:
    """GCV(lambda) = n |(I - H) b|^2 / tr(I - H)^2 of the regularised least-squares problem."""
    n = len(b)
    AtA, Atb, LtL = A.T @ A, A.T @ b, L.T @ L
    values = []
    for lam in lambdas:
        M = np.linalg.solve(AtA + lam * LtL, np.column_stack([Atb, A.T]))
        residual = b - A @ M[:, 0]
        trace = n - np.trace(A @ M[:, 1:])
        values.append(n * residual @ residual / trace ** 2)
    return np.array(values)


MAX_TAU_PER_DECADE = 40  # the kernel 1/(1 + i w tau) is a decade wide: a finer grid resolves nothing more
MAX_POINTS = 5000  # frequencies, and tau points: the design matrix is their product (5000^2 x 16 B = 400 MB)


def drt(frequency_Hz, z, *, n_tau: int | None = None, lambda_: float | None = None,
        inductance: bool = True, min_prominence: float = 0.02) -> DrtResult:
    """Distribution of relaxation times of a spectrum.

    Parameters
    ----------
    frequency_Hz, z : array-like
    n_tau : int, optional
        Points of the tau grid (default: twice the frequencies, at least 60 and at most
        ``MAX_TAU_PER_DECADE`` per decade of the grid; at most ``MAX_POINTS``).
    lambda_ : float, optional
        Regularisation parameter; chosen by GCV when omitted.
    inductance : bool
        Fit a series inductance.
    min_prominence : float
        Peaks smaller than this fraction of the largest are ignored.
    """
    f = np.asarray(frequency_Hz, float)
    z = np.asarray(z, complex)
    if len(f) < 8:
        raise AnalysisError(f"{len(f)} points are too few for a DRT")
    if not np.all(np.isfinite(f) & (f > 0)) or not np.all(np.isfinite(z)):
        raise AnalysisError("a DRT needs positive, finite frequencies and finite impedances")
    if len(f) > MAX_POINTS or (n_tau or 0) > MAX_POINTS:
        raise AnalysisError(f"{max(len(f), n_tau or 0):,} points: a DRT here takes at most {MAX_POINTS:,} frequencies "
                            "and grid points (its matrices grow with their product)")
    w = 2 * np.pi * f
    grid_decades = np.log10(w.max() / w.min()) + 2
    n = n_tau or int(max(60, min(2 * len(f), MAX_TAU_PER_DECADE * grid_decades)))
    tau = np.logspace(np.log10(1 / w.max()) - 1, np.log10(1 / w.min()) + 1, n)
    d_ln_tau = np.log(tau[1] / tau[0])
    kernel = d_ln_tau / (1 + 1j * np.outer(w, tau))
    columns = [np.ones((len(f), 1), complex), kernel] + ([(1j * w)[:, None]] if inductance else [])
    A_complex = np.hstack(columns)
    weight = 1 / np.abs(z)
    A = np.vstack([A_complex.real * weight[:, None], A_complex.imag * weight[:, None]])
    b = np.concatenate([z.real * weight, z.imag * weight])
    # Scale the inductance column so that its size is comparable with the others.
    scale = np.ones(A.shape[1])
    if inductance:
        scale[-1] = 1 / w.max()
        A = A * scale
    L = np.zeros((n - 2, A.shape[1]))
    L[:, 1:n + 1] = _second_difference(n)
    if lambda_ is None:
        lambdas = np.logspace(-7, 0, 36)
        lambda_ = float(lambdas[int(np.argmin(gcv_curve(A, b, L, lambdas)))])
        method = "GCV"
    else:
        method = "given"
    x, _ = nnls(np.vstack([A, np.sqrt(lambda_) * L]), np.concatenate([b, np.zeros(len(L))]), maxiter=50 * A.shape[1])
    x = x * scale
    gamma = x[1:n + 1]
    z_fit = A_complex @ x
    return DrtResult(tau, gamma, float(x[0]), float(x[-1]) if inductance else 0.0, lambda_, method,
                     _peaks(tau, gamma, d_ln_tau, min_prominence), f, z_fit, z)


def _peaks(tau, gamma, d_ln_tau, min_prominence) -> pd.DataFrame:
    if gamma.max() <= 0:
        return pd.DataFrame(columns=["tau_s", "f_Hz", "gamma_ohm", "R_ohm"])
    index, _ = find_peaks(np.concatenate([[0.0], gamma, [0.0]]), prominence=min_prominence * gamma.max())
    index = index - 1
    rows = []
    for k, i in enumerate(index):
        lo = index[k - 1] if k > 0 else 0
        hi = index[k + 1] if k + 1 < len(index) else len(gamma) - 1
        left = lo + int(np.argmin(gamma[lo:i + 1])) if k > 0 else 0
        right = i + int(np.argmin(gamma[i:hi + 1])) if k + 1 < len(index) else len(gamma) - 1
        rows.append({"tau_s": tau[i], "f_Hz": 1 / (2 * np.pi * tau[i]), "gamma_ohm": gamma[i],
                     "R_ohm": float(gamma[left:right + 1].sum() * d_ln_tau)})
    return pd.DataFrame(rows)
