"""Powder X-ray diffraction: reading scans, peak fits, lattice parameters (indexed, refined, with
instrument corrections), reference phases, and in situ series."""

from redoxmap._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "redoxmap.io.xrd_files": ["CU_KA1_A", "CU_KA2_A", "Pattern", "read_pattern", "read_series", "read_xrd"],
    "redoxmap.xrd.peaks": ["PeakFits", "fit_pattern_peaks", "fit_peaks"],
    "redoxmap.xrd.crystallography": ["InstrumentCorrection", "LatticeFit", "c_from_003", "d_spacing",
                                     "fit_lattice", "instrument_correction", "two_theta",
                                     "zero_shift_from_reference"],
    "redoxmap.xrd.indexing": ["FoundPeaks", "IndexedLattice", "find_pattern_peaks", "index_pattern"],
    "redoxmap.xrd.lattice": ["pattern_lattice", "reference_table"],
    "redoxmap.xrd.phases": ["Phase", "match_reflections", "phase", "reflections_from_cif"],
    "redoxmap.xrd.series": ["SeriesResult", "analyze_series", "integrated_intensity"],
})
