"""Channel arithmetic and energy calibration against known absorption models."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from redoxmap.errors import AnalysisError
from redoxmap.xas import absorption, calibrate, edge_energy, normalize


def _channels(energy, **channels):
    return xr.Dataset({k: ("energy", v) for k, v in channels.items()}, coords={"energy": energy},
                      attrs={"source_file": "synthetic"})


def test_ipfy_recovers_the_absorption_that_tfy_distorts(mn_k):
    """Channels built from a real Mn K edge with a thick-sample fluorescence model.

    For a thick sample at 45/45 degrees the partial fluorescence of a non-resonant line
    is PFY = I0 * mu_x / (mu_total(E) + mu_out), with mu_total = mu_tm(E) + mu_bg. So
    I0 / PFY is linear in mu_tm(E): after normalisation it is the true spectrum. The
    resonant TFY of the TM itself saturates (self-absorption) and flattens the white line.
    """
    energy, norm = mn_k["MnO"]
    mu_tm = 2.0 * np.clip(norm.norm, 0, None) + 0.3
    mu_bg, mu_out, mu_x = 3.0, 2.5, 1.0
    rng = np.random.default_rng(2)
    i0 = 1e5 * (1 + 0.05 * np.sin(energy / 7.0)) * (1 + rng.normal(0, 1e-4, energy.size))
    pfy = i0 * mu_x / (mu_tm + mu_bg + mu_out)
    tfy = i0 * mu_tm / (mu_tm + mu_bg + mu_out)
    ds = _channels(energy, i0=i0, pfy=pfy, tfy=tfy)
    truth = normalize(energy, mu_tm, edge="K").norm
    ipfy = normalize(energy, absorption(ds, "ipfy").to_numpy(), edge="K").norm
    tfy_norm = normalize(energy, absorption(ds, "tfy").to_numpy(), edge="K").norm
    assert np.max(np.abs(ipfy - truth)) < 0.01
    assert np.max(np.abs(tfy_norm - truth)) > 0.05  # what iPFY is for


def test_tey_transmission_and_dark_currents():
    energy = np.linspace(630, 660, 61)
    mu = 1 + np.exp(-((energy - 642) / 1.5) ** 2)
    i0 = np.full_like(energy, 2e4) + 50.0
    ds = _channels(energy, i0=i0, tey=3e-3 * mu * (i0 - 50.0) + 7.0, itrans=(i0 - 50.0) * np.exp(-mu))
    tey = absorption(ds, "tey", dark={"i0": 50.0, "tey": 7.0}).to_numpy()
    np.testing.assert_allclose(tey, 3e-3 * mu)
    np.testing.assert_allclose(absorption(ds, "transmission", dark={"i0": 50.0}).to_numpy(), mu)
    with pytest.raises(AnalysisError, match="unknown mode"):
        absorption(ds, "xeol")


def test_calibration_recovers_a_known_shift(mn_k):
    energy, norm = mn_k["MnO2"]
    e0 = edge_energy(energy, norm.norm)
    assert calibrate(energy - 3.0, norm.norm, e0) == pytest.approx(3.0, abs=0.05)


def test_mn_foil_references_put_the_oxides_in_valence_order(mn_k):
    from redoxmap.xas import half_edge_energy

    positions = [half_edge_energy(mn_k[s][0], mn_k[s][1].norm) for s in ("MnO", "Mn3O4", "Mn2O3", "MnO2")]
    assert positions == sorted(positions)


def test_two_step_background_leaves_the_white_lines():
    from redoxmap.xas import normalize_soft, two_step_background

    energy = np.linspace(630, 670, 801)
    lines = 3.0 * np.exp(-0.5 * ((energy - 641.0) / 0.6) ** 2) + 1.5 * np.exp(-0.5 * ((energy - 652.0) / 0.8) ** 2)
    spectrum = 0.2 + 0.01 * (energy - 630) + lines + 0.7 * two_step_background(energy, 641.0, 652.0)
    result = normalize_soft(energy, spectrum, pre=(630.0, 636.0), area=(636.0, 660.0),
                            steps_eV=(641.0, 652.0), post=(662.0, 670.0))
    expected = lines / np.trapezoid(lines[(energy >= 636) & (energy <= 660)], energy[(energy >= 636) & (energy <= 660)])
    # The pre-edge line extrapolates slightly below the slope-free truth; the lines survive.
    assert result.parameters["step_height"] == pytest.approx(0.7, rel=0.2)  # arctan tails reach the pre-edge
    assert np.max(np.abs(result.norm - expected)) < 0.02


def test_merge_rejects_a_glitched_scan(xas):
    from redoxmap.errors import DataWarning
    from redoxmap.xas import load_mu, merge_scans

    folder = xas / "XraySpectroscopy+XASDataLibrary" / "data" / "Mn"
    scans = [load_mu(folder / f"MnO2_rt_0{k}.xdi", reference_e0_eV=6539.0) for k in (1, 2, 3)]
    energy, mu = scans[0]
    glitched = mu.copy()
    glitched[100:110] += 0.5  # a beam dump
    with pytest.warns(DataWarning, match="glitch"):
        merged_energy, merged, kept = merge_scans([*scans, (energy, glitched)], labels=["1", "2", "3", "glitch"])
    assert kept == [0, 1, 2]
    clean = np.mean([np.interp(merged_energy, *s) for s in scans], axis=0)
    np.testing.assert_allclose(merged, clean)


def test_spectra_stack_along_state(xas):
    from redoxmap.xas import read_xdi, stack

    folder = xas / "XraySpectroscopy+XASDataLibrary" / "data" / "Mn"
    spectra = {f"scan {k}": absorption(read_xdi(folder / f"MnO_rt_0{k}.xdi"), "transmission") for k in (1, 2, 3)}
    stacked = stack(spectra)
    assert stacked.dims == ("state", "energy") and list(stacked["state"].values) == list(spectra)
    assert stacked.attrs["mode"] == "transmission"
