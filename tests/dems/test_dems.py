"""DEMS / EC-MS: readers checked against the values published with the files and against ixdat,
alignment against the offsets Zilien measured, quantification against a virtual cell's truth."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

import redoxmap
from redoxmap.cli import app
from redoxmap.dems import (
    MAH_G_PER_UMOL_G_O2,
    calibrate_faradaic,
    calibrate_gas,
    carrier_molar_flow,
    cycler_offset,
    load_calibration,
    quantify_gases,
    simulate_dems_cell,
)
from redoxmap.errors import AnalysisError, ReadError
from redoxmap.io import MsRecording, read_ms

runner = CliRunner()


@pytest.fixture(scope="module")
def zilien(data):
    return data / "dems" / "ixdat+ixdat-large-test-files"


@pytest.fixture(scope="module")
def virtual_cell(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dems50")
    return folder, simulate_dems_cell(folder, temperature_C=50)


def test_zilien_v1_series_match_the_published_values(zilien):
    # ixdat tests/functional/test_zilien_reader.py (series: first and last time and value, count)
    recording = read_ms(zilien / "zilien_version_1" / "2022-04-06 16_17_23 full set.tsv")
    cell = recording.electrochemistry
    assert len(cell) == 733 and cell["time_s"].iloc[[0, -1]].tolist() == pytest.approx([95.84931, 213.4163])
    assert cell["voltage_V"].iloc[[0, -1]].tolist() == pytest.approx([0.5920536, 0.1014159])
    assert cell["current_A"].iloc[[0, -1]].tolist() == pytest.approx([1.055188e-09, -2.818254e-05])  # mA -> A
    published = {2: (0.4798638, 216.3797, 2.319726e-09, 2.187911e-09), 4: (None, None, 3.650363e-08, 3.444133e-08),
                 18: (None, None, 3.607096e-09, 3.401646e-09), 28: (None, None, 1.864088e-10, 1.828584e-10),
                 32: (None, None, 1.934676e-10, 1.851902e-10)}
    for mass, (first_t, last_t, first_v, last_v) in published.items():
        time_s, values = recording.signal(mass)
        assert len(time_s) == 404 and (values[0], values[-1]) == pytest.approx((first_v, last_v))
        if first_t is not None:
            assert (time_s[0], time_s[-1]) == pytest.approx((first_t, last_t))
    gauge = recording.channels["Iongauge value [mbar]"]
    pressure = recording.channels["PC value [mbar]"]
    assert len(gauge[0]) == 457 and (gauge[1][0], gauge[1][-1]) == pytest.approx((6.16e-07, 6.17e-07))
    assert (pressure[1][0], pressure[1][-1]) == pytest.approx((994.6649, 994.5849))
    assert recording.start_time == "2022-04-06T16:17:23"  # from the file name, as Zilien names files


def test_zilien_v2_matches_ixdat(zilien):
    ixdat = pytest.importorskip("ixdat")
    file = zilien / "zilien_version_2" / "2022-09-19 11_27_59 test-1" / "2022-09-19 11_27_59 test-21.tsv"
    ours = read_ms(file)
    theirs = ixdat.Measurement.read(file, reader="zilien")
    for mass in (2, 32, 44):
        time_s, values = ours.signal(mass)
        their_time, their_values = theirs.grab(f"M{mass} [A]")
        np.testing.assert_allclose(values, their_values, rtol=1e-12)
        shift = their_time - time_s  # ixdat counts from its own time stamp: a constant offset at most
        assert np.ptp(shift) < 1e-6


@pytest.mark.parametrize(("folder", "name", "offset"), [
    ("2022-09-19 11_27_59 test-1", "2022-09-19 11_27_59 test-21_01_01_CV_C01.mpt", 13.44293),
    ("2022-09-19 11_27_59 test-1", "2022-09-19 11_27_59 test-21_01_02_CP_C01.mpt", 13.44293),
    ("2022-09-19 11_31_19 test-3", "2022-09-19 11_31_19 test-23_01_C01.mpt", 3.294874),
    ("2022-09-19 11_31_19 test-3", "2022-09-19 11_31_19 test-23_02_C01.mpt", 41.38740),
])
def test_cycler_files_align_on_the_offsets_zilien_measured(zilien, folder, name, offset):
    base = zilien / "zilien_version_2" / folder
    recording = read_ms(next(base.glob("*.tsv")))
    with pytest.warns(Warning):
        cycling = redoxmap.read_cycling(base / name)
    found, how = cycler_offset(recording, cycling)
    assert found == pytest.approx(offset) and "measured" in how
    # without Zilien's measurement the start times give it within the files' clock resolution
    recording.offsets_s.clear()
    found, how = cycler_offset(recording, cycling)
    assert found == pytest.approx(offset, abs=0.3) and "start times" in how


def test_pfeiffer_exports_read(data):
    recording = read_ms(data / "dems" / "ScottSoren+EC_MS" / "_tests_" / "20C02_Spectrum_demo" / "1_FC_1E-4.dat")
    scans = recording.metadata["scans"]
    assert scans["mass_amu"][0] == pytest.approx(0.2) and scans["mass_amu"][-1] == pytest.approx(90.0)
    assert recording.start_time == "2020-02-25T11:10:13" and set(recording.masses()) >= {18.0, 28.0, 32.0, 44.0}
    assert recording.metadata["dropped_incomplete_scans"] == 2  # "3 TimePoints", two written as -nan
    time_s, water = recording.signal(18)
    assert time_s[0] == pytest.approx(237.308)  # the complete scan's relative time
    assert water[0] == pytest.approx(np.max(scans["signal"][0][np.abs(scans["mass_amu"] - 18) <= 0.3 + 1e-9]))


def test_quadstar_through_rosettasciio(data):
    pytest.importorskip("rsciio")
    recording = read_ms(
        data / "dems" / "hyperspy+rosettasciio" / "rsciio" / "tests" / "data" / "quadstar" / "airdemo.sac"
    )
    assert recording.metadata["scans"]["signal"].shape == (21, 3840)  # rsciio's reading of the demo file
    assert recording.start_time == "1994-03-14T14:46:36" and 28.0 in recording.masses()


def test_carrier_flow_and_calibrations_recover_known_factors():
    assert carrier_molar_flow(1.0) == pytest.approx(6.81e-7, rel=1e-3)  # 1 mL/min at 25 °C, 1 atm
    assert carrier_molar_flow(1.0, temperature_K=273.15) == pytest.approx(7.44e-7, rel=1e-3)
    rng = np.random.default_rng(2)
    time_s = np.arange(0.0, 1200.0, 2.0)
    factor = 0.09
    flow = 0.01 * carrier_molar_flow(1.0)
    signal = 2e-12 + np.where(time_s > 600, factor * flow, 0.0) + rng.normal(0, 1e-14, len(time_s))
    recording = MsRecording({"M32": (time_s, signal)}, {"M32": "A"}, "synthetic")
    found = calibrate_gas(recording, gas="O2", mz=32, mole_fraction=0.01, flow_mL_min=1.0,
                          window_s=(700, 1190), baseline_window_s=(0, 590))
    assert abs(found.value_C_mol - factor) < 3 * found.stderr_C_mol and found.relative_error < 0.01
    current = 1e-4  # A, 4 electrons per O2
    faradaic = MsRecording({"M32": (time_s, 2e-12 + np.where(time_s > 600, factor * current / (4 * 96485.33212), 0.0))},
                           {"M32": "A"}, "synthetic")
    assert calibrate_faradaic(faradaic, gas="O2", mz=32, current_A=current, electrons=4, window_s=(700, 1190),
                              baseline_window_s=(0, 590)).value_C_mol == pytest.approx(factor, rel=1e-6)


def test_virtual_cell_totals_onsets_and_oxygen_are_recovered(virtual_cell):
    folder, truth = virtual_cell
    cycling = redoxmap.read_cycling(folder / "cycler.csv", active_mass_mg=truth["active_mass_mg"])
    recording = read_ms(folder / "ms.csv")
    result = quantify_gases(recording, load_calibration(folder / "calibration.json"), cycling=cycling,
                            offset_s=truth["offset_s"], delay_s=truth["delay_s"], lag_s=truth["lag_s"])
    charge = result.totals[result.totals["direction"] == "charge"].set_index("gas")
    for gas in ("O2", "CO2"):
        row = charge.loc[gas]
        assert row.amount_umol_g == pytest.approx(truth[f"{gas}_charge_umol_g"], abs=3 * row.amount_stderr_umol_g)
        assert row.amount_umol_g == pytest.approx(truth[f"{gas}_charge_umol_g"], rel=0.01)
        assert row.onset_V == pytest.approx(truth[f"{gas}_onset_V"], abs=0.02)
    o2 = charge.loc["O2"]
    assert o2.o2_equivalent_mAh_g == pytest.approx(o2.amount_umol_g * MAH_G_PER_UMOL_G_O2)
    assert MAH_G_PER_UMOL_G_O2 == pytest.approx(0.1072, abs=1e-4)
    assert o2.region_III_mAh_g == pytest.approx(truth["region_III_charge_mAh_g"], rel=0.01)
    assert o2.o2_equivalent_mAh_g / o2.region_III_mAh_g == pytest.approx(truth["loss_fraction"], rel=0.02)
    oxygen = result.lattice_oxygen()
    assert oxygen["oxygen_umol_g"].iloc[0] == pytest.approx(2 * o2.amount_umol_g)
    # without the lag correction, gas made on charge spills into the discharge
    uncorrected = quantify_gases(recording, load_calibration(folder / "calibration.json"), cycling=cycling,
                                 offset_s=truth["offset_s"], delay_s=truth["delay_s"], lag_s=0)
    spill = uncorrected.totals.query("direction == 'discharge' and gas == 'O2'")["amount_umol_g"].iloc[0]
    corrected = result.totals.query("direction == 'discharge' and gas == 'O2'")
    assert abs(corrected["amount_umol_g"].iloc[0]) < 3 * corrected["amount_stderr_umol_g"].iloc[0] < spill


def test_more_oxygen_leaves_at_50_than_at_30_c(tmp_path):
    released = {}
    for temperature in (30, 50):
        truth = simulate_dems_cell(tmp_path / str(temperature), temperature_C=temperature, seed=temperature)
        cycling = redoxmap.read_cycling(tmp_path / str(temperature) / "cycler.csv", active_mass_mg=10)
        result = quantify_gases(read_ms(tmp_path / str(temperature) / "ms.csv"),
                                load_calibration(tmp_path / str(temperature) / "calibration.json"), cycling=cycling,
                                offset_s=truth["offset_s"], delay_s=truth["delay_s"], lag_s=truth["lag_s"])
        released[temperature] = result.lattice_oxygen()["oxygen_umol_g"].iloc[0]
    assert released[50] > 2 * released[30]


def test_bad_dems_input(tmp_path, zilien, virtual_cell):
    source = (
        zilien / "zilien_version_2" / "2022-09-19 11_27_59 test-1" / "2022-09-19 11_27_59 test-21.tsv"
    ).read_bytes()
    cut = tmp_path / "cut.tsv"
    cut.write_bytes(source[:5000])
    with pytest.raises(ReadError, match="cut.tsv"):
        read_ms(cut)
    folder, _truth = virtual_cell
    recording = read_ms(folder / "ms.csv")
    cycling = redoxmap.read_cycling(folder / "cycler.csv", active_mass_mg=10)
    with pytest.raises(AnalysisError, match="offset_s"):
        quantify_gases(recording, load_calibration(folder / "calibration.json"), cycling=cycling)  # no start times
    with pytest.raises(AnalysisError, match="no channel 40"):
        recording.signal(40)
    with pytest.raises(AnalysisError, match="not a redoxmap DEMS calibration"):
        load_calibration(folder / "truth.json")


def test_cli_quantify_json_and_figure(virtual_cell, tmp_path):
    folder, truth = virtual_cell
    figure = tmp_path / "s15.png"
    result = runner.invoke(
        app,
        [
            "dems",
            "quantify",
            str(folder / "ms.csv"),
            "--calibration",
            str(folder / "calibration.json"),
            "--cycler",
            str(folder / "cycler.csv"),
            "--mass-mg",
            "10",
            "--offset-s",
            "1800",
            "--delay",
            "40",
            "--lag",
            "90",
            "--plot",
            str(figure),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    o2 = next(r for r in body["rows"] if r["gas"] == "O2" and r["direction"] == "charge")
    assert o2["amount_umol_g"] == pytest.approx(truth["O2_charge_umol_g"], rel=0.01)
    assert body["lattice_oxygen"][0]["counts_co2"] is False and figure.stat().st_size > 10_000
    calibration = tmp_path / "cal.json"
    made = runner.invoke(app, ["dems", "calibrate", str(folder / "ms.csv"), "--gas", "O2", "--mz", "32", "--current",
                               "1e-4", "--electrons", "4", "--window", "30000,40000", "--baseline", "0,1500",
                               "-o", str(calibration)])
    assert made.exit_code == 0, made.output
    assert load_calibration(calibration)[0].method == "faradaic"
    assert math.isfinite(load_calibration(calibration)[0].value_C_mol)
