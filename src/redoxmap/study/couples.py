"""One couple of one sample (O from r, a TM from its valence): its evidence, its classes and its verdict.

:func:`couple_evidence` runs the tests of :mod:`redoxmap.study.evidence`; :func:`classes` reads them as
*where*, *since which cycle* and *how fast* (the rules of :mod:`redoxmap.study.findings`);
:func:`couple_verdict` puts them in words with their numbers, evidence and the tests behind them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from redoxmap.formatting import format_cycles, format_sigma, format_value_error
from redoxmap.study.evidence import (
    compare,
    differences,
    lead,
    onsets,
    pristine_values,
    probe_changes,
    probe_kinetics,
    probe_series,
    source_mode,
    z_score,
)
from redoxmap.study.kinetics import Kinetics
from redoxmap.study.verdict import Verdict

PROBE_WORDS = {"surface": "at the surface", "bulk": "in the bulk"}
CONFIDENCE = 2.0  # n90 must clear the fast threshold by this many of its errors to be called fast or slow


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
    pristine: dict = field(default_factory=dict)

    @property
    def measured(self) -> bool:
        """Whether any charged state was measured (a pristine-only sample has nothing to activate)."""
        return any(len(c) for c in self.changes.values()) or bool((self.diff["cycle"] >= 1).any())

    @property
    def change(self) -> str:
        """``"rise"``, ``"reduction"`` or ``"none"``."""
        if any(f["activation"] for f in self.found.values()):
            return "rise"
        return "reduction" if any(f["reduction"] for f in self.found.values()) else "none"


@dataclass(frozen=True)
class Classes:
    """A couple's verdict as classes: what changed, where, since when and how fast (with n90 and why)."""

    change: str
    where: str
    since: str
    speed: str
    n90: float = math.nan
    n90_stderr: float = math.nan
    why: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What the robustness scans compare."""
        return (self.change, self.where, self.since, self.speed)


def couple_evidence(ds, sample: str, couple: str, variable: str, options) -> CoupleEvidence:
    """The tests of one couple: differences, changes after charge, onsets, kinetics and lead."""
    sigma = options.significance_sigma
    series = probe_series(ds, sample, variable)
    pristine = {} if variable == "r" else pristine_values(ds, sample, variable, series)
    changes = probe_changes(ds, sample, variable, series)
    found = {p: onsets(changes[p], sigma) for p in ("surface", "bulk")}
    caveats = _oxygen_check(ds, sample, found, sigma) if variable == "r" else []
    kinetics = {p: probe_kinetics(changes[p], options.min_states) if found[p]["activation"] else None
                for p in ("surface", "bulk")}
    return CoupleEvidence(couple, variable, differences(series, sample, variable, sigma),
                          compare(changes["surface"], changes["bulk"], sigma), changes, found, kinetics,
                          lead(changes, found, kinetics, sigma), caveats, pristine)


def _oxygen_check(ds, sample: str, found: dict, sigma: float) -> list[str]:
    """r rises when B grows and when A weakens. Where b - b0 is fitted, an r onset counts as oxygen
    activation only if b - b0 rises significantly at some charged state of that probe; otherwise the onset
    is withdrawn and the reason given."""
    if "o_k_b_minus_b0" not in ds:
        return []
    growth = probe_changes(ds, sample, "o_k_b_minus_b0", probe_series(ds, sample, "o_k_b_minus_b0"))
    peak_a = probe_changes(ds, sample, "o_k_a", probe_series(ds, sample, "o_k_a")) if "o_k_a" in ds else {}
    caveats = []
    for probe, found_here in found.items():
        if found_here["activation"] is None or growth[probe].empty:
            continue
        frame = growth[probe]
        z = [z_score(v, e) for v, e in zip(frame["value"], frame["stderr"])]
        if max(z) >= sigma:
            continue
        best = frame.iloc[int(np.argmax(z))]
        weakening = ""
        if probe in peak_a and not peak_a[probe].empty:
            last = peak_a[probe].iloc[-1]
            weakening = f"; peak A changes by {format_value_error(last['value'], last['stderr'])} by {last['state']}"
        caveats.append(f"r rises {PROBE_WORDS[probe]} but the growth of peak B is not significant (b − b0 = "
                       f"{format_value_error(best['value'], best['stderr'])} at most, {best['state']}){weakening}: "
                       "not evidence of oxidised oxygen, so no onset is given there")
        found_here["activation"] = None
    return caveats


# --- classes ---------------------------------------------------------------------------------------

def _where(evidence: CoupleEvidence) -> tuple[str, pd.Series | None]:
    """The depth class of a couple's change and the state that shows it best."""
    table = evidence.change_diff
    if table.empty or not np.isfinite(table["z"]).any():
        return "not determined", None
    significant = table[table["significant"]]
    best = (significant if not significant.empty else table).pipe(lambda t: t.loc[t["z"].abs().idxmax()])
    first = evidence.lead.get("first")
    if first:
        return (f"{first} only" if evidence.lead.get("never") else f"{first}-first"), best
    if significant.empty:
        return "uniform", best
    if len(set(np.sign(significant["difference"]))) > 1:
        return "mixed", best
    return ("higher at the surface" if best["difference"] > 0 else "lower at the surface"), best


