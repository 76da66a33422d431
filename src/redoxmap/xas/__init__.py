"""X-ray absorption: channels, normalisation, valence by linear combination and by edge
position, the O K pre-edge and its activation index, and surface/bulk inversion."""

from redoxmap.xas.channels import absorption, calibrate, reference_absorption
from redoxmap.xas.depth import DepthResult, fluorescence_probing_depth_nm, two_layer
from redoxmap.xas.edge_position import EdgeCalibration, calibrate_edge_position
from redoxmap.xas.files import edge_kind, load_merged, load_mu, normalize
from redoxmap.xas.lcf import LcfResult, constrained_weights, fit_lcf, fit_stack, self_check
from redoxmap.xas.merge import merge_scans
from redoxmap.xas.normalize import (
    Normalization,
    edge_energy,
    half_edge_energy,
    normalize_k_edge,
    normalize_soft,
    two_step_background,
)
from redoxmap.xas.oxygen import (
    DEFAULT_PRIORS,
    PeakPrior,
    PreEdgeFit,
    activation_index,
    fit_pre_edge,
)

__all__ = [
    "DEFAULT_PRIORS",
    "DepthResult",
    "EdgeCalibration",
    "LcfResult",
    "Normalization",
    "PeakPrior",
    "PreEdgeFit",
    "absorption",
    "activation_index",
    "calibrate",
    "calibrate_edge_position",
    "constrained_weights",
    "edge_energy",
    "edge_kind",
    "fit_lcf",
    "fit_pre_edge",
    "fit_stack",
    "fluorescence_probing_depth_nm",
    "half_edge_energy",
    "load_merged",
    "load_mu",
    "merge_scans",
    "normalize",
    "normalize_k_edge",
    "normalize_soft",
    "reference_absorption",
    "self_check",
    "two_layer",
    "two_step_background",
]
