"""Reference reflections from CIFs, the d-spacing check, and in situ series with known truth."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from redoxmap.errors import AnalysisError, DataWarning, MissingDependencyError
from redoxmap.xrd import analyze_series, d_spacing, integrated_intensity, two_theta
from redoxmap.xrd.phases import PHASES, match_reflections, reflections_from_cif

REFERENCES = "njszym+XRD-AutoAnalyzer/Example/References"


def test_cif_reflections_follow_the_cif_cell(xrd):
    """Li2MnO3 (020) d must be b/2 of the CIF cell (8.532 A), and spinel (111) a/sqrt(3) (a = 8.236 A)."""
    table = reflections_from_cif(xrd / REFERENCES / "Li2MnO3_12.cif", wavelength_A=1.540593)
    row = table[table["hkl"] == "0 2 0"].iloc[0]
    assert row["d_A"] == pytest.approx(8.532 / 2, abs=1e-3)
    assert row["two_theta_deg"] == pytest.approx(two_theta(8.532 / 2, 1.540593), abs=1e-3)
    assert table.attrs["space_group"] == "C2/m"
    spinel = reflections_from_cif(xrd / REFERENCES / "LiMn2O4_227.cif", wavelength_A=1.540593)
    assert spinel.iloc[0]["hkl"] == "1 1 1" and spinel.iloc[0]["d_A"] == pytest.approx(8.236 / np.sqrt(3), abs=1e-3)
    builtin = PHASES["C2/m"].table(1.540593).set_index("hkl")
    assert builtin.loc["0 2 0", "d_A"] == pytest.approx(row["d_A"], abs=1e-3)


def test_cif_whose_structure_disagrees_with_its_formula_is_refused(xrd, tmp_path):
    text = (xrd / REFERENCES / "Li2MnO3_12.cif").read_text()
    wrong = tmp_path / "wrong.cif"
    wrong.write_text(text.replace("'Li8 Mn4 O12'", "'Li8 Mn8 O12'"))
    with pytest.raises(AnalysisError, match="wrong.cif.*expands to Li2MnO3"):
        reflections_from_cif(wrong, wavelength_A=1.540593)
    assert len(reflections_from_cif(wrong, wavelength_A=1.540593, check_composition=False)) > 5


def test_without_pymatgen_the_error_names_the_extra(xrd, monkeypatch):
    monkeypatch.setitem(sys.modules, "pymatgen.io.cif", None)
    with pytest.raises(MissingDependencyError, match=r"redoxmap\[cif\]"):
        reflections_from_cif(xrd / REFERENCES / "Li2MnO3_12.cif", wavelength_A=1.540593)


def test_the_studys_020_angle_is_flagged_against_li2mno3():
    """The reference study puts (020) at 20.32 deg; Li2MnO3's (020) is at 20.81: a 0.49 deg shift."""
    peaks = pd.DataFrame({"peak": ["020"], "center_deg": [20.32], "center_stderr_deg": [0.01]})
    check = match_reflections(peaks, PHASES["C2/m"].table(1.540593), wavelength_A=1.540593).iloc[0]
    assert check["hkl"] == "0 2 0" and check["shift_deg"] == pytest.approx(-0.49, abs=0.01)
    assert check["d_A"] == pytest.approx(4.367, abs=1e-3) and "shift" in check["note"]


def _series_from(pattern, n: int, shifts_deg, scale_020, seed=0):
    """Scans made from a real pattern: (003) region shifted, (020) region scaled, Poisson noise."""
    rng = np.random.default_rng(seed)
    x = pattern.two_theta
    base = pattern.intensity
    stack = []
    for k in range(n):
        shifted = np.interp(x, x + shifts_deg[k], base)  # whole pattern moves by shifts_deg[k]
        window = np.abs(x - 20.85) < 0.3
        background = np.interp(x, [20.55, 21.15], np.interp([20.55, 21.15], x, shifted))
        shifted = np.where(window, background + scale_020[k] * (shifted - background), shifted)
        stack.append(rng.poisson(np.clip(shifted, 0, None)).astype(float))
    return xr.DataArray(np.array(stack), dims=("scan", "two_theta"),
                        coords={"scan": np.arange(n), "two_theta": x, "time_s": ("scan", 600.0 * np.arange(n))},
                        attrs={"wavelength_A": 1.540593, "wavelength2_A": 1.544414, "ka2_ratio": 0.5})


def test_series_tracks_a_moving_003_and_a_fading_020(li2mno3):
    n = 12
    shifts = np.linspace(0, -0.15, n)  # a c expansion, as on charge
    fade = np.linspace(1.0, 0.0, n)
    series = _series_from(li2mno3, n, shifts, fade)
    cycler = pd.DataFrame({"time_s": np.linspace(0, 8000, 400), "voltage_V": np.linspace(3.0, 4.7, 400)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # the faded (020) is 'not found' in late scans
        result = analyze_series(series, peak_003_deg=18.7, peak_020_deg=20.85, half_width_deg=0.4, cycling=cycler)
    table = result.table
    moved = table["center_003_deg"] - table["center_003_deg"].iloc[0]
    np.testing.assert_allclose(moved, shifts, atol=3 * table["center_003_stderr_deg"].max() + 2e-3)
    c_expected = 3 * d_spacing(table["center_003_deg"].iloc[0] + shifts, 1.540593)
    np.testing.assert_allclose(table["c_A"], c_expected, rtol=2e-4)
    first = table["intensity_020"].iloc[0]
    relative = table["intensity_020"] / first
    relative_error = table["intensity_020_stderr"] / first
    assert np.all(np.abs(relative - fade) < 3 * relative_error + 0.05)  # a weak peak on a high background
    last = table.iloc[-1]
    assert abs(last["ratio_020_003"]) < 3 * last["ratio_020_003_stderr"]  # faded: zero within its error
    assert table["ratio_020_003"].iloc[0] > 5 * table["ratio_020_003_stderr"].iloc[0]
    np.testing.assert_allclose(table["voltage_V"], np.interp(table["time_s"] + 300, cycler["time_s"],
                                                             cycler["voltage_V"]))


def test_integrated_intensity_of_a_known_triangle():
    x = np.arange(0, 10, 0.01)
    y = 5.0 + np.clip(1 - np.abs(x - 5), 0, None) * 100  # area 100 on a flat background of 5
    area, error = integrated_intensity(x, y, 5.0, 1.5, background_deg=0.5)
    assert area[0] == pytest.approx(100.0, rel=1e-3) and error[0] > 0


def test_scans_without_timestamps_get_no_voltage(li2mno3):
    series = _series_from(li2mno3, 3, np.zeros(3), np.ones(3))
    series = series.assign_coords(time_s=("scan", np.full(3, np.nan)))
    cycler = pd.DataFrame({"time_s": [0.0, 100.0], "voltage_V": [3.0, 4.0]})
    with pytest.warns(DataWarning, match="no timestamps"):
        result = analyze_series(series, peak_003_deg=18.7, peak_020_deg=20.85, cycling=cycler)
    assert result.table["voltage_V"].isna().all()
