"""The tests behind the verdicts, each on the error budget of :mod:`redoxmap.study.budget`.

Everything here reads an activation map's Dataset and returns tables or plain dicts; the words are in
:mod:`redoxmap.study.findings`.

**How errors combine in a test.** Each number carries a random part (its fit, replicates, choices,
references) and its method's systematic floor. The floor is the systematic difference between two
measurements (two detection modes, two beamtimes), so it enters each comparison *once*: a difference of
two numbers has the error ``sqrt(random_a² + random_b² + floor²)``, a single number against zero
``sqrt(random² + floor²)``.

* **surface against bulk** (:func:`differences`): at every state with both probes.
* **change after charge** (:func:`probe_changes`): at each charged state, the activation: r itself (r is
  zero in the pristine material by its definition) or a valence minus the pristine one at the same
  probe. Only charged states count: after a discharge a valence or r is expected to fall back.
* **onsets** (:func:`onsets`): the first charged state whose change is significantly *positive*
  (activation) and the first significantly *negative* one (reduction below pristine: never activation).
* **kinetics** (:func:`probe_kinetics`): cycles to 50 % and 90 % of the final change, only from
  ``min_states`` or more charged states (a law with two parameters needs a third state to be tested).
* **lead in time** (:func:`lead`): which probe starts first, by n50 or by the fraction of its own final
  activation each probe has reached at the earlier one's onset.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from redoxmap.errors import AnalysisError
from redoxmap.study.budget import COMPONENTS, total_error
from redoxmap.study.kinetics import Kinetics, saturating_kinetics

_FLOOR = COMPONENTS.index("floor")


def z_score(difference: float, error: float) -> float:
    """``difference / error`` (NaN without a positive, finite error)."""
    return difference / error if np.isfinite(error) and error > 0 else math.nan


def z_scores(difference, error) -> np.ndarray:
    """Element-wise :func:`z_score`."""
    difference, error = np.asarray(difference, float), np.asarray(error, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.isfinite(error) & (error > 0), difference / error, np.nan)


def with_floor(random, floor) -> np.ndarray:
    """The error of one comparison: its random parts and one floor, ``sqrt(random² + floor²)``."""
    return np.hypot(np.nan_to_num(np.asarray(random, float)), np.nan_to_num(np.asarray(floor, float)))


def _position(ds, dimension: str, label: str) -> int:
    found = np.flatnonzero(ds.variables[dimension].values == label)
    if not len(found):
        raise AnalysisError(f"no {dimension} {label!r} in the map")
    return int(found[0])


def state_series(ds, sample: str, variable: str, probe: str) -> pd.DataFrame:
    """The states of a sample with a value of ``variable`` at ``probe``, in order: ``position`` (on the
    map's state axis), ``state``, ``cycle``, ``half``, ``value``, ``stderr`` (combined), ``random`` (without
    the floor), ``floor``, ``source``, ``replicates``."""
    # Plain array indexing: selecting on the whole Dataset would index every one of its variables.
    at = _position(ds, "sample", sample), _position(ds, "probe", probe)

    def column(name):
        variable = ds.variables[name]  # a Variable: no DataArray (and its coordinates) built per access
        dims = tuple(d for d in ("sample", "state", "probe", "error_component") if d in variable.dims)
        values = variable.values if variable.dims == dims else variable.transpose(*dims).values
        return values[at[0], :, at[1]]

    values = column(variable)
    keep = np.isfinite(values)
    stderr = column(f"{variable}_stderr")
    if f"{variable}_budget" in ds:
        parts = column(f"{variable}_budget").copy()
        floor = np.nan_to_num(parts[:, _FLOOR])
        parts[:, _FLOOR] = np.nan
        random = total_error(*parts.T)
    else:  # a map without budgets (an older file): all of its error counts as random
        floor, random = np.zeros(len(values)), stderr
    count = column(f"{variable}_replicates") if f"{variable}_replicates" in ds else np.ones(len(values), int)
    source = column(f"{variable}_source") if f"{variable}_source" in ds else np.full(len(values), "", object)
    coordinates = ds.variables
    return pd.DataFrame({"position": np.flatnonzero(keep), "state": coordinates["state"].values[keep],
                         "cycle": coordinates["state_cycle"].values[keep], "half": coordinates["half"].values[keep],
                         "value": values[keep], "stderr": stderr[keep], "random": np.asarray(random)[keep],
                         "floor": floor[keep], "source": source[keep], "replicates": count[keep]})


def probe_series(ds, sample: str, variable: str) -> dict[str, pd.DataFrame]:
    """:func:`state_series` at the surface and in the bulk."""
    return {probe: state_series(ds, sample, variable, probe) for probe in ("surface", "bulk")}


def source_mode(source: str) -> str:
    """The detection mode a map source names at its end (``"files (ipfy)"`` -> ``"iPFY"``)."""
    text = str(source).rstrip()
    if not text.endswith(")") or "(" not in text:
        return ""
    mode = text[text.rindex("(") + 1:-1].strip()
    return mode.upper().replace("IPFY", "iPFY") if mode.isalnum() else ""


def joined_rows(first: pd.DataFrame, second: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows of two series at the states both have, aligned (a join on the map's state axis).

    Parameters
    ----------
    first, second : pandas.DataFrame
        Frames with a ``position`` column (:func:`state_series`).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
    """
    _, a, b = np.intersect1d(first["position"].to_numpy(), second["position"].to_numpy(), return_indices=True)
    return first.iloc[a], second.iloc[b]


