"""What an activation map says: where in the particle, since which cycle, how fast; and in words that
claim no more than the measurements hold.

Everything here is computed from the map alone (:class:`redoxmap.study.map_dataset.ActivationMap`), so
a map read back from a file, or built from published numbers, gives the same findings. The tests are in
:mod:`redoxmap.study.evidence`; every one uses the combined error of :mod:`redoxmap.study.budget`
(statistical, replicates, the method's systematic floor, analysis choices, references). The rules,
which the documentation page "How redoxmap decides" lists with their thresholds:

* **where** (O from r, each TM from its valence): the change after each charge (r itself; a valence
  minus the pristine one) at the surface against the bulk. An order word (*surface-first*,
  *bulk-first*) needs a lead in time (:func:`redoxmap.study.evidence.lead`); a significant difference
  without one is *higher* (or *lower*) *at the surface*; no significant difference is *uniform within
  the errors*.
* **since which cycle**: the first charged state with a significant rise. A valence significantly below
  the pristine one after a charge is a *reduction*, reported with its size, never as activation.
* **how fast**: n50 and n90 only from ``min_states`` (3) or more charged states; *fast* means n90 within
  ``fast_cycles``, and the sentence says so.
* **oxygen** words rest on oxygen evidence only (r, and b - b0 where fitted: r that rises only because
  peak A weakens is not oxidised oxygen). Capacities are named as what they are (region III charge
  capacity, discharge capacity), in verdicts of their own.
* **comparisons** between samples name every condition in which the samples differ, and say "one cell
  each" when no spread between cells is known.
* **robustness**: each verdict gives the smallest systematic floor at which it would read differently,
  and what it would become (:mod:`redoxmap.study.robustness`).

Significances print as "> 10σ" beyond ten standard errors.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from redoxmap.formatting import format_cycles, format_number, format_sigma, format_value_error
from redoxmap.study.evidence import (
    differences,
    joined_rows,
    lead,
    onsets,
    pristine_value,
    probe_changes,
    probe_kinetics,
    probe_series,
    source_mode,
    state_series,
    z_score,
    z_scores,
)
from redoxmap.study.kinetics import Kinetics, capacity_kinetics

PROBE_WORDS = {"surface": "at the surface", "bulk": "in the bulk"}


@dataclass
class Verdict:
    """One finding in words, with the classes and numbers a table shows.

    Attributes
    ----------
    sample, couple, aspect : str
        Whose, which couple (``"O"``, ``"TM (Ni)"``, ``"capacity"``...), and which kind of finding
        (``"summary"``, ``"capacity"``, ``"comparison"``, ``"front"``, ``"none"``).
    headline : str
        The finding in a line.
    details : list of str
        The numbers and tests behind it.
    evidence : str
        The report section that shows the evidence.
    determined : bool
        False when the measurements do not decide it.
    where, since, speed : str
        The classes of a couple's verdict (empty for other aspects).
    n90, n90_stderr : float
        Cycles to 90 % of the final activation (NaN when not determined).
    basis : str
        The measurements the verdict rests on, in words.
    robustness : dict
        The floor the verdict depends on and where it would change (:mod:`redoxmap.study.robustness`).
    """

    sample: str
    couple: str
    aspect: str
    headline: str
    details: list[str]
    evidence: str
    determined: bool = True
    where: str = ""
    since: str = ""
    speed: str = ""
    n90: float = math.nan
    n90_stderr: float = math.nan
    basis: str = ""
    robustness: dict = field(default_factory=dict)

    @property
    def sentence(self) -> str:
        """The headline, its numbers, its evidence and its robustness as one text."""
        text = self.headline + (": " + "; ".join(self.details) if self.details else "") + "."
        if self.basis:
            text += f" Evidence: {self.basis}."
        if self.robustness.get("text"):
            text += f" {self.robustness['text']}"
        return text

    def to_dict(self) -> dict:
        """The verdict as plain data (JSON-ready)."""
        out = {k: v for k, v in vars(self).items()}
        out.update(sentence=self.sentence, n90=_plain(self.n90), n90_stderr=_plain(self.n90_stderr))
        return out


def _plain(value):
    return None if isinstance(value, float) and not math.isfinite(value) else value


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

    TABLES = ("summary", "differences", "onsets", "kinetics", "leads", "fronts", "comparisons", "budget")

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
        """``(sample, couple) -> (where, speed)`` of every couple's verdict."""
        return {(r.sample, r.couple): (r.where, r.speed) for r in self.summary.itertuples()
                if r.aspect == "summary"}

    def to_dict(self) -> dict:
        """Every table as records and the verdicts (JSON-ready)."""
        def records(frame):
            return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]
        return {"options": self.options, "verdicts": [v.to_dict() for v in self.verdicts],
                **{name: records(getattr(self, name)) for name in self.TABLES}}


# --- one couple of one sample ------------------------------------------------------------------

