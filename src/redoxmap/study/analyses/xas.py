"""Everything the XAS section of a report shows, for one sample: valences, oxygen, depth; each number
with its error budget (:mod:`redoxmap.study.budget`).

Per spectrum (an edge, a detection mode and a state; several files of one are replicates):

* **valence** by linear combination, with the fit's error, the spread over fit windows and
  normalisations (``choice``), the references' own noise (``references``,
  :func:`redoxmap.xas.reference_noise.reference_spread`) and the spread between replicate files;
* **O K pre-edge** heights a, b (edge-step scale), b - b0 against the pristine spectrum of the same
  mode, and r, with the A-B covariance in r's error, the spread over normalisation levels and fit
  windows (``choice``) and between replicate files;
* fluorescence yields (TFY, PFY) corrected for self-absorption where the manifest gives the sample's
  composition (:mod:`redoxmap.xas.self_absorption`), said in the result's notes;
* the **two-layer inversion** of TEY against the bulk mode, bounded to physical values, with the layer
  thickness and probing depths' errors and the methods' floors in its error.
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap.defaults import (
    BULK_DEPTH_NM,
    BULK_DEPTH_STDERR_NM,
    FLUORESCENCE_ANGLE_DEG,
    LCF_BOOTSTRAP,
    LCF_WINDOW_EV,
    O_K_WINDOW_EV,
    R_FORMULA,
    SURFACE_LAYER_NM,
    SURFACE_LAYER_STDERR_NM,
    TEY_DEPTH_NM,
    TEY_DEPTH_STDERR_NM,
)
from redoxmap.errors import AnalysisError, RedoxmapError
from redoxmap.fitting import replicate_error
from redoxmap.study.budget import resolve_floors, total_error
from redoxmap.xas.channels import BULK_MODES
from redoxmap.xas.depth import two_layer
from redoxmap.xas.files import edge_kind, load_merged, normalize, normalize_references
from redoxmap.xas.lcf import LcfResult, fit_lcf, self_check
from redoxmap.xas.normalization import normalize_soft
from redoxmap.xas.oxygen import PreEdgeFit, activation_index, fit_pre_edge
from redoxmap.xas.self_absorption import CORRECTED_MODES, SelfAbsorption, self_absorption
from redoxmap.xas.sensitivity import valence_sensitivity

# O K choices a careful analyst could equally have made: the post-edge level the spectrum is normalised
# to (540-545 eV by default) moved by 2 eV either way, and the fit window's edges moved in by 1 eV.
O_K_LEVELS_EV = ((540.0, 545.0), (538.0, 543.0), (542.0, 547.0))
O_K_WINDOW_TRIMS_EV = ((0.0, 0.0), (1.0, 0.0), (0.0, -1.0))
O_K_COLUMNS = ("r", "A_height", "B_height", "b_minus_b0")


@dataclass(frozen=True)
class Fluorescence:
    """The sample and geometry that the self-absorption of fluorescence yields depends on (the
    manifest's ``[xas] composition``, ``incidence_deg``, ``exit_deg``)."""

    composition: str
    incidence_deg: float = FLUORESCENCE_ANGLE_DEG
    exit_deg: float = FLUORESCENCE_ANGLE_DEG

    def correction(self, edge: str) -> SelfAbsorption:
        """The correction of one edge (:func:`redoxmap.xas.self_absorption.self_absorption`)."""
        return self_absorption(self.composition, edge, incidence_deg=self.incidence_deg, exit_deg=self.exit_deg)


def normalized(energy, mu, *, edge: str, mode: str, fluorescence: Fluorescence | None = None,
               level: tuple[float, float] | None = None):
    """A spectrum normalised for its edge, and corrected for self-absorption when it is a fluorescence
    yield and the sample's composition is known.

    The correction works on the edge-step scale: an O K spectrum is normalised to its post-edge
    ``level`` (540-545 eV by default) and corrected; an L edge is brought to the level of its last 5 eV,
    corrected, then normalised by area as usual; a K edge is corrected on its edge step.
    """
    kind = edge_kind(edge)
    if fluorescence is None or mode.lower() not in CORRECTED_MODES:
        return normalize(energy, mu, edge=edge, window=level if kind == "O-K" else None)
    correction = fluorescence.correction(edge)
    note = {"self_absorption": correction.describe()}
    energy, mu = np.asarray(energy, float), np.asarray(mu, float)
    if kind == "L":
        step = normalize_soft(energy, mu, level=(float(energy[-1]) - 5.0, float(energy[-1])))
        result = normalize(energy, correction.correct(step.norm), edge=edge)
        return dataclasses.replace(result, parameters={**result.parameters, **note})
    result = normalize(energy, mu, edge=edge, window=level if kind == "O-K" else None)
    return dataclasses.replace(result, norm=correction.correct(result.norm), parameters={**result.parameters, **note})


@dataclass
class SpectrumEntry:
    """One measured spectrum of a sample: its files are repeated scans or replicate measurements, merged
    for the value and fitted one by one for their spread."""

    files: list[Path]
    edge: str
    mode: str = "tey"
    state: str = "as measured"
    pristine: bool = False
    channel_map: dict[str, str] | None = None
    reference_e0_eV: float | None = None
    fluorescence: Fluorescence | None = None

    def _options(self) -> dict:
        return {"mode": self.mode, "channel_map": self.channel_map, "reference_e0_eV": self.reference_e0_eV}

    def load(self, *, level: tuple[float, float] | None = None):
        """Energy, absorption and its normalisation (of the merged files)."""
        energy, mu = load_merged(self.files, **self._options())
        return energy, mu, normalized(energy, mu, edge=self.edge, mode=self.mode, fluorescence=self.fluorescence,
                                      level=level)

    def load_each(self, *, level: tuple[float, float] | None = None) -> list:
        """Each file's energy and normalised absorption (replicates: empty for a single file)."""
        if len(self.files) < 2:
            return []
        out = []
        for file in self.files:
            energy, mu = load_merged([file], **self._options())
            out.append((energy, normalized(energy, mu, edge=self.edge, mode=self.mode,
                                           fluorescence=self.fluorescence, level=level).norm))
        return out

    @property
    def key(self) -> tuple:
        """Edge, mode, state and whether pristine: entries with the same key are replicates."""
        return (self.edge.upper(), self.mode.lower(), self.state, self.pristine)


def group_replicates(entries: list[SpectrumEntry]) -> list[SpectrumEntry]:
    """Entries of the same edge, mode and state as one entry with all their files (replicates), in the
    order they first appear."""
    grouped: dict[tuple, SpectrumEntry] = {}
    for entry in entries:
        if entry.key in grouped:
            first = grouped[entry.key]
            first.files = [*first.files, *[f for f in entry.files if f not in first.files]]
        else:
            grouped[entry.key] = dataclasses.replace(entry, files=list(entry.files))
    return list(grouped.values())


@dataclass
class ReferenceSet:
    """Normalised reference spectra of one edge with their valences, and each one's scans normalised
    alike (for the references' noise)."""

    edge: str
    spectra: dict[str, tuple[np.ndarray, np.ndarray]]
    valences: dict[str, float]
    check: pd.DataFrame = field(default_factory=pd.DataFrame)
    scans: dict[str, list[tuple[np.ndarray, np.ndarray]]] = field(default_factory=dict)


def prepare_references(entries: list[tuple[SpectrumEntry, str, float]]) -> dict[str, ReferenceSet]:
    """Load references ``(entry, name, valence)`` grouped by edge, normalised alike (on the window all of
    an edge's references cover: :func:`redoxmap.xas.files.normalize_references`), with their scans
    normalised the same way and their self-check."""
    sets: dict[str, ReferenceSet] = {}
    raw: dict[str, dict] = {}
    raw_scans: dict[str, dict] = {}
    for entry, name, valence in entries:
        key = entry.edge.upper()
        sets.setdefault(key, ReferenceSet(entry.edge, {}, {}))
        raw.setdefault(key, {})[name] = load_merged(entry.files, **entry._options())
        if len(entry.files) >= 2:
            raw_scans.setdefault(key, {})[name] = [load_merged([f], **entry._options()) for f in entry.files]
        sets[key].valences[name] = float(valence)
    for key, ref in sets.items():
        ref.spectra = normalize_references(raw[key], edge=ref.edge)
        for name, scans in raw_scans.get(key, {}).items():
            window = (float(ref.spectra[name][0][0]), float(ref.spectra[name][0][-1]))
            ref.scans[name] = [_normalized_on(e, mu, window, ref.edge) for e, mu in scans]
    for ref in sets.values():
        if len(ref.spectra) >= 2:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ref.check = self_check(ref.spectra, valences=ref.valences, edge=ref.edge)
    return sets


def _normalized_on(energy, mu, window: tuple[float, float], edge: str):
    energy, mu = np.asarray(energy, float), np.asarray(mu, float)
    inside = (energy >= window[0] - 1e-9) & (energy <= window[1] + 1e-9)
    return energy[inside], normalize(energy[inside], mu[inside], edge=edge).norm


@dataclass
class PristineOxygen:
    """The pristine O K spectrum of one mode, fitted under every analysis choice (its b0 each time)."""

    entry: SpectrumEntry
    fits: dict[tuple, PreEdgeFit]
    nominal_key: tuple

    @property
    def nominal(self) -> PreEdgeFit:
        """The fit under the study's own choices (its level and window)."""
        return self.fits[self.nominal_key]


def o_k_variants(window: tuple[float, float]) -> list[tuple]:
    """``(level window, fit window)`` of every O K choice, the nominal one first.

    Parameters
    ----------
    window : (float, float)
        The study's fit window, in eV.

    Returns
    -------
    list of ((float, float), (float, float))
    """
    nominal = [(O_K_LEVELS_EV[0], tuple(window))]
    levels = [(level, tuple(window)) for level in O_K_LEVELS_EV[1:]]
    trims = [(O_K_LEVELS_EV[0], (window[0] + low, window[1] + high)) for low, high in O_K_WINDOW_TRIMS_EV[1:]]
    return nominal + levels + trims


def fit_pristine_oxygen(entry: SpectrumEntry, *, peaks, window) -> PristineOxygen:
    """Fit a pristine O K spectrum under every choice of :func:`o_k_variants` (choices that the spectrum
    cannot support, a level window beyond its end, are left out)."""
    fits = {}
    variants = o_k_variants(window)
    for variant in variants:
        level, fit_window = variant
        try:
            energy, _, norm = entry.load(level=level)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fits[variant] = fit_pre_edge(energy, norm.norm, peaks=tuple(peaks), window=fit_window, mode=entry.mode)
        except RedoxmapError:
            if variant == variants[0]:
                raise
    return PristineOxygen(entry, fits, variants[0])


def fit_oxygen(entry: SpectrumEntry, energy, norm, *, peaks, window, shape="gaussian") -> PreEdgeFit:
    """The O K pre-edge fit of one spectrum."""
    return fit_pre_edge(energy, norm, peaks=tuple(peaks), window=tuple(window), shape=shape, mode=entry.mode)


@dataclass
class XasAnalysis:
    """XAS results of one sample."""

    name: str
    spectra: dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]] = field(repr=False, default_factory=dict)
    fits: dict[tuple[str, str, str], LcfResult] = field(repr=False, default_factory=dict)
    oxygen: dict[tuple[str, str], PreEdgeFit] = field(repr=False, default_factory=dict)
    valence: pd.DataFrame = field(default_factory=pd.DataFrame)
    activation: pd.DataFrame = field(default_factory=pd.DataFrame)
    depth: pd.DataFrame = field(default_factory=pd.DataFrame)
    sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)
    states: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class XasSettings:
    """How a study's spectra are analysed (the manifest's ``[xas]`` section and ``[map] error_floors``)."""

    fit_window_eV: tuple[float, float] = LCF_WINDOW_EV
    o_k_peaks: tuple[str, ...] = ("A", "B", "C", "D")
    o_k_window_eV: tuple[float, float] = O_K_WINDOW_EV
    r_formula: str = R_FORMULA
    layer_nm: float = SURFACE_LAYER_NM
    layer_stderr_nm: float = SURFACE_LAYER_STDERR_NM
    tey_depth_nm: float = TEY_DEPTH_NM
    tey_depth_stderr_nm: float = TEY_DEPTH_STDERR_NM
    bulk_depth_nm: float = BULK_DEPTH_NM
    bulk_depth_stderr_nm: float = BULK_DEPTH_STDERR_NM
    bootstrap: int = LCF_BOOTSTRAP
    floors: dict = field(default_factory=dict)
    fluorescence: Fluorescence | None = None

    @classmethod
    def from_parameters(cls, parameters, floors: dict | None = None) -> XasSettings:
        """Settings from a study's ``[xas]`` section (:class:`redoxmap.study.builtin.XasParameters`) and
        its ``[map] error_floors``."""
        fluorescence = (Fluorescence(parameters.composition, float(parameters.incidence_deg),
                                     float(parameters.exit_deg)) if parameters.composition else None)
        names = {f.name for f in dataclasses.fields(cls)} - {"floors", "fluorescence"}
        known = {name: getattr(parameters, name) for name in names}
        return cls(**{k: (tuple(v) if isinstance(v, list) else v) for k, v in known.items()},
                   floors=resolve_floors(floors), fluorescence=fluorescence)


