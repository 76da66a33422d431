"""Peaks of dQ/dV: detection, labelling by voltage window, tracking across cycles.

Peaks are found with ``scipy.signal.find_peaks`` on ``|dQ/dV|`` with a prominence
relative to the curve's maximum; the position is refined by a parabola through the
three highest grid points; the area is the charge between the valleys that separate
a peak from its neighbours (so the areas of one curve add up to its capacity).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.signal import find_peaks, peak_widths

from redoxmap.cycling.differential import DqdvResult
from redoxmap.cycling.regions import VoltageRegion
from redoxmap.defaults import DQDV_PEAK_PROMINENCE
from redoxmap.errors import AnalysisError

# The reference study's peaks for a Li-rich layered oxide cathode (Hu et al. 2024):
# Ox1 ~3.5 V electrolyte decomposition, Ox2/Ox3 Ni and Co oxidation, Ox4 O2- oxidation.
DEFAULT_PEAK_WINDOWS: dict[str, tuple[VoltageRegion, ...]] = {
    "charge": (
        VoltageRegion("Ox1", 3.0, 3.9, "electrolyte decomposition"),
        VoltageRegion("Ox2", 3.9, 4.15, "Ni2+ oxidation"),
        VoltageRegion("Ox3", 4.15, 4.4, "Ni3+/Co3+ oxidation"),
        VoltageRegion("Ox4", 4.4, 4.8, "O2- oxidation"),
    ),
    "discharge": (
        VoltageRegion("Red1", 4.0, 4.8, "oxygen reduction"),
        VoltageRegion("Red2", 3.5, 4.0, "Ni/Co reduction"),
        VoltageRegion("Red3", 2.0, 3.5, "Mn reduction"),
    ),
}


def peak_windows(spec: str | dict | None) -> dict[str, tuple[VoltageRegion, ...]]:
    """Peak windows from a setting: ``"reference"``, ``"none"`` or ``{direction: {name: [lo, hi]}}``.

    Raises
    ------
    AnalysisError
        For an unknown keyword, direction or a window that is not ``[low, high]``.
    """
    if spec is None or spec == "reference":
        return DEFAULT_PEAK_WINDOWS
    if spec == "none":
        return {}
    if not isinstance(spec, dict):
        raise AnalysisError(f"peak windows must be 'reference', 'none' or a table, not {spec!r}")
    windows = {}
    for direction, named in spec.items():
        if direction not in ("charge", "discharge") or not isinstance(named, dict):
            raise AnalysisError(f"peak windows: {direction!r} must be 'charge' or 'discharge' "
                                "with a table of name = [low_V, high_V]")
        regions = []
        for name, bounds in named.items():
            if not (isinstance(bounds, (list, tuple)) and len(bounds) == 2 and bounds[0] < bounds[1]):
                raise AnalysisError(f"peak window {name!r} must be [low_V, high_V], not {bounds!r}")
            regions.append(VoltageRegion(str(name), float(bounds[0]), float(bounds[1])))
        windows[direction] = tuple(regions)
    return windows


def _refine(y: np.ndarray, i: int) -> float:
    """Sub-grid offset of a maximum from a parabola through three points."""
    if i <= 0 or i >= len(y) - 1:
        return 0.0
    left, mid, right = y[i - 1], y[i], y[i + 1]
    denominator = left - 2 * mid + right
    return 0.0 if denominator == 0 else float(np.clip(0.5 * (left - right) / denominator, -0.5, 0.5))


def _noise(y: np.ndarray) -> float:
    """The curve's point-to-point scatter (robust): ripples below a few times it are not peaks."""
    return float(1.4826 * np.median(np.abs(np.diff(y, 2)))) / np.sqrt(6) if len(y) > 2 else 0.0


