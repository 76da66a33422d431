"""A virtual study's truth beside what its analysis recovered.

``redoxmap simulate study`` writes ``truth.json`` beside the files it makes from the activation model:
per virtual cell the r and Mn valence seen by each XAS mode after every charge, the capacities and
the interfacial resistance. Here the activation map of that study is put against it: every measured
number with its truth, and the verdicts against those found on a *truth map* (the same map with the
true values and the measured errors), so that a verdict is checked, not only the numbers under it.
"""

from __future__ import annotations

import json
import math
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap.errors import ReadError

# map variable -> truth key prefix (by probe: _tey for the surface, _bulk for the bulk)
STATE_TRUTHS = {"r": "r", "valence_Mn": "mn_valence"}


def read_truth(path: str | PathLike) -> dict:
    """Read a virtual study's ``truth.json``."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReadError(f"not a readable truth file ({exc})", path=path) from exc


def _true_value(cell: dict, variable: str, probe: str, cycle: float) -> float:
    key = f"{STATE_TRUTHS[variable]}_{'tey' if probe == 'surface' else 'bulk'}"
    series = cell.get(key, [])
    return float(series[int(cycle) - 1]) if np.isfinite(cycle) and 1 <= cycle <= len(series) else math.nan


def truth_map(amap, truth: dict):
    """The map with the true values of every number the truth knows (errors as measured)."""
    from redoxmap.study.map_dataset import ActivationMap

    ds = amap.dataset.copy(deep=True)
    for sample, cell in truth.get("cells", {}).items():
        if sample not in ds["sample"]:
            continue
        for variable in STATE_TRUTHS:
            if variable not in ds:
                continue
            for state, cycle in zip(ds["state"].to_numpy(), ds["state_cycle"].to_numpy()):
                for probe in ("surface", "bulk"):
                    where = {"sample": sample, "state": state, "probe": probe}
                    if np.isfinite(ds[variable].loc[where]):
                        ds[variable].loc[where] = _true_value(cell, variable, probe, cycle)
        if "discharge_capacity_mAh_g" in ds:
            series = np.asarray(cell.get("capacity_mAh_g", []), float)
            cycles = ds["cycle"].to_numpy()
            inside = cycles <= len(series)
            values = ds["discharge_capacity_mAh_g"].loc[{"sample": sample}].to_numpy()
            values[inside] = series[cycles[inside] - 1]
            ds["discharge_capacity_mAh_g"].loc[{"sample": sample}] = values
    return ActivationMap(ds, amap.options)


def truth_table(amap, findings, truth: dict) -> pd.DataFrame:
    """Quantity, truth, recovered ± error and whether they agree within 2 standard errors, for every
    number of the virtual cells the truth knows: r and the Mn valence by state and probe, the first and
    last discharge capacity, the interface resistance, and the cycles to half the final r by probe
    (against the same fit on the truth map)."""
    ds = amap.dataset
    rows = []
    for sample, cell in truth.get("cells", {}).items():
        if sample not in ds["sample"]:
            continue
        for variable in [v for v in STATE_TRUTHS if v in ds]:
            for state, cycle in zip(ds["state"].to_numpy(), ds["state_cycle"].to_numpy()):
                for probe in ("surface", "bulk"):
                    value = float(ds[variable].sel(sample=sample, state=state, probe=probe))
                    if not np.isfinite(value):
                        continue
                    rows.append(_number_row(sample, f"{variable} ({probe}), {state}",
                                            _true_value(cell, variable, probe, cycle), value,
                                            float(ds[f"{variable}_stderr"].sel(sample=sample, state=state,
                                                                                probe=probe))))
        if "discharge_capacity_mAh_g" in ds:
            measured = ds["discharge_capacity_mAh_g"].sel(sample=sample)
            known = np.flatnonzero(np.isfinite(measured.to_numpy()))
            series = cell.get("capacity_mAh_g", [])
            for index in (known[:1].tolist() + known[-1:].tolist()) if len(known) else []:
                cycle = int(ds["cycle"][index])
                if cycle <= len(series):
                    rows.append(_number_row(sample, f"discharge capacity (mAh/g), cycle {cycle}", series[cycle - 1],
                                            float(measured[index]),
                                            float(ds["discharge_capacity_mAh_g_stderr"].sel(sample=sample)[index])))
        if "R_interface_ohm" in ds and "eis" in cell:
            values = ds["R_interface_ohm"].sel(sample=sample, probe="electrode")
            finite = np.flatnonzero(np.isfinite(values.to_numpy()))
            if len(finite):
                error = ds["R_interface_ohm_stderr"].sel(sample=sample, probe="electrode")[finite[0]]
                rows.append(_number_row(sample, "interface resistance (ohm)", cell["eis"]["R_int_ohm"],
                                        float(values[finite[0]]), float(error)))
        rows += _interface_rows(ds, sample, cell, truth.get("sem", {}).get(sample))
    rows += _kinetics_rows(findings, truth_map(amap, truth).findings(), truth)
    return pd.DataFrame(
        rows, columns=["sample", "quantity", "truth", "recovered", "recovered_stderr", "within_2_sigma"]
    )


def truth_verdicts(findings, truth: dict, amap) -> pd.DataFrame:
    """Where and how fast each couple works, and the onsets by probe, against the same findings on the
    truth map: ``sample``, ``quantity``, ``truth``, ``recovered``, ``agree``."""
    true = truth_map(amap, truth).findings()
    rows = []
    cells = set(truth.get("cells", {}))
    expected = true.classes()
    for (sample, couple), (where, speed) in findings.classes().items():
        if sample not in cells or (sample, couple) not in expected:
            continue
        true_where, true_speed = expected[(sample, couple)]
        rows.append({"sample": sample, "quantity": f"{couple} redox: where", "truth": true_where,
                     "recovered": where, "agree": where == true_where})
        rows.append({"sample": sample, "quantity": f"{couple} redox: how fast", "truth": true_speed,
                     "recovered": speed, "agree": speed == true_speed})
    def activation(frame):
        return frame[frame["kind"] == "activation"].to_dict("records") if not frame.empty else []

    onsets = {(r["sample"], r["couple"], r["probe"]): r for r in activation(true.onsets)}
    for row in activation(findings.onsets):
        key = (row["sample"], row["couple"], row["probe"])
        if row["sample"] in cells and key in onsets and row["probe"] in ("surface", "bulk"):
            expected_state = _state_name(onsets[key]["onset_state"])
            rows.append({"sample": row["sample"], "quantity": f"{row['couple']} onset ({row['probe']})",
                         "truth": expected_state, "recovered": _state_name(row["onset_state"]),
                         "agree": _state_name(row["onset_state"]) == expected_state})
    return pd.DataFrame(rows, columns=["sample", "quantity", "truth", "recovered", "agree"])


def _state_name(value) -> str:
    """An onset state, or "none" (None and NaN alike)."""
    return value if isinstance(value, str) and value else "none"


def _interface_rows(ds, sample: str, cell: dict, sem: dict | None) -> list[dict]:
    """The gas of the first charge, the decomposition shares by state and the contact fraction, where the
    virtual study wrote them."""
    rows = []
    if "dems" in cell and "gas_O2_umol_g" in ds and 1 in ds["cycle"]:
        value = float(ds["gas_O2_umol_g"].sel(sample=sample, cycle=1))
        if np.isfinite(value):
            rows.append(_number_row(sample, "O2 released in the 1st charge (umol/g)", cell["dems"]["O2_umol_g"], value,
                                    float(ds["gas_O2_umol_g_stderr"].sel(sample=sample, cycle=1))))
    for state, known in cell.get("xps", {}).items():
        if "xps_share_sulfite_sulfate" in ds and state in ds["state"]:
            value = float(ds["xps_share_sulfite_sulfate"].sel(sample=sample, state=state, probe="surface"))
            if np.isfinite(value):
                rows.append(_number_row(sample, f"sulfite/sulfate share of S 2p, {state}",
                                        known["shares"]["sulfite/sulfate"], value,
                                        float(ds["xps_share_sulfite_sulfate_stderr"].sel(sample=sample, state=state,
                                                                                           probe="surface"))))
    if sem and "sem_contact_electrolyte" in ds:
        values = ds["sem_contact_electrolyte"].sel(sample=sample, probe="electrode")
        finite = np.flatnonzero(np.isfinite(values.to_numpy()))
        if len(finite):
            rows.append(_number_row(sample, "contact fraction with the electrolyte (SEM)", sem["contact"],
                                    float(values[finite[0]]),
                                    float(ds["sem_contact_electrolyte_stderr"].sel(sample=sample,
                                                                                   probe="electrode")[finite[0]])))
    return rows


def _number_row(sample, quantity, true, value, error) -> dict:
    within = bool(np.isfinite(error) and abs(value - true) <= 2 * error) or bool(
        not (np.isfinite(error) and error > 0) and math.isclose(value, true, rel_tol=1e-9))
    return {"sample": sample, "quantity": quantity, "truth": float(true), "recovered": value, "recovered_stderr": error,
            "within_2_sigma": within}


def _kinetics_rows(found, true, truth: dict) -> list[dict]:
    cells = set(truth.get("cells", {}))
    kinetics = {(r["sample"], r["couple"], r["source"], r["probe"]): r for r in true.kinetics.to_dict("records")}
    rows = []
    for row in found.kinetics.to_dict("records"):
        key = (row["sample"], row["couple"], row["source"], row["probe"])
        if row["sample"] in cells and row["source"] == "r after charge" and key in kinetics and row["determined"] \
                and kinetics[key]["determined"]:
            rows.append(_number_row(row["sample"], f"cycles to half the final r ({row['probe']})", kinetics[key]["n50"],
                                    row["n50"], row["n50_stderr"]))
    return rows
