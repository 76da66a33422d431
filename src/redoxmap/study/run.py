"""Run a study: every file of every sample through its modality's analysis."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap._version import __version__
from redoxmap.cycling.read import read_cycling
from redoxmap.cycling.regions import regions_from_bounds
from redoxmap.store.cells import CellStore
from redoxmap.study.analyses.cycling import analyze_cycling
from redoxmap.study.builtin import (
    CvParameters,
    CyclingParameters,
    DemsParameters,
    ImagesParameters,
    XasParameters,
    XpsParameters,
    XrdParameters,
)
from redoxmap.study.executor import Executor, SerialExecutor, Task, TaskOutcome, run_task
from redoxmap.study.fingerprint import study_fingerprint
from redoxmap.study.manifest import ModelRunParameters, Sample, Study, load_study
from redoxmap.study.modality import Modality, modalities, resolve
from redoxmap.study.model_evidence import (
    model_interface_resistances,
    model_particle_radius,
    model_probing_depths,
    predicted_samples,
)


@dataclass
class StudyResult:
    """What a study run produced: one list of outcomes per modality, and provenance."""

    study: Study
    sections: dict[str, list[TaskOutcome]]
    version: str = __version__
    started: str = ""
    finished: str = ""
    notes: list[str] = field(default_factory=list)
    timings_s: dict[str, float] = field(default_factory=dict)
    """Wall time of each phase of the run, in seconds: a Dask cluster's start where the executor started one,
    then each modality's analysis (its files read and analysed)."""
    task_seconds: dict[str, float] = field(default_factory=dict)
    """Per modality, the summed wall time of its tasks where they ran (:attr:`TaskOutcome.seconds`; a task lost
    with its worker or stopped at its timeout counts 0 s). On one process it is the phase's time less the
    preparation; on ``n`` worker threads, a phase's time beyond ``task_seconds / n`` is what preparing the
    tasks and the cluster cost (sending tasks and results, waiting for a cold worker, uneven tasks)."""
    execution: list[str] = field(default_factory=list)
    """How each phase ran and why, where the executor decided it from the tasks' measured cost
    (:class:`redoxmap.study.AdaptiveExecutor`)."""
    fingerprint: str = ""
    """The study's inputs as they were when the run started (:func:`redoxmap.study.fingerprint.study_fingerprint`);
    a report made from this result is up to date while they stay the same."""

    def failures(self) -> list[TaskOutcome]:
        """Every task that did not finish."""
        return [o for outcomes in self.sections.values() for o in outcomes if not o.ok]

    def describe(self) -> str:
        """One line: the study, its samples, and per modality the tasks that finished and failed."""
        parts = [f"{name} {sum(o.ok for o in outcomes)}/{len(outcomes)}" for name, outcomes in self.sections.items()]
        failed = len(self.failures())
        return (f"{self.study.name!r}: {len(self.study.samples)} samples; analyses done: {', '.join(parts) or 'none'}"
                + (f"; {failed} failed (see .failures())" if failed else ""))

    def __repr__(self) -> str:  # the generated one prints every table of every outcome
        return f"<StudyResult {self.describe()}>"

    def _repr_html_(self) -> str:
        import html

        rows = "".join(f"<tr><td>{html.escape(o.label)}</td><td>{html.escape(name)}</td>"
                       f"<td>{html.escape(o.error or '')}</td></tr>" for name, outcomes in self.sections.items()
                       for o in outcomes if not o.ok)
        failures = (f"<table><tr><th>task</th><th>modality</th><th>error</th></tr>{rows}</table>" if rows else "")
        return f"<div><strong>StudyResult</strong> {html.escape(self.describe())}{failures}</div>"


def cell_label(sample: Sample, file: Path, modality: str) -> str:
    """The sample name, with the file name when the sample has several files of a modality."""
    if len(sample.files.get(modality, [])) > 1:
        return f"{sample.name} ({file.name})"
    return sample.name


DEFAULT_STORE = ".redoxmap-store"  # in the study's folder


def study_store(study: Study, store: CellStore | str | PathLike | bool | None = None) -> CellStore | None:
    """The store a run of ``study`` keeps decoded cycler files in: ``store`` if given (a folder, or
    False for none), else ``[study] store`` of its manifest (relative to the study), else
    ``.redoxmap-store`` in the study's folder. None when that folder cannot be written (a read-only
    study): files are then decoded on every run."""
    import os

    # A path in study.toml is relative to the study, one given here to the working folder.
    chosen, base = (study.execution.get("store", True), study.folder) if store is None else (store, Path.cwd())
    if chosen is False:
        return None
    if isinstance(chosen, CellStore):
        return chosen
    root = study.folder / DEFAULT_STORE if chosen is True else base / Path(chosen)
    probe = root if root.exists() else root.parent
    while not probe.exists():
        probe = probe.parent
    return CellStore(root) if os.access(probe, os.W_OK) else None


