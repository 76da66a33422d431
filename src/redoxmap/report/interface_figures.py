"""Figures of the interface chemistry: XPS region fits and shares, and DEMS gas evolution."""

from __future__ import annotations

import math
import re

from redoxmap.report.style import COLORS, legend_below


def xps_fits_figure(plt, fits, *, title: str = ""):
    """One panel per (state, region) fit: data, components, background, envelope (binding energy reversed)."""
    columns = min(3, len(fits))
    rows = math.ceil(len(fits) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(2.6 * columns, 2.3 * rows), squeeze=False)
    for ax, (state, region, fit) in zip(axes.ravel(), fits):
        fit.plot(ax=ax)
        ax.set_title("")  # the fit's own title is the region: the panel says state and region
        ax.set_title(f"{state}: {region}", fontsize="small", loc="left")
        ax.get_legend().remove()
    # One legend below for every panel: the components' names (their shares per state are in the
    # shares figure and table), so no legend sits on a panel's data.
    first = axes.ravel()[0]
    for artist in first.get_legend_handles_labels()[0]:
        artist.set_label(re.sub(r" \(\d+ %\)$", "", artist.get_label()))
    legend_below(figure, first, fontsize=6)
    for ax in axes.ravel()[len(fits):]:
        ax.set_visible(False)
    if title:
        figure.suptitle(title, x=0.02, ha="left", fontsize="medium")
    return figure


def xps_shares_figure(plt, analyses):
    """Decomposition shares (every family but the intact electrolyte) against the state, per sample."""
    figure, ax = plt.subplots(figsize=(4.2, 3.0))
    markers = "osD^v<>"
    for k, analysis in enumerate(analyses):
        table = analysis.shares[analysis.shares["family"] != "electrolyte"]
        states = list(dict.fromkeys(analysis.shares["state"]))
        for j, (family, part) in enumerate(table.groupby("family", sort=False)):
            positions = [states.index(s) for s in part["state"]]
            ax.errorbar(positions, 100 * part["share"], yerr=100 * part["share_stderr"], marker=markers[k % 7],
                        ms=4, capsize=2, color=COLORS[j % len(COLORS)], ls="-" if k == 0 else "--",
                        label=f"{analysis.name}: {family}")
        ax.set_xticks(range(len(states)), states, rotation=20, ha="right", fontsize="small")
    ax.set_ylabel("Share of the region (%)")
    ax.legend(fontsize="xx-small", frameon=False)
    return figure


def dems_figure(plt, name: str, state: str, evolution):
    """Voltage, current and gas rates on one time axis (the reference study's Fig. S15)."""
    figure = plt.figure(figsize=(4.2, 5.0))
    evolution.plot_cell(figure)
    figure.axes[0].set_title(f"{name}: {state}", loc="left", fontsize="medium")
    return figure
