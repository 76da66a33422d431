"""A virtual study: instrument files written from the activation model, with the truth beside them.

For each temperature a composite-cathode cell is cycled in the model, and its files are
written as a lab would have them:

* a cycler file (Battery Data Format CSV): galvanostatic charge at 0.1 C (1 C = 250 mA/g) with
  the TM capacity on a slope from 3.6 to 4.4 V and the oxygen capacity on the plateau above
  4.4 V (region III of the reference study), and a sloping discharge to 2.0 V whose capacity is
  the model's; a little irreversible charge each cycle (coulombic efficiency 98 %, 85 % in the
  first);
* an impedance spectrum of the discharged cell from ``L0-R0-p(R1,CPE1)-p(R2,CPE2)-W1`` whose
  charge-transfer resistance follows the interfacial resistance R_int(T) of the model, with
  0.3 % noise;
* ``study.toml`` (ready for ``redoxmap report``, with a ``[model]`` section that fits the model
  back) and ``truth.json`` (parameters, per-cycle capacities, the impedance truth).

XAS spectra and in situ XRD patterns of the virtual cells are not written yet.
"""

from __future__ import annotations

import json
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap.eis.circuits import Circuit
from redoxmap.io.bdf import write_bdf
from redoxmap.io.tables import atomic_write
from redoxmap.model.cycle_model import ActivationParameters, arrhenius_factor, simulate_cycles

SPECIFIC_1C_MA_G = 250.0
EIS_CIRCUIT = "L0-R0-p(R1,CPE1)-p(R2,CPE2)-W1"
R_INT_REF_OHM = 120.0  # charge-transfer (interfacial) resistance of the virtual cell at 30 C


def cycler_table(run, *, mass_mg: float, c_rate: float = 0.1, points: int = 120) -> pd.DataFrame:
    """A galvanostatic record (time, voltage, current, cycle) with the model's capacities."""
    current = c_rate * SPECIFIC_1C_MA_G * mass_mg * 1e-6  # A
    rows, clock = [], 0.0
    for row in run.table.itertuples():
        q_tm, q_o = row.capacity_tm_mAh_g, row.capacity_o_mAh_g
        discharge = row.capacity_mAh_g
        efficiency = 0.85 if row.cycle == 1 else 0.98
        charge = discharge / efficiency
        extra = charge - q_tm - q_o  # irreversible charge, at the top of the plateau
        q = np.linspace(0, charge, points)
        voltage = np.where(q < q_tm, 3.6 + 0.8 * q / max(q_tm, 1e-9),
                           4.45 + 0.1 * np.clip((q - q_tm) / max(q_o + extra, 1e-9), 0, 1))
        voltage[-1] = 4.7
        for segment, sign in ((voltage, 1.0), (None, -1.0)):
            if segment is None:
                q = np.linspace(0, discharge, points)
                segment = 4.55 - 2.55 * (q / discharge) ** 1.6
            seconds = q * mass_mg * 1e-3 * 3.6 / current  # mAh/g x g -> mAh -> C / A
            rows.append(pd.DataFrame({"time_s": clock + seconds, "voltage_V": segment, "current_A": sign * current,
                                      "cycle": row.cycle}))
            clock += seconds[-1] + 1.0
    return pd.concat(rows, ignore_index=True)


def r_int_ohm(parameters: ActivationParameters, temperature_C: float) -> float:
    """The virtual cell's interfacial resistance (Arrhenius, with the model's energy and contact)."""
    return R_INT_REF_OHM * arrhenius_factor(-parameters.r_int_activation_energy_eV, temperature_C + 273.15) / parameters.phi_c


def model_section(cycles: int) -> str:
    """The ``[model]`` manifest section that fits the model back to the virtual cells."""
    return f"""
[model]
run = true
vary = ["kappa_ref", "activation_energy_eV", "q_o_mAh_g", "u_ref"]
cycles = {cycles}
"""


