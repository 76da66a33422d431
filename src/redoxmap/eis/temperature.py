"""Activation energies of resistances from their temperature dependence."""

from __future__ import annotations

import numpy as np

from redoxmap.errors import AnalysisError
from redoxmap.fitting import error_scale

BOLTZMANN_EV = 8.617333262e-5  # eV/K


def arrhenius(temperature_C, resistance_ohm, stderr_ohm=None) -> tuple[float, float]:
    """Activation energy (eV) and its standard error from ``ln(1/R) = ln A - Ea / (k T)``."""
    t = np.asarray(temperature_C, float) + 273.15
    r = np.asarray(resistance_ohm, float)
    if len(np.unique(t)) < 2:
        raise AnalysisError("an Arrhenius fit needs at least two temperatures")
    x = 1 / (BOLTZMANN_EV * t)
    y = -np.log(r)
    sigma = (np.asarray(stderr_ohm, float) / r) if stderr_ohm is not None else np.ones_like(r)
    sigma = np.where(np.isfinite(sigma) & (sigma > 0), sigma, np.nanmedian(sigma[sigma > 0]) if np.any(sigma > 0)
                     else 1.0)
    if len(x) <= 2:
        slope = np.polyfit(x, y, 1)[0]
        return float(-slope), float("nan")
    (slope, intercept), cov = np.polyfit(x, y, 1, w=1 / sigma, cov="unscaled")
    reduced = float(np.sum(((y - slope * x - intercept) / sigma) ** 2) / (len(x) - 2))
    known = stderr_ohm is not None  # the resistances' own errors; else equal weights (redoxmap.fitting)
    cov = cov * error_scale(reduced, errors_known=known, dof=len(x) - 2)
    return float(-slope), float(np.sqrt(cov[0, 0])) if np.isfinite(cov[0, 0]) else float("nan")
