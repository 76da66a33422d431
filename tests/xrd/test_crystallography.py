"""Bragg's law and lattice refinement against hand calculations and CIF-derived positions."""

from __future__ import annotations

import numpy as np
import pytest

from redoxmap.errors import AnalysisError
from redoxmap.xrd.crystallography import (
    c_from_003,
    d_of,
    d_spacing,
    d_spacing_stderr,
    fit_lattice,
    instrument_correction,
    two_theta,
    zero_shift_from_reference,
)


def test_the_issue_check_003_at_18_53_degrees():
    """With 1.5406 A, (003) at 18.53 deg is d = 4.7844 A and c = 14.353 A (by hand: 1.5406 / (2 sin 9.265 deg))."""
    assert d_spacing(18.53, 1.5406) == pytest.approx(4.7844, abs=5e-4)
    c, _ = c_from_003(18.53, 0.001, 1.5406)
    assert c == pytest.approx(14.353, abs=2e-3)


def test_the_reference_studys_020_and_its_hrtem_spacing_disagree():
    """(020) at 20.32 deg is d = 0.437 nm; the HRTEM 0.427 nm would sit at 20.79 deg."""
    assert d_spacing(20.32, 1.540593) / 10 == pytest.approx(0.4367, abs=5e-4)
    assert two_theta(4.27, 1.540593) == pytest.approx(20.79, abs=0.01)


def test_bragg_round_trip_and_error_propagation():
    angles = np.array([15.0, 30.0, 60.0, 120.0])
    np.testing.assert_allclose(two_theta(d_spacing(angles, 1.5406), 1.5406), angles)
    step = 1e-4  # numerical derivative as the independent check
    numeric = np.abs(d_spacing(angles + step, 1.5406) - d_spacing(angles - step, 1.5406)) / (2 * step)
    np.testing.assert_allclose(d_spacing_stderr(angles, 1.0, 1.5406), numeric, rtol=1e-5)
    assert np.isnan(two_theta(0.5, 1.5406))  # lambda > 2d: no reflection


def test_hexagonal_lattice_recovered_from_exact_positions():
    hkl = [(0, 0, 3), (1, 0, 1), (0, 0, 6), (1, 0, 4), (1, 0, 8), (1, 1, 0)]
    truth = {"a": 2.8502, "c": 14.2391}
    # by hand: 1/d^2 = 4/3 (h^2 + hk + k^2)/a^2 + l^2/c^2
    d = np.array([1 / np.sqrt(4 / 3 * (h * h + h * k + k * k) / truth["a"] ** 2 + l * l / truth["c"] ** 2)
                  for h, k, l in hkl])
    fit = fit_lattice(hkl, two_theta(d, 1.540593), np.full(len(hkl), 0.002), wavelength_A=1.540593, system="R-3m")
    assert fit.params["a"] == pytest.approx(truth["a"], abs=1e-6)
    assert fit.params["c"] == pytest.approx(truth["c"], abs=1e-5)
    assert fit.stderr["c"] > 0


def test_zero_shift_is_recovered_beside_the_lattice():
    hkl = [(1, 1, 1), (3, 1, 1), (2, 2, 2), (4, 0, 0), (3, 3, 1), (5, 1, 1), (4, 4, 0)]
    positions = two_theta(d_of(hkl, "cubic", {"a": 8.236}), 1.540593) + 0.05
    fit = fit_lattice(hkl, positions, np.full(7, 0.003), wavelength_A=1.540593, system="Fd-3m", zero_shift=True)
    assert fit.params["zero_shift_deg"] == pytest.approx(0.05, abs=1e-6)
    assert fit.params["a"] == pytest.approx(8.236, abs=1e-6)
    assert zero_shift_from_reference(positions[0], d_of([(1, 1, 1)], "cubic", {"a": 8.236})[0], 1.540593) == \
        pytest.approx(0.05)


def test_monoclinic_li2mno3_from_its_cif_reflection_positions(xrd):
    """pymatgen's XRDCalculator positions for the Li2MnO3 CIF give back the CIF's cell."""
    from redoxmap.xrd import reflections_from_cif

    table = reflections_from_cif(xrd / "njszym+XRD-AutoAnalyzer" / "Example" / "References" / "Li2MnO3_12.cif",
                                 wavelength_A=1.540593, two_theta_range=(15, 70))
    hkl = np.array([[int(v) for v in text.split()] for text in table["hkl"]])
    fit = fit_lattice(hkl, table["two_theta_deg"], np.full(len(table), 0.002), wavelength_A=1.540593,
                      system="C2/m")
    assert fit.params["a"] == pytest.approx(4.937, abs=2e-3)
    assert fit.params["b"] == pytest.approx(8.532, abs=2e-3)
    assert fit.params["c"] == pytest.approx(5.030, abs=2e-3)
    assert fit.params["beta"] == pytest.approx(109.46, abs=0.02)


def test_too_few_or_degenerate_peaks_are_refused():
    with pytest.raises(AnalysisError, match="cannot fix"):
        fit_lattice([(0, 0, 3)], [18.6], [0.001], wavelength_A=1.5406, system="R-3m")
    with pytest.raises(AnalysisError, match="do not determine"):
        fit_lattice([(0, 0, 3), (0, 0, 6)], [18.6, 37.8], [0.001, 0.001], wavelength_A=1.5406, system="R-3m")
    with pytest.raises(AnalysisError, match="unknown crystal system"):
        fit_lattice([(1, 1, 1)], [18.6], [0.001], wavelength_A=1.5406, system="P1")


def test_internal_standard_gives_zero_shift_and_displacement():
    """Si (a = 5.43102 A) peaks moved by a known zero shift and displacement come back exactly."""
    hkl = [(1, 1, 1), (2, 2, 0), (3, 1, 1), (4, 0, 0), (3, 3, 1)]
    d = d_of(hkl, "cubic", {"a": 5.43102})
    true = two_theta(d, 1.540593)
    observed = true + 0.03 - np.degrees(2 * 2e-4 * np.cos(np.radians(true) / 2))
    correction = instrument_correction(observed, d, 1.540593)
    assert correction.zero_shift_deg == pytest.approx(0.03, abs=1e-9)
    assert correction.displacement == pytest.approx(2e-4, rel=1e-6)
    np.testing.assert_allclose(correction.apply(observed), true, atol=1e-4)
