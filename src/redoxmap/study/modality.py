"""A modality declared once: what a study manifest, the runner, the map, the report and the CLI need
to know about one kind of measurement.

Each :class:`Modality` names its manifest section's parameters (a frozen dataclass whose fields are made
by :func:`parameter`, with defaults from :mod:`redoxmap.defaults`, so that a task reads
``parameters.smoothing_V`` and an editor or type checker sees a misspelt name), the options a file entry
may carry, the task that analyses a sample's files, the function that turns an analysis into map
records, the report section that shows it and its command group. The manifest,
:func:`redoxmap.run_study`, :func:`redoxmap.activation_map`, :func:`redoxmap.write_report` and the CLI
iterate over :func:`modalities`. Two exceptions remain and are stated where they are: cycling files are
cells (one task each, counted apart), and the SEM page also shows the model's predictions from each
sample's measured contact. The built-in modalities are declared in :mod:`redoxmap.study.builtin`; a
package adds its own through the ``redoxmap.modalities`` entry point group (an object or a list of them)
or :func:`register_modality`, and adding one is adding files (CONTRIBUTING.md walks through an example).

The functions are named by ``"module:attribute"`` and imported on first use, as entry points are: the
declarations load without the analysis packages, and a report builder (a layer above the study) is
named without being imported upwards.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import importlib
from dataclasses import dataclass
from typing import Any

from redoxmap._plugins import plugins
from redoxmap.errors import ManifestError, RedoxmapError, warn

ENTRY_POINT_GROUP = "redoxmap.modalities"
BUILTIN = "redoxmap.study.builtin"


@dataclass(frozen=True)
class Parameter:
    """An analysis parameter of a manifest section: its default, what it means, the TOML types it
    takes and, for a keyword, the keywords allowed."""

    default: Any
    help: str
    kind: type | tuple[type, ...]
    choices: tuple[str, ...] = ()


def parameter(default: Any, help: str, kind: type | tuple[type, ...], choices: tuple[str, ...] = ()) -> Any:
    """A field of a manifest section's parameter dataclass.

    Parameters
    ----------
    default : object
        The value when the manifest leaves the key out (a list or table is copied for each study).
    help : str
        What it means, with its unit: shown by the documentation and the report.
    kind : type or tuple of type
        The TOML types it takes (``(int, float)`` for a number; a bool is never a number).
    choices : tuple of str, optional
        The keywords allowed where it is a keyword.

    Returns
    -------
    dataclasses.Field
        To be assigned in the class body.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class ToyParameters:
    ...     scale: float = parameter(1.0, "factor applied to every reading", (int, float))
    >>> ToyParameters().scale, parameter_specs(ToyParameters)["scale"].help
    (1.0, 'factor applied to every reading')
    """
    metadata = {"parameter": Parameter(default, help, kind, choices)}
    if isinstance(default, (list, dict)):
        return dataclasses.field(default_factory=functools.partial(copy.deepcopy, default), metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def parameter_specs(parameters: type) -> dict[str, Parameter]:
    """The :class:`Parameter` of every field of a parameter dataclass, by name, in declaration order."""
    if not (isinstance(parameters, type) and dataclasses.is_dataclass(parameters)):
        raise RedoxmapError(f"a section's parameters are a dataclass made with redoxmap.study.modality.parameter, "
                            f"not {parameters!r}")
    specs = {f.name: f.metadata.get("parameter") for f in dataclasses.fields(parameters)}
    missing = [name for name, spec in specs.items() if spec is None]
    if missing:
        raise RedoxmapError(f"{parameters.__name__}: field(s) {', '.join(missing)} not made with parameter() "
                            "(each needs its help and TOML types)")
    return specs


def parameters_from(parameters: type, values: dict | None):
    """A parameter dataclass made from plain values, such as a saved file's; keys it does not declare
    (a file of another version) are left out and missing ones keep their defaults."""
    declared = parameter_specs(parameters)
    return parameters(**{key: value for key, value in (values or {}).items() if key in declared})


def parameter_values(parameters) -> dict[str, Any]:
    """A section's parameters as a dict of plain values (for JSON and the report's parameter tables)."""
    return {f.name: getattr(parameters, f.name) for f in dataclasses.fields(parameters)}


@dataclass(frozen=True)
class Modality:
    """One kind of measurement.

    Attributes
    ----------
    name : str
        The manifest's section (``[xps]``) and file key (``files.xps``).
    title : str
        In words, for messages and the documentation.
    parameters : type
        Its manifest section: a frozen dataclass whose fields are made by :func:`parameter`; a study
        holds one instance of it (``study.parameters["xps"]``), handed to the task, the checks and the
        map records.
    file_options : dict of str to type
        The keys a file entry of this modality may carry, with their TOML types.
    required_options : tuple of str
        File options every entry must give (its files are then tables, never bare paths).
    path_options : tuple of str
        File options that name files (or, as a table, several), resolved against the manifest's folder
        like the files.
    task : str
        ``"module:function"`` called as ``function(sample, parameters)`` for every sample with files
        of this modality, in a worker; returns the analysis (anything picklable).
    planner : str, optional
        ``"module:function"`` called as ``function(study, store)`` that returns ``(function, tasks)``,
        where tasks are not one per sample (cycling: one per file) or share a prepared context (XAS:
        the references); replaces ``task``'s plan.
    records : str, optional
        ``"module:function"`` called as ``function(records, study, outcomes, options)``: puts the
        analyses' numbers into the activation map (:class:`redoxmap.study.map_records.Records`).
    section : str, optional
        ``"module:function"``: the report section builder, called as ``function(outcomes, out, plt)``
        with the outcomes of every modality that names it (XRD and TEM share one).
    check : str, optional
        ``"module:function"`` called as ``function(parameters, manifest_path, sample_names)`` when a
        manifest is loaded; returns the parameters, checked and with paths resolved
        (:func:`dataclasses.replace` of the instance it was given), or raises
        :class:`redoxmap.errors.ManifestError`.
    command : str, optional
        The CLI group's name (``redoxmap <command> ...``) and ``cli``, its ``"module:typer_app"``.
    """

    name: str
    title: str
    parameters: type
    file_options: dict[str, type | tuple[type, ...]]
    required_options: tuple[str, ...] = ()
    path_options: tuple[str, ...] = ()
    task: str = ""
    planner: str = ""
    records: str = ""
    section: str = ""
    check: str = ""
    command: str = ""
    cli: str = ""

    def __post_init__(self):
        if not self.task and not self.planner:
            raise RedoxmapError(f"modality {self.name!r} declares neither a task nor a planner")
        parameter_specs(self.parameters)  # a section made of parameter() fields, or a clear error now


def resolve(reference: str):
    """The object a ``"module:attribute"`` reference names (imported on first use)."""
    module, _, attribute = reference.partition(":")
    try:
        return getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError) as exc:
        raise RedoxmapError(f"cannot load {reference!r}: {exc}") from exc


def resolve_optional(modality: Modality, part: str):
    """A modality's report section or command group, or None with a warning where it cannot be loaded:
    a broken plugin loses its page or its commands, never the report or the other commands."""
    try:
        return resolve(getattr(modality, part))
    except RedoxmapError as exc:
        warn(f"modality {modality.name!r}: its {part} was skipped ({exc})", RuntimeWarning)
        return None


_REGISTERED: dict[str, Modality] = {}
_loaded = False


def modalities() -> dict[str, Modality]:
    """Every modality by name, in declaration order: the built-in ones, then the plugins' (the
    ``redoxmap.modalities`` entry points), then those registered at run time."""
    _load()
    return dict(_REGISTERED)


def register_modality(modality: Modality) -> Modality:
    """Add a modality (replacing one of the same name) and return it."""
    if not isinstance(modality, Modality):
        raise ManifestError(f"register_modality takes a redoxmap.study.Modality, not {type(modality).__name__}")
    _load()
    _REGISTERED[modality.name] = modality
    return modality


def reset_modalities() -> None:
    """Forget the modalities registered at run time; load the built-in and plugin ones afresh on next use."""
    global _loaded
    _REGISTERED.clear()
    _loaded = False


def _load() -> None:
    global _loaded
    if _loaded:
        return
    found = {m.name: m for m in importlib.import_module(BUILTIN).MODALITIES}
    found.update({m.name: m for m in plugins(ENTRY_POINT_GROUP, Modality, "modality")})
    _REGISTERED.update(found)
    _loaded = True
