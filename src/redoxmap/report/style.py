"""Figure style and saving: one look for every figure redoxmap makes."""

from __future__ import annotations

import io
import textwrap
from contextlib import contextmanager
from pathlib import Path

from redoxmap.palette import COLORS

RC = {
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "xtick.direction": "in",
    "ytick.direction": "in",
    "xtick.top": True,
    "ytick.right": True,
    "axes.linewidth": 0.8,
    "lines.linewidth": 1.2,
    "lines.markersize": 4,
    "svg.fonttype": "none",
    "figure.constrained_layout.use": True,
}


class FigureFactory:
    """Makes figures that belong to no window and no backend (:class:`matplotlib.figure.Figure`
    without pyplot), so that writing a report from a notebook never switches the notebook's backend
    nor leaves figures behind in pyplot. Offers the few pyplot calls the figure functions use."""

    @staticmethod
    def figure(figsize=None, **options):
        """A new empty figure."""
        from matplotlib.figure import Figure

        return Figure(figsize=figsize, **options)

    def subplots(self, nrows: int = 1, ncols: int = 1, *, figsize=None, layout=None, **options):
        """A new figure and its grid of axes, as :func:`matplotlib.pyplot.subplots` returns them."""
        figure = self.figure(figsize=figsize, layout=layout)
        return figure, figure.subplots(nrows, ncols, **options)

    @staticmethod
    def get_cmap(name: str):
        """A registered colormap."""
        import matplotlib

        return matplotlib.colormaps[name]

    @staticmethod
    def close(figure) -> None:
        """Nothing to release: a figure outside pyplot is freed with its last reference. (Clearing it
        first, as this did, cost 26 ms a figure: a fifth of a campaign report's drawing.)"""


@contextmanager
def figure_style():
    """The publication style (:data:`RC`, :data:`COLORS`) for the figures made inside the block, and
    the :class:`FigureFactory` that makes them. The Matplotlib backend is not touched."""
    import matplotlib
    from cycler import cycler

    with matplotlib.rc_context({**RC, "axes.prop_cycle": cycler(color=COLORS)}):
        yield FigureFactory()


LEGEND_ENTRIES = 8
"""Most entries a legend shows; the rest are counted in its last entry."""


def characters_across(fig, size: float) -> int:
    """About how many characters of text at ``size`` points fit the width of ``fig`` (an average glyph of the
    report's sans-serif is 0.55 of its size wide)."""
    return int(fig.get_figwidth() * 72 / (0.55 * size))


def title_left(fig, ax, text: str) -> None:
    """``text`` as the axes' title at its left, wrapped to the figure's width: a sample named by a long file name
    would otherwise run past the figure's edge."""
    from matplotlib import rcParams
    from matplotlib.font_manager import FontProperties

    size = FontProperties(size=rcParams["axes.titlesize"]).get_size_in_points()
    ax.set_title(textwrap.fill(text, characters_across(fig, size)), loc="left")


