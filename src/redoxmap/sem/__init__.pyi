"""Type stub of the lazy exports of redoxmap.sem.

Written by ``python -m redoxmap._lazy``; tests/test_stubs.py keeps it true.
"""

from redoxmap.io.sem_files import SemSection as SemSection
from redoxmap.io.sem_files import read_sem as read_sem
from redoxmap.sem.analysis import MicrostructureResult as MicrostructureResult
from redoxmap.sem.analysis import analyze_microstructure as analyze_microstructure
from redoxmap.sem.analysis import contact_ratio as contact_ratio
from redoxmap.sem.analysis import field_metrics as field_metrics
from redoxmap.sem.eds import LINE_KEV as LINE_KEV
from redoxmap.sem.eds import detector_fwhm_keV as detector_fwhm_keV
from redoxmap.sem.eds import element_maps as element_maps
from redoxmap.sem.metrics import area_fractions as area_fractions
from redoxmap.sem.metrics import contact_fractions as contact_fractions
from redoxmap.sem.metrics import particle_table as particle_table
from redoxmap.sem.metrics import spanning_share as spanning_share
from redoxmap.sem.metrics import tile_fraction_cv as tile_fraction_cv
from redoxmap.sem.metrics import tortuosity as tortuosity
from redoxmap.sem.segment import DEFAULT_PHASES as DEFAULT_PHASES
from redoxmap.sem.segment import Segmentation as Segmentation
from redoxmap.sem.segment import phases_by_contrast as phases_by_contrast
from redoxmap.sem.segment import segment_phases as segment_phases
from redoxmap.sem.synthetic import packed_discs as packed_discs
from redoxmap.sem.synthetic import section_with_eds as section_with_eds

__all__ = [
    "DEFAULT_PHASES",
    "LINE_KEV",
    "MicrostructureResult",
    "Segmentation",
    "SemSection",
    "analyze_microstructure",
    "area_fractions",
    "contact_fractions",
    "contact_ratio",
    "detector_fwhm_keV",
    "element_maps",
    "field_metrics",
    "packed_discs",
    "particle_table",
    "phases_by_contrast",
    "read_sem",
    "section_with_eds",
    "segment_phases",
    "spanning_share",
    "tile_fraction_cv",
    "tortuosity",
]
