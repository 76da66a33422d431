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
ONE_SIZE_D90_D10 = (0.99 / 0.19) ** 0.5  # sections of equal spheres: d90 / d10 = sqrt(1 - 0.1^2) / sqrt(1 - 0.9^2)


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
    """Observations of the interface resistance times the active mass (ohm g), from impedance fits: one
    per temperature.

    The cells at one temperature are pooled (inverse-variance mean of R x mass; its error the larger of
    the weighted one and their replicate spread's, :func:`redoxmap.fitting.replicate_error`), and
    the stated error of reading a resting cell's spectrum for the top of charge is added once: it is the
    same for every cell, so it must not shrink with their number. Across temperatures it is counted at
    each, which over-states the error of the resistance's Arrhenius energy (a shared bias would cancel
    in their ratio): the cautious side.

    Parameters
    ----------
    resistances : pandas.DataFrame
        One row per cell and spectrum: ``temperature_C``, ``R_ohm`` and ``R_stderr_ohm`` (the
        charge-transfer resistance), ``active_mass_mg``. Rows without a finite, positive resistance or
        mass are skipped.
    systematic_pct : float
        That stated error (:data:`INTERFACE_SYSTEMATIC_PCT`), in % of the resistance.

    Returns
    -------
    list of Observation
        ``interface_resistance`` at each temperature (cycle 1: the models hold it constant).

    Examples
    --------
    A 10 mg cell whose charge-transfer arc is 700 +- 35 ohm at 30 °C: 7.0 ohm g, +-30 % and +-5 % in quadrature.

    >>> table = pd.DataFrame({"temperature_C": [30.0], "R_ohm": [700.0], "R_stderr_ohm": [35.0],
    ...                       "active_mass_mg": [10.0]})
    >>> obs = interface_observations(table)[0]
    >>> round(obs.value, 2), round(obs.stderr, 2)
    (7.0, 2.13)
    """
    from redoxmap.fitting import replicate_error

    if resistances is None or resistances.empty:
        return []
    table = resistances.assign(value=resistances["R_ohm"] * resistances["active_mass_mg"] * 1e-3,
                               error=resistances["R_stderr_ohm"] * resistances["active_mass_mg"] * 1e-3)
    table = table[np.isfinite(table["value"]) & (table["value"] > 0) & (table["active_mass_mg"] > 0)]
    observations = []
    for temperature, part in table.groupby("temperature_C", sort=True):
        values, errors = part["value"].to_numpy(float), part["error"].to_numpy(float)
        if np.all(np.isfinite(errors) & (errors > 0)):
            weights = 1 / errors ** 2
            value, statistical = float(np.sum(weights * values) / np.sum(weights)), float(np.sqrt(1 / np.sum(weights)))
        else:  # a fit without an error: the plain mean, its error from the spread alone
            value, statistical = float(np.mean(values)), 0.0
        spread, _ = replicate_error(values)
        statistical = max(statistical, spread) if np.isfinite(spread) else statistical
        error = float(np.hypot(statistical, systematic_pct / 100 * value))
        observations.append(Observation("interface_resistance", value, error, float(temperature), 1))
    return observations


def radius_from_sections(d50_um: float, stderr_um: float, *, shape_pct: float = SECTION_SHAPE_PCT,
                         d10_um: float | None = None, d90_um: float | None = None) -> tuple[float, float]:
    """The particle radius (nm) and its error from the median equivalent diameter of particle sections.

    ``R = d50 / (2 sqrt(3)/2)``: the median section of spheres of one size (:data:`SECTION_MEDIAN_FACTOR`).
    The error adds in quadrature the median's own (its bootstrap), ``shape_pct`` for the shape that
    factor assumes and, given the sections' d10 and d90, their spread beyond one size's: sections of
    equal spheres have ``d90 / d10 = sqrt(0.99 / 0.19) = 2.28``, and the excess of the measured ratio over
    it is added as a relative error (a stated widening, not an unfolding of the size distribution: where
    sizes spread, the volume-weighted radius that transport feels lies above the median's, and
    Saltykov's method would give it).

    Parameters
    ----------
    d50_um, stderr_um : float
        The sections' median equivalent diameter and its standard error (µm).
    shape_pct : float
        The shape's error, in %.
    d10_um, d90_um : float, optional
        The sections' 10th and 90th percentiles (µm).

    Returns
    -------
    tuple of float
        The radius and its standard error (nm).

    Examples
    --------
    Sections whose median diameter is 1.732 +- 0.05 µm come from spheres of 1 µm radius:

    >>> radius, error = radius_from_sections(1.732, 0.05)
    >>> round(radius), round(error)
    (1000, 104)
    """
    radius_nm = d50_um * 1e3 / (2 * SECTION_MEDIAN_FACTOR)
    spread = 0.0
    if d10_um and d90_um and d10_um > 0:
        spread = max(d90_um / d10_um / ONE_SIZE_D90_D10 - 1.0, 0.0)
    relative = np.sqrt((stderr_um / d50_um if d50_um > 0 else np.inf) ** 2 + (shape_pct / 100) ** 2 + spread ** 2)
    return float(radius_nm), float(radius_nm * relative)
