"""Time columns written as durations, numbers or date-times become seconds (hand-computed values)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from redoxmap.io.labels import to_seconds


def test_durations_numbers_and_junk():
    values = pd.Series(["0d 00:00:0", "0d 00:00:5.05", "1d 02:03:04.5", "12:00:00", " 3 d 00:01:00 ", "17.25",
                        "not a time", None, "1:2:3"])
    expected = [0.0, 5.05, 86400 + 7200 + 180 + 4.5, 43200.0, 3 * 86400 + 60.0, 17.25, np.nan, np.nan, 3723.0]
    np.testing.assert_array_equal(to_seconds(values), expected)


def test_numeric_and_date_time_columns():
    np.testing.assert_array_equal(to_seconds(pd.Series([0, 1.5, 3])), [0.0, 1.5, 3.0])
    stamps = pd.Series(["2024-01-01 10:00:00", "2024-01-01 10:00:30", "2024-01-01 11:00:00"])
    np.testing.assert_array_equal(to_seconds(stamps), [0.0, 30.0, 3600.0])


def test_a_column_of_durations_only():
    """Every value a duration (the columns of Maccor exports): split at colons, not captured by a regex."""
    values = pd.Series(["0d 00:00:0", "0d 00:00:5.05", "1d 02:03:04.5", "12:00:00", " 3 d 00:01:00 ", "1:2:3.",
                        "100:59:59.999"])
    expected = [0.0, 5.05, 86400 + 7200 + 180 + 4.5, 43200.0, 3 * 86400 + 60.0, 3723.0, 100 * 3600 + 3599.999]
    np.testing.assert_allclose(to_seconds(values), expected, rtol=0, atol=1e-9)
    with_junk = to_seconds(pd.concat([values, pd.Series(["junk"])], ignore_index=True))
    np.testing.assert_array_equal(to_seconds(values), with_junk[:-1])  # both ways give the same numbers
    with_gap = to_seconds(pd.Series(["0d 00:00:1", None, "0d 00:00:3"], dtype="str"))  # a missing value: NaN
    np.testing.assert_array_equal(with_gap, [1.0, np.nan, 3.0])
