"""What an activation map says: since which cycle, where in the particle, how fast; and in words.

Everything here is computed from the map alone (:class:`redoxmap.study.map_dataset.ActivationMap`),
so a map read back from a file, or built from published numbers, gives the same findings.

Tests and thresholds (the manifest's ``[map]`` section overrides them):

* **where**: at each state with both probes, surface minus bulk with ``sqrt(s_surface² + s_bulk²)``
  as its error; *significant* when it exceeds ``significance_sigma`` (3) standard errors. A couple is
  *surface-first* when some state's surface value is significantly above the bulk's (for r; for a
  valence: "higher at the surface"), *uniform* when no state differs significantly.
* **since which cycle**: the onset is the first state whose value differs from the pristine one by
  more than ``significance_sigma`` standard errors (r is zero in the pristine material by its
  definition); in the electrochemistry, the first charge with at least ``onset_share`` of its
  capacity in the couple's voltage region.
* **how fast**: cycles to 50 % and 90 % of the final value (:mod:`redoxmap.study.kinetics`), from r
  (or a valence change) by probe, and from the capacity in the couple's region (from the second
  charge: the first holds the irreversible first-charge capacity too) or, for a Li-rich sample
  without region data, the discharge capacity. *Fast* when 90 % is reached within ``fast_cycles``.
* **asynchrony**: how many cycles later the bulk reaches half its final value than the surface.
* **front**: where the model was fitted, its activation front's depth and mean speed, with the 95 %
  interval of the fit's parameter draws.

No verdict is given without the measurements it needs: "not determined" says which are missing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from redoxmap.formatting import format_number, format_value_error
from redoxmap.study.kinetics import Kinetics, capacity_kinetics, saturating_kinetics

ELEMENT_VARIABLE = re.compile(r"^valence_([A-Z][a-z]?)$")
MODE_IN_SOURCE = re.compile(r"\((\w+)\)\s*$")


@dataclass
class Verdict:
    """One finding in words: a headline, the numbers behind it, and the report section with its evidence."""

    sample: str
    couple: str
    aspect: str
    headline: str
    details: list[str]
    evidence: str
    determined: bool = True

    @property
    def sentence(self) -> str:
        """The headline and its numbers as one sentence."""
        return self.headline + (": " + "; ".join(self.details) if self.details else "") + "."


@dataclass
class Findings:
    """The derived answers of an activation map.

    Attributes
    ----------
    differences : pandas.DataFrame
        Surface minus bulk per sample, quantity and state, with error, z and significance.
    onsets : pandas.DataFrame
        First significant state per sample, couple and probe, with the test.
    kinetics : pandas.DataFrame
        Cycles to 50 % and 90 % of the final value, per sample, couple and source.
    asynchrony : pandas.DataFrame
        Bulk n50 minus surface n50 per sample and couple.
    fronts : pandas.DataFrame
        The model's front: depth at the last cycle and mean speed with 95 % intervals.
    comparisons : pandas.DataFrame
        The O kinetics of samples at different temperatures side by side.
    summary : pandas.DataFrame
        Per sample and couple: ``where`` and ``speed`` classes and the onset.
    verdicts : list of Verdict
    options : dict
        The thresholds used.
    """

    differences: pd.DataFrame
    onsets: pd.DataFrame
    kinetics: pd.DataFrame
    asynchrony: pd.DataFrame
    fronts: pd.DataFrame
    comparisons: pd.DataFrame
    summary: pd.DataFrame
    verdicts: list[Verdict] = field(default_factory=list)
    options: dict = field(default_factory=dict)

    def text(self) -> str:
        """The verdicts, one line each, grouped by sample."""
        lines, current = [], None
        for verdict in self.verdicts:
            if verdict.sample != current:
                current = verdict.sample
                lines.append(f"{current}:")
            lines.append(f"  - {verdict.sentence}")
        return "\n".join(lines)

    def classes(self) -> dict[tuple[str, str], tuple[str, str]]:
        """``(sample, couple) -> (where, speed)``."""
        return {(r.sample, r.couple): (r.where, r.speed) for r in self.summary.itertuples()}

    def to_dict(self) -> dict:
        """Every table as records and the verdicts (JSON-ready)."""
        def records(frame):
            return [{k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}
                    for row in frame.to_dict("records")]
        return {"options": self.options, "verdicts": [{**vars(v), "sentence": v.sentence} for v in self.verdicts],
                **{name: records(getattr(self, name)) for name in
                   ("summary", "differences", "onsets", "kinetics", "asynchrony", "fronts", "comparisons")}}


def _mode(source: str) -> str:
    found = MODE_IN_SOURCE.search(str(source))
    return found.group(1).upper().replace("IPFY", "iPFY") if found else ""


def _states(ds, sample: str, variable: str, probe: str) -> pd.DataFrame:
    """The states of a sample with a value of ``variable`` at ``probe``, in order."""
    here = ds.sel(sample=sample, probe=probe)
    frame = pd.DataFrame({"state": ds["state"].to_numpy(), "cycle": ds["state_cycle"].to_numpy(),
                          "value": here[variable].to_numpy(), "stderr": here[f"{variable}_stderr"].to_numpy(),
                          "source": here[f"{variable}_source"].to_numpy()})
    return frame.dropna(subset=["value"]).reset_index(drop=True)


def _z(difference: float, error: float) -> float:
    return difference / error if np.isfinite(error) and error > 0 else math.nan


def differences(ds, sample: str, variable: str, sigma: float) -> pd.DataFrame:
    """Surface minus bulk at every state with both probes."""
    surface, bulk = _states(ds, sample, variable, "surface"), _states(ds, sample, variable, "bulk")
    joined = surface.merge(bulk, on=["state", "cycle"], suffixes=("_surface", "_bulk"))
    rows = []
    for row in joined.itertuples():
        difference = row.value_surface - row.value_bulk
        error = math.hypot(row.stderr_surface, row.stderr_bulk)
        z = _z(difference, error)
        rows.append({"sample": sample, "variable": variable, "state": row.state, "cycle": row.cycle,
                     "surface": row.value_surface, "surface_stderr": row.stderr_surface,
                     "bulk": row.value_bulk, "bulk_stderr": row.stderr_bulk, "difference": difference,
                     "difference_stderr": error, "z": z, "significant": bool(np.isfinite(z) and abs(z) >= sigma),
                     "surface_mode": _mode(row.source_surface), "bulk_mode": _mode(row.source_bulk)})
    return pd.DataFrame(rows)


def _activation_series(ds, sample: str, variable: str, probe: str) -> tuple[pd.DataFrame, str]:
    """The states after pristine with the activation: r itself, or a valence's change from pristine."""
    states = _states(ds, sample, variable, probe)
    if variable == "r":
        return states[states["cycle"] != 0].reset_index(drop=True), "r"
    pristine = states[states["cycle"] == 0]
    if pristine.empty:
        return pd.DataFrame(), "change from pristine (no pristine state)"
    base = pristine.iloc[0]
    after = states[states["cycle"] != 0].copy()
    after["value"] = after["value"] - base["value"]
    after["stderr"] = np.hypot(after["stderr"], base["stderr"])
    return after.reset_index(drop=True), "change from pristine"


