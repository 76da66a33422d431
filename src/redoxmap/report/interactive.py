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


def capacity_figure(analyses, id: str = "cycling_capacity_interactive", *, wide: bool = True,
                    printed: bool = False, title: str = "Capacity per cycle (interactive)") -> InteractiveFigure:
    """Discharge and charge capacity per cycle of every cell (charge dotted); ``wide`` and ``printed`` as
    :class:`InteractiveFigure`'s."""
    specific = all(a.metadata.active_mass_mg for a in analyses)
    unit = "mAh/g" if specific else "mAh"
    suffix = "_mAh_g" if specific else "_mAh"
    traces = []
    for k, analysis in enumerate(analyses):
        color = COLORS[k % len(COLORS)]
        rows = analysis.per_cycle[analysis.per_cycle["cycle"] >= 1]
        for direction, dash in (("discharge", "solid"), ("charge", "dot")):
            traces.append(scatter_trace(rows["cycle"], rows[f"{direction}_capacity{suffix}"],
                                        f"{analysis.name}: {direction}", color, mode="lines+markers", dash=dash,
                                        group=analysis.name, hover=f"cycle %{{x}}<br>{direction} %{{y:.4g}} {unit}"))
    return InteractiveFigure(id, title,
                             "Hover for values, click a legend entry to hide a series, drag to zoom (double-click "
                             "resets).", {"data": traces, "layout": plot_layout("Cycle", f"Capacity ({unit})")},
                             wide=wide, printed=printed)


def _hex(color) -> str:
    from matplotlib.colors import to_hex

    return to_hex(color)


def _capacity_unit(analysis) -> str:
    return "mAh/g" if analysis.metadata.active_mass_mg else "mAh"


BROWSER_PROFILE_POINTS = 400
"""Points per half cycle of a voltage profile drawn in the browser (the analysis keeps 1,000 for a 300 dpi figure)."""


def voltage_profile_figure(analysis, id: str, title: str, caption: str) -> InteractiveFigure:
    """Voltage against capacity for the profile cycles of one cell, coloured by cycle as the static figure."""
    from redoxmap.report.cycling_figures import cycle_colors, profile_curves

    colors, unit, traces, shown = cycle_colors(analysis), _capacity_unit(analysis), [], set()
    for cycle, q, voltage in profile_curves(analysis):
        traces.append(scatter_trace(q, voltage, f"cycle {cycle}", _hex(colors[cycle]), group=f"cycle {cycle}",
                                    showlegend=cycle not in shown, limit=BROWSER_PROFILE_POINTS,
                                    hover=f"%{{x:.4g}} {unit}<br>%{{y:.4f}} V"))
        shown.add(cycle)
    layout = plot_layout(f"Capacity ({unit})", "Voltage (V)")
    return InteractiveFigure(id, title, caption, {"data": traces, "layout": layout}, wide=False, printed=True)


def dqdv_figure(analysis, id: str, title: str, caption: str, *, printed: bool = True) -> InteractiveFigure:
    """dQ/dV of the chosen half cycles of one cell, one trace per half cycle coloured by cycle as the static
    figure, its named peaks labelled (``printed``: the page holds no static dQ/dV)."""
    from redoxmap.report.cycling_figures import cycle_colors, named_peaks

    result, colors = analysis.dqdv, cycle_colors(analysis)
    traces, shown = [], set()
    for k, info in enumerate(result.half_cycles.itertuples(index=False)):
        values = result.row(k)
        keep = values != 0  # a row is zero outside its own stretch of the grid
        name = f"cycle {info.cycle}"  # one legend entry a cycle, toggling its charge and discharge together
        traces.append(scatter_trace(result.voltage_V[keep], values[keep], name,
                                    _hex(colors.get(info.cycle, "grey")), group=name,
                                    showlegend=info.cycle not in shown,
                                    hover=f"{info.direction}<br>%{{x:.3f}} V<br>%{{y:.4g}} {result.unit}"))
        shown.add(info.cycle)
    layout = plot_layout("Voltage (V)", f"dQ/dV ({result.unit})")
    layout["yaxis"]["zeroline"] = True  # charge above, discharge below, as the static figure's line at zero
    layout["annotations"] = [{"x": float(row.voltage_V), "y": float(row.height) * sign, "text": str(row.label),
                              "showarrow": False, "font": {"size": 10}, "yshift": 9 * sign}
                             for row in named_peaks(analysis).itertuples(index=False)
                             for sign in [1 if row.direction == "charge" else -1]]
    return InteractiveFigure(id, title, caption, {"data": traces, "layout": layout}, printed=printed)


