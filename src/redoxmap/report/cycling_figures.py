"""Figures of the cycling analysis, as a scientist would put them in a paper."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd

from redoxmap.report.style import COLORS, legend_below, title_left
from redoxmap.study.analyses.cycling import CyclingAnalysis, CyclingSummary, capacity_column, capacity_unit


def axis_unit(unit: str) -> str:
    """A unit as a Matplotlib axis title writes it (``"mAh g$^{-1}$"`` for ``"mAh/g"``)."""
    return unit.replace("/g", " g$^{-1}$")


def _log_if_disparate(ax, maxima: list[float]) -> None:
    """Log scale when the cells' capacities differ by more than two decades."""
    maxima = [m for m in maxima if m and np.isfinite(m) and m > 0]
    if len(maxima) > 1 and max(maxima) / min(maxima) > 100:
        ax.set_yscale("log")


def capacity_figure(plt, analyses: Sequence[CyclingSummary | CyclingAnalysis]):
    """Charge and discharge capacity and coulombic efficiency against cycle, all cells."""
    unit = capacity_unit(analyses)
    discharge, charge = capacity_column("discharge_capacity", unit), capacity_column("charge_capacity", unit)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(3.5, 4.2), sharex=True,
                                      gridspec_kw={"height_ratios": [2.2, 1]})
    n_max = max(len(a.per_cycle) for a in analyses)
    size = 4 if n_max <= 60 else (2 if n_max <= 500 else 0.5)
    for color, analysis in zip(COLORS * 4, analyses):
        s = analysis.per_cycle[analysis.per_cycle["cycle"] >= 1]
        top.plot(s["cycle"], s[discharge], "o", ms=size, color=color, label=analysis.name)
        top.plot(s["cycle"], s[charge], "o", ms=size, mfc="none", mew=0.6, color=color)
        bottom.plot(s["cycle"], s["coulombic_efficiency_pct"], "-", lw=0.8, color=color)
    _log_if_disparate(top, [a.per_cycle[discharge].max() for a in analyses])
    top.set_ylabel(f"Capacity ({axis_unit(unit)})")
    legend_below(fig, top, cells=True, title="filled: discharge, open: charge", title_fontsize=7)
    bottom.set_ylabel("CE (%)")
    bottom.set_xlabel("Cycle number")
    finite = np.concatenate([a.per_cycle["coulombic_efficiency_pct"].dropna().to_numpy() for a in analyses])
    if len(finite):
        lo, hi = np.percentile(finite, [5, 100])
        bottom.set_ylim(max(0.0, min(lo, 95.0) - 2.0), min(max(hi, 100.0) + 2.0, 150.0))
    return fig


def cycle_colors(analysis: CyclingAnalysis) -> dict[int, tuple]:
    """The colour of each profile cycle (viridis, first to last), shared by its voltage profiles and dQ/dV."""
    import matplotlib

    cmap, cycles = matplotlib.colormaps["viridis"], analysis.profile_cycles
    return {cycle: cmap(k / max(len(cycles) - 1, 1)) for k, cycle in enumerate(cycles)}


def profile_curves(analysis: CyclingAnalysis) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """Each charge and discharge of the profile cycles as ``(cycle, capacity, voltage_V)``, the capacity in mAh/g
    where the cell's mass is known (else mAh): what the page's figure (:mod:`redoxmap.report.interactive_cycling`) and
    the paper's both draw. The rows are chosen once on arrays (a frame filtered per cycle and grouped per half
    cycle took 6 ms a cell, a tenth of that now: a campaign's report does it for every cell)."""
    mass_g = analysis.metadata.active_mass_g if analysis.metadata.active_mass_mg else None
    table = analysis.table
    cycle = table["cycle"].to_numpy()
    keep = np.isin(cycle, analysis.profile_cycles) & table["state"].isin(["charge", "discharge"]).to_numpy()
    cycle, half = cycle[keep], table["half_cycle"].to_numpy()[keep]
    q = table["capacity_Ah"].to_numpy()[keep] * 1000.0
    q = q / mass_g if mass_g else q
    voltage = table["voltage_V"].to_numpy()[keep]
    for chosen in analysis.profile_cycles:
        in_cycle = cycle == chosen
        for half_cycle in np.unique(half[in_cycle]):
            rows = in_cycle & (half == half_cycle)
            yield chosen, q[rows], voltage[rows]


