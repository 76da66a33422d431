"""Type stub of the lazy exports of redoxmap.xrd.

Written by ``python -m redoxmap._lazy``; tests/test_stubs.py keeps it true.
"""

from redoxmap.io.xrd_files import CU_KA1_A as CU_KA1_A
from redoxmap.io.xrd_files import CU_KA2_A as CU_KA2_A
from redoxmap.io.xrd_files import Pattern as Pattern
from redoxmap.io.xrd_files import read_pattern as read_pattern
from redoxmap.io.xrd_files import read_series as read_series
from redoxmap.io.xrd_files import read_xrd as read_xrd
from redoxmap.xrd.crystallography import InstrumentCorrection as InstrumentCorrection
from redoxmap.xrd.crystallography import LatticeFit as LatticeFit
from redoxmap.xrd.crystallography import c_from_003 as c_from_003
from redoxmap.xrd.crystallography import d_spacing as d_spacing
from redoxmap.xrd.crystallography import fit_lattice as fit_lattice
from redoxmap.xrd.crystallography import instrument_correction as instrument_correction
from redoxmap.xrd.crystallography import two_theta as two_theta
from redoxmap.xrd.crystallography import zero_shift_from_reference as zero_shift_from_reference
from redoxmap.xrd.indexing import FoundPeaks as FoundPeaks
from redoxmap.xrd.indexing import IndexedLattice as IndexedLattice
from redoxmap.xrd.indexing import find_pattern_peaks as find_pattern_peaks
from redoxmap.xrd.indexing import index_pattern as index_pattern
from redoxmap.xrd.lattice import pattern_lattice as pattern_lattice
from redoxmap.xrd.lattice import reference_table as reference_table
from redoxmap.xrd.peaks import PeakFits as PeakFits
from redoxmap.xrd.peaks import fit_pattern_peaks as fit_pattern_peaks
from redoxmap.xrd.peaks import fit_peaks as fit_peaks
from redoxmap.xrd.phases import Phase as Phase
from redoxmap.xrd.phases import match_reflections as match_reflections
from redoxmap.xrd.phases import phase as phase
from redoxmap.xrd.phases import reflections_from_cif as reflections_from_cif
from redoxmap.xrd.series import SeriesResult as SeriesResult
from redoxmap.xrd.series import analyze_series as analyze_series
from redoxmap.xrd.series import integrated_intensity as integrated_intensity

__all__ = [
    "CU_KA1_A",
    "CU_KA2_A",
    "FoundPeaks",
    "IndexedLattice",
    "InstrumentCorrection",
    "LatticeFit",
    "Pattern",
    "PeakFits",
    "Phase",
    "SeriesResult",
    "analyze_series",
    "c_from_003",
    "d_spacing",
    "find_pattern_peaks",
    "fit_lattice",
    "fit_pattern_peaks",
    "fit_peaks",
    "index_pattern",
    "instrument_correction",
    "integrated_intensity",
    "match_reflections",
    "pattern_lattice",
    "phase",
    "read_pattern",
    "read_series",
    "read_xrd",
    "reference_table",
    "reflections_from_cif",
    "two_theta",
    "zero_shift_from_reference",
]
