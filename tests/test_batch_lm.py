"""The batched Levenberg-Marquardt solver: each problem of a batch reaches the minimum that scipy's
least_squares finds on it alone (parameters and errors), bounds are honoured and reported, and a
problem that stops without reaching a minimum is not reported as converged."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import least_squares

from redoxmap.batch_lm import fit_batch

X = np.linspace(0.0, 4.0, 60)


def _decay(params, rows, y):
    """Weighted residuals and Jacobian of y = a exp(-k x) + c."""
    a, k, c = (params[:, i, None] for i in range(3))
    e = np.exp(-k * X)
    r = y[rows] - (a * e + c)
    J = np.stack([e, -a * X * e, np.ones_like(e)], axis=-1)  # d(model)/d(a, k, c)
    return r, J


def _problems(n=8, seed=0):
    rng = np.random.default_rng(seed)
    truth = np.column_stack([rng.uniform(1, 5, n), rng.uniform(0.3, 2.0, n), rng.uniform(-0.5, 0.5, n)])
    y = truth[:, :1] * np.exp(-truth[:, 1:2] * X) + truth[:, 2:] + rng.normal(0, 0.02, (n, X.size))
    return truth, y


def test_every_problem_reaches_scipys_minimum_with_its_errors():
    truth, y = _problems()
    p0 = np.tile([1.0, 1.0, 0.0], (len(y), 1))
    fit = fit_batch(lambda p, rows: _decay(p, rows, y), p0, -np.inf, np.inf, np.full(len(y), X.size))
    assert fit.converged.all() and not fit.at_bound.any()
    for b in range(len(y)):
        ref = least_squares(lambda p, data=y[b]: data - (p[0] * np.exp(-p[1] * X) + p[2]), p0[b], method="lm")
        assert np.allclose(fit.params[b], ref.x, rtol=1e-6, atol=1e-8)
        dof = X.size - 3
        covariance = np.linalg.inv(ref.jac.T @ ref.jac) * np.sum(ref.fun ** 2) / dof
        assert np.allclose(fit.stderr[b], np.sqrt(np.diag(covariance)), rtol=1e-3)
        assert np.all(np.abs(fit.params[b] - truth[b]) < 5 * fit.stderr[b] + 1e-12)


def test_a_bound_is_honoured_and_reported():
    """The rate k is held in [0, 0.25] where every problem's data want more (0.3 to 2): it ends on the
    upper bound, and only it."""
    truth, y = _problems()
    assert truth[:, 1].min() > 0.3
    p0 = np.tile([1.0, 0.1, 0.0], (len(y), 1))
    lower, upper = np.array([-np.inf, 0.0, -np.inf]), np.array([np.inf, 0.25, np.inf])
    fit = fit_batch(lambda p, rows: _decay(p, rows, y), p0, lower, upper, np.full(len(y), X.size))
    assert np.allclose(fit.params[:, 1], 0.25) and fit.at_bound[:, 1].all()
    assert not fit.at_bound[:, [0, 2]].any() and fit.converged.all()


def test_a_fit_that_stalls_away_from_a_minimum_is_not_converged():
    """A Jacobian with the wrong sign points every step uphill: the damping grows until no step is
    taken. The gradient there is not zero, so the problem stopped without converging."""
    _, y = _problems(2)

    def wrong(p, rows):
        r, J = _decay(p, rows, y)
        return r, -J

    with np.errstate(over="ignore", invalid="ignore"):  # uphill trial steps overflow the exponential
        fit = fit_batch(wrong, np.tile([1.0, 1.0, 0.0], (2, 1)), -np.inf, np.inf, np.full(2, X.size))
    assert not fit.converged.any()


@pytest.mark.parametrize("start", [[1.0, 1.0, 0.0], [4.0, 0.5, 0.2]])
def test_a_problem_started_at_its_minimum_converges_at_once(start):
    """A start on the minimum: no step lowers chi-square, but the gradient is zero: converged."""
    x_true = np.array(start)
    y = np.tile(x_true[0] * np.exp(-x_true[1] * X) + x_true[2], (1, 1))
    fit = fit_batch(lambda p, rows: _decay(p, rows, y), x_true[None, :], -np.inf, np.inf, np.array([X.size]))
    assert fit.converged.all() and np.allclose(fit.params[0], x_true)
