"""What every fit in redoxmap shares: the convention for standard errors, and lmfit helpers.

**The convention.** Standard errors come from the covariance of the linearised fit at its optimum.

* When the data's errors are **not known** (relative weights: unit, ``|Z|``-proportional, a
  spectrum's unknown noise), the covariance is scaled by the reduced chi-square: the residuals
  estimate the noise. LCF, circuits, the O K pre-edge and the capacity-rise fit are of this kind.
* When they are **known** (counting statistics of a diffraction pattern, peak positions with their
  errors, observations with their standard errors), the covariance is not scaled while the fit
  describes its data within their errors (chi-square below its 95th percentile for the degrees
  of freedom); a fit that does not has them inflated by the reduced chi-square (the Birge ratio,
  as the Particle Data Group's scale factor), and says so. Inflating on every chi-square above one
  would make intervals from a few points too wide half of the time. XRD peaks, lattices, the
  activation model and the map's kinetics are of this kind.

Each result states which applied (its ``errors`` text, :func:`error_convention`).
"""

from __future__ import annotations

import math

import numpy as np

SCALED = "errors scaled by the reduced chi-square (the data's errors are not known)"
KNOWN = ("errors from the data's own errors, inflated by sqrt(reduced chi-square) where the fit is "
         "significantly worse than they allow")


def error_scale(reduced_chi_square: float, *, errors_known: bool, dof: int | None = None) -> float:
    """The factor a fit's covariance is multiplied by, under the project's convention.

    Parameters
    ----------
    reduced_chi_square : float
    errors_known : bool
        Whether the fit's weights are the data's known errors.
    dof : int, optional
        Degrees of freedom, for the 95th-percentile test of a fit with known errors (without it,
        any reduced chi-square above one inflates).

    Examples
    --------
    >>> error_scale(4.0, errors_known=False), error_scale(0.5, errors_known=True)
    (4.0, 1.0)
    >>> error_scale(1.5, errors_known=True, dof=3), error_scale(4.0, errors_known=True, dof=3)
    (1.0, 4.0)
    """
    if not math.isfinite(reduced_chi_square) or reduced_chi_square <= 0:
        return 1.0
    if not errors_known:
        return reduced_chi_square
    if dof is not None and dof > 0:
        from scipy.stats import chi2

        if reduced_chi_square * dof <= chi2.ppf(0.95, dof):
            return 1.0
    return max(1.0, reduced_chi_square)


def error_convention(errors_known: bool) -> str:
    """The convention a fit's errors follow, in words (for its result)."""
    return KNOWN if errors_known else SCALED


def stderr(parameter) -> float:
    """A parameter's standard error, or NaN where lmfit could not estimate it."""
    value = parameter.stderr
    return float(value) if value is not None and math.isfinite(value) else math.nan


def at_bound(parameter, *, rtol: float = 0.0, atol: float = 0.0) -> bool:
    """Whether a fitted parameter ended on one of its finite bounds.

    ``|value - bound| <= atol + rtol * |bound|``, as in :func:`numpy.isclose`: use ``atol``
    for quantities with a natural scale (energies in eV), ``rtol`` for scale-free ones.
    """
    return any(math.isfinite(bound) and abs(parameter.value - bound) <= atol + rtol * abs(bound)
               for bound in (parameter.min, parameter.max))


def replicate_error(values) -> tuple[float, int]:
    """The standard error of the mean of replicate values, widened for their small number, and how many
    there are (NaN below two).

    A spread from n replicates is itself uncertain: the mean's deviation over it follows Student's t with
    n - 1 degrees of freedom, not a normal distribution. So the standard error is multiplied by the ratio
    of t's and the normal's 84th percentiles (1.84 for two, 1.32 for three, 1.14 for five replicates): as a
    normal standard error it then covers what it should.

    Examples
    --------
    >>> error, n = replicate_error([0.20, 0.22, 0.24])
    >>> round(error, 4), n
    (0.0153, 3)
    """
    from scipy.stats import norm, t

    values = np.asarray(values, float)
    values = values[np.isfinite(values)]
    n = len(values)
    if n < 2:
        return math.nan, n
    widening = float(t.ppf(norm.cdf(1.0), n - 1) / 1.0)
    return float(np.std(values, ddof=1) / math.sqrt(n)) * widening, n