def read_sample_cycling(sample: Sample, file: Path, store: CellStore | None = None) -> pd.DataFrame:
    """A sample's cycling file read with the sample's metadata, through ``store`` when there is one."""
    reader = store.read_cycling if store is not None else read_cycling
    return reader(file, format=sample.format, name=cell_label(sample, file, "cycling"),
                  active_mass_mg=sample.active_mass_mg, electrode=sample.electrode, cell_type=sample.cell_type,
                  temperature_C=sample.temperature_C, specific_current_mA_g=sample.specific_current_mA_g,
                  electrode_area_cm2=sample.electrode_area_cm2)


def analyze_cycling_file(sample: Sample, file: Path, parameters: CyclingParameters, store: CellStore | None = None):
    """Read (through ``store``, if any) and analyse one cycling file of a sample (the task the executor
    runs); the analysis keeps the rows of its profile cycles only (the whole table is in the store),
    so that a study's memory does not grow with its files' lengths."""
    table = read_sample_cycling(sample, file, store)
    regions = regions_from_bounds(parameters.region_bounds_V, parameters.region_names)
    return analyze_cycling(
        table, profile_cycles=parameters.profile_cycles, regions=regions,
        voltage_step_V=parameters.voltage_step_V, smoothing_V=parameters.smoothing_V,
        peak_prominence=parameters.peak_prominence, peak_windows=sample_peak_windows(sample, parameters),
        exclude_cv=parameters.exclude_cv,
        linear_fade=parameters.linear_fade, keep_rows="profiles",
    )


def sample_peak_windows(sample: Sample, parameters: CyclingParameters):
    """A sample's dQ/dV peak windows: ``"auto"`` names peaks Ox1-Ox4 / Red1-Red3 by the reference study's
    windows only for a Li-rich cathode (``chemistry = "li-rich"``); other cells' peaks are tracked by
    position, unlabelled."""
    from redoxmap.study.chemistry import is_li_rich

    spec = parameters.peak_windows
    if spec == "auto":
        return "reference" if is_li_rich(sample.chemistry) and sample.electrode == "cathode" else "none"
    return spec


def _xas_entries(sample: Sample, parameters: XasParameters):
    from redoxmap.io.xas_files import load_channel_map
    from redoxmap.study.analyses.xas import SpectrumEntry
    from redoxmap.xas.files import edge_kind

    e0 = parameters.reference_e0_eV or None
    entries = []
    for options in sample.file_options.get("xas", []):
        channel_map = load_channel_map(options["channel_map"]) if options.get("channel_map") else None
        entries.append(SpectrumEntry(files=options["files"], edge=options["edge"], mode=options.get("mode", "tey"),
                                     state=options.get("state", "as measured"),
                                     pristine=options.get("pristine", False), channel_map=channel_map,
                                     reference_e0_eV=e0 if edge_kind(options["edge"]) == "K" else None))
    return entries


def xas_settings(study: Study):
    """How the study's spectra are analysed: its ``[xas]`` section and ``[map] error_floors``."""
    from redoxmap.study.analyses.xas import XasSettings

    return XasSettings.from_parameters(study.parameters["xas"], study.parameters["map"].error_floors)


def prepare_xas(study: Study) -> dict:
    """References (loaded once, with their self-check), the pristine O K fits by mode and the settings."""
    from redoxmap.study.analyses.xas import SpectrumEntry, prepare_references
    from redoxmap.xas.files import edge_kind

    parameters = study.parameters["xas"]
    e0 = parameters.reference_e0_eV or None
    references = prepare_references([
        (SpectrumEntry(files=r["files"], edge=r["edge"], mode=r.get("mode", "transmission"),
                       reference_e0_eV=e0 if edge_kind(r["edge"]) == "K" else None), r["name"], r["valence"])
        for r in parameters.references])
    return {"references": references, "pristine": pristine_oxygen(study), "settings": xas_settings(study)}