@dataclass
class CoupleEvidence:
    """Everything measured about one couple of one sample, before words."""

    couple: str
    variable: str
    diff: pd.DataFrame
    change_diff: pd.DataFrame
    changes: dict[str, pd.DataFrame]
    found: dict[str, dict]
    kinetics: dict[str, Kinetics | None]
    lead: dict
    caveats: list[str] = field(default_factory=list)

    @property
    def measured(self) -> bool:
        """Whether any charged state was measured (a pristine-only sample has nothing to activate)."""
        return any(len(c) for c in self.changes.values()) or bool((self.diff["cycle"] >= 1).any())


def couple_evidence(ds, sample: str, couple: str, variable: str, options) -> CoupleEvidence:
    """The tests of one couple: differences, changes after charge, onsets, kinetics and lead."""
    sigma = options.significance_sigma
    series = probe_series(ds, sample, variable)
    diff = differences(series, sample, variable, sigma)
    changes = probe_changes(ds, sample, variable, series)
    change_diff = _change_differences(changes, sigma)
    found = {p: onsets(changes[p], sigma) for p in ("surface", "bulk")}
    caveats = _oxygen_check(ds, sample, found, sigma) if variable == "r" else []
    kinetics = {p: probe_kinetics(changes[p], options.min_states) if found[p]["activation"] else None
                for p in ("surface", "bulk")}
    return CoupleEvidence(couple, variable, diff, change_diff, changes, found, kinetics,
                          lead(change_diff, found, kinetics, sigma), caveats)


def _change_differences(changes: dict[str, pd.DataFrame], sigma: float) -> pd.DataFrame:
    """Surface change minus bulk change at every charged state with both (for r: r itself)."""
    surface, bulk = joined_rows(changes["surface"], changes["bulk"])
    difference = surface["value"].to_numpy() - bulk["value"].to_numpy()
    error = np.hypot(surface["stderr"].to_numpy(), bulk["stderr"].to_numpy())
    z = z_scores(difference, error)
    return pd.DataFrame({"state": surface["state"].to_numpy(), "cycle": surface["cycle"].to_numpy(),
                         "half": surface["half"].to_numpy(), "difference": difference, "difference_stderr": error,
                         "z": z, "significant": np.isfinite(z) & (np.abs(np.nan_to_num(z)) >= sigma)})


def _oxygen_check(ds, sample: str, found: dict, sigma: float) -> list[str]:
    """r rises when B grows or when A weakens. Where b - b0 is fitted, an r onset counts as oxygen
    activation only if b - b0 rises significantly at some charged state of that probe; otherwise the onset
    is withdrawn and the reason given."""
    caveats = []
    if "o_k_b_minus_b0" not in ds:
        return caveats
    for probe, found_here in found.items():
        start = found_here["activation"]
        if start is None:
            continue
        growth = probe_changes(ds, sample, "o_k_b_minus_b0", probe_series(ds, sample, "o_k_b_minus_b0"))[probe]
        if growth.empty:
            continue
        rises = [z_score(v, e) >= sigma for v, e in zip(growth["value"], growth["stderr"])]
        if any(rises):
            continue
        a_change = (probe_changes(ds, sample, "o_k_a", probe_series(ds, sample, "o_k_a"))[probe] if "o_k_a" in ds
                    else pd.DataFrame())
        weakening = ""
        if not a_change.empty:
            last = a_change.iloc[-1]
            weakening = f"; peak A changes by {format_value_error(last['value'], last['stderr'])} by {last['state']}"
        best = growth.iloc[int(np.argmax(growth["value"].to_numpy()))]
        caveats.append(f"r rises {PROBE_WORDS[probe]} but peak B does not grow (b − b0 = "
                       f"{format_value_error(best['value'], best['stderr'])} at most, {best['state']}){weakening}: "
                       "not evidence of oxidised oxygen, so no onset is given there")
        found_here["activation"] = None
    return caveats


def _where(evidence: CoupleEvidence) -> tuple[str, pd.Series | None]:
    """The depth class of a couple's activation and the state that shows it best."""
    table = evidence.change_diff
    if table.empty or not np.isfinite(table["z"]).any():
        return "not determined", None
    first = evidence.lead.get("first")
    significant = table[table["significant"]]
    best = (significant if not significant.empty else table).pipe(lambda t: t.loc[t["z"].abs().idxmax()])
    if first:
        if evidence.lead.get("never"):
            return f"{first} only", best
        return f"{first}-first", best
    if significant.empty:
        return "uniform", best
    if len(set(np.sign(significant["difference"]))) > 1:
        return "mixed", best
    return ("higher at the surface" if best["difference"] > 0 else "lower at the surface"), best


