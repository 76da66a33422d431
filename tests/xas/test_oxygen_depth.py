"""O K pre-edge, activation index, two-layer inversion and edge-position valence."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from redoxmap.errors import AnalysisError, DataWarning, FitWarning
from redoxmap.xas import (
    PeakPrior,
    activation_index,
    calibrate_edge_position,
    fit_pre_edge,
    fluorescence_probing_depth_nm,
    half_edge_energy,
    read_columns,
    two_layer,
)


@pytest.mark.parametrize("name,mode", [("000001_O_CuO_TEY.txt", "tey"), ("000002_O_CuO_PFY.txt", "pfy")])
def test_cuo_o_k_pre_peak_near_530_ev_in_both_modes(xas, name, mode):
    ds = read_columns(xas / "alexeip100+flexpes-nexafs" / "extracted" / name)
    energy, mu = ds["energy"].to_numpy(), ds["intensity"].to_numpy()
    fit = fit_pre_edge(energy, mu / mu.max(), peaks=("A",), priors={"A": PeakPrior(530.0, 529.0, 531.0)},
                       window=(527.0, 531.0), step=False, mode=mode)
    assert fit.peaks["A"]["center_eV"] == pytest.approx(530.0, abs=0.25)
    assert fit.peaks["A"]["center_stderr"] < 0.1 and fit.r_squared > 0.95


def _o_k(heights, rng):
    energy = np.linspace(524, 540, 400)
    mu = 0.8 * (0.5 + np.arctan((energy - 536.0) / 1.0) / np.pi)
    for height, center in zip(heights, (529.5, 531.0, 532.2)):
        mu = mu + height * np.exp(-0.5 * ((energy - center) / 0.45) ** 2)
    return energy, mu + rng.normal(0, 0.004, energy.size)


def test_activation_index_from_known_peak_heights():
    rng = np.random.default_rng(5)
    pristine = fit_pre_edge(*_o_k((1.0, 0.10, 0.3), rng), peaks=("A", "B", "C"), mode="tey")
    charged = fit_pre_edge(*_o_k((0.8, 0.30, 0.3), rng), peaks=("A", "B", "C"), mode="tey")
    assert charged.peaks["A"]["height"] == pytest.approx(0.8, abs=0.03)
    r, r_err = activation_index(charged, pristine)
    assert r == pytest.approx((0.30 - 0.10) / 0.8, abs=0.05)
    assert 0 < r_err < 0.05
    other_mode = fit_pre_edge(*_o_k((1.0, 0.10, 0.3), rng), peaks=("A", "B", "C"), mode="tfy")
    with pytest.warns(DataWarning, match="probing depths differ"):
        activation_index(charged, other_mode)
    with pytest.raises(AnalysisError, match="pristine"):
        activation_index(charged, None)
    assert activation_index(charged, formula="b/a")[0] == pytest.approx(0.3 / 0.8, abs=0.05)


def test_two_layer_inversion_is_exact_and_propagates_errors():
    surface, bulk, layer, depths = 3.70, 3.99, 5.0, (4.0, 150.0)
    f = [1 - np.exp(-layer / d) for d in depths]
    seen = [fi * surface + (1 - fi) * bulk for fi in f]
    result = two_layer(*seen, surface_mode_stderr=0.01, bulk_mode_stderr=0.01, layer_nm=layer,
                       surface_depth_nm=depths[0], bulk_depth_nm=depths[1])
    assert result.surface == pytest.approx(surface) and result.bulk == pytest.approx(bulk)
    assert result.asynchrony == pytest.approx(surface - bulk)
    assert result.surface_stderr > 0.01 > result.bulk_stderr * 0.5
    with pytest.raises(AnalysisError):
        two_layer(1.0, 1.0, surface_depth_nm=200.0, bulk_depth_nm=150.0)


def test_bulk_probing_depth_of_the_reference_cathode_is_100_to_200_nm():
    depth = fluorescence_probing_depth_nm("Li1.2Ni0.16Co0.08Mn0.56O2", 4.2, 640.0, 525.0)
    assert 100.0 < depth < 200.0


def test_edge_position_valence_of_mn3o4(mn_k):
    e0 = {s: half_edge_energy(mn_k[s][0], mn_k[s][1].norm) for s in ("MnO", "Mn2O3", "MnO2", "Mn3O4")}
    calibration = calibrate_edge_position([e0["MnO"], e0["Mn2O3"], e0["MnO2"]], [2, 3, 4])
    valence, error = calibration.valence(e0["Mn3O4"])
    assert abs(valence - 8 / 3) < max(error, 0.15)
    with pytest.raises(AnalysisError, match="three"):
        calibrate_edge_position([1.0, 2.0], [2, 3])


def test_a_reduced_tm_feature_is_not_read_as_oxidised_oxygen_when_its_component_is_fitted():
    """Peak A weakens and a Mn2+/Ni2+-O feature grows at 531.6 eV, with B unchanged (numpy spectra, ten noise
    draws): fitted with A, B, C only, B takes the new feature and r looks like activation every time; with
    the reduced-TM component, r is consistent with zero (the overlap goes into its error, not its value)."""
    energy = np.arange(525.0, 546.0, 0.1)

    def peak(center, height, sigma=0.45):
        return height * np.exp(-0.5 * ((energy - center) / sigma) ** 2)

    step = 0.5 + np.arctan(energy - 536.0) / np.pi
    pristine = peak(529.6, 1.0) + peak(531.0, 0.35) + peak(532.4, 0.5) + step
    reduced = peak(529.6, 0.8) + peak(531.0, 0.35) + peak(531.6, 0.25, 0.4) + peak(532.4, 0.5) + step
    z = {("A", "B", "C"): [], ("A", "B", "TMred", "C"): []}
    with warnings.catch_warnings():
        # noisy draws pin a weak peak: the test is the depth
        warnings.filterwarnings("ignore", ".*peak .* ended at its bound", FitWarning)
        for seed in range(10):
            rng = np.random.default_rng(seed)
            noisy = [s + rng.normal(0, 0.002, energy.size) for s in (pristine, reduced)]
            for peaks, found in z.items():
                before, after = (fit_pre_edge(energy, s, peaks=peaks) for s in noisy)
                r, error = activation_index(after, before)
                found.append(r / error)
    assert min(z[("A", "B", "C")]) > 10  # the naive fit reads the reduced TM as oxidised oxygen
    with_component = np.abs(z[("A", "B", "TMred", "C")])
    assert np.median(with_component) < 1.0 and with_component.max() < 3.0


def test_the_peak_height_covariance_is_the_hand_propagated_one_in_any_process():
    """Heights as linear combinations of correlated fit parameters: J·Σ·Jᵀ by hand, the same as
    ``uncertainties.covariance_matrix`` gives (whose sums run in an order that changes from process to
    process), and the same bits when computed again. That another process gives the same bits is checked by
    the virtual study's report, whose O K fits' figures are all kept (tests/report/test_figure_cache.py)."""
    from types import SimpleNamespace

    from uncertainties import correlated_values, covariance_matrix

    from redoxmap.xas.oxygen import _height_covariance

    sigma = np.array([[4.0, 1.2, -0.5], [1.2, 2.0, 0.3], [-0.5, 0.3, 1.0]]) * 1e-4
    p = correlated_values([0.3, 0.5, 0.2], sigma)
    jacobian = np.array([[1.0, 0.0, 0.0], [0.5, 2.0, 0.0], [0.0, -1.0, 3.0]])
    heights = {"A_height": p[0], "B_height": 0.5 * p[0] + 2 * p[1], "C_height": 3 * p[2] - p[1]}
    result = SimpleNamespace(uvars=heights)
    computed = _height_covariance(result, ("A", "B", "C"))
    np.testing.assert_allclose(computed, jacobian @ sigma @ jacobian.T, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(computed, np.array(covariance_matrix(list(heights.values()))), rtol=1e-9,
                               atol=1e-15)
    assert np.array_equal(computed, _height_covariance(result, ("A", "B", "C")))
    assert _height_covariance(SimpleNamespace(uvars={"A_height": p[0]}), ("A", "B")) is None


@pytest.mark.parametrize("name,mode", [("000001_O_CuO_TEY.txt", "tey"), ("000002_O_CuO_PFY.txt", "pfy")])
def test_the_height_covariance_of_a_real_o_k_fit_is_lmfits_own_height_error_squared(xas, name, mode):
    """Another lab's CuO O K spectra (FlexPES): a one-peak fit's height variance from the fixed-order
    propagation equals lmfit's own standard error of the height, squared."""
    ds = read_columns(xas / "alexeip100+flexpes-nexafs" / "extracted" / name)
    energy, mu = ds["energy"].to_numpy(), ds["intensity"].to_numpy()
    fit = fit_pre_edge(energy, mu / mu.max(), peaks=("A",), priors={"A": PeakPrior(530.0, 529.0, 531.0)},
                       window=(527.0, 531.0), step=False, mode=mode)
    assert fit.height_covariance.shape == (1, 1)
    assert fit.height_covariance[0, 0] == pytest.approx(fit.peaks["A"]["height_stderr"] ** 2, rel=1e-9)
