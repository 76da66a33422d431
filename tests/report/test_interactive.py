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
    capacity_figure,
    write_plotly,
)


def test_capacity_traces_hold_each_cells_capacities_with_gaps_as_null():
    summary = pd.DataFrame({"cycle": [0, 1, 2, 3], "discharge_capacity_mAh_g": [np.nan, 150.0, np.nan, 152.5],
                            "charge_capacity_mAh_g": [10.0, 160.0, 158.0, 157.0]})
    cell = SimpleNamespace(name="cell A", summary=summary, metadata=SimpleNamespace(active_mass_mg=4.0))
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
