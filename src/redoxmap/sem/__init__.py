"""The composite cathode's microstructure from SEM/EDS: element maps, phases, and the metrics that
explain activation (contact of the active material with the electrolyte, particle sizes,
dispersion, connectivity, tortuosity), with bootstrap errors over fields of view."""

from redoxmap._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "redoxmap.io.sem_files": ["SemSection", "read_sem"],
    "redoxmap.sem.eds": ["LINE_KEV", "detector_fwhm_keV", "element_maps"],
    "redoxmap.sem.segment": ["DEFAULT_PHASES", "Segmentation", "phases_by_contrast", "segment_phases"],
    "redoxmap.sem.metrics": ["area_fractions", "contact_fractions", "particle_table", "spanning_share",
                             "tile_fraction_cv", "tortuosity"],
    "redoxmap.sem.analysis": ["MicrostructureResult", "analyze_microstructure", "contact_ratio", "field_metrics"],
    "redoxmap.sem.synthetic": ["packed_discs", "section_with_eds"],
})
