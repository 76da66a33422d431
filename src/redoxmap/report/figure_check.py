"""Figure QA as code: text the figure's edge cuts, and legends drawn over data.

Checked on the drawn figure (with its layout engine, as it is saved): every visible text (titles,
axis labels, tick labels, legend entries, annotations) must lie inside the figure, and a legend must not
cover more than :data:`LEGEND_COVER_LIMIT` of its axes' data: the plotted points (lines, markers, the
tops of bars) or the area of an image (a micrograph, a map). Each saved figure of a
report carries the problems found, and ``report.json`` lists them.
"""

from __future__ import annotations

import numpy as np

EDGE_TOLERANCE_PX = 1.0  # anti-aliasing may spill a pixel
LEGEND_COVER_LIMIT = 0.02  # a legend may sit over a stray point, not over the data


def figure_problems(figure) -> list[str]:
    """What a referee would send back about a drawn figure: clipped text, legends over data.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        Drawn here with its layout engine (call it before switching the engine off).

    Returns
    -------
    list of str
        One sentence per problem; empty when the figure is clean.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.legend import Legend
    from matplotlib.text import Text

    # A report's figures belong to no backend: draw on an Agg canvas (at the figure's own dpi; text and
    # layout scale with it) to measure where everything landed.
    canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    edge = figure.bbox
    problems = []
    hidden = _undrawn_tick_labels(figure)
    for text in figure.findobj(Text):
        if not text.get_visible() or not text.get_text().strip() or id(text) in hidden:
            continue
        box = text.get_window_extent(renderer)
        if (box.x0 < edge.x0 - EDGE_TOLERANCE_PX or box.y0 < edge.y0 - EDGE_TOLERANCE_PX
                or box.x1 > edge.x1 + EDGE_TOLERANCE_PX or box.y1 > edge.y1 + EDGE_TOLERANCE_PX):
            problems.append(f"text {text.get_text()[:40]!r} is cut by the figure's edge")
    for ax in figure.axes:
        legend = ax.get_legend()
        if isinstance(legend, Legend) and legend.get_visible():
            share = _covered_share(ax, legend.get_window_extent(renderer))
            if share > LEGEND_COVER_LIMIT:
                problems.append(f"the legend of {ax.get_title() or 'an axes'!r} covers {100 * share:.0f} % of its data")
    return problems


def _undrawn_tick_labels(figure) -> set[int]:
    """The ids of texts Matplotlib keeps but does not draw: tick labels of ticks outside the view limits
    (of every axis: secondary axes and colorbars too), the axis texts of an axes switched off, everything
    of a hidden panel."""
    from matplotlib.axis import Axis
    from matplotlib.text import Text

    hidden = set()
    for ax in figure.axes:
        if not ax.get_visible():  # an unused panel: nothing of it is drawn
            hidden.update(id(t) for t in ax.findobj(Text))
    for axis in figure.findobj(Axis):
        if axis.axes is not None and not axis.axes.axison:  # an image with its axes off
            hidden.update(id(t) for t in axis.findobj(Text))
            continue
        scale = np.log10 if axis.get_scale() == "log" else np.asarray  # compare where the ticks are drawn
        with np.errstate(divide="ignore", invalid="ignore"):
            low, high = sorted(scale(np.asarray(axis.get_view_interval(), float)))
            slack = 1e-9 * abs(high - low)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not low - slack <= scale(float(tick.get_loc())) <= high + slack:
                    hidden.update((id(tick.label1), id(tick.label2)))
    return hidden


def _covered_share(ax, box) -> float:
    """How much of an axes' data ``box`` (display units) covers: the larger of the share of its plotted
    points (lines, markers, bar ends) inside it and the share of an image's area under it."""
    points = []
    for line in ax.get_lines():
        if not line.get_visible():
            continue
        xy = np.column_stack([np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)])
        xy = xy[np.isfinite(xy).all(axis=1)]
        if len(xy):
            points.append(ax.transData.transform(xy))
    for collection in ax.collections:
        offsets = np.asarray(collection.get_offsets(), float)
        if offsets.ndim == 2 and len(offsets) and collection.get_visible():
            points.append(collection.get_offset_transform().transform(offsets[np.isfinite(offsets).all(axis=1)]))
    for container in ax.containers:  # bars: the middle of each bar's end, where its value is read
        from matplotlib.container import BarContainer

        if isinstance(container, BarContainer):
            ends = [(p.get_x() + p.get_width() / 2, p.get_y() + p.get_height()) if container.orientation == "vertical"
                    else (p.get_x() + p.get_width(), p.get_y() + p.get_height() / 2) for p in container.patches]
            if ends:
                points.append(ax.transData.transform(np.asarray(ends, float)))
    image_share = max((_area_share(image.get_window_extent(), box, ax.bbox) for image in ax.images
                       if image.get_visible()), default=0.0)
    if not points:
        return image_share
    xy = np.vstack(points)
    inside_axes = (
        (xy[:, 0] >= ax.bbox.x0) & (xy[:, 0] <= ax.bbox.x1) & (xy[:, 1] >= ax.bbox.y0) & (xy[:, 1] <= ax.bbox.y1)
    )
    xy = xy[inside_axes]
    covered = (xy[:, 0] >= box.x0) & (xy[:, 0] <= box.x1) & (xy[:, 1] >= box.y0) & (xy[:, 1] <= box.y1)
    return max(float(covered.mean()) if len(xy) else 0.0, image_share)


def _area_share(image_box, box, axes_box) -> float:
    """The share of an image's visible area (inside its axes) that ``box`` covers."""
    from matplotlib.transforms import Bbox

    visible = Bbox.intersection(image_box, axes_box)
    if visible is None or visible.width * visible.height == 0:
        return 0.0
    covered = Bbox.intersection(visible, box)
    return 0.0 if covered is None else covered.width * covered.height / (visible.width * visible.height)
