"""The same kinetics of two samples side by side, attributed to a condition only when it is the one the
samples differ in.

A comparison takes n90 where both samples reach 90 % within their data, else n50 (an n90 beyond the data
is the law's extrapolation, not a measurement). Its sentence names every condition in which the samples
differ (temperature, chemistry, cell type, electrode, specific current, the samples' own ``variables``);
with one cell per sample it says so: the error then holds the measurement errors only, not the spread
between cells of one condition. Beyond :data:`PAIRWISE_UP_TO` samples (a campaign) the samples of equal
conditions are pooled first and the groups compared, with their cells' spread as the error.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from redoxmap.formatting import format_cycles, format_sigma, format_value_error
from redoxmap.study.capacities import capitalised
from redoxmap.study.couples import PROBE_WORDS
from redoxmap.study.evidence import z_score
from redoxmap.study.manifest import STANDARD_CONDITIONS
from redoxmap.study.verdict import Verdict


def sample_conditions(ds) -> dict[str, dict]:
    """Each sample's stated conditions (the map's ``conditions`` coordinate)."""
    if "conditions" not in ds.coords:
        return {}
    return {str(s): json.loads(str(c)) for s, c in zip(ds["sample"].to_numpy(), ds["conditions"].to_numpy())}


def sample_cells(ds) -> dict[str, int]:
    """How many cycling files (cells) each sample has in the map (0 for one without cycling)."""
    if "cells" not in ds.coords:
        return {}
    return {str(s): int(c) for s, c in zip(ds["sample"].to_numpy(), ds["cells"].to_numpy())}


def simulated_samples(ds) -> tuple[str, ...]:
    """The samples of a map marked simulated (none for a map written before the mark existed)."""
    if "simulated" not in ds.coords:
        return ()
    return tuple(str(s) for s, flag in zip(ds["sample"].to_numpy(), ds["simulated"].to_numpy()) if bool(flag))


PAIRWISE_UP_TO = 8
"""Samples of one kinetics compared pair by pair; beyond this (a campaign: 1,000 cells make 500,000 pairs),
samples of equal conditions are pooled and the groups are compared (:func:`comparison_units`)."""
MAX_GROUPS = 24
"""Groups of one kinetics compared pair by pair (276 pairs); beyond, none are (the campaign view compares them)."""


def _differing(first: dict, second: dict) -> dict[str, tuple]:
    return {k: (first.get(k), second.get(k)) for k in sorted(set(first) | set(second))
            if first.get(k) != second.get(k)}


def _inside(record: dict) -> bool:
    return record["n90"] <= record["last_cycle"]


def _pooled(values: list[float], errors: list[float]) -> tuple[float, float]:
    """The mean of replicates and its error: the larger of their spread's (widened for their number,
    :func:`redoxmap.fitting.replicate_error`) and their own errors' (a lone cell: its own)."""
    from redoxmap.fitting import replicate_error

    values, errors = np.asarray(values, float), np.asarray(errors, float)
    own = float(np.sqrt(np.sum(errors ** 2)) / len(values))
    spread, _ = replicate_error(values)
    return float(np.mean(values)), max(own, spread) if np.isfinite(spread) else own


def comparison_units(records: list[dict], conditions: dict[str, dict], cells: dict[str, int]) -> list[dict]:
    """What one kinetics compares.

    Parameters
    ----------
    records : list of dict
        The kinetics' rows of the samples (``sample``, n90 and n50 with their errors, ``last_cycle``).
    conditions : dict
        Each sample's conditions (:func:`sample_conditions`).
    cells : dict
        Each sample's number of cycling files (:func:`sample_cells`).

    Returns
    -------
    list of dict
        One unit per sample (``label``, ``members``: its samples, ``conditions``, ``cells``, n90 and n50 with
        errors, ``inside``: n90 within the data), or, for more than :data:`PAIRWISE_UP_TO` samples, one per
        group of samples with equal conditions, their cycles pooled (:func:`_pooled`: a replicate group's
        error is then its cells' spread) and named as the campaign view names it
        (:func:`redoxmap.study.campaign.condition_text` of the conditions that vary; a group of one keeps its
        sample's name). Empty where even the groups are more than :data:`MAX_GROUPS` (every sample its own
        conditions): the campaign view compares them, not pair by pair.
    """
    from redoxmap.study.campaign import condition_text

    if len(records) <= PAIRWISE_UP_TO:
        return [{"label": r["sample"], "members": [r["sample"]], "conditions": conditions.get(r["sample"], {}),
                 "cells": cells.get(r["sample"], 0), "inside": _inside(r),
                 **{k: r[k] for k in ("n90", "n90_stderr", "n50", "n50_stderr")}} for r in records]
    groups: dict[str, list[dict]] = {}
    for record in records:
        groups.setdefault(json.dumps(conditions.get(record["sample"], {}), sort_keys=True, default=str),
                          []).append(record)
    if len(groups) > MAX_GROUPS:
        return []
    # the campaign view's order: the standard conditions, then the user's variables as first met
    first_met = dict.fromkeys([*STANDARD_CONDITIONS, *(k for r in records for k in conditions.get(r["sample"], {}))])
    varying = [k for k in first_met if len({str(json.loads(g).get(k)) for g in groups}) > 1]
    units = []
    for key, members in groups.items():
        values = json.loads(key)
        label = (members[0]["sample"] if len(members) == 1
                 else ", ".join(condition_text(k, values.get(k)) for k in varying) or "all samples")
        unit = {"label": label, "members": [m["sample"] for m in members], "conditions": values,
                "cells": sum(cells.get(m["sample"], 0) for m in members), "inside": all(map(_inside, members))}
        for measure in ("n90", "n50"):
            unit[measure], unit[f"{measure}_stderr"] = _pooled([m[measure] for m in members],
                                                               [m[f"{measure}_stderr"] for m in members])
        units.append(unit)
    return units


