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

from redoxmap import defaults
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
        "voltage_step_V": Parameter(defaults.DQDV_VOLTAGE_STEP_V, "dQ/dV grid spacing, in V", (int, float)),
        "smoothing_V": Parameter(
            defaults.DQDV_SMOOTHING_V,
            "dQ/dV Gaussian kernel sigma, in V, or 'auto' (7.5 mV, at least twice the log's voltage resolution)",
            (str, int, float),
        ),
        "peak_prominence": Parameter(
            defaults.DQDV_PEAK_PROMINENCE, "minimum dQ/dV peak prominence (fraction of max)", (int, float)
        ),
        "peak_windows": Parameter(
            "auto",
            "named dQ/dV peak windows: 'auto' (the reference windows Ox1-Ox4, "
            "Red1-Red3 for samples with chemistry = 'li-rich', none for others), "
            "'reference', 'none', or {charge = {Ox1 = [3.0, 3.9], ...}, discharge = {...}}",
            (str, dict),
        ),
        "linear_fade": Parameter(False, "fit a linear fade term in the activation law", bool),
        "exclude_cv": Parameter(True, "leave constant-voltage holds out of dQ/dV", bool),
    },
    "xas": {
        "references": Parameter(
            [],
            "reference spectra: [{file = ..., edge = 'Mn-L3', valence = 2, "
            "mode = 'tey'}]; file may be a list of repeated scans",
            list,
        ),
        "fit_window_eV": Parameter([-20.0, 60.0], "K-edge LCF window relative to E0, in eV", list),
        "reference_e0_eV": Parameter(
            0.0, "calibrate K-edge scans on their irefer channel to this E0 (eV); 0 = no calibration", (int, float)
        ),
        "o_k_peaks": Parameter(list(defaults.O_K_PEAKS), "O K pre-edge peaks to fit", list),
        "o_k_window_eV": Parameter(list(defaults.O_K_WINDOW_EV), "O K pre-edge fit window, in eV", list),
        "r_formula": Parameter(defaults.R_FORMULA, "oxygen activation index: (b-b0)/a, b/a or (b-b0)/b0", str),
        "layer_nm": Parameter(
            defaults.SURFACE_LAYER_NM, "surface-layer thickness of the two-layer inversion, nm", (int, float)
        ),
        "layer_stderr_nm": Parameter(defaults.SURFACE_LAYER_STDERR_NM, "standard error of layer_nm, nm", (int, float)),
        "tey_depth_nm": Parameter(defaults.TEY_DEPTH_NM, "TEY probing depth, nm", (int, float)),
        "tey_depth_stderr_nm": Parameter(
            defaults.TEY_DEPTH_STDERR_NM, "standard error of tey_depth_nm, nm", (int, float)
        ),
        "bulk_depth_nm": Parameter(defaults.BULK_DEPTH_NM, "iPFY/TFY probing depth, nm", (int, float)),
        "bulk_depth_stderr_nm": Parameter(
            defaults.BULK_DEPTH_STDERR_NM, "standard error of bulk_depth_nm, nm", (int, float)
        ),
        "bootstrap": Parameter(defaults.LCF_BOOTSTRAP, "residual bootstrap refits per LCF", int),
        "composition": Parameter(
            "",
            "chemical formula of the sample as the beam sees it, for the self-absorption "
            "correction of TFY/PFY (e.g. 'Li1.2Ni0.16Co0.08Mn0.56O2'; '' = no correction)",
            str,
        ),
        "incidence_deg": Parameter(45.0, "beam angle to the sample surface, degrees (self-absorption)", (int, float)),
        "exit_deg": Parameter(
            45.0, "fluorescence detector angle to the sample surface, degrees (self-absorption)", (int, float)
        ),
    },
}

