"""The microstructure as an observation of the model: phi_c from SEM, and what the model predicts with it.

The activation model's contacted-area fraction ``phi_c`` is 1 for the composite its cells were
fitted on. A sample whose cross-sections show a different contact fraction of the active material
with the electrolyte has ``phi_c = contact(sample) / contact(reference)`` (with its error); the
fitted model run with that ``phi_c`` at the sample's temperature predicts its discharge capacities
*before* its own cycling data are looked at (a band from ``phi_c`` ± its standard error), and the
measured capacities, where the sample was cycled, are the check.
"""

from __future__ import annotations

import math

import pandas as pd

from redoxmap.sem.analysis import contact_ratio

COLUMNS = ["sample", "phi_c", "phi_c_stderr", "temperature_C", "cycle", "predicted_mAh_g", "predicted_low_mAh_g",
           "predicted_high_mAh_g", "measured_mAh_g"]


def _first(outcomes, name):
    return next((o.value for o in outcomes if o.ok and getattr(o.value, "name", o.label) == name), None)


def contact_predictions(result) -> pd.DataFrame:
    """Per sample of ``[sem] predict``: phi_c and the model's capacities with it, beside the measured.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`; empty without a ``[sem] reference_sample``, SEM of it, or a fitted model.
    """
    from redoxmap.model.cycle_model import simulate_cycles

    study = result.study
    reference_name = study.parameters["sem"].reference_sample
    sem = [o for o in result.sections.get("sem", []) if o.ok]
    models = [o.value for o in result.sections.get("model", []) if o.ok]
    reference = _first(sem, reference_name)
    if not reference_name or reference is None or not reference.results or not models:
        return pd.DataFrame(columns=COLUMNS)
    fit = models[0].fit
    samples = {s.name: s for s in study.samples}
    cycling = {o.label: o.value for o in result.sections.get("cycling", []) if o.ok}
    rows = []
    predicted = set(study.parameters["sem"].predict)
    for outcome in sem:
        if outcome.value.name not in predicted or not outcome.value.results:
            continue
        sample = samples[outcome.value.name]
        phi, error = contact_ratio(outcome.value.results[0][1], reference.results[0][1])
        temperature = (
            sample.temperature_C if sample.temperature_C is not None else samples[reference_name].temperature_C
        )
        if temperature is None or not math.isfinite(phi):
            continue
        cycles = 40
        runs = {
            key: simulate_cycles(fit.parameters.with_values(phi_c=max(value, 1e-3)), cycles, temperature_C=temperature)
            for key, value in (("mid", phi), ("low", phi - error), ("high", phi + error))
        }
        measured = {}
        if sample.name in cycling and "discharge_capacity_mAh_g" in cycling[sample.name].per_cycle:
            summary = cycling[sample.name].per_cycle
            measured = dict(zip(summary["cycle"], summary["discharge_capacity_mAh_g"]))
        for k in range(cycles):
            values = sorted(float(runs[key].table["capacity_mAh_g"].iloc[k]) for key in ("low", "high"))
            rows.append({"sample": sample.name, "phi_c": phi, "phi_c_stderr": error, "temperature_C": temperature,
                         "cycle": k + 1, "predicted_mAh_g": float(runs["mid"].table["capacity_mAh_g"].iloc[k]),
                         "predicted_low_mAh_g": values[0], "predicted_high_mAh_g": values[1],
                         "measured_mAh_g": measured.get(k + 1, math.nan)})
    return pd.DataFrame(rows, columns=COLUMNS)
