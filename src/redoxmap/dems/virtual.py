"""Virtual DEMS recordings with known truth: the gas a Li-rich cathode releases, as a spectrometer sees it.

The gas follows the surface oxygen loss of the activation picture: O2 is released only on the
region III plateau of a charge (above 4.4 V), a fixed fraction of that charge going to lattice
oxygen that leaves as O2 (4 e- per O2), larger at 50 °C than at 30 °C as the reference study
found; CO2 from the oxidation of carbon and electrolyte starts at 4.2 V at a rate proportional
to the current. The released flows pass an inlet delay and a stirred headspace (exponential
lag) and reach a spectrometer with known sensitivity factors, a baseline and noise; the
spectrometer starts ``lead_s`` before the cycler (so the offset is ``lead_s``).

:func:`gas_recording` does this for any cycler record (the virtual study uses its cells');
:func:`simulate_dems_cell` writes a self-contained first-cycle cell (cycler CSV, MS CSV,
calibration, truth) at 0.1 C between 2.0 and 4.7 V, the study's DEMS protocol.
"""

from __future__ import annotations

import json
from os import PathLike
from pathlib import Path

import numpy as np

from redoxmap.dems.calibration import FARADAY_C_MOL, Sensitivity, save_calibration

LOSS_FRACTION = {30: 0.02, 50: 0.05}
"""Share of the region III charge that leaves as O2, by temperature (°C)."""
SENSITIVITY_C_MOL = {"O2": 0.08, "CO2": 0.12}
MASS_OF = {"O2": 32, "CO2": 44}
_BASELINE_A = {"O2": 3e-12, "CO2": 1e-12}
_NOISE_A = {"O2": 1.5e-14, "CO2": 1e-14}


def loss_fraction(temperature_C: float) -> float:
    """The O2 share of region III charge at a temperature (interpolated between 30 and 50 °C in 1/T)."""
    inverse = [1 / (50 + 273.15), 1 / (30 + 273.15)]
    return float(np.exp(np.interp(1 / (temperature_C + 273.15), inverse,
                                  [np.log(LOSS_FRACTION[50]), np.log(LOSS_FRACTION[30])])))


def gas_recording(time_s, voltage_V, current_A, *, mass_g: float, temperature_C: float, rng, delay_s: float = 40.0,
                  lag_s: float = 90.0, lead_s: float = 1800.0, step_s: float = 10.0,
                  until_s: float | None = None) -> tuple[dict, dict]:
    """The spectrometer's record of a cell's gas, and its truth.

    Parameters
    ----------
    time_s, voltage_V, current_A : array-like
        The cell's cycler record (its clock, positive current = charge).
    mass_g : float
        Active material (g).
    temperature_C : float
    rng : numpy.random.Generator
    delay_s, lag_s : float
        Inlet delay and headspace time constant.
    lead_s : float
        The spectrometer starts this long before the cycler (the offset MS time - cycler time).
    until_s : float, optional
        Last cycler time recorded (the whole record if omitted).

    Returns
    -------
    (dict, dict)
        Columns of the MS file (``time_s``, ``M32 [A]``, ``M44 [A]``), and the truth: per charge
        half cycle the O2 and CO2 released (µmol/g) keyed by the half cycle's start time.
    """
    cycler_time = np.asarray(time_s, dtype=float)
    end = cycler_time[-1] if until_s is None else until_s
    grid = np.arange(-lead_s, end + 10 * lag_s, step_s)
    current = np.interp(grid, cycler_time, np.asarray(current_A, float), left=0.0, right=0.0)
    current[grid > end] = 0.0
    voltage = np.interp(grid, cycler_time, np.asarray(voltage_V, float))
    charging = current > 0
    made = {
        "O2": np.where(charging & (voltage > 4.4), loss_fraction(temperature_C) * current / (4 * FARADAY_C_MOL), 0.0),
        "CO2": np.where(charging & (voltage > 4.2), 0.004 * current / (2 * FARADAY_C_MOL), 0.0),
    }
    kernel = np.exp(-np.arange(0, 10 * lag_s, step_s) / lag_s)
    kernel /= kernel.sum()
    columns = {"time_s": grid + lead_s}
    for gas, flow in made.items():
        lagged = np.convolve(flow, kernel)[: len(flow)]
        arrived = np.interp(grid - delay_s, grid, lagged, left=0.0)
        columns[f"M{MASS_OF[gas]} [A]"] = (_BASELINE_A[gas] + SENSITIVITY_C_MOL[gas] * arrived
                                           + rng.normal(0, _NOISE_A[gas], len(grid)))
    total = {gas: float(np.trapezoid(flow, grid) / mass_g * 1e6) for gas, flow in made.items()}
    truth = {"offset_s": lead_s, "delay_s": delay_s, "lag_s": lag_s, "loss_fraction": loss_fraction(temperature_C),
             "O2_umol_g": total["O2"], "CO2_umol_g": total["CO2"]}
    return columns, truth


