"""Every fit result follows one protocol: a parameter table with errors and units, statistics, a
text report, an HTML view, a plot on a given axes that leaves the backend alone, and JSON that loads
back to the same numbers."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import redoxmap
from redoxmap.cycling import fit_capacity_rise
from redoxmap.eis import Circuit, drt, fit_circuit
from redoxmap.errors import RedoxmapError
from redoxmap.model import ActivationParameters, Observation, fit_model, simulate_cycles
from redoxmap.results import PARAMETER_COLUMNS, FitResult
from redoxmap.xas import fit_lcf, fit_pre_edge
from redoxmap.xrd import CU_KA1_A, Pattern, fit_lattice, fit_pattern_peaks, two_theta


def _lcf():
    energy = np.linspace(6530, 6600, 300)
    references = {
        name: (energy, 1 / (1 + np.exp(-(energy - e0) / 2.0)) + 0.3 * np.exp(-0.5 * ((energy - e0 - 8) / 3) ** 2))
        for name, e0 in (("MnO", 6544.0), ("Mn2O3", 6548.0), ("MnO2", 6552.0))
    }
    mixture = sum(w * references[n][1] for n, w in zip(references, (0.2, 0.3, 0.5)))
    return fit_lcf(energy, mixture + 0.002 * np.random.default_rng(1).normal(size=energy.size), references,
                   valences={"MnO": 2, "Mn2O3": 3, "MnO2": 4}, edge="Mn-K")


def _pre_edge():
    energy = np.arange(524.0, 540.0, 0.1)
    mu = (0.5 * np.exp(-0.5 * ((energy - 529.6) / 0.45) ** 2) + 0.3 * np.exp(-0.5 * ((energy - 531.0) / 0.45) ** 2)
          + 0.5 + np.arctan(energy - 536.0) / np.pi)
    return fit_pre_edge(energy, mu + 0.003 * np.random.default_rng(2).normal(size=energy.size), peaks=("A", "B"))


def _peaks():
    x = np.arange(17.0, 20.0, 0.01)
    rng = np.random.default_rng(3)
    y = rng.poisson(50 + 2000 * np.exp(-0.5 * ((x - 18.6) / 0.04) ** 2)).astype(float)
    pattern = Pattern(x, y, None, {"wavelength_A": CU_KA1_A, "wavelength2_A": None, "ka2_ratio": None})
    return fit_pattern_peaks(pattern, [18.6], labels=["003"])


def _lattice():
    hkl = np.array([[0, 0, 3], [1, 0, 1], [0, 0, 6], [1, 0, 4], [1, 0, 8], [1, 1, 0]])
    d = 1 / np.sqrt(4 / 3 * (hkl[:, 0] ** 2 + hkl[:, 0] * hkl[:, 1] + hkl[:, 1] ** 2) / 2.85 ** 2
                    + hkl[:, 2] ** 2 / 14.2 ** 2)
    positions = two_theta(d, CU_KA1_A) + np.random.default_rng(4).normal(0, 0.002, len(d))
    return fit_lattice(hkl, positions, np.full(len(d), 0.002), wavelength_A=CU_KA1_A, system="hexagonal")


def _spectrum():
    f = np.logspace(5, -2, 60)
    z = np.asarray(Circuit("R0-p(R1,CPE1)").impedance(np.array([[5.0, 40.0, 1e-4, 0.9]]), f))[0]
    return f, z * (1 + 0.002 * np.random.default_rng(5).normal(size=f.size))


def _circuit():
    return fit_circuit(_spectrum(), "R0-p(R1,CPE1)")


def _drt():
    return drt(*_spectrum())


def _capacity_rise():
    n = np.arange(1, 30)
    q = 250 - 100 * np.exp(-(n - 1) / 5) + np.random.default_rng(6).normal(0, 1, n.size)
    return fit_capacity_rise(n, q, name="cell A")


def _indexed():
    """An R-3m pattern of a = 2.85, c = 14.2 Å, indexed from scratch."""
    from redoxmap.xrd import index_pattern

    hkl = [(0, 0, 3), (1, 0, 1), (0, 0, 6), (0, 1, 2), (1, 0, 4), (0, 1, 5), (1, 0, 7), (0, 1, 8), (1, 1, 0),
           (1, 1, 3)]
    x = np.arange(15, 70, 0.02)
    y = np.full_like(x, 30.0)
    for h, k, ell in hkl:
        d = 1 / np.sqrt(4 / 3 * (h * h + h * k + k * k) / 2.85 ** 2 + ell * ell / 14.2 ** 2)
        y += 800 * np.exp(-0.5 * ((x - two_theta(d, CU_KA1_A)) / 0.05) ** 2)
    y = np.random.default_rng(8).poisson(y).astype(float)
    return index_pattern(Pattern(x, y, None, {"wavelength_A": CU_KA1_A, "wavelength2_A": None, "ka2_ratio": None}))


def _xps():
    """Two S 2p doublets of areas 3:1 on a flat background (the docstring example of fit_xps)."""
    from redoxmap.xps import XpsSpectrum, doublet, fit_xps

    be = np.arange(155.0, 175.0, 0.05)

    def line(center, area, fwhm=1.2):
        sigma = fwhm / 2.3548
        return area * np.exp(-0.5 * ((be - center) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))

    counts = 200 + line(161.6, 3000) + line(162.78, 1500) + line(168.8, 1000) + line(169.98, 500)
    counts = counts + np.random.default_rng(9).normal(0, 2, be.size)
    return fit_xps(XpsSpectrum(be, counts, "S 2p"), [doublet("PS4", 161.6, "S 2p"), doublet("sulfate", 168.8, "S 2p")],
                   background="linear", line_shape="GL(0)")


def _gas():
    """The virtual DEMS cell's O2 and CO2 against its cycler file."""
    import tempfile
    from pathlib import Path

    from redoxmap.dems import load_calibration, quantify_gases, read_ms, simulate_dems_cell

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        truth = simulate_dems_cell(folder, temperature_C=50)
        for name in ("ms.csv", "cycler.csv"):  # every 8th record: a saved result of tens of kB, not of MB
            lines = (folder / name).read_text().splitlines()
            (folder / name).write_text("\n".join(lines[:1] + lines[1::8]) + "\n")
        cycling = redoxmap.read_cycling(folder / "cycler.csv", active_mass_mg=truth["active_mass_mg"])
        return quantify_gases(read_ms(folder / "ms.csv"), load_calibration(folder / "calibration.json"),
                              cycling=cycling, offset_s=truth["offset_s"], delay_s=truth["delay_s"],
                              lag_s=truth["lag_s"])


