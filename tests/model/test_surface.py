"""The surface process both models share: hand-computed cases and synthetic truths."""

from __future__ import annotations

import numpy as np
import pytest

from redoxmap.errors import AnalysisError
from redoxmap.model.cycle_model import ActivationParameters, simulate_cycles
from redoxmap.model.fit import Observation
from redoxmap.model.surface import (
    surface_deactivation,
    surface_loss_from_valence,
    surface_oxygen_excess,
)
from redoxmap.model.time_model import CellParameters, simulate_time_resolved
from redoxmap.model.validation import reference_study, tm_utilisation_from_valence


def test_deactivation_is_first_order_from_the_second_charge():
    np.testing.assert_allclose(surface_deactivation([0.1, 0.1, 0.2, 0.0]),
                               [0.0, 1 - np.exp(-0.1), 1 - np.exp(-0.2), 1 - np.exp(-0.4)], rtol=1e-12)


def test_charge_neutrality_gives_the_oxygen_excess():
    """A layer that lost all its TM redox (d = 1) with Q_TM = Q_O passes all that charge to oxygen: r_max more;
    half of it with half the utilisation: a quarter."""
    assert surface_oxygen_excess(1.0, tm_utilisation=1.0, q_tm_mAh_g=150, q_o_mAh_g=150, r_max=0.3) == pytest.approx(
        0.3
    )
    assert surface_oxygen_excess(0.5, tm_utilisation=0.5, q_tm_mAh_g=150, q_o_mAh_g=150,
                                 r_max=0.3) == pytest.approx(0.075)


def test_the_loss_rate_is_recovered_from_synthetic_valences():
    cycles = np.array([1, 5, 12, 22])
    valences = 2.04 + 2 * 0.65 * np.exp(-0.07 * (cycles - 1))
    gamma, error = surface_loss_from_valence(cycles, valences, np.full(4, 0.03), pristine=2.04)
    assert gamma == pytest.approx(0.07, rel=1e-6) and 0 < error < 0.02
    with pytest.raises(AnalysisError, match="at least two different charges"):
        surface_loss_from_valence([1], [3.3], [0.03], pristine=2.04)
    for valences, errors in (([3.3, np.nan], [0.03, 0.03]), ([3.3, 2.6], [0.03, 0.0]), ([3.3], [0.03, 0.03])):
        with pytest.raises(AnalysisError, match="one finite valence and one positive error"):
            surface_loss_from_valence([1, 12][:len(valences)], valences, errors, pristine=2.04)


def test_tm_utilisation_from_the_bulk_ni_valence_by_hand():
    """3.30 and 3.37 after the first charge from 2.04: 0.63 and 0.665 of Ni2+ -> Ni4+."""
    fixed = tm_utilisation_from_valence(reference_study()["bulk_ni"])
    parameters = ActivationParameters(
        u_ref=fixed["u_ref"][0], u_activation_energy_eV=fixed["u_activation_energy_eV"][0]
    )
    table = {t: simulate_cycles(parameters, 1, temperature_C=t).table for t in (30, 50)}
    assert table[30]["capacity_tm_mAh_g"].iloc[0] == pytest.approx(0.63 * parameters.q_tm_mAh_g, rel=1e-9)
    assert table[50]["capacity_tm_mAh_g"].iloc[0] == pytest.approx(0.665 * parameters.q_tm_mAh_g, rel=1e-9)


def test_a_valence_that_cannot_give_a_utilisation_is_refused():
    with pytest.raises(AnalysisError, match="above the pristine"):
        tm_utilisation_from_valence([Observation("ni_valence", 2.0, 0.03, 30, 1, "bulk")])
    with pytest.raises(AnalysisError, match="after a first charge"):
        tm_utilisation_from_valence([Observation("ni_valence", 3.3, 0.03, 30, 12, "bulk")])


def test_a_liquid_cell_has_its_own_tm_utilisation_and_no_interfacial_loss():
    solid = simulate_cycles(ActivationParameters(), 3).table
    liquid = simulate_cycles(ActivationParameters(), 3, liquid=True).table
    assert np.allclose(liquid["capacity_tm_mAh_g"], ActivationParameters().u_liquid * ActivationParameters().q_tm_mAh_g)
    assert np.allclose(liquid["overpotential_V"], 0.0)
    assert np.all(liquid["capacity_mAh_g"] > solid["capacity_mAh_g"])


