"""What an activation map says: where in the particle, since which cycle, how fast; and in words that
claim no more than the measurements hold.

Everything here is computed from the map alone (:class:`redoxmap.study.map_dataset.ActivationMap`), so
a map read back from a file, or built from published numbers, gives the same findings. The tests are in
:mod:`redoxmap.study.evidence` (every one on the error budget of :mod:`redoxmap.study.budget`, a floor
entering each comparison once), the couples' words in :mod:`redoxmap.study.couples`, capacities in
:mod:`redoxmap.study.capacities` and comparisons in :mod:`redoxmap.study.comparisons`. The rules, which
the documentation page "How redoxmap decides" lists with their thresholds:

* **where** (O from r, each TM from its valence): the change after each charge at the surface against
  the bulk. An order word (*surface-first*, *bulk-first*) needs a lead in time measured independently of
  the probes' amplitudes (n50, or the share of each probe's own final change at the earlier onset); a
  significant difference without one is *higher* (or *lower*) *at the surface*; none is *uniform within
  the errors*.
* **since which cycle**: the first charged state with a significant rise (an onset at the first charge
  measured, after the first cycle, is a bound). A valence significantly below the pristine one after a
  charge is a *reduction*, reported with its size, never as activation.
* **how fast**: n50 and n90 only from ``min_states`` (3) or more charged states and a saturating law that
  describes them; *fast* when n90 clears ``fast_cycles`` by two of its errors, *slow* when it lies beyond
  by as much or a probe keeps rising significantly after the threshold; the sentence gives n90 ± error.
* **oxygen** words rest on oxygen evidence only (r, and b - b0 where fitted). Capacities are named as
  what they are (region III charge capacity, discharge capacity), in verdicts of their own.
* **comparisons** between samples name every condition in which they differ, and say "one cell each"
  when no spread between cells is known.
* **robustness**: each couple's verdict gives the floor at which it would read differently, and what it
  would become (:mod:`redoxmap.study.robustness`).

Significances print as "> 10σ" beyond ten standard errors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from redoxmap.formatting import format_number
from redoxmap.study.capacities import capacity_evidence, capacity_verdicts
from redoxmap.study.comparisons import comparison_verdicts, comparisons, sample_cells, simulated_samples
from redoxmap.study.couples import classes, couple_evidence, couple_verdict
from redoxmap.study.kinetics import Kinetics
from redoxmap.study.verdict import Verdict, plain


@dataclass
class Findings:
    """The derived answers of an activation map.

    Attributes
    ----------
    differences : pandas.DataFrame
        Surface minus bulk per sample, variable and state (combined errors, z, significance).
    onsets : pandas.DataFrame
        Per sample, couple and probe: the first charged state with a significant rise and with a
        significant fall below pristine.
    kinetics : pandas.DataFrame
        Cycles to 50 % and 90 % of the final value, per sample, couple, source and probe.
    leads : pandas.DataFrame
        Which probe's activation starts first, by onset or by n50, and by how much.
    fronts : pandas.DataFrame
        The model's front: depth at the last cycle and mean speed with 95 % intervals.
    comparisons : pandas.DataFrame
        The same kinetics of two samples side by side, with the conditions that differ between them.
    summary : pandas.DataFrame
        Per sample and couple: where, since which cycle, n90 ± error, speed, evidence and robustness.
    budget : pandas.DataFrame
        The error budget of every state-resolved number behind a verdict.
    verdicts : list of Verdict
    options : dict
        The thresholds and floors used.
    simulated : tuple of str
        The samples whose data are simulated (a virtual study's cells), and the groups of only such samples
        that comparisons name, marked so in :meth:`text`.
    """

    differences: pd.DataFrame
    onsets: pd.DataFrame
    kinetics: pd.DataFrame
    leads: pd.DataFrame
    fronts: pd.DataFrame
    comparisons: pd.DataFrame
    summary: pd.DataFrame
    budget: pd.DataFrame = field(default_factory=pd.DataFrame)
    verdicts: list[Verdict] = field(default_factory=list)
    options: dict = field(default_factory=dict)
    simulated: tuple[str, ...] = ()

    TABLES = ("summary", "differences", "onsets", "kinetics", "leads", "fronts", "comparisons", "budget")

    def text(self) -> str:
        """The verdicts, one line each, grouped by sample."""
        lines, current = [], None
        for verdict in self.verdicts:
            if verdict.sample != current:
                current = verdict.sample
                lines.append(f"{current} (simulated):" if current in self.simulated else f"{current}:")
            lines.append(f"  - {verdict.sentence}")
        return "\n".join(lines)

    def classes(self) -> dict[tuple[str, str], tuple[str, str]]:
        """``(sample, couple) -> (where, speed)`` of every couple's verdict."""
        return {(r.sample, r.couple): (r.where, r.speed) for r in self.summary.itertuples()
                if r.aspect == "summary"}

    def to_dict(self) -> dict:
        """Every table as records and the verdicts (JSON-ready)."""
        def records(frame):
            return [{k: plain(v) for k, v in row.items()} for row in frame.to_dict("records")]
        return {"options": self.options, "simulated": list(self.simulated),
                "verdicts": [v.to_dict() for v in self.verdicts],
                **{name: records(getattr(self, name)) for name in self.TABLES}}


# --- the whole map --------------------------------------------------------------------------------

def couples_of(ds) -> list[tuple[str, str]]:
    """``(couple, variable)`` of every couple the map has: O from r, each TM from its valence."""
    from redoxmap.study.map_records import valence_variables

    return ([("O", "r")] if "r" in ds else []) + [(f"TM ({v.split('_')[1]})", v) for v in valence_variables(ds)]


def classify(ds, options, couples: set[str] | None = None) -> dict[str, tuple]:
    """Every couple's classes (for the robustness scans): ``"sample|couple"`` -> the key of
    :func:`redoxmap.study.couples.classes`; ``couples`` limits the couples looked at (``{"O", "TM (Ni)"}``)."""
    out = {}
    for sample in [str(s) for s in ds["sample"].to_numpy()]:
        for couple, variable in couples_of(ds):
            if couples is not None and couple not in couples:
                continue
            evidence = couple_evidence(ds, sample, couple, variable, options)
            if evidence.measured:
                out[f"{sample}|{couple}"] = classes(evidence, options).key
    return out


def _kinetics_row(sample, couple, source, probe, kinetics: Kinetics) -> dict:
    return {"sample": sample, "couple": couple, "source": source, "probe": probe, "n50": kinetics.n50,
            "n50_stderr": kinetics.n50_stderr, "n90": kinetics.n90, "n90_stderr": kinetics.n90_stderr,
            "final": kinetics.final, "final_stderr": kinetics.final_stderr, "last_cycle": kinetics.last_cycle,
            "extrapolated": kinetics.extrapolated, "determined": kinetics.determined, "law": kinetics.law,
            "note": kinetics.note}


def _summary_row(verdict: Verdict) -> dict:
    return {"sample": verdict.sample, "couple": verdict.couple, "aspect": verdict.aspect, "where": verdict.where,
            "since": verdict.since, "n90": verdict.n90, "n90_stderr": verdict.n90_stderr, "speed": verdict.speed,
            "evidence": verdict.basis, "determined": verdict.determined}


def _onset_rows(sample: str, couple: str, found: dict) -> list[dict]:
    rows = []
    for probe, here in found.items():
        for kind in ("activation", "reduction"):
            onset = here[kind]
            if onset is None and not (kind == "activation" and here["states"]):
                continue
            rows.append(
                {
                    "sample": sample,
                    "couple": couple,
                    "probe": probe,
                    "kind": kind,
                    "onset_state": onset["state"] if onset else None,
                    "onset_cycle": onset["cycle"] if onset else math.nan,
                    "value": onset["value"] if onset else math.nan,
                    "stderr": onset["stderr"] if onset else math.nan,
                    "z": onset["z"] if onset else math.nan,
                    "charged_states": here["states"],
                }
            )
    return rows


def _frame(rows) -> pd.DataFrame:
    """Records or frames as one table (empty when there are none)."""
    frames = [r for r in rows if isinstance(r, pd.DataFrame) and not r.empty]
    if frames:
        return pd.concat(frames, ignore_index=True)
    return pd.DataFrame([r for r in rows if isinstance(r, dict)])


def find(amap) -> Findings:
    """The findings of an activation map (see the module's description of the rules); their robustness
    is added by :func:`redoxmap.study.robustness.add_robustness` (as ``ActivationMap.findings`` does).

    Parameters
    ----------
    amap : ActivationMap

    Returns
    -------
    Findings
    """
    ds, options = amap.dataset, amap.options
    tables = {k: [] for k in ("differences", "onsets", "kinetics", "leads", "summary")}
    verdicts: list[Verdict] = []
    cells = sample_cells(ds)
    for sample in [str(s) for s in ds["sample"].to_numpy()]:
        sample_verdicts = []
        for couple, variable in couples_of(ds):
            evidence = couple_evidence(ds, sample, couple, variable, options)
            tables["differences"].append(evidence.diff)
            if not evidence.measured:
                continue
            verdict = couple_verdict(ds, sample, evidence, options)
            sample_verdicts.append(verdict)
            tables["onsets"] += _onset_rows(sample, couple, evidence.found)
            tables["kinetics"] += [_kinetics_row(sample, couple, f"{variable} after charge", p, k)
                                   for p, k in evidence.kinetics.items() if k is not None]
            if evidence.lead.get("first"):
                tables["leads"].append({"sample": sample, "couple": couple, **evidence.lead})
        items = capacity_evidence(ds, sample, options)
        tables["kinetics"] += [_kinetics_row(sample, "capacity", i["source"], "electrode", i["kinetics"])
                               for i in items if i["kinetics"] is not None]
        sample_verdicts += capacity_verdicts(sample, items, options, cells.get(sample, 0))
        verdicts += sample_verdicts or [_no_verdict(ds, sample)]
        tables["summary"] += [_summary_row(v) for v in sample_verdicts]
    frames = {k: _frame(v) for k, v in tables.items()}
    fronts = _fronts(ds)
    compared = comparisons(ds, frames["kinetics"], options.significance_sigma)
    verdicts += _front_verdicts(fronts) + comparison_verdicts(compared)
    return Findings(frames["differences"], frames["onsets"], frames["kinetics"], frames["leads"], fronts, compared,
                    frames["summary"], _budget_table(ds), verdicts,
                    {"significance_sigma": options.significance_sigma, "fast_cycles": options.fast_cycles,
                     "onset_share": options.onset_share, "min_states": options.min_states,
                     "error_floors": options.floors},
                    simulated_samples(ds) + _simulated_groups(compared))


def _simulated_groups(compared: pd.DataFrame) -> tuple[str, ...]:
    """The groups of simulated samples that comparisons name (:func:`redoxmap.study.comparisons.comparison_units`),
    marked simulated like their samples: a label whose group is all simulated in every comparison that names it
    (one label may gather other samples for another couple, where one of them lacks that couple's data)."""
    if compared.empty:
        return ()
    flags: dict[str, bool] = {}
    for row in compared.to_dict("records"):
        for side in ("first", "second"):
            flags[row[side]] = flags.get(row[side], True) and bool(row[f"simulated_{side}"])
    return tuple(name for name, simulated in flags.items() if simulated)


def _no_verdict(ds, sample: str) -> Verdict:
    from redoxmap.study.evidence import pristine_references

    only_pristine = sample in pristine_references(ds)
    reason = ("a pristine reference only: nothing has been cycled to activate" if only_pristine else
              "this sample has no measurement of TM or O activation and no capacity per cycle (the map lists "
              "what is missing)")
    return Verdict(sample, "—", "none", "No verdict", [reason], "samples", False)


def _budget_table(ds) -> pd.DataFrame:
    """The error budget of every state-resolved number (the components and their total)."""
    rows = []
    for name in [str(v) for v in ds.data_vars if str(v).endswith("_budget") and "state" in ds[v].dims]:
        variable = name[: -len("_budget")]
        frame = ds[name].to_dataframe().reset_index()
        wide = frame.pivot_table(index=["sample", "state", "probe"], columns="error_component", values=name,
                                 dropna=False, aggfunc="first").reset_index()
        values = ds[variable].to_dataframe().reset_index()[["sample", "state", "probe", variable]]
        totals = ds[f"{variable}_stderr"].to_dataframe().reset_index()[["sample", "state", "probe",
                                                                        f"{variable}_stderr"]]
        joined = values.merge(totals, on=["sample", "state", "probe"]).merge(wide, on=["sample", "state", "probe"])
        joined = joined.dropna(subset=[variable]).rename(columns={variable: "value", f"{variable}_stderr": "total"})
        rows.append(joined.assign(variable=variable))
    if not rows:
        return pd.DataFrame()
    table = pd.concat(rows, ignore_index=True)
    order = ["sample", "variable", "state", "probe", "value", "statistical", "replicates", "floor", "choice",
             "references", "total"]
    return table[[c for c in order if c in table]]


# --- model and comparisons ---------------------------------------------------------------------

def _fronts(ds) -> pd.DataFrame:
    if "model_front_nm" not in ds:
        return pd.DataFrame()
    rows = []
    for sample in ds["sample"].to_numpy():
        front = ds["model_front_nm"].sel(sample=sample)
        if not np.isfinite(front).any():
            if np.isfinite(ds["model_r"].sel(sample=sample)).any():
                rows.append({"sample": str(sample), "front_last_nm": math.nan, "last_cycle": math.nan,
                             "speed_nm_cycle": math.nan, "speed_low": math.nan, "speed_high": math.nan,
                             "note": "no front formed (a < 1/2 everywhere) in the cycles modelled"})
            continue
        last = int(ds["cycle"].to_numpy()[np.flatnonzero(np.isfinite(front.to_numpy()))[-1]])
        rows.append({"sample": str(sample), "front_last_nm": float(front.sel(cycle=last)), "last_cycle": last,
                     "front_low_nm": float(ds["model_front_low_nm"].sel(sample=sample, cycle=last)),
                     "front_high_nm": float(ds["model_front_high_nm"].sel(sample=sample, cycle=last)),
                     "speed_nm_cycle": float(ds["model_front_speed_nm_cycle"].sel(sample=sample)),
                     "speed_low": float(ds["model_front_speed_low"].sel(sample=sample)),
                     "speed_high": float(ds["model_front_speed_high"].sel(sample=sample)),
                     "radius_nm": float(ds.attrs.get("model_radius_nm", np.nan)), "note": ""})
    return pd.DataFrame(rows)


def _interval(low: float, high: float) -> str:
    low_text, high_text = format_number(low, 3), format_number(high, 3)
    return f"95 %: {low_text}–{high_text}" if low_text != high_text else "95 % interval within the rounding"


def _front_verdicts(fronts: pd.DataFrame) -> list[Verdict]:
    out = []
    for row in fronts.to_dict("records"):
        if row["note"]:
            out.append(Verdict(row["sample"], "O", "front", "Model", [row["note"]], "model", basis="the fitted model"))
            continue
        if row["front_last_nm"] >= 0.95 * row["radius_nm"]:
            where = (f"at the centre of the {format_number(row['radius_nm'], 3)} nm domain after cycle "
                     f"{row['last_cycle']}")
        else:
            where = (f"{format_number(row['front_last_nm'], 3)} nm below the surface after cycle {row['last_cycle']} "
                     f"({_interval(row['front_low_nm'], row['front_high_nm'])})")
        speed = (f"moves {format_number(row['speed_nm_cycle'], 3)} nm per cycle on average "
                 f"({_interval(row['speed_low'], row['speed_high'])})")
        out.append(Verdict(row["sample"], "O", "front", "Model: the oxygen activation front", [speed, f"lies {where}"],
                           "model", basis="the activation model fitted to this study (a model, not a measurement)"))
    return out
