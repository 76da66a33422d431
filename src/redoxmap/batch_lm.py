"""Levenberg-Marquardt for many small, independent least-squares problems at once.

lmfit and scipy solve one problem per call, with Python overhead per iteration that
dominates for a 6-parameter peak on a few hundred points; an in situ series asks for
hundreds of such fits. Here every problem of a batch advances together: one vectorised
model evaluation, one batched ``J^T J`` and one batched solve per iteration, each problem
keeping its own damping and stopping on its own. Bounds are handled by projection (a
step is clipped into the box), and a parameter that ends on its bound is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from redoxmap.fitting import error_scale

GRADIENT_TOLERANCE = 1e-6  # the cosine between the residual and each free parameter's Jacobian column at a minimum


@dataclass
class BatchFit:
    """Result of :func:`fit_batch`; every array has the batch as its first axis.

    Attributes
    ----------
    params, stderr : numpy.ndarray
        ``(batch, n_params)``; standard errors under the convention of :mod:`redoxmap.fitting`
        (scaled by sqrt(reduced chi-square), or by sqrt(max(1, reduced chi-square)) when the
        weights are the data's known errors).
    covariance : numpy.ndarray
        ``(batch, n_params, n_params)``, scaled likewise.
    chi_square, reduced_chi_square : numpy.ndarray
        Of the weighted residuals.
    n_points : numpy.ndarray
        Points with non-zero weight in each problem.
    converged : numpy.ndarray of bool
    iterations : numpy.ndarray of int
    at_bound : numpy.ndarray of bool
        ``(batch, n_params)``: the parameter ended on (within a tolerance of) a bound.
    """

    params: np.ndarray
    stderr: np.ndarray
    covariance: np.ndarray
    chi_square: np.ndarray
    reduced_chi_square: np.ndarray
    n_points: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray
    at_bound: np.ndarray


def fit_batch(residuals: Callable, p0: np.ndarray, lower: np.ndarray, upper: np.ndarray, n_points: np.ndarray,
              *, max_step: Callable | None = None, max_iterations: int = 200,
              tolerance: float = 1e-10, statistical_tolerance: float = 0.0, errors_known: bool = False) -> BatchFit:
    """Minimise ``sum(r^2)`` for every problem of a batch.

    Parameters
    ----------
    residuals : callable
        ``residuals(params, rows) -> (r, J)``: weighted residuals ``(data - model) * weight``
        of shape ``(len(rows), n)`` and the weighted model Jacobian ``(len(rows), n, n_params)``
        for the problems ``rows`` (an index array into the batch).
    p0, lower, upper : numpy.ndarray
        Start and bounds, ``(batch, n_params)`` (bounds may broadcast).
    n_points : numpy.ndarray
        Points with non-zero weight per problem (for the degrees of freedom).
    max_step : callable, optional
        ``max_step(params) -> (len(params), n_params)`` largest allowed change of each
        parameter in one step (a trust region: a peak centre should not jump by more than
        a fraction of the width); a longer step is shortened as a whole.
    max_iterations : int
    tolerance : float
        Relative decrease of chi-square below which a problem has converged.
    statistical_tolerance : float
        Also converged when a step lowers chi-square by less than this many times the
        reduced chi-square: parameters then move by ~sqrt(this) standard errors, so 1e-3
        stops long, useless creeping along a nearly flat valley (a parameter that the data
        hardly determine).
    errors_known : bool
        Whether the weights are the inverse of the data's known errors (see :mod:`redoxmap.fitting`).

    Notes
    -----
    One function past a screen because the batch's Levenberg-Marquardt iteration updates every
    problem's damping, step, acceptance and convergence state together, as arrays; split up, that
    state would travel through a dozen arguments and return values.
    """
    params = np.array(p0, dtype=float)
    batch, k = params.shape
    lower = np.broadcast_to(np.asarray(lower, float), params.shape)
    upper = np.broadcast_to(np.asarray(upper, float), params.shape)
    params = np.clip(params, lower, upper)
    damping = np.full(batch, 1e-3)
    growth = np.full(batch, 2.0)  # Nielsen's factor for consecutive failures
    iterations = np.zeros(batch, dtype=int)
    converged = np.zeros(batch, dtype=bool)
    active = np.arange(batch)
    r, J = residuals(params, active)
    chi2 = np.einsum("bn,bn->b", r, r)
    JTJ = np.einsum("bni,bnj->bij", J, J)
    JTr = np.einsum("bni,bn->bi", J, r)
    eye = np.eye(k)
    # Scale of each parameter for the step-size test: its bound span where finite, else 1.
    step_scale = np.where(np.isfinite(upper - lower), upper - lower, 1.0) * np.ones((batch, 1))
    for _ in range(max_iterations):
        if not len(active):
            break
        a, g, p = JTJ[active], JTr[active], params[active]
        # Active set: a parameter on a bound that the gradient pushes outwards is held for
        # this step (projecting a step computed with it free makes the fit zig-zag).
        held = ((p <= lower[active]) & (g < 0)) | ((p >= upper[active]) & (g > 0))
        free = ~held
        a = a * (free[:, :, None] & free[:, None, :]) + held[:, :, None] * eye
        g = np.where(held, 0.0, g)
        scale = np.maximum(np.einsum("bii->bi", a), 1e-12 * np.abs(a).max(axis=(1, 2))[:, None] + 1e-300)
        system = a + damping[active, None, None] * scale[:, :, None] * eye
        try:
            step = np.linalg.solve(system, g[..., None])[..., 0]
        except np.linalg.LinAlgError:  # a parameter with no effect (e.g. a centre while the area is 0)
            step = (np.linalg.pinv(system) @ g[..., None])[..., 0]
        params_before = p
        if max_step is not None:
            limit = max_step(params_before)
            with np.errstate(divide="ignore", invalid="ignore"):
                excess = np.nanmax(np.abs(step) / limit, axis=1)
            step = step / np.maximum(excess, 1.0)[:, None]
        trial = np.clip(params_before + step, lower[active], upper[active])
        taken = trial - params_before
        r_new, J_new = residuals(trial, active)
        chi2_new = np.einsum("bn,bn->b", r_new, r_new)
        iterations[active] += 1
        better = chi2_new < chi2[active]
        # Gain ratio: actual over predicted decrease of chi-square (predicted by the linear model).
        predicted = np.einsum("bi,bi->b", taken, 2 * g - np.einsum("bij,bj->bi", a, taken))
        with np.errstate(divide="ignore", invalid="ignore"):
            gain = np.where(predicted > 0, (chi2[active] - chi2_new) / predicted, 0.0)
        rows = active[better]
        decrease = chi2[rows] - chi2_new[better]
        params[rows] = trial[better]
        chi2[rows] = chi2_new[better]
        JTJ[rows] = np.einsum("bni,bnj->bij", J_new[better], J_new[better])
        JTr[rows] = np.einsum("bni,bn->bi", J_new[better], r_new[better])
        # Nielsen's update (Madsen, Nielsen and Tingleff, Methods for non-linear least squares
        # problems, 2004): shrink the damping by how well the linear model predicted the step.
        damping[rows] = np.maximum(damping[rows] * np.maximum(1 / 3, 1 - (2 * gain[better] - 1) ** 3), 1e-12)
        growth[rows] = 2.0
        failed = active[~better]
        damping[failed] *= growth[failed]
        growth[failed] *= 2
        done = np.zeros(len(active), dtype=bool)
        moved = np.abs(trial[better] - params_before[better])
        small_step = np.all(moved <= 1e-9 * (np.abs(params_before[better]) + step_scale[rows]), axis=1)
        reduced_now = chi2[rows] / np.maximum(np.asarray(n_points)[rows] - k, 1)
        done[better] = ((decrease <= tolerance * np.maximum(chi2[rows], 1e-300))
                        | (decrease <= statistical_tolerance * reduced_now) | small_step)
        converged[active[done]] = True
        # No step lowers chi-square any more. That is a minimum (or a bound) only where the gradient of
        # the free parameters vanishes, MINPACK's gtol test: max_i |J_i . r| / (|J_i| |r|) small.
        # Elsewhere the fit stalled (a wrong Jacobian, a discontinuous model) and is not converged.
        stalled = ~done & (damping[active] > 1e12)
        with np.errstate(divide="ignore", invalid="ignore"):
            cosine = np.abs(g) / np.sqrt(np.einsum("bii->bi", JTJ[active]) * chi2[active, None])
        flat = np.all(held | ~np.isfinite(cosine) | (cosine <= GRADIENT_TOLERANCE), axis=1)
        converged[active[stalled & flat]] = True
        active = active[~(done | stalled)]
    dof = np.maximum(np.asarray(n_points) - k, 1)
    reduced = chi2 / dof
    covariance = np.full((batch, k, k), np.nan)
    for b in range(batch):  # small k x k inverses; pinv copes with a parameter pinned at a bound
        covariance[b] = np.linalg.pinv(JTJ[b]) * error_scale(float(reduced[b]), errors_known=errors_known,
                                                             dof=int(dof[b]))
    stderr = np.sqrt(np.clip(np.einsum("bii->bi", covariance), 0, None))
    span = np.where(np.isfinite(upper - lower), upper - lower, np.abs(params) + 1.0)
    pinned = (np.isfinite(lower) & (params - lower <= 1e-6 * span)) | (
        np.isfinite(upper) & (upper - params <= 1e-6 * span)
    )
    return BatchFit(params, stderr, covariance, chi2, reduced, np.asarray(n_points), converged, iterations, pinned)