def pristine_oxygen(study: Study) -> dict:
    """The pristine O K spectra by mode (the first sample's of each mode gives b0), fitted under every
    analysis choice (:class:`redoxmap.study.analyses.xas.PristineOxygen`)."""
    import dataclasses

    from redoxmap.study.analyses.xas import fit_pristine_oxygen, group_replicates
    from redoxmap.xas.files import edge_kind

    settings = xas_settings(study)
    pristine = {}
    for sample in study.samples:
        entries = [dataclasses.replace(e, fluorescence=settings.fluorescence)
                   for e in _xas_entries(sample, study.parameters["xas"])]
        for entry in group_replicates(entries):
            if entry.pristine and edge_kind(entry.edge) == "O-K" and entry.mode not in pristine:
                pristine[entry.mode] = fit_pristine_oxygen(entry, peaks=settings.o_k_peaks,
                                                           window=settings.o_k_window_eV)
    return pristine


def charge_cycle(options: dict) -> int | None:
    """After which charge a spectrum was taken: the cycle of its state ("charge 12", "1st charge",
    "after 12 cycles", or the entry's ``cycle``; :func:`redoxmap.study.states.parse_state`); None for
    pristine and unnumbered states."""
    from redoxmap.study.states import parse_state

    state = parse_state(options.get("state", ""), options.get("cycle"))
    return int(state.cycle) if state.cycle == state.cycle and state.cycle >= 1 else None


def model_r_values(study: Study) -> pd.DataFrame:
    """The O activation index r of every O K spectrum taken after a numbered charge of a cell with a
    temperature, by the model's mode (``tey`` or ``bulk``): the XAS values the model is fitted to.

    Each r carries its combined error (statistical, replicates, analysis choices and the ``[map]`` floor, 0.02
    unless set: :func:`redoxmap.study.analyses.xas.combined_stderr`), as the map's verdicts do. The floor is a
    systematic shared by the spectra of one beamtime and mode, counted here per spectrum: that over-states the
    errors of differences between spectra (how r grows) and under-states that of their common level (r_max),
    which a shared offset moves whole.

    Columns: ``temperature_C``, ``cycle``, ``mode``, ``r``, ``r_stderr``, ``sample``.
    """
    from redoxmap.study.analyses.xas import analyze_xas, combined_stderr
    from redoxmap.xas.channels import probe_of_mode
    from redoxmap.xas.files import edge_kind

    parameters = study.parameters["xas"]
    rows, pristine = [], None
    held_out = predicted_samples(study)
    for sample in study.samples:
        if sample.temperature_C is None or sample.name in held_out:
            continue
        chosen = [(entry, cycle) for entry, cycle
                  in zip(_xas_entries(sample, parameters), map(charge_cycle, sample.file_options.get("xas", [])))
                  if edge_kind(entry.edge) == "O-K" and not entry.pristine and cycle]
        if not chosen:
            continue
        pristine = pristine_oxygen(study) if pristine is None else pristine
        settings = xas_settings(study)
        result = analyze_xas(sample.name, [entry for entry, _ in chosen], references={}, pristine=pristine,
                             settings=settings)
        if "r" not in result.activation:
            continue
        cycles = {(entry.mode, entry.state): cycle for entry, cycle in chosen}
        for row in result.activation.dropna(subset=["r"]).to_dict("records"):
            rows.append({"temperature_C": sample.temperature_C, "cycle": cycles[(row["mode"], row["state"])],
                         "mode": "tey" if probe_of_mode(row["mode"]) == "surface" else "bulk", "r": row["r"],
                         "r_stderr": combined_stderr(row, "r", settings.floors), "sample": sample.name})
    return pd.DataFrame(rows, columns=["temperature_C", "cycle", "mode", "r", "r_stderr", "sample"])