def analyze_xas(name: str, entries: list[SpectrumEntry], *, references: dict[str, ReferenceSet],
                pristine: dict[str, PristineOxygen], settings: XasSettings | None = None) -> XasAnalysis:
    """Valence (LCF) for TM edges, pre-edge fit and r for O K, then surface/bulk inversion.

    Entries of the same edge, mode and state are replicates (:func:`group_replicates`). A spectrum that
    cannot be analysed adds a note and the others go on.
    """
    settings = settings or XasSettings()
    result = XasAnalysis(name)
    valence_rows, oxygen_rows, sensitivity = [], [], []
    for entry in group_replicates([dataclasses.replace(e, fluorescence=settings.fluorescence) for e in entries]):
        key = (entry.edge, entry.mode, entry.state)
        if entry.state not in result.states:
            result.states.append(entry.state)
        try:
            energy, mu, norm = entry.load()
            result.spectra[key] = (energy, norm.norm)
            if "self_absorption" in norm.parameters:
                result.notes.append(f"{entry.state} {entry.edge} {entry.mode}: {norm.parameters['self_absorption']}")
            if edge_kind(entry.edge) == "O-K":
                row, fit = _oxygen_row(entry, energy, norm.norm, pristine, settings)
                result.oxygen[(entry.mode, entry.state)] = fit
                if row.get("note"):
                    result.notes.append(f"{entry.state} {entry.edge} {entry.mode}: {row.pop('note')}")
                oxygen_rows.append(row)
            else:
                row, fit, variants = _valence_row(entry, energy, mu, norm, references, settings)
                result.fits[key] = fit
                valence_rows.append(row)
                sensitivity.append(variants)
                result.notes.extend(f"{entry.state} {entry.edge} {entry.mode}: {n}" for n in fit.notes)
        except RedoxmapError as exc:
            result.notes.append(f"{entry.state} {entry.edge} {entry.mode}: {exc}")
    result.valence = pd.DataFrame(valence_rows)
    result.sensitivity = pd.concat(sensitivity, ignore_index=True) if sensitivity else pd.DataFrame()
    result.activation = pd.DataFrame(oxygen_rows)
    try:
        result.depth = _depth_table(result, references, settings)
    except RedoxmapError as exc:
        result.notes.append(f"two-layer inversion: {exc}")
    return result


