"""A campaign cell's page without ``--print-figures``: its figures drawn by the browser from the numbers in the
page. Truth: the analysis of a real Neware file (``test_2.ndax``, 108k rows, 54 cycles) read directly with pandas,
and the Matplotlib figures of the same cell; a study of seven real cycler files for the pages."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from redoxmap.cli import app
from redoxmap.cycling import read_cycling
from redoxmap.report import cycling_figures as figs
from redoxmap.report import interactive, interactive_cycling
from redoxmap.study.analyses.cycling import analyze_cycling
from tests.conftest import cells_study

MASS_MG = 5.0
WINDOWS = {"charge": {"A": [3.2, 3.45]}, "discharge": {"B": [3.0, 3.2]}}  # around test_2's 3.33 and 3.09 V peaks


@pytest.fixture(scope="module")
def cell(data):
    import warnings

    from redoxmap.errors import RedoxmapWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RedoxmapWarning)
        table = read_cycling(data / "echem" / "NewareNDA" / "test_2.ndax", active_mass_mg=MASS_MG)
        return analyze_cycling(table, peak_windows=WINDOWS, keep_rows="profiles")


def test_numbers_keep_six_significant_digits_each_and_gaps_become_null():
    assert interactive.numbers([3.14159265358979, 257.8, np.nan]) == [3.14159, 257.8, None]
    assert interactive.numbers([0.001234567, 1.0]) == [0.00123457, 1.0]
    assert interactive.numbers([123456789.0, -5.0]) == [123457000.0, -5.0]
    assert interactive.numbers([0.0, np.inf, 5e-320]) == [0.0, None, 5e-320]
    decades = np.logspace(-3.3, 4.2, 16)  # an impedance spectrum's frequencies: none may become 0 on a log axis
    assert interactive.numbers(decades) == pytest.approx(decades, rel=5e-6) and min(interactive.numbers(decades)) > 0
    thinned = interactive.numbers(np.arange(1000.0), limit=10)
    assert len(thinned) == 10 and thinned[0] == 0.0 and thinned[-1] == 999.0


def test_the_browser_profiles_are_each_half_cycle_in_mAh_per_g(cell):
    figure = interactive_cycling.voltage_profile_figure(cell, "p", "t", "c")
    traces = figure.spec["data"]
    rows = cell.table["cycle"].isin(cell.profile_cycles) & cell.table["state"].isin(["charge", "discharge"])
    table = cell.table[rows]
    assert len(traces) == table["half_cycle"].nunique() >= 2 * len(cell.profile_cycles) - 1
    first = table[table["half_cycle"] == table["half_cycle"].min()]
    q = first["capacity_Ah"].to_numpy() * 1000.0 / (MASS_MG / 1000.0)  # mAh/g by hand
    x, y = np.array(traces[0]["x"]), np.array(traces[0]["y"])
    assert len(x) == min(len(q), interactive_cycling.BROWSER_PROFILE_POINTS)
    assert x[0] == pytest.approx(q[0], rel=1e-5, abs=1e-4) and x[-1] == pytest.approx(q[-1], rel=1e-5)
    assert y[-1] == pytest.approx(first["voltage_V"].iloc[-1], abs=1e-5)
    assert [t["name"] for t in traces if t["showlegend"]] == [f"cycle {c}" for c in cell.profile_cycles]
    assert figure.printed and not figure.wide and "mAh/g" in figure.spec["layout"]["xaxis"]["title"]["text"]


def test_the_browser_regions_stack_each_regions_charge_per_cycle(cell):
    figure = interactive_cycling.regions_figure(cell, "r", "t", "c")
    bars = figure.spec["data"]
    assert [b["name"].split(":")[0] for b in bars] == ["I", "II", "III"]
    assert figure.spec["layout"]["barmode"] == "stack" and figure.spec["layout"]["legend"]["traceorder"] == "normal"
    charge = cell.regions[(cell.regions["direction"] == "charge") & (cell.regions["region"] == "II")]
    by_cycle = charge.groupby("cycle")["capacity_mAh_g"].sum()
    shown = dict(zip(bars[1]["x"], bars[1]["y"]))
    assert len(shown) == min(60, len(by_cycle))
    for cycle, value in list(by_cycle.items())[:60]:
        assert shown[float(cycle)] == pytest.approx(value, abs=1e-4 * max(1.0, by_cycle.abs().max()))


def test_the_browser_peaks_follow_the_tracks_of_two_cycles_or_more(cell):
    figure = interactive_cycling.peak_tracking_figure(cell, "k", "t", "c")
    counts = cell.peaks.groupby("track").size()
    tracked = counts[counts >= 2]
    traces = figure.spec["data"]
    assert len(traces) == 2 * min(6, len(tracked))
    top, bottom = traces[0], traces[1]
    rows = cell.peaks[cell.peaks["track"].astype(str) == top["name"]]
    assert len(rows) == tracked.max() and top["y"] == pytest.approx(rows["voltage_V"].to_numpy(), abs=1e-5)
    assert bottom["yaxis"] == "y2" and bottom["showlegend"] is False
    assert bottom["y"] == pytest.approx(rows["area"].to_numpy(), rel=1e-5, abs=1e-5 * rows["area"].abs().max())


def test_the_browser_dqdv_labels_the_peaks_the_static_figure_labels(cell):
    """Truth: the labels Matplotlib's dQ/dV figure of the same cell writes on its curves (charge above, discharge
    below the axis)."""
    from redoxmap.report.style import figure_style

    with figure_style() as plt:
        static = figs.dqdv_figure(plt, cell)
    written = sorted((t.get_text(), round(t.xy[0], 4), round(t.xy[1], 1)) for t in static.axes[0].texts)
    figure = interactive_cycling.dqdv_figure(cell, "d", "t", "c")
    labels = sorted((a["text"], round(a["x"], 4), round(a["y"], 1)) for a in figure.spec["layout"]["annotations"])
    assert labels == written and {label for label, *_ in labels} == {"A", "B"}
    assert next(a for a in figure.spec["layout"]["annotations"] if a["text"] == "B")["y"] < 0
    shown = [t["name"] for t in figure.spec["data"] if t["showlegend"]]
    assert shown == [f"cycle {c}" for c in cell.profile_cycles]  # one entry a cycle, toggling both halves


def test_a_campaigns_cell_pages_are_drawn_by_the_browser_unless_print_figures(tmp_path):
    """Seven cells give each its own page: by default its five figures are Plotly specifications in the page, shown
    when it is printed, and no cell figure is drawn; with ``--print-figures`` Matplotlib draws its four as before."""
    study = cells_study(tmp_path, 7).parent
    runner = CliRunner()
    result = runner.invoke(app, ["report", str(study), "--no-progress", "--no-store", "--workers", "1"])
    assert result.exit_code == 0, result.output
    report = study / "report"
    page = (report / "cycling-3.html").read_text()
    kinds = ("capacity", "profiles", "dqdv", "regions", "peaks")
    assert all(f'id="fig-cycling_cell3_{kind}" class="' in page for kind in kinds)
    assert page.count('interactive printed"') == 5 and 'class="wide interactive printed"' in page  # the dQ/dV
    assert "drawn by your browser" in page and "assets/plotly.min.js" in page
    assert not list((report / "figures").glob("cycling_cell*"))
    recorded = json.loads((report / "report.json").read_text())
    assert not any(s["figures"] for s in recorded["sections"] if s["id"].startswith("cycling-"))
    section = (report / "cycling.html").read_text()
    assert "drawn by your browser" not in section and 'id="fig-cycling_capacity"' in section

    result = runner.invoke(app, ["report", str(study), "--no-progress", "--no-store", "--workers", "1",
                                 "--print-figures"])
    assert result.exit_code == 0, result.output
    page = (report / "cycling-3.html").read_text()
    assert all(f'id="fig-cycling_cell3_{kind}"' in page for kind in ("profiles", "dqdv", "regions", "peaks"))
    assert (report / "figures" / "cycling_cell3_profiles.svg").is_file() and 'interactive printed"' not in page
    assert 'id="fig-cycling_cell3_dqdv_interactive" class="wide interactive"' in page
