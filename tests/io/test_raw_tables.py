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


def test_the_largest_magnitude_ignores_what_is_not_a_number():
    """What refuse_implausible reports and compares with its limit, by hand: NaN and infinities left out."""
    import pytest

    from redoxmap.errors import FormatError
    from redoxmap.io.raw import refuse_implausible

    cases = {(): 0.0, (np.nan,): 0.0, (1.0, -3.0, np.nan): 3.0, (np.inf, 2.0): 2.0, (-np.inf, np.nan, 5.0): 5.0,
             (-0.0,): 0.0, (2.5, -7.5, 1e-3): 7.5}
    for values, largest in cases.items():
        assert refuse_implausible(np.array(values, dtype=float), 10.0, "x (V)", Path("x.csv")) == largest
    assert refuse_implausible(np.array([[1.0, -4.0], [np.nan, 2.0]]), 10.0, "x (V)", Path("x.csv")) == 4.0  # 2-D
    with pytest.raises(FormatError, match="x \\(V\\) reaches 1e\\+308"):
        refuse_implausible(np.array([1.0, 1e308, np.inf]), 10.0, "x (V)", Path("x.csv"))
