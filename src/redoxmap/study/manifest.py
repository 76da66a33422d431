"""The study manifest: ``study.toml``, its samples, their files by modality, and parameters.

Example::

    [study]
    name = "LLO activation in all-solid-state cells"

    [cycling]                       # analysis parameters, all optional
    profile_cycles = [1, 2, 10]
    region_bounds_V = [3.9, 4.4]

    [[sample]]
    name = "LLO-30"
    active_mass_mg = 4.0
    temperature_C = 30
    specific_current_mA_g = 250
    [sample.files]
    cycling = ["cycling/LLO-30.ndax"]

Relative paths resolve against the manifest's folder. Unknown keys are errors (with
a suggestion), so a typo does not silently drop a setting. The sections and file keys are
those of :func:`redoxmap.study.modality.modalities` (each modality declares its parameters,
file options and checks), plus the study-wide ``[model]`` and ``[map]``.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field, replace
from os import PathLike
from pathlib import Path
from typing import Any

from redoxmap.errors import ManifestError
from redoxmap.study.map_options import MapOptions
from redoxmap.study.modality import (
    Modality,
    Parameter,
    modalities,
    parameter,
    parameter_specs,
    parameter_values,
    resolve,
)


@dataclass(frozen=True)
class ModelRunParameters:
    """The ``[model]`` section of a study manifest: whether and how the study fits the activation model."""

    run: bool = parameter(False, "fit the activation model to the cells' capacities", bool)
    vary: list = parameter(["r_int_ohm_g", "r_int_activation_energy_eV", "q_o_mAh_g", "u_ref"],
                           "model parameters to fit (the others keep their values)", list)
    reference_protocol: bool = parameter(True, "show the model's held-out predictions on the reference study "
                                         "(trained on its capacities and bulk r) in the model section", bool)
    parameters: dict = parameter({}, "model parameter values, e.g. {phi_c = 0.8, radius_nm = 1500}", dict)
    cycles: int = parameter(40, "cycles to simulate", int)
    capacity_stderr_pct: float = parameter(1.0, "uncertainty of a measured capacity, in %", (int, float))
    surface_edge: str = parameter("Ni-L3", "the TM edge whose surface (TEY) valence after numbered charges, with a "
                                  "pristine spectrum at that edge, fixes the surface reaction's rate", str)
    surface_electrons: float = parameter(2.0, "electrons per TM of that edge between discharged and charged "
                                         "(Ni2+/4+: 2)", (int, float))


ANALYSES: dict[str, type] = {"model": ModelRunParameters, "map": MapOptions}
"""Study-wide sections without files of their own, and their parameter dataclasses."""

SAMPLE_KEYS = {
    "name": str,
    "description": str,
    "active_mass_mg": (int, float),
    "electrode": str,
    "cell_type": str,
    "temperature_C": (int, float),
    "specific_current_mA_g": (int, float),
    "electrode_area_cm2": (int, float),
    "format": str,
    "files": dict,
    "chemistry": str,
    "variables": dict,
    "simulated": bool,
}
STUDY_KEYS = {"name": str, "description": str, "authors": list, "workers": int, "scheduler": str,
              "task_timeout_s": (int, float), "store": (str, bool)}


STANDARD_CONDITIONS = ("temperature_C", "chemistry", "cell_type", "electrode", "specific_current_mA_g")
"""The conditions every sample may state, in the order labels name them (the user's ``variables`` follow)."""


@dataclass
class Sample:
    """A sample or cell of the study, with its metadata and files by modality."""

    name: str
    files: dict[str, list[Path]]
    file_options: dict[str, list[dict]] = field(default_factory=dict)
    description: str = ""
    active_mass_mg: float | None = None
    electrode: str = "cathode"
    cell_type: str | None = None
    temperature_C: float | None = None
    specific_current_mA_g: float | None = None
    electrode_area_cm2: float | None = None
    format: str | None = None
    chemistry: str | None = None
    simulated: bool = False
    """True for a cell written by a model (a virtual study's): every headline about it says so."""
    variables: dict[str, str | float | int | bool] = field(default_factory=dict)
    """The sample's own conditions beside the standard ones (``mixing = "LPM"``, ``electrolyte = "LPSCl"``):
    samples are compared and grouped by them."""

    @property
    def conditions(self) -> dict:
        """Every condition that sets this sample apart: temperature, chemistry, cell type, electrode,
        specific current and the user's ``variables`` (unset ones left out)."""
        standard = dict(zip(STANDARD_CONDITIONS, (self.temperature_C, self.chemistry, self.cell_type, self.electrode,
                                                  self.specific_current_mA_g)))
        return {k: v for k, v in {**standard, **self.variables}.items() if v is not None and v != ""}


@dataclass
class Study:
    """A parsed, validated manifest."""

    name: str
    path: Path
    samples: list[Sample]
    parameters: dict[str, Any]
    """Each section's parameters by name (``"xps"``, ``"model"``, ``"map"``): an instance of its
    dataclass (:class:`redoxmap.study.builtin.XpsParameters`, :class:`ModelRunParameters`,
    :class:`redoxmap.study.map_options.MapOptions`, ...)."""
    description: str = ""
    authors: list[str] = field(default_factory=list)
    execution: dict = field(default_factory=dict)
    """How to run it: ``workers`` (a local Dask cluster), ``scheduler`` (a running one), ``task_timeout_s``,
    ``store`` (where decoded cycler files are kept: a folder, or false for none;
    :func:`redoxmap.study.run.study_store`)."""

    def parameter_values(self) -> dict[str, dict[str, Any]]:
        """Each section's parameters as plain values, by section (for JSON and the report's tables)."""
        return {name: parameter_values(section) for name, section in self.parameters.items()}

    @property
    def folder(self) -> Path:
        """The folder relative paths resolve against."""
        return self.path.parent


def _table(value, where: str, path: Path) -> dict:
    """A TOML table, or a ManifestError naming where one was expected."""
    if not isinstance(value, dict):
        raise ManifestError(f"{where} must be a table (key = value lines), not {value!r}"[:200], path=path)
    return value


def _unknown(keys, allowed, where: str, path: Path) -> None:
    for key in keys:
        if key not in allowed:
            close = difflib.get_close_matches(key, list(allowed), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (allowed: {', '.join(sorted(allowed))})"
            raise ManifestError(f"unknown key {key!r} in {where}{hint}", path=path)


def _typed(value, kind, key: str, where: str, path: Path):
    if isinstance(value, bool) and kind in ((int, float), int, float):
        raise ManifestError(f"{where}.{key} must be a number, not {value!r}", path=path)
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ManifestError(f"{where}.{key} must be {names}, not {value!r}", path=path)
    return value


def load_study(path: str | PathLike) -> Study:
    """Read and validate a study manifest.

    Parameters
    ----------
    path : path-like
        A ``study.toml`` file, or the folder that holds one.

    Returns
    -------
    Study

    Raises
    ------
    ManifestError
        If the manifest is missing, not valid TOML, has unknown keys or wrong types,
        or names files that do not exist.
    """
    # absolute from here on: every file the study names can then be opened from any working folder (a
    # Dask worker started elsewhere, a process that changed its folder)
    path = Path(path).expanduser().resolve()
    if path.is_dir():
        path = path / "study.toml"
    if not path.is_file():
        raise ManifestError("no study manifest here (expected a study.toml file)", path=path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"not valid TOML: {exc}", path=path) from exc
    except RecursionError:  # tomllib descends once per nesting level
        raise ManifestError("not valid TOML: arrays or tables nested beyond Python's recursion limit",
                            path=path) from None
    declared = modalities()
    _unknown(data, {"study", "sample", *declared, *ANALYSES}, "the manifest", path)

    head = _table(data.get("study", {}), "[study]", path)
    _unknown(head, STUDY_KEYS, "[study]", path)
    for key, kind in STUDY_KEYS.items():
        if key in head:
            _typed(head[key], kind, key, "study", path)

    parameters = {name: _section(data, name, kind, path)
                  for name, kind in {**{n: m.parameters for n, m in declared.items()}, **ANALYSES}.items()}
    _model_parameters(parameters["model"], path)
    _check_map(parameters["map"], path)

    raw_samples = data.get("sample", [])
    if not isinstance(raw_samples, list) or not raw_samples:
        raise ManifestError("the manifest lists no [[sample]]", path=path)
    samples, names = [], set()
    for number, raw in enumerate(raw_samples, start=1):
        where = f"sample {number}"
        _unknown(_table(raw, f"[[sample]] {number}", path), SAMPLE_KEYS, f"[[sample]] {number}", path)
        for key, kind in SAMPLE_KEYS.items():
            if key in raw:
                _typed(raw[key], kind, key, where, path)
        name = raw.get("name") or f"sample-{number}"
        if name in names:
            raise ManifestError(f"two samples are called {name!r}", path=path)
        names.add(name)
        files, options = _sample_files(raw.get("files", {}), path, declared, where=f"sample {name!r}")
        samples.append(Sample(
            name=name, files=files, file_options=options, description=raw.get("description", ""),
            active_mass_mg=raw.get("active_mass_mg"), electrode=raw.get("electrode", "cathode"),
            cell_type=raw.get("cell_type"), temperature_C=raw.get("temperature_C"),
            specific_current_mA_g=raw.get("specific_current_mA_g"), format=raw.get("format"),
            chemistry=raw.get("chemistry"), electrode_area_cm2=raw.get("electrode_area_cm2"),
            simulated=raw.get("simulated", False), variables=_variables(raw.get("variables", {}), where, path),
        ))
        if samples[-1].electrode not in ("cathode", "anode"):
            raise ManifestError(f"{where}: electrode must be 'cathode' or 'anode'", path=path)
    for modality in declared.values():  # each modality's own checks, with the samples known
        if modality.check:
            parameters[modality.name] = resolve(modality.check)(parameters[modality.name], path, names)
    return Study(name=head.get("name", path.parent.name), path=path.resolve(), samples=samples,
                 parameters=parameters, description=head.get("description", ""),
                 authors=head.get("authors", []),
                 execution={k: head[k] for k in ("workers", "scheduler", "task_timeout_s", "store") if k in head})


def _variables(table: dict, where: str, path: Path) -> dict:
    """A sample's own conditions: names to plain values (text, numbers, true/false)."""
    for key, value in table.items():
        if not isinstance(value, (str, int, float, bool)):
            raise ManifestError(f"{where}: variables.{key} must be text, a number or true/false, not {value!r}",
                                path=path)
        if key in SAMPLE_KEYS:
            raise ManifestError(f"{where}: variables.{key} repeats the sample key {key!r}; set it there", path=path)
    return dict(table)


def _section(data: dict, name: str, kind: type, path: Path):
    """A manifest section as its parameter dataclass: every key declared and of its TOML type, keywords
    among their choices, the others at their defaults (each default a fresh copy, made by the field)."""
    section = data.get(name, {})
    if not isinstance(section, dict):
        raise ManifestError(f"[{name}] must be a table of parameters", path=path)
    spec = parameter_specs(kind)
    _unknown(section, spec, f"[{name}]", path)
    given = {key: _typed(value, spec[key].kind, key, name, path) for key, value in section.items()}
    _check_choices(given, spec, name, path)
    return kind(**given)


def _check_choices(values: dict, spec: dict[str, Parameter], section: str, path: Path) -> None:
    """A keyword parameter must be one of its keywords (a parameter that also takes a number or a table
    is checked only when it is text)."""
    for key, value in values.items():
        declared = spec[key]
        if declared.choices and isinstance(value, str) and value not in declared.choices:
            alternatives = [kind.__name__ for kind in _kinds(declared.kind) if kind is not str]
            extra = {"dict": " or a table", "int": " or a number", "float": " or a number"}
            raise ManifestError(f"[{section}] {key} must be one of {', '.join(repr(c) for c in declared.choices)}"
                                + "".join(dict.fromkeys(extra[k] for k in alternatives if k in extra))
                                + f", not {value!r}", path=path)


def _kinds(kind) -> tuple[type, ...]:
    """A Parameter's kind as a tuple of types."""
    return kind if isinstance(kind, tuple) else (kind,)


# --- the built-in modalities' checks (redoxmap.study.builtin names them) ---------------------------

def check_cycling(parameters, path: Path, samples: set[str]):
    """``[cycling]``: named dQ/dV peak windows must be windows."""
    from redoxmap.cycling.peaks import peak_windows
    from redoxmap.errors import AnalysisError

    if parameters.peak_windows != "auto":
        try:
            peak_windows(parameters.peak_windows)
        except AnalysisError as exc:
            raise ManifestError(f"[cycling] {exc.message}", path=path) from exc
    return parameters


def _check_map(parameters: MapOptions, path: Path) -> None:
    """``[map]``: floors that are floors, thresholds in their ranges."""
    from redoxmap.errors import AnalysisError
    from redoxmap.study.budget import resolve_floors

    floors = parameters.error_floors
    if any(isinstance(v, bool) for v in floors.values()):
        raise ManifestError("[map] error_floors: floors are numbers, not true/false", path=path)
    try:
        resolve_floors(floors)
    except AnalysisError as exc:
        raise ManifestError(f"[map] error_floors: {exc.message}", path=path) from exc
    for key in ("significance_sigma", "fast_cycles"):
        if not getattr(parameters, key) > 0:
            raise ManifestError(f"[map] {key} must be positive, not {getattr(parameters, key)}", path=path)
    if parameters.min_states < 2:
        raise ManifestError(f"[map] min_states must be 2 or more (a two-parameter law needs a third state to be "
                            f"tested: 3 is the default), not {parameters.min_states}", path=path)


def check_xas(parameters, path: Path, samples: set[str]):
    """``[xas]``: references resolved and complete; depths, fluorescence geometry and composition in range."""
    parameters = replace(parameters, references=_references(parameters.references, path))
    for key in ("layer_nm", "tey_depth_nm", "bulk_depth_nm"):
        if not getattr(parameters, key) > 0:
            raise ManifestError(f"[xas] {key} must be positive, not {getattr(parameters, key)}", path=path)
    for key in ("layer_stderr_nm", "tey_depth_stderr_nm", "bulk_depth_stderr_nm"):
        if getattr(parameters, key) < 0:
            raise ManifestError(f"[xas] {key} must be zero or positive, not {getattr(parameters, key)}", path=path)
    if parameters.tey_depth_nm >= parameters.bulk_depth_nm:
        raise ManifestError("[xas] tey_depth_nm must be smaller than bulk_depth_nm", path=path)
    for key in ("incidence_deg", "exit_deg"):
        if not 0 < getattr(parameters, key) <= 90:
            raise ManifestError(f"[xas] {key} is an angle to the sample surface in (0, 90] degrees, not "
                                f"{getattr(parameters, key)}", path=path)
    composition = parameters.composition
    if composition:
        import xraydb

        try:
            xraydb.chemparse(composition)
        except Exception as exc:  # xraydb raises bare errors for a formula it cannot read
            raise ManifestError(f"[xas] composition {composition!r} is not a chemical formula xraydb reads ({exc})",
                                path=path) from exc
    return parameters


def check_xrd(parameters, path: Path, samples: set[str]):
    """``[xrd]``: peaks complete and of known phases; CIF files resolved."""
    return replace(parameters, peaks=_xrd_peaks(parameters.peaks, path),
                   cif=[str(_resolve(f, path, "[xrd] cif", "CIF")) for f in parameters.cif])


def check_dems(parameters, path: Path, samples: set[str]):
    """``[dems]``: the calibration file resolved."""
    if not parameters.calibration:
        return parameters
    return replace(parameters, calibration=str(_resolve(parameters.calibration, path, "[dems] calibration",
                                                        "calibration")))


def check_sem(parameters, path: Path, samples: set[str]):
    """``[sem]``: the reference and predicted composites are samples of the study."""
    for key in ("reference_sample", "predict"):
        named = getattr(parameters, key)
        for sample_name in [named] if isinstance(named, str) else named:
            if sample_name and sample_name not in samples:
                raise ManifestError(f"[sem] {key} names {sample_name!r}, which is not a sample", path=path)
    return parameters


def check_xps(parameters, path: Path, samples: set[str]):
    """``[xps]``: every region has components (its own, or a preset's)."""
    from redoxmap.errors import AnalysisError
    from redoxmap.xps.components import PRESETS, components_from_records, preset_for

    defined, presets = {}, dict(parameters.presets)
    for region, records in parameters.components.items():
        try:
            defined[region] = components_from_records(records, where=f"[xps] components {region!r}")
        except AnalysisError as exc:
            raise ManifestError(exc.message, path=path) from exc
    for region in parameters.regions:
        if region in defined:
            continue
        preset = presets.get(region) or preset_for(region)
        if preset not in PRESETS:
            raise ManifestError(f"[xps] region {region!r} needs a preset in [xps] presets (one of "
                                f"{', '.join(PRESETS)}) or its own [xps] components, not {preset!r}", path=path)
        presets[region] = preset
    return replace(parameters, presets=presets, components=defined)


def _resolve(entry: str, manifest: Path, where: str, modality: str) -> Path:
    if not isinstance(entry, str) or not entry:
        raise ManifestError(f"{where}: a {modality} file is a path in quotes, not {entry!r}"[:200], path=manifest)
    file = Path(entry).expanduser()
    file = file if file.is_absolute() else manifest.parent / file
    try:
        exists = file.is_file()
    except OSError as exc:  # a name longer than the file system allows, a loop of links
        raise ManifestError(f"{where}: {modality} file {entry[:80]!r}: {exc.strerror}", path=manifest) from None
    if not exists:
        raise ManifestError(f"{where}: {modality} file {entry[:200]!r} does not exist or is not a file "
                            f"(looked for {str(file)[:300]})", path=manifest)
    return file


def _file_entry(entry, manifest: Path, where: str, declared: Modality) -> tuple[list[Path], dict]:
    """A file entry: a path, or a table ``{file = path or [paths], option = ...}``."""
    modality = declared.name
    if isinstance(entry, str):
        if declared.required_options:
            example = ", ".join(f"{key} = ..." for key in declared.required_options)
            raise ManifestError(f"{where}: {modality} files are tables with {', '.join(declared.required_options)} "
                                f'(e.g. {{file = "{entry}", {example}}})', path=manifest)
        return [_resolve(entry, manifest, where, modality)], {}
    if not isinstance(entry, dict) or "file" not in entry:
        raise ManifestError(f"{where}: each {modality} entry is a path or a table with 'file'", path=manifest)
    allowed = declared.file_options
    _unknown([k for k in entry if k != "file"], allowed, f"{where} {modality} entry", manifest)
    for key in declared.required_options:
        if key not in entry:
            raise ManifestError(f"{where}: a {modality} entry needs {key!r}", path=manifest)
    for key, kind in allowed.items():
        if key in entry:
            _typed(entry[key], kind, key, f"{where} {modality}", manifest)
    names = entry["file"] if isinstance(entry["file"], list) else [entry["file"]]
    if not names:
        raise ManifestError(f"{where}: a {modality} entry's 'file' lists no file", path=manifest)
    files = [_resolve(n, manifest, where, modality) for n in names]
    options = {k: v for k, v in entry.items() if k != "file"}
    for key in declared.path_options:
        if isinstance(options.get(key), dict):  # several named files: an SEM image's maps {Mn = "mn.tif", ...}
            options[key] = {str(name): str(_resolve(str(file), manifest, where, f"{name} {key}"))
                            for name, file in options[key].items()}
        elif key in options:
            options[key] = str(_resolve(options[key], manifest, where, key.replace("_", " ")))
    return files, options


def _sample_files(raw: dict, manifest: Path, declared: dict[str, Modality], *,
                  where: str) -> tuple[dict[str, list[Path]], dict[str, list[dict]]]:
    _unknown(_table(raw, f"{where} files", manifest), declared, f"{where} files", manifest)
    files, options = {}, {}
    for modality, entries in raw.items():
        entries = entries if isinstance(entries, list) else [entries]
        files[modality], options[modality] = [], []
        for entry in entries:
            paths, extra = _file_entry(entry, manifest, where, declared[modality])
            if modality == "cycling":  # each cycling file is a cell of its own
                files[modality].extend(paths)
                options[modality].extend({} for _ in paths)
            else:  # several files of one entry are repeated scans of one spectrum
                files[modality].append(paths[0])
                options[modality].append({**extra, "files": paths})
        _name_states_apart(options[modality])
    return files, options


def _name_states_apart(entries: list[dict]) -> None:
    """Entries that share a state name but not a ``cycle`` key get the cycle in their names ("charge" with
    ``cycle = 1`` and ``cycle = 12``: "charge, cycle 1" and "charge, cycle 12"), so that they are told apart as
    spectra (not merged as replicates) and each keeps its own cycle in the map; a name used with one cycle stays as
    the user wrote it."""
    cycles: dict[str, set] = {}
    for entry in entries:
        if "cycle" in entry:
            cycles.setdefault(str(entry.get("state", "")), set()).add(entry["cycle"])
    for entry in entries:
        name = str(entry.get("state", ""))
        if "cycle" in entry and len(cycles[name]) > 1:
            entry["state"] = f"{name}, cycle {entry['cycle']}" if name else f"cycle {entry['cycle']}"


def _model_parameters(section: ModelRunParameters, manifest: Path) -> None:
    from redoxmap.model.cycle_model import ActivationParameters

    known = ActivationParameters().to_dict()
    for key in [*section.vary, *section.parameters]:
        if key not in known:
            close = difflib.get_close_matches(key, list(known), n=1)
            raise ManifestError(f"[model] names an unknown model parameter {key!r}"
                                + (f" (did you mean {close[0]!r}?)" if close else ""), path=manifest)


def _xrd_peaks(raw: list, manifest: Path) -> list[dict]:
    """Validate the [xrd] peaks (an empty list keeps the default set)."""
    from redoxmap.errors import AnalysisError
    from redoxmap.xrd.phases import phase

    for number, entry in enumerate(raw, start=1):
        where = f"[xrd] peak {number}"
        if not isinstance(entry, dict) or not {"label", "phase", "hkl", "near"} <= set(entry):
            raise ManifestError(f"{where} needs label, phase, hkl and near", path=manifest)
        _unknown(entry, {"label", "phase", "hkl", "near"}, where, manifest)
        _typed(entry["near"], (int, float), "near", where, manifest)
        _typed(entry["phase"], str, "phase", where, manifest)
        if not (isinstance(entry["hkl"], list) and len(entry["hkl"]) == 3
                and all(isinstance(v, int) for v in entry["hkl"])):
            raise ManifestError(f"{where}: hkl must be three integers, like [0, 0, 3]", path=manifest)
        try:
            phase(entry["phase"])
        except AnalysisError as exc:
            raise ManifestError(f"{where}: {exc.message}", path=manifest) from exc
    return raw


def _references(raw: list, manifest: Path) -> list[dict]:
    """Validate and resolve the [xas] references."""
    out = []
    for number, entry in enumerate(raw, start=1):
        where = f"[xas] reference {number}"
        if not isinstance(entry, dict) or not {"file", "edge", "valence"} <= set(entry):
            raise ManifestError(f"{where} needs file, edge and valence", path=manifest)
        _unknown(entry, {"file", "edge", "valence", "mode", "name", "channel_map"}, where, manifest)
        _typed(entry["valence"], (int, float), "valence", where, manifest)
        names = entry["file"] if isinstance(entry["file"], list) else [entry["file"]]
        if not names:
            raise ManifestError(f"{where}: 'file' lists no file", path=manifest)
        out.append({**entry, "files": [_resolve(n, manifest, where, "reference") for n in names],
                    "name": entry.get("name") or Path(names[0]).stem})
    return out
