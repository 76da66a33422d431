"""Impedance: readers, circuits, fits against impedance.py's documented result and known truth,
the Kramers-Kronig test, the DRT, series, and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from redoxmap.eis import Circuit, drt, fit_circuit, fit_circuits, kramers_kronig, read_impedance
from redoxmap.errors import AnalysisError, DataWarning, FitWarning, FormatError, ReadError

IMPEDANCE_PY = ("xrd_eis", "ECSHackWeek+impedance.py", "data")


@pytest.fixture(scope="module")
def example(data):
    """impedance.py's getting-started battery spectrum, with its inductive points removed as there."""
    spectrum = read_impedance(data.joinpath(*IMPEDANCE_PY, "exampleData.csv"))[0]
    keep = spectrum.z_ohm.imag < 0
    return spectrum.frequency_Hz[keep], spectrum.z_ohm[keep]


def test_readers_agree_with_the_files(data):
    csv = np.loadtxt(data.joinpath(*IMPEDANCE_PY, "exampleData.csv"), delimiter=",")
    spectrum = read_impedance(data.joinpath(*IMPEDANCE_PY, "exampleData.csv"))[0]
    order = np.argsort(-csv[:, 0])
    np.testing.assert_allclose(spectrum.frequency_Hz, csv[order, 0])
    np.testing.assert_allclose(spectrum.z_ohm, csv[order, 1] + 1j * csv[order, 2])
    gamry = read_impedance(data.joinpath(*IMPEDANCE_PY, "exampleDataGamry.DTA"))[0]
    assert len(gamry.frequency_Hz) == 72 and gamry.z_ohm.imag[-1] < 0
    assert len(read_impedance(data.joinpath(*IMPEDANCE_PY, "exampleDataVersaStudio.par"))[0].frequency_Hz) == 61
    zplot = read_impedance(data.joinpath(*IMPEDANCE_PY, "exampleDataZPlot.z"))[0]
    assert zplot.frequency_Hz[0] == pytest.approx(3e5) and zplot.z_ohm[0] == pytest.approx(147.77 - 11.335j, rel=1e-3)
    biologic = read_impedance(data.joinpath(*IMPEDANCE_PY, "exampleDataBioLogic.mpt"))[0]
    assert len(biologic.frequency_Hz) == 43
    series = read_impedance(data / "xrd_eis" / "AUTODIAL+AutoEIS" / "src" / "autoeis" / "assets" / "battery_data.npy")
    assert len(series) == 130 and all(len(s.frequency_Hz) == 57 for s in series)
    palmsens = read_impedance(data / "xrd_eis" / "AUTODIAL+AutoEIS" / "src" / "autoeis" / "assets" / "data.pssession")
    assert palmsens[0].z_ohm[0] == pytest.approx(109.009 - 26.556j, rel=1e-4)  # PSTrace's ZIm is -Z''


def test_mpt_and_mpr_of_the_same_peis_loop_agree(echem):
    text = read_impedance(echem / "yadg" / "peis.issue_149.mpt")
    binary = read_impedance(echem / "yadg" / "peis.issue_149.mpr")
    assert len(text) == len(binary) == 4
    np.testing.assert_allclose(text[2].z_ohm, binary[2].z_ohm, rtol=1e-5)


def test_circuit_strings_and_their_errors():
    circuit = Circuit("R0-p(R1,CPE1)-p(R2-Wo1,C2)")
    assert circuit.parameter_names == ["R0", "R1", "CPE1_Q", "CPE1_alpha", "R2", "Wo1_Z0", "Wo1_tau", "C2"]
    # by hand: R0 + R1 / (1 + i w R1 C1) at w = 1 / (R1 C1) is R0 + R1 (1 - i) / 2
    assert Circuit("R0-p(R1,C1)").impedance([1, 2, 1e-3], [1 / (2 * np.pi * 2e-3)])[0] == pytest.approx(2 - 1j)
    with pytest.raises(AnalysisError, match=r"character 12[\s\S]*\^"):
        Circuit("R0-p(R1,C1-")
    with pytest.raises(AnalysisError, match="character 4"):
        Circuit("R0-X1")
    with pytest.raises(AnalysisError, match="more than once"):
        Circuit("R0-R0")


