"""Galvanostatic cycling: segmentation, summaries, voltage regions, dQ/dV, activation.

Every public name is listed here and loaded on first use (PEP 562), so that
``import redoxmap`` does not pay for scipy and lmfit until an analysis needs them.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "CellMetadata": "read", "cell_metadata": "read", "from_records": "read", "read_cycling": "read",
    "segment": "segmentation",
    "cycle_summary": "summary", "half_cycles": "summary",
    "VoltageRegion": "regions", "DEFAULT_REGIONS": "regions", "region_capacities": "regions",
    "regions_from_bounds": "regions",
    "DqdvResult": "differential", "dqdv": "differential",
    "find_dqdv_peaks": "peaks", "track_peaks": "peaks", "peak_windows": "peaks",
    "ActivationFit": "activation", "fit_activation": "activation",
    "fit_activation_from_summary": "activation", "compare_activation": "activation",
    "CyclingAnalysis": "analysis", "analyze": "analysis",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'redoxmap.cycling' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"redoxmap.cycling.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
