"""Per-half-cycle and per-cycle summaries: capacity, energy, efficiency, voltages.

All sums run as ``numpy.bincount`` over half-cycle numbers, so the cost does not grow
with the number of cycles beyond the cost of one pass over the records.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from redoxmap.cycling.read import cell_metadata
from redoxmap.cycling.segmentation import intervals
from redoxmap.errors import AnalysisError, DataWarning, warn

# Beyond these, a specific capacity says more about the mass than about the material.
IMPLAUSIBLY_HIGH_MAH_G = 1000.0
IMPLAUSIBLY_LOW_MAH_G = 1.0


def _specific(frame: pd.DataFrame, mass_g: float | None, columns: dict[str, str]) -> None:
    """Add per-gram columns (``capacity_mAh`` -> ``capacity_mAh_g``) when the mass is known."""
    if mass_g is None:
        return
    for source, target in columns.items():
        frame[target] = frame[source] / mass_g


def half_cycles(table: pd.DataFrame) -> pd.DataFrame:
    """One row per charge or discharge half cycle.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from :func:`redoxmap.read_cycling`.

    Returns
    -------
    pandas.DataFrame
        ``half_cycle``, ``cycle``, ``direction``, ``start_time_s``, ``duration_h``,
        ``capacity_mAh``, ``energy_mWh``, ``mean_voltage_V`` (energy / capacity),
        ``start_voltage_V``, ``end_voltage_V``, ``min_voltage_V``, ``max_voltage_V``,
        ``mean_current_mA``, ``n_points`` and, with a mass, ``capacity_mAh_g``,
        ``energy_mWh_g`` and ``mean_current_mA_g``; with the 1 C current, ``c_rate``.
    """
    meta = cell_metadata(table)
    hc = table["half_cycle"].to_numpy()
    state = table["state"].cat.codes.to_numpy()
    active = (state == 1) | (state == 2)
    if not active.any():
        raise AnalysisError("no charge or discharge half cycle in this record",
                            path=meta.source_file)
    dq, v_mid = intervals(table)
    time = table["time_s"].to_numpy(dtype=float)
    voltage = table["voltage_V"].to_numpy(dtype=float)
    current = table["current_A"].to_numpy(dtype=float)

    n_half = int(hc.max()) + 1
    capacity = np.bincount(hc, weights=dq, minlength=n_half)
    energy = np.bincount(hc, weights=dq * v_mid, minlength=n_half)

    idx = np.flatnonzero(active)
    hc_a = hc[idx]
    starts = np.flatnonzero(np.concatenate([[True], hc_a[1:] != hc_a[:-1]]))
    ends = np.concatenate([starts[1:], [len(idx)]]) - 1
    ids = hc_a[starts]
    first_row, last_row = idx[starts], idx[ends]
    duration = time[last_row] - time[first_row]
    mean_current = np.abs(np.add.reduceat(current[idx], starts)) / (ends - starts + 1)

    out = pd.DataFrame({
        "half_cycle": ids,
        "cycle": table["cycle"].to_numpy()[first_row],
        "direction": np.where(state[first_row] == 1, "charge", "discharge"),
        "start_time_s": time[first_row],
        "duration_h": duration / 3600.0,
        "capacity_mAh": capacity[ids] * 1000.0,
        "energy_mWh": energy[ids] * 1000.0,
        "start_voltage_V": voltage[first_row],
        "end_voltage_V": voltage[last_row],
        "min_voltage_V": np.minimum.reduceat(voltage[idx], starts),
        "max_voltage_V": np.maximum.reduceat(voltage[idx], starts),
        "mean_current_mA": mean_current * 1000.0,
        "n_points": ends - starts + 1,
    })
    with np.errstate(invalid="ignore", divide="ignore"):
        out.insert(7, "mean_voltage_V", np.where(capacity[ids] > 0, energy[ids] / capacity[ids], np.nan))
    _specific(out, meta.active_mass_g, {"capacity_mAh": "capacity_mAh_g",
                                        "energy_mWh": "energy_mWh_g",
                                        "mean_current_mA": "mean_current_mA_g"})
    if meta.active_mass_g is not None and meta.specific_current_mA_g:
        out["c_rate"] = out["mean_current_mA_g"] / meta.specific_current_mA_g
    return out


def _warn_if_implausible(values: pd.Series, source: str, mass_mg: float) -> None:
    finite = values.dropna()
    if finite.empty:
        return
    peak = float(finite.max())
    if peak > IMPLAUSIBLY_HIGH_MAH_G:
        warn(
            f"{source}: specific capacity reaches {peak:.0f} mAh/g with an active mass of "
            f"{mass_mg:g} mg, more than any cathode delivers: is the mass in g instead of mg?",
            DataWarning,
        )
    elif peak < IMPLAUSIBLY_LOW_MAH_G:
        warn(
            f"{source}: specific capacity stays below {IMPLAUSIBLY_LOW_MAH_G:g} mAh/g with an "
            f"active mass of {mass_mg:g} mg: is the mass in µg, or in mg where g was meant?",
            DataWarning,
        )


def cycle_summary(table: pd.DataFrame, *, halves: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per cycle: capacities, coulombic and energy efficiency, voltages, retention.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from :func:`redoxmap.read_cycling`.
    halves : pandas.DataFrame, optional
        Its :func:`half_cycles`, if already computed.

    Returns
    -------
    pandas.DataFrame
        ``cycle``, ``charge_capacity_mAh``, ``discharge_capacity_mAh``,
        ``coulombic_efficiency_pct`` (discharge / charge for a cathode, charge / discharge
        for an anode-first cell), ``charge_energy_mWh``, ``discharge_energy_mWh``,
        ``energy_efficiency_pct``, ``mean_charge_voltage_V``, ``mean_discharge_voltage_V``,
        ``hysteresis_V`` (their difference), ``retention_pct`` (discharge capacity relative
        to the first cycle with one), with a mass the ``..._mAh_g`` and ``..._mWh_g`` columns, and with an
        electrode area the areal ``charge_capacity_mAh_cm2`` and ``discharge_capacity_mAh_cm2``.
        Cycle 0 holds half cycles before the first opening half cycle.

    Warns
    -----
    DataWarning
        When the specific capacity is implausible (a unit slip in the mass).
    """
    meta = cell_metadata(table)
    halves = half_cycles(table) if halves is None else halves
    wide = {}
    for direction in ("charge", "discharge"):
        part = halves.loc[halves["direction"] == direction].set_index("cycle")
        wide[f"{direction}_capacity_mAh"] = part["capacity_mAh"]
        wide[f"{direction}_energy_mWh"] = part["energy_mWh"]
        wide[f"mean_{direction}_voltage_V"] = part["mean_voltage_V"]
    out = pd.DataFrame(wide).sort_index()
    out.index.name = "cycle"
    out = out.reset_index()
    opening, closing = (("charge", "discharge") if meta.electrode == "cathode"
                        else ("discharge", "charge"))
    with np.errstate(invalid="ignore", divide="ignore"):
        out["coulombic_efficiency_pct"] = (
            out[f"{closing}_capacity_mAh"] / out[f"{opening}_capacity_mAh"] * 100.0)
        out["energy_efficiency_pct"] = (
            out["discharge_energy_mWh"] / out["charge_energy_mWh"] * 100.0)
    out["hysteresis_V"] = out["mean_charge_voltage_V"] - out["mean_discharge_voltage_V"]
    reference = out.loc[(out["cycle"] >= 1) & out["discharge_capacity_mAh"].notna(),
                        "discharge_capacity_mAh"]
    out["retention_pct"] = (out["discharge_capacity_mAh"] / reference.iloc[0] * 100.0
                            if not reference.empty else np.nan)
    _specific(out, meta.active_mass_g, {
        "charge_capacity_mAh": "charge_capacity_mAh_g",
        "discharge_capacity_mAh": "discharge_capacity_mAh_g",
        "charge_energy_mWh": "charge_energy_mWh_g",
        "discharge_energy_mWh": "discharge_energy_mWh_g",
    })
    if meta.active_mass_g is not None:
        both = pd.concat([out["charge_capacity_mAh_g"], out["discharge_capacity_mAh_g"]])
        _warn_if_implausible(both, meta.source_file, meta.active_mass_mg)
    if meta.electrode_area_cm2:
        for direction in ("charge", "discharge"):
            out[f"{direction}_capacity_mAh_cm2"] = out[f"{direction}_capacity_mAh"] / meta.electrode_area_cm2
    return out
