"""The numbers of a study's analyses as long records, ready to be joined into the activation map.

Each collector reads one modality's results and yields rows: which sample, state (or cycle) and
probe a number belongs to, the number with its standard error, its unit, the files it came from
and the method that made it. :mod:`redoxmap.study.map_dataset` turns the rows into arrays.

Probes: ``surface`` (electron yields, a few nm), ``bulk`` (fluorescence yields and transmission,
~100 nm and more) and ``electrode`` (the whole electrode: electrochemistry, XRD, EIS).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap.errors import AnalysisError
from redoxmap.fitting import replicate_error
from redoxmap.study.builtin import (
    DemsParameters,
    EisParameters,
    SemParameters,
    XasParameters,
    XpsParameters,
    XrdParameters,
)
from redoxmap.study.states import State, parse_state
from redoxmap.xas.channels import BULK_MODES, SURFACE_MODES

PROBES = ("surface", "bulk", "electrode")

# Variables that describe another one: its combined error, files, error budget and replicate count.
ERROR_SUFFIXES = ("_stderr", "_source", "_budget", "_replicates")
_VALENCE = re.compile(r"^valence_[A-Z][a-z]?$")


def valence_variables(ds) -> list[str]:
    """The map's measured valences (``valence_Mn``, ``valence_Ni``...), not their errors or inversions."""
    return sorted(str(v) for v in ds.data_vars if _VALENCE.match(str(v)))


def described_variables(ds) -> list[str]:
    """The map's own variables: not model, error, source, budget or replicate-count variables."""
    return [str(v) for v in ds.data_vars if not str(v).startswith("model_") and not str(v).endswith(ERROR_SUFFIXES)]


def measured_by_sample(values) -> np.ndarray:
    """Per sample, whether ``values`` (a map variable, or a selection of one that keeps ``sample``) holds a finite
    number anywhere: one pass over the whole variable (a selection per sample took seconds at 1,000 cells)."""
    return np.isfinite(values).any(dim=[d for d in values.dims if d != "sample"]).to_numpy()



@dataclass(frozen=True)
class Quantity:
    """What a map variable is: a long name, a unit and how it was measured."""

    long_name: str
    unit: str
    method: str


def quantity(variable: str) -> Quantity:
    """The description of a map variable (valences of any element included)."""
    if variable.startswith("valence_") and variable.endswith("_layer"):
        element = variable.split("_")[1]
        return Quantity(f"average {element} valence, two-layer inversion (surface layer over bulk)", "1",
                        "TEY and bulk-mode valences inverted for a surface layer over the bulk (xas.two_layer)")
    if variable.startswith("valence_"):
        element = variable.split("_", 1)[1]
        return Quantity(f"average {element} valence", "1",
                        "linear combination of reference spectra of known valence (xas.fit_lcf)")
    if variable.startswith("charge_share_"):
        region = variable.rsplit("_", 1)[1]
        return Quantity(f"share of the charge capacity in voltage region {region}", "1",
                        "capacity by voltage region of each charge (cycling.region_capacities)")
    if variable.startswith("xps_share_"):
        family = variable[len("xps_share_"):].replace("_", " ")
        return Quantity(f"share of the {family} family in the electrolyte's XPS region", "1",
                        "spin-orbit doublets over a fitted Shirley/Tougaard background; errors include the "
                        "background choice (xps.fit_xps)")
    if variable.startswith("sem_"):
        metric = variable[len("sem_"):]
        return Quantity(f"microstructure: {metric.replace('_', ' ')}", "um" if metric.endswith("_um") else "1",
                        "SEM/EDS fields segmented by a Poisson mixture of the element maps; bootstrap over "
                        "fields of view (sem.analyze_microstructure)")
    if variable.startswith("gas_") and variable.endswith("_umol_g"):
        gas = variable.split("_")[1]
        return Quantity(f"{gas} released during the charge", "umol/g",
                        "ion current over the sensitivity factor, baseline-, delay- and lag-corrected, integrated "
                        "over the half cycle (dems.quantify_gases)")
    if variable.startswith("charge_region_"):
        region = variable.split("_")[2]
        return Quantity(f"charge capacity in voltage region {region}", "mAh/g",
                        "capacity by voltage region of each charge (cycling.region_capacities)")
    return QUANTITIES[variable]