def onset(ds, sample: str, variable: str, probe: str, sigma: float) -> dict | None:
    """The first state after pristine whose activation differs from zero by ``sigma`` errors."""
    series, what = _activation_series(ds, sample, variable, probe)
    if series.empty:
        return None
    test = f"{what} beyond {sigma:g} standard errors"
    for row in series.itertuples():
        z = _z(row.value, row.stderr)
        if np.isfinite(z) and abs(z) >= sigma:
            return {"sample": sample, "variable": variable, "probe": probe, "onset_state": row.state,
                    "onset_cycle": row.cycle, "value": row.value, "stderr": row.stderr, "z": z, "test": test}
    last = series.iloc[-1]
    return {"sample": sample, "variable": variable, "probe": probe, "onset_state": None, "onset_cycle": math.nan,
            "value": last["value"], "stderr": last["stderr"], "z": _z(last["value"], last["stderr"]), "test": test}


def _first_state_bound(series: pd.DataFrame) -> Kinetics | None:
    """An upper bound when the first state already holds 90 % of the largest value (e.g. TM redox
    complete in the first charge, then fading)."""
    known = series[np.isfinite(series["cycle"])]
    if known.empty:
        return None
    peak = known["value"].abs().max()
    first = known.iloc[0]
    if peak > 0 and abs(first["value"]) >= 0.9 * peak:
        return Kinetics(first["cycle"], 0.0, first["cycle"], 0.0, float(first["value"]), float(first["stderr"]),
                        float(known["cycle"].max()), "first state", True,
                        note=f"reached by the first state measured ({first['state']}): an upper bound")
    return None


