"""Type stub of the lazy exports of redoxmap.xas.

Written by ``python -m redoxmap._lazy``; tests/test_stubs.py keeps it true.
"""

from redoxmap.io.athena import read_athena as read_athena
from redoxmap.io.nexus import read_hdf5 as read_hdf5
from redoxmap.io.xas_files import SpectrumTable as SpectrumTable
from redoxmap.io.xas_files import load_channel_map as load_channel_map
from redoxmap.io.xas_files import read_columns as read_columns
from redoxmap.io.xas_files import read_spectrum_table as read_spectrum_table
from redoxmap.io.xas_files import stack as stack
from redoxmap.io.xdi import read_xdi as read_xdi
from redoxmap.xas.channels import absorption as absorption
from redoxmap.xas.channels import calibrate as calibrate
from redoxmap.xas.channels import probe_of_mode as probe_of_mode
from redoxmap.xas.channels import reference_absorption as reference_absorption
from redoxmap.xas.depth import DepthResult as DepthResult
from redoxmap.xas.depth import fluorescence_probing_depth_nm as fluorescence_probing_depth_nm
from redoxmap.xas.depth import two_layer as two_layer
from redoxmap.xas.edge_position import EdgeCalibration as EdgeCalibration
from redoxmap.xas.edge_position import calibrate_edge_position as calibrate_edge_position
from redoxmap.xas.files import edge_kind as edge_kind
from redoxmap.xas.files import load_merged as load_merged
from redoxmap.xas.files import load_mu as load_mu
from redoxmap.xas.files import load_references as load_references
from redoxmap.xas.files import normalize as normalize
from redoxmap.xas.lcf import LcfResult as LcfResult
from redoxmap.xas.lcf import constrained_weights as constrained_weights
from redoxmap.xas.lcf import fit_lcf as fit_lcf
from redoxmap.xas.lcf import fit_stack as fit_stack
from redoxmap.xas.lcf import self_check as self_check
from redoxmap.xas.merge import merge_scans as merge_scans
from redoxmap.xas.normalization import Normalization as Normalization
from redoxmap.xas.normalization import edge_energy as edge_energy
from redoxmap.xas.normalization import half_edge_energy as half_edge_energy
from redoxmap.xas.normalization import normalize_k_edge as normalize_k_edge
from redoxmap.xas.normalization import normalize_soft as normalize_soft
from redoxmap.xas.normalization import two_step_background as two_step_background
from redoxmap.xas.oxygen import DEFAULT_PRIORS as DEFAULT_PRIORS
from redoxmap.xas.oxygen import PeakPrior as PeakPrior
from redoxmap.xas.oxygen import PreEdgeFit as PreEdgeFit
from redoxmap.xas.oxygen import activation_index as activation_index
from redoxmap.xas.oxygen import fit_pre_edge as fit_pre_edge
from redoxmap.xas.sensitivity import valence_sensitivity as valence_sensitivity

__all__ = [
    "DEFAULT_PRIORS",
    "DepthResult",
    "EdgeCalibration",
    "LcfResult",
    "Normalization",
    "PeakPrior",
    "PreEdgeFit",
    "SpectrumTable",
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
    "load_channel_map",
    "load_merged",
    "load_mu",
    "load_references",
    "merge_scans",
    "normalize",
    "normalize_k_edge",
    "normalize_soft",
    "probe_of_mode",
    "read_athena",
    "read_columns",
    "read_hdf5",
    "read_spectrum_table",
    "read_xdi",
    "reference_absorption",
    "self_check",
    "stack",
    "two_layer",
    "two_step_background",
    "valence_sensitivity",
]