MODALITIES["xrd"] = {
    "peaks": Parameter(
        [],
        "peaks to fit: [{label = '003', phase = 'R-3m', hkl = [0, 0, 3], near = 18.6}, ...] "
        "(default: LiTMO2 (003) and (104), Li2MnO3 (020))",
        list,
    ),
    "half_width_deg": Parameter(
        defaults.XRD_HALF_WIDTH_DEG, "half width of each peak's fitting window, in degrees", (int, float)
    ),
    "cif": Parameter([], "CIF files of reference phases for the d-spacing check (needs the cif extra)", list),
    "wavelength_A": Parameter(
        0.0, "wavelength in Angstrom for files without one (0 = the file's, else Cu K-alpha)", (int, float)
    ),
    "radiation": Parameter("", "'doublet' (K-alpha1 + K-alpha2), 'single', or '' for what the file says", str),
}
MODALITIES["images"] = {
    "pixel_nm": Parameter(
        0.0, "pixel size in nm for images whose file gives none (0 = required from the file)", (int, float)
    ),
    "d_range_nm": Parameter(list(defaults.FRINGE_D_RANGE_NM), "fringe spacings to look for, in nm", list),
    "min_snr": Parameter(
        defaults.FRINGE_MIN_SNR, "a spot's power over the median power at its spatial frequency", (int, float)
    ),
    "max_spots": Parameter(defaults.FRINGE_MAX_SPOTS, "most spots per region", int),
    "candidates": Parameter([], "reflections to match, 'NAME=D_NM' (default: built-in phases)", list),
}

MODALITIES["eis"] = {
    "circuit": Parameter(defaults.CIRCUIT, "equivalent circuit, impedance.py syntax", str),
    "weighting": Parameter(defaults.EIS_WEIGHTING, "residual weighting: modulus, proportional or unit", str),
    "kk_threshold": Parameter(
        defaults.KK_THRESHOLD, "largest Kramers-Kronig residual (fraction of |Z|) of a valid spectrum", (int, float)
    ),
    "arc_labels": Parameter(
        "auto",
        "names of the RC arcs: 'auto' (bulk / interface / charge transfer for a "
        "cell_type that says solid-state, numbered by time constant otherwise), 'solid-state' "
        "or 'time constant'",
        str,
    ),
}

MODALITIES["cv"] = {
    "electrons": Parameter(1.0, "electrons per molecule, n, for Randles-Sevcik", (int, float)),
    "area_cm2": Parameter(0.0, "electrode area in cm2 for Randles-Sevcik (0 = no D)", (int, float)),
    "concentration_mol_cm3": Parameter(0.0, "bulk concentration in mol/cm3 for Randles-Sevcik (0 = no D)",
                                       (int, float)),
    "intercept": Parameter(False, "fit i_p against v^1/2 with an intercept", bool),
}

MODALITIES["xps"] = {
    "regions": Parameter(["S 2p", "P 2p"], "regions to fit (each with its preset, or its own components)", list),
    "presets": Parameter({"S 2p": "argyrodite-S2p", "P 2p": "argyrodite-P2p"},
                         "component preset of each region (redoxmap.xps.PRESETS; a region without one takes "
                         "the preset made for it, e.g. oxide-O1s for O 1s)", dict),
    "components": Parameter({}, "components of a region of your own, e.g. {\"F 1s\" = [{name = \"LiF\", "
                            "position_eV = 685.3}, {name = \"C-F\", position_range_eV = [687, 689], "
                            "position_eV = 688}]}", dict),
    "background": Parameter("shirley", "shirley, tougaard or linear", str),
    "fit_background": Parameter(True, "fit the background's scale with the peaks (false: fix it from the data)", bool),
    "line_shape": Parameter("SGL(30)", "SGL(m) or GL(m), m = % Lorentzian", str),
    "charge_reference": Parameter("C 1s", "region with adventitious carbon for the charge correction ('' = none)", str),
    "reference_eV": Parameter(284.8, "binding energy of adventitious C-C/C-H", (int, float)),
}
MODALITIES["dems"] = {
    "calibration": Parameter("", "sensitivity factors (JSON from `redoxmap dems calibrate`), for entries without one",
                             str),
    "delay_s": Parameter(0.0, "inlet delay from the cell to the spectrometer, s", (int, float)),
    "lag_s": Parameter(0.0, "headspace time constant (volume / flow), s; 0 = no correction", (int, float)),
    "count_co2": Parameter(False, "count CO2's oxygen as lattice oxygen lost (an upper bound)", bool),
}

MODALITIES["sem"] = {
    "phases": Parameter({"cathode": ["Mn", "Ni", "Co"], "electrolyte": ["S", "P", "Cl"], "carbon": ["C"]},
                        "phases and their marker elements", dict),
    "active_phase": Parameter("cathode", "the active material (contact, particle sizes)", str),
    "transport_phase": Parameter("electrolyte", "the phase whose tortuosity is measured", str),
    "method": Parameter("likelihood", "likelihood (Poisson mixture) or random_walker for ambiguous pixels", str),
    "pixel_nm": Parameter(0.0, "pixel size in nm for files without one (0 = required from the file)", (int, float)),
    "bootstrap": Parameter(200, "bootstrap resamples over fields of view", int),
    "reference_sample": Parameter("", "the composite whose contact fraction defines phi_c = 1 (its cells are the "
                                  "model's); '' = none", str),
    "predict": Parameter([], "samples the model predicts from their SEM contact (left out of the model fit; their "
                         "cycling is the check)", list),
}

