"""Everything the cycling section of a report shows, computed for one cell in one call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from redoxmap.cycling.capacity_rise import CapacityRiseFit, fit_capacity_rise_from_summary
from redoxmap.cycling.differential import DqdvResult, dqdv
from redoxmap.cycling.peaks import find_dqdv_peaks, track_peaks
from redoxmap.cycling.peaks import peak_windows as peak_windows_from
from redoxmap.cycling.read import CellMetadata, cell_metadata
from redoxmap.cycling.regions import DEFAULT_REGIONS, VoltageRegion, region_capacities
from redoxmap.cycling.summary import cycle_summary, half_cycles
from redoxmap.defaults import DQDV_PEAK_PROMINENCE, DQDV_SMOOTHING_V, DQDV_VOLTAGE_STEP_V
from redoxmap.errors import AnalysisError, FitError

PROFILE_POINTS = 1000  # rows per half cycle a voltage-profile panel needs (3.5 in at 300 dpi: ~1,000 px)


def profile_rows(table: pd.DataFrame, cycles: Sequence[int], points: int = PROFILE_POINTS) -> pd.DataFrame:
    """The rows of ``cycles``, thinned to at most about ``points`` evenly spaced rows per half cycle (its
    first and last kept): what a voltage-profile figure draws, a few per cent of a long file."""
    chosen = table[table["cycle"].isin(cycles).to_numpy()]
    groups = chosen.groupby("half_cycle", sort=False)["half_cycle"]
    rank, size = groups.cumcount().to_numpy(), groups.transform("size").to_numpy()
    step = np.maximum(1, np.ceil(size / points)).astype(int)
    kept = chosen[(rank % step == 0) | (rank == size - 1)].reset_index(drop=True)
    kept.attrs = table.attrs
    return kept


def capacity_unit(cells: Sequence[_Labelled]) -> str:
    """The unit in which the capacities of ``cells`` compare: ``"mAh/g"`` when every cell's active mass is known,
    else ``"mAh"``. A table's column of it is named with the unit's ``/`` as ``_`` (``discharge_capacity_mAh_g``)."""
    return "mAh/g" if all(cell.metadata.active_mass_mg for cell in cells) else "mAh"


def capacity_column(quantity: str, unit: str) -> str:
    """The per-cycle column of ``quantity`` in ``unit`` (``capacity_column("discharge_capacity", "mAh/g")`` is
    ``"discharge_capacity_mAh_g"``)."""
    return f"{quantity}_{unit.replace('/', '_')}"


class _Labelled:
    """A cell's result, named by its metadata's label."""

    metadata: CellMetadata

    @property
    def name(self) -> str:
        """The cell's label."""
        return self.metadata.label

    @property
    def capacity_unit(self) -> str:
        """The unit of the cell's capacities in its tables and figures (:func:`capacity_unit`)."""
        return capacity_unit([self])


@dataclass
class CyclingSummary(_Labelled):
    """What a figure comparing cells needs of one cell: its metadata, per-cycle table and capacity rise.

    A campaign's comparison figures are drawn in other processes; sent whole, every cell's analysis went with
    them (rows, dQ/dV, peaks: 500 MB of pickles for 256 cells, growing with the campaign)."""

    metadata: CellMetadata
    per_cycle: pd.DataFrame = field(repr=False)
    capacity_rise: CapacityRiseFit | None = None


@dataclass
class CyclingAnalysis(_Labelled):
    """The analyses of one cell: its per-cycle table (``per_cycle``, :func:`redoxmap.cycling.cycle_summary`),
    regions, dQ/dV, peaks and the capacity rise.

    ``table`` holds the cell's rows: all of them, or in a study only what its voltage-profile figure
    draws (:func:`profile_rows`; the whole table is in the study's :class:`redoxmap.store.CellStore`).
    """

    metadata: CellMetadata
    table: pd.DataFrame = field(repr=False)
    half_cycles: pd.DataFrame = field(repr=False)
    per_cycle: pd.DataFrame = field(repr=False)
    regions: pd.DataFrame = field(repr=False)
    dqdv: DqdvResult = field(repr=False)
    peaks: pd.DataFrame = field(repr=False)
    capacity_rise: CapacityRiseFit | None = None
    profile_cycles: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> CyclingSummary:
        """The cell's :class:`CyclingSummary` (what figures comparing cells draw)."""
        return CyclingSummary(self.metadata, self.per_cycle, self.capacity_rise)


def analyze_cycling(
    table: pd.DataFrame,
    *,
    profile_cycles: Sequence[int] = (1, 2, 5, 10, 20, 40),
    regions: Sequence[VoltageRegion] = DEFAULT_REGIONS,
    voltage_step_V: float = DQDV_VOLTAGE_STEP_V,
    smoothing_V: float | str = DQDV_SMOOTHING_V,
    peak_prominence: float = DQDV_PEAK_PROMINENCE,
    peak_windows: str | dict | None = "none",
    exclude_cv: bool = True,
    linear_fade: bool = False,
    keep_rows: str = "all",
) -> CyclingAnalysis:
    """Run every cycling analysis on one cell.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from :func:`redoxmap.read_cycling`.
    profile_cycles : sequence of int
        Cycles kept for voltage-profile and dQ/dV figures (those present are used).
    regions, voltage_step_V, smoothing_V, peak_prominence, exclude_cv, linear_fade
        See :func:`region_capacities`, :func:`dqdv`, :func:`find_dqdv_peaks` and
        :func:`fit_capacity_rise`.
    peak_windows : str or dict
        See :func:`redoxmap.cycling.peaks.peak_windows`.
    keep_rows : {"all", "profiles"}
        Keep every row of the table in the result, or only what the report draws of it
        (:func:`profile_rows`): a study of many long files then holds summaries, not every file's rows.

    Returns
    -------
    CyclingAnalysis
    """
    if keep_rows not in ("all", "profiles"):
        raise AnalysisError(f"keep_rows must be 'all' or 'profiles', not {keep_rows!r}")
    meta = cell_metadata(table)
    halves = half_cycles(table)
    summary = cycle_summary(table, halves=halves)
    present = set(halves["cycle"])
    chosen = [c for c in profile_cycles if c in present] or sorted(present)[:3]
    curves = dqdv(table, voltage_step_V=voltage_step_V, smoothing_V=smoothing_V,
                  exclude_cv=exclude_cv)
    peaks = track_peaks(find_dqdv_peaks(curves, prominence=peak_prominence,
                                        windows=peak_windows_from(peak_windows)))
    profile_curves = curves.select(curves.half_cycles["cycle"].isin(chosen).to_numpy())
    notes, fit = [], None
    try:
        fit = fit_capacity_rise_from_summary(summary, name=meta.label, linear_fade=linear_fade)
        notes.extend(fit.notes)
    except FitError as exc:
        notes.append(str(exc))
    by_region = region_capacities(table, regions=regions)
    if keep_rows == "profiles":
        table = profile_rows(table, chosen)
    return CyclingAnalysis(
        metadata=meta, table=table, half_cycles=halves, per_cycle=summary,
        regions=by_region, dqdv=profile_curves,
        peaks=peaks, capacity_rise=fit, profile_cycles=chosen, notes=notes,
    )
