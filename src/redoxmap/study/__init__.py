"""Studies: the manifest, the executor that runs analyses, and the result they make."""

from redoxmap.study.executor import Executor, SerialExecutor, Task, TaskOutcome
from redoxmap.study.manifest import MODALITIES, Sample, Study, load_study
from redoxmap.study.run import StudyResult, run_study

__all__ = [
    "MODALITIES",
    "Executor",
    "Sample",
    "SerialExecutor",
    "Study",
    "StudyResult",
    "Task",
    "TaskOutcome",
    "load_study",
    "run_study",
]