# Study-wide analyses without files of their own.
ANALYSES: dict[str, dict[str, Parameter]] = {
    "model": {
        "run": Parameter(False, "fit the activation model to the cells' capacities", bool),
        "vary": Parameter(["kappa_ref", "activation_energy_eV", "q_o_mAh_g", "u_ref"],
                          "model parameters to fit (the others keep their values)", list),
        "reference_protocol": Parameter(True, "show the model's held-out predictions on the reference study "
                                        "(trained on its capacities and bulk r) in the model section", bool),
        "parameters": Parameter({}, "model parameter values, e.g. {phi_c = 0.8, radius_nm = 1500}", dict),
        "cycles": Parameter(40, "cycles to simulate", int),
        "capacity_stderr_pct": Parameter(1.0, "uncertainty of a measured capacity, in %", (int, float)),
    },
    "map": {
        "significance_sigma": Parameter(3.0, "a difference is significant above this many standard errors",
                                        (int, float)),
        "capacity_accuracy_pct": Parameter(1.0, "relative standard error of a specific capacity, in %",
                                           (int, float)),
        "redox_regions": Parameter("auto", "voltage region of each couple's charge: 'auto' (TM = II, O = III for "
                                   "samples with chemistry = 'li-rich'), 'none', or {TM = 'II', O = 'III'}",
                                   (str, dict)),
        "fast_cycles": Parameter(2.0, "a couple reaching 90 % of its final activation within this many cycles "
                                 "is 'fast'", (int, float)),
        "onset_share": Parameter(0.05, "electrochemical onset: first charge with this share in the couple's "
                                 "region", (int, float)),
        "model_draws": Parameter(200, "parameter draws for the model's intervals in the map", int),
        "error_floors": Parameter({}, "systematic error floors overriding the defaults, e.g. {r = 0.03, valence = "
                                  "0.08} (keys: " + ", ".join(defaults.ERROR_FLOORS) + ")", dict),
        "min_states": Parameter(3, "charged states of a couple needed for its speed (n50, n90, fast/slow)", int),
    },
}

# Keys a file entry may carry, per modality (a plain path string needs none).
FILE_OPTIONS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "cycling": {},
    "xas": {"edge": str, "mode": str, "state": str, "pristine": bool, "channel_map": str, "cycle": int},
    "xrd": {"state": str, "series": bool, "cycling": str, "time_offset_s": (int, float)},
    "images": {"state": str, "pixel_nm": (int, float), "boxes": dict},
    "eis": {"state": str, "temperature_C": (int, float)},
    "cv": {"scan_rate_mV_s": (int, float)},
    "xps": {"state": str, "cycle": int, "temperature_C": (int, float), "shift_eV": (int, float)},
    "dems": {"state": str, "cycling": str, "calibration": str, "offset_s": (int, float)},
    "sem": {"state": str, "pixel_nm": (int, float), "maps": dict},
}
# File options that name files (resolved against the manifest's folder like the files).
PATH_OPTIONS = ("channel_map", "cycling", "calibration")
REQUIRED_FILE_OPTIONS = {"xas": ("edge",)}

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
        standard = {"temperature_C": self.temperature_C, "chemistry": self.chemistry, "cell_type": self.cell_type,
                    "electrode": self.electrode, "specific_current_mA_g": self.specific_current_mA_g}
        return {k: v for k, v in {**standard, **self.variables}.items() if v is not None and v != ""}


