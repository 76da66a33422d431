"""The table every cycler reader returns: one DataFrame per file, sharing nothing another can change."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from redoxmap.io.raw import RawCycling, checked


def _table(values):
    columns = {"time_s": np.arange(3.0), "voltage_V": np.full(3, values), "current_A": np.full(3, 0.1)}
    return checked(RawCycling(columns, instrument="X", reader="x", source_file=Path("x.csv"))).table


def test_tables_of_the_same_columns_do_not_share_their_column_labels():
    first, second = _table(3.0), _table(3.5)
    first.columns.name = "renamed"
    assert second.columns.name is None and _table(4.0).columns.name is None
    assert list(second.columns) == ["time_s", "voltage_V", "current_A"]
    np.testing.assert_array_equal(second["voltage_V"], [3.5, 3.5, 3.5])
