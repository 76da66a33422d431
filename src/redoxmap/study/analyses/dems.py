"""The gas a sample's cell released (DEMS, EC-MS): each recording quantified against its cycler file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from redoxmap.cycling.read import read_cycling
from redoxmap.dems.calibration import load_calibration
from redoxmap.dems.quantify import GasEvolution, quantify_gases
from redoxmap.errors import AnalysisError
from redoxmap.io.ms_files import read_ms


@dataclass
class DemsEntry:
    """One recording of a sample with the cycler file of the same cell."""

    file: Path
    cycling: Path | None = None
    calibration: Path | None = None
    offset_s: float | None = None
    state: str = "as measured"


@dataclass
class DemsAnalysis:
    """A sample's gas evolution.

    Attributes
    ----------
    name : str
    results : list of (state, GasEvolution)
    totals : pandas.DataFrame
        Every recording's totals per half cycle and gas, with ``state`` and ``file``.
    oxygen : pandas.DataFrame
        Lattice oxygen lost per half cycle, with ``state`` and ``file``.
    notes : list of str
    """

    name: str
    results: list = field(default_factory=list, repr=False)
    totals: pd.DataFrame = field(default_factory=pd.DataFrame)
    oxygen: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list = field(default_factory=list)


def analyze_dems(name: str, entries: list[DemsEntry], *, calibration: str = "", delay_s: float = 0.0,
                 lag_s: float = 0.0, count_co2: bool = False, active_mass_mg: float | None = None,
                 electrode: str = "cathode") -> DemsAnalysis:
    """Quantify every recording of a sample (its own calibration, else the study's)."""
    result = DemsAnalysis(name)
    totals, oxygen = [], []
    for entry in entries:
        factors = entry.calibration or (Path(calibration) if calibration else None)
        if factors is None:
            raise AnalysisError(f"{entry.file.name}: no sensitivity factors: give calibration = ... in the entry "
                                "or in [dems]")
        cycling = read_cycling(entry.cycling, active_mass_mg=active_mass_mg, electrode=electrode) \
            if entry.cycling else None
        evolution: GasEvolution = quantify_gases(read_ms(entry.file), load_calibration(factors), cycling=cycling,
                                                 offset_s=entry.offset_s, delay_s=delay_s, lag_s=lag_s,
                                                 count_co2=count_co2)
        result.results.append((entry.state, evolution))
        result.notes += [f"{entry.file.name}: {note}" for note in evolution.notes]
        totals.append(evolution.totals.assign(state=entry.state, file=entry.file.name))
        oxygen.append(evolution.lattice_oxygen().assign(state=entry.state, file=entry.file.name))
    result.totals = pd.concat(totals, ignore_index=True) if totals else pd.DataFrame()
    result.oxygen = pd.concat(oxygen, ignore_index=True) if oxygen else pd.DataFrame()
    return result
