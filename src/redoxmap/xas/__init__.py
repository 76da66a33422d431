"""X-ray absorption: reading spectra, channels, normalisation, valence by linear combination and
by edge position, the O K pre-edge and its activation index, and surface/bulk inversion."""

from redoxmap._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "redoxmap.io.xas_files": ["SpectrumTable", "load_channel_map", "read_columns", "read_spectrum_table", "stack"],
    "redoxmap.io.xdi": ["read_xdi"],
    "redoxmap.io.athena": ["read_athena"],
    "redoxmap.io.nexus": ["read_hdf5"],
    "redoxmap.xas.channels": ["absorption", "calibrate", "probe_of_mode", "reference_absorption"],
    "redoxmap.xas.depth": ["DepthResult", "fluorescence_probing_depth_nm", "two_layer"],
    "redoxmap.xas.edge_position": ["EdgeCalibration", "calibrate_edge_position"],
    "redoxmap.xas.files": ["edge_kind", "load_merged", "load_mu", "load_references", "normalize"],
    "redoxmap.xas.lcf": ["LcfResult", "constrained_weights", "fit_lcf", "fit_stack", "self_check"],
    "redoxmap.xas.merge": ["merge_scans"],
    "redoxmap.xas.normalization": ["Normalization", "edge_energy", "half_edge_energy", "normalize_k_edge",
                               "normalize_soft", "two_step_background"],
    "redoxmap.xas.oxygen": ["DEFAULT_PRIORS", "PeakPrior", "PreEdgeFit", "activation_index", "fit_pre_edge"],
    "redoxmap.xas.sensitivity": ["valence_sensitivity"],
})
