"""Type stub of the lazy exports of redoxmap.cv.

Written by ``python -m redoxmap._lazy``; tests/test_stubs.py keeps it true.
"""

from redoxmap.cv.voltammetry import ScanRateAnalysis as ScanRateAnalysis
from redoxmap.cv.voltammetry import Voltammogram as Voltammogram
from redoxmap.cv.voltammetry import analyze_scan_rates as analyze_scan_rates
from redoxmap.cv.voltammetry import cv_peaks as cv_peaks
from redoxmap.cv.voltammetry import read_voltammogram as read_voltammogram
from redoxmap.cv.voltammetry import sweeps as sweeps

__all__ = [
    "ScanRateAnalysis",
    "Voltammogram",
    "analyze_scan_rates",
    "cv_peaks",
    "read_voltammogram",
    "sweeps",
]
