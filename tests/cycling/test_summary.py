"""Per-half-cycle and per-cycle summaries against independent numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import redoxmap
from redoxmap.cycling import cycle_summary, from_records, half_cycles
from redoxmap.errors import DataWarning
from tests.cycling.synthetic import Protocol, cathode_cycles


def test_synthetic_cycle_summary_is_exact():
    table = from_records(cathode_cycles(3, current=1e-3, hours=2.0), active_mass_mg=10.0)
    s = cycle_summary(table)
    np.testing.assert_allclose(s["charge_capacity_mAh"], 2.0)
    np.testing.assert_allclose(s["discharge_capacity_mAh_g"], 200.0)
    np.testing.assert_allclose(s["coulombic_efficiency_pct"], 100.0)
    # Linear 3.0 -> 4.5 V charge and 4.4 -> 3.0 V discharge: mean voltages 3.75 and 3.7 V.
    # (the first interval of each half cycle starts from the rest voltage before it)
    np.testing.assert_allclose(s["mean_charge_voltage_V"], 3.75, atol=2e-3)
    np.testing.assert_allclose(s["mean_discharge_voltage_V"], 3.70, atol=2e-3)
    np.testing.assert_allclose(s["hysteresis_V"], 0.05, atol=3e-3)
    np.testing.assert_allclose(s["charge_energy_mWh_g"], 200.0 * 3.75, rtol=1e-3)
    np.testing.assert_allclose(s["retention_pct"], 100.0)


def test_anode_first_efficiency_is_charge_over_discharge():
    p = Protocol()
    p.cc(-1e-3, 2.0, 1.0, 0.01).cc(1e-3, 1.5, 0.01, 1.0)
    table = from_records(p.frame(), electrode="anode", active_mass_mg=5.0)
    s = cycle_summary(table)
    assert s.loc[s["cycle"] == 1, "coulombic_efficiency_pct"].item() == pytest.approx(75.0, rel=1e-6)


@pytest.mark.parametrize("name", ["navani/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr",
                                  "battery-data-toolkit/arbin_example.csv",
                                  "beep/xTESLADIAG_000019_CH70.070"])
def test_real_capacity_matches_numpy_integration(echem, name, quiet):
    """Integrate |I| dt with numpy over each unbroken run of non-rest records of a half cycle."""
    table = redoxmap.read_cycling(echem / name)
    halves = half_cycles(table).set_index("half_cycle")
    t, i = table["time_s"].to_numpy(), table["current_A"].to_numpy()
    hc = table["half_cycle"].to_numpy()
    for number in halves.index[halves["capacity_mAh"] > 0.1 * halves["capacity_mAh"].max()][:6]:
        rows = np.flatnonzero((hc == number) & (table["state"].to_numpy() != "rest"))
        runs = np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)
        expected = sum(np.trapezoid(np.abs(i[r]), t[r]) for r in runs) / 3.6  # mAh
        assert halves.loc[number, "capacity_mAh"] == pytest.approx(expected, rel=0.01), number


def test_missing_mass_warns_and_gives_mah_only(echem):
    with pytest.warns(DataWarning, match="mAh only"):
        table = redoxmap.read_cycling(echem / "navani" / "test.ndax")
    s = cycle_summary(table)
    assert "discharge_capacity_mAh" in s and "discharge_capacity_mAh_g" not in s


def test_zero_mass_warns(echem):
    with pytest.warns(DataWarning, match="0 mg"):
        redoxmap.read_cycling(echem / "navani" / "test.ndax", active_mass_mg=0)


def test_negative_mass_is_an_error(echem):
    from redoxmap.errors import AnalysisError

    with pytest.raises(AnalysisError, match="positive"):
        redoxmap.read_cycling(echem / "navani" / "test.ndax", active_mass_mg=-3)


def test_mass_in_grams_instead_of_mg_is_flagged():
    # 2 mAh from a cell whose 10 mg were entered as 0.010: 200,000 mAh/g.
    table = from_records(cathode_cycles(2), active_mass_mg=0.010)
    with pytest.warns(DataWarning, match="g instead of mg"):
        cycle_summary(table)


def test_file_mass_is_offered_not_used(echem):
    with pytest.warns(DataWarning, match="the file states 1 mg"):
        table = redoxmap.read_cycling(echem / "yadg" / "gcpl.issue_149.mpt")
    assert redoxmap.cell_metadata(table).active_mass_mg is None


def test_summary_needs_active_half_cycles(echem, quiet):
    from redoxmap.errors import AnalysisError

    table = redoxmap.read_cycling(echem / "fastnda" / "21_10_7_85.ndax")  # a rest only
    with pytest.raises(AnalysisError, match="no charge or discharge"):
        half_cycles(table)


def test_multi_step_half_cycles_sum_the_instruments_step_capacities(echem, quiet):
    """A Neware BTSDA CSV export (generic reader): each lithiation is three CC steps at
    falling current; the instrument resets its capacity counter at every step."""
    path = echem / "cellpy" / "neware_uio.csv"
    raw = pd.read_csv(path)
    raw["block"] = (raw["Step Index"] != raw["Step Index"].shift()).cumsum()
    steps = raw.groupby("block").agg(kind=("Step Type", "first"), charge=("Chg. Cap.(Ah)", "max"),
                                     discharge=("DChg. Cap.(Ah)", "max"))
    steps = steps[steps["kind"] != "Rest"]
    direction = np.where(steps["kind"].str.contains("DChg"), "discharge", "charge")
    half = np.cumsum(np.concatenate([[True], direction[1:] != direction[:-1]]))
    expected = (steps["charge"] + steps["discharge"]).groupby(half).sum().to_numpy() * 1000.0

    table = redoxmap.read_cycling(path, electrode="anode")
    got = half_cycles(table)["capacity_mAh"].to_numpy()
    np.testing.assert_allclose(got, expected, rtol=2e-3)
