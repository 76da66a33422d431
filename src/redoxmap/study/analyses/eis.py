"""Impedance of one sample: every spectrum checked (Kramers-Kronig), fitted and resolved (DRT).

A sample's spectra (one file, a loop, or a cycling series) are fitted together in one
batch, each seeded from its own data; the resistances are tabulated against the spectrum
index (cycle) or the temperature, with an Arrhenius activation energy where several
temperatures are given.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from redoxmap.defaults import CIRCUIT, EIS_WEIGHTING, KK_THRESHOLD
from redoxmap.eis.fit import CircuitFit, fit_circuits
from redoxmap.eis.relaxation import DrtResult, drt
from redoxmap.eis.temperature import arrhenius
from redoxmap.eis.validity import KramersKronig, kramers_kronig
from redoxmap.errors import FitWarning, warn
from redoxmap.io.eis_files import ImpedanceSpectrum, read_impedance

if TYPE_CHECKING:
    from redoxmap.study.builtin import EisParameters
    from redoxmap.study.manifest import Sample

DEFAULT_CIRCUIT = CIRCUIT


@dataclass
class ImpedanceEntry:
    """Impedance files of a sample in one state (several files, or a file with many spectra, form a series)."""

    files: list[Path]
    state: str = "as measured"
    temperature_C: float | None = None


@dataclass
class EisAnalysis:
    """Impedance results of one sample.

    Attributes
    ----------
    name : str
    spectra : list of ImpedanceSpectrum
    fits : list of CircuitFit
    kk : list of KramersKronig
    drts : list of DrtResult (the first spectrum of each state)
    resistances : pandas.DataFrame
        Per spectrum: ``state``, ``spectrum``, ``temperature_C``, ``kk_valid``, ``kk_max_residual``,
        ``reduced_chi_square``, ``R0_ohm`` and each RC pair's label, R and C.
    arrhenius : pandas.DataFrame
        Per RC label: ``Ea_eV`` (+ stderr) from ln(1/R) against 1/T, where several temperatures exist.
    notes : list of str
    """

    name: str
    spectra: list[ImpedanceSpectrum] = field(default_factory=list, repr=False)
    fits: list[CircuitFit] = field(default_factory=list, repr=False)
    kk: list[KramersKronig] = field(default_factory=list, repr=False)
    drts: list[tuple[str, DrtResult]] = field(default_factory=list, repr=False)
    resistances: pd.DataFrame = field(default_factory=pd.DataFrame)
    arrhenius: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)


def analyze_eis(name: str, entries: list[ImpedanceEntry], *, circuit: str = DEFAULT_CIRCUIT,
                weighting: str = EIS_WEIGHTING, kk_threshold: float = KK_THRESHOLD, fit_invalid: bool = True,
                solid_state: bool = False) -> EisAnalysis:
    """Read, check, fit and resolve every spectrum of a sample.

    Parameters
    ----------
    name : str
    entries : list of ImpedanceEntry
    circuit : str
        Equivalent circuit (see :mod:`redoxmap.eis.circuits`).
    weighting : str
        See :func:`redoxmap.eis.fit.fit_circuits`.
    kk_threshold : float
        Largest Kramers-Kronig residual (fraction of |Z|) for a valid spectrum.
    fit_invalid : bool
        Also fit spectra that fail the Kramers-Kronig test (flagged in the table).
    solid_state : bool
        Name the arcs as an all-solid-state cell's (bulk / grain boundary, interface, charge transfer);
        otherwise they are numbered by time constant.
    """
    result = EisAnalysis(name)
    states, temperatures = [], []
    for entry in entries:
        for path in entry.files:
            for spectrum in read_impedance(path):
                result.spectra.append(spectrum)
                states.append(entry.state)
                temperatures.append(entry.temperature_C)
    result.kk = [kramers_kronig(s.frequency_Hz, s.z_ohm, threshold=kk_threshold) for s in result.spectra]
    chosen = [k for k, check in enumerate(result.kk) if check.valid or fit_invalid]
    invalid = [result.spectra[k].label for k, check in enumerate(result.kk) if not check.valid]
    if invalid:
        result.notes.append(f"{len(invalid)} of {len(result.spectra)} spectra fail the Kramers-Kronig test "
                            f"(residual > {100 * kk_threshold:g} %): " + ", ".join(invalid[:5])
                            + (" ..." if len(invalid) > 5 else ""))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FitWarning)
        fits = fit_circuits([result.spectra[k] for k in chosen], circuit, weighting=weighting,
                            arc_names="solid-state" if solid_state else "time constant")
    flagged = sum(bool(f.notes) for f in fits)
    if flagged:
        result.notes.append(f"{flagged} of {len(fits)} fits are flagged (a parameter at a bound, undetermined, "
                            f"or unphysical): {caught[0].message if caught else ''}")
    result.fits = fits
    rows = []
    for k, fit in zip(chosen, fits):
        row = {"state": states[k], "spectrum": result.spectra[k].label, "index": k, "temperature_C": temperatures[k],
               "kk_valid": result.kk[k].valid, "kk_max_residual": result.kk[k].max_residual,
               "reduced_chi_square": fit.reduced_chi_square, "R0_ohm": fit.values.get("R0", np.nan),
               "flags": "; ".join(fit.notes)}
        for pair in fit.rc.itertuples():
            row[f"R_{pair.Index + 1}_ohm"] = pair.R_ohm
            row[f"R_{pair.Index + 1}_stderr_ohm"] = pair.R_stderr_ohm
            row[f"C_{pair.Index + 1}_F"] = pair.C_eff_F
            row[f"label_{pair.Index + 1}"] = pair.label
        rows.append(row)
    result.resistances = pd.DataFrame(rows)
    seen = set()
    for k, spectrum in enumerate(result.spectra):
        if states[k] not in seen:
            seen.add(states[k])
            result.drts.append((states[k], drt(spectrum.frequency_Hz, spectrum.z_ohm)))
    result.arrhenius = _arrhenius_table(result.resistances)
    for note in result.notes:
        warn(f"{name}: {note}", FitWarning)
    return result


def interface_resistances(analysis: EisAnalysis, *, checked: bool = False) -> pd.DataFrame:
    """The interface resistance of each state: the slowest RC arc (the charge transfer across the
    cathode's interfaces, the reference study's R_ct).

    Parameters
    ----------
    analysis : EisAnalysis
    checked : bool
        What a model may take as a measurement: only spectra that pass the Kramers-Kronig test with an
        unflagged fit, every such spectrum of a state (a temperature series), and the slowest arc of the
        circuit only (never a faster one in its place). Otherwise (the map's figure) the state's first
        spectrum, its slowest arc with a resistance.

    Returns
    -------
    pandas.DataFrame
        ``state``, ``spectrum``, ``temperature_C``, ``R_ohm``, ``R_stderr_ohm``, in the order of the states.
    """
    columns = ["state", "spectrum", "temperature_C", "R_ohm", "R_stderr_ohm"]
    table = analysis.resistances
    arcs = sorted(int(c.split("_")[1]) for c in table if c.startswith("R_") and c.endswith("_ohm")
                  and "stderr" not in c)
    if table.empty or not arcs:
        return pd.DataFrame(columns=columns)
    if checked:
        table = table[table["kk_valid"].astype(bool) & (table["flags"].fillna("") == "")]
    rows = []
    for state, part in table.groupby("state", sort=False):
        for _, row in (part if checked else part.iloc[:1]).iterrows():
            candidates = arcs[-1:] if checked else arcs[::-1]
            slowest = next((k for k in candidates if np.isfinite(row.get(f"R_{k}_ohm", np.nan))), None)
            if slowest is not None:
                rows.append({"state": state, "spectrum": row["spectrum"], "temperature_C": row["temperature_C"],
                             "R_ohm": row[f"R_{slowest}_ohm"],
                             "R_stderr_ohm": row.get(f"R_{slowest}_stderr_ohm", np.nan)})
    return pd.DataFrame(rows, columns=columns)


def _arrhenius_table(table: pd.DataFrame) -> pd.DataFrame:
    if table.empty or table["temperature_C"].isna().all() or table["temperature_C"].nunique() < 2:
        return pd.DataFrame()
    rows = []
    columns = ["R0_ohm"] + [c for c in table.columns if c.startswith("R_") and not c.endswith("stderr_ohm")]
    for column in columns:
        valid = table[column].notna() & table["temperature_C"].notna() & (table[column] > 0)
        if table.loc[valid, "temperature_C"].nunique() < 2:
            continue
        error = table.loc[valid, column.replace("_ohm", "_stderr_ohm")] if column != "R0_ohm" else None
        ea, ea_err = arrhenius(table.loc[valid, "temperature_C"], table.loc[valid, column], error)
        label = column if column == "R0_ohm" else table.loc[valid, f"label_{column.split('_')[1]}"].iloc[0]
        rows.append({"resistance": column, "label": label, "Ea_eV": ea, "Ea_stderr_eV": ea_err,
                     "temperatures_C": sorted(table.loc[valid, "temperature_C"].unique().tolist())})
    return pd.DataFrame(rows)


def analyze_eis_sample(sample: Sample, parameters: EisParameters):
    """Check, fit and resolve every impedance spectrum of a sample (the task the executor runs)."""
    entries = [ImpedanceEntry(files=o["files"], state=o.get("state", "as measured"),
                              temperature_C=o.get("temperature_C", sample.temperature_C))
               for o in sample.file_options.get("eis", [])]
    labels = parameters.arc_labels
    solid = labels == "solid-state" or (labels == "auto" and "solid" in (sample.cell_type or "").lower())
    return analyze_eis(sample.name, entries, circuit=parameters.circuit, weighting=parameters.weighting,
                       kk_threshold=parameters.kk_threshold, solid_state=solid)
