"""Photoemission line shapes, each normalised to unit area (so that a fitted amplitude is an area).

CasaXPS's notation is accepted: ``SGL(m)`` is the sum ``(1 - m/100) G + (m/100) L`` of a
Gaussian and a Lorentzian of the same FWHM (a pseudo-Voigt), ``GL(m)`` their product
``exp(-4 ln2 (1 - m/100) u^2) / (1 + 4 (m/100) u^2)`` with ``u = (E - E0) / FWHM``. The sum is
normalised analytically; the product's area has no closed form and is integrated once per
mixing value (cached).
"""

from __future__ import annotations

import functools
import math
import re

import numpy as np

_LN2 = math.log(2.0)
_SHAPE = re.compile(r"^\s*(SGL|GL)\s*\(\s*([\d.]+)\s*\)\s*$", re.IGNORECASE)


def parse_line_shape(shape: str) -> tuple[str, float]:
    """``"GL(30)"`` -> ``("GL", 0.30)``; the Lorentzian share as a fraction.

    Raises
    ------
    ValueError
        For a shape redoxmap does not have.
    """
    match = _SHAPE.match(str(shape))
    if not match or not 0 <= float(match.group(2)) <= 100:
        raise ValueError(f"line shape {shape!r}: use SGL(m) or GL(m) with m the Lorentzian percentage 0-100")
    return match.group(1).upper(), float(match.group(2)) / 100.0


def pseudo_voigt(energy, center, fwhm, lorentz_fraction):
    """Area-normalised sum of a Gaussian and a Lorentzian of equal FWHM (CasaXPS ``SGL``)."""
    u = (np.asarray(energy, dtype=float) - center) / fwhm
    gauss = math.sqrt(4 * _LN2 / math.pi) / fwhm * np.exp(-4 * _LN2 * u * u)
    lorentz = 2.0 / (math.pi * fwhm) / (1.0 + 4.0 * u * u)
    return (1.0 - lorentz_fraction) * gauss + lorentz_fraction * lorentz


def pseudo_voigt_with_derivatives(energy, center, fwhm, lorentz_fraction):
    """:func:`pseudo_voigt` and its derivatives by ``center`` and ``fwhm`` (for an analytic Jacobian).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
    """
    u = (np.asarray(energy, dtype=float) - center) / fwhm
    b = 4 * _LN2
    gauss = math.sqrt(b / math.pi) / fwhm * np.exp(-b * u * u)
    denominator = 1.0 + 4.0 * u * u
    lorentz = 2.0 / (math.pi * fwhm) / denominator
    value = (1.0 - lorentz_fraction) * gauss + lorentz_fraction * lorentz
    d_center = ((1.0 - lorentz_fraction) * gauss * 2 * b * u + lorentz_fraction * lorentz * 8 * u / denominator) / fwhm
    d_fwhm = ((1.0 - lorentz_fraction) * gauss * (2 * b * u * u - 1.0)
              + lorentz_fraction * lorentz * (8 * u * u / denominator - 1.0)) / fwhm
    return value, d_center, d_fwhm


@functools.lru_cache(maxsize=256)
def _product_area(lorentz_fraction: float) -> float:
    """Area of the unit-FWHM GL product shape (numerical, to 1e-10)."""
    from scipy.integrate import quad

    def shape(u):
        return math.exp(-4 * _LN2 * (1 - lorentz_fraction) * u * u) / (1 + 4 * lorentz_fraction * u * u)

    return 2.0 * quad(shape, 0.0, np.inf, epsabs=1e-12, epsrel=1e-10, limit=200)[0]


def gaussian_lorentzian_product(energy, center, fwhm, lorentz_fraction):
    """Area-normalised product of a Gaussian and a Lorentzian (CasaXPS ``GL``)."""
    u = (np.asarray(energy, dtype=float) - center) / fwhm
    shape = np.exp(-4 * _LN2 * (1 - lorentz_fraction) * u * u) / (1 + 4 * lorentz_fraction * u * u)
    return shape / (fwhm * _product_area(round(float(lorentz_fraction), 6)))


def profile(kind: str):
    """The area-normalised function for a shape kind (``"SGL"`` or ``"GL"``)."""
    return {"SGL": pseudo_voigt, "GL": gaussian_lorentzian_product}[kind]