def compare(first: pd.DataFrame, second: pd.DataFrame, sigma: float) -> pd.DataFrame:
    """``first - second`` at their common states: ``state``, ``cycle``, ``half``, ``difference``,
    ``difference_stderr`` (both random parts and one floor), ``z``, ``significant``."""
    a, b = joined_rows(first, second)
    difference = a["value"].to_numpy() - b["value"].to_numpy()
    error = with_floor(np.hypot(a["random"].to_numpy(), b["random"].to_numpy()),
                       np.maximum(a["floor"].to_numpy(), b["floor"].to_numpy()))
    z = z_scores(difference, error)
    return pd.DataFrame({"state": a["state"].to_numpy(), "cycle": a["cycle"].to_numpy(), "half": a["half"].to_numpy(),
                         "difference": difference, "difference_stderr": error, "z": z,
                         "significant": np.isfinite(z) & (np.abs(np.nan_to_num(z)) >= sigma),
                         "first_value": a["value"].to_numpy(), "first_stderr": a["stderr"].to_numpy(),
                         "second_value": b["value"].to_numpy(), "second_stderr": b["stderr"].to_numpy(),
                         "first_source": a["source"].to_numpy(), "second_source": b["source"].to_numpy()})


def differences(series: dict[str, pd.DataFrame], sample: str, variable: str, sigma: float) -> pd.DataFrame:
    """Surface minus bulk at every state with both probes (``series`` from :func:`probe_series`)."""
    found = compare(series["surface"], series["bulk"], sigma)
    return pd.DataFrame({
        "sample": sample, "variable": variable, "state": found["state"], "cycle": found["cycle"],
        "half": found["half"], "surface": found["first_value"], "surface_stderr": found["first_stderr"],
        "bulk": found["second_value"], "bulk_stderr": found["second_stderr"], "difference": found["difference"],
        "difference_stderr": found["difference_stderr"], "z": found["z"], "significant": found["significant"],
        "surface_mode": [source_mode(s) for s in found["first_source"]],
        "bulk_mode": [source_mode(s) for s in found["second_source"]]})


# --- the pristine state --------------------------------------------------------------------------

def _conditions(ds) -> dict[str, dict]:
    if "conditions" not in ds.coords:
        return {}
    return {str(s): json.loads(str(c)) for s, c in zip(ds["sample"].to_numpy(), ds["conditions"].to_numpy())}


def pristine_references(ds, sample: str | None = None) -> list[str]:
    """The samples measured in the pristine state only (no other state, no cycling: the uncycled material of
    a study), in the map's order; with ``sample``, only those whose every stated condition the sample
    shares (an uncycled chemistry A is no reference for a chemistry B)."""
    stated = ds.attrs.get("pristine_samples")
    candidates = json.loads(stated) if isinstance(stated, str) else pristine_only(ds)
    conditions = _conditions(ds)
    found = []
    for name in candidates:
        if name == sample:
            continue
        if sample is not None:
            mine, theirs = conditions.get(sample, {}), conditions.get(name, {})
            if any(key in mine and mine[key] != value for key, value in theirs.items()):
                continue
        found.append(name)
    return found


def pristine_only(ds) -> list[str]:
    """The samples whose every state-resolved number is of the pristine state and that have no per-cycle
    numbers (the map stores the list as its ``pristine_samples`` attribute)."""
    cycles = ds["state_cycle"].to_numpy()
    found = []
    for k, name in enumerate(str(s) for s in ds["sample"].to_numpy()):
        states, cycled = set(), False
        for variable, array in ds.data_vars.items():
            if str(variable).endswith(("_stderr", "_source", "_budget", "_replicates")) \
                    or str(variable).startswith("model_"):
                continue
            if array.dims == ("sample", "state", "probe"):
                states |= set(cycles[np.isfinite(array.to_numpy()[k]).any(axis=-1)].tolist())
            elif array.dims == ("sample", "cycle"):
                cycled = cycled or bool(np.isfinite(array.to_numpy()[k]).any())
        if states == {0.0} and not cycled:
            found.append(name)
    return found


