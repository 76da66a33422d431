"""What a reader sees in a report's tables and micrographs: headers in words with units, cycles as
whole numbers, value ± error in one column, and a scale bar of a round length."""

from __future__ import annotations

import numpy as np
import pandas as pd

from redoxmap.formatting import readable_header, value_error_table
from redoxmap.report.elements import display_table


def test_headers_are_words_with_their_units():
    assert readable_header("discharge_capacity_mAh_g") == "Discharge capacity (mAh/g)"
    assert readable_header("c_A") == "c (Å)"  # a lattice constant in the project's tables
    assert readable_header("temperature_C") == "Temperature (°C)"
    assert readable_header("R_1_ohm") == "R1 (Ω)"
    assert readable_header("coulombic_efficiency_pct") == "Coulombic efficiency (%)"
    assert readable_header("dqdv_mAh_g_V") == "dQ/dV (mAh/g/V)"
    assert readable_header("sample") == "Sample"


def test_cycles_are_whole_numbers_and_errors_share_a_column():
    frame = pd.DataFrame({"sample": ["a", "b"], "n90": [12.0, 7.912], "n90_stderr": [np.nan, 3.2],
                          "capacity_mAh_g": [221.73, 285.41], "capacity_mAh_g_stderr": [2.217, 2.854]})
    shown = value_error_table(frame)
    assert list(shown["n90"]) == ["12", "8 ± 3"]
    assert list(shown.columns) == ["sample", "n90", "capacity_mAh_g"]
    assert shown["capacity_mAh_g"].iloc[0] == "221.7 ± 2.2"
    html = display_table(frame)
    assert "<th>n90 (cycles)</th>" in html and "<th>Capacity (mAh/g)</th>" in html


def test_a_segmentation_carries_a_scale_bar_of_a_round_length():
    """300 px of 50 nm are 15 µm: a fifth is 3 µm, so the bar is 2 µm, 40 px long."""
    import matplotlib

    matplotlib.use("Agg")
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    from redoxmap.sem.segment import Segmentation

    labels = np.zeros((200, 300), dtype=int)
    labels[50:150, 100:200] = 1
    ax = Segmentation(labels, ("void", "cathode"), "test").plot(pixel_nm=50)
    bars = [a for a in ax.artists if isinstance(a, AnchoredSizeBar)]
    assert len(bars) == 1
    assert bars[0].txt_label.get_text() == "2 µm"
    rectangle = bars[0].size_bar.get_children()[0]
    assert rectangle.get_width() == 40
