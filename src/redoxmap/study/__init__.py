"""Studies: the manifest, the executor that runs analyses, the results, and the activation map that
joins them per sample, state and probing depth."""

from redoxmap.study.activation_map import ActivationMap, MapOptions, activation_map, map_from_table
from redoxmap.study.executor import Executor, SerialExecutor, Task, TaskOutcome
from redoxmap.study.findings import Findings, Verdict
from redoxmap.study.manifest import MODALITIES, Sample, Study, load_study
from redoxmap.study.run import StudyResult, run_study
from redoxmap.study.states import State, parse_state

__all__ = [
    "MODALITIES",
    "ActivationMap",
    "Executor",
    "Findings",
    "MapOptions",
    "Sample",
    "SerialExecutor",
    "State",
    "Study",
    "StudyResult",
    "Task",
    "TaskOutcome",
    "Verdict",
    "activation_map",
    "load_study",
    "map_from_table",
    "parse_state",
    "run_study",
]