def test_the_cycle_model_surface_process_touches_only_the_surface_r():
    base = ActivationParameters()
    plain = simulate_cycles(base, 20, temperature_C=50).table
    with_loss = simulate_cycles(base.with_values(surface_loss_per_cycle=0.05), 20, temperature_C=50).table
    for column in ("capacity_mAh_g", "r_bulk", "activated_fraction"):
        np.testing.assert_array_equal(plain[column], with_loss[column])
    u = min(
        base.u_ref * np.exp(-base.u_activation_energy_eV * 96485.33212 / 8.314462618 * (1 / 323.15 - 1 / 303.15)), 1
    )
    d = 1 - np.exp(-0.05 * np.exp(-base.surface_reaction_energy_eV * 96485.33212 / 8.314462618
                                  * (1 / 323.15 - 1 / 303.15))
                   * np.arange(20))
    expected = plain["r_tey"] + base.r_max * u * base.q_tm_mAh_g * d / base.q_o_mAh_g
    np.testing.assert_allclose(with_loss["r_tey"], expected, rtol=1e-12)
    np.testing.assert_allclose(with_loss["surface_deactivated"], d, rtol=1e-12)


def test_both_models_share_the_surface_process():
    """Fast transport and instant activation with the same loss per cycle: the particle model's surface
    shell is fully delithiated, so both models' surface r rise by r_max Q_TM d / Q_O (u = 1)."""
    fast = CellParameters(diffusivity_cm2_s=1e-9, k_activation_per_h=1e4, surface_loss_per_cycle=0.1,
                          activation_energy_eV=0.0)
    _, particle = simulate_time_resolved(fast, 3)
    _, plain = simulate_time_resolved(fast.with_values(surface_loss_per_cycle=0.0), 3)
    rise = particle["r_tey"] - plain["r_tey"]
    cycle = ActivationParameters(plateau_V=3.0, diffusivity_cm2_s=1e-9, u_ref=1.0, surface_loss_per_cycle=0.1,
                                 surface_reaction_energy_eV=0.0, r_max=fast.r_max, q_o_mAh_g=fast.q_o_mAh_g)
    cycle_rise = simulate_cycles(cycle, 3).table["r_tey"] - simulate_cycles(
        cycle.with_values(surface_loss_per_cycle=0.0), 3).table["r_tey"]
    np.testing.assert_allclose(rise, cycle_rise, atol=2e-3)
    assert rise.iloc[-1] > 0.02


def test_the_particle_models_surface_reaction_has_its_own_energy():
    """At 50 °C the particle model's surface loss per cycle is gamma exp(-E_s/k (1/T - 1/T_ref)) with the
    surface reaction's energy E_s, whatever the activation step's (by hand: 0.5 eV gives x3.28)."""
    fast = CellParameters(diffusivity_cm2_s=1e-9, k_activation_per_h=1e4, surface_loss_per_cycle=0.1,
                          activation_energy_eV=0.0, surface_reaction_energy_eV=0.5)
    _, table = simulate_time_resolved(fast, 3, temperature_C=50.0)
    gamma = 0.1 * np.exp(0.5 / 8.617333262e-5 * (1 / 303.15 - 1 / 323.15))
    np.testing.assert_allclose(table["surface_deactivated"], 1 - np.exp(-gamma * np.arange(3)), rtol=1e-9)


def test_an_arrhenius_fit_is_the_line_through_two_rates_by_hand():
    """0.02 per cycle at 30 °C and 0.05 at 50 °C: E = k ln(2.5) / (1/303.15 - 1/323.15), the errors propagated
    by hand (relative errors of 10 % and 5 %)."""
    from redoxmap.model.arrhenius import arrhenius_fit

    fit = arrhenius_fit([30, 50], [0.02, 0.05], [0.002, 0.0025])
    inverse_span = 1 / 303.15 - 1 / 323.15
    by_hand = 8.314462618 / 96485.33212 * np.log(2.5) / inverse_span
    assert fit.energy_eV == pytest.approx(by_hand, rel=1e-9)
    assert fit.energy_stderr_eV == pytest.approx(8.314462618 / 96485.33212 * np.hypot(0.1, 0.05) / inverse_span,
                                                 rel=1e-9)
    assert (fit.value_ref, fit.value_ref_stderr) == pytest.approx((0.02, 0.002), rel=1e-9)
    # away from 30 °C the rate there is extrapolated: its error by hand from the line through 40 and 60 °C
    away = arrhenius_fit([40, 60], [0.03, 0.09], [0.003, 0.0045])
    x1, x2 = (96485.33212 / 8.314462618 * (1 / (t + 273.15) - 1 / 303.15) for t in (40, 60))
    log_ref = (x2 * np.log(0.03) - x1 * np.log(0.09)) / (x2 - x1)
    assert away.value_ref == pytest.approx(np.exp(log_ref), rel=1e-9)
    assert away.value_ref_stderr / away.value_ref == pytest.approx(np.hypot(x2 * 0.1, x1 * 0.05) / abs(x2 - x1),
                                                                   rel=1e-9)
    for bad in (([30, 30], [0.02, 0.05], [0.002, 0.002]), ([30, 50], [0.02, -0.05], [0.002, 0.002]),
                ([30, 50], [0.02, 0.05], [0.002, 0.0])):
        with pytest.raises(AnalysisError, match="Arrhenius fit needs"):
            arrhenius_fit(*bad)