def _valence_row(entry: SpectrumEntry, energy, mu, norm, references, settings: XasSettings):
    refs = references.get(entry.edge.upper())
    if refs is None:
        raise AnalysisError(f"no references for the {entry.edge} edge in the manifest")
    window = ((norm.e0 + settings.fit_window_eV[0], norm.e0 + settings.fit_window_eV[1])
              if edge_kind(entry.edge) == "K" else None)
    fit = fit_lcf(energy, norm.norm, refs.spectra, valences=refs.valences, window=window,
                  bootstrap=settings.bootstrap, edge=entry.edge)
    variants = valence_sensitivity(energy, mu, refs.spectra, refs.valences, edge=entry.edge, window=window)
    from redoxmap.xas.reference_noise import reference_spread

    spread = reference_spread(energy, norm.norm, refs.spectra, refs.valences, refs.scans, window=window,
                              edge=entry.edge)
    replicates = []
    for each_energy, each_norm in entry.load_each():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            replicates.append(fit_lcf(each_energy, each_norm, refs.spectra, valences=refs.valences, window=window,
                                      edge=entry.edge).valence)
    replicate, n = replicate_error(replicates) if replicates else (np.nan, 1)
    row = {"state": entry.state, "edge": entry.edge, "mode": entry.mode, "valence": fit.valence,
           "valence_stderr": fit.valence_stderr, "bootstrap_std": fit.bootstrap_valence_std,
           "valence_choice_stderr": float(np.std(variants["valence"])) if len(variants) > 1 else np.nan,
           "valence_references_stderr": spread, "valence_replicates_stderr": replicate, "n_files": n,
           "r_factor": fit.r_factor, **{f"w_{k}": w for k, w in zip(fit.names, fit.weights)}}
    return row, fit, variants.assign(state=entry.state, edge=entry.edge, mode=entry.mode)