def state_kinetics(ds, sample: str, variable: str, probe: str) -> Kinetics | None:
    """Cycles to 50 % and 90 % of the final activation seen by one probe."""
    series, _ = _activation_series(ds, sample, variable, probe)
    if series.empty:
        return None
    return _first_state_bound(series) or saturating_kinetics(series["cycle"], series["value"], series["stderr"])


def _cycle_series(ds, sample: str, variable: str, first_cycle: int = 1) -> tuple[np.ndarray, np.ndarray]:
    values = ds[variable].sel(sample=sample).to_numpy()
    cycles = ds["cycle"].to_numpy()
    keep = np.isfinite(values) & (cycles >= first_cycle)
    return cycles[keep], values[keep]


def _regions(ds, sample: str) -> dict[str, str]:
    text = str(ds["redox_regions"].sel(sample=sample).item()) if "redox_regions" in ds.coords else ""
    return dict(part.split("=", 1) for part in text.split(";") if "=" in part)


def _li_rich(ds, sample: str) -> bool:
    from redoxmap.study.chemistry import is_li_rich

    return "chemistry" in ds.coords and is_li_rich(str(ds["chemistry"].sel(sample=sample).item()))


def electrochemical(ds, sample: str, couple: str, options) -> tuple[dict | None, Kinetics | None, str]:
    """A couple's electrochemical onset and kinetics, and what they were measured on."""
    region = _regions(ds, sample).get(couple)
    share, capacity = f"charge_share_{region}", f"charge_region_{region}_mAh_g"
    if region and share in ds and np.isfinite(ds[share].sel(sample=sample)).any():
        cycles, shares = _cycle_series(ds, sample, share)
        reached = cycles[shares >= options.onset_share]
        first = {"sample": sample, "variable": share, "probe": "electrode",
                 "onset_state": f"charge {int(reached[0])}" if len(reached) else None,
                 "onset_cycle": float(reached[0]) if len(reached) else math.nan,
                 "value": float(shares[cycles == reached[0]][0]) if len(reached) else float(shares[-1]),
                 "stderr": math.nan, "z": math.nan,
                 "test": f"at least {100 * options.onset_share:.0f} % of the charge in region {region}"}
        start = 2 if couple == "O" else 1
        cycles, values = _cycle_series(ds, sample, capacity, start)
        source = f"region {region} charge capacity" + (" from the second charge" if start == 2 else "")
        return first, capacity_kinetics(cycles, values, name=f"{sample} {source}"), source
    if couple == "O" and _li_rich(ds, sample) and "discharge_capacity_mAh_g" in ds:
        cycles, values = _cycle_series(ds, sample, "discharge_capacity_mAh_g")
        if len(cycles):
            return None, capacity_kinetics(cycles, values, name=f"{sample} discharge capacity"), (
                "discharge capacity (its rise is the O redox of a Li-rich cathode)")
    return None, None, ""


def _kinetics_row(sample, couple, source, probe, kinetics: Kinetics) -> dict:
    return {"sample": sample, "couple": couple, "source": source, "probe": probe, "n50": kinetics.n50,
            "n50_stderr": kinetics.n50_stderr, "n90": kinetics.n90, "n90_stderr": kinetics.n90_stderr,
            "final": kinetics.final, "final_stderr": kinetics.final_stderr, "last_cycle": kinetics.last_cycle,
            "extrapolated": kinetics.extrapolated, "determined": kinetics.determined, "law": kinetics.law,
            "note": kinetics.note}