@dataclass
class Study:
    """A parsed, validated manifest."""

    name: str
    path: Path
    samples: list[Sample]
    parameters: dict[str, dict[str, Any]]
    description: str = ""
    authors: list[str] = field(default_factory=list)
    execution: dict = field(default_factory=dict)
    """How to run it: ``workers`` (a local Dask cluster), ``scheduler`` (a running one), ``task_timeout_s``,
    ``store`` (where decoded cycler files are kept: a folder, or false for none;
    :func:`redoxmap.study.run.study_store`)."""

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
    path = Path(path)
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
    _unknown(data, {"study", "sample", *MODALITIES, *ANALYSES}, "the manifest", path)

    head = _table(data.get("study", {}), "[study]", path)
    _unknown(head, STUDY_KEYS, "[study]", path)
    for key, kind in STUDY_KEYS.items():
        if key in head:
            _typed(head[key], kind, key, "study", path)

    parameters = {}
    for modality, spec in {**MODALITIES, **ANALYSES}.items():
        section = data.get(modality, {})
        if not isinstance(section, dict):
            raise ManifestError(f"[{modality}] must be a table of parameters", path=path)
        _unknown(section, spec, f"[{modality}]", path)
        parameters[modality] = {key: _typed(section[key], p.kind, key, modality, path)
                                if key in section else p.default for key, p in spec.items()}

    _check_peak_windows(parameters["cycling"]["peak_windows"], path)
    _check_choices(parameters, path)
    parameters["xas"]["references"] = _references(parameters["xas"]["references"], path)
    parameters["xrd"]["peaks"] = _xrd_peaks(parameters["xrd"]["peaks"], path)
    _model_parameters(parameters["model"], path)
    parameters["xrd"]["cif"] = [str(_resolve(f, path, "[xrd] cif", "CIF")) for f in parameters["xrd"]["cif"]]
    if parameters["dems"]["calibration"]:
        parameters["dems"]["calibration"] = str(_resolve(parameters["dems"]["calibration"], path, "[dems] calibration",
                                                         "calibration"))
    _check_xps(parameters["xps"], path)
    _check_map_and_depths(parameters, path)
    if parameters["sem"]["method"] not in ("likelihood", "random_walker"):
        raise ManifestError(f"[sem] method must be likelihood or random_walker, not {parameters['sem']['method']!r}",
                            path=path)

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
        files, options = _sample_files(raw.get("files", {}), path, where=f"sample {name!r}")
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
    for key in ("reference_sample", "predict"):
        named = parameters["sem"][key]
        for sample_name in [named] if isinstance(named, str) else named:
            if sample_name and sample_name not in names:
                raise ManifestError(f"[sem] {key} names {sample_name!r}, which is not a sample", path=path)
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


def _check_choices(parameters: dict, path: Path) -> None:
    """Keyword parameters must be one of their keywords."""
    allowed = {("eis", "arc_labels"): ("auto", "solid-state", "time constant"),
               ("eis", "weighting"): ("modulus", "proportional", "unit"),
               ("map", "redox_regions"): ("auto", "none"), ("xrd", "radiation"): ("", "doublet", "single"),
               ("cycling", "smoothing_V"): ("auto",)}
    for (section, key), choices in allowed.items():
        value = parameters[section][key]
        if isinstance(value, str) and value not in choices:
            raise ManifestError(f"[{section}] {key} must be one of {', '.join(repr(c) for c in choices)}"
                                + (" or a table" if key == "redox_regions" else "") + f", not {value!r}", path=path)


def _check_peak_windows(spec, path: Path) -> None:
    from redoxmap.cycling.peaks import peak_windows
    from redoxmap.errors import AnalysisError

    if spec == "auto":
        return
    try:
        peak_windows(spec)
    except AnalysisError as exc:
        raise ManifestError(f"[cycling] {exc.message}", path=path) from exc


def _check_map_and_depths(parameters: dict, path: Path) -> None:
    """The [map] thresholds and floors, and the [xas] depths and fluorescence geometry, in their ranges."""
    from redoxmap.errors import AnalysisError
    from redoxmap.study.budget import resolve_floors

    floors = parameters["map"]["error_floors"]
    if any(isinstance(v, bool) for v in floors.values()):
        raise ManifestError("[map] error_floors: floors are numbers, not true/false", path=path)
    try:
        resolve_floors(floors)
    except AnalysisError as exc:
        raise ManifestError(f"[map] error_floors: {exc.message}", path=path) from exc
    positive = {("map", "significance_sigma"), ("map", "fast_cycles"), ("xas", "layer_nm"), ("xas", "tey_depth_nm"),
                ("xas", "bulk_depth_nm")}
    for section, key in positive:
        if not parameters[section][key] > 0:
            raise ManifestError(f"[{section}] {key} must be positive, not {parameters[section][key]}", path=path)
    for key in ("layer_stderr_nm", "tey_depth_stderr_nm", "bulk_depth_stderr_nm"):
        if parameters["xas"][key] < 0:
            raise ManifestError(f"[xas] {key} must be zero or positive, not {parameters['xas'][key]}", path=path)
    if parameters["xas"]["tey_depth_nm"] >= parameters["xas"]["bulk_depth_nm"]:
        raise ManifestError("[xas] tey_depth_nm must be smaller than bulk_depth_nm", path=path)
    if parameters["map"]["min_states"] < 2:
        raise ManifestError(f"[map] min_states must be 2 or more (a two-parameter law needs a third state to be "
                            f"tested: 3 is the default), not {parameters['map']['min_states']}", path=path)
    for key in ("incidence_deg", "exit_deg"):
        if not 0 < parameters["xas"][key] <= 90:
            raise ManifestError(f"[xas] {key} is an angle to the sample surface in (0, 90] degrees, not "
                                f"{parameters['xas'][key]}", path=path)
    composition = parameters["xas"]["composition"]
    if composition:
        import xraydb

        try:
            xraydb.chemparse(composition)
        except Exception as exc:  # xraydb raises bare errors for a formula it cannot read
            raise ManifestError(f"[xas] composition {composition!r} is not a chemical formula xraydb reads ({exc})",
                                path=path) from exc