def legend_below(fig, ax=None, *, cells: bool = False, noun: str = "cells", **options):
    """The legend of ``ax`` (or of every axes) under the plot, replacing any legend inside the axes:
    constrained layout makes room for it, so
    it never covers data and the figure's edge never cuts it. Columns follow the labels' length unless
    ``ncols`` is given. With ``cells`` (one entry per cell), at most :data:`LEGEND_ENTRIES` are shown and
    the last counts the others, as ``noun`` (what an entry is).

    Returns
    -------
    matplotlib.legend.Legend or None
        None when nothing is labelled.
    """
    sources = [ax] if ax is not None else fig.axes
    handles, labels = [], []
    for source in sources:
        if source.get_legend() is not None:  # one a plot method drew inside the axes moves below
            source.get_legend().remove()
        for handle, label in zip(*source.get_legend_handles_labels()):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    if not labels:
        return None
    if cells and len(labels) > LEGEND_ENTRIES:  # a campaign's: a legend of them all would squeeze the plot away
        from matplotlib.lines import Line2D

        more = len(labels) - LEGEND_ENTRIES + 1
        handles = [*handles[:LEGEND_ENTRIES - 1], Line2D([], [], ls="none")]
        labels = [*labels[:LEGEND_ENTRIES - 1], f"and {more} more {noun}"]
    options.setdefault("fontsize", 6.5)
    size = options["fontsize"] if isinstance(options["fontsize"], (int, float)) else 6.5
    fits = characters_across(fig, size) - 8  # characters of a line beside its handle
    labels = [textwrap.fill(label, fits) for label in labels]  # one entry may not outrun the figure
    longest = max(len(line) for label in labels for line in label.splitlines())
    options.setdefault("ncols", min(1 if longest > 34 else 2 if longest > 16 else 3, len(labels)))
    # The figure grows by the legend's height, so that the plot keeps its own (eight wrapped entries under a
    # 2.8 inch figure left the axes a sliver), at most to twice its height.
    rows = -(-len(labels) // options["ncols"])
    lines = rows * max(label.count("\n") + 1 for label in labels)
    fig.set_figheight(fig.get_figheight() + min(lines * size * 1.3 / 72 + 0.1, fig.get_figheight()))
    return fig.legend(handles, labels, loc="outside lower center", **options)


PREVIEW_WIDTH_PX = 1600  # the pages show this; the 300 dpi file is one click away
LOG_MINOR_SUBS = (2.0, 5.0)
"""Where a log axis of a saved figure spanning :data:`LOG_LIGHT_FROM_DECADES` or more has its minor ticks in
each decade: at 2 and 5, not at every integer. Each tick is an artist laid out on every drawing (about 2 ms),
and the eight per decade of an impedance fit's Bode and residual axes were two thirds of its saving time
(1.0 s of 1.5 s; 0.35 s with these). Over so many decades minor ticks carry no labels."""
LOG_LIGHT_FROM_DECADES = 2.0  # a shorter log axis keeps every minor tick: they are few, and labelled


def lighter_log_ticks(figure) -> None:
    """Give every log axis of ``figure`` that spans :data:`LOG_LIGHT_FROM_DECADES` or more and whose minor
    locator is a plain ``LogLocator`` (Matplotlib's default, or one a figure set) the minor ticks of
    :data:`LOG_MINOR_SUBS`; an axis with a locator of another kind keeps it.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    """
    import math

    from matplotlib.ticker import LogLocator

    for ax in figure.axes:
        for axis, limits in ((ax.xaxis, ax.get_xlim), (ax.yaxis, ax.get_ylim)):
            if axis.get_scale() != "log" or type(axis.get_minor_locator()) is not LogLocator:
                continue
            low, high = sorted(limits())
            base = axis.get_transform().base
            if low > 0 and math.log(high / low, base) >= LOG_LIGHT_FROM_DECADES:
                axis.set_minor_locator(LogLocator(base=base, subs=LOG_MINOR_SUBS))


def save_figure(figure, folder: Path, stem: str, *, print_quality: bool = True) -> dict[str, object]:
    """Save a figure for a report page: the preview PNG the page shows (at most ``PREVIEW_WIDTH_PX``
    wide) and, with ``print_quality``, the 300 dpi PNG and the SVG a paper needs; return their paths and
    the figure's :func:`redoxmap.report.figure_check.figure_problems`.

    Without ``print_quality`` the preview is drawn once, at its own resolution, and that one drawing
    serves both the checks and the file (``savefig`` after the checks would draw the figure a second
    time: a third of a campaign report's time). Files are written to temporary names and renamed, so
    an interrupted run leaves no truncated image.
    """
    from redoxmap.io.tables import atomic_write
    from redoxmap.report.figure_check import figure_problems

    lighter_log_ticks(figure)
    if not print_quality:
        figure.set_dpi(min(300.0, PREVIEW_WIDTH_PX / figure.get_figwidth()))
        problems = figure_problems(figure)  # draws it on an Agg canvas, at the preview's resolution
        preview = atomic_write(folder / f"{stem}.preview.png", lambda tmp: _write_drawn(figure, tmp))
        return {"preview": preview, "problems": problems}
    problems = figure_problems(figure)  # laid out as on screen, before the PNG's own layout pass
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=300)
    png = atomic_write(folder / f"{stem}.png", lambda tmp: tmp.write_bytes(buffer.getvalue()))
    try:
        figure.set_layout_engine("none")  # laid out by the PNG: the SVG need not solve the layout again
    except RuntimeError:
        pass  # an engine that cannot be switched off (colorbars of some layouts): lay out again
    svg = atomic_write(folder / f"{stem}.svg", lambda tmp: figure.savefig(tmp, format="svg"))
    preview = atomic_write(folder / f"{stem}.preview.png", lambda tmp: tmp.write_bytes(_preview(buffer.getvalue())))
    return {"png": png, "svg": svg, "preview": preview, "problems": problems}


PREVIEW_COMPRESS_LEVEL = 3
"""zlib's level for the previews the pages show, drawn at their own resolution (every report without
``--print-figures``). At 6 (Pillow's default) encoding a 1600 px preview took as long as drawing it (41 ms
against 40); at 3, with the alpha channel of an opaque figure left out, it takes 23 ms and the file is 2 %
larger (the level adds 10 %, leaving out the alpha saves 7 %). A preview scaled down from the 300 dpi PNG
(with ``--print-figures``) keeps Pillow's defaults."""


def _write_drawn(figure, path: Path) -> None:
    """Write the pixels of a figure already drawn on its Agg canvas as a PNG (no second drawing); an opaque
    figure's (every report figure's: its background is white) as RGB, the same image without its alpha."""
    import numpy as np
    from PIL import Image

    pixels = np.asarray(figure.canvas.buffer_rgba())
    opaque = pixels[..., 3].min(initial=255) == 255
    image = Image.fromarray(np.ascontiguousarray(pixels[..., :3]), "RGB") if opaque else Image.fromarray(pixels, "RGBA")
    image.save(path, format="PNG", compress_level=PREVIEW_COMPRESS_LEVEL)


def _preview(png: bytes) -> bytes:
    """The PNG scaled down to ``PREVIEW_WIDTH_PX`` wide (unchanged when it is narrower)."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        if image.width <= PREVIEW_WIDTH_PX:
            return png
        height = round(image.height * PREVIEW_WIDTH_PX / image.width)
        small = image.resize((PREVIEW_WIDTH_PX, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        small.save(out, format="PNG", optimize=False)
        return out.getvalue()
