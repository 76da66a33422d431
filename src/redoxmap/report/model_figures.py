"""Figures of the activation model: the activation map over depth and cycle, capacities split TM/O,
a fit against its data by cycle, chi-square profiles."""

from __future__ import annotations

import math

import numpy as np

from redoxmap.model.cycle_model import ActivationRun
from redoxmap.model.validation import interval_determined
from redoxmap.report.style import COLORS


def activation_map_figure(plt, run: ActivationRun, *, title: str = "", max_depth_nm: float | None = None):
    """a(z) after each charge as a heat map over depth and cycle, with the front (a = 1/2)."""
    fig, ax = plt.subplots(figsize=(4.2, 3.0))
    depth = run.depth_nm
    shown = depth <= (max_depth_nm or depth.max())
    cycles = run.table["cycle"].to_numpy()
    mesh = ax.pcolormesh(cycles, depth[shown], run.profiles[:, shown].T, shading="nearest", cmap="magma",
                         vmin=0, vmax=1, rasterized=True)
    ax.plot(cycles, run.table["front_nm"], color="cyan", lw=1.0, label="front (a = 1/2)")
    ax.set_yscale("symlog", linthresh=10)
    ax.invert_yaxis()
    ax.set_xlabel("Cycle")
    ax.set_ylabel("Depth from the surface (nm)")
    fig.colorbar(mesh, ax=ax, label="activated fraction a")
    # A dark box keeps the white label legible on the pale (activated) colours as on the dark ones.
    ax.legend(loc="lower right", fontsize=6, labelcolor="white", frameon=True, facecolor="black", framealpha=0.6,
              edgecolor="none")
    if title:
        ax.set_title(title, loc="left")
    return fig


def capacity_split_figure(plt, runs: dict[str, ActivationRun], data: dict[str, tuple] | None = None):
    """Discharge capacity by cycle, split into TM and O parts, per condition; measured points on top."""
    fig, ax = plt.subplots(figsize=(4.0, 3.0))
    for k, (label, run) in enumerate(runs.items()):
        color = COLORS[k % len(COLORS)]
        t = run.table
        ax.plot(t["cycle"], t["capacity_mAh_g"], color=color, lw=1.2, label=f"{label}: total")
        ax.plot(t["cycle"], t["capacity_tm_mAh_g"], color=color, lw=0.8, ls=":", label=f"{label}: TM")
        ax.fill_between(t["cycle"], t["capacity_tm_mAh_g"], t["capacity_mAh_g"], color=color, alpha=0.15)
        if data and label in data:
            cycles, values, errors = data[label]
            ax.errorbar(cycles, values, yerr=errors, fmt="o", color=color, ms=4, capsize=2)
    ax.set_xlabel("Cycle")
    ax.set_ylabel("Discharge capacity (mAh g$^{-1}$)")
    ax.legend(fontsize=6)
    return fig


def held_out_figure(plt, predictions, title: str = "", *, agreement_pct: float = 15.0):
    """Each held-out prediction over its measurement, with its 95 % interval (error bar), the +-15 %
    band and the measurement's own 95 % error (grey bar at 1); blue agrees, vermilion misses. A prediction
    whose interval does not determine it (:func:`~redoxmap.model.validation.interval_determined`) is an open
    marker without a bar (its bar would span everything, and the axis with it)."""
    fig, ax = plt.subplots(figsize=(max(3.6, 0.9 * len(predictions) + 1.4), 3.0))
    x = range(len(predictions))
    measured = predictions["measured"].to_numpy()
    ratio = predictions["predicted"].to_numpy() / measured
    low, high = predictions["low_95"].to_numpy() / measured, predictions["high_95"].to_numpy() / measured
    determined = interval_determined(predictions["predicted"], predictions["low_95"], predictions["high_95"])
    ax.axhspan(1 - agreement_pct / 100, 1 + agreement_pct / 100, color="0.9", label=f"±{agreement_pct:g} %")
    ax.axhline(1.0, color="0.5", lw=0.8)
    colors = [COLORS[0] if agrees else COLORS[1] for agrees in predictions["agrees"]]
    own = 1.96 * predictions["measured_stderr"].to_numpy() / measured
    for k, (r, lo, hi, color) in enumerate(zip(ratio, low, high, colors)):
        ax.errorbar([k - 0.08], [1.0], yerr=[[own[k]], [own[k]]], fmt="_", color="0.45", capsize=2, lw=1.2,
                    label="measured (95 %)" if k == 0 else None)
        if determined[k]:
            ax.errorbar([k + 0.08], [r], yerr=[[r - lo], [hi - r]], fmt="o", color=color, capsize=3, ms=4,
                        label="predicted (95 %)" if k == int(np.argmax(determined)) else None)
        else:
            ax.plot([k + 0.08], [r], "o", mfc="none", color=color, ms=5,
                    label="predicted, interval not determined" if k == int(np.argmin(determined)) else None)
    ax.set_xticks(list(x))
    ax.set_xticklabels([label.replace(", cycle ", "\ncycle ").replace(", liquid", "\nliquid")
                        for label in predictions["observation"]], fontsize=6)
    ax.set_ylabel("Predicted / measured")
    ax.legend(fontsize=6, loc="best")
    if title:
        ax.set_title(title, loc="left")
    return fig


