"""A phase's lattice from a pattern, and the reference reflections to check peaks against."""

from __future__ import annotations

import numpy as np
import pandas as pd

from redoxmap.defaults import XRD_LATTICE_HALF_WIDTH_DEG
from redoxmap.errors import AnalysisError
from redoxmap.io.xrd_files import Pattern
from redoxmap.xrd.crystallography import fit_lattice
from redoxmap.xrd.peaks import fit_pattern_peaks
from redoxmap.xrd.phases import phase, reflections_from_cif


def reference_table(wavelength_A: float, *, phases=("R-3m", "C2/m", "Fd-3m"), cif_files=()) -> pd.DataFrame:
    """Reference reflections: the built-in phases, plus those computed from CIF files."""
    tables = [phase(p).table(wavelength_A) for p in phases]
    tables += [reflections_from_cif(f, wavelength_A=wavelength_A) for f in cif_files]
    return pd.concat(tables, ignore_index=True)


def pattern_lattice(
    pattern: Pattern,
    phase_name: str,
    *,
    peaks: list[tuple[tuple[int, int, int], float]] | None = None,
    half_width_deg: float = XRD_LATTICE_HALF_WIDTH_DEG,
    zero_shift: bool = False,
    displacement: bool = False,
):
    """Refine one phase's lattice from a pattern.

    Without ``peaks``, an R-3m or cubic phase indexes the pattern itself
    (:func:`redoxmap.xrd.indexing.index_pattern`: the (003) found, the cell scanned, reflections
    added as they are predicted within their errors, outliers dropped); another phase fits the
    reflections its built-in cell predicts.

    Parameters
    ----------
    pattern : Pattern
    phase_name : str
        A built-in phase (``R-3m``, ``C2/m``, ``Fd-3m``).
    peaks : list of (hkl, near_deg), optional
        Indexed peaks to fit (your indexing).
    zero_shift, displacement : bool
        Also refine a 2theta zero shift and/or a sample displacement.

    Returns
    -------
    redoxmap.xrd.indexing.IndexedLattice

    Raises
    ------
    AnalysisError
        When no reflection of the phase lies in the pattern's range, or too few are found.
    """
    from redoxmap.xrd.indexing import IndexedLattice, index_pattern

    reference = phase(phase_name)
    wavelength = pattern.attrs["wavelength_A"]
    if peaks is None and reference.system in ("hexagonal", "cubic"):
        return index_pattern(pattern, phase_name, zero_shift=zero_shift, displacement=displacement,
                             max_half_width_deg=half_width_deg)
    if peaks is None:
        table = reference.table(wavelength)
        inside = table["two_theta_deg"].between(pattern.two_theta[0] + half_width_deg,
                                                pattern.two_theta[-1] - half_width_deg)
        peaks = [(tuple(int(v) for v in row.hkl.split()), row.two_theta_deg) for row in table[inside].itertuples()]
    if not peaks:
        raise AnalysisError(f"no {phase_name} reflection lies in the pattern's range",
                            path=pattern.attrs.get("source_file"))
    fits = fit_pattern_peaks(pattern, [near for _, near in peaks], half_width_deg=half_width_deg,
                             labels=[" ".join(map(str, hkl)) for hkl, _ in peaks]).table
    found = fits["found"].to_numpy()
    fit = fit_lattice(np.array([hkl for hkl, _ in peaks])[found], fits["center_deg"][found],
                      fits["center_stderr_deg"][found], wavelength_A=wavelength, system=reference.system,
                      zero_shift=zero_shift, displacement=displacement)
    rows = pd.DataFrame({"hkl": [" ".join(map(str, hkl)) for hkl, _ in peaks],
                         "two_theta_obs_deg": fits["center_deg"], "stderr_deg": fits["center_stderr_deg"],
                         "status": np.where(found, "used", "no peak")})
    return IndexedLattice(fit, rows.merge(fit.peaks[["hkl", "two_theta_calc_deg", "residual_deg"]], on="hkl",
                                          how="left"), 1, [])
