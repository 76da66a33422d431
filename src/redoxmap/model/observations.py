"""Observations for the activation models from measured tables: capacities by cycle, region III
charge, and the O activation index by XAS mode."""

from __future__ import annotations

import numpy as np
import pandas as pd

from redoxmap.model.fit import Observation

R_STDERR_FLOOR = 0.005  # a pre-edge fit's r is not known better than this (normalisation, b0)


def _observations(kind: str, temperature, cycles, values, stderr_pct: float, floor_mAh_g: float) -> list[Observation]:
    """One observation per cycle >= 1 with a value; its error ``stderr_pct`` of it, at least the floor."""
    return [Observation(kind, float(v), max(stderr_pct / 100 * float(v), floor_mAh_g), float(temperature), int(c))
            for c, v in zip(cycles, values) if c >= 1 and np.isfinite(v)]


def capacity_observations(cells, *, stderr_pct: float = 1.0, floor_mAh_g: float = 1.0) -> list[Observation]:
    """Observations from ``(temperature_C, cycle summary)`` pairs: every cycle's discharge capacity."""
    return [obs for temperature, summary in cells
            for obs in _observations("capacity", temperature, summary["cycle"], summary["discharge_capacity_mAh_g"],
                                     stderr_pct, floor_mAh_g)]


def region_iii_observations(cells, *, stderr_pct: float = 1.0, floor_mAh_g: float = 1.0) -> list[Observation]:
    """Observations from ``(temperature_C, region table)`` pairs (:func:`redoxmap.cycling.region_capacities`):
    every charge's region III capacity, for the time-resolved model."""
    observations = []
    for temperature, regions in cells:
        rows = regions[(regions["direction"] == "charge") & (regions["region"] == "III")]
        observations += _observations("region_iii", temperature, rows["cycle"], rows["capacity_mAh_g"],
                                      stderr_pct, floor_mAh_g)
    return observations


def r_observations(r_values: pd.DataFrame | None, *, floor: float = R_STDERR_FLOOR) -> list[Observation]:
    """Observations from a table of O activation indices (``temperature_C``, ``cycle``, ``mode`` tey or
    bulk, ``r``, ``r_stderr``); an error below ``floor`` (or missing) is raised to it."""
    if r_values is None or r_values.empty:
        return []
    return [Observation("r", float(row.r), max(float(np.nan_to_num(row.r_stderr, nan=floor)), floor),
                        float(row.temperature_C), int(row.cycle), row.mode) for row in r_values.itertuples()]
