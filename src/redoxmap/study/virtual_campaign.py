"""A virtual campaign: many cycler files from the activation model in groups of conditions, with
cell-to-cell scatter and two cells with a known fault, so that a campaign's comparison
(:mod:`redoxmap.study.campaign`) is tested against a truth built apart from it.

Four groups (30 and 50 °C, solid- and liquid-phase mixing: the reference composite's contact and the
liquid-phase mixed one's, :data:`redoxmap.model.validation.LPM_PHI_C`) of ``cells_per_group`` cells.
Each cell draws its oxygen capacity (3 %), its interface resistance (10 %, log-normal) and the error
of its weighed mass (1 %). The faults, written to ``truth.json``:

* ``mass slip``: the first cell of the 30 °C solid-phase group has its mass entered ten times too
  large (mg read as tenths of a mg), so its specific capacities are ten times too small;
* ``poor contact``: the first cell of the 50 °C liquid-phase group has a six times larger interface
  resistance, so its capacity rises more slowly.
"""

from __future__ import annotations

import json
from os import PathLike
from pathlib import Path

import numpy as np

from redoxmap.errors import AnalysisError
from redoxmap.io.bdf import write_bdf
from redoxmap.io.tables import atomic_write
from redoxmap.model.cycle_model import ActivationParameters, simulate_cycles
from redoxmap.model.validation import LPM_PHI_C
from redoxmap.study.virtual import cycler_table

GROUPS = ((30.0, "solid phase", 1.0), (50.0, "solid phase", 1.0), (30.0, "liquid phase", LPM_PHI_C[0]),
          (50.0, "liquid phase", LPM_PHI_C[0]))
"""(temperature in °C, mixing, contact relative to the reference composite)."""
MASS_MG = 4.0


def simulate_campaign(out: str | PathLike, *, cells_per_group: int = 16, cycles: int = 30, seed: int = 0) -> Path:
    """Write a virtual campaign (cycler files, ``truth.json``, ``study.toml``) into ``out``.

    Parameters
    ----------
    out : path-like
        The study's folder (created).
    cells_per_group : int
        Cells in each of the four groups.
    cycles : int
        Cycles of each cell.
    seed : int
        The random stream of the scatter (the same seed writes the same campaign).

    Returns
    -------
    Path
        The ``study.toml``.

    Raises
    ------
    redoxmap.errors.AnalysisError
        For no cell per group or fewer than two cycles (nothing is written).
    """
    if cells_per_group < 1 or cycles < 2:
        raise AnalysisError(f"a campaign needs at least one cell per group and two cycles, not {cells_per_group} "
                            f"and {cycles}")
    out = Path(out)
    (out / "cycling").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    nominal = ActivationParameters()
    truth = {"groups": [], "faults": {}, "cells": {}}
    samples = []
    for temperature, mixing, contact in GROUPS:
        truth["groups"].append({"temperature_C": temperature, "mixing": mixing, "phi_c": nominal.phi_c * contact})
        for index in range(cells_per_group):
            name = f"{mixing.split()[0]} {temperature:g}C #{index + 1:02d}"
            resistance = nominal.r_int_ohm_g * float(rng.lognormal(0.0, 0.1))
            fault = ""
            if index == 0 and (temperature, mixing) == (50.0, "liquid phase"):
                resistance, fault = resistance * 6.0, "poor contact"
            parameters = nominal.with_values(phi_c=nominal.phi_c * contact, r_int_ohm_g=resistance,
                                             q_o_mAh_g=nominal.q_o_mAh_g * (1 + 0.03 * float(rng.normal())))
            run = simulate_cycles(parameters, cycles, temperature_C=temperature)
            file = out / "cycling" / f"cell_{len(samples):03d}.bdf.csv"
            write_bdf(cycler_table(run, mass_mg=MASS_MG), file)
            entered = MASS_MG * (1 + 0.01 * float(rng.normal()))
            if index == 0 and (temperature, mixing) == (30.0, "solid phase"):
                entered, fault = entered * 10.0, "mass slip"
            if fault:
                truth["faults"][name] = fault
            truth["cells"][name] = {"temperature_C": temperature, "mixing": mixing, "mass_mg": MASS_MG,
                                    "entered_mass_mg": round(entered, 6), "r_int_ohm_g": resistance,
                                    "q_o_mAh_g": parameters.q_o_mAh_g,
                                    "capacity_mAh_g": run.table["capacity_mAh_g"].round(6).tolist()}
            samples.append(f'\n[[sample]]\nname = "{name}"\nactive_mass_mg = {entered:.6f}\n'
                           f'temperature_C = {temperature:g}\nchemistry = "li-rich"\nsimulated = true\n'
                           f'variables = {{mixing = "{mixing}"}}\n[sample.files]\ncycling = "cycling/{file.name}"\n')
    atomic_write(out / "truth.json", lambda tmp: tmp.write_text(json.dumps(truth, indent=1)))
    head = (f'[study]\nname = "virtual campaign: {len(samples)} cells in {len(GROUPS)} groups"\n'
            f"[cycling]\nprofile_cycles = [1, 2, 5, 10, {cycles}]\n[model]\nrun = false\n")
    return atomic_write(out / "study.toml", lambda tmp: tmp.write_text(head + "".join(samples)))