def _speed(evidence: CoupleEvidence, options) -> tuple[str, float, float, str]:
    """``(speed class, n90, n90 error, why)`` from the probes' kinetics."""
    fast = options.fast_cycles
    usable = {p: k for p, k in evidence.kinetics.items() if k is not None and k.determined
              and k.n50 <= k.last_cycle}
    if usable:
        probe, slowest = max(usable.items(), key=lambda item: item[1].n90)
        if slowest.n90 <= fast:
            return "fast", slowest.n90, slowest.n90_stderr, probe
        if slowest.extrapolated:
            return "slow", slowest.n90, slowest.n90_stderr, f"beyond {format_cycles(slowest.last_cycle)}"
        return "slow", slowest.n90, slowest.n90_stderr, probe
    for probe, kinetics in evidence.kinetics.items():
        if kinetics is not None and _still_rising(evidence.changes[probe], options):
            return "slow", math.nan, math.nan, probe
    counts = [evidence.found[p]["states"] for p in ("surface", "bulk")]
    if max(counts) < options.min_states:
        return "not determined", math.nan, math.nan, f"{max(counts)} charged state{'s' * (max(counts) != 1)}"
    return "not determined", math.nan, math.nan, "no saturation law fits the states"


def _still_rising(changes: pd.DataFrame, options) -> bool:
    """The last charged state is beyond the fast threshold and significantly above the first."""
    if len(changes) < 2:
        return False
    first, last = changes.iloc[0], changes.iloc[-1]
    z = z_score(last["value"] - first["value"], math.hypot(first["stderr"], last["stderr"]))
    return bool(last["cycle"] > options.fast_cycles and np.isfinite(z) and z >= options.significance_sigma)


def _since(evidence: CoupleEvidence) -> str:
    starts = {p: f["activation"] for p, f in evidence.found.items() if f["activation"]}
    if not starts:
        return ""
    earliest = min(s["cycle"] for s in starts.values())
    return next(s["state"] for s in starts.values() if s["cycle"] == earliest)


# --- words --------------------------------------------------------------------------------------

def _label(variable: str) -> str:
    return "r" if variable == "r" else variable.removeprefix("valence_")


def _difference_text(row, label: str, sigma: float) -> str:
    verdict = "significant" if row["significant"] else "not significant"
    return (f"{label}(surface) − {label}(bulk) change = {format_value_error(row['difference'], row['difference_stderr'])}"
            f" after {row['state']} ({format_sigma(row['z'])}, {verdict} at {sigma:g}σ)")


def _where_text(evidence: CoupleEvidence, where: str, best, sigma: float) -> str:
    label = _label(evidence.variable)
    info = evidence.lead
    if where == "not determined":
        return ("where in the particle: not determined (needs the same charged state measured in TEY and a bulk "
                "mode, with a pristine state for a valence)")
    if where == "uniform":
        return f"no charged state differs by {sigma:g}σ between surface and bulk (largest: {_difference_text(best, label, sigma)})"
    if where.endswith(("-first", " only")):
        first, other = info["first"], "bulk" if info["first"] == "surface" else "surface"
        if info["by"] == "n50":
            return (f"the {other} reaches half its final value {format_cycles(info['lag'], info['lag_stderr'])} "
                    f"cycles after the {first} (n50 apart by {format_sigma(info['z'])})")
        start = evidence.found[first]["activation"]
        if info["never"]:
            return (f"rises {PROBE_WORDS[first]} from {start['state']} ({format_sigma(start['z'])}); none "
                    f"{PROBE_WORDS[other]} up to charge {format_cycles(info['until'])}, a lead of at least "
                    f"{format_cycles(info['lag_low'])} cycles")
        later = evidence.found[other]["activation"]
        low, high = format_cycles(info["lag_low"]), format_cycles(info["lag_high"])
        span = f"{low} cycles" if low == high else f"{low} to {high} cycles"
        return (f"rises {PROBE_WORDS[first]} from {start['state']} and {PROBE_WORDS[other]} from {later['state']}: "
                f"{PROBE_WORDS[other]} {span} later (bounded by the states measured; "
                f"{_difference_text(best, label, sigma)})")
    return _difference_text(best, label, sigma)


def _onset_text(evidence: CoupleEvidence, sigma: float) -> str:
    parts = []
    for probe, found in evidence.found.items():
        if not found["states"]:
            continue
        start = found["activation"]
        if start is None:
            parts.append(f"no significant rise {PROBE_WORDS[probe]} in {found['states']} charged "
                         f"state{'s' * (found['states'] != 1)}")
        else:
            parts.append(f"rise {PROBE_WORDS[probe]} from {start['state']} "
                         f"({format_value_error(start['value'], start['stderr'])}, {format_sigma(start['z'])})")
    return "; ".join(parts)


def _reduction_text(evidence: CoupleEvidence) -> str:
    parts = []
    for probe, found in evidence.found.items():
        fall = found["reduction"]
        if fall is None:
            continue
        changes = evidence.changes[probe]
        deepest = changes.iloc[int(np.argmin(changes["value"].to_numpy()))]
        parts.append(f"reduction {PROBE_WORDS[probe]}: {format_value_error(deepest['value'], deepest['stderr'])} "
                     f"below the pristine valence by {deepest['state']} (first significant after {fall['state']}, "
                     f"{format_sigma(fall['z'])})")
    return "; ".join(parts)


