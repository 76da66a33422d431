"""Peak fitting against known truth, lmfit and plain scipy on real patterns, and bad windows."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import curve_fit

from redoxmap.errors import AnalysisError, DataWarning, FitWarning
from redoxmap.xrd import fit_pattern_peaks, fit_peaks
from redoxmap.xrd.profile import ka2_center, model

KA1, KA2 = 1.540593, 1.544414


def _pv(x, center, fwhm, eta):
    g = np.sqrt(4 * np.log(2) / np.pi) / fwhm * np.exp(-4 * np.log(2) * (x - center) ** 2 / fwhm ** 2)
    lorentz = 2 / (np.pi * fwhm) / (1 + 4 * (x - center) ** 2 / fwhm ** 2)
    return eta * lorentz + (1 - eta) * g


def test_jacobian_matches_finite_differences():
    x = np.linspace(18, 19.5, 200)[None, :]
    params = np.array([[50.0, 18.7, 0.12, 0.4, 100.0, 3.0, 1.5]])
    _, J = model(x, x - 18.75, params, ka2_ratio=0.5, wavelength_ratio=KA2 / KA1, jacobian=True)
    for k in range(params.shape[1]):
        step = np.zeros_like(params)
        step[0, k] = 1e-6 * max(abs(params[0, k]), 1.0)
        numeric = (model(x, x - 18.75, params + step, ka2_ratio=0.5, wavelength_ratio=KA2 / KA1)
                   - model(x, x - 18.75, params - step, ka2_ratio=0.5, wavelength_ratio=KA2 / KA1)) / (2 * step[0, k])
        np.testing.assert_allclose(J[0, :, k], numeric[0], rtol=1e-5, atol=1e-6 * np.abs(numeric).max())


def test_synthetic_doublet_with_known_truth():
    """K-alpha1 at 44.5 deg with its Bragg-tied K-alpha2, 200 Poisson realisations fitted in one batch:
    the parameters scatter around the truth as their standard errors say (pulls: mean 0, spread 1)."""
    x = np.arange(43.5, 45.5, 0.01)
    c2 = ka2_center(44.5, KA2 / KA1)
    assert c2 - 44.5 == pytest.approx(0.1163, abs=1e-3)  # 2 (dl/l) tan(theta) in degrees, by hand
    truth = {"center_deg": 44.5, "fwhm_deg": 0.08, "eta": 0.35, "area": 400.0}
    expected = 200 + 5 * (x - 44.5) + truth["area"] * (_pv(x, 44.5, 0.08, 0.35) + 0.5 * _pv(x, c2, 0.08, 0.35))
    counts = np.random.default_rng(0).poisson(expected, size=(200, len(x))).astype(float)
    table = fit_peaks(x, counts, [44.5], wavelength_A=KA1, wavelength2_A=KA2).table
    for column, value in truth.items():
        error = column.replace("_deg", "_stderr_deg") if column.endswith("_deg") else f"{column}_stderr"
        pulls = (table[column] - value) / table[error]
        assert abs(pulls.mean()) < 0.25 and 0.8 < pulls.std() < 1.2, (column, pulls.mean(), pulls.std())
    assert table["reduced_chi_square"].median() == pytest.approx(1.0, abs=0.1)  # Poisson weights
    row = table.iloc[0]
    assert row["d_A"] == pytest.approx(KA1 / (2 * np.sin(np.radians(row["center_deg"] / 2))))


def test_same_centres_as_lmfit_on_a_real_pattern(li2mno3):
    """lmfit PseudoVoigtModel doublets (K-alpha2 tied by expression) of the same windows and weights."""
    from lmfit.models import LinearModel, PseudoVoigtModel

    near = [18.7, 20.85, 37.0, 40.6]
    ours = fit_pattern_peaks(li2mno3, near, half_width_deg=0.35).table
    for row, position in zip(ours.itertuples(), near):
        inside = np.abs(li2mno3.two_theta - position) <= 0.35
        x, y = li2mno3.two_theta[inside], li2mno3.intensity[inside]
        composite = PseudoVoigtModel(prefix="a_") + PseudoVoigtModel(prefix="b_") + LinearModel(prefix="bg_")
        params = composite.make_params()
        params.add("ratio", value=KA2 / KA1, vary=False)
        params["a_center"].set(value=x[np.argmax(y)], min=position - 0.35, max=position + 0.35)
        params["a_sigma"].set(value=0.06, min=0.001, max=0.35)
        params["a_amplitude"].set(value=(y.max() - y.min()) * 0.15, min=0)
        params["a_fraction"].set(value=0.5, min=0, max=1)
        params["b_center"].set(expr="2*asin(ratio*sin(a_center*pi/360))*180/pi")
        params["b_sigma"].set(expr="a_sigma")
        params["b_fraction"].set(expr="a_fraction")
        params["b_amplitude"].set(expr="0.5*a_amplitude")
        params["bg_slope"].set(value=0.0)
        params["bg_intercept"].set(value=float(np.median(y)))
        reference = composite.fit(y, params, x=x, weights=1 / np.sqrt(np.maximum(y, 1)))
        centre = reference.params["a_center"]
        assert abs(row.center_deg - centre.value) < max(row.center_stderr_deg, centre.stderr), row.peak
        assert row.reduced_chi_square == pytest.approx(reference.redchi, rel=0.05)


def test_single_line_against_plain_scipy_on_a_monochromatic_scan(xrd):
    """A K-alpha1-only rasx scan: one pseudo-Voigt on a line, cross-checked with scipy.optimize.curve_fit."""
    from redoxmap.xrd import read_pattern

    pattern = read_pattern(xrd / "FAIRmat-NFDI+readers-xrd" / "tests" / "data" / "TwoTheta_scan_powder.rasx")
    assert not pattern.doublet
    position = float(pattern.two_theta[np.argmax(pattern.intensity)])
    with pytest.warns(FitWarning, match="undersampled"):  # 0.04 deg steps: about 4 points per FWHM
        fits = fit_pattern_peaks(pattern, [position], half_width_deg=0.6)
    ours = fits.table.iloc[0]
    x, y = fits.windows[0]["two_theta"], fits.windows[0]["data"]

    def line_and_peak(x, area, center, fwhm, eta, b0, b1):
        return area * _pv(x, center, fwhm, eta) + b0 + b1 * (x - 0.5 * (x[0] + x[-1]))

    p0 = [ours["area"] * 0.9, position, 0.15, 0.5, float(np.median(y)), 0.0]
    values, covariance = curve_fit(line_and_peak, x, y, p0=p0, sigma=np.sqrt(np.maximum(y, 1)),
                                   bounds=([0, position - 0.6, 0.01, 0, -np.inf, -np.inf],
                                           [np.inf, position + 0.6, 0.6, 1, np.inf, np.inf]))
    errors = np.sqrt(np.diag(covariance))
    assert abs(ours["center_deg"] - values[1]) < max(ours["center_stderr_deg"], errors[1])
    assert abs(ours["fwhm_deg"] - values[2]) < max(ours["fwhm_stderr_deg"], errors[2])


def test_fast_scan_is_flagged_as_undersampled(xrd):
    """The 2-minute scan (0.043 deg steps) of the same mixture: few points per FWHM, flagged."""
    from redoxmap.xrd import read_pattern

    fast = read_pattern(xrd / "jrneilson+dara" / "dataset" / "precursor_mixture" / "Nb2O5_CuO_LiCoO2.2-min.xrdml")
    with pytest.warns(FitWarning, match="undersampled"):
        table = fit_pattern_peaks(fast, [19.0], half_width_deg=0.6).table
    assert table["points_per_fwhm"].iloc[0] < 5 and "undersampled" in table["note"].iloc[0]


def test_window_without_a_peak_and_window_outside_the_pattern(li2mno3):
    with pytest.warns(DataWarning, match="no peak"):
        table = fit_pattern_peaks(li2mno3, [14.0], half_width_deg=0.4).table
    assert not table["found"].iloc[0] and np.isnan(table["center_deg"].iloc[0])
    with pytest.raises(AnalysisError, match="too few for a peak"):
        fit_pattern_peaks(li2mno3, [150.0])


def test_a_series_is_fitted_in_one_batch(li2mno3):
    stack = np.vstack([li2mno3.intensity] * 3)
    table = fit_peaks(li2mno3.two_theta, stack, [18.7], wavelength_A=KA1, wavelength2_A=KA2).table
    assert len(table) == 3 and table["center_deg"].nunique() == 1
