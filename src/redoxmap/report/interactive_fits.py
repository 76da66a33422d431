"""A sample's own fits drawn by the browser: the figures of a campaign sample's page (impedance residuals, DRT,
resistances and Arrhenius plot; XAS linear-combination and O K pre-edge fits) as Plotly specifications, the
Matplotlib versions staying what ``--print-figures`` draws. Built from the same results and with the same content
as :mod:`redoxmap.report.eis_figures` and :mod:`redoxmap.report.xas_figures`, each in the look of
:mod:`redoxmap.report.interactive`."""

from __future__ import annotations

import numpy as np

from redoxmap.palette import COLORS
from redoxmap.report.interactive import InteractiveFigure, numbers, plot_layout, scatter_trace, stacked_layout


def _figure(id: str, title: str, caption: str, traces: list, layout: dict) -> InteractiveFigure:
    """A half-width figure that prints (the page holds no static version of it)."""
    return InteractiveFigure(id, title, caption, {"data": traces, "layout": layout}, wide=False, printed=True)


def _color(k: int) -> str:
    return COLORS[k % len(COLORS)]


def eis_residuals_figure(analysis, shown: list[int], id: str, title: str, caption: str) -> InteractiveFigure:
    """Relative residuals (%) of the real and imaginary parts of the ``shown`` fits of a sample (their indices in
    ``analysis.fits``, whose colours they keep from the Nyquist and Bode plots) against frequency, each with the
    real part of its Kramers–Kronig test's dotted."""
    traces = []
    for j in shown:
        fit, color = analysis.fits[j], _color(j)
        kk = analysis.kk[analysis.resistances["index"].iloc[j]]
        relative, hover = 100 * fit.residuals, "%{x:.4g} Hz<br>%{y:.3g} %"
        for part, values, dash in (("Δ'", relative.real, "solid"), ("Δ''", relative.imag, "dash")):
            traces.append(scatter_trace(fit.frequency_Hz, values, f"{fit.label}: {part}", color, dash=dash,
                                        mode="lines+markers", group=fit.label, hover=hover))
        if kk is not None:
            traces.append(scatter_trace(kk.frequency_Hz, 100 * kk.residual_real, f"{fit.label}: KK", color,
                                        dash="dot", group=fit.label, hover=hover))
    layout = plot_layout("Frequency (Hz)", "Residual (% of |Z|)")
    layout["xaxis"]["type"] = "log"
    return _figure(id, title, caption, traces, layout)


def drt_figure(drts, id: str, title: str, caption: str) -> InteractiveFigure:
    """γ(τ) of each state on a log τ axis, its peaks as triangles."""
    traces = []
    for k, (state, result) in enumerate(drts):
        color = _color(k)
        traces.append(scatter_trace(result.tau_s, result.gamma_ohm, state, color, group=state,
                                    hover="τ %{x:.3g} s<br>γ %{y:.4g} Ω"))
        traces.append(scatter_trace(result.peaks["tau_s"], result.peaks["gamma_ohm"], f"{state}: peaks", color,
                                    mode="markers", group=state, showlegend=False,
                                    marker={"symbol": "triangle-down", "color": color, "size": 8},
                                    hover="peak at τ %{x:.3g} s<br>γ %{y:.4g} Ω"))
    layout = plot_layout("τ (s)", "γ (Ω)")
    layout["xaxis"]["type"] = "log"
    return _figure(id, title, caption, traces, layout)