def find(amap) -> Findings:
    """The findings of an activation map (see the module's description of the tests)."""
    ds, options = amap.dataset, amap.options
    sigma = options.significance_sigma
    elements = sorted({m.group(1) for v in ds.data_vars if (m := ELEMENT_VARIABLE.match(str(v)))})
    tables = {k: [] for k in ("differences", "onsets", "kinetics", "asynchrony", "summary")}
    verdicts: list[Verdict] = []
    for sample in [str(s) for s in ds["sample"].to_numpy()]:
        couples = [("O", "r")] + [(f"TM ({e})", f"valence_{e}") for e in elements]
        tm_rows = []
        for couple, variable in couples:
            if variable not in ds:
                continue
            diff = differences(ds, sample, variable, sigma)
            tables["differences"].append(diff)
            found = {p: onset(ds, sample, variable, p, sigma) for p in ("surface", "bulk")}
            tables["onsets"] += [dict(row, couple=couple) for row in found.values() if row]
            kinetic = {p: state_kinetics(ds, sample, variable, p) for p in ("surface", "bulk")}
            tables["kinetics"] += [_kinetics_row(sample, couple, f"{variable} by state", p, k)
                                   for p, k in kinetic.items() if k is not None]
            if all(k is not None and k.determined for k in kinetic.values()):
                delay = kinetic["bulk"].n50 - kinetic["surface"].n50
                tables["asynchrony"].append({"sample": sample, "couple": couple, "n50_surface": kinetic["surface"].n50,
                                             "n50_bulk": kinetic["bulk"].n50, "delay_cycles": delay,
                                             "delay_stderr": math.hypot(kinetic["surface"].n50_stderr,
                                                                        kinetic["bulk"].n50_stderr)})
            if couple.startswith("TM") and np.isfinite(ds[variable].sel(sample=sample)).any():
                tm_rows.append((couple, variable, diff, found, kinetic))
        electro = {}
        for couple in ("O", "TM"):
            first, kinetics, source = electrochemical(ds, sample, couple, options)
            if first:
                tables["onsets"].append(dict(first, couple=couple))
            if kinetics is not None:
                tables["kinetics"].append(_kinetics_row(sample, couple, source, "electrode", kinetics))
            electro[couple] = (first, kinetics, source)
        sample_verdicts, summary = _verdicts(ds, sample, tables, electro, tm_rows, options)
        verdicts += sample_verdicts
        tables["summary"] += summary
    frames = {k: (pd.concat(v, ignore_index=True) if v and isinstance(v[0], pd.DataFrame) else pd.DataFrame(v))
              for k, v in tables.items()}
    fronts = _fronts(ds)
    comparisons = _comparisons(ds, frames["kinetics"], sigma)
    verdicts += _front_verdicts(fronts) + _comparison_verdicts(comparisons)
    return Findings(frames["differences"], frames["onsets"], frames["kinetics"], frames["asynchrony"], fronts,
                    comparisons, frames["summary"], verdicts,
                    {"significance_sigma": sigma, "fast_cycles": options.fast_cycles,
                     "onset_share": options.onset_share})


# --- words -------------------------------------------------------------------------------------

def _cycles(value: float, error: float = math.nan) -> str:
    """A cycle number: an integer as such, a fitted one with its error."""
    if np.isfinite(value) and float(value).is_integer() and not (np.isfinite(error) and error > 0):
        return str(int(value))
    return format_value_error(value, error)


def _where(diff: pd.DataFrame, sigma: float, *, valence: bool = False) -> tuple[str, pd.Series | None]:
    """Where a couple works, from the states after pristine: ``surface-first`` / ``bulk-first`` (r),
    ``non-uniform`` (a valence), ``mixed``, ``uniform`` or ``not determined``; and the state that
    shows it best."""
    if not diff.empty:
        diff = diff[diff["cycle"] != 0]
    if diff.empty or not np.isfinite(diff["z"]).any():
        return "not determined", None
    significant = diff[diff["significant"]]
    if significant.empty:
        return "uniform", diff.loc[diff["z"].abs().idxmax()]
    best = significant.loc[significant["z"].abs().idxmax()]
    if valence:
        return "non-uniform", best
    if len(set(np.sign(significant["difference"]))) > 1:
        return "mixed", best
    return ("surface-first" if best["difference"] > 0 else "bulk-first"), best


def _difference_text(row, label: str, sigma: float) -> str:
    modes = f"({row['surface_mode'] or 'surface'}) − {label}({row['bulk_mode'] or 'bulk'})"
    verdict = "significant" if row["significant"] else "not significant"
    when = "in the pristine state" if row["cycle"] == 0 else f"after {row['state']}"
    return (f"{label}{modes} = {format_value_error(row['difference'], row['difference_stderr'])} {when} "
            f"({abs(row['z']):.1f}σ, {verdict} at {sigma:g}σ)")


