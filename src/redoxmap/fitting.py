"""Small helpers shared by every lmfit-based fit in redoxmap."""

from __future__ import annotations

import math


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
