"""Photoemission line shapes, each normalised to unit area (so that a fitted amplitude is an area).

CasaXPS's notation is accepted, with ``u = (E - E0) / F`` (E binding energy, F the shape's width
parameter):

* ``SGL(m)``: the sum ``(1 - m/100) G + (m/100) L`` of a Gaussian and a Lorentzian of the same FWHM F
  (a pseudo-Voigt), normalised analytically;
* ``GL(m)``: their product ``exp(-4 ln2 (1 - m/100) u^2) / (1 + 4 (m/100) u^2)``, whose area has no
  closed form and is integrated once per mixing value (cached);
* ``LA(α, β, m)`` (and ``LA(α, m)`` = ``LA(α, α, m)``): an asymmetric Lorentzian, ``L^α`` on the
  high-binding-energy side (the tail of a metal's or a mixed-valence oxide's core line) and ``L^β`` on the
  other, convolved with a Gaussian whose width grows with the integer ``m`` (Major et al., *J. Vac. Sci.
  Technol. A* 38, 061203 (2020); Fairley et al., *Appl. Surf. Sci. Adv.* 5, 100112 (2021));
* ``LF(α, β, w, m[, c])``: the same with the high-BE tail damped by a Gaussian whose width grows with
  ``w`` (a finite tail for a finite fitting window).

CasaXPS does not publish how ``m`` and ``w`` map to widths. Here the Lorentzian's FWHM is 0.460 F, the
convolving Gaussian's FWHM 0.00829 m F and the damping Gaussian's FWHM 0.1102 w F: the values that
reproduce CasaXPS's own exported curve of ``LF(0.54,10,80,100,6)`` (the FeO Fe 2p fit published with
pynxtools-xps) to 0.25 % of its height (rms). Other values of ``m`` and ``w`` assume these
proportions; ``LF``'s fifth parameter (undocumented) is read and ignored. Each asymmetric shape is
tabulated once per parameter set on a fine grid of ``u`` and interpolated (cached).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

import numpy as np

from redoxmap.errors import AnalysisError

_LN2 = math.log(2.0)
_SHAPE = re.compile(r"^\s*(SGL|GL|LA|LF)\s*\(\s*([-\d.eE+,\s]+)\)\s*$", re.IGNORECASE)
# CasaXPS LA/LF widths in units of F (see the module docstring for their source)
LORENTZIAN_FWHM = 0.460
GAUSSIAN_FWHM_PER_M = 0.00829
DAMPING_FWHM_PER_W = 0.1102
_GRID = np.arange(-60.0, 60.0, 0.01)  # u, for the tabulated asymmetric shapes


@dataclass(frozen=True)
class LineShape:
    """A parsed line shape: its kind (``"SGL"``, ``"GL"``, ``"LA"``, ``"LF"``) and parameters."""

    kind: str
    parameters: tuple[float, ...]
    text: str

    @property
    def lorentz_fraction(self) -> float:
        """The Lorentzian share of an SGL or GL shape (0 for the others)."""
        return self.parameters[0] if self.kind in ("SGL", "GL") else 0.0

    def __call__(self, energy, center, fwhm):
        """The area-normalised profile at ``energy`` (eV) for a centre and width parameter F (eV)."""
        if self.kind == "SGL":
            return pseudo_voigt(energy, center, fwhm, self.parameters[0])
        if self.kind == "GL":
            return gaussian_lorentzian_product(energy, center, fwhm, self.parameters[0])
        u = (np.asarray(energy, dtype=float) - center) / fwhm
        return np.interp(u, _GRID, _asymmetric_table(*self.parameters), left=0.0, right=0.0) / fwhm


def parse_line_shape(shape: str | LineShape) -> LineShape:
    """A line shape from CasaXPS notation: ``"SGL(30)"``, ``"GL(40)"``, ``"LA(1.1,2.4,2)"``,
    ``"LA(1.53,243)"``, ``"LF(0.54,10,80,100,6)"``.

    Raises
    ------
    AnalysisError
        For a shape redoxmap does not have, or parameters out of their range.

    Examples
    --------
    >>> parse_line_shape("GL(30)").lorentz_fraction
    0.3
    >>> parse_line_shape("LF(0.54,10,80,100,6)").parameters
    (0.54, 10.0, 100.0, 80.0)
    """
    if isinstance(shape, LineShape):
        return shape
    match = _SHAPE.match(str(shape))
    hint = "use SGL(m), GL(m) (m = % Lorentzian, 0-100), LA(α,β,m), LA(α,m) or LF(α,β,w,m)"
    if not match:
        raise AnalysisError(f"line shape {shape!r}: {hint}")
    kind = match.group(1).upper()
    try:
        numbers = [float(v) for v in match.group(2).split(",")]
    except ValueError:
        raise AnalysisError(f"line shape {shape!r}: {hint}") from None
    if kind in ("SGL", "GL"):
        if len(numbers) != 1 or not 0 <= numbers[0] <= 100:
            raise AnalysisError(f"line shape {shape!r}: {hint}")
        return LineShape(kind, (numbers[0] / 100.0,), str(shape))
    if kind == "LA" and len(numbers) == 2:
        numbers = [numbers[0], numbers[0], numbers[1]]
    if kind == "LA" and len(numbers) == 3:
        alpha, beta, m = numbers
        damping = math.inf
    elif kind == "LF" and len(numbers) in (4, 5):
        alpha, beta, w, m = numbers[:4]
        if w <= 0:
            raise AnalysisError(f"line shape {shape!r}: the damping w must be positive")
        damping = w
    else:
        raise AnalysisError(f"line shape {shape!r}: {hint}")
    if alpha <= 0 or beta <= 0 or m < 0:
        raise AnalysisError(f"line shape {shape!r}: α and β must be positive and m zero or positive")
    return LineShape(kind, (alpha, beta, m, damping), str(shape))


@functools.lru_cache(maxsize=64)
def _asymmetric_table(alpha: float, beta: float, m: float, w: float) -> np.ndarray:
    """The unit-area LA/LF shape on :data:`_GRID` (u in units of F)."""
    lorentz = 1.0 / (1.0 + 4.0 * (_GRID / LORENTZIAN_FWHM) ** 2)
    core = np.where(_GRID >= 0, lorentz ** alpha, lorentz ** beta)
    if math.isfinite(w):
        core = core * np.where(_GRID >= 0, np.exp(-4 * _LN2 * (_GRID / (DAMPING_FWHM_PER_W * w)) ** 2), 1.0)
    width = GAUSSIAN_FWHM_PER_M * m
    if width > 0.02:  # narrower than the grid step: no convolution needed
        from scipy.signal import fftconvolve

        kernel = np.exp(-4 * _LN2 * (_GRID / width) ** 2)
        core = fftconvolve(core, kernel / kernel.sum(), mode="same")
    area = np.trapezoid(core, _GRID)
    if not area > 0:
        raise AnalysisError(f"LA/LF({alpha:g},{beta:g},{m:g}) has no area on ±60 widths: a power below 0.5 "
                            "leaves the Lorentzian's tail unbounded")
    return core / area


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
