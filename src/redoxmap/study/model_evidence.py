"""What a study's own measurements give the activation model besides its capacities and r-values.

* **The interface resistance** (:func:`model_interface_resistances`): each fitted cell's
  charge-transfer resistance from its impedance spectrum, times its active mass, is a measurement of
  the model's ``R_int(T)`` (ohm g) at that cell's temperature. It enters the fit as an observation
  with its error (the circuit fit's and the stated error of reading a resting cell's spectrum for the
  top of charge, :data:`redoxmap.model.observations.INTERFACE_SYSTEMATIC_PCT`), so cells at two
  temperatures fix the resistance's Arrhenius energy too, and the interface no longer trades off
  against the transport inside the particle.
* **The particle radius** (:func:`model_particle_radius`): the median equivalent diameter of the
  active material's sections in the fitted cells' SEM, corrected for sections of spheres
  (:func:`redoxmap.model.observations.radius_from_sections`), replaces the stated radius with its
  error.
* **The probing depths** (:func:`model_probing_depths`): the ``[xas]`` depths its spectra are read with, so that
  the fit and the map use the same ones, each with its error.

Both re-run the modality's analysis of the cells the model learns from (an impedance fit or a
segmentation: fractions of a second per sample), so the model needs no other task's result.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from redoxmap.errors import FitWarning, RedoxmapError
from redoxmap.study.manifest import Study

INTERFACE_COLUMNS = ["sample", "temperature_C", "R_ohm", "R_stderr_ohm", "active_mass_mg", "spectrum"]


def predicted_samples(study: Study) -> set[str]:
    """Samples the model predicts rather than learns from (``[sem] predict``, with a ``reference_sample``):
    their SEM contact gives their phi_c, their cycling is the check."""
    parameters = study.parameters["sem"]
    return set(parameters.predict) if parameters.reference_sample else set()


def _learning_samples(study: Study, modality: str):
    """The samples the model learns from that have files of a modality: a temperature, an active mass,
    and not one of those it predicts (``[sem] predict``)."""
    held_out = predicted_samples(study)
    return [s for s in study.samples if s.temperature_C is not None and s.active_mass_mg
            and s.name not in held_out and s.files.get(modality)]


def model_interface_resistances(study: Study) -> pd.DataFrame:
    """Per cell the model learns from: the interface resistance of its first impedance state.

    The first state the manifest lists is the one taken (the model holds the interface constant over
    cycles, and the earliest spectrum is the closest to the charges that activate), each of its spectra
    that is a measurement (:func:`redoxmap.study.analyses.eis.interface_resistances` with ``checked``:
    Kramers-Kronig valid, an unflagged fit, the slowest arc itself), so a temperature series in that
    state gives one row per temperature. A sample whose first state has none, or whose spectra cannot be
    read or fitted, is left out (its own EIS task reports why).

    Parameters
    ----------
    study : Study

    Returns
    -------
    pandas.DataFrame
        Columns :data:`INTERFACE_COLUMNS`; the temperature is the spectrum's (its entry's
        ``temperature_C``), else the sample's.
    """
    from redoxmap.study.analyses.eis import analyze_eis_sample, interface_resistances

    rows = []
    for sample in _learning_samples(study, "eis"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FitWarning)  # the EIS task itself warns about its fits
                analysis = analyze_eis_sample(sample, study.parameters["eis"])
        except RedoxmapError:
            continue
        if analysis.resistances.empty:
            continue
        first_state = analysis.resistances["state"].iloc[0]
        table = interface_resistances(analysis, checked=True)
        for row in table[table["state"] == first_state].itertuples():
            temperature = row.temperature_C
            rows.append({"sample": sample.name,
                         "temperature_C": float(temperature) if temperature is not None and np.isfinite(temperature)
                         else float(sample.temperature_C),
                         "R_ohm": float(row.R_ohm), "R_stderr_ohm": float(row.R_stderr_ohm),
                         "active_mass_mg": float(sample.active_mass_mg), "spectrum": row.spectrum})
    return pd.DataFrame(rows, columns=INTERFACE_COLUMNS)


def model_particle_radius(study: Study) -> tuple[float, float, str] | None:
    """The particle radius (nm), its error and its source from the SEM of the cells the model learns from.

    Each sample's median section diameter of the active phase (its first state) is converted
    (:func:`redoxmap.model.observations.radius_from_sections`); several samples are averaged with
    inverse-variance weights, their error the larger of the weighted one and their replicate spread's;
    the error of the spheres' shape the conversion assumes, and of a spread of sizes (the widest
    sample's), are the material's, shared by every sample, so they are added once, after averaging.

    Parameters
    ----------
    study : Study

    Returns
    -------
    tuple of (float, float, str) or None
        None without SEM of those cells or without particles of the active phase.
    """
    from redoxmap.fitting import replicate_error
    from redoxmap.model.observations import SECTION_SHAPE_PCT, radius_from_sections
    from redoxmap.study.analyses.sem import analyze_sem_sample

    parameters = study.parameters["sem"]
    phase = parameters.active_phase
    radii, widths, names = [], [], []
    for sample in _learning_samples(study, "sem"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FitWarning)
                analysis = analyze_sem_sample(sample, parameters)
        except RedoxmapError:
            continue
        if not analysis.results:
            continue
        measured = analysis.results[0][1]
        d50 = measured.value("d50_um", phase)
        rows = measured.table[(measured.table["metric"] == "d50_um") & (measured.table["phase"] == phase)]
        error = float(rows["stderr"].iloc[0]) if len(rows) else math.nan
        if not (np.isfinite(d50) and d50 > 0 and np.isfinite(error)):
            continue
        radii.append(radius_from_sections(d50, error, shape_pct=0.0))
        widths.append(radius_from_sections(d50, 0.0, shape_pct=0.0, d10_um=measured.value("d10_um", phase),
                                           d90_um=measured.value("d90_um", phase))[1] / radii[-1][0])
        names.append(f"{sample.name} (d50 {d50:.2f} +- {error:.2f} µm)")
    if not radii:
        return None
    values, errors = np.array(radii).T
    if np.all(errors > 0):
        weights = 1 / errors ** 2
        value, statistical = float(np.sum(weights * values) / np.sum(weights)), float(np.sqrt(1 / np.sum(weights)))
    else:  # a median without a bootstrap error: the plain mean, its error from the spread
        value, statistical = float(np.mean(values)), 0.0
    spread, _ = replicate_error(values)
    statistical = max(statistical, spread) if np.isfinite(spread) else statistical
    # the shape's error and the size spread's are the material's, shared by every sample: added once
    width = float(np.nanmax(widths))
    error = float(value * np.sqrt((statistical / value) ** 2 + (SECTION_SHAPE_PCT / 100) ** 2 + width ** 2))
    source = (f"the study's SEM: median section diameter of the {phase} in "
              f"{'; '.join(names)}, as sections of spheres (median = sqrt(3)/2 of the diameter; +- for their "
              f"shape: {SECTION_SHAPE_PCT:g} %; for a d90/d10 beyond one size's: {100 * width:.0f} %)")
    return value, error, source


def model_probing_depths(study: Study) -> dict[str, tuple[float, float, str]]:
    """The probing depths the study's spectra are read with (``[xas]`` ``tey_depth_nm`` and ``bulk_depth_nm``, with
    their errors: the manifest's, or the package's defaults where it sets none), for its model fit:
    ``{"tey_nm": (value, error, source), "bulk_nm": ...}``, so that the fit's r by probe and the map's two-layer
    values use the same depths (unless ``[model] parameters`` set the model's own ``tey_nm`` or ``bulk_nm``), each
    with its error drawn."""
    xas = study.parameters["xas"]
    read = "(the manifest's, else the package's default): the depth the study's {} spectra are read with"
    return {"tey_nm": (float(xas.tey_depth_nm), float(xas.tey_depth_stderr_nm),
                       "[xas] tey_depth_nm +- tey_depth_stderr_nm " + read.format("surface")),
            "bulk_nm": (float(xas.bulk_depth_nm), float(xas.bulk_depth_stderr_nm),
                        "[xas] bulk_depth_nm +- bulk_depth_stderr_nm " + read.format("bulk"))}