def test_jacobian_matches_finite_differences():
    circuit = Circuit("R0-p(R1,CPE1)-p(R2-Wo1,C2)-L0-W1-Ws1")
    p = np.array([10, 20, 1e-5, 0.8, 30, 50, 2.0, 1e-3, 1e-7, 3.0, 40, 0.5])
    f = np.logspace(-2, 5, 30)
    _, J = circuit.impedance(p, f, jacobian=True)
    for k in range(len(p)):
        step = np.zeros_like(p)
        step[k] = 1e-5 * p[k]
        numeric = (circuit.impedance(p + step, f) - circuit.impedance(p - step, f)) / (2 * step[k])
        assert np.abs(numeric - J[:, k]).max() <= 1e-6 * np.abs(numeric).max(), circuit.parameter_names[k]


def test_impedance_py_getting_started_result_is_reproduced(example):
    """impedance.py's documented fit of its example data from its documented start:
    R0 1.65e-2, R1 8.68e-3, C1 3.32, R2 5.39e-3, Wo1 6.31e-2 / 2.33e2, C2 2.20e-1."""
    documented = [1.65e-2, 8.68e-3, 3.32, 5.39e-3, 6.31e-2, 2.33e2, 2.20e-1]
    with warnings.catch_warnings():
        # the Warburg's tau is not determined by this spectrum
        warnings.filterwarnings("ignore", r".*undetermined \(error > 100 %\)", FitWarning)
        fit = fit_circuit(example, "R0-p(R1,C1)-p(R2-Wo1,C2)", weighting="unit",
                          initial=[.01, .01, 100, .01, .05, 100, 1], starts=0)
    for row, value in zip(fit.parameters.itertuples(), documented):
        # three printed digits, or the standard error where that is larger (Wo1's tau: 7 %)
        assert abs(row.value - value) <= max(2 * row.stderr, 0.006 * value), row.name


def test_synthetic_spectra_are_recovered_within_their_errors():
    circuit = Circuit("R0-p(R1,CPE1)-p(R2,CPE2)")
    truth = np.array([5.0, 12.0, 2e-6, 0.9, 40.0, 3e-3, 0.8])
    f = np.logspace(5, -2, 60)
    z = circuit.impedance(truth, f)
    rng = np.random.default_rng(1)
    noisy = [(f, z + 0.003 * np.abs(z) * (rng.normal(size=60) + 1j * rng.normal(size=60))) for _ in range(40)]
    fits = fit_circuits(noisy, circuit)
    # The two parallel blocks are interchangeable: compare them sorted by time constant.
    resistances = np.array([fit.rc["R_ohm"] for fit in fits])
    errors = np.array([fit.rc["R_stderr_ohm"] for fit in fits])
    pulls = (resistances - [12.0, 40.0]) / errors
    assert np.all(np.abs(pulls.mean(axis=0)) < 0.5) and np.all(np.abs(pulls.std(axis=0) - 1) < 0.35)
    r0 = np.array([fit.values["R0"] for fit in fits])
    r0_error = np.array([fit.parameters.set_index("name").loc["R0", "stderr"] for fit in fits])
    assert abs(np.mean((r0 - 5.0) / r0_error)) < 0.5
    np.testing.assert_allclose(np.median([fit.rc["tau_s"] for fit in fits], axis=0),
                               [12.0 * (2e-6 * 12.0) ** (1 / 0.9) / 12.0, 40.0 * (3e-3 * 40.0) ** (1 / 0.8) / 40.0],
                               rtol=0.05)  # Hsu-Mansfeld tau = (Q R)^(1/alpha), by hand
    rc = fits[0].rc
    assert list(rc["label"]) == ["arc 1 (fastest)", "arc 2 (slowest)"]  # named for no chemistry


def test_kramers_kronig_flags_a_drifting_cell_and_passes_a_stable_one():
    circuit = Circuit("R0-p(R1,C1)-p(R2,C2)")
    f = np.logspace(5, -2, 71)
    rng = np.random.default_rng(0)
    stable = circuit.impedance([5, 10, 1e-5, 20, 5e-3], f)
    stable = stable + 0.002 * np.abs(stable) * (rng.normal(size=71) + 1j * rng.normal(size=71))
    assert kramers_kronig(f, stable).valid
    # The cell's resistances grow by half during the sweep (high to low frequency): not causal-linear-stable.
    drift = np.array([circuit.impedance([5, 10 * (1 + 0.5 * i / 71), 1e-5, 20 * (1 + 0.5 * i / 71), 5e-3], [fi])[0]
                      for i, fi in enumerate(f)])
    result = kramers_kronig(f, drift)
    assert not result.valid and result.max_residual > 0.02