def pristine_values(ds, sample: str, variable: str, series: dict[str, pd.DataFrame]) -> dict[str, dict | None]:
    """The pristine value at each probe: ``value``, ``random``, ``floor`` and ``sample`` (whose it is).

    A sample measured pristine at both probes uses its own; otherwise the one study sample measured only
    pristine whose stated conditions it shares, at both probes (never one probe each from different
    samples); otherwise its own where it has one.
    """
    def first_pristine(frame):
        pristine = frame[frame["cycle"] == 0]
        if pristine.empty:
            return None
        row = pristine.iloc[0]
        return {"value": float(row["value"]), "random": float(row["random"]), "floor": float(row["floor"])}

    own = {p: first_pristine(frame) for p, frame in series.items()}
    if all(own.values()):
        return {p: {**v, "sample": sample} for p, v in own.items()}
    references = pristine_references(ds, sample)
    for reference in references[:1] if len(references) == 1 else []:
        theirs = {p: first_pristine(state_series(ds, reference, variable, p)) for p in series}
        if all(theirs.values()):
            return {p: {**v, "sample": reference} for p, v in theirs.items()}
    return {p: ({**v, "sample": sample} if v else None) for p, v in own.items()}


def charge_changes(series: pd.DataFrame, variable: str, pristine: dict | None) -> pd.DataFrame:
    """The change after each charge at one probe.

    For ``r`` (and ``o_k_b_minus_b0``) the value itself: both are zero in the pristine material by their
    definitions. For any other variable the value minus ``pristine`` (from :func:`pristine_values`), its
    random part combining both and the floor entering once; empty without a pristine value.
    """
    charged = series[(series["half"] == "charge") & np.isfinite(series["cycle"]) & (series["cycle"] >= 1)].copy()
    if variable not in ("r", "o_k_b_minus_b0"):
        if pristine is None:
            return charged.iloc[0:0].reset_index(drop=True)
        charged["value"] = charged["value"] - pristine["value"]
        charged["random"] = np.hypot(charged["random"], pristine["random"])
        charged["floor"] = np.maximum(charged["floor"], pristine["floor"])
        charged["stderr"] = with_floor(charged["random"], charged["floor"])
    return charged.reset_index(drop=True)


