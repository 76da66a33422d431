"""Interactive figures: the traces hold the numbers they are built from, JSON cannot close the page's
markup, and plotly.js is written once beside the pages."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd

from redoxmap.report.interactive import (
    PLOTLY_ASSET,
    InteractiveFigure,
    bode_figure,
    map_figure,
    write_plotly,
    xas_spectra_figure,
)
from redoxmap.report.interactive_cycling import capacity_figure


def test_capacity_traces_hold_each_cells_capacities_with_gaps_as_null():
    summary = pd.DataFrame({"cycle": [0, 1, 2, 3], "discharge_capacity_mAh_g": [np.nan, 150.0, np.nan, 152.5],
                            "charge_capacity_mAh_g": [10.0, 160.0, 158.0, 157.0]})
    cell = SimpleNamespace(name="cell A", per_cycle=summary, metadata=SimpleNamespace(active_mass_mg=4.0))
    figure = capacity_figure([cell])
    discharge, charge = figure.spec["data"]
    assert discharge["x"] == [1.0, 2.0, 3.0] and discharge["y"] == [150.0, None, 152.5]  # cycle 0 left out
    assert charge["y"] == [160.0, 158.0, 157.0] and charge["line"]["dash"] == "dot"
    assert "mAh/g" in figure.spec["layout"]["yaxis"]["title"]["text"]
    json.loads(figure.json)  # valid JSON, without NaN


def test_a_name_cannot_close_the_script():
    figure = InteractiveFigure("x", "t", "c", {"data": [{"name": "</script><b>"}], "layout": {}})
    assert "</script>" not in figure.json and json.loads(figure.json)["data"][0]["name"] == "</script><b>"


def test_plotly_is_written_once(tmp_path):
    assert write_plotly(tmp_path) == PLOTLY_ASSET
    first = (tmp_path / PLOTLY_ASSET).stat().st_mtime_ns
    write_plotly(tmp_path)
    assert (tmp_path / PLOTLY_ASSET).stat().st_mtime_ns == first
    assert (tmp_path / PLOTLY_ASSET).stat().st_size > 1_000_000


def test_bode_traces_hold_modulus_and_phase_of_each_spectrum():
    frequency = np.array([1e4, 1e2, 1.0])
    z = np.array([10 - 1j, 20 - 10j, 40 - 30j])  # |Z| 10.05, 22.36, 50; −phase 5.71°, 26.57°, 36.87°
    fit = SimpleNamespace(label="OCV", frequency_Hz=frequency, z_data=z, z_fit=z * 1.01)
    figure = bode_figure(SimpleNamespace(name="cell", fits=[fit]), 1)
    modulus, phase = figure.spec["data"][:2]
    assert np.allclose(modulus["y"], [np.hypot(10, 1), np.hypot(20, 10), 50.0])
    assert np.allclose(phase["y"], [5.7106, 26.5651, 36.8699], atol=1e-4) and phase["yaxis"] == "y2"
    assert figure.spec["layout"]["xaxis"]["type"] == "log"


def test_xas_spectra_carry_their_fit_in_the_same_legend_group():
    energy = np.linspace(8330, 8370, 41)
    spectra = {("Ni K", "tfy", "pristine"): (energy, np.tanh(energy - 8345)),
               ("Ni K", "tfy", "charged"): (energy, np.tanh(energy - 8347))}
    fit = SimpleNamespace(energy=energy[10:30], fit=np.zeros(20))
    analysis = SimpleNamespace(name="A", spectra=spectra, fits={("Ni K", "tfy", "charged"): fit})
    traces = xas_spectra_figure([analysis], "Ni K", "tfy", 1).spec["data"]
    assert [t["name"] for t in traces] == ["A: pristine", "A: charged", "A: charged: LCF fit"]
    assert traces[2]["legendgroup"] == traces[1]["legendgroup"] and len(traces[2]["x"]) == 20


def test_map_cells_show_value_and_error_and_mark_what_was_not_measured():
    import xarray as xr

    values = np.array([[[0.10, np.nan], [0.30, 0.12]]])  # sample × state × probe
    errors = np.full_like(values, 0.02)
    ds = xr.Dataset({"r": (("sample", "state", "probe"), values), "r_stderr": (("sample", "state", "probe"), errors)},
                    coords={"sample": ["A"], "state": ["OCV", "charged"], "probe": ["surface", "bulk"]})
    figure = map_figure(SimpleNamespace(dataset=ds))
    heat = figure.spec["data"][0]
    assert heat["x"] == ["OCV · surface", "charged · surface", "charged · bulk"]  # OCV bulk: no sample has it
    assert heat["text"] == [["0.100 ± 0.020", "0.300 ± 0.020", "0.120 ± 0.020"]]
    assert heat["z"] == [[0.0, 1.0, 0.1]] or np.allclose(heat["z"], [[0.0, 1.0, 0.1]])


def test_map_colours_share_one_scale_per_quantity_across_samples():
    """Sample B's r of 0.2 is light beside A's 0.4: one scale per quantity, not per row."""
    import xarray as xr

    values = np.array([[[0.0, 0.4]], [[0.1, 0.2]]])  # sample × state × probe
    ds = xr.Dataset({"r": (("sample", "state", "probe"), values),
                     "r_stderr": (("sample", "state", "probe"), np.full_like(values, 0.02))},
                    coords={"sample": ["A", "B"], "state": ["charge 1"], "probe": ["surface", "bulk"]})
    heat = map_figure(SimpleNamespace(dataset=ds)).spec["data"][0]
    assert np.allclose(heat["z"], [[0.0, 1.0], [0.25, 0.5]])
