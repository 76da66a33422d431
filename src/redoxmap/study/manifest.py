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
a suggestion), so a typo does not silently drop a setting. Modalities are registered
in :data:`MODALITIES`; a later modality (XAS, XRD...) adds its name and parameters
there and the manifest accepts its files and section without other changes.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from redoxmap.errors import ManifestError


@dataclass(frozen=True)
class Parameter:
    """An analysis parameter of a modality's manifest section."""

    default: Any
    help: str
    kind: type | tuple[type, ...]


# modality -> its parameters (the keys of its [section]).
MODALITIES: dict[str, dict[str, Parameter]] = {
    "cycling": {
        "profile_cycles": Parameter([1, 2, 5, 10, 20, 40], "cycles drawn as voltage profiles and dQ/dV", list),
        "region_bounds_V": Parameter([3.9, 4.4], "voltage boundaries between regions, in V", list),
        "region_names": Parameter(["I", "II", "III"], "names of the regions, low to high", list),
        "voltage_step_V": Parameter(0.005, "dQ/dV grid spacing, in V", (int, float)),
        "smoothing_V": Parameter(0.0075, "dQ/dV Gaussian kernel sigma, in V", (int, float)),
        "peak_prominence": Parameter(0.05, "minimum dQ/dV peak prominence (fraction of max)", (int, float)),
        "peak_windows": Parameter("reference", "named dQ/dV peak windows: 'reference' (the Li-rich "
                                  "cathode's Ox1-Ox4, Red1-Red3), 'none', or "
                                  "{charge = {Ox1 = [3.0, 3.9], ...}, discharge = {...}}", (str, dict)),
        "linear_fade": Parameter(False, "fit a linear fade term in the activation law", bool),
        "exclude_cv": Parameter(True, "leave constant-voltage holds out of dQ/dV", bool),
    },
}

SAMPLE_KEYS = {
    "name": str, "description": str, "active_mass_mg": (int, float), "electrode": str,
    "cell_type": str, "temperature_C": (int, float), "specific_current_mA_g": (int, float),
    "format": str, "files": dict,
}
STUDY_KEYS = {"name": str, "description": str, "authors": list}


@dataclass
class Sample:
    """A sample or cell of the study, with its metadata and files by modality."""

    name: str
    files: dict[str, list[Path]]
    description: str = ""
    active_mass_mg: float | None = None
    electrode: str = "cathode"
    cell_type: str | None = None
    temperature_C: float | None = None
    specific_current_mA_g: float | None = None
    format: str | None = None


@dataclass
class Study:
    """A parsed, validated manifest."""

    name: str
    path: Path
    samples: list[Sample]
    parameters: dict[str, dict[str, Any]]
    description: str = ""
    authors: list[str] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        """The folder relative paths resolve against."""
        return self.path.parent


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
    path = Path(path)
    if path.is_dir():
        path = path / "study.toml"
    if not path.is_file():
        raise ManifestError("no study manifest here (expected a study.toml file)", path=path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"not valid TOML: {exc}", path=path) from exc
    _unknown(data, {"study", "sample", *MODALITIES}, "the manifest", path)

    head = data.get("study", {})
    _unknown(head, STUDY_KEYS, "[study]", path)
    for key, kind in STUDY_KEYS.items():
        if key in head:
            _typed(head[key], kind, key, "study", path)

    parameters = {}
    for modality, spec in MODALITIES.items():
        section = data.get(modality, {})
        if not isinstance(section, dict):
            raise ManifestError(f"[{modality}] must be a table of parameters", path=path)
        _unknown(section, spec, f"[{modality}]", path)
        parameters[modality] = {key: _typed(section[key], p.kind, key, modality, path)
                                if key in section else p.default for key, p in spec.items()}

    _check_peak_windows(parameters["cycling"]["peak_windows"], path)

    raw_samples = data.get("sample", [])
    if not isinstance(raw_samples, list) or not raw_samples:
        raise ManifestError("the manifest lists no [[sample]]", path=path)
    samples, names = [], set()
    for number, raw in enumerate(raw_samples, start=1):
        where = f"sample {number}"
        _unknown(raw, SAMPLE_KEYS, f"[[sample]] {number}", path)
        for key, kind in SAMPLE_KEYS.items():
            if key in raw:
                _typed(raw[key], kind, key, where, path)
        name = raw.get("name") or f"sample-{number}"
        if name in names:
            raise ManifestError(f"two samples are called {name!r}", path=path)
        names.add(name)
        files = _sample_files(raw.get("files", {}), path, where=f"sample {name!r}")
        samples.append(Sample(
            name=name, files=files, description=raw.get("description", ""),
            active_mass_mg=raw.get("active_mass_mg"), electrode=raw.get("electrode", "cathode"),
            cell_type=raw.get("cell_type"), temperature_C=raw.get("temperature_C"),
            specific_current_mA_g=raw.get("specific_current_mA_g"), format=raw.get("format"),
        ))
        if samples[-1].electrode not in ("cathode", "anode"):
            raise ManifestError(f"{where}: electrode must be 'cathode' or 'anode'", path=path)
    return Study(name=head.get("name", path.parent.name), path=path.resolve(), samples=samples,
                 parameters=parameters, description=head.get("description", ""),
                 authors=head.get("authors", []))


def _check_peak_windows(spec, path: Path) -> None:
    from redoxmap.cycling.peaks import peak_windows
    from redoxmap.errors import AnalysisError

    try:
        peak_windows(spec)
    except AnalysisError as exc:
        raise ManifestError(f"[cycling] {exc.message}", path=path) from exc


def _sample_files(raw: dict, manifest: Path, *, where: str) -> dict[str, list[Path]]:
    _unknown(raw, MODALITIES, f"{where} files", manifest)
    files = {}
    for modality, entries in raw.items():
        entries = [entries] if isinstance(entries, str) else entries
        if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
            raise ManifestError(f"{where}: files.{modality} must be a path or a list of paths",
                                path=manifest)
        resolved = []
        for entry in entries:
            file = Path(entry).expanduser()
            file = file if file.is_absolute() else manifest.parent / file
            if not file.exists():
                raise ManifestError(f"{where}: {modality} file {entry!r} does not exist "
                                    f"(looked for {file})", path=manifest)
            resolved.append(file)
        files[modality] = resolved
    return files