def model_surface_valences(study: Study):
    """The surface (TEY) valence at the ``[model] surface_edge`` after numbered charges of the cells the model
    learns from, with the pristine valence at that edge and probing depth: what fixes the surface reaction's rate.
    Each valence carries its combined error (statistical, replicates, analysis choices, references and the
    ``[map]`` floor); several pristine spectra are averaged, their error the largest of theirs or their replicate
    spread's. None without such spectra after a charge; with them, a ``DataWarning`` says why there is none (no
    pristine spectrum at that edge and mode, no references for the edge, no valence read); a sample whose spectra
    cannot be read is left out (its own XAS task reports why).

    Parameters
    ----------
    study : Study

    Returns
    -------
    redoxmap.model.surface.SurfaceValences or None
    """
    from redoxmap.errors import RedoxmapError, warn
    from redoxmap.fitting import replicate_error
    from redoxmap.model.surface import SurfaceValences
    from redoxmap.study.analyses.xas import analyze_xas, combined_stderr
    from redoxmap.study.states import parse_state
    from redoxmap.xas.channels import probe_of_mode

    parameters = study.parameters["model"]
    edge = parameters.surface_edge.upper()
    held_out = predicted_samples(study)
    chosen = []  # (sample, entry, charge or 0 for pristine)
    for sample in study.samples:
        for entry, options in zip(_xas_entries(sample, study.parameters["xas"]), sample.file_options.get("xas", [])):
            state = parse_state(options.get("state", ""), options.get("cycle"))
            if entry.edge.upper() != edge or probe_of_mode(entry.mode) != "surface":
                continue
            if entry.pristine or state.half == "pristine":
                chosen.append((sample, entry, 0))
            elif (state.half == "charge" and state.cycle >= 1 and sample.temperature_C is not None
                  and sample.name not in held_out):
                chosen.append((sample, entry, int(state.cycle)))
    if not any(cycle for _, _, cycle in chosen):
        return None
    unused = (f"the surface reaction keeps its stated rate: the study has {parameters.surface_edge} TEY spectra after "
              "numbered charges but")
    if all(cycle for _, _, cycle in chosen):
        warn(f"{unused} no pristine one at that edge and mode (state = \"pristine\" or pristine = true)")
        return None
    context = prepare_xas(study)
    if edge not in context["references"]:
        known = ", ".join(sorted(context["references"])) or "none"
        warn(f"{unused} no [xas] references for that edge (it has {known})")
        return None
    rows, pristine = [], []
    for sample in {s.name: s for s, _, _ in chosen}.values():
        entries = {(e.mode, e.state): cycle for s, e, cycle in chosen if s is sample}
        try:
            result = analyze_xas(sample.name, [e for s, e, _ in chosen if s is sample],
                                 references=context["references"], pristine=context["pristine"],
                                 settings=context["settings"])
        except RedoxmapError:
            continue
        for row in result.valence.to_dict("records"):
            cycle = entries.get((row["mode"], row["state"]))
            if cycle is None or not np.isfinite(row["valence"]):
                continue
            error = combined_stderr(row, "valence", context["settings"].floors)
            if cycle:
                rows.append({"temperature_C": sample.temperature_C, "cycle": cycle, "valence": row["valence"],
                             "valence_stderr": error, "sample": sample.name})
            else:
                pristine.append((row["valence"], error))
    if not rows or not pristine:
        warn(f"{unused} no valence could be read from {'them' if not rows else 'the pristine one'}")
        return None
    values, errors = np.array(pristine).T
    spread = replicate_error(list(values))[0]
    return SurfaceValences(pd.DataFrame(rows), float(values.mean()),
                           float(np.nanmax([errors.max(), spread])), f"surface (TEY) {parameters.surface_edge} valence",
                           float(parameters.surface_electrons))


def analyze_xas_sample(sample: Sample, parameters: XasParameters, context: dict):
    """Analyse every spectrum of a sample (the task the executor runs)."""
    from redoxmap.study.analyses.xas import analyze_xas

    return analyze_xas(sample.name, _xas_entries(sample, parameters), references=context["references"],
                       pristine=context["pristine"], settings=context["settings"])


def plan_cycling(study: Study, store: CellStore | None = None):
    """One task per cycling file (each file is a cell), read through ``store``."""
    return analyze_cycling_file, [
        Task(cell_label(sample, file, "cycling"), (sample, file, study.parameters["cycling"], store))
        for sample in study.samples for file in sample.files.get("cycling", [])]


def plan_xas(study: Study, store: CellStore | None = None):
    """One task per sample with spectra, sharing the references, pristine O K fits and settings prepared once."""
    samples = [s for s in study.samples if s.files.get("xas")]
    if not samples:
        return analyze_xas_sample, []
    context = prepare_xas(study)
    return analyze_xas_sample, [Task(s.name, (s, study.parameters["xas"], context)) for s in samples]


def analyze_xrd_sample(sample: Sample, parameters: XrdParameters):
    """Analyse every diffraction pattern and series of a sample (the task the executor runs)."""
    from redoxmap.study.analyses.xrd import PatternEntry, analyze_xrd

    entries = [PatternEntry(files=o["files"], state=o.get("state", "as measured"), series=o.get("series", False),
                            cycling=Path(o["cycling"]) if o.get("cycling") else None,
                            time_offset_s=float(o.get("time_offset_s", 0.0)), active_mass_mg=sample.active_mass_mg)
               for o in sample.file_options.get("xrd", [])]
    return analyze_xrd(sample.name, entries, peaks=parameters.peaks or None,
                       half_width_deg=parameters.half_width_deg, cif_files=parameters.cif,
                       wavelength_A=parameters.wavelength_A or None, radiation=parameters.radiation or None)


