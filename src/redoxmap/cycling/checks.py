"""Consistency checks of a segmented record against what the instrument itself reports."""

from __future__ import annotations

import numpy as np
import pandas as pd

from redoxmap.errors import DataWarning, warn

# Integration of logged current and the instrument's own counter agree to well under
# 1 % on every clean file we test; beyond this the current is mis-scaled or rounded.
CAPACITY_TOLERANCE = 0.02
MIN_RECORDS = 20


def instrument_capacity_deviation(table: pd.DataFrame) -> float | None:
    """Median relative deviation of integrated capacity from the instrument's own counter.

    Only half cycles made of a single instrument step and at least ``MIN_RECORDS``
    records are compared (instruments reset their counters per step or per cycle, and
    within one step both conventions agree).

    Returns
    -------
    float or None
        ``median(ours / instrument - 1)``, or None when the file has no capacity columns,
        no step numbers, or no comparable half cycle.
    """
    columns = ("instrument_charge_capacity_Ah", "instrument_discharge_capacity_Ah")
    if not set(columns) <= set(table.columns) or "instrument_step" not in table:
        return None
    codes = table["state"].cat.codes.to_numpy()
    idx = np.flatnonzero((codes == 1) | (codes == 2))
    if not len(idx):
        return None
    # Half cycles are contiguous runs of records: reduce over each run.
    hc = table["half_cycle"].to_numpy()[idx]
    starts = np.flatnonzero(np.concatenate([[True], hc[1:] != hc[:-1]]))
    sizes = np.diff(np.append(starts, len(idx)))
    step = table["instrument_step"].to_numpy()[idx]
    single = np.maximum.reduceat(step, starts) == np.minimum.reduceat(step, starts)
    ours = np.maximum.reduceat(table["capacity_Ah"].to_numpy()[idx], starts)
    charge = codes[idx][starts] == 1
    theirs = np.where(charge,
                      np.maximum.reduceat(table[columns[0]].to_numpy()[idx], starts),
                      np.maximum.reduceat(table[columns[1]].to_numpy()[idx], starts))
    # Few-record half cycles integrate coarsely; they say nothing about the current's scale.
    comparable = single & (theirs > 0) & (ours > 0.05 * ours.max()) & (sizes >= MIN_RECORDS)
    if not comparable.any():
        return None
    return float(np.median(ours[comparable] / theirs[comparable] - 1.0))


def warn_if_capacity_disagrees(table: pd.DataFrame, source: str) -> None:
    """Warn when integrated current and the instrument's capacity disagree (see above)."""
    deviation = instrument_capacity_deviation(table)
    if deviation is not None and abs(deviation) > CAPACITY_TOLERANCE:
        warn(
            f"{source}: capacity from integrating the logged current differs from the "
            f"instrument's own capacity by {deviation * 100:+.1f} % (median over half cycles); "
            "the current is probably logged with too few digits or in another unit",
            DataWarning,
        )
