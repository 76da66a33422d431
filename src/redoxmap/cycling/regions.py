"""Capacity by voltage region, per half cycle.

The default regions are the reference study's for a Li-rich layered oxide on charge
(Hu et al., Adv. Energy Mater. 2024, 2303797): I, open circuit to 3.9 V, oxidative
decomposition of the sulfide electrolyte; II, 3.9 to 4.4 V, Ni2+/Co3+ oxidation in
LiTMO2; III, above 4.4 V, O2- oxidation in Li2MnO3. The same boundaries are applied
to discharge unless other regions are given.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from redoxmap.cycling.read import cell_metadata
from redoxmap.cycling.segmentation import intervals
from redoxmap.cycling.selection import DIRECTIONS, active_rows
from redoxmap.errors import AnalysisError


@dataclass(frozen=True)
class VoltageRegion:
    """A named voltage window ``[low_V, high_V)``; infinite bounds are allowed."""

    name: str
    low_V: float
    high_V: float
    meaning: str = ""


DEFAULT_REGIONS: tuple[VoltageRegion, ...] = (
    VoltageRegion("I", -np.inf, 3.9, "electrolyte (LPSCl) decomposition"),
    VoltageRegion("II", 3.9, 4.4, "Ni2+/Co3+ oxidation (LiTMO2)"),
    VoltageRegion("III", 4.4, np.inf, "O2- oxidation (Li2MnO3)"),
)


def regions_from_bounds(bounds: Sequence[float], names: Sequence[str] | None = None) -> tuple[VoltageRegion, ...]:
    """Regions between consecutive boundaries, open at both ends.

    Examples
    --------
    >>> [r.name for r in regions_from_bounds([3.9, 4.4])]
    ['I', 'II', 'III']
    """
    bounds = sorted(float(b) for b in bounds)
    edges = [-np.inf, *bounds, np.inf]
    roman = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
    names = list(names) if names is not None else roman[: len(edges) - 1]
    if len(names) != len(edges) - 1:
        raise AnalysisError(f"{len(bounds)} boundaries make {len(edges) - 1} regions, "
                            f"but {len(names)} names were given")
    return tuple(VoltageRegion(n, lo, hi) for n, lo, hi in zip(names, edges[:-1], edges[1:]))


def region_capacities(
    table: pd.DataFrame,
    *,
    regions: Sequence[VoltageRegion] = DEFAULT_REGIONS,
    cycles: Iterable[int] | None = None,
    directions: Iterable[str] = DIRECTIONS,
) -> pd.DataFrame:
    """Charge passed in each voltage region, per half cycle.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from :func:`redoxmap.read_cycling`.
    regions : sequence of VoltageRegion
        Non-overlapping windows; an interval is assigned by its mean voltage.
    cycles : iterable of int, optional
    directions : iterable of str

    Returns
    -------
    pandas.DataFrame
        ``half_cycle``, ``cycle``, ``direction``, ``region``, ``low_V``, ``high_V``,
        ``capacity_mAh``, ``fraction_pct`` (of the half cycle's capacity) and, with a
        mass, ``capacity_mAh_g``. Every region appears for every half cycle.
    """
    regions = tuple(regions)
    lows = np.array([r.low_V for r in regions])
    highs = np.array([r.high_V for r in regions])
    order = np.argsort(lows)
    if np.any(lows[order][1:] < highs[order][:-1]):
        raise AnalysisError("voltage regions overlap")
    meta = cell_metadata(table)
    mask = active_rows(table, cycles=cycles, directions=directions)
    dq, v_mid = intervals(table)
    idx = np.flatnonzero(mask)
    v, q = v_mid[idx], dq[idx]
    region = np.full(len(idx), -1)
    for k, r in enumerate(regions):
        region[(v >= r.low_V) & (v < r.high_V)] = k
    keep = region >= 0
    hc_all = table["half_cycle"].to_numpy()[idx]
    ids, first, local = np.unique(hc_all, return_index=True, return_inverse=True)
    n_r = len(regions)
    capacity = np.bincount(local[keep] * n_r + region[keep], weights=q[keep],
                           minlength=len(ids) * n_r).reshape(len(ids), n_r) * 1000.0
    codes = table["state"].cat.codes.to_numpy()[idx[first]]
    total = capacity.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.where(total > 0, capacity / total * 100.0, np.nan)
    out = pd.DataFrame({
        "half_cycle": np.repeat(ids, n_r),
        "cycle": np.repeat(table["cycle"].to_numpy()[idx[first]], n_r),
        "direction": np.repeat(np.where(codes == 1, "charge", "discharge"), n_r),
        "region": np.tile([r.name for r in regions], len(ids)),
        "low_V": np.tile(lows, len(ids)),
        "high_V": np.tile(highs, len(ids)),
        "capacity_mAh": capacity.ravel(),
        "fraction_pct": fraction.ravel(),
    })
    if meta.active_mass_g:
        out["capacity_mAh_g"] = out["capacity_mAh"] / meta.active_mass_g
    return out
