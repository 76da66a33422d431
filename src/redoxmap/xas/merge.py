"""Merging repeated scans with outlier rejection."""

from __future__ import annotations

import numpy as np

from redoxmap.errors import AnalysisError, DataWarning, warn


def merge_scans(scans: list[tuple[np.ndarray, np.ndarray]], *, threshold: float = 3.0,
                labels: list[str] | None = None) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Average repeated scans on the first scan's grid, leaving out outlying scans.

    A scan is an outlier when its RMS deviation from the point-wise median exceeds
    ``threshold`` times the median of all scans' RMS deviations (a glitch, a beam dump,
    a detector saturating). With two scans nothing can be told apart and both are kept.

    Returns
    -------
    energy, mean, kept : numpy.ndarray, numpy.ndarray, list of int
        The grid, the merged values and the indices of the scans that were kept.
    """
    if not scans:
        raise AnalysisError("no scans to merge")
    energy = np.asarray(scans[0][0], float)
    lo = max(np.asarray(e)[0] for e, _ in scans)
    hi = min(np.asarray(e)[-1] for e, _ in scans)
    inside = (energy >= lo) & (energy <= hi)
    if inside.sum() < 3:
        raise AnalysisError("the scans do not overlap in energy")
    energy = energy[inside]
    values = np.array([np.interp(energy, np.asarray(e, float), np.asarray(m, float)) for e, m in scans])
    kept = list(range(len(scans)))
    if len(scans) >= 3:
        median = np.median(values, axis=0)
        rms = np.sqrt(np.mean((values - median) ** 2, axis=1))
        typical = np.median(rms)
        kept = [i for i in kept if typical == 0 or rms[i] <= threshold * typical]
        dropped = sorted(set(range(len(scans))) - set(kept))
        if dropped:
            names = [labels[i] if labels else str(i) for i in dropped]
            warn(f"scans {', '.join(names)} deviate from the others and were left out of the merge",
                          DataWarning)
    return energy, values[kept].mean(axis=0), kept