QUANTITIES = {
    "r": Quantity("oxygen activation index r of the O K pre-edge", "1",
                  "O K pre-edge peaks A-D fitted; r from the heights a, b and the pristine b0 (xas.fit_pre_edge)"),
    "o_k_a": Quantity("height a of O K pre-edge peak A (TM 3d - O 2p) on the edge-step scale", "1",
                      "O K pre-edge peaks fitted on an arctan step, spectrum normalised to 1 at 540-545 eV "
                      "(xas.fit_pre_edge)"),
    "o_k_b": Quantity("height b of O K pre-edge peak B (oxidised oxygen) on the edge-step scale", "1",
                      "O K pre-edge peaks fitted on an arctan step, spectrum normalised to 1 at 540-545 eV "
                      "(xas.fit_pre_edge)"),
    "o_k_b_minus_b0": Quantity("growth of peak B over the pristine one, b - b0, on the edge-step scale", "1",
                               "heights of peak B after cycling and in the pristine material, same detection mode "
                               "(xas.fit_pre_edge)"),
    "r_layer": Quantity("oxygen activation index r, two-layer inversion (surface layer over bulk)", "1",
                        "TEY and bulk-mode r inverted for a surface layer over the bulk (xas.two_layer)"),
    "c_A": Quantity("lattice parameter c of the layered phase, c = 3 d(003)", "angstrom",
                    "(003) peak fitted as a K-alpha doublet (xrd.fit_peaks)"),
    "ratio_020_003": Quantity("Li2MnO3 (020) intensity relative to the layered (003)", "1",
                              "integrated (020) over fitted (003) area (xrd)"),
    "R_interface_ohm": Quantity("interface resistance: R of the slowest RC arc (charge transfer)", "ohm",
                                "equivalent-circuit fit, arcs sorted by time constant (eis.fit_circuits)"),
    "lattice_oxygen_lost_umol_g": Quantity("lattice oxygen released as gas during the charge (O atoms)", "umol/g",
                                           "2 O per O2 (and per CO2 where counted) from DEMS "
                                           "(dems.GasEvolution.lattice_oxygen)"),
    "discharge_capacity_mAh_g": Quantity("discharge capacity", "mAh/g", "integrated current (cycling.cycle_summary)"),
    "discharge_capacity_mAh": Quantity("discharge capacity (no active mass)", "mAh",
                                       "integrated current (cycling.cycle_summary)"),
}


@dataclass
class Records:
    """Rows of the map: by state and probe, by cycle, and the model's arrays."""

    states: list[dict] = field(default_factory=list)
    cycles: list[dict] = field(default_factory=list)
    model: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    cells: dict[str, int] = field(default_factory=dict)

    def add_state(self, sample: str, state: State, probe: str, variable: str, value, stderr,
                  source: str, options: str = "", budget: dict | None = None) -> None:
        """One number of a state: ``stderr`` is its statistical error, ``budget`` the other components
        of :mod:`redoxmap.study.budget` it has (``replicates``, ``choice``, ``references``) and
        ``n`` (how many replicates it is the mean of)."""
        if value is None or not np.isfinite(float(value)):
            return
        self.states.append({"sample": sample, "state": state.label, "state_name": state.name,
                            "cycle": state.cycle, "half": state.half, "probe": probe, "variable": variable,
                            "value": float(value), "stderr": _finite(stderr), "source": source,
                            "options": options, **_budget(budget)})

    def add_cycle(self, sample: str, cycle: int, variable: str, value, stderr, source: str,
                  budget: dict | None = None) -> None:
        """One number of a cycle (``stderr`` and ``budget`` as in :meth:`add_state`)."""
        if value is None or not np.isfinite(float(value)):
            return
        self.cycles.append({"sample": sample, "cycle": int(cycle), "variable": variable, "value": float(value),
                            "stderr": _finite(stderr), "source": source, **_budget(budget)})


BUDGET_COLUMNS = ("replicates", "choice", "references")


def _budget(budget: dict | None) -> dict:
    """The budget components a record carries (NaN where unknown) and its replicate count."""
    budget = budget or {}
    unknown = set(budget) - {*BUDGET_COLUMNS, "n"}
    if unknown:
        raise AnalysisError(f"unknown error components {sorted(unknown)}; known: {', '.join(BUDGET_COLUMNS)}")
    n = budget.get("n")
    return {**{k: _finite(budget.get(k)) for k in BUDGET_COLUMNS}, "n": int(n) if n and np.isfinite(n) else 1}


def _finite(value) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return math.nan
    return value if math.isfinite(value) else math.nan


def _files(options: list[dict], **match) -> str:
    """The file names of the manifest entries whose options match (edge, mode, state)."""
    names = []
    for entry in options:
        if all(str(entry.get(k, "")).lower() == str(v).lower() for k, v in match.items()):
            names += [Path(f).name for f in entry.get("files", [])]
    return ", ".join(dict.fromkeys(names))