def _oxygen_values(fit: PreEdgeFit, reference: PreEdgeFit | None, formula: str) -> dict[str, float]:
    """a, b, b0, b - b0 and r (with their statistical errors) of one pre-edge fit."""
    out = {f"{p}_{k}": v for p, d in fit.peaks.items() for k, v in d.items()}
    if not {"A", "B"} <= set(fit.peaks):
        return out
    if reference is not None and "B" in reference.peaks:
        b, sb = fit.height("B")
        b0, sb0 = reference.height("B")
        out.update(b0=b0, b0_stderr=sb0, b_minus_b0=b - b0, b_minus_b0_stderr=float(np.hypot(sb, sb0)))
    if reference is not None or "b0" not in formula:
        r, r_err = activation_index(fit, reference, formula=formula)
        out.update(r=r, r_stderr=r_err, b0_mode=reference.mode if reference else None)
    return out


def _oxygen_row(entry: SpectrumEntry, energy, norm, pristine: dict[str, PristineOxygen], settings: XasSettings):
    peaks, window = settings.o_k_peaks, settings.o_k_window_eV
    fit = fit_oxygen(entry, energy, norm, peaks=peaks, window=window)
    reference = pristine.get(entry.mode) or next(iter(pristine.values()), None)
    values = _oxygen_values(fit, reference.nominal if reference else None, settings.r_formula)
    row = {"state": entry.state, "mode": entry.mode, **values, "r_squared": fit.r_squared}
    if reference is not None and reference.entry.mode != entry.mode:
        row["note"] = (f"b0 from the pristine {reference.entry.mode} spectrum: no pristine {entry.mode} spectrum, "
                       "so r mixes two probing depths")
    # choices: every variant the pristine spectrum of the same mode was fitted under
    choices = {c: [] for c in O_K_COLUMNS}
    variants = o_k_variants(window)
    for variant in variants:
        try:
            if variant == variants[0]:
                found = values
            else:
                level, fit_window = variant
                energy_v, _, norm_v = entry.load(level=level)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fit_v = fit_pre_edge(energy_v, norm_v.norm, peaks=tuple(peaks), window=fit_window, mode=entry.mode)
                base = reference.fits.get(variant) if reference else None
                if reference is not None and base is None:
                    continue
                found = _oxygen_values(fit_v, base, settings.r_formula)
        except RedoxmapError:
            continue
        for column in O_K_COLUMNS:
            if column in found:
                choices[column].append(found[column])
    replicates = {c: [] for c in O_K_COLUMNS}
    for each_energy, each_norm in entry.load_each():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                each = _oxygen_values(fit_oxygen(entry, each_energy, each_norm, peaks=peaks, window=window),
                                      reference.nominal if reference else None, settings.r_formula)
        except RedoxmapError:
            continue
        for column in O_K_COLUMNS:
            if column in each:
                replicates[column].append(each[column])
    for column in O_K_COLUMNS:
        if column in row:
            row[f"{column}_choice_stderr"] = float(np.std(choices[column])) if len(choices[column]) > 1 else np.nan
            row[f"{column}_replicates_stderr"] = replicate_error(replicates[column])[0]
    row["n_files"] = max([len(v) for v in replicates.values()] + [1])
    return row, fit