def _kinetics_text(kinetics: Kinetics, what: str, fast: float) -> str:
    last = format_cycles(kinetics.last_cycle)
    if not kinetics.determined:
        return f"{what}: cycles to half its final value not determined ({kinetics.note})"
    if kinetics.law == "first state":
        return f"{what}: 90 % of its largest rise by the first state measured (cycle {format_cycles(kinetics.n90)})"
    final = format_value_error(kinetics.final, kinetics.final_stderr)
    if kinetics.n50 > kinetics.last_cycle:
        return (f"{what} still rises at the last cycle measured ({last}): half of its fitted final value ({final}) "
                "lies beyond the data")
    text = f"{what} reaches 50 % of its final value ({final}) by cycle {_by_cycle(kinetics.n50, kinetics.n50_stderr)}"
    if kinetics.extrapolated:
        return text + f"; 90 % is not reached within the {last} cycles measured"
    return text + f" and 90 % by cycle {_by_cycle(kinetics.n90, kinetics.n90_stderr)}"


def _by_cycle(value: float, error: float) -> str:
    """The cycle by which a fraction is reached: a law's value below 1 is reached within the first."""
    return format_cycles(max(value, 1.0), error)


def _speed_words(speed: str, n90: float, n90_stderr: float, why: str, options) -> str:
    fast = options.fast_cycles
    if speed == "fast":
        return f"fast (90 % by cycle {format_cycles(n90, n90_stderr)}, within the {fast:g}-cycle threshold)"
    if speed == "slow":
        if np.isfinite(n90) and why.startswith("beyond"):
            return (f"slow (90 % not within the {why.split()[-1]} cycles measured, extrapolated to cycle "
                    f"{format_cycles(n90, n90_stderr)}; the threshold is {fast:g} cycles)")
        if np.isfinite(n90):
            return f"slow (90 % by cycle {_by_cycle(n90, n90_stderr)}, beyond the {fast:g}-cycle threshold)"
        return f"slow (still rising {PROBE_WORDS.get(why, why)} after more than {fast:g} cycles)"
    return f"speed not determined ({why}; needs {options.min_states} charged states)"


def _basis(ds, sample: str, variable: str, what: str) -> str:
    """The measurements behind a couple's verdict: the modes and the states."""
    parts = []
    for probe in ("surface", "bulk"):
        states = state_series(ds, sample, variable, probe)
        if states.empty:
            continue
        modes = sorted({m for m in (source_mode(s) for s in states["source"]) if m})
        listed = ", ".join(states["state"].astype(str))
        parts.append(f"{'/'.join(modes) or probe} ({listed})")
    return f"{what} in " + " and ".join(parts) if parts else ""


def couple_verdict(ds, sample: str, evidence: CoupleEvidence, options) -> tuple[Verdict, dict]:
    """The verdict of one couple of one sample and its summary row."""
    sigma = options.significance_sigma
    _, where, since, speed = verdict_classes(evidence, options)
    _, best = _where(evidence)
    _, n90, n90_stderr, why = _speed(evidence, options)
    oxygen = evidence.variable == "r"
    subject = "O redox" if oxygen else f"TM redox ({_label(evidence.variable)})"
    any_rise = any(f["activation"] for f in evidence.found.values())
    reduction = _reduction_text(evidence)
    details = [_where_text(evidence, where, best, sigma) if any_rise or reduction else _largest_change(evidence)]
    details += [text for text in (_onset_text(evidence, sigma), reduction) if text]
    for probe, kinetics in evidence.kinetics.items():
        if kinetics is not None:
            details.append(_kinetics_text(kinetics, f"{'r' if oxygen else 'the valence change'} {PROBE_WORDS[probe]}",
                                          options.fast_cycles))
    details += evidence.caveats
    details += [text for text in (_pristine_note(ds, sample, evidence.variable),
                                  _pristine_difference(ds, sample, evidence.variable, sigma)) if text]
    if any_rise:
        parts = [f"since {since}", where_headline(where), _speed_words(speed, n90, n90_stderr, why, options)]
    elif reduction:
        parts = ["no oxidation after charge; " + ("reduction at the surface" if evidence.found["surface"]["reduction"]
                                                   else "reduction in the bulk") + f" ({where_headline(where)})"]
    else:
        parts = ["no significant rise after charge"]
    timed = speed in ("fast", "slow") and np.isfinite(n90)
    what = "r of the O K pre-edge" if oxygen else f"{_label(evidence.variable)} valence by linear combination"
    verdict = Verdict(sample, evidence.couple, "summary", f"{subject}: " + ", ".join(parts), details, "xas",
                      determined=any_rise or bool(reduction), where=where, since=since, speed=speed,
                      n90=n90 if timed else math.nan, n90_stderr=n90_stderr if timed else math.nan,
                      basis=_basis(ds, sample, evidence.variable, what))
    return verdict, _summary_row(verdict)


