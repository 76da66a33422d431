"""Reference reflections: built-in phases of Li-rich cathodes, or computed from CIF files.

The built-in lattices are for indexing and for the d-spacing consistency check; peak
intensities need a structure, which comes from a CIF through pymatgen (the ``cif``
extra). A CIF that names only its space group can be expanded in the wrong origin
setting and then holds the wrong atoms, so the expanded composition is checked against
the CIF's ``_chemical_formula_sum``.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap.errors import AnalysisError, FormatError, MissingDependencyError, ReadError
from redoxmap.xrd.crystallography import d_of, d_spacing, two_theta


@dataclass(frozen=True)
class Phase:
    """A lattice and the reflections to look for.

    Attributes
    ----------
    name : str
    system : str
        Crystal system (see :data:`redoxmap.xrd.crystallography.SYSTEMS`).
    params : dict
        Lattice parameters (Angstrom, degrees).
    reflections : tuple of tuple
        Miller indices (hexagonal setting for R-3m).
    source : str
        Where the lattice parameters come from.
    """

    name: str
    system: str
    params: dict = field(hash=False)
    reflections: tuple
    source: str

    def table(self, wavelength_A: float) -> pd.DataFrame:
        """Reflections with d (Angstrom) and 2theta (degrees) at ``wavelength_A``."""
        d = d_of(np.array(self.reflections), self.system, self.params)
        return pd.DataFrame({"phase": self.name, "hkl": [_hkl_text(h) for h in self.reflections],
                             "d_A": d, "two_theta_deg": two_theta(d, wavelength_A),
                             "relative_intensity": np.nan})


PHASES = {
    "R-3m": Phase("LiTMO2 (R-3m)", "hexagonal", {"a": 2.850, "c": 14.25},
                  ((0, 0, 3), (1, 0, 1), (0, 0, 6), (0, 1, 2), (1, 0, 4), (0, 1, 5), (1, 0, 7), (1, 0, 8),
                   (1, 1, 0), (1, 1, 3)),
                  "typical Li-rich layered oxide (hexagonal setting); refine with fit_lattice"),
    "C2/m": Phase("Li2MnO3 (C2/m)", "monoclinic", {"a": 4.937, "b": 8.532, "c": 5.030, "beta": 109.46},
                  ((0, 0, 1), (0, 2, 0), (1, 1, 0), (1, 1, -1), (0, 2, 1), (1, 1, 1), (2, 0, -1), (1, 3, 0),
                   (1, 3, -1), (2, 0, 0)),
                  "Li2MnO3_12.cif (XRD-AutoAnalyzer references, a Materials Project structure)"),
    "Fd-3m": Phase("LiMn2O4 spinel (Fd-3m)", "cubic", {"a": 8.236},
                   ((1, 1, 1), (3, 1, 1), (2, 2, 2), (4, 0, 0), (3, 3, 1), (5, 1, 1), (4, 4, 0)),
                   "LiMn2O4_227.cif (XRD-AutoAnalyzer references)"),
}


def phase(name: str) -> Phase:
    """A built-in phase by space group (``R-3m``, ``C2/m``, ``Fd-3m``) or name."""
    for key, value in PHASES.items():
        if name.replace(" ", "").lower() in (key.lower(), value.name.replace(" ", "").lower()):
            return value
    raise AnalysisError(f"unknown phase {name!r}; built in: {', '.join(PHASES)} (or give a CIF file)")


def _hkl_text(hkl) -> str:
    return " ".join(str(int(v)) for v in hkl)


def _formula_sum(text: str) -> str | None:
    match = re.search(r"^_chemical_formula_sum\s+(?:'([^']*)'|\"([^\"]*)\"|(\S+))", text, re.MULTILINE)
    return next((g for g in match.groups() if g), None) if match else None


def reflections_from_cif(path: str | PathLike, *, wavelength_A: float, two_theta_range=(10.0, 80.0),
                         min_relative_intensity: float = 1.0, check_composition: bool = True) -> pd.DataFrame:
    """Powder reflections of a structure in a CIF file, through pymatgen's ``XRDCalculator``.

    Parameters
    ----------
    path : path-like
        The CIF file.
    wavelength_A : float
    two_theta_range : (float, float)
    min_relative_intensity : float
        Drop reflections weaker than this (% of the strongest).
    check_composition : bool
        Compare the expanded structure's composition with ``_chemical_formula_sum``.

    Returns
    -------
    pandas.DataFrame
        ``phase``, ``hkl`` (three indices; hexagonal i dropped), ``d_A``, ``two_theta_deg``,
        ``relative_intensity`` (%), ``multiplicity``; attrs ``lattice`` and ``space_group``.

    Raises
    ------
    MissingDependencyError
        Without pymatgen (``pip install "redoxmap[cif]"``).
    ReadError, AnalysisError
        For an unreadable CIF, or a composition that disagrees with the formula it states.
    """
    path = Path(path)
    try:
        from pymatgen.analysis.diffraction.xrd import XRDCalculator
        from pymatgen.core import Composition
        from pymatgen.io.cif import CifParser
    except ImportError as exc:
        raise MissingDependencyError('reading CIF files needs pymatgen: pip install "redoxmap[cif]"') from exc
    if not path.exists():
        raise ReadError("file does not exist", path=path)
    text = path.read_text(errors="replace")
    if "_cell_length_a" not in text:
        raise FormatError("not a CIF with a unit cell (_cell_length_a missing)", path=path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            structure = CifParser(path).parse_structures(primitive=False)[0]
    except Exception as exc:
        raise ReadError(f"pymatgen cannot build a structure from this CIF ({exc})", path=path) from exc
    stated = _formula_sum(text)
    if check_composition and stated:
        expected = Composition(stated).reduced_formula
        found = structure.composition.reduced_formula
        if expected != found:
            raise AnalysisError(f"the structure expands to {found} but the CIF states {stated} ({expected}): "
                                "a space-group-only CIF read in the wrong origin setting? Give a CIF with "
                                "symmetry operations, or check_composition=False", path=path)
    with warnings.catch_warnings():  # spglib's deprecation chatter about its own error handling
        warnings.simplefilter("ignore", DeprecationWarning)
        pattern = XRDCalculator(wavelength=wavelength_A).get_pattern(structure, two_theta_range=two_theta_range)
        space_group = structure.get_space_group_info()[0]
    rows = []
    for x, intensity, families, d in zip(pattern.x, pattern.y, pattern.hkls, pattern.d_hkls):
        if intensity < min_relative_intensity:
            continue
        hkl = families[0]["hkl"]
        hkl = (hkl[0], hkl[1], hkl[-1]) if len(hkl) == 4 else hkl
        rows.append({"phase": structure.composition.reduced_formula, "hkl": _hkl_text(hkl), "d_A": float(d),
                     "two_theta_deg": float(x), "relative_intensity": float(intensity),
                     "multiplicity": int(sum(f["multiplicity"] for f in families))})
    table = pd.DataFrame(rows)
    table.attrs.update(lattice=dict(zip(("a", "b", "c"), structure.lattice.abc)) | dict(
        zip(("alpha", "beta", "gamma"), structure.lattice.angles)),
        space_group=space_group, source_file=str(path))
    return table


def match_reflections(peaks: pd.DataFrame, references: pd.DataFrame, *, wavelength_A: float,
                      tolerance_deg: float = 0.6) -> pd.DataFrame:
    """Pair fitted peaks with the nearest reference reflection and state what each implies.

    For every fitted peak: the d-spacing it implies, the nearest reference reflection
    (within ``tolerance_deg``), the reference's 2theta at this wavelength, and the shift
    (observed minus reference) that the pair suggests, in degrees and in units of the
    fit's standard error.

    Returns
    -------
    pandas.DataFrame
        ``peak``, ``center_deg``, ``d_A`` (implied), ``phase``, ``hkl``, ``d_ref_A``,
        ``two_theta_ref_deg``, ``shift_deg``, ``shift_sigma``, ``note``.
    """
    rows = []
    for peak in peaks.itertuples():
        center = peak.center_deg
        row = {"peak": peak.peak, "center_deg": center, "d_A": d_spacing(center, wavelength_A)}
        if not np.isfinite(center) or references.empty:
            rows.append(row | {"note": "no fitted centre" if not np.isfinite(center) else "no references"})
            continue
        reference_2theta = two_theta(references["d_A"].to_numpy(), wavelength_A)
        distance = np.abs(reference_2theta - center)
        i = int(np.nanargmin(distance))
        if distance[i] > tolerance_deg:
            rows.append(row | {"note": f"no reference reflection within {tolerance_deg} deg"})
            continue
        ref = references.iloc[i]
        shift = center - reference_2theta[i]
        sigma = getattr(peak, "center_stderr_deg", np.nan)
        row |= {
            "phase": ref["phase"],
            "hkl": ref["hkl"],
            "d_ref_A": ref["d_A"],
            "two_theta_ref_deg": reference_2theta[i],
            "shift_deg": shift,
            "shift_sigma": shift / sigma if sigma and np.isfinite(sigma) else np.nan,
        }
        row["note"] = (f"d = {row['d_A']:.4f} A vs {ref['d_A']:.4f} A for {ref['phase']} ({ref['hkl']}): "
                       f"a shift of {shift:+.3f} deg" + (" (a zero-shift, displacement or lattice change?)"
                                                        if abs(shift) > 0.05 else ""))
        rows.append(row)
    columns = ["peak", "center_deg", "d_A", "phase", "hkl", "d_ref_A", "two_theta_ref_deg", "shift_deg", "shift_sigma",
               "note"]
    return pd.DataFrame(rows).reindex(columns=columns)  # every column, even when no peak has a reference