def voltage_profile_figure(plt, analysis: CyclingAnalysis):
    """Voltage against capacity for the chosen cycles (charge and discharge)."""
    fig, ax = plt.subplots(figsize=(3.5, 2.8))
    colors, labelled = cycle_colors(analysis), set()
    for cycle, q, voltage in profile_curves(analysis):
        ax.plot(q, voltage, color=colors[cycle], lw=1.0,
                label=f"cycle {cycle}" if cycle not in labelled else None)
        labelled.add(cycle)
    ax.set_xlabel(f"Capacity ({axis_unit(analysis.capacity_unit)})")
    ax.set_ylabel("Voltage (V)")
    title_left(fig, ax, analysis.name)
    legend_below(fig, ax)
    return fig


def named_peaks(analysis: CyclingAnalysis):
    """The named dQ/dV peaks of the profile cycles (those inside a peak window), the tallest of each name: the
    labels a dQ/dV figure puts on its curves."""
    peaks = analysis.peaks
    named = peaks[peaks["label"].notna() & peaks["half_cycle"].isin(analysis.dqdv.half_cycles["half_cycle"])]
    return named.loc[named.groupby("label")["height"].idxmax()] if len(named) else named


def dqdv_figure(plt, analysis: CyclingAnalysis):
    """dQ/dV of the chosen cycles with their tracked peaks labelled."""
    result = analysis.dqdv
    fig, ax = plt.subplots(figsize=(3.5, 2.8))
    colors, labelled = cycle_colors(analysis), set()
    for k, info in enumerate(result.half_cycles.itertuples(index=False)):
        ax.plot(result.voltage_V, result.row(k), color=colors.get(info.cycle, "grey"), lw=0.9,
                label=f"cycle {info.cycle}" if info.cycle not in labelled else None)
        labelled.add(info.cycle)
    named = named_peaks(analysis)
    ax.margins(y=0.14)  # room inside the frame for the labels above and below the tallest peaks
    for row in named.itertuples(index=False):
        sign = 1.0 if row.direction == "charge" else -1.0
        ax.annotate(row.label, (row.voltage_V, sign * row.height), textcoords="offset points",
                    xytext=(0, 3 * sign), ha="center", va="bottom" if sign > 0 else "top", fontsize=6.5,
                    annotation_clip=True)
    ax.axhline(0.0, color="0.6", lw=0.5)
    ax.set_xlabel("Voltage (V)")
    ax.set_ylabel(f"dQ/dV ({result.unit.replace('/g/V', ' g$^{-1}$ V$^{-1}$').replace('/V', ' V$^{-1}$')})")
    title_left(fig, ax, analysis.name)
    legend_below(fig, ax)
    lo = result.half_cycles["min_voltage_V"].min()
    hi = result.half_cycles["max_voltage_V"].max()
    ax.set_xlim(lo - 0.05, hi + 0.05)
    return fig


def _bars(ax, x: np.ndarray, height: np.ndarray, bottom: np.ndarray, *, color, label: str,
          width: float = 0.8) -> None:
    """Bars as one artist (``ax.bar`` makes one patch per bar: a cell of 60 cycles and three regions took a
    quarter of a second to build, and as long again to save, in a report of many cells)."""
    from matplotlib.collections import PolyCollection

    left, right, top = x - width / 2, x + width / 2, bottom + height
    boxes = np.stack([np.column_stack([left, bottom]), np.column_stack([left, top]),
                      np.column_stack([right, top]), np.column_stack([right, bottom])], axis=1)
    ax.add_collection(PolyCollection(boxes, facecolors=color, edgecolors="none", label=label), autolim=True)


def region_stack(analysis: CyclingAnalysis, *, direction: str = "charge",
                 max_cycles: int = 60) -> tuple[pd.DataFrame, list[str]]:
    """The capacity of each voltage region per cycle (rows: cycles, at most ``max_cycles``; columns: regions in
    their order; mAh/g where the mass is known, else mAh) and each region's legend label (``"II: 3.9–4.4 V"``).
    Summed on arrays: pandas' ``pivot_table`` took 5 ms a cell, ten times this, in a campaign's report."""
    column = capacity_column("capacity", analysis.capacity_unit)
    regions = analysis.regions
    chosen = regions[regions["direction"].to_numpy() == direction]
    rows, row_of = np.unique(chosen["cycle"].to_numpy(), return_inverse=True)
    names, first, column_of = np.unique(chosen["region"].to_numpy(), return_index=True, return_inverse=True)
    order = np.argsort(first)  # the regions in the order the analysis lists them
    wide = np.full((len(rows), len(names)), np.nan)
    wide[row_of, column_of] = 0.0  # a region's missing capacity counts as nothing, as a sum over it would
    values = chosen[column].to_numpy(float)
    np.add.at(wide, (row_of, column_of), np.where(np.isnan(values), 0.0, values))
    stack = pd.DataFrame(wide[:max_cycles, order], index=pd.Index(rows[:max_cycles], name="cycle"),
                         columns=pd.Index(names[order], name="region"))
    low, high = chosen["low_V"].to_numpy()[first[order]], chosen["high_V"].to_numpy()[first[order]]
    labels = [f"{region}: {'' if np.isinf(lo) else f'{lo:g}'}–{'' if np.isinf(hi) else f'{hi:g}'} V"
              for region, lo, hi in zip(stack.columns, low, high)]
    return stack, labels