def _check_xps(parameters: dict, path: Path) -> None:
    from redoxmap.errors import AnalysisError
    from redoxmap.xps.components import PRESETS, components_from_records, preset_for

    defined = {}
    for region, records in parameters["components"].items():
        try:
            defined[region] = components_from_records(records, where=f"[xps] components {region!r}")
        except AnalysisError as exc:
            raise ManifestError(exc.message, path=path) from exc
    for region in parameters["regions"]:
        if region in defined:
            continue
        preset = parameters["presets"].get(region) or preset_for(region)
        if preset not in PRESETS:
            raise ManifestError(f"[xps] region {region!r} needs a preset in [xps] presets (one of "
                                f"{', '.join(PRESETS)}) or its own [xps] components, not {preset!r}", path=path)
        parameters["presets"][region] = preset
    parameters["components"] = defined
    if parameters["background"] not in ("shirley", "tougaard", "linear"):
        raise ManifestError(f"[xps] background must be shirley, tougaard or linear, not {parameters['background']!r}",
                            path=path)


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


def _file_entry(entry, manifest: Path, where: str, modality: str) -> tuple[list[Path], dict]:
    """A file entry: a path, or a table ``{file = path or [paths], option = ...}``."""
    if isinstance(entry, str):
        if REQUIRED_FILE_OPTIONS.get(modality):
            raise ManifestError(f"{where}: {modality} files are tables with "
                                f"{', '.join(REQUIRED_FILE_OPTIONS[modality])} (e.g. "
                                f'{{file = "{entry}", edge = "Mn-L3", mode = "tey", state = "pristine"}})',
                                path=manifest)
        return [_resolve(entry, manifest, where, modality)], {}
    if not isinstance(entry, dict) or "file" not in entry:
        raise ManifestError(f"{where}: each {modality} entry is a path or a table with 'file'", path=manifest)
    allowed = FILE_OPTIONS.get(modality, {})
    _unknown([k for k in entry if k != "file"], allowed, f"{where} {modality} entry", manifest)
    for key in REQUIRED_FILE_OPTIONS.get(modality, ()):
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
    for key in PATH_OPTIONS:
        if key in options:
            options[key] = str(_resolve(options[key], manifest, where, key.replace("_", " ")))
    if "maps" in options:  # element maps of an SEM image: {Mn = "mn.tif", ...}
        options["maps"] = {str(element): str(_resolve(str(file), manifest, where, f"{element} map"))
                           for element, file in options["maps"].items()}
    return files, options


def _sample_files(raw: dict, manifest: Path, *, where: str) -> tuple[dict[str, list[Path]], dict[str, list[dict]]]:
    _unknown(_table(raw, f"{where} files", manifest), MODALITIES, f"{where} files", manifest)
    files, options = {}, {}
    for modality, entries in raw.items():
        entries = entries if isinstance(entries, list) else [entries]
        files[modality], options[modality] = [], []
        for entry in entries:
            paths, extra = _file_entry(entry, manifest, where, modality)
            if modality == "cycling":  # each cycling file is a cell of its own
                files[modality].extend(paths)
                options[modality].extend({} for _ in paths)
            else:  # several files of one entry are repeated scans of one spectrum
                files[modality].append(paths[0])
                options[modality].append({**extra, "files": paths})
    return files, options


def _model_parameters(section: dict, manifest: Path) -> None:
    from redoxmap.model.cycle_model import ActivationParameters

    known = ActivationParameters().to_dict()
    for key in [*section["vary"], *section["parameters"]]:
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
