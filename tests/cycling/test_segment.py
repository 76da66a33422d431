"""Segmentation into states, steps, half cycles and cycles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from redoxmap.cycling import from_records, segment
from tests.cycling.synthetic import Protocol, cathode_cycles


def test_cathode_cycles_and_exact_capacity():
    table = segment(cathode_cycles(3, current=1e-3, hours=2.0))
    active = table[table["state"] != "rest"]
    assert sorted(active["cycle"].unique()) == [1, 2, 3]
    assert active["half_cycle"].nunique() == 6
    per_half = table.groupby("half_cycle")["capacity_Ah"].max().loc[1:]
    np.testing.assert_allclose(per_half, 2e-3, rtol=1e-9)  # 1 mA for exactly 2 h


def test_anode_first_counts_discharge_as_the_opening_half():
    records = cathode_cycles(2)
    records["current_A"] *= -1  # discharge first
    table = segment(records, first="discharge")
    first_active = table[table["state"] != "rest"].iloc[0]
    assert first_active["state"] == "discharge" and first_active["cycle"] == 1
    assert table["cycle"].max() == 2


def test_cathode_file_that_starts_with_a_discharge_puts_it_in_cycle_0():
    p = Protocol().cc(-1e-3, 1.0, 3.5, 3.0).cc(1e-3, 2.0, 3.0, 4.5).cc(-1e-3, 2.0, 4.5, 3.0)
    table = segment(p.frame())
    halves = table[table["state"] != "rest"].groupby("half_cycle")["cycle"].first()
    assert halves.tolist() == [0, 1, 1]


def test_cv_hold_belongs_to_its_charge_and_rests_do_not_split():
    p = Protocol()
    p.cc(1e-3, 1.0, 3.0, 4.5).cv(4.5, 1e-3, 1.0).rest(0.2, 4.4)
    p.cc(1e-3, 0.1, 4.4, 4.5)  # charge resumes after a rest (GITT-like): same half cycle
    p.cc(-1e-3, 2.0, 4.5, 3.0)
    table = segment(p.frame())
    charge = table[table["state"] == "charge"]
    assert charge["half_cycle"].nunique() == 1
    assert table["step"].nunique() >= 5
    expected = 1e-3 * 1.0 + 1e-3 * 0.3 * (1 - np.exp(-1.0 / 0.3)) + 1e-3 * 0.1
    # The exponential CV current is integrated with the trapezoid rule on a 10 s grid.
    assert charge["capacity_Ah"].max() == pytest.approx(expected, rel=1e-4)


def test_short_opposite_pulse_inside_a_discharge_is_a_pulse():
    p = Protocol()
    p.cc(1e-3, 2.0, 3.0, 4.5)
    p.cc(-1e-3, 1.0, 4.5, 3.8).cc(2e-3, 50 / 3600, 3.9, 3.9).cc(-1e-3, 1.0, 3.8, 3.0)
    table = segment(p.frame())
    assert (table["state"] == "pulse").sum() == 5
    assert table.loc[table["state"] == "discharge", "half_cycle"].nunique() == 1
    assert table["cycle"].max() == 1


def test_late_cycles_of_a_faded_cell_are_not_pulses():
    p = Protocol()
    p.cc(1e-3, 10.0, 3.0, 4.5).cc(-1e-3, 10.0, 4.5, 3.0)
    for _ in range(3):  # 0.5 % of the first cycle's capacity
        p.cc(1e-3, 0.05, 3.0, 4.5).cc(-1e-3, 0.05, 4.5, 3.0)
    table = segment(p.frame())
    assert table["cycle"].max() == 4
    assert not (table["state"] == "pulse").any()


def test_rejects_unknown_first():
    from redoxmap.errors import AnalysisError

    with pytest.raises(AnalysisError):
        segment(cathode_cycles(1), first="sideways")


@pytest.mark.parametrize("name", ["NewareNDA/BTS85-36-6-5-110-20240424.ndax", "fastnda/nda_v26.nda",
                                  "fastnda/nw4-120-1-6-53.ndax"])
def test_cycle_count_matches_fastnda_charge_mode(echem, name, quiet):
    """fastnda's own 'chg' cycle mode (a cycle starts with a charge after a discharge)."""
    import fastnda

    import redoxmap

    table = redoxmap.read_cycling(echem / name)
    reference = fastnda.read(str(echem / name), cycle_mode="chg")["cycle_count"].to_numpy()
    assert table["cycle"].max() == pytest.approx(reference.max(), abs=1)


def test_half_cycle_capacity_matches_instrument_counter(echem, quiet):
    import redoxmap
    from redoxmap.cycling.checks import instrument_capacity_deviation

    for name in ["NewareNDA/test_2.ndax", "fastnda/nda_v26.nda", "yadg/gcpl.pr_182.1.mpt",
                 "battery-data-toolkit/arbin_example.csv", "NewareNDA/BTS85-36-6-5-110-20240424.ndax"]:
        deviation = instrument_capacity_deviation(redoxmap.read_cycling(echem / name))
        assert abs(deviation) < 0.002, name


def test_rounded_current_is_flagged(echem):
    import redoxmap
    from redoxmap.errors import DataWarning

    with pytest.warns(DataWarning, match="too few digits"):
        redoxmap.read_cycling(echem / "battery-data-format" / "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv",
                              electrode="anode", active_mass_mg=10)


def test_from_records_keeps_metadata():
    table = from_records(cathode_cycles(1), active_mass_mg=4.0, temperature_C=30.0,
                         specific_current_mA_g=250.0, name="LLO-30")
    from redoxmap.cycling import cell_metadata

    meta = cell_metadata(table)
    assert (meta.name, meta.active_mass_mg, meta.temperature_C) == ("LLO-30", 4.0, 30.0)
    assert isinstance(table, pd.DataFrame)


def test_unknown_metadata_key_is_named(echem):
    import redoxmap
    from redoxmap.errors import AnalysisError

    with pytest.raises(AnalysisError, match="active_mass"):
        redoxmap.read_cycling(echem / "navani" / "test.ndax", active_mass=4.0)
