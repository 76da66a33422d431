"""CV on real sweeps: an exact (Crank-Nicolson) reversible voltammogram gives D on both sweeps, an
instrument header's scan rate is read, an opening transient is no peak, and a sweep without a local
extremum of its own sign reports none."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from redoxmap.cv.voltammetry import Voltammogram, analyze_scan_rates, cv_peaks, read_voltammogram
from tests.cv._simulation import reversible_cv

DIFFUSION, CONCENTRATION, AREA = 1e-5, 1e-6, 0.07
RATES = (0.005, 0.01, 0.02, 0.05, 0.1)


@pytest.fixture(scope="module")
def simulated_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cn")
    files = []
    for rate in RATES:
        time, potential, current = reversible_cv(rate, start_V=-0.3, switch_V=0.3)
        path = folder / f"cv_{rate * 1e3:g}mVs.csv"
        pd.DataFrame({"time_s": time, "potential_V": potential, "current_A": current}).to_csv(path, index=False)
        files.append(path)
    return files


def test_an_exact_reversible_cv_gives_d_within_3_percent_on_both_sweeps(simulated_files):
    """Randles-Sevcik on the forward peaks (a line through the flat stretch before the wave) and on the
    reverse peaks (Nicholson's baseline from the switching current): D = 1e-5 cm²/s within 3 % on both; the
    peaks where a reversible couple has them (E0 ± 28.5 mV)."""
    records = [read_voltammogram(path) for path in simulated_files]
    peaks = cv_peaks(records[2])
    assert peaks.set_index("direction").loc["anodic", "E_peak_V"] == pytest.approx(0.0285, abs=0.001)
    assert peaks.set_index("direction").loc["cathodic", "E_peak_V"] == pytest.approx(-0.0285, abs=0.0015)
    result = analyze_scan_rates(records, n=1, area_cm2=AREA, concentration_mol_cm3=CONCENTRATION)
    diffusion = result.diffusion.set_index("direction")["D_cm2_s"]
    assert diffusion["anodic"] == pytest.approx(DIFFUSION, rel=0.03)
    assert diffusion["cathodic"] == pytest.approx(DIFFUSION, rel=0.03)
    assert (result.diffusion["D_stderr_cm2_s"] > 0).all()


def test_a_ch_instruments_export_states_its_scan_rate_and_its_opening_transient_is_no_peak(tmp_path):
    """A CHI-style text export (header with 'Scan Rate (V/s) = 0.02', columns Potential/V and Current/A,
    no time) of a reversible CV that opens on a decaying cathodic transient: read without a scan rate from
    the user, its first anodic peak is the couple's (not in the transient) and the separation is positive."""
    time, potential, current = reversible_cv(0.02, start_V=-0.5, switch_V=0.3)
    current = current - 2e-5 * np.exp(-time / 0.4)  # charging of the double layer when the sweep starts
    header = ("Nov. 5, 2026   10:48:58\nCyclic Voltammetry\nFile:  sim.bin\nInstrument Model:  CHI660E\n"
              "Init E (V) = -0.5\nHigh E (V) = 0.3\nLow E (V) = -0.5\nScan Rate (V/s) = 0.02\nSegment = 2\n"
              "Sample Interval (V) = 0.0005\nQuiet Time (sec) = 2\nSensitivity (A/V) = 1e-5\n\n"
              "Potential/V, Current/A\n\n")
    rows = "\n".join(f"{e:.4f}, {i:.6e}" for e, i in zip(potential, current))
    path = tmp_path / "chi.txt"
    path.write_text(header + rows + "\n")
    record = read_voltammogram(path)
    assert record.attrs["stated_scan_rate_mV_s"] == pytest.approx(20.0)
    peaks = cv_peaks(record).set_index("direction")
    assert peaks.loc["anodic", "scan_rate_mV_s"] == pytest.approx(20.0, rel=1e-3)
    assert peaks.loc["anodic", "E_peak_V"] == pytest.approx(0.0285, abs=0.002)
    assert peaks.loc["anodic", "delta_Ep_V"] > 0


def test_a_sweep_without_an_extremum_of_its_sign_has_no_peak():
    """A capacitive box (no faradaic wave): no local extremum above the noise, so no peak is reported."""
    potential = np.concatenate([np.linspace(0, 1, 500), np.linspace(1, 0, 500)])
    current = np.where(np.gradient(potential) > 0, 1e-5, -1e-5) + 1e-8 * np.random.default_rng(1).normal(size=1000)
    time = np.arange(1000) * 0.1
    peaks = cv_peaks(Voltammogram(time, potential, current, {"source_file": "box"}))
    assert peaks["E_peak_V"].isna().all()


def test_a_versastudio_cv_with_its_stated_scan_rate(data):
    """PySimpleCV's VersaStudio .par example: its header's 'Scan Rate (V/s)=0.003' agrees with its clock, and
    its impedance reader refuses it (its frequency column is unused)."""
    from redoxmap.errors import FormatError
    from redoxmap.io.ametek import read_versastudio

    path = data / "xrd_eis" / "kevinsmia1939+PySimpleCV" / "example_data" / "example_CV_1.par"
    record = read_voltammogram(path)
    assert record.attrs["stated_scan_rate_mV_s"] == pytest.approx(3.0)
    peaks = cv_peaks(record)
    assert peaks["scan_rate_mV_s"].iloc[0] == pytest.approx(3.0, rel=0.01)
    assert (peaks.set_index("direction")["i_peak_A"] * [1, -1] > 0).all()
    with pytest.raises(FormatError, match="no impedance segment"):
        read_versastudio(path)
