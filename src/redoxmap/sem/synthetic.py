"""Synthetic cross-sections with known truth: discs of active material in an electrolyte with voids.

Cathode particles are discs of a given radius placed without overlap (random sequential
addition). Each is wrapped in a ring of electrolyte over a known share of its perimeter
(``contact``: in ``sectors`` equal arcs per disc, so that the pixel grid's preference for some
directions averages out) and of void over the rest; the space between the rings is electrolyte
up to ``electrolyte_fraction``, the rest void, with carbon agglomerates. The truth: the contact fraction
(the share of every disc's perimeter against electrolyte), the cathode area fraction (from the
discs' areas), the particle diameter.

:func:`section_with_eds` turns the phase map into a backscatter image and an EDS spectrum cube with
Poisson counts (Mn Kα for the cathode, S Kα and P Kα for the electrolyte, C Kα for carbon, on a
bremsstrahlung background), so that the whole chain (element maps, segmentation, metrics) is
checked against the truth.
"""

from __future__ import annotations

import math

import numpy as np

from redoxmap.io.sem_files import SemSection
from redoxmap.sem.eds import LINE_KEV, detector_fwhm_keV

PHASES = ("void", "cathode", "electrolyte", "carbon")


def packed_discs(shape=(256, 256), *, radius_px: float = 12.0, cathode_fraction: float = 0.3,
                 contact: float = 0.6, sectors: int = 8, ring_px: int = 3, electrolyte_fraction: float = 0.45,
                 carbon_fraction: float = 0.04, sphere_sections: bool = False,
                 seed: int = 0) -> tuple[np.ndarray, dict]:
    """A phase map (0 void, 1 cathode, 2 electrolyte, 3 carbon) and its truth.

    With ``sphere_sections`` each disc is where a random plane cuts a sphere of radius ``radius_px``
    (at a distance ``h radius_px`` from its centre, h uniform in [0, 1)), as in a polished
    cross-section; otherwise every disc has that radius.

    Returns
    -------
    (numpy.ndarray, dict)
        Labels, and ``contact``, ``cathode_fraction`` (of the discs placed), ``diameter_px``, ``discs``.
    """
    from scipy.ndimage import gaussian_filter

    rng = np.random.default_rng(seed)
    rows, columns = shape
    yy, xx = np.mgrid[0:rows, 0:columns]
    labels = np.zeros(shape, dtype=np.int16)
    target = cathode_fraction * rows * columns / (math.pi * radius_px ** 2)
    centres = []
    attempts = 0
    while len(centres) < target and attempts < 20000:
        attempts += 1
        y, x = rng.uniform(radius_px + ring_px, rows - radius_px - ring_px), \
            rng.uniform(radius_px + ring_px, columns - radius_px - ring_px)
        if all((y - cy) ** 2 + (x - cx) ** 2 > (2 * radius_px + 2 * ring_px + 2) ** 2 for cy, cx in centres):
            centres.append((y, x))
    # between the rings: electrolyte and void from a smooth random field, thresholded to the fraction
    field = gaussian_filter(rng.normal(size=shape), 4.0)
    labels[:] = np.where(field > np.quantile(field, 1 - electrolyte_fraction), 2, 0)
    carbon = gaussian_filter(rng.normal(size=shape), 3.0)  # carbon black / VGCF agglomerates of a few px
    labels[carbon > np.quantile(carbon, 1 - carbon_fraction)] = 3
    offsets = rng.uniform(0, 2 * math.pi, len(centres))
    radii = radius_px * (np.sqrt(1 - rng.uniform(0, 1, len(centres)) ** 2) if sphere_sections
                         else np.ones(len(centres)))
    for (y, x), offset, radius in zip(centres, offsets, radii):
        distance = np.hypot(yy - y, xx - x)
        angle = (np.arctan2(yy - y, xx - x) - offset) % (2 * math.pi)
        in_ring = (distance >= radius) & (distance < radius + ring_px)
        covered = (angle % (2 * math.pi / sectors)) < contact * 2 * math.pi / sectors
        labels[in_ring] = np.where(covered[in_ring], 2, 0)
        labels[distance < radius] = 1
    truth = {"contact": contact, "cathode_fraction": float((labels == 1).mean()), "diameter_px": 2 * radius_px,
             "discs": len(centres)}
    return labels, truth


LINES_OF_PHASE = {1: {"Mn": 1.0}, 2: {"S": 0.8, "P": 0.3, "Cl": 0.2}, 3: {"C": 1.0}}


def element_count_maps(labels: np.ndarray, *, counts: float = 40.0, background: float = 0.3,
                       seed: int = 0) -> dict[str, np.ndarray]:
    """Net-count element maps (Poisson) of a phase map, as EDS software exports them: each phase's lines
    with ``counts`` in all, and ``background`` counts of every line everywhere but in pores.

    Returns
    -------
    dict of str to numpy.ndarray
    """
    rng = np.random.default_rng(seed)
    elements = sorted({e for lines in LINES_OF_PHASE.values() for e in lines})
    maps = {}
    for element in elements:
        mean = np.zeros(labels.shape)
        for phase, lines in LINES_OF_PHASE.items():
            total = sum(lines.values())
            mean[labels == phase] = counts * lines.get(element, 0.0) / total
        mean[labels > 0] += background
        maps[element] = rng.poisson(mean).astype(np.uint16)
    return maps


def backscatter_image(labels: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """A backscatter image of a phase map: heavier phases brighter, with noise (8-bit range)."""
    rng = np.random.default_rng(seed)
    brightness = np.array([10.0, 180.0, 110.0, 60.0])  # void, cathode (heavy), electrolyte, carbon
    return np.clip(rng.normal(brightness[labels], 12.0), 0, 255)


def section_with_eds(labels: np.ndarray, *, pixel_nm: float = 100.0, counts: float = 40.0, seed: int = 0,
                     channels: int = 1024, step_keV: float = 0.01) -> SemSection:
    """A backscatter image and an EDS cube with Poisson counts from a phase map.

    Returns
    -------
    SemSection
    """
    rng = np.random.default_rng(seed)
    energy = np.arange(channels) * step_keV + step_keV / 2
    lines = {1: {"Mn": 1.0, "O": 0.3}, 2: {"S": 0.8, "P": 0.3, "Cl": 0.2}, 3: {"C": 1.0}}  # O: a line beside
    spectra = np.zeros((len(PHASES), channels))
    for phase in range(len(PHASES)):
        spectra[phase] = 0.02 * np.exp(-energy / 4.0) * (phase != 0)  # bremsstrahlung of a solid
        for element, weight in lines.get(phase, {}).items():
            sigma = detector_fwhm_keV(LINE_KEV[element]) / 2.3548
            spectra[phase] += weight * np.exp(-0.5 * ((energy - LINE_KEV[element]) / sigma) ** 2) * step_keV / (
                sigma * math.sqrt(2 * math.pi))
    spectra *= counts / np.maximum(spectra.sum(axis=1, keepdims=True), 1e-12)
    spectra[0] *= 0.02  # pores emit almost nothing
    cube = rng.poisson(spectra[labels]).astype(np.uint16)
    image = backscatter_image(labels, seed=seed + 1)
    return SemSection(image, pixel_nm, cube, energy, {}, {"source_file": "synthetic", "format": "synthetic",
                                                          "pixel_source": "synthetic"})
