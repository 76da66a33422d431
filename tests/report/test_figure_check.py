"""Figure QA: clipped text and legends over data are found on figures built to have them, and no figure
of the demo's two reports has either."""

from __future__ import annotations

import json

import numpy as np
import pytest

from redoxmap.report.figure_check import figure_problems
from redoxmap.report.style import FigureFactory, figure_style, legend_below


def _figure():
    fig, ax = FigureFactory().subplots(figsize=(3, 2), layout="constrained")
    x = np.linspace(0, 1, 200)
    ax.plot(x, x, label="rising")
    ax.plot(x, 1 - x, label="falling")
    return fig, ax


@pytest.mark.filterwarnings("ignore:constrained_layout not applied")  # the title is made too long on purpose
def test_a_legend_over_the_data_and_a_title_past_the_edge_are_found():
    fig, ax = _figure()
    ax.legend(loc="center")  # both lines cross the centre
    ax.set_title("a title far longer than a figure three inches wide can hold " * 2, loc="left")
    problems = figure_problems(fig)
    assert any("covers" in p for p in problems)
    assert any("cut by the figure's edge" in p and "a title" in p for p in problems)


def test_a_clean_figure_passes_and_ticks_beyond_the_limits_do_not_count():
    """Matplotlib keeps tick labels outside the view limits (-0.25, 1.25 here; 1e-8 on a log axis) without
    drawing them."""
    fig, ax = _figure()
    legend_below(fig, ax)
    assert figure_problems(fig) == []
    fig, ax = FigureFactory().subplots(figsize=(3, 2), layout="constrained")
    tau = np.logspace(-6.2, 3, 100)
    ax.semilogx(tau, np.exp(-np.log10(tau) ** 2))
    assert figure_problems(fig) == []


def test_no_figure_of_the_demo_reports_is_clipped_or_covered(demo_run):
    """Every figure of both demo reports; the virtual study's cells have pages of their own, whose figures the
    browser draws, so their Matplotlib versions (``--print-figures``) are checked on the demo's real cycler files
    below."""
    folder, _ = demo_run
    for report in (folder / "report", folder / "virtual" / "report"):
        summary = json.loads((report / "report.json").read_text())
        problems = {k: v for s in summary["sections"] for k, v in s["figure_problems"].items()}
        assert problems == {}, report
        assert sum(len(s["figures"]) for s in summary["sections"]) > 20


def test_no_cell_figure_of_the_demos_real_cycler_files_is_clipped_or_covered(quiet):
    """The four figures of a cell's own page, as ``--print-figures`` draws them, for each real cycler file of the
    demo (Neware, Maccor, Arbin, LAND/BDF), with and without a mass."""
    from redoxmap.cycling import read_cycling
    from redoxmap.report import cycling_figures as figs
    from redoxmap.resources import demo_source
    from redoxmap.study.analyses.cycling import analyze_cycling

    draws = (figs.voltage_profile_figure, figs.dqdv_figure, figs.regions_figure, figs.peak_tracking_figure)
    for k, path in enumerate(sorted((demo_source() / "cycling").iterdir())):
        analysis = analyze_cycling(read_cycling(path, active_mass_mg=5.0 if k % 2 else None), keep_rows="profiles")
        with figure_style() as plt:  # the report's style and layout
            for draw in draws:
                assert figure_problems(draw(plt, analysis)) == [], (path.name, draw.__name__)


def test_a_legend_over_bars_or_over_a_micrograph_is_found():
    fig, ax = FigureFactory().subplots(figsize=(3, 2), layout="constrained")
    ax.bar(np.arange(8), np.full(8, 5.0), label="share")
    ax.legend(loc="upper center")  # over the tops of the middle bars
    assert any("covers" in p for p in figure_problems(fig))
    fig, ax = FigureFactory().subplots(figsize=(4, 4), layout="constrained")
    ax.imshow(np.random.default_rng(0).random((64, 64)))
    ax.plot([], [], label="phase A")
    ax.legend(loc="center")
    assert any("covers" in p for p in figure_problems(fig))
    legend_below(fig, ax)
    assert figure_problems(fig) == []


def test_a_log_axis_of_many_decades_gets_minor_ticks_at_2_and_5_only():
    """A Bode plot's seven decades: minor ticks at 2 and 5 of each decade (at most 16 in view with
    its margins, not 64); a log axis of
    half a decade keeps Matplotlib's labelled minor ticks, and an axis given its own minor ticks keeps them."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.ticker import NullLocator

    from redoxmap.report.style import lighter_log_ticks

    fig, (bode, short, own) = plt.subplots(1, 3, figsize=(15, 3))
    bode.loglog(np.logspace(-3, 4, 50), np.linspace(1, 2, 50))
    short.semilogy([0, 1], [0.02, 0.05])
    own.semilogx(np.logspace(-3, 4, 50), np.ones(50))
    own.xaxis.set_minor_locator(NullLocator())
    before = short.yaxis.get_minor_locator()
    lighter_log_ticks(fig)
    low, high = bode.get_xlim()
    minor = [t for t in bode.xaxis.get_minor_locator()() if low <= t <= high]
    assert len(minor) <= 2 * 8 and {round(t / 10 ** np.floor(np.log10(t)), 6) for t in minor} == {2.0, 5.0}
    assert short.yaxis.get_minor_locator() is before
    assert isinstance(own.xaxis.get_minor_locator(), NullLocator)
    plt.close(fig)
