"""The page's PNG of a figure holds the pixels of its drawing: without the alpha channel where the figure is
opaque (every report figure), with it where it is not."""

from __future__ import annotations

import numpy as np
from PIL import Image

from redoxmap.report.style import save_figure


def _figure(transparent: bool):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(3.0, 2.0))
    ax = figure.add_subplot()
    ax.plot([0, 1, 2], [1.0, 3.0, 2.0])
    if transparent:
        figure.patch.set_alpha(0.0)
        ax.patch.set_alpha(0.0)
    return figure


def test_an_opaque_figure_is_saved_as_rgb_with_its_drawn_pixels(tmp_path):
    """Truth: the RGBA buffer Matplotlib drew, read back from the canvas after saving."""
    for transparent in (False, True):
        figure = _figure(transparent)
        saved = save_figure(figure, tmp_path, f"f{transparent}", print_quality=False)
        drawn = np.asarray(figure.canvas.buffer_rgba())
        with Image.open(saved["preview"]) as image:
            assert image.mode == ("RGBA" if transparent else "RGB")
            pixels = np.asarray(image)
        np.testing.assert_array_equal(pixels, drawn if transparent else drawn[..., :3])
        assert (drawn[..., 3] == 255).all() != transparent
