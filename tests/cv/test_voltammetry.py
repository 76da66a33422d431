"""Cyclic voltammetry: simulated CVs of known peak currents, and real BioLogic CV files."""

from __future__ import annotations

import numpy as np
import pytest

from redoxmap.cv.voltammetry import (
    FARADAY,
    GAS_CONSTANT,
    Voltammogram,
    analyze_scan_rates,
    cv_peaks,
    read_voltammogram,
    sweeps,
)
from redoxmap.errors import AnalysisError, DataWarning, FormatError


def simulated_cv(rate_V_s: float, *, diffusive: float = 0.0, surface: float = 0.0, capacitive: float = 0.0,
                 separation_V: float = 0.06, cycles: int = 2, points: int = 2000) -> Voltammogram:
    """Triangle 0 -> 1 V and back; Gaussian peaks at 0.5 +- separation/2 whose heights scale with
    v^1/2 (``diffusive``, A per (V/s)^1/2), v (``surface``, A per V/s), on a capacitive step k1 v."""
    up = np.linspace(0.0, 1.0, points)
    potential = np.concatenate([np.concatenate([up, up[::-1][1:]]) for _ in range(cycles)])
    direction = np.sign(np.gradient(potential))
    direction[direction == 0] = 1
    height = diffusive * np.sqrt(rate_V_s) + surface * rate_V_s
    centre = 0.5 + direction * separation_V / 2
    current = direction * (capacitive * rate_V_s + height * np.exp(-0.5 * ((potential - centre) / 0.03) ** 2))
    time = np.concatenate([[0.0], np.cumsum(np.abs(np.diff(potential)))]) / rate_V_s
    return Voltammogram(time, potential, current, {"source_file": f"sim_{rate_V_s * 1e3:g}mVs"})


RATES = np.array([0.005, 0.01, 0.02, 0.05, 0.1])


@pytest.mark.parametrize(("kind", "expected_b"), [("diffusive", 0.5), ("surface", 1.0)])
def test_b_value_of_simulated_cvs(kind, expected_b):
    records = [simulated_cv(v, capacitive=2e-4, **{kind: 1e-3}) for v in RATES]
    result = analyze_scan_rates(records)
    for row in result.b_values.itertuples():
        assert row.b == pytest.approx(expected_b, abs=0.01), row.direction


def test_randles_sevcik_recovers_the_diffusion_coefficient():
    n, area, concentration, diffusion, temperature = 1, 0.5, 1e-5, 2e-6, 298.15
    # i_p = 0.4463 n F A C sqrt(n F v D / (R T)), by hand
    per_root_rate = 0.4463 * n * FARADAY * area * concentration * np.sqrt(n * FARADAY * diffusion /
                                                                          (GAS_CONSTANT * temperature))
    records = [simulated_cv(v, diffusive=per_root_rate) for v in RATES]
    result = analyze_scan_rates(records, n=n, area_cm2=area, concentration_mol_cm3=concentration, temperature_C=25.0)
    for row in result.diffusion.itertuples():
        assert row.D_cm2_s == pytest.approx(diffusion, rel=0.02)


def test_capacitive_share_follows_dunns_split():
    records = [simulated_cv(v, diffusive=1e-3, capacitive=5e-3) for v in RATES]
    share = analyze_scan_rates(records).capacitive
    assert np.all(np.diff(share["capacitive_fraction"]) > 0)  # more capacitive at faster sweeps
    # by hand for the slowest sweep: k1 v over the mean |i| of the anodic sweep
    grid = np.linspace(0, 1, 2000)
    current = 5e-3 * 0.005 + 1e-3 * np.sqrt(0.005) * np.exp(-0.5 * ((grid - 0.53) / 0.03) ** 2)
    assert share["capacitive_fraction"].iloc[0] == pytest.approx(5e-3 * 0.005 / current.mean(), rel=0.05)


def test_wide_peak_separation_warns_that_randles_sevcik_is_indicative():
    records = [simulated_cv(v, diffusive=1e-3, separation_V=0.3) for v in RATES]
    with pytest.warns(DataWarning, match="not reversible"):
        analyze_scan_rates(records)


def test_real_biologic_cv_sweeps_and_scan_rates(echem):
    cv = read_voltammogram(echem / "yadg" / "cv.issue_217.mpr")
    table = sweeps(cv)
    assert len(table) == 22 and table["scan_rate_mV_s"].median() == pytest.approx(50.0, rel=0.01)
    assert set(table["direction"]) == {"anodic", "cathodic"}
    text = read_voltammogram(echem / "yadg" / "cv.issue_149.mpt")  # decimal-comma export
    assert sweeps(text)["scan_rate_mV_s"].median() == pytest.approx(50.0, rel=0.01)
    peaks = cv_peaks(cv)
    assert peaks.loc[peaks["direction"] == "anodic", "i_peak_A"].gt(0).all()


def test_one_sweep_or_one_rate_is_refused(tmp_path):
    one = Voltammogram(np.linspace(0, 10, 100), np.linspace(0, 1, 100), np.ones(100), {"source_file": "one.csv"})
    with pytest.raises(AnalysisError, match="one.csv.*reversal"):
        sweeps(one)
    with pytest.raises(AnalysisError, match="one scan rate"):
        analyze_scan_rates([simulated_cv(0.01, diffusive=1e-3), simulated_cv(0.01, diffusive=1e-3)])
    table = tmp_path / "cv.csv"
    table.write_text("\n".join(f"{e},{1e-3 * e}" for e in np.linspace(0, 1, 50)))
    with pytest.raises(FormatError, match="scan rate"):
        read_voltammogram(table)
    assert len(read_voltammogram(table, scan_rate_mV_s=10).time_s) == 50
