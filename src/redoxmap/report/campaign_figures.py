"""Figures of a campaign: each figure's spread by group, and the top region's share per cycle."""

from __future__ import annotations

import numpy as np
import pandas as pd

from redoxmap.report.style import COLORS
from redoxmap.study.campaign import METRICS

PANELS = ("capacity_max", "n90", "ce_median_pct", "top_share_last_pct")
SHORT = {"capacity_first": "Capacity, cycle 1", "capacity_max": "Largest capacity", "capacity_last": "Capacity, last",
         "retention_pct": "Retention", "ce_median_pct": "CE from cycle 2", "top_share_first_pct": "Top region, cycle 1",
         "top_share_last_pct": "Top region, last", "n90": "n90"}
"""Each figure's name in a panel title or a table header."""


def _tick(group: str) -> str:
    """A group's label, one condition per line."""
    return group.replace(", ", "\n")


def distributions_figure(plt, table: pd.DataFrame, flagged: pd.DataFrame):
    """Four figures of every cell by group: each cell a point, the group's median and quartiles as a box,
    the cells that stand apart from their group in red."""
    groups = list(dict.fromkeys(table["group"]))
    apart = set(flagged["cell"]) if len(flagged) else set()
    fig, axes = plt.subplots(1, 4, figsize=(7.2, 2.5))
    rng = np.random.default_rng(0)  # the points' sideways jitter only
    for ax, metric in zip(axes.flat, PANELS):
        kind = METRICS[metric][1]
        series = [table.loc[table["group"] == g, metric].to_numpy(float) for g in groups]
        finite = [v[np.isfinite(v)] for v in series]
        ax.boxplot([v if v.size else [np.nan] for v in finite], positions=range(len(groups)), widths=0.5,
                   showfliers=False, medianprops={"color": "0.15"}, boxprops={"color": "0.55"},
                   whiskerprops={"color": "0.55"}, capprops={"color": "0.55"})
        for k, group in enumerate(groups):
            members = table[table["group"] == group]
            x = k + rng.uniform(-0.18, 0.18, len(members))
            red = members["cell"].isin(apart).to_numpy()
            ax.plot(x[~red], members[metric].to_numpy(float)[~red], "o", ms=2.5, color=COLORS[k % len(COLORS)],
                    alpha=0.75)
            ax.plot(x[red], members[metric].to_numpy(float)[red], "x", ms=5, mew=1.2, color="#c0392b")
        values = np.concatenate(finite) if finite else np.array([])
        positive = values[values > 0]
        if metric == "n90" and positive.size and positive.max() / positive.min() > 30:
            ax.set_yscale("log")
        else:
            ax.ticklabel_format(axis="y", useOffset=False)  # 98.0001 as itself, not as 1e-4 + 98
        unit = table["capacity_unit"].iloc[0] if kind == "capacity" else {"share": "%"}.get(kind, kind)
        ax.set_title(f"{SHORT[metric]} ({unit})", fontsize=6.5)
        ax.set_xticks(range(len(groups)), [_tick(g) for g in groups], fontsize=5.5, rotation=90 * (len(groups) > 2))
        ax.tick_params(axis="y", labelsize=6)
    return fig


def share_by_cycle_figure(plt, shares: dict[str, list[pd.Series]]):
    """The top region's charge share against cycle: each group's median across its cells and the band of
    its quartiles."""
    fig, ax = plt.subplots(figsize=(3.5, 2.6))
    for k, (group, series) in enumerate(shares.items()):
        frame = pd.concat(series, axis=1) if series else pd.DataFrame()
        if frame.empty:
            continue
        color = COLORS[k % len(COLORS)]
        quartiles = frame.quantile([0.25, 0.5, 0.75], axis=1)
        ax.fill_between(frame.index, quartiles.loc[0.25], quartiles.loc[0.75], color=color, alpha=0.2, lw=0)
        ax.plot(frame.index, quartiles.loc[0.5], color=color, lw=1.2,
                label=f"{_tick(group).replace(chr(10), ', ')} ({frame.shape[1]})")
    ax.set_xlabel("Cycle number")
    ax.set_ylabel("Charge share of the top region (%)")
    ax.legend(fontsize=6, frameon=False)
    return fig