def _entry_state(options: list[dict], state_name: str) -> State:
    """A state read from its name, with the cycle of the manifest entry that named it."""
    cycle = next((e.get("cycle") for e in options if e.get("state", "as measured") == state_name
                  and e.get("cycle") is not None), None)
    return parse_state(state_name, cycle)


def per_sample(name: str):
    """Make a collector of one sample's analysis (``collector(records, sample, analysis, parameters)``, the
    modality's manifest parameters last) into a modality's ``records`` function, which is called with
    every outcome of the modality: ``records(records, study, outcomes, options)``."""
    def adapt(collector):
        def collect_outcomes(records: Records, study, outcomes: list, options: dict) -> None:
            samples = {s.name: s for s in study.samples}
            for outcome in outcomes:
                if outcome.ok and outcome.label in samples:
                    collector(records, samples[outcome.label], outcome.value, study.parameters[name])
        collect_outcomes.__name__ = collector.__name__
        collect_outcomes.__doc__ = (f"{(collector.__doc__ or '').strip()}\n\nCalled as ``{collector.__name__}(records, "
                                    "study, outcomes, options)`` with every outcome of the modality "
                                    "(:func:`per_sample`).")
        return collect_outcomes
    return adapt


@per_sample("xas")
def xas_records(records: Records, sample, analysis, parameters: XasParameters) -> None:
    """Valences by element and r, by state and probe; the two-layer values beside them."""
    options = sample.file_options.get("xas", [])
    settings = (f"tey_depth_nm={parameters.tey_depth_nm}, bulk_depth_nm={parameters.bulk_depth_nm}, "
                f"layer_nm={parameters.layer_nm}")
    chosen = []  # (table, value column, variable of a row)
    if not analysis.valence.empty:
        chosen.append((analysis.valence, "valence", lambda row: f"valence_{row['edge'].split('-')[0]}"))
    oxygen = analysis.activation.assign(edge="O-K") if not analysis.activation.empty else pd.DataFrame()
    for column, variable in OXYGEN_VARIABLES.items():
        if column in oxygen:
            chosen.append((oxygen, column, lambda row, variable=variable: variable))
    for table, column, variable_of in chosen:
        table = table.dropna(subset=[column])
        for (state_name, edge), part in table.groupby(["state", "edge"], sort=False):
            state = _entry_state(options, state_name)
            for probe, modes in (("surface", SURFACE_MODES), ("bulk", BULK_MODES)):
                rows = part[part["mode"].str.lower().isin(modes)]
                if rows.empty:
                    continue
                row = rows.iloc[int(np.argmin([modes.index(m.lower()) for m in rows["mode"]]))]
                source = f"{_files(options, edge=edge, mode=row['mode'], state=state_name)} ({row['mode']})"
                budget = {part_: row.get(f"{column}_{part_}_stderr") for part_ in BUDGET_COLUMNS}
                records.add_state(sample.name, state, probe, variable_of(row), row[column],
                                  row.get(f"{column}_stderr"), source, budget={**budget, "n": row.get("n_files", 1)})
    for row in analysis.depth.to_dict("records") if not analysis.depth.empty else []:
        state = _entry_state(options, row["state"])
        variable = "r_layer" if row["quantity"] == "r" else f"valence_{row['edge'].split('-')[0]}_layer"
        source = f"{_files(options, edge=row['edge'], state=row['state'])} (tey + {row['bulk_mode']})"
        for probe in ("surface", "bulk"):
            records.add_state(sample.name, state, probe, variable, row[probe], row[f"{probe}_stderr"], source,
                              settings)


# O K columns of an XAS analysis -> map variables: r and the heights behind it on the edge-step scale.
OXYGEN_VARIABLES = {"r": "r", "A_height": "o_k_a", "B_height": "o_k_b", "b_minus_b0": "o_k_b_minus_b0"}


