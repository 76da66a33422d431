"""Type stub of the lazy exports of redoxmap.model.

Written by ``python -m redoxmap._lazy``; tests/test_stubs.py keeps it true.
"""

from redoxmap.model.arrhenius import ArrheniusFit as ArrheniusFit
from redoxmap.model.arrhenius import arrhenius_factor as arrhenius_factor
from redoxmap.model.arrhenius import arrhenius_fit as arrhenius_fit
from redoxmap.model.cycle_model import ActivationParameters as ActivationParameters
from redoxmap.model.cycle_model import ActivationRun as ActivationRun
from redoxmap.model.cycle_model import ParameterSet as ParameterSet
from redoxmap.model.cycle_model import depth_grid as depth_grid
from redoxmap.model.cycle_model import front_depth as front_depth
from redoxmap.model.cycle_model import interface_overpotential as interface_overpotential
from redoxmap.model.cycle_model import probe_weights as probe_weights
from redoxmap.model.cycle_model import simulate_cycles as simulate_cycles
from redoxmap.model.cycle_model import transport_drop as transport_drop
from redoxmap.model.fit import ModelFit as ModelFit
from redoxmap.model.fit import Observation as Observation
from redoxmap.model.fit import Profile as Profile
from redoxmap.model.fit import fit_model as fit_model
from redoxmap.model.fit import fit_time_resolved as fit_time_resolved
from redoxmap.model.fit import parameter_draws as parameter_draws
from redoxmap.model.fit import predict as predict
from redoxmap.model.fit import predict_time_resolved as predict_time_resolved
from redoxmap.model.fit import profile_interval as profile_interval
from redoxmap.model.observations import capacity_observations as capacity_observations
from redoxmap.model.observations import r_observations as r_observations
from redoxmap.model.observations import region_iii_observations as region_iii_observations
from redoxmap.model.surface import SurfaceValences as SurfaceValences
from redoxmap.model.surface import surface_deactivation as surface_deactivation
from redoxmap.model.surface import surface_loss_from_valence as surface_loss_from_valence
from redoxmap.model.surface import surface_oxygen_excess as surface_oxygen_excess
from redoxmap.model.surface import surface_reaction_from_valences as surface_reaction_from_valences
from redoxmap.model.time_model import CellParameters as CellParameters
from redoxmap.model.time_model import ParticleModel as ParticleModel
from redoxmap.model.time_model import simulate_time_resolved as simulate_time_resolved
from redoxmap.model.validation import Validation as Validation
from redoxmap.model.validation import draw_fixed as draw_fixed
from redoxmap.model.validation import interval_sets as interval_sets
from redoxmap.model.validation import prediction_table as prediction_table
from redoxmap.model.validation import reference_evidence as reference_evidence
from redoxmap.model.validation import reference_start as reference_start
from redoxmap.model.validation import reference_study as reference_study
from redoxmap.model.validation import tm_utilisation_from_valence as tm_utilisation_from_valence
from redoxmap.model.validation import validate_reference as validate_reference

__all__ = [
    "ActivationParameters",
    "ActivationRun",
    "ArrheniusFit",
    "CellParameters",
    "ModelFit",
    "Observation",
    "ParameterSet",
    "ParticleModel",
    "Profile",
    "SurfaceValences",
    "Validation",
    "arrhenius_factor",
    "arrhenius_fit",
    "capacity_observations",
    "depth_grid",
    "draw_fixed",
    "fit_model",
    "fit_time_resolved",
    "front_depth",
    "interface_overpotential",
    "interval_sets",
    "parameter_draws",
    "predict",
    "predict_time_resolved",
    "prediction_table",
    "probe_weights",
    "profile_interval",
    "r_observations",
    "reference_evidence",
    "reference_start",
    "reference_study",
    "region_iii_observations",
    "simulate_cycles",
    "simulate_time_resolved",
    "surface_deactivation",
    "surface_loss_from_valence",
    "surface_oxygen_excess",
    "surface_reaction_from_valences",
    "tm_utilisation_from_valence",
    "transport_drop",
    "validate_reference",
]
