"""What users hold shows itself in a notebook: ``plot(ax=None)`` draws the data it holds (checked
against the arrays, not against redoxmap's own numbers), and the HTML view is a compact summary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from redoxmap.cycling import dqdv, from_records
from redoxmap.eis import kramers_kronig, read_impedance
from redoxmap.errors import DataWarning
from redoxmap.xas import normalize

IMPEDANCE_PY = ("xrd_eis", "ECSHackWeek+impedance.py", "data")


@pytest.fixture(autouse=True)
def _agg():
    import matplotlib

    matplotlib.use("Agg")


def _axes():
    from matplotlib.figure import Figure

    return Figure().subplots()


def test_an_impedance_spectrum_draws_its_nyquist_plot(data):
    """impedance.py's exampleData.csv: the plotted points are its columns (Z', -Z'')."""
    csv = np.loadtxt(data.joinpath(*IMPEDANCE_PY, "exampleData.csv"), delimiter=",")
    spectrum = read_impedance(data.joinpath(*IMPEDANCE_PY, "exampleData.csv"))[0]
    ax = spectrum.plot(ax=_axes())
    x, y = ax.lines[0].get_data()
    order = np.argsort(-csv[:, 0])
    assert np.allclose(x, csv[order, 1]) and np.allclose(y, -csv[order, 2])
    html = spectrum._repr_html_()
    assert "exampleData.csv" in html and f"{len(csv)}" in html and len(html) < 2000
    assert "array" not in repr(spectrum)  # the arrays stay out of the repr


def test_a_kramers_kronig_result_draws_its_residuals_in_percent(data):
    spectrum = read_impedance(data.joinpath(*IMPEDANCE_PY, "exampleData.csv"))[0]
    result = kramers_kronig(spectrum.frequency_Hz, spectrum.z_ohm)
    ax = result.plot(ax=_axes())
    assert np.allclose(ax.lines[0].get_ydata(), 100 * result.residual_real)
    assert "valid" in result._repr_html_()


def test_a_normalisation_draws_its_spectrum_and_keeps_a_short_repr():
    """An arctangent edge at 6550 eV."""
    energy = np.linspace(6450, 6750, 601)
    mu = 0.2 + 1.0 * (0.5 + np.arctan((energy - 6550) / 2) / np.pi)
    result = normalize(energy, mu, edge="Mn-K")
    ax = result.plot(ax=_axes())
    assert np.allclose(ax.lines[0].get_xdata(), result.energy)
    assert abs(result.e0 - 6550) < 1.0 and "E0 (eV)" in result._repr_html_()
    assert len(repr(result)) < 300  # was 7,900 characters of arrays


def test_a_dqdv_result_draws_each_half_cycle():
    """A 1 mA charge whose plateau (steepest capacity per volt) sits at 3.2 V: dQ/dV peaks there."""
    time_s = np.arange(0, 3600.0, 5.0)
    capacity = time_s / 3600
    voltage = 3.2 + 4.0 * (capacity - 0.5) ** 3 + 0.02 * (capacity - 0.5)  # flattest (dV/dQ 0.02 V/mAh) at 3.2 V
    with pytest.warns(DataWarning, match="no active mass"):
        table = from_records(pd.DataFrame({"time_s": time_s, "voltage_V": voltage, "current_A": 1e-3}))
    result = dqdv(table)
    ax = result.plot(ax=_axes())
    x, y = ax.lines[0].get_data()
    assert abs(x[np.nanargmax(y)] - 3.2) < 0.03
    assert "half cycles" in result._repr_html_() and "half cycles" in repr(result)


def test_the_activation_map_view_names_samples_and_shows_the_first_rows(demo_run):
    import redoxmap

    folder, _ = demo_run
    amap = redoxmap.study.ActivationMap.read(folder / "virtual" / "report" / "tables" / "activation_map.nc")
    html = amap._repr_html_()
    assert "<b>virtual LLO-30</b>" in html
    assert html.count("<tr>") <= 22 and f"of {len(amap.table())} numbers shown" in html


def test_a_cycling_table_draws_voltage_against_specific_capacity_per_half_cycle(data):
    """The drawn charge of cycle 1 is the table's own rows, capacity in mAh/g from the mass given."""
    from redoxmap import read_cycling

    table = read_cycling(data / "echem" / "NewareNDA" / "test_2.ndax", active_mass_mg=4.0)
    ax = table.cycling.plot(ax=_axes(), cycles=[1])
    rows = table[(table["cycle"] == 1) & (table["state"] == "charge")]
    x, y = ax.lines[0].get_data()
    assert np.allclose(x, rows["capacity_Ah"] * 1000 / 0.004) and np.allclose(y, rows["voltage_V"])
    assert "g$^{-1}$" in ax.get_xlabel() and table.cycling.summary()["records"] == len(table)
    assert len(table.cycling._repr_html_()) < 2000
    with pytest.raises(Exception, match="not in the table"):
        table.cycling.plot(ax=_axes(), cycles=[999])


def test_an_xps_spectrum_draws_on_a_falling_binding_energy_axis(data):
    from redoxmap.xps import read_xps

    spectrum = read_xps(data / "xps" / "FAIRmat-NFDI+pynxtools-xps" / "tests" / "data" / "vms_analysis"
                        / "FeO_analyzed.vms")[0]
    ax = spectrum.plot(ax=_axes())
    assert ax.xaxis_inverted() and np.allclose(ax.lines[0].get_ydata(), spectrum.intensity_cps)
    assert "Fe 2p" in spectrum._repr_html_()