def resistances_figure(analysis, id: str, title: str, caption: str) -> InteractiveFigure:
    """R0 and each RC pair's resistance with its standard error against the spectrum (or temperature, where each
    has its own), log scale; spectra failing the Kramers–Kronig test crossed."""
    from redoxmap.report.eis_figures import resistance_axis

    table = analysis.resistances
    x, x_title = resistance_axis(table)
    traces = [scatter_trace(x, table["R0_ohm"], "R0 (series)", "#4d4d4d", mode="lines+markers",
                            hover="%{y:.4g} Ω")]
    k = 1
    while f"R_{k}_ohm" in table:
        name = str(table[f"label_{k}"].iloc[0])
        errors = {"type": "data", "array": numbers(table[f"R_{k}_stderr_ohm"].fillna(0.0)), "visible": True,
                  "thickness": 1}
        traces.append(scatter_trace(x, table[f"R_{k}_ohm"], name, _color(k - 1), mode="lines+markers",
                                    hover="%{y:.4g} Ω", error_y=errors))
        k += 1
    invalid = ~table["kk_valid"].astype(bool).to_numpy()
    if invalid.any():
        traces.append(scatter_trace(np.asarray(x)[invalid], table.loc[invalid, "R0_ohm"], "fails KK", "#d62728",
                                    mode="markers", marker={"symbol": "x", "color": "#d62728", "size": 9},
                                    hover="fails the Kramers–Kronig test"))
    layout = plot_layout(x_title, "R (Ω)")
    layout["yaxis"]["type"] = "log"
    return _figure(id, title, caption, traces, layout)


def arrhenius_figure(analysis, id: str, title: str, caption: str) -> InteractiveFigure:
    """ln(1/R) against 1000/T for each resistance with an activation energy, and its fitted line."""
    from redoxmap.report.eis_figures import arrhenius_lines

    traces = []
    for k, (label, inverse_t, y, line_x, line_y) in enumerate(arrhenius_lines(analysis)):
        color = _color(k)
        traces.append(scatter_trace(inverse_t, y, label, color, mode="markers", group=label,
                                    hover="1000/T %{x:.4g} K⁻¹<br>ln(1/R) %{y:.4g}"))
        traces.append(scatter_trace(line_x, line_y, label, color, group=label, showlegend=False,
                                    hover="fit %{y:.4g}"))
    return _figure(id, title, caption, traces, plot_layout("1000 / T (1/K)", "ln(1/R) (ln S)"))


def _fit_with_residual(fit, residual, curves: list[dict], fit_name: str, id: str, title: str,
                       caption: str) -> InteractiveFigure:
    """A spectrum, its fit (named ``fit_name``) and ``curves`` (traces) above, ``residual`` below, on shared
    energy."""
    traces = [scatter_trace(fit.energy, fit.data, "data", "#000000", mode="markers",
                            marker={"color": "#000000", "size": 3}, hover="%{x:.2f} eV<br>%{y:.4g}"),
              scatter_trace(fit.energy, fit.fit, fit_name, _color(1), hover="%{x:.2f} eV<br>fit %{y:.4g}"),
              *curves,
              scatter_trace(fit.energy, residual, "residual", "#4d4d4d", yaxis="y2", showlegend=False,
                            hover="%{x:.2f} eV<br>residual %{y:.3g}")]
    return _figure(id, title, caption, traces, stacked_layout("Energy (eV)", "Normalised absorption", "Residual"))


def lcf_figure(fit, id: str, title: str, caption: str) -> InteractiveFigure:
    """A linear combination fit: data, fit, the weighted reference components (dashed) and the residual."""
    from redoxmap.formatting import format_value_error

    curves = [scatter_trace(fit.energy, component, f"{weight:.2f} × {name}", _color(k + 2), dash="dash",
                            hover="%{x:.2f} eV<br>%{y:.4g}")
              for k, (name, component, weight) in enumerate(zip(fit.names, fit.components, fit.weights)) if weight > 0]
    name = f"fit: v = {format_value_error(fit.valence, fit.valence_stderr)}"
    return _fit_with_residual(fit, fit.residual, curves, name, id, title, caption)


def oxygen_fit_figure(fit, id: str, title: str, caption: str) -> InteractiveFigure:
    """An O K pre-edge fit: data, fit, each named peak filled, and the residual (data − fit)."""
    curves = [scatter_trace(fit.energy, component, f"peak {prefix.rstrip('_')}", _color(k + 2), fill="tozeroy",
                            hover="%{x:.2f} eV<br>%{y:.4g}")
              for k, (prefix, component) in enumerate(fit.components.items()) if prefix.rstrip("_") in fit.peaks]
    return _fit_with_residual(fit, fit.data - fit.fit, curves, "fit", id, title, caption)
