"""The parts of an XAS number's error that its fit does not see: the references' noise, replicates, the
self-absorption of fluorescence yields, and the two-layer inversion's depths; on the real Mn K spectra of
the XAS Data Library and on spectra built here with numpy."""

from __future__ import annotations

import math

import numpy as np
import pytest

from redoxmap.study.analyses.xas import SpectrumEntry, XasSettings, analyze_xas, prepare_references
from redoxmap.study.budget import total_error
from redoxmap.xas.depth import two_layer
from redoxmap.xas.reference_noise import point_noise
from redoxmap.xas.self_absorption import self_absorption

LLO = "Li1.2Ni0.16Co0.08Mn0.56O2"


def test_point_noise_recovers_white_noise_on_a_curved_spectrum():
    x = np.linspace(6520, 6600, 1601)
    edge = 1 / (1 + np.exp(-(x - 6550) / 2)) + 0.3 * np.exp(-0.5 * ((x - 6556) / 3) ** 2)
    noisy = edge + np.random.default_rng(4).normal(0, 0.004, x.size)
    assert point_noise(noisy) == pytest.approx(0.004, rel=0.1)


def _mn3o4(folder, scans: int):
    """Mn3O4 fitted against MnO, Mn2O3 and MnO2 references merged from ``scans`` scans each."""
    references = prepare_references([
        (SpectrumEntry([folder / f"{name}_rt_0{k}.xdi" for k in range(1, scans + 1)], "Mn-K", "transmission",
                       reference_e0_eV=6539.0), name, valence)
        for name, valence in (("MnO", 2), ("Mn2O3", 3), ("MnO2", 4))])
    sample = SpectrumEntry([folder / f"Mn3O4_rt_0{k}.xdi" for k in (1, 2, 3)], "Mn-K", "transmission", "as made",
                           reference_e0_eV=6539.0)
    found = analyze_xas("Mn3O4", [sample], references=references, pristine={}, settings=XasSettings(bootstrap=0))
    return found.valence.iloc[0]


def test_one_scan_and_three_scan_references_agree_within_their_budgets(xas):
    """The same Mn3O4 spectra against references of one scan and of three scans: the fit's error alone does
    not cover the difference; with the references' noise, the choices and the valence floor it does. Mn3O4 is
    Mn(II)Mn(III)2O4: 8/3."""
    folder = xas / "XraySpectroscopy+XASDataLibrary" / "data" / "Mn"
    one, three = _mn3o4(folder, 1), _mn3o4(folder, 3)
    assert three["valence_references_stderr"] > 0 and one["valence_references_stderr"] > 0
    assert three["n_files"] == 3 and three["valence_replicates_stderr"] > 0  # three scans of the sample

    def total(row):
        return float(total_error(row["valence_stderr"], row["valence_replicates_stderr"], 0.05,
                                 row["valence_choice_stderr"], row["valence_references_stderr"]))

    difference = abs(one["valence"] - three["valence"])
    assert difference > 2 * math.hypot(one["valence_stderr"], three["valence_stderr"])  # beyond the fits' own errors
    assert difference < 2 * math.hypot(total(one), total(three))
    for row in (one, three):
        assert abs(row["valence"] - 8 / 3) < 2 * total(row)


def test_the_self_absorption_correction_inverts_a_thick_sample_integral():
    """A fluorescence yield made by integrating the emission over depth (numpy, no closed form), for an O K
    spectrum on the edge-step scale, and corrected back: the true spectrum within 0.2 %."""
    correction = self_absorption(LLO, "O-K", incidence_deg=60.0, exit_deg=30.0)
    # Hand check of alpha from xraydb's tabulated total attenuation (1/cm at density 1) around the O K edge
    import xraydb

    mu_f, below, above = xraydb.material_mu(LLO, np.array([524.9, 533.1, 553.1]), density=1.0)
    g = math.sin(math.radians(60)) / math.sin(math.radians(30))
    assert correction.alpha == pytest.approx((below + g * mu_f) / (above - below), rel=1e-3)
    energy = np.linspace(525, 545, 201)
    true = 0.5 + 0.5 * np.tanh((energy - 535) / 2) + 1.2 * np.exp(-0.5 * ((energy - 529.6) / 0.5) ** 2)
    jump, background, emitted = above - below, below, mu_f
    depth = np.linspace(0, 50 / jump, 20001)  # fifty absorption lengths: thick

    def emission(value):
        mu_a = jump * value
        absorbed = mu_a / math.sin(math.radians(60)) * np.exp(
            -(mu_a + background) * depth / math.sin(math.radians(60)) - emitted * depth / math.sin(math.radians(30)))
        return np.trapezoid(absorbed, depth)

    # normalised as an analysis does: to the level the spectrum has where it is one edge step above the pre-edge
    measured = np.array([emission(value) for value in true]) / emission(1.0)
    recovered = correction.correct(measured)
    assert np.max(np.abs(recovered - true)) < 0.002 * true.max()
    assert np.max(true) - np.max(measured) > 0.05  # the saturation was real (8 % of the peak)


def test_the_two_layer_inversion_carries_the_depths_and_stays_physical():
    """Exact values come back exactly; the layer's and depths' errors widen the layer value's error; an r
    that would invert below zero stays at zero, and says so."""
    surface, bulk, layer, depths = 0.30, 0.10, 5.0, (4.0, 150.0)
    f = [1 - math.exp(-layer / d) for d in depths]
    seen = [fi * surface + (1 - fi) * bulk for fi in f]
    fixed = two_layer(*seen, surface_mode_stderr=0.02, bulk_mode_stderr=0.02, layer_nm=layer,
                      surface_depth_nm=depths[0], bulk_depth_nm=depths[1])
    loose = two_layer(*seen, surface_mode_stderr=0.02, bulk_mode_stderr=0.02, layer_nm=layer,
                      surface_depth_nm=depths[0], bulk_depth_nm=depths[1], layer_stderr_nm=2.5,
                      surface_depth_stderr_nm=1.0, bulk_depth_stderr_nm=50.0)
    assert fixed.surface == pytest.approx(surface) and fixed.bulk == pytest.approx(bulk)
    assert loose.surface_stderr > 1.3 * fixed.surface_stderr
    bounded = two_layer(0.0, 0.05, surface_mode_stderr=0.02, bulk_mode_stderr=0.02, bounds=(0.0, math.inf))
    assert bounded.surface == 0.0 and bounded.at_bound == "surface" and bounded.bulk >= 0
