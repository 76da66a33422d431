"""Readers and writers: every instrument file becomes canonical columns and units.

One registry serves every modality (cycling, CV, impedance, X-ray absorption, diffraction,
images): :func:`readers` lists them, :func:`detect_reader` chooses one from a file's content
and name, :func:`register_reader` (or the ``redoxmap.readers`` entry point group) adds one.
The analysis packages build on what this package returns; this package imports none of them.
"""

from __future__ import annotations

from redoxmap._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "redoxmap.io.bdf": ["to_bdf", "write_bdf"],
    "redoxmap.io.raw": ["RawCycling", "read_raw_cycling"],
    "redoxmap.io.reader": ["READER_MODALITIES", "Reader", "read_head"],
    "redoxmap.io.registry": ["detect_reader", "readers", "register_reader", "reset_readers"],
    "redoxmap.io.tables": ["atomic_write", "write_table"],
    "redoxmap.io.xps_files": ["XpsSpectrum", "read_xps", "select_region"],
    "redoxmap.io.ms_files": ["MsRecording", "read_ms"],
    "redoxmap.io.sem_files": ["SemSection", "read_sem"],
})
