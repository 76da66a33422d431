"""The physical model of asynchronous activation: simulate it per cycle or in time, fit it to a
study's observations, profile its parameters, and validate it against the reference study."""

from redoxmap._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "redoxmap.model.cycle_model": ["ActivationParameters", "ActivationRun", "ParameterSet", "depth_grid",
                                   "front_depth", "interface_overpotential", "probe_weights", "simulate_cycles",
                                   "transport_drop"],
    "redoxmap.model.fit": ["ModelFit", "Observation", "Profile", "fit_model", "fit_time_resolved",
                           "parameter_draws", "predict", "predict_time_resolved", "profile_interval"],
    "redoxmap.model.surface": ["SurfaceValences", "surface_deactivation", "surface_loss_from_valence",
                               "surface_oxygen_excess", "surface_reaction_from_valences"],
    "redoxmap.model.arrhenius": ["ArrheniusFit", "arrhenius_factor", "arrhenius_fit"],
    "redoxmap.model.validation": ["Validation", "draw_fixed", "interval_sets", "prediction_table",
                                  "reference_evidence", "reference_start", "reference_study",
                                  "tm_utilisation_from_valence", "validate_reference"],
    "redoxmap.model.time_model": ["CellParameters", "ParticleModel", "simulate_time_resolved"],
    "redoxmap.model.observations": ["capacity_observations", "r_observations", "region_iii_observations"],
})