def _kinetics_text(kinetics: Kinetics, what: str) -> str:
    last = _cycles(kinetics.last_cycle)
    if not kinetics.determined:
        return f"{what}: cycles to half its final value not determined ({kinetics.note})"
    if kinetics.law == "first state":
        return f"{what} is at its largest by the first state measured ({kinetics.note})"
    final = format_value_error(kinetics.final, kinetics.final_stderr)
    if kinetics.n50 > kinetics.last_cycle:
        return (f"{what} still rises at the last cycle measured ({last}): half of its fitted final value ({final}) "
                "lies beyond the data")
    text = f"{what} reaches 50 % of its final value ({final}) by cycle {_cycles(kinetics.n50, kinetics.n50_stderr)}"
    if kinetics.extrapolated:
        return text + f"; 90 % is not reached within the {last} cycles measured"
    return text + f" and 90 % by cycle {_cycles(kinetics.n90, kinetics.n90_stderr)}"


def _usable(kinetics: Kinetics | None) -> bool:
    return kinetics is not None and kinetics.determined and kinetics.n50 <= kinetics.last_cycle


def _speed(kinetics: list[Kinetics | None], onset_cycles: list[float], fast: float) -> str:
    """``fast`` when every usable kinetics reaches 90 % within ``fast`` cycles, else ``slow``."""
    known = [k for k in kinetics if _usable(k)]
    if known:
        return "fast" if max(k.n90 for k in known) <= fast else "slow"
    if onset_cycles and all(np.isfinite(c) and c > fast for c in onset_cycles):
        return "slow"
    return "not determined"


def _onset_text(rows: dict, label: str) -> str:
    parts = []
    for probe, row in rows.items():
        place = "at the surface" if probe == "surface" else "in the bulk"
        if row is None:
            continue
        if row["onset_state"] is None:
            parts.append(f"none {place} in the states measured ({row['test']})")
        else:
            parts.append(f"{row['onset_state']} {place} ({label} {format_value_error(row['value'], row['stderr'])}, "
                         f"{abs(row['z']):.0f}σ)")
    return "onset " + "; ".join(parts) if parts else ""


def _headline(subject: str, classes: list[str]) -> str:
    known = [c for c in classes if c and c != "not determined"]
    return f"{subject} {', '.join(known)}" if known else f"{subject}: not determined"


def _oxygen_verdict(ds, sample, tables, electro, options) -> tuple[Verdict | None, dict | None]:
    sigma, fast = options.significance_sigma, options.fast_cycles
    diff = next((d for d in tables["differences"] if not d.empty and d["sample"].iat[0] == sample
                 and d["variable"].iat[0] == "r"), pd.DataFrame())
    where, best = _where(diff, sigma)
    found = {r["probe"]: r for r in tables["onsets"] if r["sample"] == sample and r["couple"] == "O"
             and r["probe"] in ("surface", "bulk")}
    by_state = {p: state_kinetics(ds, sample, "r", p) if "r" in ds else None for p in ("surface", "bulk")}
    _, capacity, source = electro["O"]
    if not found and capacity is None and where == "not determined":
        return None, None
    speed = _speed([*by_state.values(), capacity], [r["onset_cycle"] for r in found.values()], fast)
    details = []
    if where == "not determined":
        details.append("where in the particle: not determined (needs O K-edge spectra of a cycled state in TEY "
                       "and a bulk mode)")
    elif where == "uniform":
        details.append(f"no cycled state differs by {sigma:g}σ between surface and bulk (largest: "
                       f"{_difference_text(best, 'r', sigma)})")
    else:
        details.append(_difference_text(best, "r", sigma))
    if found:
        details.append(_onset_text(found, "r ="))
    for probe, kinetics in by_state.items():
        if kinetics is not None:
            details.append(_kinetics_text(kinetics, f"r at the {probe}" if probe == "surface" else "r in the bulk"))
    delay = [a for a in tables["asynchrony"] if a["sample"] == sample and a["couple"] == "O"]
    if delay and all(_usable(k) for k in by_state.values()):
        details.append(f"the bulk reaches half its final r {_cycles(delay[0]['delay_cycles'], delay[0]['delay_stderr'])} "
                       "cycles after the surface")
    if capacity is not None:
        details.append(_kinetics_text(capacity, source))
    where_text = "uniform in depth" if where == "uniform" else where
    verdict = Verdict(sample, "O", "summary", _headline("O redox", [where_text, speed]), details,
                      "xas" if where != "not determined" else "cycling",
                      where != "not determined" or speed != "not determined")
    return verdict, {"sample": sample, "couple": "O", "where": where, "speed": speed,
                     "onset": "; ".join(f"{p}: {r['onset_state']}" for p, r in found.items())}


