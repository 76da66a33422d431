"""Phases of a composite cathode's cross-section from its image and element maps.

EDS counts are Poisson, so the phases are told apart by likelihood, not by thresholds that a rare
phase or a weak line would upset:

1. **Counts per phase**: each phase's marker elements (cathode: Mn, Ni, Co; sulfide electrolyte:
   S, P, Cl; carbon: C) are summed per pixel, and over each pixel's ``window`` x ``window``
   neighbourhood (binomial weights) for the composition (EDS maps hold a few counts per pixel; a sum of Poisson counts
   is Poisson, and a pore, which emits nothing, does not dilute a neighbour's composition).
2. **Void** emits almost no X-rays and is dark in backscatter: a pixel is void when its own total
   count is below the Otsu threshold of log(1 + total) and, where the image is used
   (``void_from_image``), the image is below its own Otsu threshold.
3. **Composition**: every other pixel's counts are explained by one phase's composition (the
   share of each phase's lines in its counts: a multinomial mixture, so that a pixel's brightness
   or the phase's abundance does not matter). The compositions start at the pixels where each phase's
   share is highest (the top 1 %) and are refined by expectation-maximisation (``iterations``); a
   pixel goes to its most probable phase (``method="likelihood"``). With ``method="random_walker"``
   the pixels whose probability is below ``confidence`` are decided instead by scikit-image's random
   walker (Grady 2006) from the confident pixels around (the baseline of image segmentation; on the
   synthetic sections of the tests it is slower and no more accurate).

Element maps that are intensities rather than counts (exported images) are used as if they were
counts after scaling their mean to ``counts_per_pixel``. Without element maps only two phases can be
told apart by contrast (``phases_by_contrast``): the image's Otsu classes.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from redoxmap.errors import AnalysisError, DataWarning, warn

DEFAULT_PHASES = {"cathode": ("Mn", "Ni", "Co"), "electrolyte": ("S", "P", "Cl"), "carbon": ("C",)}
"""Phases of a Li-rich cathode / argyrodite / carbon composite and the elements that mark them."""
VOID = "void"


@dataclass
class Segmentation:
    """Phase labels of a section.

    Attributes
    ----------
    labels : numpy.ndarray
        Integer phase index per pixel (``phases[labels]``).
    phases : tuple of str
        ``("void", ...)``: index 0 is void.
    method : str
    parameters : dict
    """

    labels: np.ndarray = field(repr=False)
    phases: tuple
    method: str
    parameters: dict = field(default_factory=dict)

    def mask(self, phase: str) -> np.ndarray:
        """Boolean map of one phase."""
        if phase not in self.phases:
            raise AnalysisError(f"no phase {phase!r}; phases: {', '.join(self.phases)}")
        return self.labels == self.phases.index(phase)

    def plot(self, ax=None, image=None, alpha: float = 0.45, pixel_nm: float | None = None):
        """The phases over the image (or alone), with a legend, and a scale bar when ``pixel_nm`` (the
        pixel size in nm) is given.

        Returns
        -------
        matplotlib.axes.Axes
        """
        from matplotlib.colors import ListedColormap
        from matplotlib.patches import Patch

        from redoxmap.palette import COLORS
        from redoxmap.results import axes_for

        ax = axes_for(ax, (4.0, 3.4))
        colors = ["#000000"] + [COLORS[i % len(COLORS)] for i in range(len(self.phases) - 1)]
        if image is not None:
            ax.imshow(image, cmap="gray", interpolation="nearest")
        ax.imshow(self.labels, cmap=ListedColormap(colors), vmin=0, vmax=len(colors) - 1,
                  alpha=alpha if image is not None else 1.0, interpolation="nearest")
        # under the image, not on it: a legend inside would hide part of the micrograph
        ax.legend(handles=[Patch(color=c, label=p) for c, p in zip(colors, self.phases)], fontsize="x-small",
                  loc="upper center", bbox_to_anchor=(0.5, -0.01), ncols=min(4, len(self.phases)), frameon=False)
        if pixel_nm:
            scale_bar(ax, pixel_nm, self.labels.shape[1])
        ax.set_axis_off()
        return ax


def scale_bar(ax, pixel_nm: float, width_px: int) -> None:
    """A scale bar in the lower left of an image drawn in pixels: a round length (1, 2 or 5 times a power
    of ten, in nm or µm) of about a fifth of the image's width."""
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    target_nm = width_px * pixel_nm / 5
    power = 10 ** math.floor(math.log10(target_nm))
    length_nm = max(m * power for m in (1, 2, 5) if m * power <= target_nm)
    label = f"{length_nm / 1000:g} µm" if length_nm >= 1000 else f"{length_nm:g} nm"
    bar = AnchoredSizeBar(ax.transData, length_nm / pixel_nm, label, "lower left", pad=0.3, color="white",
                          frameon=True, size_vertical=max(width_px / 150, 1), fontproperties={"size": 7})
    bar.patch.set(facecolor="black", alpha=0.6, edgecolor="none")  # readable on any image
    ax.add_artist(bar)


