"""Capacity by voltage region against exact synthetic values and the reference windows."""

from __future__ import annotations

import numpy as np
import pytest

from redoxmap.cycling import DEFAULT_REGIONS, from_records, region_capacities, regions_from_bounds
from redoxmap.errors import AnalysisError, DataWarning
from tests.cycling.synthetic import Protocol


def test_reference_regions_on_linear_charge():
    # 1 mA for 3 h while the voltage rises linearly from 3.4 to 4.7 V: the charge in each
    # window is proportional to the window's share of the voltage span.
    p = Protocol(dt=1.0).cc(1e-3, 3.0, 3.4, 4.7).cc(-1e-3, 3.0, 4.7, 3.4)
    table = from_records(p.frame(), active_mass_mg=10.0)
    got = region_capacities(table, directions=["charge"]).set_index("region")["capacity_mAh"]
    span = 4.7 - 3.4
    expected = {"I": 3.0 * (3.9 - 3.4) / span, "II": 3.0 * 0.5 / span, "III": 3.0 * 0.3 / span}
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, rel=2e-3)
    assert [r.name for r in DEFAULT_REGIONS] == ["I", "II", "III"]


def test_fractions_sum_to_100_and_specific_capacity():
    p = Protocol().cc(1e-3, 2.0, 3.0, 4.6).cc(-1e-3, 2.0, 4.6, 3.0)
    frame = region_capacities(from_records(p.frame(), active_mass_mg=8.0))
    sums = frame.groupby("half_cycle")["fraction_pct"].sum()
    np.testing.assert_allclose(sums, 100.0)
    np.testing.assert_allclose(frame["capacity_mAh_g"], frame["capacity_mAh"] / 0.008)


def test_custom_bounds_and_errors():
    regions = regions_from_bounds([3.5, 4.0, 4.3], ["a", "b", "c", "d"])
    assert [(r.low_V, r.high_V) for r in regions][1] == (3.5, 4.0)
    with pytest.raises(AnalysisError):
        regions_from_bounds([3.9], ["only-one"])
    overlapping = [regions[0], regions[1], type(regions[0])("x", 3.8, 4.2)]
    p = Protocol().cc(1e-3, 1.0, 3.0, 4.5)
    with pytest.raises(AnalysisError, match="overlap"):
        region_capacities(from_records(p.frame(), active_mass_mg=1.0), regions=overlapping)


def test_a_record_without_the_asked_direction_is_refused_by_name(data):
    """yadg's chronopotentiometry (.mpr, 121 discharge records) asked for charge: a redoxmap error naming
    the file and what it holds; asked for discharge, all of its charge (3.30e-3 mAh by the trapezoid
    rule over the file's own current and time, computed here) falls in region I (below 3.9 V)."""
    import warnings

    from redoxmap import read_cycling

    path = data / "echem" / "yadg" / "cp.mpr"
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", ".*no active mass given", DataWarning)  # the file carries no mass
        table = read_cycling(path)
    with pytest.raises(AnalysisError, match=r"cp\.mpr.*no charge records.*121 discharge"):
        region_capacities(table, directions=["charge"])
    frame = region_capacities(table, directions=["discharge"]).set_index("region")
    t, i = table["time_s"].to_numpy(), table["current_A"].to_numpy()
    expected_mAh = -np.sum(0.5 * (i[1:] + i[:-1]) * np.diff(t)) / 3.6
    assert frame.loc["I", "capacity_mAh"] == pytest.approx(expected_mAh, rel=1e-2)
    assert frame.loc["II", "capacity_mAh"] == 0 and frame.loc["III", "capacity_mAh"] == 0

