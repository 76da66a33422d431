"""The error budget of a number in the activation map: what its standard error is made of.

A fit's own standard error measures only the noise the fit saw. A referee asks for more: would the
number come out the same from another beamtime, another detection mode, another normalisation or
window, other reference spectra, another cell? Each number of the map therefore carries up to five
components, all standard errors in the number's unit:

``statistical``
    the fit's own error (its covariance, scaled by the residual where the noise is unknown);
``replicates``
    the spread of repeated measurements of the same sample, state and mode (several files), or of
    several cells of one sample, as the standard error of their mean (widened for a small number by
    Student's t, :func:`redoxmap.fitting.replicate_error`);
``floor``
    the method's systematic floor (:data:`redoxmap.defaults.ERROR_FLOORS`, settable in the manifest's
    ``[map] error_floors``): what no single measurement can show, such as the reproducibility of r
    between detection modes and beamtimes. It is the systematic difference between two measurements,
    so a test comparing two numbers counts it once (:mod:`redoxmap.study.evidence`);
``choice``
    the spread over reasonable analysis choices (fit window, normalisation), computed per spectrum;
``references``
    the reference spectra's own noise, propagated into a valence.

The statistical error and the replicate spread both measure the random part, so the larger of the two
counts; the others add in quadrature::

    total = sqrt(max(statistical, replicates)² + floor² + choice² + references²)

Every difference test of :mod:`redoxmap.study.findings` uses this total.
"""

from __future__ import annotations

import math

import numpy as np

from redoxmap.defaults import ERROR_FLOORS
from redoxmap.errors import AnalysisError

COMPONENTS = ("statistical", "replicates", "floor", "choice", "references")


def floor_key(variable: str) -> str | None:
    """Which entry of the floors table applies to a map variable (None: no floor).

    Values from the two-layer inversion (``*_layer``) carry the floors of their inputs already.

    Examples
    --------
    >>> floor_key("valence_Mn"), floor_key("r"), floor_key("r_layer"), floor_key("c_A")
    ('valence', 'r', None, None)
    """
    if variable.endswith("_layer"):
        return None
    if variable.startswith("valence_"):
        return "valence"
    if variable in ("o_k_a", "o_k_b", "o_k_b_minus_b0"):
        return "o_k_height"
    return variable if variable in ERROR_FLOORS else None


def resolve_floors(overrides: dict | None) -> dict[str, float]:
    """The floors table with the manifest's overrides, checked.

    Raises
    ------
    AnalysisError
        For an unknown key or a negative or non-numeric floor.
    """
    floors = dict(ERROR_FLOORS)
    for key, value in (overrides or {}).items():
        if key not in ERROR_FLOORS:
            raise AnalysisError(f"unknown error floor {key!r}; known: {', '.join(ERROR_FLOORS)}")
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise AnalysisError(f"the error floor of {key} must be a number, not {value!r}") from None
        if not math.isfinite(value) or value < 0:
            raise AnalysisError(f"the error floor of {key} must be zero or positive, not {value}")
        floors[key] = value
    return floors


def total_error(statistical=np.nan, replicates=np.nan, floor=np.nan, choice=np.nan, references=np.nan):
    """The combined standard error of the components (NaN components count as 0; NaN when all are).

    Works element-wise on arrays.

    Examples
    --------
    >>> round(float(total_error(0.003, 0.004, 0.02)), 6)   # the replicate spread beats the fit's error
    0.020396
    """
    parts = [np.asarray(p, float) for p in (statistical, replicates, floor, choice, references)]
    known = np.zeros(np.broadcast(*parts).shape, bool)
    for part in parts:
        known |= np.isfinite(part)
    squares = [np.nan_to_num(p) ** 2 for p in parts]
    random = np.maximum(squares[0], squares[1])
    total = np.sqrt(random + squares[2] + squares[3] + squares[4])
    return np.where(known, total, np.nan)


def with_floors(dataset, floors: dict[str, float]):
    """A copy of a map's Dataset whose combined errors use other floors (the budgets are kept): how a
    verdict would read if a method's systematic error were larger or smaller."""
    out = dataset.copy()
    for name in [str(v) for v in dataset.data_vars if str(v).endswith("_budget")]:
        variable = name[: -len("_budget")]
        key = floor_key(variable)
        if key is None or key not in floors:
            continue
        components = dataset[name].to_numpy().copy()
        finite = np.isfinite(components[..., 0]) | np.isfinite(components[..., 1:]).any(axis=-1)
        components[..., COMPONENTS.index("floor")] = np.where(finite, floors[key], np.nan)
        # on the copy's own variables (a shallow copy shares only the arrays, which are replaced here)
        out.variables[name].data = components
        out.variables[f"{variable}_stderr"].data = total_error(*np.moveaxis(components, -1, 0))
    return out
