"""Interactive figures for the plots people explore: hover values, series toggled from the legend, zoom.

Drawn by Plotly's JavaScript library, which the ``plotly`` package ships: the report writes it once into
``assets/`` beside its pages, so the figures work offline, and only the pages that hold an interactive
figure load it (the entry page stays small). Each figure is a Plotly specification (traces and layout,
plain JSON) built here from the analyses; the Matplotlib figures stay the publication versions (PNG, SVG).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from redoxmap.palette import COLORS

PLOTLY_ASSET = "assets/plotly.min.js"
MAX_POINTS = 20_000  # per trace: beyond this a browser slows down; longer series are thinned evenly


@dataclass
class InteractiveFigure:
    """One interactive figure of a report page: its anchor id, title, caption and Plotly specification."""

    id: str
    title: str
    caption: str
    spec: dict
    wide: bool = True
    """A full row of the page (else half of one, beside another figure, on a wide screen)."""
    printed: bool = False
    """Shown when the page is printed: the page holds no static version of it."""

    @property
    def json(self) -> str:
        """The specification as JSON for the page (``</`` escaped so that no data closes the script)."""
        return json.dumps(self.spec, separators=(",", ":")).replace("</", "<\\/")


def write_plotly(out: Path) -> str:
    """Write Plotly's library into the report's ``assets/`` (once) and return its path relative to ``out``."""
    from plotly.offline import get_plotlyjs

    from redoxmap.io.tables import atomic_write

    path = out / PLOTLY_ASSET
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda tmp: tmp.write_text(get_plotlyjs(), encoding="utf-8"))
    return PLOTLY_ASSET


SIGNIFICANT_DIGITS = 6
"""Significant digits each number keeps in the page: a 1,000 px plot cannot show more, and the full seventeen of
a float doubled a cell page's size."""


def numbers(array, limit: int = MAX_POINTS) -> list:
    """Values for a page's Plotly trace: plain floats, each rounded to :data:`SIGNIFICANT_DIGITS` significant
    digits of its own (a log axis over many decades keeps its smallest values), non-finite ones as null (JSON has
    no NaN), thinned evenly to ``limit`` (the first and last kept).

    Parameters
    ----------
    array : array-like
    limit : int
        Most values returned.

    Returns
    -------
    list of float or None

    Examples
    --------
    >>> numbers([3.14159265, 0.000123456789, float("nan"), 2.0e9 / 3])
    [3.14159, 0.000123457, None, 666667000.0]
    """
    array = np.asarray(array, dtype=float)
    if len(array) > limit:
        array = array[np.linspace(0, len(array) - 1, limit).astype(int)]
    finite = np.isfinite(array)
    rounded = array.copy()
    nonzero = finite & (array != 0)
    value = array[nonzero]
    decimals = SIGNIFICANT_DIGITS - 1 - np.floor(np.log10(np.abs(value))).astype(int)
    up = decimals >= 0
    with np.errstate(over="ignore", invalid="ignore"):  # beyond a double's powers of ten: the value kept as it is
        scale = 10.0 ** np.abs(decimals)  # exact powers of ten: the quotient or product is the nearest double
        shown = np.empty_like(value)
        shown[up] = np.round(value[up] * scale[up]) / scale[up]
        shown[~up] = np.round(value[~up] / scale[~up]) * scale[~up]
    rounded[nonzero] = np.where(np.isfinite(shown), shown, value)
    values = rounded.tolist()
    return values if finite.all() else [v if ok else None for v, ok in zip(values, finite)]


def plot_layout(x_title: str, y_title: str, **extra) -> dict:
    """The report's Plotly layout with these axis titles: legend below, closest-point hover, plain template."""
    return {"xaxis": {"title": {"text": x_title}, "zeroline": False},
            "yaxis": {"title": {"text": y_title}, "zeroline": False},
            "legend": {"orientation": "h", "y": -0.25}, "margin": {"l": 60, "r": 10, "t": 10, "b": 50},
            "hovermode": "closest", "template": "simple_white", **extra}


def scatter_trace(x, y, name: str, color: str, *, mode: str = "lines", hover: str, dash: str = "solid",
                  group: str | None = None, limit: int = MAX_POINTS, **extra) -> dict:
    """A Plotly scatter trace of ``x`` and ``y`` (:func:`numbers`, at most ``limit`` points) in ``color``, its
    ``hover`` template followed by its name, in legend ``group``; ``extra`` keys go into the trace as they are."""
    trace = {"type": "scatter", "mode": mode, "x": numbers(x, limit), "y": numbers(y, limit), "name": name,
             "line": {"color": color, "width": 1.5, "dash": dash}, "marker": {"color": color, "size": 5},
             "hovertemplate": hover + f"<extra>{name}</extra>", **extra}
    if group:
        trace["legendgroup"] = group
    return trace


