"""Run a study: every file of every sample through its modality's analysis."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from redoxmap._version import __version__
from redoxmap.cycling.analysis import analyze
from redoxmap.cycling.read import read_cycling
from redoxmap.cycling.regions import regions_from_bounds
from redoxmap.study.executor import Executor, SerialExecutor, Task, TaskOutcome
from redoxmap.study.manifest import Sample, Study


@dataclass
class StudyResult:
    """What a study run produced: one list of outcomes per modality, and provenance."""

    study: Study
    sections: dict[str, list[TaskOutcome]]
    version: str = __version__
    started: str = ""
    finished: str = ""
    notes: list[str] = field(default_factory=list)

    def failures(self) -> list[TaskOutcome]:
        """Every task that did not finish."""
        return [o for outcomes in self.sections.values() for o in outcomes if not o.ok]


def cell_label(sample: Sample, file: Path, modality: str) -> str:
    """The sample name, with the file name when the sample has several files of a modality."""
    if len(sample.files.get(modality, [])) > 1:
        return f"{sample.name} ({file.name})"
    return sample.name


def analyze_cycling_file(sample: Sample, file: Path, parameters: dict):
    """Read and analyse one cycling file of a sample (the task the executor runs)."""
    table = read_cycling(
        file, format=sample.format, name=cell_label(sample, file, "cycling"),
        active_mass_mg=sample.active_mass_mg, electrode=sample.electrode,
        cell_type=sample.cell_type, temperature_C=sample.temperature_C,
        specific_current_mA_g=sample.specific_current_mA_g,
    )
    regions = regions_from_bounds(parameters["region_bounds_V"], parameters["region_names"])
    return analyze(
        table, profile_cycles=parameters["profile_cycles"], regions=regions,
        voltage_step_V=parameters["voltage_step_V"], smoothing_V=parameters["smoothing_V"],
        peak_prominence=parameters["peak_prominence"], peak_windows=parameters["peak_windows"],
        exclude_cv=parameters["exclude_cv"],
        linear_fade=parameters["linear_fade"],
    )


# modality -> the function that analyses one file of a sample.
ANALYSES = {"cycling": analyze_cycling_file}


def run_study(study: Study, *, executor: Executor | None = None) -> StudyResult:
    """Analyse every file of every sample; a failing file is recorded, not fatal.

    Parameters
    ----------
    study : Study
        From :func:`redoxmap.study.load_study`.
    executor : Executor, optional
        Defaults to a :class:`SerialExecutor` with a progress bar.

    Returns
    -------
    StudyResult
    """
    executor = executor or SerialExecutor()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    sections = {}
    for modality, function in ANALYSES.items():
        tasks = [Task(cell_label(sample, file, modality), (sample, file, study.parameters[modality]))
                 for sample in study.samples for file in sample.files.get(modality, [])]
        if tasks:
            sections[modality] = executor.map(function, tasks, description=f"{modality} analysis")
    finished = datetime.now(UTC).isoformat(timespec="seconds")
    return StudyResult(study=study, sections=sections, started=started, finished=finished)