def _position(y: np.ndarray, peak: int, left: int, right: int, step: float, voltage: np.ndarray) -> float:
    """A peak's voltage: the sub-grid maximum, or, for a flat top (a plateau of dQ/dV, a box in
    Q(V)), the middle of the top, where the curve stays within 2 % of its maximum, so that a flat
    feature is placed alike from cycle to cycle."""
    level = y[peak] * 0.98
    lo, hi = peak, peak
    while lo > left and y[lo - 1] >= level:
        lo -= 1
    while hi < right and y[hi + 1] >= level:
        hi += 1
    if (hi - lo) * step > 0.05:
        return float(0.5 * (voltage[lo] + voltage[hi]))
    return float(voltage[peak] + _refine(y, peak) * step)


def _merge_flat(y: np.ndarray, peaks: np.ndarray, props: dict, threshold: float) -> tuple[np.ndarray, dict]:
    """One peak for maxima that no real dip separates: on a flat top (a plateau's dQ/dV) two equal maxima
    each get the full prominence, but the curve between them stays within ``threshold`` of the lower."""
    keep = list(range(len(peaks)))
    k = 0
    while k < len(keep) - 1:
        a, b = peaks[keep[k]], peaks[keep[k + 1]]
        if min(y[a], y[b]) - y[a:b + 1].min() < threshold:
            keep.pop(k + 1 if y[a] >= y[b] else k)
        else:
            k += 1
    return peaks[keep], {name: values[keep] for name, values in props.items()}


EDGE_KERNELS = 2.5  # no peak within this many smoothing widths (about one kernel's FWHM) of a half cycle's limits


def find_dqdv_peaks(
    result: DqdvResult,
    *,
    prominence: float = DQDV_PEAK_PROMINENCE,
    windows: dict[str, Sequence[VoltageRegion]] | None = None,
) -> pd.DataFrame:
    """Peaks of every curve in a :class:`DqdvResult`.

    Parameters
    ----------
    result : DqdvResult
    prominence : float
        Minimum prominence as a fraction of the curve's largest ``|dQ/dV|`` (and at least five times
        the curve's point-to-point scatter); peaks closer than twice the smoothing are one peak, and
        none lies within one smoothing kernel (``EDGE_KERNELS`` widths) of its half cycle's voltage limits.
    windows : dict, optional
        ``{"charge": [...], "discharge": [...]}`` of named :class:`VoltageRegion`; a peak
        inside a window takes its name (the tallest one if several). Default: none, so no peak is
        named for a chemistry it may not have (``peak_windows("reference")`` gives the reference
        study's Li-rich cathode windows, :data:`DEFAULT_PEAK_WINDOWS`).

    Returns
    -------
    pandas.DataFrame
        ``half_cycle``, ``cycle``, ``direction``, ``label`` (None outside windows),
        ``voltage_V``, ``height`` and ``area`` (in the result's units, area in mAh or
        mAh/g), ``fwhm_V``, ``prominence``.
    """
    windows = {} if windows is None else windows
    step = result.voltage_V[1] - result.voltage_V[0] if len(result.voltage_V) > 1 else 1.0
    sigma = result.parameters.get("smoothing_V", 0.0) or step
    separation = max(int(2 * sigma / step), 1)  # the kernel cannot resolve peaks closer than ~2 sigma
    rows = []
    edge = max(EDGE_KERNELS * sigma, 2 * step)
    for k, info in enumerate(result.half_cycles.itertuples(index=False)):
        y = np.abs(result.row(k))
        top = y.max()
        if top <= 0:
            continue
        threshold = max(prominence * top, 5 * _noise(y))
        peaks, props = find_peaks(y, prominence=threshold, distance=separation)
        peaks, props = _merge_flat(y, peaks, props, threshold)
        # the window's edge is no peak: the density stops there (a cut-off, a logging interval's last step)
        inner = (result.voltage_V[peaks] >= info.min_voltage_V + edge) & \
            (result.voltage_V[peaks] <= info.max_voltage_V - edge)
        peaks, props = peaks[inner], {name: values[inner] for name, values in props.items()}
        if not len(peaks):
            continue
        fwhm = peak_widths(y, peaks, rel_height=0.5)[0] * step
        valleys = [int(a + np.argmin(y[a:b + 1])) for a, b in itertools.pairwise(peaks)]
        bounds = [0, *valleys, len(y) - 1]
        for j, p in enumerate(peaks):
            rows.append({
                "half_cycle": info.half_cycle,
                "cycle": info.cycle,
                "direction": info.direction,
                "voltage_V": _position(y, p, bounds[j], bounds[j + 1], step, result.voltage_V),
                "height": y[p],
                "area": y[bounds[j]:bounds[j + 1] + 1].sum() * step,
                "fwhm_V": fwhm[j],
                "prominence": props["prominences"][j],
            })
    peaks = pd.DataFrame(rows, columns=["half_cycle", "cycle", "direction", "voltage_V",
                                        "height", "area", "fwhm_V", "prominence"])
    peaks.insert(3, "label", _labels(peaks, windows))
    return peaks