def _tm_verdict(ds, sample, electro, tm_rows, options) -> tuple[Verdict | None, dict | None]:
    sigma, fast = options.significance_sigma, options.fast_cycles
    first, capacity, source = electro["TM"]
    if first is None and capacity is None and not tm_rows:
        return None, None
    leading = _leading_element(tm_rows)
    where, _ = _where(leading[2], sigma, valence=True) if leading else ("not determined", None)
    speed = _speed([*(leading[4].values() if leading else []), capacity],
                   [r["onset_cycle"] for r in (leading[3].values() if leading else []) if r], fast)
    details = []
    if first is not None:
        region = first["variable"].replace("charge_share_", "region ")
        if first["onset_state"]:
            details.append(f"from {first['onset_state']} in the electrochemistry ({region} holds "
                           f"{100 * first['value']:.0f} % of that charge; onset test: {first['test']})")
        else:
            details.append(f"no charge has {100 * options.onset_share:.0f} % of its capacity in {region}")
    if capacity is not None:
        details.append(_kinetics_text(capacity, source))
    for couple, _, diff, found, kinetic in tm_rows:
        element = couple[4:-1]
        element_where, best = _where(diff, sigma, valence=True)
        if element_where == "not determined":
            text = f"{element} valence by depth: not determined (needs TEY and a bulk mode of the same cycled state)"
        elif element_where == "uniform":
            text = f"{element} valence uniform in depth (largest: {_difference_text(best, element, sigma)})"
        else:
            side = "higher" if best["difference"] > 0 else "lower"
            text = f"{element} valence {side} at the surface than in the bulk: {_difference_text(best, element, sigma)}"
        onset_text = _onset_text({p: r for p, r in found.items() if r}, f"Δ{element} =")
        details.append(text + (f"; {onset_text}" if onset_text else ""))
    subject = f"TM redox ({leading[0][4:-1]})" if leading and any(leading[3].values()) else "TM redox"
    where_text = where
    if where == "non-uniform":
        _, best = _where(leading[2], sigma, valence=True)
        where_text = f"{leading[0][4:-1]} valence {'higher' if best['difference'] > 0 else 'lower'} at the surface"
    elif where == "uniform":
        where_text = "uniform in depth"
    verdict = Verdict(sample, "TM", "summary", _headline(subject, [speed, where_text]), details,
                      "xas" if tm_rows else "cycling", where != "not determined" or speed != "not determined")
    return verdict, {"sample": sample, "couple": "TM", "where": where, "speed": speed,
                     "onset": first["onset_state"] if first and first["onset_state"] else ""}


def _verdicts(ds, sample, tables, electro, tm_rows, options) -> tuple[list[Verdict], list[dict]]:
    verdicts, summary = [], []
    for verdict, row in (_oxygen_verdict(ds, sample, tables, electro, options),
                         _tm_verdict(ds, sample, electro, tm_rows, options)):
        if verdict is not None:
            verdicts.append(verdict)
            summary.append(row)
    if not verdicts:
        measured = [str(v) for v in ds.data_vars if str(v).endswith("_source")
                    and (ds[v].sel(sample=sample) != "").any()]
        only_pristine = measured and all(
            set(ds["state_cycle"].to_numpy()[(ds[v].sel(sample=sample) != "").any("probe").to_numpy()]) <= {0.0}
            for v in measured)
        reason = ("a pristine reference only: nothing has been cycled to activate" if only_pristine else
                  "this sample has no measurement of TM or O activation (the map lists what is missing)")
        verdicts.append(Verdict(sample, "—", "summary", "No verdict", [reason], "samples", False))
    return verdicts, summary


def _leading_element(tm_rows):
    """The TM element whose valence changes most from pristine at its onset (else the first measured)."""
    best, size = None, -1.0
    for row in tm_rows:
        changes = [abs(r["value"]) for r in row[3].values() if r and r["onset_state"]]
        change = max(changes) if changes else 0.0
        if change > size:
            best, size = row, change
    return best


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