def fit_by_cycle_figure(plt, fit, title: str = ""):
    """A model fit's observations by cycle and the model's values (:meth:`ModelFit.plot`)."""
    fig, ax = plt.subplots(figsize=(4.2, 3.0))
    fit.plot(ax=ax)
    if title:
        ax.set_title(title, loc="left")
    return fig


def profile_figure(plt, profiles):
    """chi-square profiles (delta above the minimum) of the poorly identified parameters, with the
    95 % line (3.84); each parameter on its own axis, relative to its fitted value."""
    fig, axes = plt.subplots(1, len(profiles), figsize=(3.0 * len(profiles), 2.8), squeeze=False)
    for ax, profile, color in zip(axes[0], profiles, COLORS):
        table = profile.table
        ax.plot(table["value"], table["delta_chi_square"], "o-", color=color, ms=3)
        ax.axhline(3.84, color="0.5", lw=0.8, ls="--")
        for edge in (profile.low, profile.high):
            if math.isfinite(edge):  # the profile crosses the line there
                ax.axvline(edge, color=color, lw=0.8, ls=":")
        ax.set_xlabel(profile.name)
        ax.set_ylabel("Δχ² (others refitted)")
    return fig


def cycle_curves_figure(plt, tables: dict):
    """Discharge capacity and activated fraction by cycle, one line per case (particle-model runs)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(6.4, 2.8))
    for color, (label, table) in zip(COLORS * (len(tables) // len(COLORS) + 1), tables.items()):
        left.plot(table["cycle"], table["discharge_capacity_mAh_g"], "o-", ms=2, color=color, label=label)
        right.plot(table["cycle"], table["activated_fraction"], "o-", ms=2, color=color, label=label)
    left.set_ylabel("Discharge capacity (mAh g$^{-1}$)")
    right.set_ylabel("Activated fraction ⟨a⟩")
    for ax in (left, right):
        ax.set_xlabel("Cycle")
    left.legend(fontsize=6)
    return fig


def r_by_cycle_figure(plt, runs: dict, r_values):
    """The O activation index by cycle: the fitted model's r seen by TEY (solid) and the bulk modes
    (dashed) per temperature, and the measured values (points with error bars)."""
    fig, ax = plt.subplots(figsize=(4.0, 3.0))
    for color, (label, run) in zip(COLORS * (len(runs) // len(COLORS) + 1), runs.items()):
        table = run.table
        ax.plot(table["cycle"], table["r_tey"], color=color, lw=1.2, label=f"{label}: TEY")
        ax.plot(table["cycle"], table["r_bulk"], color=color, lw=1.2, ls="--", label=f"{label}: bulk")
        temperature = float(label.split()[0])
        for mode, marker in (("tey", "o"), ("bulk", "s")):
            rows = r_values[(r_values["temperature_C"] == temperature) & (r_values["mode"] == mode)]
            if len(rows):
                ax.errorbar(rows["cycle"], rows["r"], yerr=rows["r_stderr"], fmt=marker, color=color, ms=4,
                            capsize=2, mfc="white" if mode == "bulk" else color)
    ax.set_xlabel("Cycle (spectrum after its charge)")
    ax.set_ylabel("O activation index r")
    ax.legend(fontsize=6)
    return fig
