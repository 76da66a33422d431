"""Type stub of the lazy exports of redoxmap.cycling.

Written by ``python -m redoxmap._lazy``; tests/test_stubs.py keeps it true.
"""

from redoxmap.cycling.capacity_rise import CapacityRiseFit as CapacityRiseFit
from redoxmap.cycling.capacity_rise import compare_capacity_rise as compare_capacity_rise
from redoxmap.cycling.capacity_rise import fit_capacity_rise as fit_capacity_rise
from redoxmap.cycling.capacity_rise import fit_capacity_rise_from_summary as fit_capacity_rise_from_summary
from redoxmap.cycling.differential import DqdvResult as DqdvResult
from redoxmap.cycling.differential import dqdv as dqdv
from redoxmap.cycling.peaks import find_dqdv_peaks as find_dqdv_peaks
from redoxmap.cycling.peaks import peak_windows as peak_windows
from redoxmap.cycling.peaks import track_peaks as track_peaks
from redoxmap.cycling.read import CellMetadata as CellMetadata
from redoxmap.cycling.read import cell_metadata as cell_metadata
from redoxmap.cycling.read import from_records as from_records
from redoxmap.cycling.read import read_cycling as read_cycling
from redoxmap.cycling.regions import DEFAULT_REGIONS as DEFAULT_REGIONS
from redoxmap.cycling.regions import VoltageRegion as VoltageRegion
from redoxmap.cycling.regions import region_capacities as region_capacities
from redoxmap.cycling.regions import regions_from_bounds as regions_from_bounds
from redoxmap.cycling.segmentation import segment as segment
from redoxmap.cycling.summary import cycle_summary as cycle_summary
from redoxmap.cycling.summary import half_cycles as half_cycles
from redoxmap.io import RawCycling as RawCycling
from redoxmap.io import read_raw_cycling as read_raw_cycling
from redoxmap.io import write_bdf as write_bdf

__all__ = [
    "CapacityRiseFit",
    "CellMetadata",
    "DEFAULT_REGIONS",
    "DqdvResult",
    "RawCycling",
    "VoltageRegion",
    "cell_metadata",
    "compare_capacity_rise",
    "cycle_summary",
    "dqdv",
    "find_dqdv_peaks",
    "fit_capacity_rise",
    "fit_capacity_rise_from_summary",
    "from_records",
    "half_cycles",
    "peak_windows",
    "read_cycling",
    "read_raw_cycling",
    "region_capacities",
    "regions_from_bounds",
    "segment",
    "track_peaks",
    "write_bdf",
]
