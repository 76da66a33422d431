"""What a study measured of the surface reaction besides the surface valences that fix its rate: the share of each
chemical family in its XPS regions (the electrolyte's side products: SOx, TM-S, PO4, P2S5) and the lattice oxygen its
DEMS saw leave in each charge, by sample and temperature. The model section shows them beside the model's surface
reaction as evidence; they are never fitted (the model has no quantity they measure directly)."""

from __future__ import annotations

import pandas as pd

COLUMNS = ["sample", "temperature_C", "state", "measured", "value", "stderr", "unit"]


def surface_reaction_evidence(result) -> pd.DataFrame:
    """The study's XPS family shares and DEMS lattice-oxygen losses per charge, one row each.

    Parameters
    ----------
    result : StudyResult

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`; empty without XPS or DEMS outcomes that hold numbers.
    """
    temperatures = {s.name: s.temperature_C for s in result.study.samples}
    rows = []
    for outcome in result.sections.get("xps", []):
        if outcome.ok and not outcome.value.shares.empty:
            sample = outcome.value.name
            for row in outcome.value.shares.to_dict("records"):
                temperature = row.get("temperature_C")
                rows.append([sample, temperatures.get(sample) if pd.isna(temperature) else temperature,
                             row["state"], f"share of the {row['family']} family in {row['region']} (XPS)",
                             row["share"], row["share_stderr"], "fraction"])
    for outcome in result.sections.get("dems", []):
        if outcome.ok and not outcome.value.oxygen.empty:
            sample = outcome.value.name
            for row in outcome.value.oxygen.to_dict("records"):
                if row["direction"] == "charge" and row["cycle"] >= 1:
                    gases = "O2 and CO2, an upper bound" if row.get("counts_co2") else "O2"
                    rows.append([sample, temperatures.get(sample), row["state"],
                                 f"lattice oxygen released in charge {int(row['cycle'])} as {gases} (DEMS)",
                                 row["oxygen_umol_g"], row["oxygen_stderr_umol_g"], "umol/g"])
    return pd.DataFrame(rows, columns=COLUMNS)