def _microstructure():
    from redoxmap.sem import analyze_microstructure, packed_discs, section_with_eds

    labels, _ = packed_discs((64, 64), radius_px=5.0, seed=1)  # small: its saved file holds the image
    return analyze_microstructure([section_with_eds(labels, seed=1)], bootstrap=20)


def _model():
    run = simulate_cycles(ActivationParameters(), 10, temperature_C=30).table.set_index("cycle")
    rng = np.random.default_rng(7)
    observations = [Observation("capacity", run.loc[c, "capacity_mAh_g"] + 2.0 * rng.normal(), 2.0, 30, c)
                    for c in range(1, 11)]
    return fit_model(observations, vary=("q_o_mAh_g",))


MAKERS = {"LcfResult": _lcf, "PreEdgeFit": _pre_edge, "PeakFits": _peaks, "LatticeFit": _lattice,
          "IndexedLattice": _indexed, "CircuitFit": _circuit, "DrtResult": _drt, "CapacityRiseFit": _capacity_rise,
          "XpsFit": _xps, "GasEvolution": _gas, "MicrostructureResult": _microstructure, "ModelFit": _model}
SAVED = Path(__file__).parent / "data" / "results"  # one result of each type, saved by this version


def _every_result_type() -> set[type]:
    """Every FitResult subclass in the package (each module imported first)."""
    import importlib
    import pkgutil

    for module in pkgutil.walk_packages(redoxmap.__path__, "redoxmap."):
        if not module.name.startswith("redoxmap.cli"):
            importlib.import_module(module.name)
    found, todo = set(), [FitResult]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.add(sub)
            todo.append(sub)
    return found


@pytest.fixture(scope="module", params=sorted(MAKERS))
def result(request):
    made = MAKERS[request.param]()
    assert type(made).__name__ == request.param
    return made