def sensitivities() -> list[Sensitivity]:
    """The virtual spectrometer's sensitivity factors (1 % standard error)."""
    return [Sensitivity(gas, MASS_OF[gas], value, 0.01 * value, "calibration gas")
            for gas, value in SENSITIVITY_C_MOL.items()]


def write_columns(path: Path, columns: dict) -> Path:
    """A CSV of named columns (written atomically)."""
    from redoxmap.io.tables import atomic_write

    names = list(columns)
    data = np.column_stack([columns[n] for n in names])
    lines = [",".join(names)] + [",".join(f"{v:.10g}" for v in row) for row in data]
    return atomic_write(path, lambda tmp: tmp.write_text("\n".join(lines) + "\n", encoding="utf-8"))


def simulate_dems_cell(folder: str | PathLike, *, temperature_C: int = 30, active_mass_mg: float = 10.0,
                       delay_s: float = 40.0, lag_s: float = 90.0, seed: int = 0) -> dict:
    """Write a virtual first-cycle DEMS cell's files and return its truth.

    Parameters
    ----------
    folder : path-like
    temperature_C : float
    active_mass_mg : float
        Active material in the cathode (the study's 10 mg).
    delay_s, lag_s : float
        Inlet delay and headspace time constant.
    seed : int

    Returns
    -------
    dict
        The truth (also in ``truth.json``): totals in µmol/g, onset voltages, delay, lag and offset.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    mass_g = active_mass_mg / 1000
    charge_capacity, discharge_capacity = 300.0, 250.0  # mAh/g
    current_A = 0.1 * 250.0 * mass_g * 1e-3  # 0.1 C of 250 mAh/g
    t_charge = charge_capacity * mass_g * 3.6 / current_A
    t_discharge = discharge_capacity * mass_g * 3.6 / current_A
    time_s = np.arange(0.0, t_charge + t_discharge, 10.0)
    charging = time_s < t_charge
    current = np.where(charging, current_A, -current_A)
    q_charge = np.clip(time_s * current_A / 3.6 / mass_g, 0, charge_capacity)
    q_discharge = np.clip((time_s - t_charge) * current_A / 3.6 / mass_g, 0, discharge_capacity)
    # charge: sloping to 4.4 V over 120 mAh/g (region II), a 4.5 V plateau (region III), then up to 4.7 V
    voltage = np.where(charging, np.interp(q_charge, [0, 10, 120, 130, 280, 300], [2.9, 3.6, 4.4, 4.5, 4.55, 4.7]),
                       np.interp(q_discharge, [0, 20, 150, 250], [4.6, 4.2, 3.4, 2.0]))
    columns, truth = gas_recording(time_s, voltage, current, mass_g=mass_g, temperature_C=temperature_C, rng=rng,
                                   delay_s=delay_s, lag_s=lag_s, lead_s=1800.0)
    write_columns(folder / "cycler.csv", {"time_s": time_s, "voltage_V": voltage, "current_A": current})
    write_columns(folder / "ms.csv", columns)
    save_calibration(sensitivities(), folder / "calibration.json")
    truth = {**truth, "temperature_C": temperature_C, "active_mass_mg": active_mass_mg,
             "O2_charge_umol_g": truth.pop("O2_umol_g"), "CO2_charge_umol_g": truth.pop("CO2_umol_g"),
             "O2_onset_V": 4.4, "CO2_onset_V": 4.2, "region_III_charge_mAh_g": charge_capacity - 120.0}
    (folder / "truth.json").write_text(json.dumps(truth, indent=1), encoding="utf-8")
    return truth