def _otsu(values: np.ndarray) -> float:
    from skimage.filters import threshold_otsu

    finite = values[np.isfinite(values)]
    return float(threshold_otsu(finite)) if np.ptp(finite) > 0 else float(finite.max())


def _neighbourhood(counts: np.ndarray, window: int) -> np.ndarray:
    """Counts summed over a pixel's neighbourhood with binomial weights (1 at the centre, 1/2 at the
    edges, 1/4 at the corners for a window of 3): the neighbours lend counts without moving boundaries
    as far as an even sum would."""
    from math import comb

    from scipy.ndimage import convolve

    if window <= 1:
        return counts
    weights = np.array([comb(window - 1, k) for k in range(window)], dtype=float)
    weights /= weights.max()
    return convolve(counts, np.outer(weights, weights), mode="nearest")


def segment_phases(image: np.ndarray, maps: dict[str, np.ndarray], *, phases: dict | None = None,
                   method: str = "likelihood", window: int | None = None, confidence: float = 0.9, iterations: int = 30,
                   void_from_image: bool = True, counts_per_pixel: float | None = None) -> Segmentation:
    """Label every pixel as void or one of the phases (see the module docstring).

    Parameters
    ----------
    image : numpy.ndarray
        Backscatter (or secondary-electron) image of the field.
    maps : dict of str to numpy.ndarray
        Element maps of the same field: net counts (from a cube), or intensities (see ``counts_per_pixel``).
    phases : dict of str to sequence of str, optional
        The phases and their marker elements (:data:`DEFAULT_PHASES`); elements without a map are
        skipped, a phase with none of its maps is an error.
    method : {"likelihood", "random_walker"}
    window : int, optional
        Side of the neighbourhood whose counts give the composition (1: the pixel alone). By default
        the smallest of 3, 5, 7, 9 that gathers a median of 20 counts (sparse maps need more).
    confidence : float
        A pixel whose most probable phase has a lower probability is ambiguous.
    iterations : int
        Expectation-maximisation steps.
    void_from_image : bool
        Call void only the low-count pixels that are also dark in the image.
    counts_per_pixel : float, optional
        Treat the maps as intensities and scale their mean to this many counts (for exported map images).

    Returns
    -------
    Segmentation
    """
    phases = dict(phases or DEFAULT_PHASES)
    if method not in ("random_walker", "likelihood"):
        raise AnalysisError(f"method must be 'likelihood' or 'random_walker', not {method!r}")
    image = np.asarray(image, dtype=float)
    raw, used = [], {}
    for phase, elements in phases.items():
        present = [e for e in elements if e in maps]
        if not present:
            raise AnalysisError(f"phase {phase!r} has no element map (needs one of {', '.join(elements)}; maps: "
                                f"{', '.join(maps) or 'none'})")
        counts = sum(np.clip(np.asarray(maps[e], dtype=float), 0, None) for e in present)
        if counts_per_pixel:
            counts = counts * counts_per_pixel / max(counts.mean(), 1e-12)
        raw.append(counts)
        used[phase] = present
    if window is None:
        per_pixel = float(np.median(sum(raw)))
        window = next((w for w in (3, 5, 7, 9) if per_pixel * _neighbourhood(np.ones((9, 9)), w)[4, 4] >= 20), 9)
    columns = [_neighbourhood(counts, window) for counts in raw]
    counts = np.stack(columns, axis=-1).reshape(-1, len(columns))
    total = np.log1p(sum(raw))  # the pixel's own counts: a neighbour's must not fill a pore
    void = total < _otsu(total)
    if void_from_image:
        void &= image < _otsu(image)
    solid = ~void.ravel()
    x = counts[solid]
    shares = x / np.maximum(x.sum(axis=1, keepdims=True), 1e-12)
    composition = np.array(
        [x[shares[:, k] >= np.quantile(shares[:, k], 0.99)].sum(axis=0) for k in range(len(columns))]
    )
    composition = np.maximum(composition / composition.sum(axis=1, keepdims=True), 1e-6)
    weights = np.full(len(columns), 1 / len(columns))
    for _ in range(iterations):
        log_p = x @ np.log(composition).T + np.log(weights)
        log_p -= log_p.max(axis=1, keepdims=True)
        responsibility = np.exp(log_p)
        responsibility /= responsibility.sum(axis=1, keepdims=True)
        composition = responsibility.T @ x + 1e-9
        composition = np.maximum(composition / composition.sum(axis=1, keepdims=True), 1e-6)
        weights = np.maximum(responsibility.sum(axis=0) / len(x), 1e-6)
    chosen = responsibility.argmax(axis=1)
    names = list(phases)
    for a in range(len(columns)):
        for b in range(a + 1, len(columns)):
            if 0.5 * np.abs(composition[a] - composition[b]).sum() < 0.1:
                # one composition for two phases: the pixels go to the phase whose lines dominate it
                winner = a if composition[a][a] >= composition[a][b] else b
                chosen[np.isin(chosen, (a, b))] = winner
                warn(f"phases {names[a]!r} and {names[b]!r} have the same composition in these maps "
                              f"(they cannot be told apart at these counts: a longer acquisition, or other marker "
                              f"elements); their pixels are called {names[winner]!r}, whose lines dominate it",
                              DataWarning)
    labels = np.zeros(image.size, dtype=np.int16)
    labels[solid] = chosen + 1
    probability = np.ones(image.size)
    probability[solid] = responsibility.max(axis=1)
    labels, probability = labels.reshape(image.shape), probability.reshape(image.shape)
    ambiguous = (probability < confidence) & ~void
    if method == "random_walker" and ambiguous.any() and (~ambiguous & ~void).any():
        from skimage.segmentation import random_walker

        seeds = np.where(ambiguous, 0, labels)  # random_walker's 0 is "unlabelled"
        seeds[void] = -1  # not part of the problem
        if len(np.unique(seeds[seeds > 0])) > 1:
            features = np.log1p(np.stack(columns, axis=-1))
            with warnings.catch_warnings():  # its tolerance check on the probabilities, not about the data
                warnings.filterwarnings("ignore", message="The probability range is outside")
                walked = random_walker(features, seeds, beta=130, mode="cg_j", channel_axis=-1)
            labels = np.where(ambiguous, walked, labels)
    labels = np.where(void | (labels < 0), 0, labels).astype(np.int16)
    return Segmentation(labels, (VOID, *phases), method,
                        {"phases": used, "window": window, "confidence": confidence,
                         "void": "low X-ray total, dark in the image" if void_from_image else "low X-ray total",
                         "ambiguous_fraction": float(ambiguous.mean()),
                         "compositions": {name: composition[k].round(3).tolist() for k, name in enumerate(phases)}})


def phases_by_contrast(image: np.ndarray, names=("dark phase", "bright phase")) -> Segmentation:
    """Three classes by multi-Otsu thresholds of the image alone: void, and two phases by contrast.

    Returns
    -------
    Segmentation

    Raises
    ------
    AnalysisError
        For an image with fewer than three occupied grey levels (of the 256 the thresholds are sought in).
    """
    from skimage.filters import threshold_multiotsu

    values = np.asarray(image, dtype=float)
    finite = values[np.isfinite(values)]
    levels = int(np.count_nonzero(np.histogram(finite, bins=256)[0])) if finite.size and np.ptp(finite) > 0 else 1
    if levels < 3:
        raise AnalysisError(f"the image has {levels} occupied grey level(s) of 256: too few to tell void and two "
                            "phases apart by contrast (a navigation-camera view, or a blank frame?)")
    thresholds = threshold_multiotsu(values, classes=3)
    labels = np.digitize(image, thresholds).astype(np.int16)
    return Segmentation(labels, (VOID, *names), "multi-Otsu", {"thresholds": thresholds.tolist()})
