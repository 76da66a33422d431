"""A campaign of many cells compared: one row of figures per cell, their spread within each group of
conditions, and the cells that stand apart from their group, with the reason.

The groups are the sample conditions that differ across the study (temperature, chemistry, cell type,
specific current and every user ``variables`` field: :attr:`redoxmap.study.manifest.Sample.conditions`);
a study whose samples share every condition is one group. The figures per cell come from its cycling
analysis alone:

* discharge capacity in the first cycle, its largest and its last, and the retention (last / largest);
* the median coulombic efficiency from cycle 2 on (the first charge holds the formation losses);
* the share of the charge passed in the highest voltage region (``III`` with the default bounds) in
  the first and the last cycle;
* the capacity rise's n90 (cycles to 90 % of the gain) with its standard error
  (:func:`redoxmap.cycling.fit_capacity_rise`).

A cell stands apart when one of its figures is more than :data:`OUTLIER_Z` robust standard deviations
from its group's median. The robust deviation is 1.4826 times the median absolute deviation
(Iglewicz and Hoaglin's modified z-score), floored by the figure's own accuracy (:data:`FLOORS`), so
that cells equal within their errors are never flagged. With fewer than :data:`MIN_GROUP` cells in a
group no cell is flagged: a median of two says nothing about either.

What cycling alone cannot say is stated with the results (:data:`CYCLING_LIMITS`): which couple carries
a region's charge, and where in the particle, need XAS or another probe of the couples.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from redoxmap.study.analyses.cycling import capacity_column

OUTLIER_Z = 3.5
"""Modified z-score beyond which a cell stands apart (Iglewicz & Hoaglin 1993)."""
MIN_GROUP = 5
"""Cells a group needs before any of them is called an outlier."""
CAMPAIGN_FROM_CELLS = 8
"""Cells from which a report's entry page compares them (fewer are read one by one)."""

METRICS = {  # column: (label, unit kind)
    "capacity_first": ("discharge capacity, cycle 1", "capacity"),
    "capacity_max": ("largest discharge capacity", "capacity"),
    "capacity_last": ("discharge capacity, last cycle", "capacity"),
    "retention_pct": ("retention (last / largest)", "%"),
    "ce_median_pct": ("median coulombic efficiency from cycle 2", "%"),
    "top_share_first_pct": ("charge share of the top region, cycle 1", "share"),
    "top_share_last_pct": ("charge share of the top region, last cycle", "share"),
    "n90": ("cycles to 90 % of the capacity rise", "cycles"),
}
FLOORS = {"capacity": 0.01, "%": 1.0, "share": 2.0, "cycles": 1.0}
"""The smallest robust deviation per unit kind, the figure's own accuracy: 1 % of the median for a
capacity (the active mass is weighed to about 1 %); one percentage point for an efficiency or a
retention; two for a region's share (a region boundary read with a cycler's ±5 mV moves one or two per
cent of a sloping charge across it, and a log of 100 points per half cycle resolves one); one cycle
for n90."""

CYCLING_LIMITS = (
    "Cycling measures how much charge passes in each voltage region, in every cycle, and how fast the "
    "capacity rises; it does not say which couple carries that charge (transition metal or oxygen) nor "
    "where in the particle it is carried. A rising share of the top region is oxygen redox only under the "
    "study's region assignment (li-rich cathodes: region III); surface- and bulk-sensitive XAS of charged "
    "states determines it.")