@pytest.mark.parametrize("rates", [[0.020, 0.036, 0.050, 0.090], [0.020, 0.0301, 0.0453, 0.0663]])
def test_an_arrhenius_fit_of_four_rates_is_numpys_weighted_line(rates):
    """Against numpy.polyfit on ln v and x = (1/T - 1/T_ref)/k with weights 1/(stderr/v): its covariance scaled by
    the reduced chi-square where the rates scatter beyond their errors (the first set), unscaled where they do
    not (the second, almost on a line)."""
    from redoxmap.model.arrhenius import arrhenius_fit

    temperatures, relative = np.array([30.0, 40.0, 50.0, 60.0]), 0.05
    fit = arrhenius_fit(temperatures, rates, relative * np.array(rates))
    x = 96485.33212 / 8.314462618 * (1 / (temperatures + 273.15) - 1 / 303.15)
    (slope, intercept), scaled = np.polyfit(x, np.log(rates), 1, w=np.full(4, 1 / relative), cov=True)
    unscaled = np.polyfit(x, np.log(rates), 1, w=np.full(4, 1 / relative), cov="unscaled")[1]
    chi2 = float(np.sum(((np.log(rates) - (slope * x + intercept)) / relative) ** 2))
    covariance = scaled if chi2 / 2 > 1 else unscaled
    assert (chi2 / 2 > 1) == (rates[1] == 0.036)
    assert (fit.energy_eV, np.log(fit.value_ref)) == pytest.approx((-slope, intercept), rel=1e-9)
    assert fit.energy_stderr_eV == pytest.approx(np.sqrt(covariance[0, 0]), rel=1e-9)
    assert fit.value_ref_stderr / fit.value_ref == pytest.approx(np.sqrt(covariance[1, 1]), rel=1e-9)


def _surface_valences(temperatures, charges, *, rate_30C=0.03, energy_eV=0.4, u1=0.65):
    """Surface Ni valences by hand: 2.04 + 2 u1 exp(-gamma(T) (n - 1)), gamma Arrhenius from 30 °C."""
    import pandas as pd

    rows = []
    for temperature in temperatures:
        gamma = rate_30C * np.exp(-energy_eV * 96485.33212 / 8.314462618 * (1 / (temperature + 273.15) - 1 / 303.15))
        rows += [(temperature, n, 2.04 + 2 * u1 * np.exp(-gamma * (n - 1)), 0.03) for n in charges]
    return pd.DataFrame(rows, columns=["temperature_C", "cycle", "valence", "valence_stderr"])


def test_two_temperatures_fix_the_surface_reaction_one_keeps_its_stated_energy():
    from redoxmap.model.surface import surface_reaction_from_valences

    both = surface_reaction_from_valences(_surface_valences((30, 50), (1, 6, 12, 22)), pristine=2.04,
                                          stated_energy_eV=0.0)
    assert both["surface_loss_per_cycle"][0] == pytest.approx(0.03, rel=1e-6)
    assert both["surface_reaction_energy_eV"][0] == pytest.approx(0.4, rel=1e-6)
    assert 0 < both["surface_reaction_energy_eV"][1] < 0.2
    # at 50 °C only: the rate there (0.0774 per cycle) brought to 30 °C with the stated energy, by hand
    hot = surface_reaction_from_valences(_surface_valences((30, 50), (1, 6, 12, 22)).query("temperature_C == 50"),
                                         pristine=2.04, stated_energy_eV=0.3)
    at_50 = 0.03 * np.exp(-0.4 * 96485.33212 / 8.314462618 * (1 / 323.15 - 1 / 303.15))
    to_30 = np.exp(-0.3 * 96485.33212 / 8.314462618 * (1 / 323.15 - 1 / 303.15))
    assert set(hot) == {"surface_loss_per_cycle"}
    assert hot["surface_loss_per_cycle"][0] == pytest.approx(at_50 / to_30, rel=1e-6)
    # the first charge alone at each temperature says nothing of a rate
    with pytest.raises(AnalysisError, match="after two different charges"):
        surface_reaction_from_valences(_surface_valences((30, 50), (1,)), pristine=2.04, stated_energy_eV=0.3)
