"""Everything the XAS section of a report shows, for one sample: valences, oxygen, depth."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap.defaults import O_K_WINDOW_EV, R_FORMULA, SURFACE_LAYER_NM, TEY_DEPTH_NM
from redoxmap.errors import AnalysisError, RedoxmapError
from redoxmap.xas.channels import BULK_MODES
from redoxmap.xas.depth import two_layer
from redoxmap.xas.files import edge_kind, load_merged, normalize, normalize_references
from redoxmap.xas.lcf import LcfResult, fit_lcf, self_check
from redoxmap.xas.oxygen import PreEdgeFit, activation_index, fit_pre_edge
from redoxmap.xas.sensitivity import valence_sensitivity


@dataclass
class SpectrumEntry:
    """One measured spectrum of a sample (several files are repeated scans, merged)."""

    files: list[Path]
    edge: str
    mode: str = "tey"
    state: str = "as measured"
    pristine: bool = False
    channel_map: dict[str, str] | None = None
    reference_e0_eV: float | None = None

    def load(self):
        """Energy, absorption and its normalisation."""
        energy, mu = load_merged(self.files, mode=self.mode, channel_map=self.channel_map,
                                 reference_e0_eV=self.reference_e0_eV)
        return energy, mu, normalize(energy, mu, edge=self.edge)


@dataclass
class ReferenceSet:
    """Normalised reference spectra of one edge with their valences."""

    edge: str
    spectra: dict[str, tuple[np.ndarray, np.ndarray]]
    valences: dict[str, float]
    check: pd.DataFrame = field(default_factory=pd.DataFrame)


def prepare_references(entries: list[tuple[SpectrumEntry, str, float]]) -> dict[str, ReferenceSet]:
    """Load references ``(entry, name, valence)`` grouped by edge, normalised alike (on the window
    all of an edge's references cover: :func:`redoxmap.xas.files.normalize_references`), with their
    self-check."""
    sets: dict[str, ReferenceSet] = {}
    raw: dict[str, dict] = {}
    for entry, name, valence in entries:
        key = entry.edge.upper()
        sets.setdefault(key, ReferenceSet(entry.edge, {}, {}))
        raw.setdefault(key, {})[name] = load_merged(entry.files, mode=entry.mode, channel_map=entry.channel_map,
                                                    reference_e0_eV=entry.reference_e0_eV)
        sets[key].valences[name] = float(valence)
    for key, ref in sets.items():
        ref.spectra = normalize_references(raw[key], edge=ref.edge)
    for ref in sets.values():
        if len(ref.spectra) >= 2:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ref.check = self_check(ref.spectra, valences=ref.valences, edge=ref.edge)
    return sets


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


def fit_oxygen(entry: SpectrumEntry, energy, norm, *, peaks, window, shape="gaussian") -> PreEdgeFit:
    """The O K pre-edge fit of one spectrum."""
    return fit_pre_edge(energy, norm, peaks=tuple(peaks), window=tuple(window), shape=shape, mode=entry.mode)


def analyze_xas(name: str, entries: list[SpectrumEntry], *, references: dict[str, ReferenceSet],
                pristine: dict[str, PreEdgeFit], fit_window_eV=(-20.0, 60.0), o_k_peaks=("A", "B", "C", "D"),
                o_k_window_eV=O_K_WINDOW_EV, r_formula=R_FORMULA, layer_nm=SURFACE_LAYER_NM, tey_depth_nm=TEY_DEPTH_NM,
                bulk_depth_nm=150.0, bootstrap=200) -> XasAnalysis:
    """Valence (LCF) for TM edges, pre-edge fit and r for O K, then surface/bulk inversion.

    A spectrum that cannot be analysed adds a note and the others go on.
    """
    result = XasAnalysis(name)
    valence_rows, oxygen_rows, sensitivity = [], [], []
    for entry in entries:
        key = (entry.edge, entry.mode, entry.state)
        if entry.state not in result.states:
            result.states.append(entry.state)
        try:
            energy, mu, norm = entry.load()
            result.spectra[key] = (energy, norm.norm)
            if edge_kind(entry.edge) == "O-K":
                fit = fit_oxygen(entry, energy, norm.norm, peaks=o_k_peaks, window=o_k_window_eV)
                result.oxygen[(entry.mode, entry.state)] = fit
                row = {"state": entry.state, "mode": entry.mode,
                       **{f"{p}_{k}": v for p, d in fit.peaks.items() for k, v in d.items()},
                       "r_squared": fit.r_squared}
                if {"A", "B"} <= set(fit.peaks):
                    reference = pristine.get(entry.mode) or next(iter(pristine.values()), None)
                    if reference is not None or "b0" not in r_formula:
                        r, r_err = activation_index(fit, reference, formula=r_formula)
                        row.update({"r": r, "r_stderr": r_err, "b0_mode": reference.mode if reference else None})
                oxygen_rows.append(row)
            else:
                refs = references.get(entry.edge.upper())
                if refs is None:
                    raise AnalysisError(f"no references for the {entry.edge} edge in the manifest")
                window = ((norm.e0 + fit_window_eV[0], norm.e0 + fit_window_eV[1])
                          if edge_kind(entry.edge) == "K" else None)
                fit = fit_lcf(energy, norm.norm, refs.spectra, valences=refs.valences, window=window,
                              bootstrap=bootstrap, edge=entry.edge)
                result.fits[key] = fit
                variants = valence_sensitivity(energy, mu, refs.spectra, refs.valences, edge=entry.edge,
                                               window=window)
                spread = float(np.ptp(variants["valence"])) if len(variants) else np.nan
                sensitivity.append(variants.assign(state=entry.state, edge=entry.edge, mode=entry.mode))
                valence_rows.append({"state": entry.state, "edge": entry.edge, "mode": entry.mode,
                                     "valence": fit.valence, "valence_stderr": fit.valence_stderr,
                                     "bootstrap_std": fit.bootstrap_valence_std,
                                     "choice_spread": spread, "r_factor": fit.r_factor,
                                     **{f"w_{n}": w for n, w in zip(fit.names, fit.weights)}})
                result.notes.extend(f"{entry.state} {entry.edge} {entry.mode}: {n}" for n in fit.notes)
        except RedoxmapError as exc:
            result.notes.append(f"{entry.state} {entry.edge} {entry.mode}: {exc}")
    result.valence = pd.DataFrame(valence_rows)
    result.sensitivity = pd.concat(sensitivity, ignore_index=True) if sensitivity else pd.DataFrame()
    result.activation = pd.DataFrame(oxygen_rows)
    result.depth = _depth_table(result, layer_nm=layer_nm, tey_depth_nm=tey_depth_nm, bulk_depth_nm=bulk_depth_nm)
    return result


def _depth_table(result: XasAnalysis, **depths) -> pd.DataFrame:
    rows = []
    for quantity, table, group, value, error in (("valence", result.valence, ["state", "edge"], "valence", "valence_stderr"),
                                                 ("r", result.activation, ["state"], "r", "r_stderr")):
        if table.empty or value not in table:
            continue
        for keys, part in table.groupby(group, sort=False):
            modes = part.set_index("mode")
            bulk_mode = next((m for m in BULK_MODES if m in modes.index), None)  # the preferred one
            if "tey" not in modes.index or bulk_mode is None:
                continue
            tey, bulk = modes.loc["tey"], modes.loc[bulk_mode]
            inverted = two_layer(float(tey[value]), float(bulk[value]),
                                 surface_mode_stderr=float(np.nan_to_num(tey[error])),
                                 bulk_mode_stderr=float(np.nan_to_num(bulk[error])), layer_nm=depths["layer_nm"], surface_depth_nm=depths["tey_depth_nm"], bulk_depth_nm=depths["bulk_depth_nm"])
            keys = keys if isinstance(keys, tuple) else (keys,)
            rows.append({"quantity": quantity, "state": keys[0], "edge": keys[1] if len(keys) > 1 else "O-K",
                         "bulk_mode": bulk_mode, **inverted.summary()})
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame = frame.drop(columns=["probing_depths_nm"])
    return frame
