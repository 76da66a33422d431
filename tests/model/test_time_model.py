"""The time-resolved particle model: physics, limits shared with the cycle-resolved model, and
its voltage record analysed like a measured cell."""

from __future__ import annotations

import numpy as np
import pytest

from redoxmap.model.cycle_model import ActivationParameters, simulate_cycles
from redoxmap.model.time_model import CellParameters, ParticleModel, simulate_time_resolved

BASE = CellParameters()


@pytest.fixture(scope="module")
def runs():
    return {t: simulate_time_resolved(BASE, 4, temperature_C=t) for t in (30, 50)}


def test_activation_starts_at_the_surface_and_a_hotter_cell_activates_more(runs):
    for _, cycles in runs.values():
        assert (cycles["activated_surface"] >= cycles["activated_centre"]).all()
        assert (np.diff(cycles["activated_fraction"]) >= -1e-9).all()
    assert (runs[50][1]["activated_fraction"] >= runs[30][1]["activated_fraction"]).all()


def test_the_first_charge_has_the_oxygen_plateau(runs):
    record, _ = runs[50]
    first_charge = record[(record["cycle"] == 1) & (record["current_A"] > 0)]
    plateau = first_charge["voltage_V"].between(4.45, 4.65)
    assert plateau.mean() > 0.3  # a long flat stretch above 4.4 V (region III)


def test_limits_agree_with_the_cycle_resolved_model():
    """No activation: both give the TM capacity; instant activation with fast transport: both the full capacity."""
    fast = BASE.with_values(diffusivity_cm2_s=1e-9)
    _, none = simulate_time_resolved(fast.with_values(k_activation_per_h=0.0), 2)
    cycle_none = simulate_cycles(ActivationParameters(kappa_ref=1e-12, u_ref=1.0), 2).table
    assert none["discharge_capacity_mAh_g"].iloc[-1] == pytest.approx(cycle_none["capacity_mAh_g"].iloc[-1], rel=0.02)
    _, full = simulate_time_resolved(fast.with_values(k_activation_per_h=1e4), 2)
    cycle_full = simulate_cycles(ActivationParameters(kappa_ref=1e6, l_ref_nm=1e7, u_ref=1.0), 2).table
    assert full["discharge_capacity_mAh_g"].iloc[-1] == pytest.approx(cycle_full["capacity_mAh_g"].iloc[-1], rel=0.02)


def test_the_profile_never_rises_with_depth():
    model = ParticleModel(BASE, 30.0)
    state = np.concatenate([np.linspace(0.1, 0.6, BASE.shells), np.zeros(BASE.shells)])
    rates = model.rhs(0.0, state, 25.0)[BASE.shells:]
    assert np.all(np.diff(rates) >= -1e-15)  # outer shells (higher index) activate at least as fast


def test_the_record_is_analysed_like_a_measured_cell(runs):
    from redoxmap.cycling import cycle_summary, region_capacities
    from redoxmap.cycling.read import from_records

    record, cycles = runs[50]
    table = from_records(record[["time_s", "voltage_V", "current_A"]], active_mass_mg=1000.0)  # currents are per gram
    summary = cycle_summary(table).set_index("cycle")
    np.testing.assert_allclose(summary.loc[1:4, "discharge_capacity_mAh_g"], cycles["discharge_capacity_mAh_g"],
                               rtol=0.01)
    regions = region_capacities(table, cycles=[1])
    region_iii = regions[(regions["direction"] == "charge") & (regions["region"] == "III")]
    assert region_iii["capacity_mAh_g"].iloc[0] > 80  # the oxygen plateau above 4.4 V


def test_a_faster_charge_activates_less():
    _, slow = simulate_time_resolved(BASE, 2, c_rate=0.1)
    _, fast = simulate_time_resolved(BASE, 2, c_rate=0.5)
    assert (fast["activated_fraction"] <= slow["activated_fraction"] + 1e-9).all()
