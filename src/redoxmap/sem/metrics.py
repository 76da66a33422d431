"""Microstructure metrics of a segmented cross-section, each defined here in words and code.

* **Area fractions** of every phase, void included.
* **Contact fraction** of the active material: of the boundary between cathode pixels and the
  rest (pairs of edge-sharing pixels), the share whose other side is electrolyte (and void,
  carbon). This is what the model's contacted-area fraction ``phi_c`` stands for.
* **Particle sizes** of a phase: connected regions, touching particles split by a watershed on the
  distance transform (scikit-image), each as an equivalent circular diameter; d10, d50, d90.
* **Dispersion**: the coefficient of variation of the phase's area fraction over square tiles,
  and the Clark-Evans ratio of particle centroids (1 random, < 1 clustered, > 1 regular).
* **Connectivity**: the share of a phase's pixels in regions that touch two opposite edges of the
  field (a path across the section), in x and in y.
* **Tortuosity** of a phase (the electrolyte's, for ion transport): the steady diffusion problem on
  its pixels (concentration 1 and 0 on two opposite edges, no flux elsewhere), solved as a sparse
  linear system with scipy; ``D_eff / D = J / J_open`` and ``tau = epsilon D / D_eff`` (as taufactor
  defines it), so an empty field and straight channels give 1 and a channel of path length ``Lp``
  across a field of length ``L`` gives ``(Lp / L)^2``.
"""

from __future__ import annotations

import math

import numpy as np


def area_fractions(labels: np.ndarray, phases) -> dict[str, float]:
    """Share of the field's pixels in each phase."""
    counts = np.bincount(labels.ravel(), minlength=len(phases))
    return {phase: float(counts[k] / labels.size) for k, phase in enumerate(phases)}


def boundary_pairs(labels: np.ndarray, phase_index: int, phases: int) -> np.ndarray:
    """Counts of the labels across every edge between a pixel of ``phase_index`` and another phase
    (``phases``: how many phases the labels can name)."""
    counts = np.zeros(max(phases, int(labels.max()) + 1), dtype=np.int64)
    for a, b in ((labels[:, :-1], labels[:, 1:]), (labels[:-1, :], labels[1:, :])):
        inside_a, inside_b = a == phase_index, b == phase_index
        counts += np.bincount(b[inside_a & ~inside_b], minlength=len(counts))
        counts += np.bincount(a[inside_b & ~inside_a], minlength=len(counts))
    return counts


def contact_fractions(labels: np.ndarray, phases, phase: str = "cathode") -> dict[str, float]:
    """Share of ``phase``'s boundary shared with each other phase (4-neighbour edges)."""
    index = list(phases).index(phase)
    counts = boundary_pairs(labels, index, len(phases))
    total = counts.sum()
    return {other: float(counts[k] / total) if total else math.nan
            for k, other in enumerate(phases) if k != index}


def particle_table(mask: np.ndarray, pixel_nm: float, *, split: bool = True, min_pixels: int = 4):
    """Particles of a phase: area and equivalent circular diameter (µm), centroid (px).

    Returns
    -------
    pandas.DataFrame
        ``particle``, ``area_um2``, ``ecd_um``, ``row``, ``column``, ``touches_edge``.
    """
    import pandas as pd
    from scipy import ndimage
    from skimage.measure import label, regionprops_table

    if split and mask.any():
        from skimage.feature import peak_local_max
        from skimage.segmentation import watershed

        distance = ndimage.distance_transform_edt(mask)
        peaks = peak_local_max(distance, min_distance=max(2, int(np.median(distance[mask]))), labels=label(mask),
                               exclude_border=False)
        markers = np.zeros(mask.shape, dtype=np.int32)
        markers[tuple(peaks.T)] = np.arange(1, len(peaks) + 1)
        regions = watershed(-distance, markers, mask=mask)
    else:
        regions = label(mask, connectivity=1)
    table = pd.DataFrame(regionprops_table(regions, properties=("label", "area", "centroid", "bbox")))
    if table.empty:
        return pd.DataFrame(columns=["particle", "area_um2", "ecd_um", "row", "column", "touches_edge"])
    table = table[table["area"] >= min_pixels]
    pixel_um = pixel_nm / 1000
    touches = ((table["bbox-0"] == 0) | (table["bbox-1"] == 0) | (table["bbox-2"] == mask.shape[0])
               | (table["bbox-3"] == mask.shape[1]))
    return pd.DataFrame({"particle": table["label"].to_numpy(), "area_um2": table["area"].to_numpy() * pixel_um ** 2,
                         "ecd_um": np.sqrt(4 * table["area"].to_numpy() / math.pi) * pixel_um,
                         "row": table["centroid-0"].to_numpy(), "column": table["centroid-1"].to_numpy(),
                         "touches_edge": touches.to_numpy()})