def cell_figures(analysis) -> dict:
    """The figures of one cell (see the module docstring) from its
    :class:`redoxmap.study.analyses.cycling.CyclingAnalysis`; NaN where the cell lacks them."""
    per_cycle = analysis.per_cycle
    per_cycle = per_cycle[per_cycle["cycle"] >= 1]
    column = capacity_column("discharge_capacity", analysis.capacity_unit)
    capacity = per_cycle[column].to_numpy(float) if column in per_cycle else np.array([])
    finite = capacity[np.isfinite(capacity)]
    first = float(capacity[0]) if capacity.size and np.isfinite(capacity[0]) else math.nan
    largest = float(finite.max()) if finite.size else math.nan
    last = float(finite[-1]) if finite.size else math.nan
    efficiency = per_cycle.loc[per_cycle["cycle"] >= 2, "coulombic_efficiency_pct"].to_numpy(float) \
        if "coulombic_efficiency_pct" in per_cycle else np.array([])
    efficiency = efficiency[np.isfinite(efficiency)]
    rise = analysis.capacity_rise
    share_first, share_last = _top_share(analysis.regions)
    return {
        "capacity_unit": analysis.capacity_unit,
        "cycles": int(per_cycle["cycle"].max()) if len(per_cycle) else 0,
        "capacity_first": first, "capacity_max": largest, "capacity_last": last,
        "retention_pct": 100.0 * last / largest if largest > 0 else math.nan,
        "ce_median_pct": float(np.median(efficiency)) if efficiency.size else math.nan,
        "top_share_first_pct": share_first, "top_share_last_pct": share_last,
        "n90": float(rise.n90) if rise is not None else math.nan,
        "n90_stderr": float(rise.n90_stderr) if rise is not None else math.nan,
    }


def _top_share(regions: pd.DataFrame) -> tuple[float, float]:
    """The charge share (%) of the highest voltage region in the first and the last charged cycle."""
    shares = top_share_by_cycle(regions)
    return (float(shares.iloc[0]), float(shares.iloc[-1])) if len(shares) else (math.nan, math.nan)


def top_share_by_cycle(regions: pd.DataFrame) -> pd.Series:
    """The charge share (%) of the highest voltage region in each charged cycle of one cell."""
    if regions.empty or "fraction_pct" not in regions:
        return pd.Series(dtype=float)
    charges = regions[(regions["direction"] == "charge") & (regions["cycle"] >= 1)]
    if charges.empty:
        return pd.Series(dtype=float)
    top = charges.loc[charges["high_V"].idxmax(), "region"]
    return charges[charges["region"] == top].groupby("cycle")["fraction_pct"].first()


def campaign_table(study, analyses: dict[str, list]) -> pd.DataFrame:
    """One row per cell: its sample, the sample's varying conditions and the cell's figures.

    Parameters
    ----------
    study : redoxmap.study.Study
        For the samples' conditions.
    analyses : dict of str to list of CyclingAnalysis
        Each sample's cells.

    Returns
    -------
    pandas.DataFrame
        ``sample``, ``cell``, ``group`` (the varying conditions' values, :func:`condition_text`, or
        ``"all cells"``), one
        column per varying condition, then the columns of :func:`cell_figures`.
    """
    samples = [s for s in study.samples if analyses.get(s.name)]
    keys = varying_conditions(samples)
    rows = []
    for sample in samples:
        conditions = sample.conditions
        group = ", ".join(condition_text(key, conditions.get(key)) for key in keys) or "all cells"
        for analysis in analyses[sample.name]:
            rows.append({"sample": sample.name, "cell": analysis.name, "group": group,
                         **{key: conditions.get(key) for key in keys}, **cell_figures(analysis)})
    return one_capacity_unit(pd.DataFrame(rows))


CAPACITIES = ("capacity_first", "capacity_max", "capacity_last")


def one_capacity_unit(table: pd.DataFrame) -> pd.DataFrame:
    """The cells' capacities in one unit: where some cells have an active mass (mAh/g) and others do not
    (mAh), the capacities of the fewer are left out (NaN), since mAh and mAh/g cannot share a median;
    their ratios (retention, CE, shares) and n90 stay."""
    if table.empty or table["capacity_unit"].nunique() < 2:
        return table
    kept = table["capacity_unit"].value_counts().index[0]
    table = table.copy()
    table.loc[table["capacity_unit"] != kept, list(CAPACITIES)] = np.nan
    table["capacity_unit"] = kept
    return table