def stacked_layout(x_title: str, top_title: str, bottom_title: str) -> dict:
    """Two panels sharing the x axis: traces on ``yaxis="y"`` above, ``yaxis="y2"`` below."""
    layout = plot_layout(x_title, top_title)
    layout["xaxis"].update(anchor="y2")
    layout["yaxis"].update(domain=[0.55, 1.0])
    layout["yaxis2"] = {"title": {"text": bottom_title}, "domain": [0.0, 0.45], "zeroline": False}
    return layout


def nyquist_figure(analysis, index: int, *, printed: bool = False) -> InteractiveFigure:
    """Every spectrum of one sample with its fitted circuit, in the Nyquist plane (frequency on hover);
    ``printed``: the page holds no static Nyquist plot."""
    traces = []
    for k, fit in enumerate(analysis.fits):
        color = COLORS[k % len(COLORS)]
        hover = "Z' %{x:.4g} Ω<br>−Z'' %{y:.4g} Ω<br>%{customdata:.4g} Hz"
        traces.append(scatter_trace(fit.z_data.real, -fit.z_data.imag, f"{fit.label}: data", color, mode="markers",
                                    group=fit.label, hover=hover, customdata=numbers(fit.frequency_Hz)))
        traces.append(scatter_trace(fit.z_fit.real, -fit.z_fit.imag, f"{fit.label}: fit", color,
                                    group=fit.label, hover=hover, customdata=numbers(fit.frequency_Hz)))
    layout = plot_layout("Z' (Ω)", "−Z'' (Ω)")
    layout["yaxis"].update(scaleanchor="x", scaleratio=1)
    # the circuit in the caption, not the legend: Plotly does not wrap a legend entry, and a circuit beside a
    # spectrum's name ran past a phone's screen
    circuits = ", ".join(dict.fromkeys(fit.circuit for fit in analysis.fits))
    return InteractiveFigure(f"eis_nyquist_{index}_interactive", f"{analysis.name}: Nyquist plot (interactive)",
                             f"Data (points) and fitted circuit {circuits} (lines) of every spectrum, equal axes; the "
                             "frequency of each point on hover.", {"data": traces, "layout": layout}, printed=printed)


def region_capacity_figure(amap) -> InteractiveFigure | None:
    """Charge capacity in each voltage region per cycle, per sample."""
    ds = amap.dataset
    variables = sorted(v for v in ds.data_vars if str(v).startswith("charge_region_") and str(v).endswith("_mAh_g"))
    traces = []
    for k, sample in enumerate(ds["sample"].to_numpy()):
        for m, variable in enumerate(variables):
            values = ds[variable].sel(sample=sample).to_numpy()
            if not np.isfinite(values).any():
                continue
            region = str(variable).split("_")[2]
            traces.append(scatter_trace(ds["cycle"].to_numpy(), values, f"{sample}: region {region}",
                                        COLORS[k % len(COLORS)], dash=("solid", "dash", "dot", "dashdot")[m % 4],
                                        group=str(sample), hover="cycle %{x}<br>%{y:.4g} mAh/g"))
    if not traces:
        return None
    return InteractiveFigure("findings_regions_interactive", "Charge capacity by voltage region (interactive)",
                             "Per sample and region; click a legend entry to hide it, drag to zoom.",
                             {"data": traces, "layout": plot_layout("Cycle", "Charge capacity in region (mAh/g)")})


def bode_figure(analysis, index: int, *, printed: bool = False) -> InteractiveFigure:
    """|Z| and phase against frequency of every spectrum of one sample with its fitted circuit;
    ``printed``: the page holds no static Bode plot."""
    traces = []
    for k, fit in enumerate(analysis.fits):
        color = COLORS[k % len(COLORS)]
        for z, kind, mode, show in ((fit.z_data, "data", "markers", True), (fit.z_fit, "fit", "lines", False)):
            traces.append(scatter_trace(fit.frequency_Hz, np.abs(z), f"{fit.label}: {kind}", color, mode=mode,
                                        group=fit.label, hover="%{x:.4g} Hz<br>|Z| %{y:.4g} Ω"))
            traces.append(scatter_trace(fit.frequency_Hz, -np.degrees(np.angle(z)), f"{fit.label}: {kind}", color,
                                        mode=mode, group=fit.label, hover="%{x:.4g} Hz<br>−phase %{y:.3g}°",
                                        yaxis="y2", showlegend=False))
    layout = stacked_layout("Frequency (Hz)", "|Z| (Ω)", "−phase (°)")
    layout["xaxis"]["type"] = layout["yaxis"]["type"] = "log"
    return InteractiveFigure(f"eis_bode_{index}_interactive", f"{analysis.name}: Bode plot (interactive)",
                             "Modulus (top) and phase (bottom) of every spectrum, data as points and the fitted "
                             "circuit as lines; a legend entry toggles both panels.",
                             {"data": traces, "layout": layout}, printed=printed)


