"""Type stub of the lazy exports of redoxmap.study.

Written by ``python -m redoxmap._lazy``; tests/test_stubs.py keeps it true.
"""

from redoxmap.study.adaptive_executor import AdaptiveExecutor as AdaptiveExecutor
from redoxmap.study.adaptive_executor import choose_executor as choose_executor
from redoxmap.study.contact import contact_predictions as contact_predictions
from redoxmap.study.dask_executor import DaskExecutor as DaskExecutor
from redoxmap.study.executor import Executor as Executor
from redoxmap.study.executor import SerialExecutor as SerialExecutor
from redoxmap.study.executor import Task as Task
from redoxmap.study.executor import TaskOutcome as TaskOutcome
from redoxmap.study.findings import Findings as Findings
from redoxmap.study.findings import Verdict as Verdict
from redoxmap.study.manifest import ModelRunParameters as ModelRunParameters
from redoxmap.study.manifest import Sample as Sample
from redoxmap.study.manifest import Study as Study
from redoxmap.study.manifest import load_study as load_study
from redoxmap.study.map_dataset import ActivationMap as ActivationMap
from redoxmap.study.map_dataset import activation_map as activation_map
from redoxmap.study.map_dataset import map_from_table as map_from_table
from redoxmap.study.map_options import MapOptions as MapOptions
from redoxmap.study.modality import Modality as Modality
from redoxmap.study.modality import Parameter as Parameter
from redoxmap.study.modality import modalities as modalities
from redoxmap.study.modality import parameter as parameter
from redoxmap.study.modality import register_modality as register_modality
from redoxmap.study.modality import reset_modalities as reset_modalities
from redoxmap.study.model_evidence import model_interface_resistances as model_interface_resistances
from redoxmap.study.model_evidence import model_particle_radius as model_particle_radius
from redoxmap.study.model_evidence import model_probing_depths as model_probing_depths
from redoxmap.study.run import StudyResult as StudyResult
from redoxmap.study.run import model_surface_valences as model_surface_valences
from redoxmap.study.run import run_study as run_study
from redoxmap.study.states import State as State
from redoxmap.study.states import parse_state as parse_state
from redoxmap.study.surface_evidence import surface_reaction_evidence as surface_reaction_evidence
from redoxmap.study.virtual import simulate_study as simulate_study

__all__ = [
    "ActivationMap",
    "AdaptiveExecutor",
    "DaskExecutor",
    "Executor",
    "Findings",
    "MapOptions",
    "Modality",
    "ModelRunParameters",
    "Parameter",
    "Sample",
    "SerialExecutor",
    "State",
    "Study",
    "StudyResult",
    "Task",
    "TaskOutcome",
    "Verdict",
    "activation_map",
    "choose_executor",
    "contact_predictions",
    "load_study",
    "map_from_table",
    "modalities",
    "model_interface_resistances",
    "model_particle_radius",
    "model_probing_depths",
    "model_surface_valences",
    "parameter",
    "parse_state",
    "register_modality",
    "reset_modalities",
    "run_study",
    "simulate_study",
    "surface_reaction_evidence",
]