def _still_rising(changes: pd.DataFrame, options) -> bool:
    """A later charged state beyond the fast threshold significantly above an earlier one."""
    if len(changes) < 2:
        return False
    values, errors, cycles = (changes[c].to_numpy() for c in ("value", "random", "cycle"))
    floors = changes["floor"].to_numpy()
    for i in range(len(changes)):
        for j in range(i + 1, len(changes)):
            error = math.hypot(math.hypot(errors[i], errors[j]), max(floors[i], floors[j]))
            if cycles[j] > options.fast_cycles and z_score(values[j] - values[i], error) >= options.significance_sigma:
                return True
    return False


def _speed(evidence: CoupleEvidence, options) -> tuple[str, float, float, str]:
    """``(speed, n90, n90 error, why)`` over the probes with a rise: *slow* when any probe's n90 lies beyond
    the threshold by ``CONFIDENCE`` errors or it keeps rising significantly after the threshold; *fast* when
    every such probe reaches 90 % within it by ``CONFIDENCE`` errors; else not determined, and why."""
    fast = options.fast_cycles
    rising = [p for p, f in evidence.found.items() if f["activation"]]
    verdicts, reasons = {}, []
    for probe in rising:
        kinetics, changes = evidence.kinetics[probe], evidence.changes[probe]
        if _still_rising(changes, options) and not (kinetics is not None and kinetics.determined
                                                     and kinetics.n90 <= changes["cycle"].max()):
            last = format_cycles(changes["cycle"].max())
            verdicts[probe] = ("slow", math.nan, math.nan, f"still rising {PROBE_WORDS[probe]} at charge {last}")
        elif kinetics is None:
            reasons.append(f"{_states(evidence.found[probe]['states'])} {PROBE_WORDS[probe]}; needs "
                           f"{options.min_states}")
        elif kinetics.law == "first state":
            if kinetics.n90 <= fast:
                verdicts[probe] = ("fast", kinetics.n90, 0.0, f"by the first charge measured {PROBE_WORDS[probe]}")
            else:
                reasons.append(
                    f"90 % {PROBE_WORDS[probe]} by charge {format_cycles(kinetics.n90)}, the first measured: "
                    "an upper bound above the threshold"
                )
        elif not kinetics.determined:
            reasons.append(f"{PROBE_WORDS[probe]}: {kinetics.note}")
        elif kinetics.n90 - CONFIDENCE * kinetics.n90_stderr > fast:
            extrapolated = kinetics.n90 > changes["cycle"].max()
            verdicts[probe] = ("slow", kinetics.n90, kinetics.n90_stderr,
                               f"beyond {format_cycles(changes['cycle'].max())}" if extrapolated else probe)
        elif kinetics.n90 + CONFIDENCE * kinetics.n90_stderr <= fast:
            verdicts[probe] = ("fast", kinetics.n90, kinetics.n90_stderr, probe)
        else:
            reasons.append(f"n90 {PROBE_WORDS[probe]} = {format_cycles(kinetics.n90, kinetics.n90_stderr)} straddles "
                           f"the {fast:g}-cycle threshold")
    slow = [v for v in verdicts.values() if v[0] == "slow"]
    if slow:
        return max(slow, key=lambda v: (np.nan_to_num(v[1], nan=np.inf)))
    if rising and not reasons and len(verdicts) == len(rising):
        return max(verdicts.values(), key=lambda v: v[1])
    counts = {evidence.found[p]["states"] for p in rising}
    if reasons and all(r.endswith(f"needs {options.min_states}") for r in reasons) and len(counts) == 1:
        return "not determined", math.nan, math.nan, f"{_states(counts.pop())}; needs {options.min_states}"
    return "not determined", math.nan, math.nan, "; ".join(reasons) or "no rise"


