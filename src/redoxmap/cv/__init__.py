"""Cyclic voltammetry: reading records, sweeps and their peaks, and scan-rate analysis
(Randles-Sevcik, b-values, capacitive and diffusive shares)."""

from redoxmap._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "redoxmap.cv.voltammetry": ["ScanRateAnalysis", "Voltammogram", "analyze_scan_rates", "cv_peaks",
                                "read_voltammogram", "sweeps"],
})
