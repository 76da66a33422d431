"""Valence by linear combination: exactness, the reference study's checks, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.optimize import minimize

from redoxmap.errors import AnalysisError, FitWarning
from redoxmap.io.xas_files import read_columns
from redoxmap.xas import constrained_weights, fit_lcf, fit_stack, normalize, self_check
from tests.xas.conftest import MN_K


def _references(mn_k):
    return {name: (mn_k[name][0], mn_k[name][1].norm) for name in MN_K}


def test_exact_solution_matches_an_independent_constrained_optimiser():
    rng = np.random.default_rng(4)
    A = np.abs(rng.normal(size=(80, 4)))
    Y = (A @ rng.dirichlet(np.ones(4), size=20).T).T + rng.normal(0.0, 0.3, size=(20, 80))
    W, rss = constrained_weights(A, Y)
    for y, w, r in zip(Y, W, rss):
        reference = minimize(lambda x, y=y: np.sum((A @ x - y) ** 2), np.full(4, 0.25), method="SLSQP",
                             bounds=[(0, 1)] * 4, constraints={"type": "eq", "fun": lambda x: x.sum() - 1},
                             options={"ftol": 1e-14, "maxiter": 500})
        assert r <= reference.fun + 1e-9
        np.testing.assert_allclose(w, reference.x, atol=2e-4)
        assert w.sum() == pytest.approx(1.0) and (w >= 0).all()


def test_mn3o4_valence_from_mno_mn2o3_mno2(mn_k):
    energy, norm = mn_k["Mn3O4"]
    result = fit_lcf(energy, norm.norm, _references(mn_k), valences=MN_K,
                     window=(norm.e0 - 20, norm.e0 + 60), bootstrap=100, window_sensitivity_eV=5)
    assert result.valence == pytest.approx(8 / 3, abs=0.10)
    assert result.weights.sum() == pytest.approx(1.0)
    assert 0 < result.valence_stderr < 0.1 and 0 < result.bootstrap_valence_std < 0.15
    assert result.r_factor < 0.01


@pytest.mark.parametrize("weights", [(0.2, 0.5, 0.3), (0.7, 0.0, 0.3), (0.0, 0.25, 0.75)])
def test_mixtures_of_real_references_recovered(mn_k, weights):
    rng = np.random.default_rng(11)
    refs = _references(mn_k)
    grid = np.linspace(6530, 6600, 350)
    mixture = sum(w * np.interp(grid, *refs[n]) for w, n in zip(weights, MN_K))
    noisy = mixture + rng.normal(0.0, 0.005, grid.size)
    truth = float(np.dot(weights, list(MN_K.values())))
    single = fit_lcf(grid, noisy, refs, valences=MN_K)
    assert single.valence == pytest.approx(truth, abs=0.02)
    stack = np.array([mixture + rng.normal(0.0, 0.005, grid.size) for _ in range(200)])
    _, valences, r = fit_stack(grid, stack, refs, valences=MN_K)
    assert np.abs(valences - truth).max() < 0.02 and r.max() < 1e-3


def test_mn3_plus_is_not_represented_by_mn2_and_mn4(mn_k):
    table = self_check(_references(mn_k), valences=MN_K).set_index("reference")
    assert not table.loc["Mn2O3", "represented"]
    assert abs(table.loc["Mn2O3", "valence_from_others"] - 3.0) > 0.1


def test_poor_fit_warns(mn_k):
    refs = {"MnO": _references(mn_k)["MnO"]}
    energy, norm = mn_k["MnO2"]
    with pytest.warns(FitWarning, match="do not represent"):
        fit_lcf(energy, norm.norm, refs, valences=MN_K)


def test_l_edge_valence_with_area_normalisation(xas):
    folder = xas / "xinhuolin+MnEdgeNet" / "test_Mn_spectra"
    valences = {"MnO": 2.0, "LaMnO3": 3.0, "SrMnO3": 4.0}
    refs = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in valences:
            ds = read_columns(folder / f"Data2_{name}.csv")
            energy = ds["energy"].to_numpy()
            refs[name] = (energy, normalize(energy, ds["column3"].to_numpy(), edge="Mn-L3",
                                            window=(637.0, 660.0)).norm)
    grid = np.linspace(638, 658, 300)
    mixture = 0.4 * np.interp(grid, *refs["LaMnO3"]) + 0.6 * np.interp(grid, *refs["SrMnO3"])
    result = fit_lcf(grid, mixture, refs, valences=valences)
    assert result.valence == pytest.approx(3.6, abs=0.02)


def test_energy_shift_refinement_recovers_a_shifted_reference(mn_k):
    refs = _references(mn_k)
    energy, mno2 = refs["MnO2"]
    shifted = {**refs, "MnO2": (energy + 1.2, mno2)}
    grid = np.linspace(6530, 6600, 400)
    target = 0.5 * np.interp(grid, *refs["MnO"]) + 0.5 * np.interp(grid, energy, mno2)
    result = fit_lcf(grid, target, shifted, valences=MN_K, refine_shifts_eV=2.0)
    assert result.energy_shifts_eV[2] == pytest.approx(-1.2, abs=0.1)
    assert result.valence == pytest.approx(3.0, abs=0.02)


def test_bad_reference_sets(mn_k):
    refs = _references(mn_k)
    energy, norm = mn_k["Mn3O4"]
    with pytest.raises(AnalysisError, match="collinear"):
        fit_lcf(energy, norm.norm, {**refs, "copy": refs["MnO"]}, valences={**MN_K, "copy": 2.0})
    with pytest.raises(AnalysisError, match="overlap"):
        fit_lcf(energy + 5000, norm.norm, refs, valences=MN_K)
    with pytest.raises(AnalysisError, match="too few"):
        fit_lcf(energy, norm.norm, refs, valences=MN_K, window=(6550.0, 6550.5))


def test_sensitivity_over_windows_and_normalisations(mn_k, xas):
    from redoxmap.xas import load_merged
    from redoxmap.xas.sensitivity import valence_sensitivity

    folder = xas / "XraySpectroscopy+XASDataLibrary" / "data" / "Mn"
    energy, mu = load_merged([folder / f"Mn3O4_rt_0{k}.xdi" for k in (1, 2, 3)], reference_e0_eV=6539.0)
    e0 = mn_k["Mn3O4"][1].e0
    table = valence_sensitivity(energy, mu, _references(mn_k), MN_K, edge="Mn-K", window=(e0 - 20, e0 + 60))
    assert len(table) == 3 * 2 * 3 * 3
    assert set(table["post_order"]) == {1, 2}
    # every reasonable choice still puts Mn3O4 within 0.15 of 8/3
    assert (table["valence"] - 8 / 3).abs().max() < 0.15
