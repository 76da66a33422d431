"""Figures of the CV analysis: voltammograms by scan rate, log i_p against log v."""

from __future__ import annotations

import numpy as np

from redoxmap.cv.voltammetry import ScanRateAnalysis, cv_peaks, sweeps
from redoxmap.report.style import COLORS


def voltammograms_figure(plt, analysis: ScanRateAnalysis, *, title: str = ""):
    """The last cycle of every record, coloured by scan rate, with its peaks marked."""
    fig, ax = plt.subplots(figsize=(4.0, 3.0))
    rates = analysis.peaks.groupby("record")["scan_rate_mV_s"].median()
    for k, record in enumerate(sorted(analysis.records, key=lambda r: rates.get(r.label, 0))):
        color = COLORS[k % len(COLORS)]
        peaks = cv_peaks(record)
        last = peaks["cycle"].max()
        rows = peaks[peaks["cycle"] == last]
        table = sweeps(record)
        part = table[table["cycle"] == last]
        lo, hi = int(part["start"].min()), int(part["stop"].max())
        ax.plot(record.potential_V[lo:hi + 1], 1e3 * record.current_A[lo:hi + 1], color=color, lw=1.0,
                label=f"{rates.get(record.label, np.nan):.3g} mV/s")
        ax.plot(rows["E_peak_V"], 1e3 * rows["i_raw_A"], "o", color=color, ms=3)
    ax.axhline(0, color="0.7", lw=0.5)
    ax.set_xlabel("E (V)")
    ax.set_ylabel("I (mA)")
    ax.legend(fontsize=6)
    if title:
        ax.set_title(title, loc="left")
    return fig


def b_value_figure(plt, analysis: ScanRateAnalysis, *, title: str = ""):
    """log |i_p| against log v per direction, with the fitted b."""
    fig, ax = plt.subplots(figsize=(3.4, 2.8))
    for k, (direction, group) in enumerate(analysis.peaks.dropna(subset=["i_peak_A"]).groupby("direction")):
        color = COLORS[k % len(COLORS)]
        v = group["scan_rate_mV_s"].to_numpy()
        ax.loglog(v, np.abs(group["i_peak_A"]) * 1e3, "o", color=color, ms=4)
        fit = analysis.b_values.set_index("direction").loc[direction]
        line = np.geomspace(v.min(), v.max(), 20)
        ax.loglog(line, 10 ** (fit["log10_a"] + fit["b"] * np.log10(line * 1e-3)) * 1e3, "-", color=color, lw=1,
                  label=f"{direction}: b = {fit['b']:.2f} ± {fit['b_stderr']:.2f}")
    ax.set_xlabel("v (mV/s)")
    ax.set_ylabel("|i_p| (mA)")
    ax.legend(fontsize=6)
    if title:
        ax.set_title(title, loc="left")
    return fig