def test_the_protocol_covers_every_result_type():
    """A new fit result joins MAKERS (and gets a saved file), so that the tests below reach it."""
    names = {t.__name__ for t in _every_result_type()}
    assert names == set(MAKERS)
    assert names == {p.stem for p in SAVED.glob("*.json")}, "every result type has a file saved by this version"


def test_parameters_statistics_and_views(result):
    assert isinstance(result, FitResult)
    table = result.parameter_table()
    assert tuple(table.columns) == PARAMETER_COLUMNS and len(table)
    assert str(table["at_bound"].dtype) == "boolean"
    if not type(result).bounded:
        assert not table["at_bound"].any()
    assert np.isfinite(table["value"].astype(float)).any()
    statistics = result.statistics()
    assert statistics and all(isinstance(k, str) for k in statistics)
    text = result.report()
    assert result.title in text and str(table["parameter"].iloc[0]) in text and "[statistics]" in text
    assert "<table>" in result._repr_html_() and result.title in result._repr_html_()


def test_plot_draws_on_the_given_axes_and_leaves_the_backend_alone(result):
    import matplotlib.pyplot as plt

    backend, figures = matplotlib.get_backend(), plt.get_fignums()
    ax = Figure().add_subplot()
    assert result.plot(ax=ax) is ax
    assert ax.lines or ax.collections or ax.images  # a micrograph is an image
    assert matplotlib.get_backend() == backend and plt.get_fignums() == figures


def test_json_loads_back_to_the_same_result(result, tmp_path):
    path = tmp_path / "fit.json"
    result.to_json(path)
    back = redoxmap.load_result(path)
    assert type(back) is type(result)
    pd.testing.assert_frame_equal(back.parameter_table(), result.parameter_table())
    for key, value in result.statistics().items():
        other = back.statistics()[key]
        assert other == value or (isinstance(value, float) and math.isnan(value) and math.isnan(other))
    assert type(result).from_dict(result.to_dict()).report() == result.report()


@pytest.mark.parametrize("path", sorted(SAVED.glob("*.json")), ids=lambda p: p.stem)
def test_a_result_saved_by_this_version_loads_forever(path):
    """The files in tests/data/results were written by ``to_json`` of format version 1; every later
    version must read them to the same parameters (the CSV beside each was written with it)."""
    back = redoxmap.load_result(path)
    assert type(back).__name__ == path.stem
    expected = pd.read_csv(path.with_suffix(".csv"), dtype={"parameter": str, "unit": str, "at_bound": str},
                           keep_default_na=False,
                           na_values={"value": [""], "stderr": [""]})
    table = back.parameter_table()
    assert list(table["parameter"]) == list(expected["parameter"].astype(str))
    assert np.allclose(table["value"].astype(float), expected["value"].astype(float), rtol=1e-12, equal_nan=True)
    assert np.allclose(table["stderr"].astype(float), expected["stderr"].astype(float), rtol=1e-12, equal_nan=True)
    assert list(table["unit"].fillna("").astype(str)) == list(expected["unit"])
    assert list(table["at_bound"].astype(object).where(table["at_bound"].notna(), None)) == [
        None if flag == "" else flag == "True" for flag in expected["at_bound"].astype(str)]
    assert back.statistics() and back.report()


def test_a_saved_result_cannot_name_code_outside_redoxmap():
    data = _capacity_rise().to_dict()
    data["type"] = "os:system"
    with pytest.raises(RedoxmapError, match="redoxmap.s own types"):
        redoxmap.load_result(data)
    with pytest.raises(RedoxmapError, match="not a saved redoxmap result"):
        redoxmap.load_result({"type": "x"})


def test_a_study_result_shows_itself_in_a_line(virtual_study):
    _, result = virtual_study
    text = repr(result)
    assert len(text) < 400 and "samples" in text and "cycling" in text
    assert "StudyResult" in result._repr_html_()


def test_summary_gives_plain_values(result):
    """``summary()`` has one meaning on every result: its figures as plain values (name -> number or text)."""
    values = result.summary()
    assert values and all(isinstance(key, str) for key in values)
    name = str(result.parameter_table()["parameter"].iloc[0])
    assert any(key.startswith(name.split("(")[0][:6]) for key in values) or "chi_square" in str(values)
    assert not any(type(v).__module__ == "numpy" for v in values.values())