def _largest_change(evidence: CoupleEvidence) -> str:
    """The change after charge furthest from zero (in standard errors), when none is significant."""
    rows = [(probe, row) for probe, frame in evidence.changes.items() for row in frame.to_dict("records")
            if np.isfinite(z_score(row["value"], row["stderr"]))]
    if not rows:
        return ("where in the particle: not determined (needs a charged state measured in TEY or a bulk mode, "
                "and a pristine state for a valence)")
    probe, row = max(rows, key=lambda item: abs(z_score(item[1]["value"], item[1]["stderr"])))
    what = "r" if evidence.variable == "r" else "the change from pristine"
    return (f"no charged state differs significantly from the pristine one (largest: {what} "
            f"{format_value_error(row['value'], row['stderr'])} {PROBE_WORDS[probe]} after {row['state']}, "
            f"{format_sigma(z_score(row['value'], row['stderr']))})")


def _pristine_note(ds, sample: str, variable: str) -> str:
    """Where a valence's pristine value comes from, when it is not the sample's own."""
    if variable == "r":
        return ""
    found = pristine_value(ds, sample, variable, "surface") or pristine_value(ds, sample, variable, "bulk")
    if found is None or found[2] == sample:
        return ""
    return f"changes are measured from the pristine state of {found[2]!r} (the study's pristine reference)"


def where_headline(where: str) -> str:
    """A depth class in words for a headline."""
    return {"uniform": "uniform in depth within the errors", "not determined": "depth not determined",
            "surface-first": "surface-first", "bulk-first": "bulk-first",
            "surface only": "at the surface only in the states measured",
            "bulk only": "in the bulk only in the states measured", "mixed": "surface and bulk differ both ways",
            }.get(where, where)


def _pristine_difference(ds, sample: str, variable: str, sigma: float) -> str:
    surface, bulk = pristine_value(ds, sample, variable, "surface"), pristine_value(ds, sample, variable, "bulk")
    if surface is None or bulk is None or variable == "r" or surface[2] != sample:
        return ""
    difference, error = surface[0] - bulk[0], math.hypot(surface[1], bulk[1])
    z = z_score(difference, error)
    if not (np.isfinite(z) and abs(z) >= sigma):
        return ""
    return (f"already {'higher' if difference > 0 else 'lower'} at the surface in the pristine state "
            f"({format_value_error(difference, error)}, {format_sigma(z)})")


def _summary_row(verdict: Verdict) -> dict:
    return {"sample": verdict.sample, "couple": verdict.couple, "aspect": verdict.aspect, "where": verdict.where,
            "since": verdict.since, "n90": verdict.n90, "n90_stderr": verdict.n90_stderr, "speed": verdict.speed,
            "evidence": verdict.basis, "determined": verdict.determined}


# --- capacity ------------------------------------------------------------------------------------

def _cycle_series(ds, sample: str, variable: str, first_cycle: int = 1) -> tuple[np.ndarray, np.ndarray]:
    values = ds[variable].sel(sample=sample).to_numpy()
    cycles = ds["cycle"].to_numpy()
    keep = np.isfinite(values) & (cycles >= first_cycle)
    return cycles[keep], values[keep]


def _regions(ds, sample: str) -> dict[str, str]:
    text = str(ds["redox_regions"].sel(sample=sample).item()) if "redox_regions" in ds.coords else ""
    return dict(part.split("=", 1) for part in text.split(";") if "=" in part)


def capacity_evidence(ds, sample: str, options) -> list[dict]:
    """The capacity series of a sample, named as what they are: each region's charge capacity (from the
    second charge for the high-voltage region, whose first charge holds irreversible capacity too), its
    share onset, and the discharge capacity."""
    out = []
    regions = _regions(ds, sample)
    for couple, region in sorted(regions.items(), key=lambda item: item[1]):
        share, capacity = f"charge_share_{region}", f"charge_region_{region}_mAh_g"
        if capacity not in ds or not np.isfinite(ds[capacity].sel(sample=sample)).any():
            continue
        cycles, shares = _cycle_series(ds, sample, share) if share in ds else (np.array([]), np.array([]))
        reached = cycles[shares >= options.onset_share] if len(cycles) else np.array([])
        start = 2 if couple == "O" else 1
        cycles_q, values = _cycle_series(ds, sample, capacity, start)
        name = f"region {region} charge capacity" + (" from the second charge" if start == 2 else "")
        out.append({"source": name, "region": region, "couple": couple,
                    "onset": int(reached[0]) if len(reached) else None, "share_states": len(cycles),
                    "kinetics": capacity_kinetics(cycles_q, values, name=f"{sample} {name}") if len(cycles_q) else None})
    for variable in ("discharge_capacity_mAh_g",):
        if variable in ds and np.isfinite(ds[variable].sel(sample=sample)).any():
            cycles, values = _cycle_series(ds, sample, variable)
            out.append({"source": "discharge capacity", "region": "", "couple": "", "onset": None, "share_states": 0,
                        "kinetics": capacity_kinetics(cycles, values, name=f"{sample} discharge capacity")})
    return out


