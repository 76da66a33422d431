"""Activation kinetics against known truth and the reference study's cells."""

from __future__ import annotations

import numpy as np
import pytest

from redoxmap.cycling.capacity_rise import (
    capacity_rise_curve,
    compare_capacity_rise,
    fit_capacity_rise,
)
from redoxmap.errors import FitError, FitWarning


def test_recovers_known_parameters_within_their_errors():
    rng = np.random.default_rng(7)
    n = np.arange(1, 61)
    q = capacity_rise_curve(n, 221.7, 108.2, 9.0) + rng.normal(0.0, 1.5, n.size)
    fit = fit_capacity_rise(n, q, name="LLO-30")
    assert abs(fit.n_act - 9.0) < 3 * fit.n_act_stderr
    assert abs(fit.q_inf - 221.7) < 3 * fit.q_inf_stderr
    assert fit.n90 == pytest.approx(1 + fit.n_act * np.log(10))
    assert fit.r_squared > 0.99 and fit.reduced_chi_square == pytest.approx(2.25, rel=0.5)


def test_reference_study_cells_50C_activates_faster_than_30C():
    """Curves through the reference study's end points: 30 C 108.2 -> 221.7 mAh/g at cycle
    40 (then stable), 50 C 170.7 -> 285.4 mAh/g within 14 cycles."""
    n30, n50 = np.arange(1, 61), np.arange(1, 31)
    cell30 = fit_capacity_rise(n30, capacity_rise_curve(n30, 222.0, 108.2, 6.5), name="LLO-30")
    cell50 = fit_capacity_rise(n50, capacity_rise_curve(n50, 285.6, 170.7, 2.0), name="LLO-50")
    assert cell30.predict(40) == pytest.approx(221.7, abs=0.5)
    assert cell50.predict(14) == pytest.approx(285.4, abs=0.5)
    table = compare_capacity_rise([cell30, cell50]).set_index("name")
    assert table.loc["LLO-50", "n90"] < table.loc["LLO-30", "n90"]
    assert set(table.columns) >= {"q_inf", "q_inf_stderr", "n_act", "n_act_stderr", "r_squared"}


def test_linear_fade_term_separates_fade_from_activation():
    rng = np.random.default_rng(3)
    n = np.arange(1, 101)
    q = capacity_rise_curve(n, 250.0, 150.0, 6.0, fade=0.3) + rng.normal(0, 0.5, n.size)
    fit = fit_capacity_rise(n, q, linear_fade=True)
    assert fit.fade == pytest.approx(0.3, abs=3 * fit.fade_stderr + 1e-3)
    assert fit.n_act == pytest.approx(6.0, abs=3 * fit.n_act_stderr)


def test_flat_capacity_warns_that_rate_is_not_determined():
    rng = np.random.default_rng(1)
    n = np.arange(1, 30)
    with pytest.warns(FitWarning):
        fit_capacity_rise(n, 200.0 + rng.normal(0, 0.5, n.size))


def test_too_few_cycles():
    with pytest.raises(FitError, match="at least 4"):
        fit_capacity_rise([1, 2, 3], [100.0, 150.0, 170.0])


def test_falling_capacity_is_called_fade():
    n = np.arange(1, 40)
    with pytest.warns(FitWarning, match="fade"):
        fit_capacity_rise(n, capacity_rise_curve(n, 100.0, 150.0, 5.0))


def test_bound_and_stderr_helpers():
    import lmfit

    from redoxmap.fitting import at_bound, stderr

    p = lmfit.Parameter("x", value=530.3, min=528.8, max=530.3)
    assert at_bound(p, atol=1e-3) and not at_bound(lmfit.Parameter("y", value=530.0, min=528.8, max=530.3), atol=1e-3)
    assert not at_bound(lmfit.Parameter("z", value=5.0))  # no finite bounds
    assert np.isnan(stderr(p))
