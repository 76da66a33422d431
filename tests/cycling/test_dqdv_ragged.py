"""dQ/dV keeps each half cycle on its own stretch of the grid: storage grows with what the half cycles
cover, not with half cycles x grid; every stretch still integrates to its half cycle's charge."""

from __future__ import annotations

import numpy as np
import pandas as pd

from redoxmap.cycling import from_records
from redoxmap.cycling.differential import dqdv


def _pulsed_cell(pulses: int = 400):
    """One full charge from 3.0 to 4.5 V (1 mA, 1 h), then short pulses of 1 mA for 36 s (0.01 mAh) that
    each move the voltage by 10 mV around 4.0 V."""
    t = np.linspace(0, 3600, 1801)
    frames = [pd.DataFrame({"time_s": t, "voltage_V": np.linspace(3.0, 4.5, t.size), "current_A": 1e-3})]
    clock = t[-1] + 60
    for k in range(pulses):
        step = np.linspace(0, 36, 10)
        sign = -1.0 if k % 2 == 0 else 1.0
        frames.append(pd.DataFrame({"time_s": clock + step, "voltage_V": 4.0 + sign * (0.005 - step / 3600),
                                    "current_A": sign * 1e-3}))
        clock += 96
    return from_records(pd.concat(frames, ignore_index=True), active_mass_mg=10.0)


def test_short_half_cycles_take_short_stretches():
    table = _pulsed_cell()
    result = dqdv(table, exclude_cv=False)
    n_half, n_bins = len(result.half_cycles), len(result.voltage_V)
    widths = result.windows[:, 1] - result.windows[:, 0]
    assert n_half == 401 and widths[0] > 0.9 * n_bins  # the full charge spans the grid
    assert widths[1:].max() < 0.1 * n_bins  # a pulse's stretch: its 10 mV and the kernel's reach (2 x 8 bins)
    assert result.values.size < 0.1 * n_half * n_bins
    # Each row integrates to its half cycle's charge (1 mA for 1 h: 100 mAh/g with 10 mg; a pulse 1 mAh/g).
    step = result.parameters["voltage_step_V"]
    integrals = np.array([np.abs(result.row(k)).sum() * step for k in range(n_half)])
    np.testing.assert_allclose(integrals[0], 100.0, rtol=2e-3)
    np.testing.assert_allclose(integrals[1:], 1.0, rtol=0.15)  # 9 of 10 intervals of a 10-point pulse


def test_rows_frames_and_selections_agree():
    result = dqdv(_pulsed_cell(20), exclude_cv=False)
    dense = result.dqdv
    assert dense.shape == (len(result.half_cycles), len(result.voltage_V))
    for k, (start, stop) in enumerate(result.windows):
        assert not dense[k, :start].any() and not dense[k, stop:].any()
    frame = result.to_frame()
    first = frame[frame["half_cycle"] == result.half_cycles["half_cycle"].iloc[0]]
    on_grid = dense[0][np.searchsorted(result.voltage_V, first["voltage_V"])]
    np.testing.assert_array_equal(first[result.column].to_numpy(), on_grid)
    chosen = result.select(result.half_cycles["direction"].eq("discharge").to_numpy())
    assert (chosen.half_cycles["direction"] == "discharge").all()
    np.testing.assert_array_equal(chosen.dqdv, dense[result.half_cycles["direction"].eq("discharge").to_numpy()])