def condition_text(key: str, value) -> str:
    """A condition's value as a group's label shows it: ``30 °C``, ``100 mA/g``, ``mixing: LPM``."""
    if value is None:
        return f"no {key}"
    if key == "temperature_C":
        return f"{value:g} °C"
    if key == "specific_current_mA_g":
        return f"{value:g} mA/g"
    return f"{key}: {value}" if isinstance(value, bool | int | float) else str(value)


def varying_conditions(samples) -> list[str]:
    """The conditions that take more than one value across ``samples`` (a sample without one counts as
    its own value), in the order they are first met."""
    keys: dict[str, None] = {}
    for sample in samples:
        keys.update(dict.fromkeys(sample.conditions))
    return [key for key in keys if len({str(s.conditions.get(key)) for s in samples}) > 1]


def group_statistics(table: pd.DataFrame) -> pd.DataFrame:
    """Per group and figure: cells, median, quartiles, mean and standard deviation.

    Returns
    -------
    pandas.DataFrame
        ``group``, ``metric``, ``label``, ``unit``, ``cells``, ``median``, ``q25``, ``q75``, ``mean``, ``std``.
    """
    rows = []
    for group, members in table.groupby("group", sort=False):
        for metric, (label, kind) in METRICS.items():
            values = members[metric].to_numpy(float)
            values = values[np.isfinite(values)]
            if not values.size:
                continue
            rows.append({"group": group, "metric": metric, "label": label, "unit": _unit(kind, members),
                         "cells": int(values.size), "median": float(np.median(values)),
                         "q25": float(np.percentile(values, 25)), "q75": float(np.percentile(values, 75)),
                         "mean": float(values.mean()),
                         "std": float(values.std(ddof=1)) if values.size > 1 else math.nan})
    return pd.DataFrame(rows)


def outliers(table: pd.DataFrame) -> pd.DataFrame:
    """The cells whose figures stand apart from their group's (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        ``sample``, ``cell``, ``group``, ``metric``, ``value``, ``median``, ``z`` and ``reason`` (a
        sentence), one row per figure that stands apart.
    """
    rows = []
    for group, members in table.groupby("group", sort=False):
        for metric, (label, kind) in METRICS.items():
            values = members[metric].to_numpy(float)
            finite = np.isfinite(values)
            if finite.sum() < MIN_GROUP:
                continue
            median = float(np.median(values[finite]))
            deviation = 1.4826 * float(np.median(np.abs(values[finite] - median)))
            floor = FLOORS[kind] * abs(median) if kind == "capacity" else FLOORS[kind]
            scale = max(deviation, floor, 1e-12)
            unit = _unit(kind, members)
            for row, value in zip(members.itertuples(index=False), values):
                z = (value - median) / scale
                if np.isfinite(z) and abs(z) > OUTLIER_Z:
                    rows.append({"sample": row.sample, "cell": row.cell, "group": group, "metric": label,
                                 "value": value, "median": median, "z": z,
                                 "reason": _reason(label, value, median, z, unit, kind)})
    columns = ["sample", "cell", "group", "metric", "value", "median", "z", "reason"]
    return pd.DataFrame(rows, columns=columns)


def _unit(kind: str, members: pd.DataFrame) -> str:
    return str(members["capacity_unit"].iloc[0]) if kind == "capacity" else {"share": "%"}.get(kind, kind)


def _reason(label: str, value: float, median: float, z: float, unit: str, kind: str) -> str:
    text = (f"{label} {value:.3g} {unit} against its group's median {median:.3g} {unit} "
            f"(modified z {z:+.1f})")
    if kind == "capacity" and median > 0 and value > 0:
        ratio = value / median
        decade = round(math.log10(ratio))
        if decade and abs(math.log10(ratio) - decade) < 0.1:  # within 26 %: the group's own spread
            return text + f": a factor of {10.0 ** decade:g}, as a mass entered in the wrong unit gives"
    return text
