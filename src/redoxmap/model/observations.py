"""Observations for the activation models from measured tables: capacities by cycle, region III
charge, the O activation index by XAS mode and the interface resistance from impedance; and the
particle radius the models take from SEM sections (a fixed value with its error, not fitted)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from redoxmap.model.fit import Observation

R_STDERR_FLOOR = 0.005  # a pre-edge fit's r is not known better than this (normalisation, b0)
# Stated, not measured: an impedance spectrum is of the discharged (or resting) cell, while the overpotential the
# models need is the interface's at the top of charge, and a charge-transfer resistance changes with the state of
# charge. Taken as +-30 % of the resistance; a spectrum at the top of charge, or the charge curves' polarisation,
# would measure it.
INTERFACE_SYSTEMATIC_PCT = 30.0
# The median section of monodisperse spheres cut by random planes: a plane at h R from the centre (h uniform in
# [0, 1)) cuts a circle of diameter D sqrt(1 - h^2), so the median (h = 1/2) is D sqrt(3)/2 (Underwood,
# Quantitative Stereology, 1970: the section-size distribution of spheres). The mean's factor, pi/4, differs by 10 %:
# that is taken as the error of the shape (spheres of one size) the factor assumes.
SECTION_MEDIAN_FACTOR = 3 ** 0.5 / 2
SECTION_SHAPE_PCT = 10.0


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


def interface_observations(resistances: pd.DataFrame | None, *,
                           systematic_pct: float = INTERFACE_SYSTEMATIC_PCT) -> list[Observation]:
    """Observations of the interface resistance times the active mass (ohm g), from impedance fits.

    Parameters
    ----------
    resistances : pandas.DataFrame
        One row per cell: ``temperature_C``, ``R_ohm`` and ``R_stderr_ohm`` (the charge-transfer
        resistance of its spectrum), ``active_mass_mg``. Rows without a finite, positive resistance
        or mass are skipped.
    systematic_pct : float
        The error of taking a spectrum's resistance for the interface's at the top of charge
        (:data:`INTERFACE_SYSTEMATIC_PCT`), added in quadrature to the fit's.

    Returns
    -------
    list of Observation
        ``interface_resistance`` at each cell's temperature (cycle 1: the models hold it constant).

    Examples
    --------
    A 10 mg cell whose charge-transfer arc is 700 +- 35 ohm at 30 °C: 7.0 ohm g, +-30 % and +-5 % in quadrature.

    >>> table = pd.DataFrame({"temperature_C": [30.0], "R_ohm": [700.0], "R_stderr_ohm": [35.0],
    ...                       "active_mass_mg": [10.0]})
    >>> obs = interface_observations(table)[0]
    >>> round(obs.value, 2), round(obs.stderr, 2)
    (7.0, 2.13)
    """
    if resistances is None or resistances.empty:
        return []
    observations = []
    for row in resistances.itertuples():
        mass_g = float(row.active_mass_mg) * 1e-3
        if not (np.isfinite(row.R_ohm) and row.R_ohm > 0 and np.isfinite(mass_g) and mass_g > 0):
            continue
        statistical = float(row.R_stderr_ohm) / float(row.R_ohm) if np.isfinite(row.R_stderr_ohm) else 0.0
        relative = np.hypot(statistical, systematic_pct / 100)
        value = float(row.R_ohm) * mass_g
        observations.append(Observation("interface_resistance", value, float(value * relative),
                                        float(row.temperature_C), 1))
    return observations


def radius_from_sections(d50_um: float, stderr_um: float, *,
                         shape_pct: float = SECTION_SHAPE_PCT) -> tuple[float, float]:
    """The particle radius (nm) and its error from the median equivalent diameter of particle sections.

    ``R = d50 / (2 sqrt(3)/2)``: the median section of spheres of one size (:data:`SECTION_MEDIAN_FACTOR`);
    the error adds the median's own (its bootstrap) and ``shape_pct`` for the shape and size spread
    that factor assumes, in quadrature.

    Examples
    --------
    Sections whose median diameter is 1.732 +- 0.05 µm come from spheres of 1 µm radius:

    >>> radius, error = radius_from_sections(1.732, 0.05)
    >>> round(radius), round(error)
    (1000, 104)
    """
    radius_nm = d50_um * 1e3 / (2 * SECTION_MEDIAN_FACTOR)
    relative = np.hypot(stderr_um / d50_um if d50_um > 0 else np.inf, shape_pct / 100)
    return float(radius_nm), float(radius_nm * relative)
