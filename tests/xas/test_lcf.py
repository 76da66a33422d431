"""Valence by linear combination: exactness, the reference study's checks, bad input."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from scipy.optimize import minimize

from redoxmap.errors import AnalysisError, DataWarning, FitWarning
from redoxmap.xas import (
    constrained_weights,
    fit_lcf,
    fit_stack,
    normalize,
    read_columns,
    self_check,
)
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
                     window=(norm.e0 - 20, norm.e0 + 60), bootstrap=100, window_sensitivity_eV=5, edge="Mn-K")
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
    table = self_check(_references(mn_k), valences=MN_K, edge="Mn-K").set_index("reference")
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
        # digitised references repeat energies
        warnings.filterwarnings("ignore", ".*energy is not strictly increasing", DataWarning)
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
    from redoxmap.xas import load_merged, valence_sensitivity

    folder = xas / "XraySpectroscopy+XASDataLibrary" / "data" / "Mn"
    energy, mu = load_merged([folder / f"Mn3O4_rt_0{k}.xdi" for k in (1, 2, 3)], reference_e0_eV=6539.0)
    e0 = mn_k["Mn3O4"][1].e0
    table = valence_sensitivity(energy, mu, _references(mn_k), MN_K, edge="Mn-K", window=(e0 - 20, e0 + 60))
    assert len(table) == 3 * 2 * 3 * 3
    assert set(table["post_order"]) == {1, 2}
    # every reasonable choice still puts Mn3O4 within 0.15 of 8/3
    assert (table["valence"] - 8 / 3).abs().max() < 0.15


MN_L = {"MnO": 2.0, "LaMnO3": 3.0, "MnO2": 4.0}


def _mn_l_files(xas):
    folder = xas / "xinhuolin+MnEdgeNet" / "test_Mn_spectra"
    return {name: folder / f"Data3_{name}.csv" for name in MN_L}


def _area_normalised_by_hand(files):
    """Each reference divided by its area (trapezoid) over the window all three cover: the convention
    of load_references, written out here."""
    from redoxmap.xas import load_mu

    raw = {}
    with warnings.catch_warnings():
        # digitised: repeated energies are averaged
        warnings.filterwarnings("ignore", ".*energy is not strictly increasing", DataWarning)
        for name, path in files.items():
            raw[name] = load_mu(path)
    lo, hi = max(e[0] for e, _ in raw.values()), min(e[-1] for e, _ in raw.values())
    out = {}
    for name, (e, m) in raw.items():
        inside = (e >= lo) & (e <= hi)
        out[name] = (e[inside], m[inside] / np.trapezoid(m[inside], e[inside]))
    return out


@pytest.mark.parametrize("weights", [(0.2, 0.3, 0.5), (0.1, 0.1, 0.8), (0.5, 0.35, 0.15)])
@pytest.mark.parametrize("span", [(639.0, 657.0), (641.0, 652.0), (645.5, 657.0)])
def test_exact_l_edge_mixtures_come_back_exactly(xas, weights, span):
    """Mn L2,3 references spanning different energies (MnEdgeNet Data3 MnO, LaMnO3, MnO2): an exact
    mixture, at any amplitude and cut to any sub-range, gives its weights back and R ~ 0."""
    from redoxmap.xas import load_references

    files = _mn_l_files(xas)
    truth = _area_normalised_by_hand(files)
    grid = np.arange(span[0], span[1], 0.1)
    mixture = 3.7 * sum(w * np.interp(grid, *truth[n]) for w, n in zip(weights, MN_L))
    with warnings.catch_warnings():
        # digitised references repeat energies
        warnings.filterwarnings("ignore", ".*energy is not strictly increasing", DataWarning)
        refs, valences = load_references([([files[n]], v) for n, v in MN_L.items()], edge="Mn-L3")
    result = fit_lcf(grid, mixture, refs, valences=valences, edge="Mn-L3")
    np.testing.assert_allclose(result.weights, weights, atol=0.01)
    assert result.r_factor < 1e-3 and result.valence == pytest.approx(np.dot(weights, list(MN_L.values())), abs=0.01)
    assert result.scale == pytest.approx(3.7, rel=1e-6)


@pytest.mark.parametrize("span", [(6530.0, 6600.0), (6538.0, 6570.0)])
def test_exact_k_edge_mixtures_come_back_exactly(xas, span):
    """Mn K references normalised alike to a unit edge step: a mixture on any sub-range is exact."""
    from redoxmap.xas import load_references

    folder = xas / "XraySpectroscopy+XASDataLibrary" / "data" / "Mn"
    refs, valences = load_references([([folder / f"{n}_rt_0{k}.xdi" for k in (1, 2, 3)], v)
                                      for n, v in MN_K.items()], edge="Mn-K", reference_e0_eV=6539.0)
    grid = np.arange(span[0], span[1], 0.2)
    for weights in ((0.2, 0.3, 0.5), (0.6, 0.1, 0.3)):
        mixture = sum(w * np.interp(grid, *refs[n]) for w, n in zip(weights, refs))  # MnO, Mn2O3, MnO2
        result = fit_lcf(grid, mixture, refs, valences=valences, edge="Mn-K")
        np.testing.assert_allclose(result.weights, weights, atol=0.01)
        assert result.r_factor < 1e-3


def test_noisy_mixtures_are_covered_at_the_nominal_rate(xas):
    """1 % noise on an exact L-edge mixture, 200 trials: the 95 % intervals (1.96 standard errors) of
    the valence and of each weight cover the truth in 95 ± 3 % of them."""
    from redoxmap.xas import load_references

    files = _mn_l_files(xas)
    truth = _area_normalised_by_hand(files)
    weights = np.array([0.2, 0.3, 0.5])
    grid = np.arange(639.0, 657.0, 0.1)
    mixture = sum(w * np.interp(grid, *truth[n]) for w, n in zip(weights, MN_L))
    with warnings.catch_warnings():
        # digitised references repeat energies
        warnings.filterwarnings("ignore", ".*energy is not strictly increasing", DataWarning)
        refs, valences = load_references([([files[n]], v) for n, v in MN_L.items()], edge="Mn-L3")
    rng = np.random.default_rng(2026)
    hits_valence, hits_weights = 0, np.zeros(3)
    for _ in range(200):
        noisy = mixture + rng.normal(0.0, 0.01 * mixture.max(), grid.size)
        fit = fit_lcf(grid, noisy, refs, valences=valences, edge="Mn-L3")
        hits_valence += abs(fit.valence - 3.3) <= 1.96 * fit.valence_stderr
        hits_weights += np.abs(fit.weights - weights) <= 1.96 * fit.weights_stderr
    assert 0.92 <= hits_valence / 200 <= 0.98
    assert np.all((hits_weights / 200 >= 0.92) & (hits_weights / 200 <= 0.98)), hits_weights / 200


def test_the_command_fits_an_exact_mixture_of_references_over_other_ranges(xas, tmp_path):
    """The case users met: 0.2/0.3/0.5 of three Mn L references, on 639-657 eV, through the command."""
    from typer.testing import CliRunner

    from redoxmap.cli import app

    files = _mn_l_files(xas)
    truth = _area_normalised_by_hand(files)
    grid = np.arange(639.0, 657.0, 0.05)
    mixture = sum(w * np.interp(grid, *truth[n]) for w, n in zip((0.2, 0.3, 0.5), MN_L))
    np.savetxt(tmp_path / "mix.csv", np.column_stack([grid, mixture]), delimiter=",", header="energy,mu",
               comments="")
    result = CliRunner().invoke(app, ["xas", "valence", str(tmp_path / "mix.csv"), "--edge", "Mn-L3", "--json",
                                      "--bootstrap", "0", *[a for n, v in MN_L.items()
                                                           for a in ("--ref", f"{files[n]}={v:g}")]])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["valence"] == pytest.approx(3.30, abs=0.01) and body["r_factor"] < 1e-3
    assert [round(body["weights"][f"Data3_{n}.csv"], 2) for n in MN_L] == [0.2, 0.3, 0.5]