def capacity_verdicts(sample: str, items: list[dict], options, cells: int) -> list[Verdict]:
    """One verdict per capacity series: what the capacity does, never named as a couple's redox."""
    verdicts = []
    for item in items:
        kinetics = item["kinetics"]
        details = []
        if item["region"]:
            if item["onset"] is not None:
                details.append(f"at least {100 * options.onset_share:.0f} % of the charge lies in region "
                               f"{item['region']} from charge {item['onset']}")
            elif item["share_states"]:
                details.append(f"no charge has {100 * options.onset_share:.0f} % of its capacity in region "
                               f"{item['region']}")
        if kinetics is not None and kinetics.note != "reached in the first cycle":
            details.append(_kinetics_text(kinetics, item["source"], options.fast_cycles))
        if cells > 1:
            details.append(f"mean of {cells} cells, with their spread in the errors")
        determined = kinetics is not None and kinetics.determined
        n90 = kinetics.n90 if determined and not kinetics.extrapolated else math.nan
        headline = _capitalised(item["source"])
        if determined and kinetics.note == "reached in the first cycle":
            headline += ": at 90 % of its final value from the first cycle (no rise)"
        elif determined and np.isfinite(n90):
            headline += f": 90 % of its final value by cycle {format_cycles(n90, kinetics.n90_stderr)}"
        elif kinetics is not None and kinetics.determined:
            headline += ": still rising at the last cycle measured"
        else:
            headline += ": rise not determined"
        verdicts.append(Verdict(sample, f"capacity ({item['source']})", "capacity", headline, details, "cycling",
                                determined=determined, since=f"charge {item['onset']}" if item["onset"] else "",
                                n90=n90, n90_stderr=kinetics.n90_stderr if np.isfinite(n90) else math.nan,
                                basis=f"{item['source']} per cycle from the cycler file"
                                      + (f"s of {cells} cells" if cells > 1 else "")))
    return verdicts


def _capitalised(text: str) -> str:
    """The first letter in capitals, unless the text starts with a symbol (r, b - b0)."""
    return text if text == "r" or text[:2] in ("r ", "b ") else text[:1].upper() + text[1:]


def _kinetics_row(sample, couple, source, probe, kinetics: Kinetics) -> dict:
    return {"sample": sample, "couple": couple, "source": source, "probe": probe, "n50": kinetics.n50,
            "n50_stderr": kinetics.n50_stderr, "n90": kinetics.n90, "n90_stderr": kinetics.n90_stderr,
            "final": kinetics.final, "final_stderr": kinetics.final_stderr, "last_cycle": kinetics.last_cycle,
            "extrapolated": kinetics.extrapolated, "determined": kinetics.determined, "law": kinetics.law,
            "note": kinetics.note}


# --- the whole map --------------------------------------------------------------------------------

def couples_of(ds) -> list[tuple[str, str]]:
    """``(couple, variable)`` of every couple the map has: O from r, each TM from its valence."""
    from redoxmap.study.map_records import valence_variables

    return ([("O", "r")] if "r" in ds else []) + [(f"TM ({v.split('_')[1]})", v) for v in valence_variables(ds)]


def _sample_conditions(ds) -> dict[str, dict]:
    if "conditions" not in ds.coords:
        return {}
    return {str(s): json.loads(str(c)) for s, c in zip(ds["sample"].to_numpy(), ds["conditions"].to_numpy())}


def _cells(ds) -> dict[str, int]:
    if "cells" not in ds.coords:
        return {}
    return {str(s): int(c) for s, c in zip(ds["sample"].to_numpy(), ds["cells"].to_numpy())}


def verdict_classes(evidence: CoupleEvidence, options) -> tuple[str, str, str, str]:
    """``(change, where, since, speed)`` of a couple's verdict, as :func:`couple_verdict` words them;
    ``change`` is ``"rise"``, ``"reduction"`` or ``"none"``."""
    any_rise = any(f["activation"] for f in evidence.found.values())
    reduction = any(f["reduction"] for f in evidence.found.values())
    change = "rise" if any_rise else "reduction" if reduction else "none"
    where = _where(evidence)[0] if change != "none" else "not determined"
    speed = _speed(evidence, options)[0] if any_rise else "not determined"
    return change, where, _since(evidence), speed