@per_sample("xrd")
def xrd_records(records: Records, sample, analysis, parameters: XrdParameters) -> None:
    """c and the (020)/(003) ratio of each pattern; of an in situ series, at the end of each half cycle."""
    options = sample.file_options.get("xrd", [])
    for row in analysis.per_state.to_dict("records") if not analysis.per_state.empty else []:
        state = _entry_state(options, row["state"])
        source = _files(options, state=row["state"])
        for variable, error in (("c_A", "c_stderr_A"), ("ratio_020_003", "ratio_020_003_stderr")):
            if variable in row:
                records.add_state(sample.name, state, "electrode", variable, row[variable], row.get(error), source)
    for series in analysis.series:
        table = series.table
        if "direction" not in table or "cycle" not in table:
            continue
        ends = table.dropna(subset=["cycle"]).groupby(["cycle", "direction"], sort=False).tail(1)
        for row in ends.to_dict("records"):
            if row["direction"] not in ("charge", "discharge"):
                continue
            state = State(f"{row['direction']} {int(row['cycle'])}", float(row["cycle"]), row["direction"],
                          f"in situ scan {int(row['scan'])}")
            source = f"in situ series, scan {int(row['scan'])} (last of the half cycle)"
            for variable, error in (("c_A", "c_stderr_A"), ("ratio_020_003", "ratio_020_003_stderr")):
                records.add_state(sample.name, state, "electrode", variable, row[variable], row[error], source)


@per_sample("eis")
def eis_records(records: Records, sample, analysis, parameters: EisParameters) -> None:
    """The resistance of the slowest RC arc of each state's first spectrum."""
    from redoxmap.study.analyses.eis import interface_resistances

    options = sample.file_options.get("eis", [])
    for row in interface_resistances(analysis).itertuples():
        records.add_state(sample.name, _entry_state(options, row.state), "electrode", "R_interface_ohm",
                          row.R_ohm, row.R_stderr_ohm, f"{_files(options, state=row.state)} ({row.spectrum})")


@per_sample("xps")
def xps_records(records: Records, sample, analysis, parameters: XpsParameters) -> None:
    """Family shares of each XPS region by state: a surface probe (photoelectrons escape from a few nm)."""
    options = sample.file_options.get("xps", [])
    if analysis.shares.empty:
        return
    for row in analysis.shares.to_dict("records"):
        if row["family"] == "electrolyte":
            continue  # the complement of the others: not a separate measurement
        state = _entry_state(options, row["state"])
        family = row["family"].replace("/", " ").replace("-", " ").replace(" ", "_").lower()
        records.add_state(sample.name, state, "surface", f"xps_share_{family}", row["share"], row["share_stderr"],
                          f"{row['file']} ({row['region']})")


SEM_MAP_METRICS = {
    ("contact", "electrolyte"): "sem_contact_electrolyte",
    ("area_fraction", "void"): "sem_void_fraction",
    ("d50_um", "cathode"): "sem_d50_um",
    ("tortuosity_x", "electrolyte"): "sem_tortuosity_electrolyte",
    ("fraction_cv", "cathode"): "sem_dispersion_cv",
}


@per_sample("sem")
def sem_records(records: Records, sample, analysis, parameters: SemParameters) -> None:
    """The microstructure figures that explain activation, by state (the whole electrode's section)."""
    options = sample.file_options.get("sem", [])
    if analysis.metrics.empty:
        return
    for row in analysis.metrics.to_dict("records"):
        variable = SEM_MAP_METRICS.get((row["metric"], row["phase"]))
        if variable is None or not np.isfinite(row["value"]):
            continue
        records.add_state(sample.name, _entry_state(options, row["state"]), "electrode", variable, row["value"],
                          row["stderr"], _files(options, state=row["state"]))


@per_sample("dems")
def dems_records(records: Records, sample, analysis, parameters: DemsParameters) -> None:
    """Gas released in each charge and the lattice oxygen it carries, per cycle (the whole electrode)."""
    if analysis.totals.empty:
        return
    for row in analysis.totals.to_dict("records"):
        if row["direction"] == "charge" and row["cycle"] >= 1:
            records.add_cycle(sample.name, row["cycle"], f"gas_{row['gas']}_umol_g", row["amount_umol_g"],
                              row["amount_stderr_umol_g"], row["file"])
    for row in analysis.oxygen.to_dict("records"):
        if row["direction"] == "charge" and row["cycle"] >= 1:
            records.add_cycle(sample.name, row["cycle"], "lattice_oxygen_lost_umol_g", row["oxygen_umol_g"],
                              row["oxygen_stderr_umol_g"], row["file"])