def _labels(peaks: pd.DataFrame, windows: dict[str, Sequence[VoltageRegion]]) -> list:
    labels: list = [None] * len(peaks)
    for direction, regions in windows.items():
        for region in regions:
            inside = peaks.index[(peaks["direction"] == direction)
                                 & (peaks["voltage_V"] >= region.low_V)
                                 & (peaks["voltage_V"] < region.high_V)]
            if not len(inside):
                continue
            tallest = peaks.loc[inside].groupby("half_cycle")["height"].idxmax()
            for i in tallest:
                labels[peaks.index.get_loc(i)] = region.name
    return labels


def track_peaks(peaks: pd.DataFrame, *, tolerance_V: float = 0.05, max_gap: int = 3) -> pd.DataFrame:
    """Give every peak a track name so that it can be followed across cycles.

    Labelled peaks keep their window name. Unlabelled peaks are linked from one half
    cycle to the next of the same direction: each half cycle's peaks are matched to
    the live tracks by an optimal assignment (``scipy.optimize.linear_sum_assignment``)
    on the voltage distance, a match needs a distance within ``tolerance_V``, and a
    track ends when it has not been matched for ``max_gap`` half cycles. A drifting
    peak therefore stays one track, and two peaks never merge into one. Tracks are
    named after their median position, e.g. ``"charge@3.52V"``.

    Returns
    -------
    pandas.DataFrame
        ``peaks`` with a ``track`` column, sorted by track and cycle.
    """
    from scipy.optimize import linear_sum_assignment

    out = peaks.copy()
    track = out["label"].astype(object).copy()
    unlabelled = out[out["label"].isna()]
    for direction, group in unlabelled.groupby("direction"):
        ids = np.full(len(group), -1)
        live_voltage: list[float] = []
        live_seen: list[int] = []
        half_cycles = group["half_cycle"].to_numpy()
        voltages = group["voltage_V"].to_numpy()
        order = np.argsort(half_cycles, kind="stable")
        starts = np.flatnonzero(np.concatenate([[True], np.diff(half_cycles[order]) != 0]))
        for k, (a, b) in enumerate(zip(starts, np.append(starts[1:], len(order)))):
            rows = order[a:b]
            live = [t for t in range(len(live_voltage)) if k - live_seen[t] <= max_gap]
            matched = set()
            if live:
                cost = np.abs(voltages[rows][:, None] - np.array([live_voltage[t] for t in live])[None, :])
                r, c = linear_sum_assignment(np.where(cost <= tolerance_V, cost, 1e6))
                for i, j in zip(r, c):
                    if cost[i, j] <= tolerance_V:
                        ids[rows[i]] = live[j]
                        matched.add(i)
            for i, row in enumerate(rows):
                if i not in matched:
                    ids[row] = len(live_voltage)
                    live_voltage.append(0.0)
                    live_seen.append(k)
                live_voltage[ids[row]] = voltages[row]
                live_seen[ids[row]] = k
        names = {}
        for t in np.unique(ids):
            centre = float(np.median(voltages[ids == t]))
            name = f"{direction}@{centre:.2f}V"
            while name in names.values():
                name += "'"
            names[t] = name
        track.loc[group.index] = [names[t] for t in ids]
    out["track"] = track
    out = out.sort_values(["track", "half_cycle", "height"], ascending=[True, True, False])
    out = out.drop_duplicates(["track", "half_cycle"]).sort_values(["track", "cycle"])
    return out.reset_index(drop=True)