def _front_verdicts(fronts: pd.DataFrame) -> list[Verdict]:
    out = []
    for row in fronts.to_dict("records"):
        if row["note"]:
            out.append(Verdict(row["sample"], "O", "front", "Model", [row["note"]], "model"))
            continue
        where = (f"{format_number(row['front_last_nm'], 3)} nm below the surface after cycle {row['last_cycle']} "
                 f"(95 %: {format_number(row['front_low_nm'], 3)}–{format_number(row['front_high_nm'], 3)})")
        if row["front_last_nm"] >= 0.95 * row["radius_nm"]:
            where += f", at the centre of the {format_number(row['radius_nm'], 3)} nm domain"
        speed = (f"moves {format_number(row['speed_nm_cycle'], 3)} nm per cycle on average (95 %: "
                 f"{format_number(row['speed_low'], 3)}–{format_number(row['speed_high'], 3)})")
        out.append(Verdict(row["sample"], "O", "front", "Model: the oxygen activation front", [speed, f"lies {where}"],
                           "model"))
    return out


def _comparisons(ds, kinetics: pd.DataFrame, sigma: float) -> pd.DataFrame:
    """The electrochemical O kinetics of every pair of samples at different temperatures."""
    if kinetics.empty or "temperature_C" not in ds.coords:
        return pd.DataFrame()
    chosen = kinetics[(kinetics["couple"] == "O") & (kinetics["probe"] == "electrode") & kinetics["determined"]]
    temperature = {str(s): float(t) for s, t in zip(ds["sample"].to_numpy(), ds["temperature_C"].to_numpy())}
    rows = []
    records = chosen.to_dict("records")
    for k, a in enumerate(records):
        for b in records[k + 1:]:
            ta, tb = temperature.get(a["sample"], math.nan), temperature.get(b["sample"], math.nan)
            if not (np.isfinite(ta) and np.isfinite(tb)) or ta == tb or a["source"] != b["source"]:
                continue
            cold, hot = (a, b) if ta < tb else (b, a)
            difference = cold["n90"] - hot["n90"]
            error = math.hypot(cold["n90_stderr"], hot["n90_stderr"])
            z = _z(difference, error)
            rows.append({"couple": "O", "source": a["source"], "cold": cold["sample"], "hot": hot["sample"],
                         "cold_C": min(ta, tb), "hot_C": max(ta, tb), "n90_cold": cold["n90"],
                         "n90_cold_stderr": cold["n90_stderr"], "n90_hot": hot["n90"],
                         "n90_hot_stderr": hot["n90_stderr"], "last_cold": cold["last_cycle"],
                         "last_hot": hot["last_cycle"], "difference": difference, "difference_stderr": error,
                         "z": z, "significant": bool(np.isfinite(z) and abs(z) >= sigma)})
    return pd.DataFrame(rows)


def _n90_text(row: dict, side: str) -> str:
    """One side's cycles to 90 % in a comparison, flagged when it lies beyond its data."""
    text = _cycles(row[f"n90_{side}"], row[f"n90_{side}_stderr"])
    if row[f"n90_{side}"] > row[f"last_{side}"]:
        return f"not within its {_cycles(row[f'last_{side}'])} cycles (extrapolated {text})"
    return text


def _comparison_verdicts(comparisons: pd.DataFrame) -> list[Verdict]:
    out = []
    for row in comparisons.to_dict("records"):
        measure = (f"cycles to 90 % of the {row['source']}: {_n90_text(row, 'hot')} at {row['hot_C']:g} °C "
                   f"against {_n90_text(row, 'cold')} at {row['cold_C']:g} °C ({abs(row['z']):.0f}σ)")
        if row["significant"]:
            faster = "faster" if row["difference"] > 0 else "slower"
            headline = f"O redox activates {faster} at {row['hot_C']:g} °C than at {row['cold_C']:g} °C"
        else:
            headline = f"O redox: no significant difference between {row['hot_C']:g} °C and {row['cold_C']:g} °C"
        out.append(Verdict(f"{row['cold']} vs {row['hot']}", "O", "comparison", headline, [measure], "cycling"))
    return out
