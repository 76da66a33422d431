"""The tests behind the verdicts, each on the combined error of :mod:`redoxmap.study.budget`.

Everything here reads an activation map's Dataset and returns tables or plain dicts; the words are in
:mod:`redoxmap.study.findings`.

* **surface against bulk** (:func:`differences`): at every state with both probes, the difference
  and its error ``sqrt(s_surface² + s_bulk²)``; significant beyond ``sigma`` errors.
* **change after charge** (:func:`charge_changes`): at each charged state, the activation: r itself (r
  is zero in the pristine material by its definition) or a valence minus the pristine one. Only
  charged states count: after a discharge a valence or r is expected to fall back.
* **onsets** (:func:`onsets`): the first charged state whose change is significantly *positive*
  (oxidation: activation) and the first significantly *negative* one (reduction below the pristine
  state: never activation).
* **kinetics** (:func:`probe_kinetics`): cycles to 50 % and 90 % of the final change, only from
  ``min_states`` or more charged states (a law with two parameters needs a third state to be tested).
* **lead in time** (:func:`lead`): which probe starts first, by its onset state or by n50.
"""

from __future__ import annotations

import math
import weakref

import numpy as np
import pandas as pd

from redoxmap.study.kinetics import Kinetics, saturating_kinetics


def z_score(difference: float, error: float) -> float:
    """``difference / error`` (NaN without a positive, finite error)."""
    return difference / error if np.isfinite(error) and error > 0 else math.nan


def state_series(ds, sample: str, variable: str, probe: str) -> pd.DataFrame:
    """The states of a sample with a value of ``variable`` at ``probe``, in order: ``state``, ``cycle``,
    ``half``, ``value``, ``stderr`` (combined), ``source``, ``replicates``."""
    # Plain array indexing: selecting on the whole Dataset would index every one of its variables.
    at = _position(ds, "sample", sample), _position(ds, "probe", probe)

    def column(name, default=None):
        if name not in ds:
            return default
        array = ds[name]
        if array.dims != ("sample", "state", "probe"):
            array = array.transpose("sample", "state", "probe")
        return array.to_numpy()[at[0], :, at[1]]

    values = column(variable)
    keep = np.isfinite(values)
    count = column(f"{variable}_replicates", np.ones(len(values), int))
    frame = pd.DataFrame({"position": np.flatnonzero(keep), "state": ds["state"].to_numpy()[keep],
                          "cycle": ds["state_cycle"].to_numpy()[keep],
                          "half": ds["half"].to_numpy()[keep], "value": values[keep],
                          "stderr": column(f"{variable}_stderr")[keep], "source": column(f"{variable}_source")[keep],
                          "replicates": count[keep]})
    return frame


def _position(ds, dimension: str, label: str) -> int:
    labels = ds[dimension].to_numpy()
    found = np.flatnonzero(labels == label)
    if not len(found):
        raise KeyError(f"no {dimension} {label!r} in the map")
    return int(found[0])


def source_mode(source: str) -> str:
    """The detection mode a map source names at its end (``"files (ipfy)"`` -> ``"iPFY"``)."""
    text = str(source).rstrip()
    if not text.endswith(")") or "(" not in text:
        return ""
    mode = text[text.rindex("(") + 1:-1].strip()
    return mode.upper().replace("IPFY", "iPFY") if mode.isalnum() else ""


def probe_series(ds, sample: str, variable: str) -> dict[str, pd.DataFrame]:
    """:func:`state_series` at the surface and in the bulk."""
    return {probe: state_series(ds, sample, variable, probe) for probe in ("surface", "bulk")}


def differences(series: dict[str, pd.DataFrame], sample: str, variable: str, sigma: float) -> pd.DataFrame:
    """Surface minus bulk at every state with both probes (``series`` from :func:`probe_series`), with the
    combined error, z and whether it is significant at ``sigma``."""
    surface, bulk = joined_rows(series["surface"], series["bulk"])
    difference = surface["value"].to_numpy() - bulk["value"].to_numpy()
    error = np.hypot(surface["stderr"].to_numpy(), bulk["stderr"].to_numpy())
    z = z_scores(difference, error)
    return pd.DataFrame({
        "sample": sample, "variable": variable, "state": surface["state"].to_numpy(),
        "cycle": surface["cycle"].to_numpy(), "half": surface["half"].to_numpy(),
        "surface": surface["value"].to_numpy(), "surface_stderr": surface["stderr"].to_numpy(),
        "bulk": bulk["value"].to_numpy(), "bulk_stderr": bulk["stderr"].to_numpy(), "difference": difference,
        "difference_stderr": error, "z": z, "significant": np.isfinite(z) & (np.abs(np.nan_to_num(z)) >= sigma),
        "surface_mode": [source_mode(s) for s in surface["source"]],
        "bulk_mode": [source_mode(s) for s in bulk["source"]]})


