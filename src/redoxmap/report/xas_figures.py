"""Figures of the XAS analysis, after the reference study's Figure 3."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from redoxmap.report.style import COLORS, legend_below
from redoxmap.study.analyses.xas import XasAnalysis
from redoxmap.xas.lcf import LcfResult
from redoxmap.xas.oxygen import PreEdgeFit

MODE_STYLE = {"tey": ("o", "full", "TEY (surface)"), "ipfy": ("s", "none", "iPFY (bulk)"),
              "tfy": ("D", "none", "TFY (bulk)"), "pfy": ("^", "none", "PFY"),
              "transmission": ("v", "full", "transmission")}


def stacked_spectra_figure(plt, analyses: Sequence[XasAnalysis], edge: str, mode: str):
    """Normalised spectra of one edge and mode, one trace per sample and state, offset."""
    fig, ax = plt.subplots(figsize=(3.5, 3.6))
    k = 0
    for analysis in analyses:
        for (e, m, state), (energy, norm) in analysis.spectra.items():
            if e != edge or m != mode:
                continue
            offset = 0.6 * k * (np.nanmax(norm) if np.isfinite(np.nanmax(norm)) else 1.0)
            ax.plot(energy, norm + offset, color=COLORS[k % len(COLORS)], lw=1.0)
            ax.annotate(f"{analysis.name}: {state}", (energy[-1], norm[-1] + offset), fontsize=6.5,
                        ha="right", va="bottom", color=COLORS[k % len(COLORS)])
            k += 1
    ax.set_xlabel("Energy (eV)")
    ax.set_ylabel("Normalised absorption (offset)")
    ax.set_title(f"{edge}, {MODE_STYLE.get(mode, (None, None, mode))[2]}", loc="left")
    ax.set_yticks([])
    return fig


def _by_state(plt, analyses, table_name, value, error, ylabel, split=None):
    tables = [(a.name, getattr(a, table_name)) for a in analyses if not getattr(a, table_name).empty]
    groups = sorted({row for _, t in tables for row in (t[split].unique() if split else ["all"])})
    fig, axes = plt.subplots(1, len(groups), figsize=(3.5 * len(groups), 3.2), squeeze=False, layout="constrained")
    for ax, group in zip(axes[0], groups):
        states = []
        for name, table in tables:
            part = table if split is None else table[table[split] == group]
            states.extend(s for s in part["state"] if s not in states)
        for k, (name, table) in enumerate(tables):
            part = table if split is None else table[table[split] == group]
            for mode, rows in part.groupby("mode", sort=False):
                marker, fill, label = MODE_STYLE.get(mode, ("o", "full", mode))
                x = [states.index(s) + 0.08 * (mode != "tey") for s in rows["state"]]
                ax.errorbar(x, rows[value], yerr=rows[error].fillna(0), fmt=marker, fillstyle=fill,
                            color=COLORS[k % len(COLORS)], capsize=2, ms=5,
                            label=f"{name}, {label}" if len(tables) > 1 else label)
        ax.set_xticks(range(len(states)), states, rotation=30, ha="right", fontsize=7)
        ax.set_xlim(-0.5, len(states) - 0.5)
        ax.set_ylabel(ylabel)
        if split:
            ax.set_title(group, loc="left")
    # One legend for all panels, below them: inside an axes it would cover points. Of many samples' it shows the
    # first few and counts the rest (forty samples' legend squeezed the plot away).
    labels = {label for ax in axes[0] for label in ax.get_legend_handles_labels()[1]}
    wide = len(groups) > 1 or max(map(len, labels), default=0) < 28  # two columns only where they fit
    legend_below(fig, cells=True, noun="series", ncols=2 if wide else 1)  # a series: a sample in a mode
    return fig


def valence_figure(plt, analyses: Sequence[XasAnalysis]):
    """Average valence against state for each edge, surface (TEY) beside bulk modes."""
    return _by_state(plt, analyses, "valence", "valence", "valence_stderr", "Average valence", split="edge")


def activation_figure(plt, analyses: Sequence[XasAnalysis]):
    """Oxygen activation index r against state, surface (TEY) beside bulk modes."""
    return _by_state(plt, analyses, "activation", "r", "r_stderr", "O activation index r")


def lcf_figure(plt, fit: LcfResult, title: str):
    """A linear combination fit: data, fit, weighted components and residual."""
    fig = fit.plot_with_residuals(plt.figure(figsize=(3.5, 4.0)))
    fig.axes[0].set_title(title, loc="left")
    legend_below(fig, fig.axes[0])
    return fig


def oxygen_fit_figure(plt, fit: PreEdgeFit, title: str):
    """The O K pre-edge fit with its peaks."""
    fig, ax = plt.subplots(figsize=(3.5, 2.8))
    fit.plot(ax=ax).set_title(title, loc="left")
    return fig


def sensitivity_figure(plt, analyses: Sequence[XasAnalysis]):
    """Valence of each fitted spectrum over fit-window and normalisation variants.

    One row per spectrum (sample, state, mode), so that long labels never overlap. Grey points: every
    variant; black: the reported fit with its standard error. A spread larger than the error bar says
    the choices matter more than the noise.
    """
    rows = [(analysis, key, variants) for analysis in analyses if not analysis.sensitivity.empty
            for key, variants in analysis.sensitivity.groupby(["state", "edge", "mode"], sort=False)]
    fig, ax = plt.subplots(figsize=(4.2, max(2.2, 0.26 * len(rows) + 1.0)), layout="constrained")
    labels = []
    for y, (analysis, (state, edge, mode), variants) in enumerate(rows):
        jitter = np.linspace(-0.2, 0.2, len(variants))
        ax.plot(variants["valence"], y + jitter, ".", color="0.6", ms=3)
        row = analysis.valence[(analysis.valence["state"] == state) & (analysis.valence["edge"] == edge)
                               & (analysis.valence["mode"] == mode)].iloc[0]
        ax.errorbar([row["valence"]], [y], xerr=[row["valence_stderr"]], fmt="o", color="k", capsize=3, ms=4)
        labels.append(f"{analysis.name}: {state}, {edge} {mode}")
    ax.set_yticks(range(len(labels)), labels, fontsize=6.5)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlabel("Average valence")
    return fig