def regions_figure(analysis, id: str, title: str, caption: str) -> InteractiveFigure:
    """Charge capacity in each voltage region, stacked per cycle, of one cell."""
    from redoxmap.report.cycling_figures import region_stack

    wide, labels = region_stack(analysis)
    unit = _capacity_unit(analysis)
    traces = [{"type": "bar", "x": numbers(wide.index), "y": numbers(wide[region].fillna(0.0)), "name": label,
               "marker": {"color": COLORS[k % len(COLORS)]},
               "hovertemplate": f"cycle %{{x}}<br>%{{y:.4g}} {unit}<extra>{label}</extra>"}
              for k, (region, label) in enumerate(zip(wide.columns, labels))]
    layout = plot_layout("Cycle", f"Charge capacity ({unit})", barmode="stack", bargap=0.2)
    layout["legend"]["traceorder"] = "normal"  # Plotly lists stacked bars top first; the regions read I, II, III
    return InteractiveFigure(id, title, caption, {"data": traces, "layout": layout}, wide=False, printed=True)


def peak_tracking_figure(analysis, id: str, title: str, caption: str) -> InteractiveFigure:
    """Position (above) and area (below) of one cell's most persistent dQ/dV peaks against cycle."""
    from redoxmap.report.cycling_figures import PEAK_LINES_UP_TO_CYCLES, areas_span_decades, followed_tracks

    peaks, tracks, unit = analysis.peaks, followed_tracks(analysis), _capacity_unit(analysis)
    mode = "lines+markers" if peaks["cycle"].nunique() <= PEAK_LINES_UP_TO_CYCLES else "markers"
    traces = []
    for k, track in enumerate(tracks):
        rows, color, name = peaks[peaks["track"] == track], COLORS[k % len(COLORS)], str(track)
        traces.append(scatter_trace(rows["cycle"], rows["voltage_V"], name, color, mode=mode, group=name,
                                    hover="cycle %{x}<br>%{y:.3f} V"))
        traces.append(scatter_trace(rows["cycle"], rows["area"], name, color, mode=mode, group=name, yaxis="y2",
                                    showlegend=False, hover=f"cycle %{{x}}<br>area %{{y:.4g}} {unit}"))
    layout = stacked_layout("Cycle", "Peak voltage (V)", f"Peak area ({unit})")
    if areas_span_decades(analysis, tracks):
        layout["yaxis2"]["type"] = "log"
    return InteractiveFigure(id, title, caption, {"data": traces, "layout": layout}, wide=False, printed=True)


def nyquist_figure(analysis, index: int, *, printed: bool = False) -> InteractiveFigure:
    """Every spectrum of one sample with its fitted circuit, in the Nyquist plane (frequency on hover);
    ``printed``: the page holds no static Nyquist plot."""
    traces = []
    for k, fit in enumerate(analysis.fits):
        color = COLORS[k % len(COLORS)]
        hover = "Z' %{x:.4g} Ω<br>−Z'' %{y:.4g} Ω<br>%{customdata:.4g} Hz"
        traces.append(scatter_trace(fit.z_data.real, -fit.z_data.imag, f"{fit.label}: data", color, mode="markers",
                                    group=fit.label, hover=hover, customdata=numbers(fit.frequency_Hz)))
        traces.append(scatter_trace(fit.z_fit.real, -fit.z_fit.imag, f"{fit.label}: fit", color, group=fit.label,
                                    hover=hover, customdata=numbers(fit.frequency_Hz)))
    layout = plot_layout("Z' (Ω)", "−Z'' (Ω)")
    layout["yaxis"].update(scaleanchor="x", scaleratio=1)
    return InteractiveFigure(f"eis_nyquist_{index}_interactive", f"{analysis.name}: Nyquist plot (interactive)",
                             "Data (points) and fitted circuit (lines) of every spectrum, equal axes; the frequency "
                             "of each point on hover.", {"data": traces, "layout": layout}, printed=printed)


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