def _states(count: int) -> str:
    return f"{count} charged state{'s' * (count != 1)}"


def _since(evidence: CoupleEvidence) -> str:
    """The earliest onset state; an onset at the first charged state measured (after charge 1) is a bound."""
    starts = [f["activation"] for f in evidence.found.values() if f["activation"]]
    if not starts:
        return ""
    earliest = min(starts, key=lambda s: s["cycle"])
    if earliest["first_measured"] and earliest["cycle"] > 1:
        return f"{earliest['state']} or before (the first charge measured)"
    return earliest["state"]


def classes(evidence: CoupleEvidence, options) -> Classes:
    """A couple's verdict as classes (the same :func:`couple_verdict` words)."""
    change = evidence.change
    where = _where(evidence)[0] if change != "none" else "not determined"
    if change == "rise":
        speed, n90, n90_stderr, why = _speed(evidence, options)
    else:
        speed, n90, n90_stderr, why = "not determined", math.nan, math.nan, "no rise"
    return Classes(change, where, _since(evidence), speed, n90, n90_stderr, why)


# --- words ------------------------------------------------------------------------------------------

def label(variable: str) -> str:
    """The couple's quantity as a short label: ``r`` or the element."""
    return "r" if variable == "r" else variable.removeprefix("valence_")


def by_cycle(value: float, error: float = math.nan) -> str:
    """The cycle by which a fraction is reached: the first whole cycle at or after it."""
    return format_cycles(max(math.ceil(value - 1e-9), 1), error)


def where_headline(where: str) -> str:
    """A depth class in words for a headline."""
    return {"uniform": "uniform in depth within the errors", "not determined": "depth not determined",
            "surface only": "at the surface only in the states measured",
            "bulk only": "in the bulk only in the states measured", "mixed": "surface and bulk differ both ways",
            }.get(where, where)


def _difference_text(row, name: str, sigma: float) -> str:
    verdict = "significant" if row["significant"] else "not significant"
    return (f"{name}(surface) − {name}(bulk) change = {format_value_error(row['difference'], row['difference_stderr'])}"
            f" after {row['state']} ({format_sigma(row['z'])}, {verdict} at {sigma:g}σ)")


def _where_text(evidence: CoupleEvidence, where: str, best, sigma: float) -> str:
    name, info = label(evidence.variable), evidence.lead
    if where == "not determined":
        return ("where in the particle: not determined (needs the same charged state measured in TEY and a bulk "
                "mode, with a pristine state for a valence)")
    if where == "uniform":
        return (f"no charged state differs by {sigma:g}σ between surface and bulk (largest: "
                f"{_difference_text(best, name, sigma)})")
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
        shares = info["shares"]
        return (f"rises {PROBE_WORDS[first]} from {start['state']} and {PROBE_WORDS[other]} from {later['state']}: "
                f"{PROBE_WORDS[other]} {span} later (bounded by the states measured; at {start['state']} the "
                f"{first} holds {100 * shares[0]:.0f} % of its last value, the {other} {100 * shares[1]:.0f} %)")
    return _difference_text(best, name, sigma)


def _onset_text(evidence: CoupleEvidence) -> str:
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


def kinetics_text(kinetics: Kinetics, what: str) -> str:
    """A kinetics in words: cycles to 50 % and 90 % with their errors, or why they are not given."""
    last = format_cycles(kinetics.last_cycle)
    if not kinetics.determined:
        return f"{what}: cycles to half its final value not determined ({kinetics.note})"
    if kinetics.law == "first state":
        return f"{what}: 90 % of its largest rise by the first state measured (charge {format_cycles(kinetics.n90)})"
    final = format_value_error(kinetics.final, kinetics.final_stderr)
    if kinetics.n50 > kinetics.last_cycle:
        return (f"{what} still rises at the last cycle measured ({last}): half of its fitted final value ({final}) "
                "lies beyond the data")
    text = f"{what} reaches 50 % of its final value ({final}) by cycle {by_cycle(kinetics.n50, kinetics.n50_stderr)}"
    if kinetics.extrapolated:
        return text + f"; 90 % is not reached within the {last} cycles measured"
    return text + f" and 90 % by cycle {by_cycle(kinetics.n90, kinetics.n90_stderr)}"


