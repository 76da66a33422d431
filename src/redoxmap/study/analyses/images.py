"""Lattice fringes of a sample's micrographs: every image, whole or by named boxes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from redoxmap.defaults import FRINGE_D_RANGE_NM, FRINGE_MAX_SPOTS, FRINGE_MIN_SNR
from redoxmap.io.images import Micrograph, read_image
from redoxmap.tem.fft import FringeResult, fringe_spacings, parse_candidates


@dataclass
class ImageEntry:
    """One micrograph of a sample, optionally with named boxes ``{"bulk": [x0, y0, w, h], ...}``."""

    file: Path
    state: str = "as measured"
    pixel_nm: float | None = None
    boxes: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class TemAnalysis:
    """Fringe spacings of one sample.

    Attributes
    ----------
    name : str
    images : list of (state, Micrograph, list of FringeResult)
    spots : pandas.DataFrame
        Every spot with ``state``, ``file`` and ``region``.
    """

    name: str
    images: list[tuple[str, Micrograph, list[FringeResult]]] = field(default_factory=list, repr=False)
    spots: pd.DataFrame = field(default_factory=pd.DataFrame)


def analyze_images(name: str, entries: list[ImageEntry], *, pixel_nm: float | None = None,
                   d_range_nm: tuple[float, float] = FRINGE_D_RANGE_NM, min_snr: float = FRINGE_MIN_SNR,
                   max_spots: int = FRINGE_MAX_SPOTS,
                   candidates: list[str] | None = None) -> TemAnalysis:
    """Measure fringe spacings in every image (and box) of a sample.

    Parameters
    ----------
    name : str
    entries : list of ImageEntry
    pixel_nm : float, optional
        Pixel size for images whose file and entry give none.
    d_range_nm, min_snr, max_spots
        See :func:`redoxmap.tem.fft.fringe_spacings`.
    candidates : list of str, optional
        ``"NAME=D_NM"`` reflections to match (default: the built-in phases).
    """
    reflections = parse_candidates(candidates) if candidates else None
    result = TemAnalysis(name)
    frames = []
    for entry in entries:
        image = read_image(entry.file, pixel_nm=entry.pixel_nm)
        if image.pixel_nm is None and pixel_nm:
            image.pixel_nm, image.attrs["pixel_source"] = pixel_nm, "manifest"
        regions = entry.boxes or {"whole image": None}
        fringes = [fringe_spacings(image, box=tuple(box) if box else None, label=label, d_range_nm=d_range_nm,
                                   min_snr=min_snr, max_spots=max_spots, candidates=reflections)
                   for label, box in regions.items()]
        result.images.append((entry.state, image, fringes))
        for fringe in fringes:
            frames.append(fringe.spots.assign(state=entry.state, file=entry.file.name, region=fringe.label))
    if frames:
        spots = pd.concat(frames, ignore_index=True)
        result.spots = spots[["state", "file", "region", *[c for c in spots.columns
                                                          if c not in ("state", "file", "region")]]]
    return result
