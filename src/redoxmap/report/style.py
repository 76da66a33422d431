"""Figure style and saving: one look for every figure redoxmap makes."""

from __future__ import annotations

import io
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
        """Release a figure's drawing (there is no pyplot registry to remove it from)."""
        figure.clear()


@contextmanager
def figure_style():
    """The publication style (:data:`RC`, :data:`COLORS`) for the figures made inside the block, and
    the :class:`FigureFactory` that makes them. The Matplotlib backend is not touched."""
    import matplotlib
    from cycler import cycler

    with matplotlib.rc_context({**RC, "axes.prop_cycle": cycler(color=COLORS)}):
        yield FigureFactory()


PREVIEW_WIDTH_PX = 1600  # the pages show this; the 300 dpi file is one click away


def save_figure(figure, folder: Path, stem: str) -> dict[str, object]:
    """Save a figure as PNG (300 dpi), SVG and a preview PNG (at most ``PREVIEW_WIDTH_PX`` wide, the one
    the report's pages show) into ``folder``; return their paths.

    Files are written to temporary names and renamed, so an interrupted run leaves no
    truncated image.
    """
    from redoxmap.io.tables import atomic_write

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=300)
    png = atomic_write(folder / f"{stem}.png", lambda tmp: tmp.write_bytes(buffer.getvalue()))
    try:
        figure.set_layout_engine("none")  # laid out by the PNG: the SVG need not solve the layout again
    except RuntimeError:
        pass  # an engine that cannot be switched off (colorbars of some layouts): lay out again
    svg = atomic_write(folder / f"{stem}.svg", lambda tmp: figure.savefig(tmp, format="svg"))
    preview = atomic_write(folder / f"{stem}.preview.png", lambda tmp: tmp.write_bytes(_preview(buffer.getvalue())))
    return {"png": png, "svg": svg, "preview": preview}


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