def test_drt_of_two_rc_elements_has_two_peaks_at_their_time_constants():
    f = np.logspace(5, -2, 71)
    z = Circuit("R0-p(R1,C1)-p(R2,C2)").impedance([5, 10, 1e-5, 20, 5e-3], f)  # tau = 1e-4 s and 0.1 s
    z = z + 0.002 * np.abs(z) * (
        np.random.default_rng(0).normal(size=71) + 1j * np.random.default_rng(1).normal(size=71)
    )
    result = drt(f, z)
    assert len(result.peaks) == 2 and result.method == "GCV"
    np.testing.assert_allclose(np.log10(result.peaks["tau_s"]), [-4, -1], atol=0.1)
    np.testing.assert_allclose(result.peaks["R_ohm"], [10, 20], rtol=0.1)
    assert result.r_inf_ohm == pytest.approx(5, rel=0.05)


def test_the_130_spectrum_series_is_fitted_spectrum_by_spectrum(data):
    from redoxmap.study.analyses.eis import ImpedanceEntry, analyze_eis

    path = data / "xrd_eis" / "AUTODIAL+AutoEIS" / "src" / "autoeis" / "assets" / "battery_data.npy"
    with warnings.catch_warnings():
        # a third of this cell's spectra fail it
        warnings.filterwarnings("ignore", ".*fail the Kramers-Kronig test", FitWarning)
        analysis = analyze_eis("AutoEIS cell", [ImpedanceEntry([path], "cycling")])
    table = analysis.resistances
    assert len(table) == 130
    # R0 sits a little below Z' at the highest frequency (9.9 kHz), where the arcs have not closed yet.
    high_frequency = np.array([spectrum.z_ohm.real[0] for spectrum in analysis.spectra])
    ratio = table["R0_ohm"].to_numpy() / high_frequency
    assert np.mean((ratio > 0.6) & (ratio <= 1.0)) > 0.95
    assert table.loc[(ratio <= 0.6), "flags"].str.len().gt(0).all()  # the odd ones are flagged
    # The default circuit describes these spectra to about 1 % of |Z| (the Kramers-Kronig chain, the
    # best any causal linear model does, to 0.2 %); most spectra pass that test.
    fit_rms = np.array([np.sqrt(np.mean(np.abs(fit.residuals) ** 2)) for fit in analysis.fits])
    assert np.mean(fit_rms < 0.02) > 0.9
    assert np.mean([check.valid for check in analysis.kk]) > 0.6
    assert len(analysis.drts) == 1 and not analysis.drts[0][1].peaks.empty


def test_arrhenius_recovers_a_known_activation_energy():
    from redoxmap.eis.temperature import BOLTZMANN_EV, arrhenius

    temperatures = np.array([30.0, 40.0, 50.0, 60.0])
    resistance = 2e-3 * np.exp(0.45 / (BOLTZMANN_EV * (temperatures + 273.15)))
    ea, error = arrhenius(temperatures, resistance, resistance * 0.01)
    assert ea == pytest.approx(0.45, abs=1e-6) and error < 0.01


def test_bad_input(tmp_path):
    negative = tmp_path / "negative.csv"
    negative.write_text("1000,1,-1\n100,2,-2\n-10,3,-3\n1,4,-4\n0.1,5,-5\n0.01,6,-6\n")
    with pytest.raises(FormatError, match="negative.csv.*non-positive"):
        read_impedance(negative)
    repeated = tmp_path / "repeated.csv"
    repeated.write_text("1000,1,-1\n100,2,-2\n100,2.2,-2\n10,3,-3\n1,4,-4\n0.1,5,-5\n0.01,6,-6\n")
    with pytest.warns(DataWarning, match="repeated frequencies"):
        assert len(read_impedance(repeated)[0].frequency_Hz) == 6
    few = [(np.array([1e3, 1e2, 1e1]), np.array([1 - 1j, 2 - 1j, 3 - 1j]))]
    with pytest.raises(AnalysisError, match="cannot fix 8 parameters"):
        fit_circuits(few, "R0-p(R1,CPE1)-p(R2,CPE2)-W1")
    junk = tmp_path / "junk.dta"
    junk.write_text("EXPLAIN\nnothing here\n")
    with pytest.raises(ReadError, match="junk.dta.*ZCURVE"):
        read_impedance(junk)