def write_virtual_cells(out: str | PathLike, *, parameters: ActivationParameters | None = None,
                        temperatures_C=(30.0, 50.0), cycles: int = 40, mass_mg: float = 4.0, seed: int = 0,
                        prefix: str = "") -> str:
    """Write the virtual cells' files and ``truth.json`` into ``out``.

    Returns
    -------
    str
        Their ``[[sample]]`` manifest entries, with file paths prefixed by ``prefix`` (the
        folder ``out`` relative to the manifest that will list them).
    """
    parameters = parameters or ActivationParameters()
    out = Path(out)
    (out / "cycling").mkdir(parents=True, exist_ok=True)
    (out / "eis").mkdir(exist_ok=True)
    rng = np.random.default_rng(seed)
    circuit = Circuit(EIS_CIRCUIT)
    frequency = np.logspace(5, -2, 57)
    truth = {"parameters": parameters.to_dict(), "cells": {}}
    samples = []
    for temperature in temperatures_C:
        name = f"virtual LLO-{temperature:g}"
        run = simulate_cycles(parameters, cycles, temperature_C=temperature)
        cycling_file = out / "cycling" / f"virtual_{temperature:g}C.bdf.csv"
        write_bdf(cycler_table(run, mass_mg=mass_mg), cycling_file)
        r_ct = r_int_ohm(parameters, temperature)
        eis_parameters = [1e-6, 8.0, 25.0, 2e-6, 0.9, r_ct, 5e-3, 0.8, 5.0]
        z = circuit.impedance(eis_parameters, frequency)
        z = z + 0.003 * np.abs(z) * (rng.normal(size=len(z)) + 1j * rng.normal(size=len(z)))
        eis_file = out / "eis" / f"virtual_{temperature:g}C.csv"
        frame = pd.DataFrame({"freq/Hz": frequency, "Re(Z)/Ohm": z.real, "-Im(Z)/Ohm": -z.imag})
        atomic_write(eis_file, lambda tmp, frame=frame: frame.to_csv(tmp, index=False))
        truth["cells"][name] = {
            "temperature_C": temperature, "mass_mg": mass_mg,
            "capacity_mAh_g": run.table["capacity_mAh_g"].round(6).tolist(),
            "capacity_o_mAh_g": run.table["capacity_o_mAh_g"].round(6).tolist(),
            "r_tey": run.table["r_tey"].round(6).tolist(), "r_bulk": run.table["r_bulk"].round(6).tolist(),
            "eis": {"circuit": EIS_CIRCUIT, "parameters": eis_parameters, "R_int_ohm": r_ct}}
        samples.append(f"""
[[sample]]
name = "{name}"
description = "virtual cell from the activation model (see {prefix}truth.json)"
active_mass_mg = {mass_mg}
temperature_C = {temperature:g}
specific_current_mA_g = {SPECIFIC_1C_MA_G:g}
cell_type = "all-solid-state (virtual)"
[sample.files]
cycling = "{prefix}cycling/{cycling_file.name}"
eis = [{{file = "{prefix}eis/{eis_file.name}", state = "discharged", temperature_C = {temperature:g}}}]
""")
    atomic_write(out / "truth.json", lambda tmp: tmp.write_text(json.dumps(truth, indent=1)))
    return "".join(samples)


def simulate_study(out: str | PathLike, *, cycles: int = 40, temperatures_C=(30.0, 50.0), **options) -> Path:
    """Write a complete virtual study (files, ``truth.json``, ``study.toml``) into ``out``.

    Options are those of :func:`write_virtual_cells`. Returns the ``study.toml``.
    """
    out = Path(out)
    samples = write_virtual_cells(out, cycles=cycles, temperatures_C=temperatures_C, **options)
    manifest = f"""# A virtual study written by `redoxmap simulate study`: every file comes from the activation
# model, and truth.json holds what each analysis should find.
[study]
name = "virtual study: asynchronous activation at {', '.join(f'{t:g}' for t in temperatures_C)} C"

[cycling]
profile_cycles = [1, 2, 5, 10, 20, {cycles}]

[eis]
circuit = "{EIS_CIRCUIT}"
""" + model_section(cycles) + samples
    return atomic_write(out / "study.toml", lambda tmp: tmp.write_text(manifest))
