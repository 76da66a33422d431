"""K-edge valence from the edge position: E0 of references against valence, a line, the unknown."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from redoxmap.errors import AnalysisError


@dataclass
class EdgeCalibration:
    """The line valence = intercept + slope * E0 fitted to references, with its covariance."""

    slope_per_eV: float
    intercept: float
    covariance: np.ndarray
    residual_std: float
    e0_eV: np.ndarray
    valences: np.ndarray

    def valence(self, e0_eV: float, *, e0_stderr_eV: float = 0.0) -> tuple[float, float]:
        """Valence at an edge energy and its standard error.

        The error combines the line's parameter covariance, the scatter of the references
        about the line, and the uncertainty of the unknown's E0.
        """
        x = np.array([1.0, e0_eV])
        value = float(self.intercept + self.slope_per_eV * e0_eV)
        variance = x @ self.covariance @ x + self.residual_std ** 2 + (self.slope_per_eV * e0_stderr_eV) ** 2
        return value, float(math.sqrt(variance))


def calibrate_edge_position(e0_eV, valences) -> EdgeCalibration:
    """Least-squares line through reference (E0, valence) pairs.

    Raises
    ------
    AnalysisError
        With fewer than three references or references that share one E0.
    """
    e0 = np.asarray(e0_eV, float)
    v = np.asarray(valences, float)
    if len(e0) < 3:
        raise AnalysisError("the edge-position calibration needs at least three references")
    if np.ptp(e0) < 1e-6:
        raise AnalysisError("the references share one edge energy: no calibration possible")
    X = np.column_stack([np.ones_like(e0), e0])
    coef, *_ = np.linalg.lstsq(X, v, rcond=None)
    residual = v - X @ coef
    dof = len(v) - 2
    sigma2 = float(residual @ residual / dof) if dof > 0 else 0.0
    cov = sigma2 * np.linalg.inv(X.T @ X)
    return EdgeCalibration(float(coef[1]), float(coef[0]), cov, math.sqrt(sigma2), e0, v)