def _speed_words(found: Classes, options) -> str:
    fast = options.fast_cycles
    if found.speed == "fast":
        return f"fast (90 % by cycle {by_cycle(found.n90, found.n90_stderr)}, within the {fast:g}-cycle threshold)"
    if found.speed == "slow":
        if found.why.startswith("beyond"):
            return (f"slow (90 % not within the {found.why.split()[-1]} cycles measured, extrapolated to cycle "
                    f"{by_cycle(found.n90, found.n90_stderr)}; the threshold is {fast:g} cycles)")
        if np.isfinite(found.n90):
            return f"slow (90 % by cycle {by_cycle(found.n90, found.n90_stderr)}, beyond the {fast:g}-cycle threshold)"
        return f"slow ({found.why}, beyond the {fast:g}-cycle threshold)"
    return f"speed not determined ({found.why})"


def _basis(ds, sample: str, variable: str, what: str) -> str:
    """The measurements behind a couple's verdict: the modes and the states."""
    parts = []
    for probe, frame in probe_series(ds, sample, variable).items():
        if frame.empty:
            continue
        modes = sorted({m for m in (source_mode(s) for s in frame["source"]) if m})
        parts.append(f"{'/'.join(modes) or probe} ({', '.join(frame['state'].astype(str))})")
    return f"{what} in " + " and ".join(parts) if parts else ""


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


def _pristine_note(sample: str, evidence: CoupleEvidence) -> str:
    """Where a valence's pristine values come from, when they are not the sample's own."""
    others = {p: v["sample"] for p, v in evidence.pristine.items() if v and v["sample"] != sample}
    if not others:
        return ""
    names = sorted(set(others.values()))
    return (f"changes are measured from the pristine state of {', '.join(repr(n) for n in names)} (the study's "
            "uncycled material with the same stated conditions)")


def _pristine_difference(evidence: CoupleEvidence, sample: str, sigma: float) -> str:
    surface, bulk = evidence.pristine.get("surface"), evidence.pristine.get("bulk")
    if not surface or not bulk or surface["sample"] != sample or bulk["sample"] != sample:
        return ""
    difference = surface["value"] - bulk["value"]
    error = math.hypot(math.hypot(surface["random"], bulk["random"]), max(surface["floor"], bulk["floor"]))
    z = z_score(difference, error)
    if not (np.isfinite(z) and abs(z) >= sigma):
        return ""
    return (f"already {'higher' if difference > 0 else 'lower'} at the surface in the pristine state "
            f"({format_value_error(difference, error)}, {format_sigma(z)})")


def couple_verdict(ds, sample: str, evidence: CoupleEvidence, options):
    """The verdict of one couple of one sample (a :class:`redoxmap.study.verdict.Verdict`)."""

    sigma = options.significance_sigma
    found = classes(evidence, options)
    _, best = _where(evidence)
    oxygen = evidence.variable == "r"
    subject = "O redox" if oxygen else f"TM redox ({label(evidence.variable)})"
    reduction = _reduction_text(evidence)
    details = [_where_text(evidence, found.where, best, sigma) if found.change != "none" else _largest_change(evidence)]
    details += [text for text in (_onset_text(evidence), reduction) if text]
    for probe, kinetics in evidence.kinetics.items():
        if kinetics is not None:
            details.append(kinetics_text(kinetics, f"{'r' if oxygen else 'the valence change'} {PROBE_WORDS[probe]}"))
    details += evidence.caveats
    details += [text for text in (_pristine_note(sample, evidence), _pristine_difference(evidence, sample, sigma))
                if text]
    if found.change == "rise":
        parts = [f"since {found.since}", where_headline(found.where), _speed_words(found, options)]
    elif found.change == "reduction":
        side = "at the surface" if evidence.found["surface"]["reduction"] else "in the bulk"
        parts = [f"no oxidation after charge; reduction {side} ({where_headline(found.where)})"]
    else:
        parts = ["no significant rise after charge"]
    timed = found.speed in ("fast", "slow") and np.isfinite(found.n90)
    what = "r of the O K pre-edge" if oxygen else f"{label(evidence.variable)} valence by linear combination"
    return Verdict(sample, evidence.couple, "summary", f"{subject}: " + ", ".join(parts), details, "xas",
                   determined=found.change != "none", where=found.where, since=found.since, speed=found.speed,
                   n90=found.n90 if timed else math.nan, n90_stderr=found.n90_stderr if timed else math.nan,
                   basis=_basis(ds, sample, evidence.variable, what))
