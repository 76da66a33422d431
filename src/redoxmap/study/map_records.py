"""The numbers of a study's analyses as long records, ready to be joined into the activation map.

Each collector reads one modality's results and yields rows: which sample, state (or cycle) and
probe a number belongs to, the number with its standard error, its unit, the files it came from
and the method that made it. :mod:`redoxmap.study.map_dataset` turns the rows into arrays.

Probes: ``surface`` (electron yields, a few nm), ``bulk`` (fluorescence yields and transmission,
~100 nm and more) and ``electrode`` (the whole electrode: electrochemistry, XRD, EIS).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap.study.states import State, parse_state
from redoxmap.xas.channels import BULK_MODES, SURFACE_MODES

PROBES = ("surface", "bulk", "electrode")


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

    def add_state(self, sample: str, state: State, probe: str, variable: str, value, stderr,
                  source: str, options: str = "") -> None:
        if value is None or not np.isfinite(float(value)):
            return
        self.states.append({"sample": sample, "state": state.label, "state_name": state.name,
                            "cycle": state.cycle, "half": state.half, "probe": probe, "variable": variable,
                            "value": float(value), "stderr": _finite(stderr), "source": source,
                            "options": options})

    def add_cycle(self, sample: str, cycle: int, variable: str, value, stderr, source: str) -> None:
        if value is None or not np.isfinite(float(value)):
            return
        self.cycles.append({"sample": sample, "cycle": int(cycle), "variable": variable, "value": float(value),
                            "stderr": _finite(stderr), "source": source})


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


def xas_records(records: Records, sample, analysis, parameters: dict) -> None:
    """Valences by element and r, by state and probe; the two-layer values beside them."""
    options = sample.file_options.get("xas", [])
    settings = (f"tey_depth_nm={parameters['tey_depth_nm']}, bulk_depth_nm={parameters['bulk_depth_nm']}, "
                f"layer_nm={parameters['layer_nm']}")
    chosen = []  # (table, value column, variable of a row)
    if not analysis.valence.empty:
        chosen.append((analysis.valence, "valence", lambda row: f"valence_{row['edge'].split('-')[0]}", "edge"))
    if not analysis.activation.empty and "r" in analysis.activation:
        chosen.append((analysis.activation.assign(edge="O-K"), "r", lambda row: "r", "edge"))
    for table, column, variable_of, _ in chosen:
        table = table.dropna(subset=[column])
        for (state_name, edge), part in table.groupby(["state", "edge"], sort=False):
            state = _entry_state(options, state_name)
            for probe, modes in (("surface", SURFACE_MODES), ("bulk", BULK_MODES)):
                rows = part[part["mode"].str.lower().isin(modes)]
                if rows.empty:
                    continue
                row = rows.iloc[int(np.argmin([modes.index(m.lower()) for m in rows["mode"]]))]
                source = f"{_files(options, edge=edge, mode=row['mode'], state=state_name)} ({row['mode']})"
                records.add_state(sample.name, state, probe, variable_of(row), row[column],
                                  row.get(f"{column}_stderr"), source)
    for row in analysis.depth.to_dict("records") if not analysis.depth.empty else []:
        state = _entry_state(options, row["state"])
        variable = "r_layer" if row["quantity"] == "r" else f"valence_{row['edge'].split('-')[0]}_layer"
        source = f"{_files(options, edge=row['edge'], state=row['state'])} (tey + {row['bulk_mode']})"
        for probe in ("surface", "bulk"):
            records.add_state(sample.name, state, probe, variable, row[probe], row[f"{probe}_stderr"], source,
                              settings)


def xrd_records(records: Records, sample, analysis) -> None:
    """c and the (020)/(003) ratio of each pattern; of an in situ series, at the end of each half cycle."""
    options = sample.file_options.get("xrd", [])
    for row in analysis.summary.to_dict("records") if not analysis.summary.empty else []:
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


def eis_records(records: Records, sample, analysis) -> None:
    """The resistance of the slowest RC arc of each state's first spectrum."""
    options = sample.file_options.get("eis", [])
    table = analysis.resistances
    if table.empty:
        return
    arcs = sorted(int(c.split("_")[1]) for c in table if c.startswith("R_") and c.endswith("_ohm")
                  and "stderr" not in c)
    for state_name, part in table.groupby("state", sort=False):
        row = part.iloc[0]
        slowest = next((k for k in reversed(arcs) if np.isfinite(row.get(f"R_{k}_ohm", np.nan))), None)
        if slowest is None:
            continue
        records.add_state(sample.name, _entry_state(options, state_name), "electrode", "R_interface_ohm",
                          row[f"R_{slowest}_ohm"], row.get(f"R_{slowest}_stderr_ohm"),
                          f"{_files(options, state=state_name)} ({row['spectrum']})")