def probe_changes(ds, sample: str, variable: str, series: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """:func:`charge_changes` at both probes, against their pristine values (:func:`pristine_values`)."""
    pristine = ({p: None for p in series} if variable in ("r", "o_k_b_minus_b0")
                else pristine_values(ds, sample, variable, series))
    return {probe: charge_changes(frame, variable, pristine[probe]) for probe, frame in series.items()}


# --- onsets, kinetics, leads ----------------------------------------------------------------------

def onsets(changes: pd.DataFrame, sigma: float) -> dict:
    """The first charged state with a significant rise (activation) and with a significant fall below the
    pristine state (reduction), each as a dict (``state``, ``cycle``, ``value``, ``stderr``, ``z``,
    ``first_measured``) or None; ``states``: how many charged states were tested."""
    found = {"activation": None, "reduction": None, "states": len(changes),
             "last_cycle": float(changes["cycle"].max()) if len(changes) else math.nan}
    first_cycle = float(changes["cycle"].min()) if len(changes) else math.nan
    for row in changes.itertuples():
        z = z_score(row.value, row.stderr)
        if not np.isfinite(z):
            continue
        kind = "activation" if z >= sigma else "reduction" if z <= -sigma else None
        if kind and found[kind] is None:
            found[kind] = {"state": row.state, "cycle": float(row.cycle), "value": float(row.value),
                           "stderr": float(row.stderr), "z": z, "first_measured": float(row.cycle) == first_cycle}
    return found


def _first_state_bound(changes: pd.DataFrame) -> Kinetics | None:
    """When the first charged state already holds 90 % of the largest rise (TM redox complete in its first
    charge, then fading): 90 % is reached by that state, an upper bound."""
    peak = changes["value"].max()
    first = changes.iloc[0]
    if peak > 0 and first["value"] >= 0.9 * peak and first["value"] > 2 * first["stderr"]:
        return Kinetics(first["cycle"], 0.0, first["cycle"], 0.0, float(first["value"]), float(first["stderr"]),
                        float(changes["cycle"].max()), "first state", True,
                        note=f"90 % of the largest rise is there by the first state measured ({first['state']}): "
                             "an upper bound")
    return None


def probe_kinetics(changes: pd.DataFrame, min_states: int) -> Kinetics | None:
    """Cycles to 50 % and 90 % of the final change at one probe, or None with fewer than ``min_states``
    charged states at different cycles (the speed is then not determined)."""
    if changes["cycle"].nunique() < min_states:
        return None
    return _first_state_bound(changes) or saturating_kinetics(changes["cycle"], changes["value"], changes["stderr"])


def measured_n50(kinetics: Kinetics | None, changes: pd.DataFrame) -> bool:
    """Whether a kinetics' n50 is a measurement: fitted (not a first-state bound) and inside the cycles of
    its states, so that two probes' n50 can be compared."""
    if kinetics is None or not kinetics.determined or kinetics.law == "first state" or changes.empty:
        return False
    return bool(changes["cycle"].min() <= kinetics.n50 <= changes["cycle"].max())


def _fraction(value: float, error: float, final: float, final_error: float) -> tuple[float, float]:
    """``value / final`` and its error (first order)."""
    fraction = value / final
    return fraction, math.hypot(error / final, fraction * final_error / final)


def lead(changes: dict[str, pd.DataFrame], found: dict[str, dict], kinetics: dict[str, Kinetics | None],
         sigma: float) -> dict:
    """Whether one probe's activation starts before the other's, and by how much.

    Two measurements earn an order in time, both independent of how large each probe's activation is:

    * **n50**: both probes' cycles to half their own final value are fitted, inside their states, and
      differ by more than ``sigma`` times the error of the difference;
    * **fractions**: at the earlier probe's onset state, the share of its own final (last-state) change it
      has reached exceeds the other's share by more than ``sigma`` errors, the other is not yet
      significant there, and it rises at a later state (or at none: then the earlier probe leads by at
      least the states measured, with two common charged states at least).

    Returns
    -------
    dict
        ``first``: ``"surface"``, ``"bulk"`` or None; ``by``: ``"n50"`` or ``"onset"``; ``lag`` and
        ``lag_stderr`` (n50) or ``lag_low`` and ``lag_high`` (onsets, in cycles); ``never``: True when the
        later probe shows no rise in the states measured.
    """
    if all(measured_n50(kinetics.get(p), changes[p]) for p in ("surface", "bulk")):
        surface, bulk = kinetics["surface"], kinetics["bulk"]
        delay = bulk.n50 - surface.n50
        error = math.hypot(surface.n50_stderr, bulk.n50_stderr)
        z = z_score(delay, error)
        if np.isfinite(z) and abs(z) >= sigma:
            return {"first": "surface" if delay > 0 else "bulk", "by": "n50", "lag": abs(delay),
                    "lag_stderr": error, "z": z, "never": False}
        return {"first": None}  # the n50s agree: the probes keep time, whatever their amplitudes
    for early, late in (("surface", "bulk"), ("bulk", "surface")):
        start = (found.get(early) or {}).get("activation")
        if start is None:
            continue
        at_early = changes[early][changes[early]["state"] == start["state"]]
        at_late = changes[late][changes[late]["state"] == start["state"]]
        if at_late.empty or abs(z_score(at_late["value"].iat[0], at_late["stderr"].iat[0])) >= sigma:
            continue
        later = (found.get(late) or {}).get("activation")
        if later is not None and later["cycle"] <= start["cycle"]:
            continue
        common = np.intersect1d(changes[early]["cycle"], changes[late]["cycle"])
        common = common[common >= start["cycle"]]
        if later is None:
            difference = at_early["value"].iat[0] - at_late["value"].iat[0]
            error = math.hypot(at_early["random"].iat[0], at_late["random"].iat[0])
            error = math.hypot(error, max(at_early["floor"].iat[0], at_late["floor"].iat[0]))
            if len(common) < 2 or z_score(difference, error) < sigma:
                continue
            return {"first": early, "by": "onset", "lag_low": float(common.max() - start["cycle"]),
                    "lag_high": math.inf, "never": True, "until": float(common.max())}
        finals = {}
        for probe in (early, late):
            last = changes[probe].iloc[-1]
            finals[probe] = (float(last["value"]), float(last["stderr"]))
        share_early = _fraction(at_early["value"].iat[0], at_early["stderr"].iat[0], *finals[early])
        share_late = _fraction(at_late["value"].iat[0], at_late["stderr"].iat[0], *finals[late])
        if z_score(share_early[0] - share_late[0], math.hypot(share_early[1], share_late[1])) < sigma:
            continue
        before = common[common < later["cycle"]]
        return {"first": early, "by": "onset", "lag_low": float(before.max() - start["cycle"] + 1),
                "lag_high": float(later["cycle"] - start["cycle"]), "never": False,
                "shares": (share_early[0], share_late[0])}
    return {"first": None}
