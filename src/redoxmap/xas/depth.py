"""Surface and bulk from two detection modes: a two-layer inversion.

A mode with probing depth lambda weights depth z by ``exp(-z / lambda)``. For a surface
layer of thickness ``d`` with value X_s over a bulk with value X_b, the mode sees
``X = f X_s + (1 - f) X_b`` with ``f = 1 - exp(-d / lambda)``. Two modes (TEY, about
4 nm; iPFY or TFY, 100-200 nm) give two equations; the asynchrony is ``X_s - X_b``.

The layer thickness and the probing depths are known only roughly (TEY 2-5 nm in oxides, the
bulk modes 100-300 nm by composition and geometry), and an inversion amplifies both them and the
values' errors: the layer's value is ``(X_TEY - (1 - f) X_b) / f`` with ``f`` about 0.7. So the
errors here come from drawing the two values, the thickness and both depths from their errors
(normal, truncated at zero for lengths) and inverting each draw, bounded to the physical range of
the quantity (r >= 0, a valence within its references'): a solution outside the range is the
nearest one inside, in the metric of the two values' errors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from redoxmap.defaults import BULK_DEPTH_NM, FLUORESCENCE_ANGLE_DEG, SURFACE_LAYER_NM, TEY_DEPTH_NM
from redoxmap.errors import AnalysisError, MissingDependencyError

DRAWS = 4000


@dataclass
class DepthResult:
    """Surface-layer and bulk values with standard errors.

    Attributes
    ----------
    surface, surface_stderr, bulk, bulk_stderr, asynchrony, asynchrony_stderr : float
        The inverted values (bounded) and their standard errors over the draws (half the central 68 %).
    layer_nm : float
    depths_nm : tuple of float
        The probing depths of the surface and the bulk mode.
    at_bound : str
        Which value the bounds held (``"surface"``, ``"bulk"``, ``"both"`` or ``""``).
    """

    surface: float
    surface_stderr: float
    bulk: float
    bulk_stderr: float
    asynchrony: float
    asynchrony_stderr: float
    layer_nm: float
    depths_nm: tuple[float, float]
    at_bound: str = ""

    def summary(self) -> dict:
        """Layer and bulk values, their errors, the layer thickness and probing depths (flat dict)."""
        return {k: getattr(self, k) for k in ("surface", "surface_stderr", "bulk", "bulk_stderr",
                                               "asynchrony", "asynchrony_stderr", "layer_nm", "at_bound")} | {
            "probing_depths_nm": list(self.depths_nm)}


def _invert(seen_surface, seen_bulk, s_err, b_err, layer, depth_surface, depth_bulk, bounds):
    """Bounded two-layer solutions of arrays of draws."""
    f_s = 1 - np.exp(-layer / depth_surface)
    f_b = 1 - np.exp(-layer / depth_bulk)
    determinant = f_s * (1 - f_b) - f_b * (1 - f_s)  # = f_s - f_b
    surface = ((1 - f_b) * seen_surface - (1 - f_s) * seen_bulk) / determinant
    bulk = (f_s * seen_bulk - f_b * seen_surface) / determinant
    low, high = bounds
    outside = (surface < low) | (surface > high) | (bulk < low) | (bulk > high)
    if np.any(outside):
        # Nearest feasible point: fix the offending value at its bound, then the other by weighted
        # least squares on both equations (each weighted by its value's error).
        w_s, w_b = 1 / np.maximum(s_err, 1e-12) ** 2, 1 / np.maximum(b_err, 1e-12) ** 2
        clipped_surface = np.clip(surface, low, high)
        bulk_given = (w_s * (1 - f_s) * (seen_surface - f_s * clipped_surface)
                      + w_b * (1 - f_b) * (seen_bulk - f_b * clipped_surface)) / (
            w_s * (1 - f_s) ** 2 + w_b * (1 - f_b) ** 2)
        clipped_bulk = np.clip(bulk, low, high)
        surface_given = (w_s * f_s * (seen_surface - (1 - f_s) * clipped_bulk)
                         + w_b * f_b * (seen_bulk - (1 - f_b) * clipped_bulk)) / (w_s * f_s ** 2 + w_b * f_b ** 2)
        fix_surface = (surface < low) | (surface > high)
        surface = np.where(outside, np.where(fix_surface, clipped_surface, np.clip(surface_given, low, high)), surface)
        bulk = np.where(outside, np.where(fix_surface, np.clip(bulk_given, low, high), clipped_bulk), bulk)
    return surface, bulk, outside


def two_layer(surface_mode_value: float, bulk_mode_value: float, *, surface_mode_stderr: float = 0.0,
              bulk_mode_stderr: float = 0.0, layer_nm: float = SURFACE_LAYER_NM, surface_depth_nm: float = TEY_DEPTH_NM,
              bulk_depth_nm: float = BULK_DEPTH_NM, layer_stderr_nm: float = 0.0, surface_depth_stderr_nm: float = 0.0,
              bulk_depth_stderr_nm: float = 0.0, bounds: tuple[float, float] = (-np.inf, np.inf),
              seed: int = 0) -> DepthResult:
    """Invert a surface-sensitive and a bulk-sensitive value into layer and bulk values.

    Parameters
    ----------
    surface_mode_value, bulk_mode_value : float
        The same quantity (a valence, an activation index) in TEY and in iPFY/TFY.
    surface_mode_stderr, bulk_mode_stderr : float
        Their standard errors (combined: statistical, floors, choices).
    layer_nm, layer_stderr_nm : float
        Thickness of the surface layer and its standard error, in nm.
    surface_depth_nm, bulk_depth_nm : float
        Probing depths of the two modes (see :func:`fluorescence_probing_depth_nm`), in nm.
    surface_depth_stderr_nm, bulk_depth_stderr_nm : float
        Their standard errors, in nm.
    bounds : (float, float)
        The physical range of the quantity (``(0, inf)`` for r; a valence's references' range).
    seed : int
        Of the draws.

    Returns
    -------
    DepthResult
        The bounded inversion of the values as given, with the standard deviations of the draws.

    Examples
    --------
    >>> found = two_layer(3.80, 3.99, layer_nm=5, surface_depth_nm=4, bulk_depth_nm=150)
    >>> round(found.surface, 3), round(found.bulk, 3)
    (3.72, 3.999)
    """
    if not 0 < surface_depth_nm < bulk_depth_nm:
        raise AnalysisError("the surface mode must probe less deep than the bulk mode")
    if layer_nm <= 0:
        raise AnalysisError("the surface layer must be thicker than 0 nm")
    errors = [surface_mode_stderr, bulk_mode_stderr, layer_stderr_nm, surface_depth_stderr_nm, bulk_depth_stderr_nm]
    if any(not math.isfinite(e) or e < 0 for e in errors):
        raise AnalysisError("standard errors must be finite and zero or positive")
    low, high = bounds
    s0, b0, hit = _invert(np.array([surface_mode_value]), np.array([bulk_mode_value]), surface_mode_stderr,
                          bulk_mode_stderr, layer_nm, surface_depth_nm, bulk_depth_nm, bounds)
    rng = np.random.default_rng(seed)

    def positive(center, error):
        drawn = rng.normal(center, error, DRAWS)
        return np.where(drawn > 0.05 * center, drawn, 0.05 * center)  # a length stays positive

    depth_surface = positive(surface_depth_nm, surface_depth_stderr_nm)
    depth_bulk = np.maximum(positive(bulk_depth_nm, bulk_depth_stderr_nm), 1.5 * depth_surface)
    surface, bulk, _ = _invert(rng.normal(surface_mode_value, surface_mode_stderr, DRAWS),
                               rng.normal(bulk_mode_value, bulk_mode_stderr, DRAWS), surface_mode_stderr,
                               bulk_mode_stderr, positive(layer_nm, layer_stderr_nm), depth_surface, depth_bulk,
                               bounds)
    where = ""
    if hit[0]:
        where = "both" if (s0[0] in (low, high) and b0[0] in (low, high)) else (
            "surface" if s0[0] in (low, high) else "bulk")
    return DepthResult(float(s0[0]), _spread(surface), float(b0[0]), _spread(bulk), float(s0[0] - b0[0]),
                       _spread(surface - bulk), layer_nm, (surface_depth_nm, bulk_depth_nm), where)


def _spread(values: np.ndarray) -> float:
    """Half the central 68 % interval of the draws: the standard error of a normal distribution, and
    robust to the long tail a thin layer's small weight gives the inversion."""
    low, high = np.percentile(values, [15.865, 84.135])
    return float((high - low) / 2)


def fluorescence_probing_depth_nm(formula: str, density_g_cm3: float, incident_eV: float,
                                  emission_eV: float, *, incidence_deg: float = FLUORESCENCE_ANGLE_DEG,
                                  exit_deg: float = FLUORESCENCE_ANGLE_DEG) -> float:
    """1/e probing depth of a fluorescence mode from the attenuation of the material (xraydb).

    ``1/depth = mu(E_in) / sin(incidence) + mu(E_out) / sin(exit)``, with mu the linear
    attenuation coefficients of the composition at the incident and emitted energies.
    """
    try:
        import xraydb
    except ImportError as exc:
        raise MissingDependencyError("probing depths from composition need xraydb (pip install xraydb)") from exc
    try:
        mu_in = xraydb.material_mu(formula, incident_eV, density=density_g_cm3)
        mu_out = xraydb.material_mu(formula, emission_eV, density=density_g_cm3)
    except Exception as exc:
        raise AnalysisError(f"xraydb cannot use the composition {formula!r} ({exc})") from exc
    per_cm = mu_in / math.sin(math.radians(incidence_deg)) + mu_out / math.sin(math.radians(exit_deg))
    return float(1e7 / per_cm)
