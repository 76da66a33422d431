"""A sample's microstructure by SEM/EDS: its fields of view measured state by state."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from redoxmap.defaults import SEM_BOOTSTRAP
from redoxmap.io.sem_files import read_sem
from redoxmap.sem.analysis import MicrostructureResult, analyze_microstructure

if TYPE_CHECKING:
    from redoxmap.study.builtin import SemParameters
    from redoxmap.study.manifest import Sample


@dataclass
class SemEntry:
    """The fields of view of a sample in one state."""

    files: list
    state: str = "as made"
    pixel_nm: float | None = None
    maps: dict | None = None


@dataclass
class SemAnalysis:
    """A sample's microstructure.

    Attributes
    ----------
    name : str
    results : list of (state, MicrostructureResult)
    metrics : pandas.DataFrame
        Every metric with ``state``.
    notes : list of str
    """

    name: str
    results: list = field(default_factory=list, repr=False)
    metrics: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list = field(default_factory=list)


def analyze_sem(name: str, entries: list[SemEntry], *, phases: dict, active_phase: str = "cathode",
                transport_phase: str = "electrolyte", method: str = "likelihood", pixel_nm: float | None = None,
                bootstrap: int = SEM_BOOTSTRAP) -> SemAnalysis:
    """Segment and measure every state's fields of view of a sample."""
    result = SemAnalysis(name)
    frames = []
    for entry in entries:
        sections = [read_sem(Path(f), pixel_nm=entry.pixel_nm or pixel_nm, maps=entry.maps) for f in entry.files]
        measured: MicrostructureResult = analyze_microstructure(
            sections, name=f"{name}, {entry.state}", phases={k: tuple(v) for k, v in phases.items()}, method=method,
            active=active_phase, transport=transport_phase, bootstrap=bootstrap)
        result.results.append((entry.state, measured))
        result.notes += measured.notes
        frames.append(measured.table.assign(state=entry.state, fields=len(sections)))
    result.metrics = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return result


def analyze_sem_sample(sample: Sample, parameters: SemParameters):
    """Segment and measure a sample's SEM/EDS fields of view, state by state (the task the executor runs)."""
    entries = [SemEntry(files=o["files"], state=o.get("state", "as made"), pixel_nm=o.get("pixel_nm"),
                        maps=o.get("maps"))
               for o in sample.file_options.get("sem", [])]
    return analyze_sem(sample.name, entries, phases=parameters.phases, active_phase=parameters.active_phase,
                       transport_phase=parameters.transport_phase, method=parameters.method,
                       pixel_nm=parameters.pixel_nm or None, bootstrap=parameters.bootstrap)