def tile_fraction_cv(mask: np.ndarray, tiles: int = 4) -> float:
    """Coefficient of variation of a phase's area fraction over ``tiles`` x ``tiles`` squares."""
    rows = np.array_split(np.arange(mask.shape[0]), tiles)
    columns = np.array_split(np.arange(mask.shape[1]), tiles)
    fractions = np.array([mask[np.ix_(r, c)].mean() for r in rows for c in columns])
    return float(fractions.std(ddof=1) / fractions.mean()) if fractions.mean() > 0 else math.nan


def clark_evans(particles, shape: tuple[int, int]) -> float:
    """Clark-Evans ratio of particle centroids (nearest-neighbour distance over its value for a random
    pattern of the same density), without edge correction."""
    from scipy.spatial import cKDTree

    if len(particles) < 3:
        return math.nan
    points = particles[["row", "column"]].to_numpy()
    distances = cKDTree(points).query(points, k=2)[0][:, 1]
    density = len(points) / (shape[0] * shape[1])
    return float(distances.mean() / (0.5 / math.sqrt(density)))


def spanning_share(mask: np.ndarray, axis: int) -> float:
    """Share of a phase's pixels in regions that touch both edges across ``axis`` (0: top-bottom, 1: left-right)."""
    from skimage.measure import label

    if not mask.any():
        return math.nan
    regions = label(mask, connectivity=1)
    first = np.take(regions, 0, axis=axis)
    last = np.take(regions, -1, axis=axis)
    spanning = np.intersect1d(first[first > 0], last[last > 0])
    return float(np.isin(regions, spanning).sum() / mask.sum())


def tortuosity(mask: np.ndarray, axis: int = 1) -> tuple[float, float]:
    """Tortuosity factor and relative effective diffusivity of a phase across ``axis``.

    Returns
    -------
    (float, float)
        ``tau`` (inf when the phase does not span the field) and ``D_eff / D``.
    """
    from scipy import sparse
    from scipy.sparse.linalg import spsolve
    from skimage.measure import label

    grid = np.moveaxis(np.asarray(mask, bool), axis, 1)  # transport along columns
    rows, columns = grid.shape
    regions = label(grid, connectivity=1)
    spanning = np.intersect1d(regions[:, 0][regions[:, 0] > 0], regions[:, -1][regions[:, -1] > 0])
    active = np.isin(regions, spanning)
    epsilon = float(grid.mean())
    if not active.any():
        return math.inf, 0.0
    index = -np.ones(grid.shape, dtype=np.int64)
    index[active] = np.arange(active.sum())
    size = int(active.sum())
    diagonal = np.zeros(size)
    rhs = np.zeros(size)
    off_rows, off_cols = [], []
    for a, b in ((index[:, :-1], index[:, 1:]), (index[:-1, :], index[1:, :])):
        both = (a >= 0) & (b >= 0)
        i, j = a[both], b[both]
        off_rows += [i, j]
        off_cols += [j, i]
        np.add.at(diagonal, i, 1.0)
        np.add.at(diagonal, j, 1.0)
    inlet = index[:, 0][index[:, 0] >= 0]
    outlet = index[:, -1][index[:, -1] >= 0]
    diagonal[inlet] += 2.0  # half a pixel to the reservoir at concentration 1
    rhs[inlet] += 2.0
    diagonal[outlet] += 2.0  # and to the sink at 0
    off_rows = np.concatenate(off_rows) if off_rows else np.array([], dtype=np.int64)
    off_cols = np.concatenate(off_cols) if off_cols else np.array([], dtype=np.int64)
    matrix = sparse.coo_matrix((np.concatenate([diagonal, -np.ones(len(off_rows))]),
                                (np.concatenate([np.arange(size), off_rows]),
                                 np.concatenate([np.arange(size), off_cols]))), shape=(size, size)).tocsc()
    concentration = spsolve(matrix, rhs)
    flux = float(np.sum(2.0 * (1.0 - concentration[inlet])))
    open_flux = rows / columns  # the same discretisation of a field without obstacles
    relative = flux / open_flux
    return (epsilon / relative if relative > 0 else math.inf), relative
