"""Figures of the impedance analysis: Nyquist and Bode with fit and residuals, DRT, resistances."""

from __future__ import annotations

import numpy as np

from redoxmap.eis.fit import CircuitFit
from redoxmap.eis.relaxation import DrtResult
from redoxmap.report.style import COLORS, legend_below
from redoxmap.study.analyses.eis import EisAnalysis


def fit_figure(plt, fit: CircuitFit, kk=None, *, title: str = ""):
    """Nyquist (equal axes) and Bode panels with the fit, and the relative residuals below."""
    fig = plt.figure(figsize=(7.0, 4.2))
    grid = fig.add_gridspec(2, 2, height_ratios=[3, 1.2])
    nyquist = fit.plot(ax=fig.add_subplot(grid[:, 0]))
    bode = fit.plot_bode(ax=fig.add_subplot(grid[0, 1]))
    bode.tick_params(labelbottom=False)
    bode.set_xlabel("")
    residual = fig.add_subplot(grid[1, 1], sharex=bode)
    if kk is not None:
        residual.semilogx(kk.frequency_Hz, 100 * kk.residual_real, ":", color="0.5", lw=0.8, label="KK")
    fit.plot_residuals(ax=residual)
    legend_below(fig)  # the panels' own legends, inside their axes, cover data where a spectrum fills them
    if title:
        nyquist.set_title(title, loc="left")
    return fig


def drt_figure(plt, drts: list[tuple[str, DrtResult]], *, title: str = ""):
    """gamma(tau) of each state, with the peaks marked."""
    fig, ax = plt.subplots(figsize=(3.8, 2.8))
    for state, result in drts:
        result.plot(ax=ax)
        ax.lines[-2].set_label(state)
    legend_below(fig, ax)
    if title:
        ax.set_title(title, loc="left")
    return fig


def resistance_axis(table) -> tuple[np.ndarray, str]:
    """What a sample's resistances are drawn against, and its axis title: the temperature where each spectrum has
    its own, else the spectrum's index."""
    if table["temperature_C"].notna().all() and table["temperature_C"].nunique() > 1:
        return table["temperature_C"].to_numpy(float), "Temperature (°C)"
    return np.arange(len(table)), "Spectrum (cycle)"


def resistances_figure(plt, analysis: EisAnalysis):
    """Resistances of each RC pair (by its label) against the spectrum index or temperature."""
    table = analysis.resistances
    x, x_title = resistance_axis(table)
    fig, ax = plt.subplots(figsize=(3.8, 2.8))
    ax.plot(x, table["R0_ohm"], "o-", ms=3, lw=0.8, color="0.3", label="R0 (series)")
    k = 1
    while f"R_{k}_ohm" in table:
        ax.errorbar(x, table[f"R_{k}_ohm"], yerr=table[f"R_{k}_stderr_ohm"].fillna(0), fmt="o-", ms=3, lw=0.8,
                    capsize=1.5, color=COLORS[(k - 1) % len(COLORS)], label=str(table[f"label_{k}"].iloc[0]))
        k += 1
    invalid = ~table["kk_valid"].astype(bool)
    if invalid.any():
        ax.plot(np.asarray(x)[invalid], table.loc[invalid, "R0_ohm"], "x", color="red", ms=5, label="fails KK")
    ax.set_yscale("log")
    ax.set_xlabel(x_title)
    ax.set_ylabel("R (Ω)")
    ax.legend(fontsize=6)
    ax.set_title(analysis.name, loc="left")
    return fig


def arrhenius_lines(analysis: EisAnalysis) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Per resistance with an activation energy: its label with E_a ± error, 1000/T and ln(1/R) of its points,
    and its fitted line (the fitted slope through the points' mean) over their range."""
    from redoxmap.eis.temperature import BOLTZMANN_EV

    table = analysis.resistances
    inverse_t = 1000 / (table["temperature_C"].to_numpy(float) + 273.15)
    lines = []
    for row in analysis.arrhenius.itertuples():
        y = -np.log(table[row.resistance].to_numpy(float))
        line = np.linspace(inverse_t.min(), inverse_t.max(), 10)
        slope = -row.Ea_eV / (BOLTZMANN_EV * 1000)
        lines.append((f"{row.label}: {row.Ea_eV:.2f} ± {row.Ea_stderr_eV:.2f} eV", inverse_t, y, line,
                      y.mean() + slope * (line - inverse_t.mean())))
    return lines


def arrhenius_figure(plt, analysis: EisAnalysis):
    """ln(1/R) against 1000/T per resistance, with the fitted activation energies."""
    fig, ax = plt.subplots(figsize=(3.6, 2.8))
    for k, (label, inverse_t, y, line_x, line_y) in enumerate(arrhenius_lines(analysis)):
        color = COLORS[k % len(COLORS)]
        ax.plot(inverse_t, y, "o", color=color, ms=4)
        ax.plot(line_x, line_y, "-", color=color, lw=1, label=label)
    ax.set_xlabel("1000 / T (1/K)")
    ax.set_ylabel("ln(1/R) (ln S)")
    ax.legend(fontsize=6)
    ax.set_title(f"{analysis.name}: Arrhenius", loc="left")
    return fig
