"""Figure style and saving: one look for every figure redoxmap makes."""

from __future__ import annotations

import base64
import io
from contextlib import contextmanager
from pathlib import Path

# Okabe-Ito: distinguishable with every common colour-vision deficiency.
COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

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


@contextmanager
def figure_style():
    """Matplotlib settings for publication figures (Agg backend, no display needed)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from cycler import cycler

    with plt.rc_context({**RC, "axes.prop_cycle": cycler(color=COLORS)}):
        yield plt


PREVIEW_WIDTH_PX = 1600  # the page embeds this; the 300 dpi file is one click away


def save_figure(figure, folder: Path, stem: str) -> dict[str, object]:
    """Save a figure as PNG (300 dpi) and SVG into ``folder``; return paths and a base64 PNG preview
    (at most ``PREVIEW_WIDTH_PX`` wide) for embedding.

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
    return {"png": png, "svg": svg, "data": base64.b64encode(_preview(buffer.getvalue())).decode("ascii")}


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
