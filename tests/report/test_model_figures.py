"""The held-out figure marks a prediction whose interval does not determine it instead of drawing its bar."""

from __future__ import annotations

import pandas as pd

from redoxmap.report.model_figures import held_out_figure


def test_an_undetermined_interval_is_an_open_marker_not_a_bar_spanning_the_axis():
    """Truth by construction: the particle model's full refits gave 0.33 (0-467) for a measured 0.29 (issue 26);
    its bar would reach 1,600 times the measurement. The determined row keeps its bar."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    predictions = pd.DataFrame({"observation": ["r, 50 C, cycle 12", "r, 50 C, cycle 22"],
                                "measured": [0.29, 0.42], "measured_stderr": [0.02, 0.02],
                                "predicted": [0.33, 0.38], "low_95": [0.0, 0.1], "high_95": [467.0, 0.7],
                                "agrees": [False, True]})
    figure = held_out_figure(plt, predictions)
    ax = figure.axes[0]
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "predicted, interval not determined" in labels and "predicted (95 %)" in labels
    assert ax.get_ylim()[1] < 2.5  # the determined bar reaches 0.7 / 0.42 = 1.67; nothing reaches 467 / 0.29
    plt.close(figure)
