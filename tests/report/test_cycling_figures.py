"""The cycling figures that compare cells draw from each cell's summary, not its whole analysis."""

from __future__ import annotations

import pickle
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from redoxmap.cycling import read_cycling
from redoxmap.report import cycling_figures as figs
from redoxmap.study.analyses.cycling import analyze_cycling


def _lines(figure) -> list[tuple]:
    return [(line.get_label(), line.get_xdata().tolist(), np.asarray(line.get_ydata(), float).round(9).tolist())
            for ax in figure.axes for line in ax.get_lines()]


def test_figures_comparing_cells_draw_the_same_from_the_summaries(echem, quiet):
    """Truth: the same figure drawn from the whole analyses of a real Neware file (108k rows). The summary that
    goes to the figure pool instead is a small part of the analysis's pickle (its rows and dQ/dV stay home)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    analysis = analyze_cycling(read_cycling(echem / "NewareNDA" / "test_2.ndax", active_mass_mg=5.0))
    summary = analysis.summary()
    assert summary.name == analysis.name and summary.capacity_rise is analysis.capacity_rise
    assert len(pickle.dumps(summary)) < len(pickle.dumps(analysis)) / 10
    for draw in (figs.capacity_figure, figs.capacity_rise_figure):
        whole, slim = draw(plt, [analysis]), draw(plt, [summary])
        assert _lines(slim) == _lines(whole) and len(_lines(whole)) >= 2
        plt.close(whole)
        plt.close(slim)


def test_a_cells_region_stack_and_profiles_add_up_to_its_capacities(echem, quiet):
    """Truth: the cycler's own per-cycle charge capacity (the analysis's ``per_cycle`` table, summed from the
    current, not from the regions or the profile rows): the regions of a cycle's charge add up to it, and the last
    point of each profile charge reaches it (in mAh/g, not mAh), on a real Neware file (108k rows) and an Arbin
    export."""
    for path in (echem / "NewareNDA" / "test_2.ndax", echem / "battery-data-toolkit" / "arbin_example.csv"):
        analysis = analyze_cycling(read_cycling(path, active_mass_mg=5.0), keep_rows="profiles")
        per_cycle = analysis.per_cycle.set_index("cycle")
        stack, labels = figs.region_stack(analysis)
        assert list(stack.columns) == list(dict.fromkeys(analysis.regions["region"]))
        assert len(labels) == stack.shape[1] and all(label.endswith(" V") for label in labels)
        assert stack.index.is_monotonic_increasing and len(stack) <= 60
        np.testing.assert_allclose(stack.sum(axis=1), per_cycle.loc[stack.index, "charge_capacity_mAh_g"],
                                   rtol=1e-9, atol=1e-9)
        charges = {}
        for cycle, capacity, voltage in figs.profile_curves(analysis):
            assert len(capacity) == len(voltage) > 1 and cycle in analysis.profile_cycles
            charges.setdefault(cycle, []).append(capacity)
        assert sorted(charges) == sorted(analysis.profile_cycles)
        for cycle, curves in charges.items():
            ends = [np.nanmax(np.abs(q)) for q in curves]
            # the profile's last logged point; the cycle's capacity is counted to the step's end (0.04 % more here)
            assert np.isclose(ends, per_cycle.loc[cycle, "charge_capacity_mAh_g"], rtol=2e-3).any()


def test_the_capacity_rise_of_many_cells_has_one_legend_below(echem, quiet):
    """A campaign's capacity-rise figure: no legend inside the axes (one redrawn for every cell made the figure
    quadratic in its cells), one below it that counts the cells it cannot list, and every cell drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    from redoxmap.report.style import LEGEND_ENTRIES

    summary = analyze_cycling(read_cycling(echem / "NewareNDA" / "test_2.ndax", active_mass_mg=5.0)).summary()
    cells = 3 * LEGEND_ENTRIES
    named = [replace(summary, capacity_rise=replace(summary.capacity_rise, name=f"cell {k}")) for k in range(cells)]
    legends_inside = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Axes, "legend", lambda *args, **kwargs: legends_inside.append(args))
        figure = figs.capacity_rise_figure(plt, named)
    assert legends_inside == []
    (ax,) = figure.axes
    assert ax.get_legend() is None and len(figure.legends) == 1
    texts = [t.get_text() for t in figure.legends[0].get_texts()]
    assert len(texts) == LEGEND_ENTRIES and texts[-1] == f"and {cells - LEGEND_ENTRIES + 1} more cells"
    assert len(ax.get_lines()) == 2 * cells  # its capacities and its fitted law, for each cell
    plt.close(figure)


def test_a_region_stack_keeps_the_analysis_order_of_regions_and_their_sums():
    """Hand-made truth: regions listed high, low, mid (not alphabetical), two rows of one region in a cycle (summed),
    a missing capacity (counted as none), a region absent from a cycle (empty), cycles listed out of order."""
    regions = pd.DataFrame({
        "cycle": [2, 2, 2, 1, 1, 1, 1],
        "direction": ["charge"] * 6 + ["discharge"],
        "region": ["high", "low", "mid", "high", "low", "low", "mid"],
        "low_V": [4.4, -np.inf, 3.9, 4.4, -np.inf, -np.inf, 3.9],
        "high_V": [np.inf, 3.9, 4.4, np.inf, 3.9, 3.9, 4.4],
        "capacity_mAh_g": [5.0, 1.0, np.nan, 7.0, 2.0, 0.5, 9.0],
    })
    cell = SimpleNamespace(regions=regions, capacity_unit="mAh/g")
    stack, labels = figs.region_stack(cell)
    assert list(stack.columns) == ["high", "low", "mid"] and list(stack.index) == [1, 2]
    assert labels == ["high: 4.4– V", "low: –3.9 V", "mid: 3.9–4.4 V"]
    np.testing.assert_array_equal(stack.to_numpy(), [[7.0, 2.5, np.nan], [5.0, 1.0, 0.0]])
