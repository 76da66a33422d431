"""Galvanostatic cycling: reading, segmentation, summaries, voltage regions, dQ/dV and its
peaks, and the capacity rise over the first cycles."""

from redoxmap._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "redoxmap.cycling.read": ["CellMetadata", "cell_metadata", "from_records", "read_cycling"],
    "redoxmap.cycling.segmentation": ["segment"],
    "redoxmap.cycling.summary": ["cycle_summary", "half_cycles"],
    "redoxmap.cycling.regions": ["DEFAULT_REGIONS", "VoltageRegion", "region_capacities", "regions_from_bounds"],
    "redoxmap.cycling.differential": ["DqdvResult", "dqdv"],
    "redoxmap.cycling.peaks": ["find_dqdv_peaks", "peak_windows", "track_peaks"],
    "redoxmap.cycling.capacity_rise": ["CapacityRiseFit", "compare_capacity_rise", "fit_capacity_rise",
                                       "fit_capacity_rise_from_summary"],
    "redoxmap.io": ["RawCycling", "read_raw_cycling", "write_bdf"],
})
