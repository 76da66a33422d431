"""dQ/dV: conservation of charge, known peak positions, peak labelling and tracking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import redoxmap
from redoxmap.cycling import find_dqdv_peaks, from_records, half_cycles, peak_windows, track_peaks
from redoxmap.cycling.differential import constant_voltage_rows, dqdv
from redoxmap.errors import DataWarning
from tests.cycling.synthetic import Protocol


def _two_plateau_cell(centres=(3.9, 4.5), widths=(0.03, 0.05), weights=(0.6, 0.4), cycles=3):
    """Galvanostatic cell whose Q(V) is a sum of logistic steps: dQ/dV peaks at ``centres``."""
    v = np.linspace(3.0, 4.7, 4000)
    q = sum(w / (1 + np.exp(-(v - c) / s)) for c, s, w in zip(centres, widths, weights))
    q = (q - q[0]) / (q[-1] - q[0])
    hours = 5.0
    t_of_q = q * hours * 3600
    frames, t0 = [], 0.0
    for _ in range(cycles):
        grid = np.linspace(0, hours * 3600, 3000)
        v_up = np.interp(grid, t_of_q, v)
        frames.append(pd.DataFrame({"time_s": t0 + grid, "voltage_V": v_up, "current_A": 1e-3}))
        t0 += grid[-1] + 10
        frames.append(pd.DataFrame({"time_s": t0 + grid, "voltage_V": v_up[::-1], "current_A": -1e-3}))
        t0 += grid[-1] + 10
    return from_records(pd.concat(frames, ignore_index=True), active_mass_mg=5.0)


def test_dqdv_integrates_to_capacity_on_real_file(echem, quiet):
    table = redoxmap.read_cycling(echem / "NewareNDA" / "BTS85-36-6-5-110-20240424.ndax")
    result = dqdv(table, exclude_cv=False)
    capacity = half_cycles(table).set_index("half_cycle").loc[result.half_cycles["half_cycle"], "capacity_mAh"]
    integral = np.abs(result.dqdv).sum(axis=1) * result.parameters["voltage_step_V"]
    np.testing.assert_allclose(integral, capacity.to_numpy(), rtol=1e-9)


def test_peaks_found_at_known_positions_and_labelled():
    table = _two_plateau_cell()
    result = dqdv(table, cycles=[1, 2], smoothing_V=0.005, voltage_step_V=0.002)
    assert result.unit == "mAh/g/V"
    peaks = find_dqdv_peaks(result, windows=peak_windows(
        {"charge": {"Ni": [3.8, 4.0], "O": [4.4, 4.6]}, "discharge": {"Ni'": [3.8, 4.0]}}))
    charge = peaks[(peaks["direction"] == "charge") & (peaks["cycle"] == 1)].set_index("label")
    assert charge.loc["Ni", "voltage_V"] == pytest.approx(3.9, abs=0.005)
    assert charge.loc["O", "voltage_V"] == pytest.approx(4.5, abs=0.005)
    # Areas add up to the capacity in mAh/g: 1 mAh over 5 h at 1 mA is 5 mAh = 1000 mAh/g.
    assert charge["area"].sum() == pytest.approx(1000.0, rel=0.01)
    assert charge.loc["Ni", "area"] / charge.loc["O", "area"] == pytest.approx(0.6 / 0.4, rel=0.1)


def test_peaks_tracked_across_cycles_without_windows():
    table = _two_plateau_cell(cycles=4)
    peaks = track_peaks(find_dqdv_peaks(dqdv(table), windows={}))
    tracks = peaks[peaks["direction"] == "charge"].groupby("track")["cycle"].nunique()
    assert len(tracks) == 2 and (tracks == 4).all()
    assert any(name.startswith("charge@3.9") for name in tracks.index)


def test_constant_voltage_hold_detected_and_excluded():
    p = Protocol()
    p.cc(1e-3, 2.0, 3.0, 4.5).cv(4.5, 1e-3, 1.0).cc(-1e-3, 2.0, 4.5, 3.0)
    table = from_records(p.frame(), active_mass_mg=1.0)
    hold = constant_voltage_rows(table)
    # 360 records in the hold, of which the first 5 (current still above 95 %) count as CC.
    assert hold.sum() == pytest.approx(355, abs=1)
    with_cv = np.abs(dqdv(table, exclude_cv=False, directions=["charge"]).dqdv).sum()
    without = np.abs(dqdv(table, exclude_cv=True, directions=["charge"]).dqdv).sum()
    assert without < with_cv


def test_dqdv_rejects_missing_cycles_and_bad_settings(echem, quiet):
    from redoxmap.errors import AnalysisError

    table = redoxmap.read_cycling(echem / "navani" / "test.ndax")
    with pytest.raises(AnalysisError, match="none of the cycles"):
        dqdv(table, cycles=[99])
    with pytest.raises(AnalysisError):
        dqdv(table, voltage_step_V=0)
    with pytest.raises(AnalysisError, match="direction"):
        dqdv(table, directions=["up"])


def test_long_frame_has_units_in_column_names(echem, quiet):
    table = redoxmap.read_cycling(echem / "navani" / "test.ndax")
    frame = dqdv(table).to_frame()
    assert {"half_cycle", "cycle", "direction", "voltage_V", "dqdv_mAh_V"} <= set(frame.columns)


def test_tracking_follows_drift_and_keeps_neighbours_apart():
    # Two charge peaks 60 mV apart both drift up 2 mV per cycle over 100 cycles (0.2 V in
    # all): clustering by position would chain them; linking cycle to cycle must not.
    rows = []
    for cycle in range(1, 101):
        for base in (3.50, 3.56):
            rows.append({"half_cycle": 2 * cycle - 1, "cycle": cycle, "direction": "charge", "label": None,
                         "voltage_V": base + 0.002 * cycle, "height": 1.0, "area": 1.0,
                         "fwhm_V": 0.02, "prominence": 1.0})
    tracked = track_peaks(pd.DataFrame(rows), tolerance_V=0.02)
    counts = tracked.groupby("track")["cycle"].nunique()
    assert len(counts) == 2 and (counts == 100).all()
    spans = tracked.groupby("track")["voltage_V"].agg(lambda v: v.max() - v.min())
    np.testing.assert_allclose(spans, 0.198, atol=1e-9)


def _logged_cell(points: int, resolution_V: float, centres=(3.9, 4.5), widths=(0.03, 0.05), weights=(0.6, 0.4)):
    """One galvanostatic charge and discharge (0.5 mA for 5 h, 5 mg: 500 mAh/g) whose Q(V) is a sum of
    logistic steps, logged at ``points`` readings per half cycle with voltages rounded to
    ``resolution_V`` (0: exact). Returns the table and the analytic dQ/dV (mAh/g/V) on a fine grid."""
    v = np.linspace(3.0, 4.7, 20001)
    q = sum(w / (1 + np.exp(-(v - c) / s)) for c, s, w in zip(centres, widths, weights))
    q = (q - q[0]) / (q[-1] - q[0])
    seconds = 5.0 * 3600
    grid = np.linspace(0, seconds, points)
    v_up = np.interp(grid, q * seconds, v)
    if resolution_V:
        v_up = np.round(v_up / resolution_V) * resolution_V
    frame = pd.concat([pd.DataFrame({"time_s": grid, "voltage_V": v_up, "current_A": 5e-4}),
                       pd.DataFrame({"time_s": grid + seconds + 10, "voltage_V": v_up[::-1], "current_A": -5e-4})],
                      ignore_index=True)
    return from_records(frame, active_mass_mg=5.0), v, np.gradient(q, v) * 500.0


@pytest.mark.parametrize("points", [150, 20000], ids=["sparse", "dense"])
@pytest.mark.parametrize("resolution_V", [0.0, 0.001, 0.005], ids=["exact", "1mV", "5mV"])
def test_dqdv_of_a_known_curve_at_any_sampling_and_resolution(points, resolution_V):
    """Two peaks, and only two, on charge and discharge, each within 3 % of the analytic dQ/dV seen
    through the same kernel (Gaussian of the smoothing reported, and the resolution's box)."""
    table, v, truth = _logged_cell(points, resolution_V)
    result = dqdv(table)
    sigma = result.parameters["smoothing_V"]
    assert sigma >= 2 * resolution_V - 1e-9 and result.parameters["voltage_resolution_V"] <= resolution_V + 1e-9
    step = v[1] - v[0]
    kernel = np.exp(-0.5 * (np.arange(-5 * sigma, 5 * sigma + step, step) / sigma) ** 2)
    seen = np.convolve(truth, kernel / kernel.sum(), mode="same")
    if resolution_V:
        box = np.ones(max(round(resolution_V / step), 1))
        seen = np.convolve(seen, box / box.sum(), mode="same")
    peaks = find_dqdv_peaks(result)
    for direction in ("charge", "discharge"):
        found = peaks[peaks["direction"] == direction].sort_values("voltage_V")
        assert len(found) == 2, (direction, found)
        for centre, width, row in zip((3.9, 4.5), (0.03, 0.05), found.itertuples()):
            expected = seen[np.argmin(np.abs(v - centre))]
            assert abs(row.voltage_V - centre) < max(0.004, 0.03 * 3.525 * width)  # 3 % of the peak's FWHM
            assert row.height == pytest.approx(expected, rel=0.03)


def test_no_peak_at_a_half_cycles_voltage_limits():
    """A cell logged every 60 s whose discharge falls steeply into its 3.0 V cut-off (built with numpy: Q(V)
    with peaks at 3.9 and 4.5 V and a last logged step that jumps to the limit): the only peaks are the two
    plateaus, none within one smoothing kernel of 3.0 or 4.7 V."""
    v = np.linspace(3.0, 4.7, 4000)
    q = 0.6 / (1 + np.exp(-(v - 3.9) / 0.03)) + 0.4 / (1 + np.exp(-(v - 4.5) / 0.05)) + 0.15 * (v - 3.0) ** 4
    q = (q - q[0]) / (q[-1] - q[0])
    hours = 5.0
    grid = np.arange(0, hours * 3600 + 1, 60.0)  # a record a minute
    v_of_t = np.interp(grid / (hours * 3600), q, v)
    frames = [pd.DataFrame({"time_s": grid, "voltage_V": v_of_t, "current_A": 1e-3}),
              pd.DataFrame({"time_s": grid[-1] + 10 + grid, "voltage_V": v_of_t[::-1], "current_A": -1e-3})]
    table = from_records(pd.concat(frames, ignore_index=True), active_mass_mg=5.0)
    result = dqdv(table, exclude_cv=False)
    peaks = find_dqdv_peaks(result)
    kernel = 2.5 * result.parameters["smoothing_V"]
    assert ((peaks["voltage_V"] > 3.0 + kernel) & (peaks["voltage_V"] < 4.7 - kernel)).all()
    for direction in ("charge", "discharge"):
        found = np.sort(peaks.loc[peaks["direction"] == direction, "voltage_V"].to_numpy())
        assert len(found) == 2 and np.allclose(found, [3.9, 4.5], atol=0.02), (direction, found)


@pytest.mark.parametrize("path", ["NewareNDA/BTS85-36-6-5-110-20240424.ndax", "NewareNDA/test_2.ndax",
                                  "battery-data-format/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv"])
def test_real_files_have_no_peak_at_their_limits(echem, quiet, path):
    table = redoxmap.read_cycling(echem / path)
    result = dqdv(table)
    peaks = find_dqdv_peaks(result).merge(result.half_cycles, on=["half_cycle", "cycle", "direction"])
    kernel = 2.5 * result.parameters["smoothing_V"]
    inside = (peaks["voltage_V"] >= peaks["min_voltage_V"] + kernel) & (
        peaks["voltage_V"] <= peaks["max_voltage_V"] - kernel
    )
    assert inside.all()


def test_a_half_cycle_of_one_record_at_one_voltage(data):
    """battery-data-format's MB-1.mpr charges for a single record whose interval has no voltage change
    (it crashed with numpy's casting error): its charge (the file's own capacity column, 1.673e-12 Ah)
    is deposited where it was logged, and the density integrates back to it."""
    import warnings

    from redoxmap import read_cycling

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", ".*no active mass given", DataWarning)  # the file carries no mass
        table = read_cycling(data / "echem" / "battery-data-format" / "MB-1.mpr")
    result = dqdv(table)
    frame = result.to_frame()
    assert frame["dqdv_mAh_V"].sum() * result.parameters["voltage_step_V"] == pytest.approx(1.673e-9, rel=2e-2)