def classify(ds, options, couples: set[str] | None = None) -> dict[str, tuple]:
    """The classes of every couple's verdict (for the robustness scans): ``"sample|couple"`` ->
    :func:`verdict_classes`; ``couples`` limits the couples looked at (``{"O", "TM (Ni)"}``)."""
    out = {}
    for sample in [str(s) for s in ds["sample"].to_numpy()]:
        for couple, variable in couples_of(ds):
            if couples is not None and couple not in couples:
                continue
            evidence = couple_evidence(ds, sample, couple, variable, options)
            if evidence.measured:
                out[f"{sample}|{couple}"] = verdict_classes(evidence, options)
    return out


def find(amap) -> Findings:
    """The findings of an activation map (see the module's description of the rules); their robustness
    is added by :func:`redoxmap.study.robustness.add_robustness` (as ``ActivationMap.findings`` does).

    Parameters
    ----------
    amap : ActivationMap
    """
    ds, options = amap.dataset, amap.options
    sigma = options.significance_sigma
    tables = {k: [] for k in ("differences", "onsets", "kinetics", "leads", "summary")}
    verdicts: list[Verdict] = []
    cells = _cells(ds)
    for sample in [str(s) for s in ds["sample"].to_numpy()]:
        sample_verdicts = []
        for couple, variable in couples_of(ds):
            evidence = couple_evidence(ds, sample, couple, variable, options)
            tables["differences"].append(evidence.diff)
            if not evidence.measured:
                continue
            verdict, row = couple_verdict(ds, sample, evidence, options)
            sample_verdicts.append(verdict)
            tables["summary"].append(row)
            for probe, found in evidence.found.items():
                for kind in ("activation", "reduction"):
                    if found[kind]:
                        tables["onsets"].append({"sample": sample, "couple": verdict.couple, "probe": probe,
                                                 "kind": kind, "onset_state": found[kind]["state"],
                                                 "onset_cycle": found[kind]["cycle"], "value": found[kind]["value"],
                                                 "stderr": found[kind]["stderr"], "z": found[kind]["z"],
                                                 "charged_states": found["states"]})
                if not found["activation"] and found["states"]:
                    tables["onsets"].append({"sample": sample, "couple": verdict.couple, "probe": probe,
                                             "kind": "activation", "onset_state": None, "onset_cycle": math.nan,
                                             "value": math.nan, "stderr": math.nan, "z": math.nan,
                                             "charged_states": found["states"]})
            tables["kinetics"] += [_kinetics_row(sample, verdict.couple, f"{variable} after charge", p, k)
                                   for p, k in evidence.kinetics.items() if k is not None]
            if evidence.lead.get("first"):
                tables["leads"].append({"sample": sample, "couple": verdict.couple, **evidence.lead})
        items = capacity_evidence(ds, sample, options)
        for item in items:
            if item["kinetics"] is not None:
                tables["kinetics"].append(_kinetics_row(sample, item["couple"] or "capacity", item["source"],
                                                        "electrode", item["kinetics"]))
        for verdict in capacity_verdicts(sample, items, options, cells.get(sample, 1)):
            sample_verdicts.append(verdict)
            tables["summary"].append(_summary_row(verdict))
        if not sample_verdicts:
            sample_verdicts.append(_no_verdict(ds, sample))
        verdicts += sample_verdicts
    frames = {k: (pd.concat([f for f in v if not f.empty], ignore_index=True) if v and isinstance(v[0], pd.DataFrame)
                  and any(not f.empty for f in v) else pd.DataFrame(v if v and not isinstance(v[0], pd.DataFrame)
                                                                    else []))
              for k, v in tables.items()}
    fronts = _fronts(ds)
    comparisons = _comparisons(ds, frames["kinetics"], sigma)
    verdicts += _front_verdicts(fronts) + _comparison_verdicts(comparisons)
    findings = Findings(frames["differences"], frames["onsets"], frames["kinetics"], frames["leads"], fronts,
                        comparisons, frames["summary"], _budget_table(ds), verdicts,
                        {"significance_sigma": sigma, "fast_cycles": options.fast_cycles,
                         "onset_share": options.onset_share, "min_states": options.min_states,
                         "error_floors": options.floors})
    return findings


def _no_verdict(ds, sample: str) -> Verdict:
    measured = [str(v) for v in ds.data_vars if str(v).endswith("_source") and (ds[v].sel(sample=sample) != "").any()]
    only_pristine = measured and all(
        set(ds["state_cycle"].to_numpy()[(ds[v].sel(sample=sample) != "").any("probe").to_numpy()]) <= {0.0}
        for v in measured)
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


def _differing(conditions: dict[str, dict], a: str, b: str) -> dict[str, tuple]:
    """The conditions in which two samples differ: name -> (value of a, value of b)."""
    first, second = conditions.get(a, {}), conditions.get(b, {})
    return {k: (first.get(k), second.get(k)) for k in sorted(set(first) | set(second))
            if first.get(k) != second.get(k)}


