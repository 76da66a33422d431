"""Everything the structure section of a report shows for one sample's diffraction data.

Ex situ patterns (one per state): the requested peaks fitted, c from (003), the
(020)/(003) intensity ratio, lattice parameters where enough indexed peaks of a phase
were found, and the consistency check (the d-spacing each peak implies against its
reference). In situ series: :func:`redoxmap.xrd.series.analyze_series`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap.defaults import XRD_HALF_WIDTH_DEG
from redoxmap.errors import AnalysisError, DataWarning, warn
from redoxmap.io.xrd_files import Pattern, read_pattern, read_series
from redoxmap.xrd.crystallography import SYSTEMS, c_from_003, fit_lattice
from redoxmap.xrd.lattice import reference_table
from redoxmap.xrd.peaks import fit_pattern_peaks
from redoxmap.xrd.phases import match_reflections, phase
from redoxmap.xrd.series import SeriesResult, analyze_series

# The peaks that say whether Li2MnO3 took part (reference study, Figure 2), plus (104) so
# that a and c of the layered phase can be refined from an ex situ pattern.
DEFAULT_PEAKS = [
    {"label": "003", "phase": "R-3m", "hkl": [0, 0, 3], "near": 18.6},
    {"label": "020", "phase": "C2/m", "hkl": [0, 2, 0], "near": 20.8},
    {"label": "104", "phase": "R-3m", "hkl": [1, 0, 4], "near": 44.5},
]


@dataclass
class PatternEntry:
    """One diffraction measurement of a sample: an ex situ pattern or an in situ series (with the
    cycler file that gives its voltage, read with the cell's active mass)."""

    files: list[Path]
    state: str = "as measured"
    series: bool = False
    cycling: Path | None = None
    time_offset_s: float = 0.0
    active_mass_mg: float | None = None


@dataclass
class XrdAnalysis:
    """Diffraction results of one sample.

    Attributes
    ----------
    name : str
    patterns : dict
        State -> :class:`~redoxmap.io.xrd_files.Pattern`.
    peaks : pandas.DataFrame
        Every fitted peak, with ``state``.
    per_state : pandas.DataFrame
        Per state: ``c_A`` (+ stderr) from (003), ``ratio_020_003`` (+ stderr), lattice
        parameters of R-3m where refined.
    consistency : pandas.DataFrame
        Per state and peak: implied d, nearest reference, suggested shift.
    series : list of SeriesResult
    fits : dict
        State -> its :class:`~redoxmap.xrd.peaks.PeakFits` (data, fit and background of each window).
    notes : list of str
    """

    name: str
    patterns: dict[str, Pattern] = field(default_factory=dict, repr=False)
    peaks: pd.DataFrame = field(default_factory=pd.DataFrame)
    per_state: pd.DataFrame = field(default_factory=pd.DataFrame)
    consistency: pd.DataFrame = field(default_factory=pd.DataFrame)
    series: list[SeriesResult] = field(default_factory=list, repr=False)
    fits: dict = field(default_factory=dict, repr=False)
    notes: list[str] = field(default_factory=list)


def _summary_row(state: str, table: pd.DataFrame, wavelength: float, peaks_spec: list[dict]) -> dict:
    row = {"state": state}
    by_label = table.set_index("peak")
    if "003" in by_label.index and by_label.loc["003", "found"]:
        c, c_err = c_from_003(by_label.loc["003", "center_deg"], by_label.loc["003", "center_stderr_deg"], wavelength)
        row.update(c_A=float(c), c_stderr_A=float(c_err))
    if {"003", "020"} <= set(by_label.index) and by_label.loc["003", "found"]:
        a003, e003 = by_label.loc["003", "integrated_area"], by_label.loc["003", "area_stderr"]
        a020 = by_label.loc["020", "integrated_area"] if by_label.loc["020", "found"] else 0.0
        e020 = by_label.loc["020", "area_stderr"] if by_label.loc["020", "found"] else np.nan
        ratio = a020 / a003
        row.update(ratio_020_003=float(ratio), ratio_020_003_stderr=float(
            abs(ratio) * np.hypot(e020 / a020 if a020 else 0.0, e003 / a003)))
    for phase_name in {p["phase"] for p in peaks_spec}:
        indexed = [(p["hkl"], by_label.loc[p["label"]]) for p in peaks_spec
                   if p["phase"] == phase_name and p["label"] in by_label.index and by_label.loc[p["label"], "found"]]
        system = phase(phase_name).system
        if len(indexed) < len(SYSTEMS[system]):
            continue
        try:
            lattice = fit_lattice([h for h, _ in indexed], [r["center_deg"] for _, r in indexed],
                                  [r["center_stderr_deg"] for _, r in indexed], wavelength_A=wavelength, system=system)
        except AnalysisError:
            continue
        for key, value in lattice.params.items():
            row[f"{phase_name} {key}"] = value
            row[f"{phase_name} {key}_stderr"] = lattice.stderr[key]
    return row


def analyze_xrd(name: str, entries: list[PatternEntry], *, peaks: list[dict] | None = None,
                half_width_deg: float = XRD_HALF_WIDTH_DEG, cif_files=(), wavelength_A: float | None = None,
                radiation: str | None = None) -> XrdAnalysis:
    """Analyse a sample's ex situ patterns and in situ series.

    Parameters
    ----------
    name : str
    entries : list of PatternEntry
    peaks : list of dict, optional
        ``{label, phase, hkl, near}`` per peak (default :data:`DEFAULT_PEAKS`); peaks outside a
        pattern's range are skipped.
    half_width_deg : float
    cif_files : sequence of path-like
        Extra reference structures for the consistency check.
    wavelength_A, radiation
        Overrides for files without (or with wrong) wavelength information.
    """
    from redoxmap.cycling.read import read_cycling

    peaks = peaks or DEFAULT_PEAKS
    result = XrdAnalysis(name)
    options = {"wavelength_A": wavelength_A, "radiation": radiation}
    rows, summaries, checks = [], [], []
    references = None
    for entry in entries:
        if entry.series:
            cycling = read_cycling(entry.cycling, active_mass_mg=entry.active_mass_mg) if entry.cycling else None
            near = {p["label"]: p["near"] for p in peaks}
            result.series.append(analyze_series(read_series(entry.files, **options),
                                                peak_003_deg=near.get("003", 18.6), peak_020_deg=near.get("020", 20.8),
                                                half_width_deg=half_width_deg, cycling=cycling,
                                                time_offset_s=entry.time_offset_s))
            continue
        if len(entry.files) > 1:
            raise AnalysisError(f"{len(entry.files)} files in one ex situ entry: give one pattern per state, or "
                                "series = true for an in situ series", path=entry.files[0])
        pattern = read_pattern(entry.files[0], **options)
        wavelength = pattern.attrs["wavelength_A"]
        inside = [p for p in peaks if pattern.two_theta[0] + half_width_deg < p["near"]
                  < pattern.two_theta[-1] - half_width_deg]
        if not inside:
            result.notes.append(f"{entry.state}: no requested peak lies in {pattern.two_theta[0]:.1f}-"
                                f"{pattern.two_theta[-1]:.1f} deg")
            continue
        fits = fit_pattern_peaks(pattern, [p["near"] for p in inside], half_width_deg=half_width_deg,
                                 labels=[p["label"] for p in inside])
        table = fits.table.drop(columns="scan").assign(state=entry.state)
        rows.append(table)
        result.patterns[entry.state] = pattern
        result.fits[entry.state] = fits
        summaries.append(_summary_row(entry.state, table, wavelength, inside))
        if references is None:
            references = reference_table(wavelength, cif_files=cif_files)
        checks.append(match_reflections(table, references, wavelength_A=wavelength).assign(state=entry.state))
    if rows:
        result.peaks = pd.concat(rows, ignore_index=True)
        result.per_state = pd.DataFrame(summaries)
        result.consistency = pd.concat(checks, ignore_index=True)
    for note in result.notes:
        warn(f"{name}: {note}", DataWarning)
    return result
