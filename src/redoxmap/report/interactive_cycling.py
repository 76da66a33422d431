"""A cell's figures drawn by the browser: capacity per cycle, voltage profiles, dQ/dV, charge by voltage region
and dQ/dV peaks across cycles (Plotly specifications, :mod:`redoxmap.report.interactive`). They draw the same
numbers as the Matplotlib figures of :mod:`redoxmap.report.cycling_figures`, from the same helpers."""

from __future__ import annotations

from redoxmap.palette import COLORS
from redoxmap.report.cycling_figures import (
    PEAK_LINES_UP_TO_CYCLES,
    areas_span_decades,
    cycle_colors,
    followed_tracks,
    named_peaks,
    profile_curves,
    region_stack,
)
from redoxmap.report.interactive import InteractiveFigure, numbers, plot_layout, scatter_trace, stacked_layout
from redoxmap.study.analyses.cycling import capacity_column, capacity_unit


def capacity_figure(analyses, id: str = "cycling_capacity_interactive", *, wide: bool = True,
                    printed: bool = False, title: str = "Capacity per cycle (interactive)") -> InteractiveFigure:
    """Discharge and charge capacity per cycle of every cell (charge dotted); ``wide`` and ``printed`` as
    :class:`InteractiveFigure`'s."""
    unit = capacity_unit(analyses)
    traces = []
    for k, analysis in enumerate(analyses):
        color = COLORS[k % len(COLORS)]
        rows = analysis.per_cycle[analysis.per_cycle["cycle"] >= 1]
        for direction, dash in (("discharge", "solid"), ("charge", "dot")):
            traces.append(scatter_trace(rows["cycle"], rows[capacity_column(f"{direction}_capacity", unit)],
                                        f"{analysis.name}: {direction}", color, mode="lines+markers", dash=dash,
                                        group=analysis.name, hover=f"cycle %{{x}}<br>{direction} %{{y:.4g}} {unit}"))
    return InteractiveFigure(id, title,
                             "Hover for values, click a legend entry to hide a series, drag to zoom (double-click "
                             "resets).", {"data": traces, "layout": plot_layout("Cycle", f"Capacity ({unit})")},
                             wide=wide, printed=printed)


def _hex(color) -> str:
    from matplotlib.colors import to_hex

    return to_hex(color)


BROWSER_PROFILE_POINTS = 400
"""Points per half cycle of a voltage profile drawn in the browser (the analysis keeps 1,000 for a 300 dpi figure)."""


def voltage_profile_figure(analysis, id: str, title: str, caption: str) -> InteractiveFigure:
    """Voltage against capacity for the profile cycles of one cell, coloured by cycle as the static figure."""
    colors, unit, traces, shown = cycle_colors(analysis), analysis.capacity_unit, [], set()
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
    wide, labels = region_stack(analysis)
    unit = analysis.capacity_unit
    traces = [{"type": "bar", "x": numbers(wide.index), "y": numbers(wide[region].fillna(0.0)), "name": label,
               "marker": {"color": COLORS[k % len(COLORS)]},
               "hovertemplate": f"cycle %{{x}}<br>%{{y:.4g}} {unit}<extra>{label}</extra>"}
              for k, (region, label) in enumerate(zip(wide.columns, labels))]
    layout = plot_layout("Cycle", f"Charge capacity ({unit})", barmode="stack", bargap=0.2)
    layout["legend"]["traceorder"] = "normal"  # Plotly lists stacked bars top first; the regions read I, II, III
    return InteractiveFigure(id, title, caption, {"data": traces, "layout": layout}, wide=False, printed=True)


def peak_tracking_figure(analysis, id: str, title: str, caption: str) -> InteractiveFigure:
    """Position (above) and area (below) of one cell's most persistent dQ/dV peaks against cycle."""
    peaks, tracks, unit = analysis.peaks, followed_tracks(analysis), analysis.capacity_unit
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