def xps_records(records: Records, sample, analysis) -> None:
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


SEM_MAP_METRICS = {("contact", "electrolyte"): "sem_contact_electrolyte", ("area_fraction", "void"): "sem_void_fraction",
                   ("d50_um", "cathode"): "sem_d50_um", ("tortuosity_x", "electrolyte"): "sem_tortuosity_electrolyte",
                   ("fraction_cv", "cathode"): "sem_dispersion_cv"}


def sem_records(records: Records, sample, analysis) -> None:
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


def dems_records(records: Records, sample, analysis) -> None:
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


def cycling_records(records: Records, sample, analysis, *, accuracy_pct: float) -> None:
    """Per cycle: the discharge capacity, and the charge capacity and its share in each voltage region.

    Capacities carry ``accuracy_pct`` of their value as standard error: a cycler's current is far
    more accurate than that, but the active mass (weighed to ~1 %) sets the error of a specific
    capacity, and neither is in the file."""
    source = analysis.metadata.source_file and Path(analysis.metadata.source_file).name
    summary = analysis.summary
    relative = accuracy_pct / 100
    for column in ("discharge_capacity_mAh_g", "discharge_capacity_mAh"):
        if column in summary and summary[column].notna().any():
            for cycle, value in zip(summary["cycle"], summary[column]):
                if cycle >= 1:
                    records.add_cycle(sample.name, cycle, column, value, relative * abs(value), source)
            break
    regions = analysis.regions
    if regions.empty or "capacity_mAh_g" not in regions or regions["capacity_mAh_g"].isna().all():
        return
    charges = regions[regions["direction"] == "charge"]
    totals = charges.groupby("half_cycle")["capacity_mAh_g"].transform("sum")
    for row, total in zip(charges.to_dict("records"), totals):
        if row["cycle"] < 1:
            continue
        value = row["capacity_mAh_g"]
        records.add_cycle(sample.name, row["cycle"], f"charge_region_{row['region']}_mAh_g", value,
                          relative * abs(value), source)
        if total > 0:
            # the mass cancels in a share: its error is that of the region boundary's integration only
            records.add_cycle(sample.name, row["cycle"], f"charge_share_{row['region']}", value / total, math.nan,
                              source)


def collect(result, *, accuracy_pct: float = 1.0) -> Records:
    """Every number of a study's results as map records (the model's arrays are added separately)."""
    study = result.study
    samples = {s.name: s for s in study.samples}
    records = Records()
    by_cell = _cycling_cells(study)
    for outcome in result.sections.get("cycling", []):
        if not outcome.ok:
            continue
        sample = by_cell.get(outcome.label)
        if sample is None:
            continue
        if sum(1 for s in by_cell.values() if s is sample) > 1 and outcome.label != _first_cell(study, sample):
            records.notes.append(f"{sample.name}: only the first cycling file enters the map ({outcome.label} "
                                 "does not)")
            continue
        cycling_records(records, sample, outcome.value, accuracy_pct=accuracy_pct)
    for modality, collector in (("xas", xas_records), ("xrd", xrd_records), ("eis", eis_records),
                                ("xps", xps_records), ("dems", dems_records), ("sem", sem_records)):
        for outcome in result.sections.get(modality, []):
            if not outcome.ok or outcome.label not in samples:
                continue
            if modality == "xas":
                collector(records, samples[outcome.label], outcome.value, study.parameters["xas"])
            else:
                collector(records, samples[outcome.label], outcome.value)
    return records


def _cycling_cells(study) -> dict:
    from redoxmap.study.run import cell_label

    return {cell_label(s, f, "cycling"): s for s in study.samples for f in s.files.get("cycling", [])}


def _first_cell(study, sample) -> str:
    from redoxmap.study.run import cell_label

    return cell_label(sample, sample.files["cycling"][0], "cycling")


def records_frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """A records list as a table with at least ``columns`` (empty when there are none)."""
    return pd.DataFrame(rows, columns=columns) if not rows else pd.DataFrame(rows)