def xas_spectra_figure(analyses, edge: str, mode: str, index: int) -> InteractiveFigure:
    """Normalised spectra of one edge and mode by sample and state, each with its LCF fit where one ran."""
    traces = []
    k = 0
    for analysis in analyses:
        for (e, m, state), (energy, norm) in analysis.spectra.items():
            if e != edge or m != mode:
                continue
            name, color = f"{analysis.name}: {state}", COLORS[k % len(COLORS)]
            traces.append(scatter_trace(energy, norm, name, color, group=name, hover="%{x:.2f} eV<br>%{y:.4g}"))
            fit = analysis.fits.get((e, m, state))
            if fit is not None:
                traces.append(scatter_trace(fit.energy, fit.fit, f"{name}: LCF fit", color, dash="dash", group=name,
                                            hover="%{x:.2f} eV<br>fit %{y:.4g}"))
            k += 1
    return InteractiveFigure(f"xas_spectra_{index}_interactive", f"{edge} spectra, {mode} (interactive)",
                             "Normalised spectra by sample and state (not offset: hide series from the legend to "
                             "compare two); dashed: the linear combination fit over its window.",
                             {"data": traces, "layout": plot_layout("Energy (eV)", "Normalised absorption")})


def map_figure(amap) -> InteractiveFigure | None:
    """The activation map as a heat map: rows are sample and quantity, columns state and probe; colour is
    the value on one scale per quantity across every sample (as in the static map, so that two samples'
    colours compare), hover gives the value ± its combined error."""
    from redoxmap.formatting import format_value_error
    from redoxmap.report.map_figures import ELECTRODE_ROWS, map_label, map_rows

    ds = amap.dataset
    rows = [(s, v) for s, v in map_rows(ds) if v not in ELECTRODE_ROWS]  # by probe; electrode rows are not
    if not rows:
        return None
    columns = [(str(state), probe) for state in ds["state"].to_numpy() for probe in ("surface", "bulk")
               if any(np.isfinite(float(ds[v].sel(sample=s, state=state, probe=probe))) for s, v in rows)]
    scales = {}
    for variable in {v for _, v in rows}:
        finite = ds[variable].to_numpy()[np.isfinite(ds[variable].to_numpy())]
        scales[variable] = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    z, text = [], []
    for sample, variable in rows:
        values = [float(ds[variable].sel(sample=sample, state=state, probe=probe)) for state, probe in columns]
        errors = [float(ds[f"{variable}_stderr"].sel(sample=sample, state=state, probe=probe))
                  for state, probe in columns]
        lo, hi = scales[variable]
        z.append([(v - lo) / (hi - lo) if np.isfinite(v) and hi > lo else (0.5 if np.isfinite(v) else None)
                  for v in values])
        text.append([format_value_error(v, e) if np.isfinite(v) else "not measured" for v, e in zip(values, errors)])
    trace = {
        "type": "heatmap",
        "x": [f"{state} · {probe}" for state, probe in columns],
        "y": [f"{s} · {map_label(v)}" for s, v in rows],
        "z": z,
        "text": text,
        "colorscale": [[0, "#f1eef6"], [0.5, "#74a9cf"], [1, "#045a8d"]],  # ColorBrewer PuBu
        "showscale": False,
        "xgap": 2,
        "ygap": 2,
        "texttemplate": "%{text}",
        "textfont": {"size": 10},
        "hovertemplate": "%{y}<br>%{x}<br>%{text}<extra></extra>",
    }
    layout = plot_layout("State · probe", "")
    layout["yaxis"].update(autorange="reversed", automargin=True)
    layout["xaxis"].update(automargin=True, tickangle=-30)
    layout["height"] = max(260, 40 * len(rows) + 160)
    return InteractiveFigure("findings_map_interactive", "The activation map (interactive)",
                             "Each row is one sample's quantity; colour runs from the quantity's lowest (light) to "
                             "highest (dark) value over all samples, so a colour difference alone is no evidence; "
                             "hover for value ± combined error (statistical or replicate spread, systematic floor, "
                             "analysis choices: the error budget table lists each). Which differences are "
                             "significant is marked in the figure on the overview page.",
                             {"data": [trace], "layout": layout})
