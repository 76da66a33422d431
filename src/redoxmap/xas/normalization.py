"""Edge position and normalisation of absorption spectra, per edge type.

* K edges: a line through the pre-edge, a polynomial through the post-edge, the edge
  step at E0 (from the maximum of the smoothed derivative); ``norm = (mu - pre) / step``.
* L2,3 and O K edges of soft XAS: a pre-edge line, then either the level of a post-edge
  window (above L2; 540-545 eV for O K) or the area over a window.

Every result records the choices made, so that they travel with the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.ndimage import gaussian_filter1d

from redoxmap.errors import AnalysisError
from redoxmap.results import DataView


def _uniform(energy: np.ndarray, mu: np.ndarray, step: float):
    grid = np.arange(energy[0], energy[-1] + step / 2, step)
    return grid, np.interp(grid, energy, mu)


def edge_energy(energy, mu, *, search: tuple[float, float] | None = None,
                smoothing_eV: float = 0.75) -> float:
    """E0: the energy of the maximum of the (Gaussian-smoothed) derivative of mu.

    Parameters
    ----------
    energy, mu : array-like
        Increasing energies (eV) and absorption.
    search : (float, float), optional
        Window in eV to look in (default: the whole spectrum).
    smoothing_eV : float
        Gaussian sigma applied before differentiating.
    """
    energy, mu = np.asarray(energy, float), np.asarray(mu, float)
    spacing = np.diff(energy)
    step = max(float(np.partition(spacing, len(spacing) // 2)[len(spacing) // 2]) / 2, 0.05)  # median
    if search is not None:  # smooth only around the window (4 sigma margin): calibration runs per scan
        margin = 4 * smoothing_eV + 2 * step
        near = (energy >= search[0] - margin) & (energy <= search[1] + margin)
        if near.sum() >= 3:
            energy, mu = energy[near], mu[near]
    grid, values = _uniform(energy, mu, step)
    if len(grid) < 3:
        raise AnalysisError(f"{len(energy)} points are too few to locate an edge")
    smooth = gaussian_filter1d(values, smoothing_eV / step)
    # Central differences (one-sided at the ends), as numpy.gradient, at a fraction of its call cost.
    derivative = np.empty_like(smooth)
    derivative[1:-1] = (smooth[2:] - smooth[:-2]) / (2 * step)
    derivative[0], derivative[-1] = (smooth[1] - smooth[0]) / step, (smooth[-1] - smooth[-2]) / step
    if search is None:
        i = int(np.argmax(derivative))
    else:
        lo, hi = np.searchsorted(grid, search[0]), np.searchsorted(grid, search[1], side="right")
        if hi <= lo:
            raise AnalysisError(f"the E0 search window {search} lies outside the spectrum")
        i = lo + int(np.argmax(derivative[lo:hi]))
    if 0 < i < len(grid) - 1:  # parabola through the maximum
        a, b, c = derivative[i - 1:i + 2]
        denominator = a - 2 * b + c
        offset = 0.5 * (a - c) / denominator if denominator else 0.0
        return float(grid[i] + np.clip(offset, -0.5, 0.5) * step)
    return float(grid[i])


@dataclass
class Normalization(DataView):
    """A normalised spectrum and how it was made (``plot()`` draws it; a notebook shows a summary).

    Attributes
    ----------
    energy, norm : numpy.ndarray
    e0 : float
        Edge energy in eV.
    edge_step : float
        Edge step (K edge) or the level/area divided by (soft edges).
    method : str
        ``"k-edge"``, ``"level"`` or ``"area"``.
    parameters : dict
        Windows (relative to E0 or absolute, as stated) and polynomial orders used.
    """

    energy: np.ndarray = field(repr=False)
    norm: np.ndarray = field(repr=False)
    e0: float
    edge_step: float
    method: str
    parameters: dict = field(default_factory=dict, repr=False)

    title = "Normalised spectrum"

    def summary(self) -> dict:
        """E0, edge step, method, points, energy range and the windows used."""
        return {"E0 (eV)": self.e0, "edge step": self.edge_step, "method": self.method, "points": len(self.energy),
                "energy range": f"{self.energy.min():.1f}-{self.energy.max():.1f} eV", **self.parameters}

    def _draw(self, ax) -> None:
        ax.plot(self.energy, self.norm, lw=1.0, label=self.method)
        ax.axvline(self.e0, color="0.6", lw=0.6, ls="--", label=f"E0 = {self.e0:.2f} eV")
        ax.set_xlabel("Energy (eV)")
        ax.set_ylabel("Normalised absorption")
        ax.legend(fontsize=6.5)


def _line(energy, mu, lo, hi, order, what):
    """Least-squares polynomial through a window, returned as a function of energy.

    Energies are centred on the window before fitting (6500 eV squared would make the
    normal equations ill-conditioned); a plain lstsq is used instead of
    ``numpy.polynomial.polyfit``, whose domain mapping costs more than the fit itself.
    """
    inside = (energy >= lo) & (energy <= hi)
    if inside.sum() < order + 2:
        raise AnalysisError(f"too few points ({int(inside.sum())}) in the {what} window "
                            f"{lo:.1f}-{hi:.1f} eV")
    x = energy[inside]
    centre = 0.5 * (x[0] + x[-1])
    coef = np.linalg.lstsq(np.vander(x - centre, order + 1, increasing=True), mu[inside], rcond=None)[0]
    return lambda e: np.polynomial.polynomial.polyval(np.asarray(e, float) - centre, coef)


def normalize_k_edge(energy, mu, *, e0: float | None = None, pre: tuple[float, float] = (-150.0, -20.0),
                     post: tuple[float, float | None] = (30.0, None), post_order: int = 2) -> Normalization:
    """Normalise a K-edge spectrum to a unit edge step.

    ``pre`` and ``post`` are relative to E0 (eV); ``post[1] = None`` runs to the end.
    Windows that reach beyond the data are clipped to it.
    """
    energy, mu = np.asarray(energy, float), np.asarray(mu, float)
    e0 = edge_energy(energy, mu) if e0 is None else float(e0)
    pre_lo = max(e0 + pre[0], energy[0])
    pre_hi = e0 + pre[1]
    if pre_hi - pre_lo < 5.0:  # short XANES scans: use what lies before the edge
        pre_hi = min(e0 - 10.0, energy[0] + 0.5 * (e0 - energy[0]))
    post_lo = e0 + post[0]
    post_hi = energy[-1] if post[1] is None else min(e0 + post[1], energy[-1])
    order = post_order if post_hi - post_lo > 60 else min(post_order, 1)
    pre_line = _line(energy, mu, pre_lo, pre_hi, 1, "pre-edge")
    post_curve = _line(energy, mu, post_lo, post_hi, order, "post-edge")
    step = float(post_curve(e0) - pre_line(e0))
    if not np.isfinite(step) or step <= 0:
        raise AnalysisError(f"edge step at E0 = {e0:.1f} eV is {step:.3g}: no absorption edge there")
    norm = (mu - pre_line(energy)) / step
    return Normalization(energy, norm, e0, step, "k-edge", {
        "pre_eV": (pre_lo, pre_hi), "post_eV": (post_lo, post_hi), "post_order": order})


def two_step_background(energy, l3_eV: float, l2_eV: float, *, width_eV: float = 1.0) -> np.ndarray:
    """Two arctan steps at the L3 and L2 edges with 2:1 heights (the 2p3/2 : 2p1/2 occupancy),
    rising from 0 to 1 in total."""
    energy = np.asarray(energy, float)
    step = lambda e0: 0.5 + np.arctan((energy - e0) / width_eV) / np.pi
    return (2.0 * step(l3_eV) + step(l2_eV)) / 3.0


def normalize_soft(energy, mu, *, pre: tuple[float, float] | None = None,
                   level: tuple[float, float] | None = None,
                   area: tuple[float, float] | None = None,
                   steps_eV: tuple[float, float] | None = None, step_width_eV: float = 1.0,
                   post: tuple[float, float] | None = None) -> Normalization:
    """Normalise a soft-XAS edge (TM L2,3 or O K): pre-edge line, then a level or an area.

    Parameters
    ----------
    pre : (float, float), optional
        Absolute pre-edge window (eV) for a line to subtract; none if omitted (spectra
        whose background is already removed).
    level : (float, float), optional
        Window whose mean is set to 1 (above L2; 540-545 eV for O K).
    area : (float, float), optional
        Window whose integral is set to 1. Exactly one of ``level`` and ``area``.
    steps_eV : (float, float), optional
        L3 and L2 edge energies: a two-arctan step background with 2:1 heights
        (:func:`two_step_background`) is scaled to the level of the ``post`` window
        (above L2) and subtracted, leaving the white lines.
    """
    energy, mu = np.asarray(energy, float), np.asarray(mu, float)
    if (level is None) == (area is None):
        raise AnalysisError("give exactly one of level= and area=")
    background = np.zeros_like(mu)
    if pre is not None:
        background = _line(energy, mu, *pre, 1, "pre-edge")(energy)
    corrected = mu - background
    parameters = {"pre_eV": pre}
    if steps_eV is not None:
        if post is None:
            raise AnalysisError("a two-step background needs the post-edge window (post=) above L2")
        shape = two_step_background(energy, *steps_eV, width_eV=step_width_eV)
        above = (energy >= post[0]) & (energy <= post[1])
        if above.sum() < 3:
            raise AnalysisError(f"too few points in the post-edge window {post[0]}-{post[1]} eV")
        height = float(np.mean(corrected[above]) / np.mean(shape[above]))
        corrected = corrected - height * shape
        parameters.update({"steps_eV": steps_eV, "step_width_eV": step_width_eV, "post_eV": post,
                           "step_height": height})
    window = level or area
    inside = (energy >= window[0]) & (energy <= window[1])
    if inside.sum() < 3:
        raise AnalysisError(f"too few points in the normalisation window {window[0]}-{window[1]} eV")
    if level is not None:
        scale, method = float(np.mean(corrected[inside])), "level"
    else:
        scale, method = float(np.trapezoid(corrected[inside], energy[inside])), "area"
    if not np.isfinite(scale) or scale <= 0:
        raise AnalysisError(f"normalisation {method} is {scale:.3g}: nothing to normalise by")
    parameters[f"{method}_eV"] = window
    return Normalization(energy, corrected / scale, edge_energy(energy, corrected), scale, method, parameters)


def half_edge_energy(energy, norm, *, level: float = 0.5, search: tuple[float, float] | None = None) -> float:
    """Energy where a normalised K edge first reaches ``level`` (0.5: the half-height position).

    More robust than the derivative maximum for valence calibration: white lines and
    pre-edge shoulders move the derivative maximum between features from one oxide to
    the next, while the half-height point follows the edge itself.
    """
    energy, norm = np.asarray(energy, float), np.asarray(norm, float)
    inside = np.ones_like(energy, dtype=bool) if search is None else (energy >= search[0]) & (energy <= search[1])
    index = np.flatnonzero(inside & (norm >= level))
    if not len(index) or index[0] == 0:
        raise AnalysisError(f"the normalised spectrum does not cross {level} inside the search window")
    i = index[0]
    return float(np.interp(level, norm[i - 1:i + 1], energy[i - 1:i + 1]))