def analyze_images_sample(sample: Sample, parameters: ImagesParameters):
    """Measure the lattice fringes of every micrograph of a sample (the task the executor runs)."""
    from redoxmap.study.analyses.images import ImageEntry, analyze_images

    entries = [ImageEntry(file=o["files"][0], state=o.get("state", "as measured"), pixel_nm=o.get("pixel_nm"),
                          boxes=o.get("boxes", {})) for o in sample.file_options.get("images", [])]
    return analyze_images(sample.name, entries, pixel_nm=parameters.pixel_nm or None,
                          d_range_nm=tuple(parameters.d_range_nm), min_snr=parameters.min_snr,
                          max_spots=parameters.max_spots, candidates=parameters.candidates or None)


def analyze_cv_sample(sample: Sample, parameters: CvParameters):
    """b-values, diffusion and capacitive share of a sample's CVs at several scan rates."""
    from redoxmap.cv.voltammetry import analyze_scan_rates, read_voltammogram

    records = [read_voltammogram(path, scan_rate_mV_s=o.get("scan_rate_mV_s"))
               for o in sample.file_options.get("cv", []) for path in o["files"]]
    analysis = analyze_scan_rates(records, n=parameters.electrons, area_cm2=parameters.area_cm2 or None,
                                  concentration_mol_cm3=parameters.concentration_mol_cm3 or None,
                                  temperature_C=sample.temperature_C or 25.0, intercept=parameters.intercept)
    return sample.name, analysis


def analyze_xps_sample(sample: Sample, parameters: XpsParameters):
    """Fit the named regions of every XPS file of a sample (the task the executor runs)."""
    from redoxmap.study.analyses.xps import XpsEntry, analyze_xps

    entries = [XpsEntry(file=path, state=o.get("state", "as measured"), cycle=o.get("cycle"),
                        temperature_C=o.get("temperature_C"), shift_eV=o.get("shift_eV"))
               for o in sample.file_options.get("xps", []) for path in o["files"]]
    return analyze_xps(sample.name, entries, regions=parameters.regions, presets=parameters.presets,
                       components=parameters.components,
                       background=parameters.background, fit_background=parameters.fit_background,
                       line_shape=parameters.line_shape, charge_reference=parameters.charge_reference,
                       reference_eV=parameters.reference_eV, temperature_C=sample.temperature_C)


def analyze_dems_sample(sample: Sample, parameters: DemsParameters):
    """Quantify every gas recording of a sample against its cell's cycler file (the task the executor runs)."""
    from redoxmap.study.analyses.dems import DemsEntry, analyze_dems

    entries = [DemsEntry(file=path, cycling=Path(o["cycling"]) if o.get("cycling") else None,
                         calibration=Path(o["calibration"]) if o.get("calibration") else None,
                         offset_s=o.get("offset_s"), state=o.get("state", "as measured"))
               for o in sample.file_options.get("dems", []) for path in o["files"]]
    return analyze_dems(sample.name, entries, calibration=parameters.calibration, delay_s=parameters.delay_s,
                        lag_s=parameters.lag_s, count_co2=parameters.count_co2,
                        active_mass_mg=sample.active_mass_mg, electrode=sample.electrode)


def model_cells(study: Study, store: CellStore | None = None) -> list[tuple]:
    """``(label, temperature_C, cycling table)`` of every cell with a temperature and an active mass:
    the cells the activation models are fitted to (not those it is to predict: :func:`predicted_samples`);
    read through ``store`` when there is one."""
    cells = []
    held_out = predicted_samples(study)
    for sample in study.samples:
        if sample.temperature_C is None or not sample.active_mass_mg or sample.name in held_out:
            continue
        for file in sample.files.get("cycling", []):
            cells.append((cell_label(sample, file, "cycling"), sample.temperature_C,
                          read_sample_cycling(sample, file, store)))
    return cells


