"""Figures of the structure analysis: patterns by state, peak fits, in situ maps, HRTEM FFTs."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from redoxmap.report.style import COLORS
from redoxmap.study.analyses.images import TemAnalysis
from redoxmap.study.analyses.xrd import XrdAnalysis
from redoxmap.xrd.peaks import PeakFits
from redoxmap.xrd.series import SeriesResult


def patterns_figure(plt, analyses: Sequence[XrdAnalysis], marks: dict[str, float] | None = None):
    """Ex situ patterns by sample and state, normalised to their maximum and offset."""
    fig, ax = plt.subplots(figsize=(5.0, 3.8))
    k = 0
    for analysis in analyses:
        for state, pattern in analysis.patterns.items():
            y = pattern.intensity / np.nanmax(pattern.intensity)
            color = COLORS[k % len(COLORS)]
            ax.plot(pattern.two_theta, y + 1.1 * k, color=color, lw=0.7)
            ax.annotate(f"{analysis.name}: {state}", (pattern.two_theta[-1], 1.1 * k + 0.25), fontsize=6.5,
                        ha="right", color=color)
            k += 1
    for label, position in (marks or {}).items():
        ax.axvline(position, color="0.6", ls=":", lw=0.7)
        ax.annotate(f"({label})", (position, 1.1 * max(k, 1)), fontsize=6.5, ha="center", va="bottom",
                    color="0.4", annotation_clip=False)
    ax.set_xlabel("2θ (°)")
    ax.set_ylabel("Intensity (normalised, offset)")
    ax.set_yticks([])
    return fig


def peak_fits_figure(plt, fits: dict[str, PeakFits]):
    """Every fitted window of every state (``state -> PeakFits``): data, fit, background and residual."""
    states = list(fits)
    labels = sorted({str(p) for f in fits.values() for p in f.table["peak"]})
    fig = plt.figure(figsize=(2.2 * len(labels) + 0.6, 2.3 * len(states)))
    grid = fig.add_gridspec(2 * len(states), len(labels), height_ratios=[3, 1] * len(states))
    for i, state in enumerate(states):
        table = fits[state].table.assign(peak=fits[state].table["peak"].astype(str)).set_index("peak")
        for j, label in enumerate(labels):
            top = fig.add_subplot(grid[2 * i, j])
            bottom = fig.add_subplot(grid[2 * i + 1, j], sharex=top)
            if label not in table.index:
                top.set_axis_off()
                bottom.set_axis_off()
                continue
            fits[state].plot(ax=top, peak=label)
            fits[state].plot_residuals(ax=bottom, peak=label)
            row = table.loc[label]
            text = (f"({label}) {row['center_deg']:.3f}±{row['center_stderr_deg']:.3f}°" if row["found"]
                    else f"({label}) not found")
            top.set_title(f"{state}\n{text}" if j == 0 else text, loc="left", fontsize=7)
            top.tick_params(labelbottom=False)
            top.set_xlabel("")
            top.set_ylabel("Counts" if j == 0 else "")
            bottom.set_ylabel("")
    return fig


def series_map_figure(plt, series: SeriesResult, *, title: str = ""):
    """Intensity over 2θ and time around (003) and (020), with the voltage beside it (Figure 2a/b)."""
    time_h = series.table["time_h"].to_numpy()
    if not np.isfinite(time_h).all():
        time_h = np.arange(len(series.table), dtype=float)
        y_label = "Scan"
    else:
        y_label = "Time (h)"
    fits = series.fits.table
    requested = {"003": series.attrs["peak_003_deg"], "020": series.attrs["peak_020_deg"]}
    centres = {p: float(np.nanmedian(fits.loc[fits["peak"] == p, "center_deg"])) if fits.loc[
        fits["peak"] == p, "found"].any() else requested[p] for p in requested}
    has_voltage = series.cycling is not None
    widths = [1.0, 1.0] + ([0.6] if has_voltage else [])
    fig, axes = plt.subplots(1, len(widths), figsize=(5.2, 3.6), sharey=True, gridspec_kw={"width_ratios": widths})
    intensity = np.sqrt(np.clip(series.intensity, 0, None))  # square root: weak (020) next to strong (003)
    for ax, peak in zip(axes, ("003", "020")):
        centre = centres[peak]
        near = np.abs(series.two_theta - centre) <= 0.6
        if near.sum() < 2:
            ax.set_axis_off()
            continue
        mesh = ax.pcolormesh(series.two_theta[near], time_h, intensity[:, near], shading="nearest", cmap="viridis",
                             rasterized=True)
        ax.set_xlabel("2θ (°)")
        ax.set_title(f"({peak})", loc="left")
    axes[0].set_ylabel(y_label)
    fig.colorbar(mesh, ax=axes[:2], label="√counts", shrink=0.8, location="bottom")
    if has_voltage:
        ax = axes[-1]
        ax.plot(series.cycling["voltage_V"], series.cycling["time_h"], color=COLORS[1], lw=0.9)
        ax.set_xlabel("Voltage (V)")
        ax.set_ylim(np.nanmin(time_h), np.nanmax(time_h))
    if title:
        fig.suptitle(title, fontsize=8)
    return fig


def series_trends_figure(plt, series: SeriesResult, *, title: str = ""):
    """(003) position and c, (003) width, and the (020) intensity against time."""
    t = series.table
    x = t["time_h"] if np.isfinite(t["time_h"]).all() else t["scan"]
    panels = [("c_A", "c_stderr_A", "c from (003) (Å)"), ("fwhm_003_deg", "fwhm_003_stderr_deg", "(003) FWHM (°)"),
              ("ratio_020_003", "ratio_020_003_stderr", "I(020)/I(003)")]
    has_voltage = int(np.isfinite(t["voltage_V"]).any())
    rows = len(panels) + has_voltage
    fig, axes = plt.subplots(rows, 1, figsize=(3.6, 1.3 * rows + 0.4), sharex=True)
    if has_voltage:
        axes[0].plot(x, t["voltage_V"], color=COLORS[1], lw=1.0)
        axes[0].set_ylabel("Voltage (V)")
    for ax, (value, error, label) in zip(axes[has_voltage:], panels):
        ax.errorbar(x, t[value], yerr=t[error].fillna(0), fmt="o", ms=2.5, capsize=1.5, color=COLORS[0], lw=0.7)
        ax.set_ylabel(label)
    axes[-1].set_xlabel("Time (h)" if x is t["time_h"] else "Scan")
    if title:
        axes[0].set_title(title, loc="left")
    return fig


def fringes_figure(plt, analysis: TemAnalysis, index: int = 0):
    """An image with its boxes, and each box's FFT with the spots labelled by d and match."""
    state, image, fringes = analysis.images[index]
    fig, axes = plt.subplots(1, 1 + len(fringes), figsize=(2.8 * (1 + len(fringes)), 3.0))
    axes = np.atleast_1d(axes)
    extent_nm = (0, image.data.shape[1] * image.pixel_nm, image.data.shape[0] * image.pixel_nm, 0)
    axes[0].imshow(image.data, cmap="gray", extent=extent_nm)
    axes[0].set_xlabel("x (nm)")
    axes[0].set_ylabel("y (nm)")
    axes[0].set_title(f"{analysis.name}: {state}", loc="left", fontsize=7)
    from matplotlib.patches import Rectangle

    for k, fringe in enumerate(fringes):
        x0, y0, w, h = fringe.box
        if fringe.label != "whole image":
            p = image.pixel_nm
            axes[0].add_patch(Rectangle((x0 * p, y0 * p), w * p, h * p, fill=False, color=COLORS[k + 1], lw=1.0))
            axes[0].annotate(fringe.label, (x0 * p, (y0 + h) * p), xytext=(3, 3), textcoords="offset points",
                             color=COLORS[k + 1], fontsize=7, va="bottom")
        ax = axes[k + 1]
        kx, ky = fringe.k_extent
        ax.imshow(fringe.power, cmap="magma", extent=(-kx, kx, ky, -ky), vmin=np.percentile(fringe.power, 50))
        limit = 1.15 * max(fringe.spots["k_inv_nm"].max() if not fringe.spots.empty else 5.0, 1.0)
        ax.set_xlim(-limit, limit)
        ax.set_ylim(limit, -limit)
        for spot in fringe.spots.itertuples():
            for sign in (1, -1):
                ax.plot(sign * spot.kx_inv_nm, sign * spot.ky_inv_nm, "o", mfc="none", mec="cyan", ms=7, mew=0.8)
            label = f"{spot.d_nm:.3f} nm" + (f"\n{spot.phase.split(' ')[0]} ({spot.hkl})" if spot.phase else "")
            right = spot.kx_inv_nm > 0
            ax.annotate(label, (spot.kx_inv_nm, spot.ky_inv_nm), xytext=(-5 if right else 5, 5),
                        textcoords="offset points", color="white", fontsize=6, ha="right" if right else "left")
        ax.set_xlabel("k$_x$ (nm$^{-1}$)")
        ax.set_ylabel("k$_y$ (nm$^{-1}$)")
        ax.set_title(f"FFT: {fringe.label}", loc="left", fontsize=7)
    return fig
