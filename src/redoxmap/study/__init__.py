"""Studies: the manifest, the executor that runs each sample's analyses, the results, and the
activation map that joins them per sample, state and probing depth, with its findings."""

from redoxmap._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "redoxmap.study.map_dataset": ["ActivationMap", "activation_map", "map_from_table"],
    "redoxmap.study.map_options": ["MapOptions"],
    "redoxmap.study.executor": ["Executor", "SerialExecutor", "Task", "TaskOutcome"],
    "redoxmap.study.dask_executor": ["DaskExecutor"],
    "redoxmap.study.adaptive_executor": ["AdaptiveExecutor", "choose_executor"],
    "redoxmap.study.contact": ["contact_predictions"],
    "redoxmap.study.findings": ["Findings", "Verdict"],
    "redoxmap.study.manifest": ["ModelRunParameters", "Sample", "Study", "load_study"],
    "redoxmap.study.modality": ["Modality", "Parameter", "modalities", "parameter", "register_modality",
                                "reset_modalities"],
    "redoxmap.study.model_evidence": ["model_interface_resistances", "model_particle_radius",
                                      "model_probing_depths"],
    "redoxmap.study.run": ["StudyResult", "model_surface_valences", "run_study"],
    "redoxmap.study.surface_evidence": ["surface_reaction_evidence"],
    "redoxmap.study.states": ["State", "parse_state"],
    "redoxmap.study.virtual": ["simulate_study"],
})