def comparisons(ds, kinetics: pd.DataFrame, sigma: float) -> pd.DataFrame:
    """The same kinetics (couple, source and probe) of every pair of samples where both are measured
    (fitted, inside their data; not a first-state bound or a first-cycle saturation), or of every pair
    of condition groups where there are more than :data:`PAIRWISE_UP_TO` samples (:func:`comparison_units`)."""
    if kinetics.empty:
        return pd.DataFrame()
    chosen = kinetics[kinetics["determined"] & (kinetics["n50"] <= kinetics["last_cycle"])
                      & (kinetics["note"] != "reached in the first cycle") & (kinetics["law"] != "first state")]
    conditions, cells, simulated = sample_conditions(ds), sample_cells(ds), set(simulated_samples(ds))
    rows = []
    for (couple, source, probe), group in chosen.groupby(["couple", "source", "probe"], sort=False):
        units = comparison_units(group.to_dict("records"), conditions, cells)
        for k, a in enumerate(units):
            for b in units[k + 1:]:
                measure = "n90" if a["inside"] and b["inside"] else "n50"
                difference = b[measure] - a[measure]
                error = math.hypot(a[f"{measure}_stderr"], b[f"{measure}_stderr"])
                z = z_score(difference, error)
                rows.append({
                    "couple": couple, "source": source, "probe": probe, "first": a["label"], "second": b["label"],
                    "differ": json.dumps({n: list(v) for n, v in _differing(a["conditions"],
                                                                            b["conditions"]).items()}),
                    "recorded": bool(a["conditions"] or b["conditions"]), "measure": measure,
                    "cycles_first": a[measure], "cycles_first_stderr": a[f"{measure}_stderr"],
                    "cycles_second": b[measure], "cycles_second_stderr": b[f"{measure}_stderr"],
                    "difference": difference, "difference_stderr": error, "z": z,
                    "significant": bool(np.isfinite(z) and abs(z) >= sigma),
                    "cells_first": a["cells"], "cells_second": b["cells"],
                    # a group of simulated cells is marked as its samples are (the report's badge)
                    "simulated_first": all(m in simulated for m in a["members"]),
                    "simulated_second": all(m in simulated for m in b["members"])})
    frame = pd.DataFrame(rows)
    return frame.sort_values(["first", "second"], kind="stable", ignore_index=True) if len(frame) else frame


def _value(name: str, value) -> str:
    if name == "temperature_C" and isinstance(value, (int, float)):
        return f"{value:g} °C"
    return f"{name} = {value}"


def _phrase(name: str, value) -> str:
    return ("at " if name == "temperature_C" and isinstance(value, (int, float)) else "with ") + _value(name, value)


def comparison_verdicts(table: pd.DataFrame) -> list:
    """One :class:`redoxmap.study.verdict.Verdict` per comparison."""

    out = []
    for row in table.to_dict("records"):
        differ = {k: tuple(v) for k, v in json.loads(row["differ"]).items()}
        what = row["source"].replace("r after charge", "r").replace("_", " ")
        where = f" {PROBE_WORDS[row['probe']]}" if row["probe"] in PROBE_WORDS else ""
        first, second = row["first"], row["second"]
        share = "90 %" if row["measure"] == "n90" else "half its final value"
        measure = (
            f"cycles to {share} of {what}{where}: {format_cycles(row['cycles_first'], row['cycles_first_stderr'])}"
            f" ({first}) against {format_cycles(row['cycles_second'], row['cycles_second_stderr'])} ({second}), "
            f"a difference of {format_value_error(row['difference'], row['difference_stderr'])} "
            f"({format_sigma(row['z'])})"
        )
        if row["measure"] == "n50":
            measure += " (half, not 90 %: one of them does not reach 90 % within its cycles)"
        details = [measure]
        if row["cells_first"] <= 1 and row["cells_second"] <= 1:
            unit = "cell" if row["cells_first"] and row["cells_second"] else "sample"
            details.append(f"one {unit} each: the error holds the measurement errors only, not the spread between "
                           f"{unit}s of one condition")
        if not row["recorded"]:
            headline = (f"{first} against {second}: no conditions are recorded for either (temperature_C, chemistry, "
                        f"variables...), so a difference in {what} is not attributed")
        elif len(differ) == 1:
            name, (a, b) = next(iter(differ.items()))
            if row["significant"]:
                sooner, later = (_phrase(name, b), _phrase(name, a)) if row["difference"] < 0 else (
                    _phrase(name, a), _phrase(name, b))
                headline = f"{capitalised(what)}{where} reaches {share} sooner {sooner} than {later}"
            else:
                headline = (f"{capitalised(what)}{where}: no significant difference between {_value(name, a)} and "
                            f"{_value(name, b)}")
        elif not differ:
            headline = (f"{first} and {second} share every recorded condition: their difference measures how well "
                        f"{what} reproduces")
        else:
            names = ", ".join(f"{_condition(k)} ({a} / {b})" for k, (a, b) in differ.items())
            headline = (f"{first} against {second}: they differ in {names}, so a difference in {what} cannot be "
                        "assigned to one of them")
        out.append(Verdict(f"{first} vs {second}", row["couple"], "comparison", headline, details,
                           "xas" if row["source"].endswith("after charge") else "cycling",
                           basis=f"{what} of both samples"))
    return out


def _condition(name: str) -> str:
    """A condition's name in words (``temperature_C`` -> ``temperature (°C)``; a user's own variable as named)."""
    from redoxmap.formatting import readable_header

    words = readable_header(name)
    return words[:1].lower() + words[1:] if words[:2] != words[:2].upper() else words

