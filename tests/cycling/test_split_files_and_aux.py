"""One cell over several files, auxiliary channels, and areal capacity."""

from __future__ import annotations

import subprocess
import warnings

import numpy as np
import pandas as pd
import pytest

import redoxmap
from redoxmap.cycling import cycle_summary
from redoxmap.errors import DataWarning
from redoxmap.io import read_raw_cycling, write_bdf
from tests.conftest import require_program

pytestmark = pytest.mark.filterwarnings("ignore:.*no active mass given:redoxmap.errors.DataWarning")


def test_parts_of_one_biologic_experiment_join_on_its_clock(echem):
    """PyProBE's three parts of one BT-Lab experiment share its start and continue its clock: given in any
    order they come back in time order, every record kept, and the 62.5 h without records is reported."""
    folder = echem / "PyProBE"
    parts = [folder / f"Sample_data_biologic_0{k}_MB_CA1.txt" for k in (1, 2, 3)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = redoxmap.read_cycling([parts[2], parts[0], parts[1]])
    singles = [read_raw_cycling(p).table for p in parts]
    assert len(table) == sum(len(t) for t in singles)
    for index, single in enumerate(singles):
        np.testing.assert_allclose(table.loc[table["file_index"] == index, "time_s"], single["time_s"])
    gaps = [str(w.message) for w in caught if issubclass(w.category, DataWarning) and "gap" in str(w.message)]
    assert any("62.5 h" in g for g in gaps)


def test_maccor_files_are_placed_by_their_date_of_test(echem):
    """maccor_example.002 states a test date one day after .001's: its records start 86,400 s later."""
    folder = echem / "battery-data-toolkit"
    with pytest.warns(DataWarning, match="24 h"):
        table = redoxmap.read_cycling([folder / "maccor_example.002", folder / "maccor_example.001"])
    first, second = (table.loc[table["file_index"] == k, "time_s"].to_numpy() for k in (0, 1))
    assert second[0] - first[0] == pytest.approx(86400.0)


def test_a_resumed_test_without_start_times_continues_after_the_first_file(echem, tmp_path):
    """A real record cut in two, the second part's clock restarted at zero (as a resumed channel logs it),
    written by redoxmap's own BDF writer: joined, the clock and the cycles continue as in the original."""
    original = read_raw_cycling(echem / "battery-data-toolkit" / "arbin_example.csv").table
    cut = len(original) // 2
    first, second = original.iloc[:cut].copy(), original.iloc[cut:].copy()
    second["time_s"] -= second["time_s"].iloc[0]
    paths = [write_bdf(first, tmp_path / "part1.bdf.csv"), write_bdf(second, tmp_path / "part2.bdf.csv")]
    with pytest.warns(DataWarning, match="clock restarts"):
        joined = redoxmap.read_cycling(paths)
    whole = redoxmap.read_cycling(echem / "battery-data-toolkit" / "arbin_example.csv")
    steps = np.diff(first["time_s"].to_numpy())
    time = joined["time_s"].to_numpy()
    assert time[cut] - time[cut - 1] == pytest.approx(np.median(steps[steps > 0]))  # one logging step
    np.testing.assert_allclose(np.diff(time[cut:]), np.diff(original["time_s"].to_numpy()[cut:]), atol=1e-6)
    assert joined["cycle"].max() == whole["cycle"].max()


def test_arbin_auxiliary_channels_come_with_their_units(echem):
    """cellpy's aux_multi_x.res: every voltage and temperature input of the database's Auxiliary_Table, as
    columns, with the values the table holds for each data point."""
    require_program("mdb-export", "mdbtools")
    path = echem / "cellpy" / "aux_multi_x.res"
    table = read_raw_cycling(path).table
    globals_ = pd.read_csv(pd.io.common.StringIO(subprocess.run(
        ["mdb-export", str(path), "Aux_Global_Data_Table"], capture_output=True, text=True, check=True).stdout))
    expected = {f"aux{i + 1}_{'voltage_V' if t == 0 else 'temperature_C'}"
                for i, t in zip(globals_["Auxiliary_Index"], globals_["Data_Type"]) if t in (0, 1)}
    assert expected == {c for c in table.columns if c.startswith("aux")}
    aux = pd.read_csv(pd.io.common.StringIO(subprocess.run(
        ["mdb-export", str(path), "Auxiliary_Table"], capture_output=True, text=True, check=True).stdout))
    first = aux[
        (aux["Data_Point"] == aux["Data_Point"].min()) & (aux["Data_Type"] == 1) & (aux["Auxiliary_Index"] == 0)
    ]
    assert table["aux1_temperature_C"].iloc[0] == pytest.approx(float(first["X"].iloc[0]))
    assert table["temperature_C"].equals(table["aux1_temperature_C"])


def test_neware_auxiliary_inputs_are_kept_and_unconnected_ones_dropped(echem):
    table = read_raw_cycling(echem / "cellpy" / "20260302_IFE_BTS85_2_9_8_1.ndax").table
    assert "aux1_voltage_V" in table and table["aux1_voltage_V"].std() > 0
    assert "aux1_temperature_C" not in table  # fastnda reads it as zero throughout: no sensor


def test_areal_capacity_with_the_electrode_area(echem):
    table = redoxmap.read_cycling(echem / "battery-data-toolkit" / "arbin_example.csv", electrode_area_cm2=1.13,
                                  active_mass_mg=10.0)
    with pytest.warns(DataWarning, match="is the mass in g instead of mg"):  # 10 mg stands in for a far smaller cell
        summary = cycle_summary(table)
    np.testing.assert_allclose(summary["discharge_capacity_mAh_cm2"], summary["discharge_capacity_mAh"] / 1.13)
    with pytest.raises(redoxmap.errors.AnalysisError, match="electrode_area_cm2"):
        redoxmap.read_cycling(echem / "battery-data-toolkit" / "arbin_example.csv", electrode_area_cm2=-1)
