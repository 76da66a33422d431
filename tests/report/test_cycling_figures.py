"""The cycling figures that compare cells draw from each cell's summary, not its whole analysis."""

from __future__ import annotations

import pickle

import numpy as np

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