def cycling_records(records: Records, sample, analyses: list, *, accuracy_pct: float) -> None:
    """Per cycle: the discharge capacity, and the charge capacity and its share in each voltage region.

    Each cell's capacities carry ``accuracy_pct`` of their value as standard error: a cycler's current
    is far more accurate than that, but the active mass (weighed to ~1 %) sets the error of a specific
    capacity, and neither is in the file. Several cells of one sample are replicates: the map holds
    their mean, with the mass error of the mean as its statistical error and the spread between the
    cells (standard error of the mean) as its replicate error."""
    per_cell = [_cell_cycle_values(analysis) for analysis in analyses]
    sources = ", ".join(s for s in (_source_name(a) for a in analyses) if s)
    relative = accuracy_pct / 100
    capacity = next((c for c in ("discharge_capacity_mAh_g", "discharge_capacity_mAh")
                     if all(c in cell for cell in per_cell)), None)
    if capacity is None and per_cell:
        kept = next((c for c in ("discharge_capacity_mAh_g", "discharge_capacity_mAh") if c in per_cell[0]), None)
        if kept and len(per_cell) > 1:
            records.notes.append(f"{sample.name}: its cells do not all have {kept}; only the first enters the map")
            per_cell, capacity = per_cell[:1], kept
    variables = {v for cell in per_cell for v in cell if not v.startswith("discharge_capacity")}
    variables = [v for v in sorted(variables) if all(v in cell for cell in per_cell)]
    for variable in ([capacity] if capacity else []) + variables:
        cycles = sorted({c for cell in per_cell for c in cell[variable]})
        for cycle in cycles:
            values = [cell[variable][cycle] for cell in per_cell if cycle in cell[variable]]
            mean = float(np.mean(values))
            spread, n = replicate_error(values)
            # a share is a ratio of one cell's capacities: the mass cancels
            statistical = math.nan if variable.startswith("charge_share_") else relative * abs(mean) / math.sqrt(n)
            records.add_cycle(sample.name, cycle, variable, mean, statistical, sources,
                              budget={"replicates": spread, "n": n})


def _source_name(analysis) -> str:
    return analysis.metadata.source_file and Path(analysis.metadata.source_file).name


def _cell_cycle_values(analysis) -> dict[str, dict[int, float]]:
    """One cell's per-cycle numbers: variable -> cycle -> value (cycles from 1)."""
    out: dict[str, dict[int, float]] = {}
    summary = analysis.per_cycle
    for column in ("discharge_capacity_mAh_g", "discharge_capacity_mAh"):
        if column in summary and summary[column].notna().any():
            out[column] = {int(c): float(v) for c, v in zip(summary["cycle"], summary[column])
                           if c >= 1 and np.isfinite(v)}
            break
    regions = analysis.regions
    if regions.empty or "capacity_mAh_g" not in regions or regions["capacity_mAh_g"].isna().all():
        return out
    charges = regions[regions["direction"] == "charge"]
    totals = charges.groupby("half_cycle")["capacity_mAh_g"].transform("sum")
    for row, total in zip(charges.to_dict("records"), totals):
        if row["cycle"] < 1 or not np.isfinite(row["capacity_mAh_g"]):
            continue
        cycle, value = int(row["cycle"]), float(row["capacity_mAh_g"])
        out.setdefault(f"charge_region_{row['region']}_mAh_g", {})[cycle] = value
        if total > 0:
            out.setdefault(f"charge_share_{row['region']}", {})[cycle] = value / total
    return out


def collect(result, *, accuracy_pct: float = 1.0) -> Records:
    """Every number of a study's results as map records (the model's arrays are added separately): each
    modality's ``records`` function (:class:`redoxmap.study.modality.Modality`) with its outcomes."""
    from redoxmap.study.modality import modalities, resolve

    records = Records()
    for modality in modalities().values():
        if modality.records and result.sections.get(modality.name):
            resolve(modality.records)(records, result.study, result.sections[modality.name],
                                      {"accuracy_pct": accuracy_pct})
    return records


def collect_cycling(records: Records, study, outcomes: list, options: dict) -> None:
    """The cycling records: each sample's cells together (their spread is the replicate error)."""
    samples = {s.name: s for s in study.samples}
    by_cell = _cycling_cells(study)
    cells: dict[str, list] = {}
    for outcome in outcomes:
        if outcome.ok and outcome.label in by_cell:
            cells.setdefault(by_cell[outcome.label].name, []).append(outcome.value)
    for name, analyses in cells.items():
        cycling_records(records, samples[name], analyses, accuracy_pct=options["accuracy_pct"])
        records.cells[name] = len(analyses)


def _cycling_cells(study) -> dict:
    from redoxmap.study.run import cell_label

    return {cell_label(s, f, "cycling"): s for s in study.samples for f in s.files.get("cycling", [])}


def records_frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """A records list as a table with at least ``columns`` (empty when there are none)."""
    return pd.DataFrame(rows, columns=columns) if not rows else pd.DataFrame(rows)
