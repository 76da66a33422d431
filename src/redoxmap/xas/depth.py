"""Surface and bulk from two detection modes: a two-layer inversion.

A mode with probing depth lambda weights depth z by ``exp(-z / lambda)``. For a surface
layer of thickness ``d`` with value X_s over a bulk with value X_b, the mode sees
``X = f X_s + (1 - f) X_b`` with ``f = 1 - exp(-d / lambda)``. Two modes (TEY, about
4 nm; iPFY or TFY, 100-200 nm) give two equations, solved with first-order error
propagation; the asynchrony is ``X_s - X_b``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from redoxmap.defaults import BULK_DEPTH_NM, SURFACE_LAYER_NM, TEY_DEPTH_NM
from redoxmap.errors import AnalysisError, MissingDependencyError


@dataclass
class DepthResult:
    """Surface-layer and bulk values with standard errors."""

    surface: float
    surface_stderr: float
    bulk: float
    bulk_stderr: float
    asynchrony: float
    asynchrony_stderr: float
    layer_nm: float
    depths_nm: tuple[float, float]

    def summary(self) -> dict:
        """Layer and bulk values, their errors, the layer thickness and probing depths (flat dict)."""
        return {k: getattr(self, k) for k in ("surface", "surface_stderr", "bulk", "bulk_stderr",
                                               "asynchrony", "asynchrony_stderr", "layer_nm")} | {
            "probing_depths_nm": list(self.depths_nm)}


def two_layer(surface_mode_value: float, bulk_mode_value: float, *, surface_mode_stderr: float = 0.0,
              bulk_mode_stderr: float = 0.0, layer_nm: float = SURFACE_LAYER_NM, surface_depth_nm: float = TEY_DEPTH_NM,
              bulk_depth_nm: float = BULK_DEPTH_NM) -> DepthResult:
    """Invert a surface-sensitive and a bulk-sensitive value into layer and bulk values.

    Parameters
    ----------
    surface_mode_value, bulk_mode_value : float
        The same quantity (a valence, an activation index) in TEY and in iPFY/TFY.
    surface_mode_stderr, bulk_mode_stderr : float
        Their standard errors.
    layer_nm : float
        Thickness of the surface layer.
    surface_depth_nm, bulk_depth_nm : float
        Probing depths of the two modes (see :func:`fluorescence_probing_depth_nm`).
    """
    if not 0 < surface_depth_nm < bulk_depth_nm:
        raise AnalysisError("the surface mode must probe less deep than the bulk mode")
    if layer_nm <= 0:
        raise AnalysisError("the surface layer must be thicker than 0 nm")
    f = np.array([1 - math.exp(-layer_nm / surface_depth_nm), 1 - math.exp(-layer_nm / bulk_depth_nm)])
    M = np.column_stack([f, 1 - f])
    inverse = np.linalg.inv(M)
    surface, bulk = inverse @ np.array([surface_mode_value, bulk_mode_value])
    cov = inverse @ np.diag([surface_mode_stderr ** 2, bulk_mode_stderr ** 2]) @ inverse.T
    d = np.array([1.0, -1.0])
    return DepthResult(float(surface), float(math.sqrt(cov[0, 0])), float(bulk), float(math.sqrt(cov[1, 1])),
                       float(surface - bulk), float(math.sqrt(d @ cov @ d)), layer_nm,
                       (surface_depth_nm, bulk_depth_nm))


def fluorescence_probing_depth_nm(formula: str, density_g_cm3: float, incident_eV: float,
                                  emission_eV: float, *, incidence_deg: float = 45.0,
                                  exit_deg: float = 45.0) -> float:
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