def _comparisons(ds, kinetics: pd.DataFrame, sigma: float) -> pd.DataFrame:
    """The same kinetics (couple, source and probe) of every pair of samples where both are determined."""
    if kinetics.empty:
        return pd.DataFrame()
    chosen = kinetics[kinetics["determined"] & (kinetics["n50"] <= kinetics["last_cycle"])
                      & (kinetics["note"] != "reached in the first cycle")]
    conditions, cells = _sample_conditions(ds), _cells(ds)
    rows = []
    for _, group in chosen.groupby(["couple", "source", "probe"], sort=False):
        records = group.to_dict("records")
        for k, a in enumerate(records):
            for b in records[k + 1:]:
                differ = _differing(conditions, a["sample"], b["sample"])
                # n90 where both reach 90 % within their data; else n50, which both reach (an n90 beyond the
                # data is an extrapolation of the law, not a measurement)
                measure = "n90" if a["n90"] <= a["last_cycle"] and b["n90"] <= b["last_cycle"] else "n50"
                difference = b[measure] - a[measure]
                error = math.hypot(a[f"{measure}_stderr"], b[f"{measure}_stderr"])
                z = z_score(difference, error)
                rows.append({"couple": a["couple"], "source": a["source"], "probe": a["probe"], "first": a["sample"],
                             "second": b["sample"], "differ": json.dumps({k: list(v) for k, v in differ.items()}),
                             "measure": measure, "cycles_first": a[measure],
                             "cycles_first_stderr": a[f"{measure}_stderr"], "cycles_second": b[measure],
                             "cycles_second_stderr": b[f"{measure}_stderr"], "last_first": a["last_cycle"],
                             "last_second": b["last_cycle"], "difference": difference, "difference_stderr": error,
                             "z": z, "significant": bool(np.isfinite(z) and abs(z) >= sigma),
                             "cells_first": cells.get(a["sample"], 1), "cells_second": cells.get(b["sample"], 1)})
    frame = pd.DataFrame(rows)
    return frame.sort_values(["first", "second"], kind="stable", ignore_index=True) if len(frame) else frame


def _condition_value(name: str, value) -> str:
    """A condition's value as text: ``50 °C``, ``mixing = liquid phase``."""
    if name == "temperature_C" and isinstance(value, (int, float)):
        return f"{value:g} °C"
    return f"{name} = {value}"


def _condition_text(name: str, value) -> str:
    """A condition as a phrase: ``at 50 °C``, ``with mixing = liquid phase``."""
    return ("at " if name == "temperature_C" and isinstance(value, (int, float)) else "with ") + \
        _condition_value(name, value)


def _comparison_verdicts(comparisons: pd.DataFrame) -> list[Verdict]:
    out = []
    for row in comparisons.to_dict("records"):
        differ = {k: tuple(v) for k, v in json.loads(row["differ"]).items()}
        what = row["source"].replace("r after charge", "r").replace("_", " ")
        where = f" {PROBE_WORDS[row['probe']]}" if row["probe"] in PROBE_WORDS else ""
        first, second = row["first"], row["second"]
        share = "90 %" if row["measure"] == "n90" else "half its final value"
        measure = (f"cycles to {share} of {what}{where}: "
                   f"{format_cycles(row['cycles_first'], row['cycles_first_stderr'])} ({first}) against "
                   f"{format_cycles(row['cycles_second'], row['cycles_second_stderr'])} ({second}), a difference of "
                   f"{format_value_error(row['difference'], row['difference_stderr'])} ({format_sigma(row['z'])})")
        if row["measure"] == "n50":
            measure += " (half, not 90 %: one of them does not reach 90 % within its cycles)"
        details = [measure]
        if min(row["cells_first"], row["cells_second"]) <= 1:
            details.append("one cell each: the error holds the measurement errors only, not the spread between "
                           "cells of one condition")
        if len(differ) == 1:
            name, (a, b) = next(iter(differ.items()))
            labels = (_condition_text(name, a), _condition_text(name, b))
            if row["significant"]:
                sooner = labels[1] if row["difference"] < 0 else labels[0]
                later = labels[0] if row["difference"] < 0 else labels[1]
                headline = f"{_capitalised(what)}{where} reaches {share} sooner {sooner} than {later}"
            else:
                headline = (f"{_capitalised(what)}{where}: no significant difference between "
                            f"{_condition_value(name, a)} and {_condition_value(name, b)}")
        elif not differ:
            headline = (f"{first} and {second} share every condition: their difference measures how well "
                        f"{what} reproduces")
        else:
            names = ", ".join(f"{k} ({a} / {b})" for k, (a, b) in differ.items())
            headline = (f"{first} against {second}: they differ in {names}, so a difference in {what} cannot be "
                        "assigned to one of them")
        out.append(Verdict(f"{first} vs {second}", row["couple"], "comparison", headline, details,
                           "xas" if row["source"].endswith("after charge") else "cycling",
                           basis=f"{what} of both samples"))
    return out