def regions_figure(plt, analysis: CyclingAnalysis, *, direction: str = "charge", max_cycles: int = 60):
    """Capacity by voltage region, stacked per cycle."""
    wide, labels = region_stack(analysis, direction=direction, max_cycles=max_cycles)
    fig, ax = plt.subplots(figsize=(3.5, 2.6))
    bottom = np.zeros(len(wide))
    for color, region, label in zip(COLORS, wide.columns, labels):
        height = wide[region].fillna(0).to_numpy()
        _bars(ax, wide.index.to_numpy(float), height, bottom, color=color, label=label)
        bottom += height
    ax.autoscale_view()
    if not (wide.fillna(0).to_numpy() < 0).any():
        ax.set_ylim(bottom=0)  # bars stand on zero, as ax.bar's would
    ax.set_xlabel("Cycle number")
    ax.set_ylabel(f"{direction.capitalize()} capacity ({axis_unit(analysis.capacity_unit)})")
    title_left(fig, ax, analysis.name)
    legend_below(fig, ax)
    return fig


PEAK_LINES_UP_TO_CYCLES = 60
"""A peak's positions are joined by lines up to this many cycles; beyond, points alone stay readable."""


def followed_tracks(analysis: CyclingAnalysis, *, max_tracks: int = 6) -> list:
    """The dQ/dV peak tracks seen in two cycles or more, the most persistent first, at most ``max_tracks``."""
    counts = analysis.peaks.groupby("track").size().sort_values(ascending=False)
    return [t for t in counts.index if counts[t] >= 2][:max_tracks]


def areas_span_decades(analysis: CyclingAnalysis, tracks: list) -> bool:
    """Whether the tracks' peak areas are all positive and the largest exceeds 30 times their median: a log axis
    then shows them all."""
    areas = analysis.peaks.loc[analysis.peaks["track"].isin(tracks), "area"]
    return bool(len(areas) and areas.min() > 0 and areas.max() / areas.median() > 30)


def peak_tracking_figure(plt, analysis: CyclingAnalysis, *, max_tracks: int = 6):
    """Position and area of the most persistent dQ/dV peaks against cycle."""
    peaks = analysis.peaks
    tracks = followed_tracks(analysis, max_tracks=max_tracks)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(3.5, 3.8), sharex=True)
    many = peaks["cycle"].nunique() > PEAK_LINES_UP_TO_CYCLES
    style = {"ls": "none" if many else "-", "marker": "o", "ms": 1.0 if many else 2.5, "lw": 0.7}
    for color, track in zip(COLORS, tracks):
        rows = peaks[peaks["track"] == track]
        top.plot(rows["cycle"], rows["voltage_V"], color=color, label=track, **style)
        bottom.plot(rows["cycle"], rows["area"], color=color, **style)
    unit = axis_unit(analysis.capacity_unit)
    top.set_ylabel("Peak voltage (V)")
    bottom.set_ylabel(f"Peak area ({unit})")
    bottom.set_xlabel("Cycle number")
    if areas_span_decades(analysis, tracks):
        bottom.set_yscale("log")
    title_left(fig, top, analysis.name)
    legend_below(fig, top, markerscale=2)
    return fig


def capacity_rise_figure(plt, analyses: Sequence[CyclingSummary | CyclingAnalysis]):
    """Discharge capacity against cycle with the fitted activation law for each cell."""
    fig, ax = plt.subplots(figsize=(3.5, 2.8))
    for analysis in analyses:
        if analysis.capacity_rise is not None:
            analysis.capacity_rise.draw_data_and_law(ax)
    _log_if_disparate(ax, [a.capacity_rise.capacity.max() for a in analyses if a.capacity_rise is not None])
    units = {a.capacity_rise.unit for a in analyses if a.capacity_rise is not None}
    unit = axis_unit(units.pop()) if len(units) == 1 else "mAh or mAh g$^{-1}$"
    ax.set_xlabel("Cycle number")
    ax.set_ylabel(f"Discharge capacity\n({unit})")
    legend_below(fig, ax, cells=True)
    return fig