def analyze_model_study(study: Study, parameters: ModelRunParameters, store: CellStore | None = None):
    """Fit the activation model to every cell with a temperature and a mass (the task the executor runs),
    with what the study's own impedance and SEM measure of it (:mod:`redoxmap.study.model_evidence`)."""
    from redoxmap.cycling import cycle_summary
    from redoxmap.study.analyses.model import analyze_model

    cells = [(label, temperature, cycle_summary(table)) for label, temperature, table in model_cells(study, store)]
    return analyze_model(cells, r_values=model_r_values(study), interface=model_interface_resistances(study),
                         radius=model_particle_radius(study), probing=model_probing_depths(study),
                         surface=None if "surface_loss_per_cycle" in parameters.parameters
                         else model_surface_valences(study),
                         vary=tuple(parameters.vary),
                         parameters=parameters.parameters,
                         cycles=parameters.cycles, stderr_pct=parameters.capacity_stderr_pct,
                         reference_protocol=parameters.reference_protocol)


def _model_tasks(study: Study, store: CellStore | None = None):
    if not study.parameters["model"].run:
        return analyze_model_study, []
    return analyze_model_study, [Task("activation model", (study, study.parameters["model"], store))]


def _planner(modality: Modality):
    """The modality's plan, its functions imported only when it runs (inside the run's own error
    handling: a plugin that cannot be imported fails its own tasks, not the study)."""
    def planner(study: Study, store: CellStore | None = None):
        if modality.planner:
            return resolve(modality.planner)(study, store)
        return resolve(modality.task), [Task(s.name, (s, study.parameters[modality.name])) for s in study.samples
                                        if s.files.get(modality.name)]
    return planner


def planners() -> dict:
    """``name -> planner(study, store) -> (function, tasks)`` for the executor: every modality's (its
    own planner, or one task per sample with files), then the study-wide model. A failure while
    planning (a reference that cannot be read) becomes a failed outcome of its own."""
    return {**{name: _planner(modality) for name, modality in modalities().items()}, "model": _model_tasks}


def run_study(study: Study | str | PathLike, *, executor: Executor | None = None,
              store: CellStore | str | PathLike | bool | None = None) -> StudyResult:
    """Analyse every file of every sample; a failing file is recorded, not fatal.

    Parameters
    ----------
    study : Study or path-like
        From :func:`redoxmap.study.load_study`, or a study folder or its ``study.toml``.
    executor : Executor, optional
        Defaults to a :class:`SerialExecutor` with a progress bar.
    store : CellStore, path-like or bool, optional
        Where decoded cycler files are kept, so that the next run does not decode them again
        (:func:`study_store`: by default ``[study] store``, or ``.redoxmap-store`` in the study's
        folder; False for none).

    Returns
    -------
    StudyResult

    Examples
    --------
    >>> result = run_study("redoxmap-demo/virtual")    # doctest: +SKIP
    >>> result.failures()                              # doctest: +SKIP
    []
    """
    if not isinstance(study, Study):
        study = load_study(study)
    executor = executor or SerialExecutor()
    store = study_store(study, store)
    fingerprint = study_fingerprint(study)  # before any file is read: a file changed during the run is redone
    started = datetime.now(UTC).isoformat(timespec="seconds")
    sections, task_seconds = {}, {}
    timings: dict[str, float] = {}
    _count_cluster_start(executor, timings)  # a cluster started before the run: counted by its first run
    decided_before = len(getattr(executor, "decisions", []))  # an executor reused: only this run's decisions
    for modality, planner in planners().items():
        clock = time.perf_counter()
        planned = run_task(planner, Task(f"{modality} preparation", (study, store)))
        if not planned.ok:
            sections[modality] = [planned]
            continue
        function, tasks = planned.value
        if tasks:
            sections[modality] = executor.map(function, tasks, description=f"{modality} analysis")
            started_now = _count_cluster_start(executor, timings)  # one the executor started during this phase
            timings[f"{modality}: read and analyse"] = round(time.perf_counter() - clock - started_now, 3)
            task_seconds[modality] = round(sum(o.seconds for o in sections[modality]), 3)
    finished = datetime.now(UTC).isoformat(timespec="seconds")
    return StudyResult(study=study, sections=sections, started=started, finished=finished, timings_s=timings,
                       task_seconds=task_seconds, fingerprint=fingerprint,
                       execution=list(getattr(executor, "decisions", []))[decided_before:])


def _count_cluster_start(executor: Executor, timings: dict[str, float]) -> float:
    """Add a Dask cluster's start to ``timings`` the first time the executor reports it; returns its seconds
    (0 when none), which the phase that started it does not count again."""
    seconds = executor.start_seconds_once() if hasattr(executor, "start_seconds_once") else None
    if seconds is None:
        return 0.0
    timings["Dask cluster started"] = round(seconds, 3)
    return seconds