def joined_rows(first: pd.DataFrame, second: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows of two state series at the states both have, aligned (a join on the map's state axis)."""
    _, a, b = np.intersect1d(first["position"].to_numpy(), second["position"].to_numpy(), return_indices=True)
    return first.iloc[a], second.iloc[b]


def z_scores(difference, error) -> np.ndarray:
    """Element-wise :func:`z_score`."""
    difference, error = np.asarray(difference, float), np.asarray(error, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.isfinite(error) & (error > 0), difference / error, np.nan)


def pristine_value(ds, sample: str, variable: str, probe: str,
                   series: pd.DataFrame | None = None) -> tuple[float, float, str] | None:
    """The pristine value of a variable at a probe, its combined error and whose it is.

    A sample without a pristine state of its own takes that of the study's pristine reference: a sample
    measured in the pristine state only (the uncycled material, as the reference study measures one
    pristine composite for its cells). None when there is neither.
    """
    own = series if series is not None else state_series(ds, sample, variable, probe)
    pristine = own[own["cycle"] == 0]
    if not pristine.empty:
        return float(pristine["value"].iat[0]), float(pristine["stderr"].iat[0]), sample
    for reference in pristine_references(ds):
        other = state_series(ds, reference, variable, probe)
        other = other[other["cycle"] == 0]
        if not other.empty:
            return float(other["value"].iat[0]), float(other["stderr"].iat[0]), reference
    return None


_REFERENCES: dict[int, tuple] = {}  # id(dataset) -> (weak reference, samples): one scan per map


def pristine_references(ds) -> list[str]:
    """The samples measured in the pristine state only: no other state and no cycling (the uncycled
    material of a study), in the map's order."""
    cached = _REFERENCES.get(id(ds))
    if cached is not None and cached[0]() is ds:
        return cached[1]
    found = _pristine_only(ds)
    key = id(ds)
    _REFERENCES[key] = (weakref.ref(ds, lambda _: _REFERENCES.pop(key, None)), found)
    return found


def _pristine_only(ds) -> list[str]:
    cycles = ds["state_cycle"].to_numpy()
    found = []
    for k, sample in enumerate(ds["sample"].to_numpy()):
        states, cycled = set(), False
        for name, array in ds.data_vars.items():
            if str(name).endswith("_source") and array.dims == ("sample", "state", "probe"):
                states |= set(cycles[(array.to_numpy()[k] != "").any(axis=-1)].tolist())
            elif array.dims == ("sample", "cycle") and not str(name).startswith("model_") \
                    and not str(name).endswith("_replicates"):
                cycled = cycled or bool(np.isfinite(array.to_numpy()[k]).any())
        if states == {0.0} and not cycled:
            found.append(str(sample))
    return found


def charge_changes(series: pd.DataFrame, variable: str,
                   pristine: tuple[float, float, str] | None) -> tuple[pd.DataFrame, str]:
    """The change after each charge at one probe and what it is measured against.

    For ``r`` (and ``o_k_b_minus_b0``) the value itself: both are zero in the pristine material by their
    definitions. For any other variable (a valence, a peak height) the value minus ``pristine`` (from
    :func:`pristine_value`), with both errors combined; without a pristine value the frame is empty.
    """
    charged = series[(series["half"] == "charge") & np.isfinite(series["cycle"]) & (series["cycle"] >= 1)].copy()
    if variable in ("r", "o_k_b_minus_b0"):
        return charged.reset_index(drop=True), "value (zero in the pristine material by its definition)"
    if pristine is None:
        return charged.iloc[0:0].reset_index(drop=True), "change from pristine (no pristine state at this probe)"
    charged["value"] = charged["value"] - pristine[0]
    charged["stderr"] = np.hypot(charged["stderr"], pristine[1])
    return charged.reset_index(drop=True), "change from pristine"


def probe_changes(ds, sample: str, variable: str, series: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """:func:`charge_changes` at both probes, against each probe's pristine value."""
    out = {}
    for probe, frame in series.items():
        base = None if variable in ("r", "o_k_b_minus_b0") else pristine_value(ds, sample, variable, probe, frame)
        out[probe] = charge_changes(frame, variable, base)[0]
    return out


def onsets(changes: pd.DataFrame, sigma: float) -> dict:
    """The first charged state with a significant rise (activation) and with a significant fall below the
    pristine state (reduction), each as a dict (``state``, ``cycle``, ``value``, ``stderr``, ``z``) or None,
    and ``states``: how many charged states were tested."""
    found = {"activation": None, "reduction": None, "states": len(changes),
             "last_cycle": float(changes["cycle"].max()) if len(changes) else math.nan}
    for row in changes.itertuples():
        z = z_score(row.value, row.stderr)
        if not np.isfinite(z):
            continue
        kind = "activation" if z >= sigma else "reduction" if z <= -sigma else None
        if kind and found[kind] is None:
            found[kind] = {"state": row.state, "cycle": float(row.cycle), "value": float(row.value),
                           "stderr": float(row.stderr), "z": z}
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


def _usable(kinetics: Kinetics | None) -> bool:
    return kinetics is not None and kinetics.determined and kinetics.n50 <= kinetics.last_cycle


def lead(diff: pd.DataFrame, found: dict[str, dict], kinetics: dict[str, Kinetics | None], sigma: float) -> dict:
    """Whether one probe's activation starts before the other's, and by how much.

    Two measurements earn an order in time:

    * **onsets**: one probe's first significant rise comes at a charged state where the other probe is
      not yet significant *and* the two differ significantly, and the other's first rise comes at a later
      state (or never, in the states measured): the lag lies between the states that bound it;
    * **n50**: both probes' cycles to half their final value are determined and differ by more than
      ``sigma`` times the error of the difference.

    Returns
    -------
    dict
        ``first``: ``"surface"``, ``"bulk"`` or None; ``by``: ``"n50"`` or ``"onset"``; ``lag`` and
        ``lag_stderr`` (n50) or ``lag_low`` and ``lag_high`` (onsets, in cycles); ``never``: True when the
        later probe shows no rise in the states measured.
    """
    none = {"first": None}
    if all(_usable(kinetics.get(p)) for p in ("surface", "bulk")):
        surface, bulk = kinetics["surface"], kinetics["bulk"]
        delay = bulk.n50 - surface.n50
        error = math.hypot(surface.n50_stderr, bulk.n50_stderr)
        z = z_score(delay, error)
        if np.isfinite(z) and abs(z) >= sigma:
            return {"first": "surface" if delay > 0 else "bulk", "by": "n50", "lag": abs(delay),
                    "lag_stderr": error, "z": z, "never": False}
    for early, late in (("surface", "bulk"), ("bulk", "surface")):
        start = (found.get(early) or {}).get("activation")
        if start is None:
            continue
        at = diff[diff["state"] == start["state"]]
        if at.empty or not bool(at["significant"].iat[0]):
            continue
        sign = 1 if early == "surface" else -1
        if sign * at["difference"].iat[0] <= 0:
            continue
        later = (found.get(late) or {}).get("activation")
        if later is not None and later["cycle"] <= start["cycle"]:
            continue
        late_cycles = diff["cycle"][(diff["half"] == "charge") & (diff["cycle"] >= start["cycle"])]
        if later is None:
            if late_cycles.max() <= start["cycle"] and len(late_cycles) < 2:
                # one common charged state: a difference, not yet an order in time
                continue
            return {"first": early, "by": "onset", "lag_low": float(late_cycles.max() - start["cycle"]),
                    "lag_high": math.inf, "never": True, "until": float(late_cycles.max())}
        before = late_cycles[late_cycles < later["cycle"]]
        return {"first": early, "by": "onset", "lag_low": float(before.max() - start["cycle"] + 1),
                "lag_high": float(later["cycle"] - start["cycle"]), "never": False}
    return none