FLOOR_OF = {"valence": "valence", "r": "r"}


def combined_stderr(row, column: str, floors: dict) -> float:
    """A result row's combined error of ``column`` (``valence`` or ``r``): the statistical, replicate, choice and
    references parts and the floor (:func:`redoxmap.study.budget.total_error`)."""
    return float(total_error(row.get(f"{column}_stderr", np.nan), row.get(f"{column}_replicates_stderr", np.nan),
                             floors.get(FLOOR_OF[column], np.nan), row.get(f"{column}_choice_stderr", np.nan),
                             row.get(f"{column}_references_stderr", np.nan)))


def _depth_table(result: XasAnalysis, references: dict[str, ReferenceSet], settings: XasSettings) -> pd.DataFrame:
    rows = []
    for quantity, table, group, value in (("valence", result.valence, ["state", "edge"], "valence"),
                                          ("r", result.activation, ["state"], "r")):
        if table.empty or value not in table:
            continue
        for keys, part in table.groupby(group, sort=False):
            modes = part.set_index("mode")
            bulk_mode = next((m for m in BULK_MODES if m in modes.index), None)  # the preferred one
            if "tey" not in modes.index or bulk_mode is None:
                continue
            tey, bulk = modes.loc["tey"], modes.loc[bulk_mode]
            keys = keys if isinstance(keys, tuple) else (keys,)
            edge = keys[1] if len(keys) > 1 else "O-K"
            bounds = (0.0, np.inf)
            if quantity == "valence" and edge.upper() in references:
                known = list(references[edge.upper()].valences.values())
                bounds = (min(known), max(known))
            inverted = two_layer(float(tey[value]), float(bulk[value]),
                                 surface_mode_stderr=combined_stderr(tey, value, settings.floors),
                                 bulk_mode_stderr=combined_stderr(bulk, value, settings.floors),
                                 layer_nm=settings.layer_nm, surface_depth_nm=settings.tey_depth_nm,
                                 bulk_depth_nm=settings.bulk_depth_nm, layer_stderr_nm=settings.layer_stderr_nm,
                                 surface_depth_stderr_nm=settings.tey_depth_stderr_nm,
                                 bulk_depth_stderr_nm=settings.bulk_depth_stderr_nm, bounds=bounds)
            rows.append({"quantity": quantity, "state": keys[0], "edge": edge, "bulk_mode": bulk_mode,
                         **inverted.summary()})
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame = frame.drop(columns=["probing_depths_nm"])
    return frame
