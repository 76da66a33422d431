"""Differential capacity dQ/dV per half cycle on a common voltage grid.

Method: the charge passed in each logged interval is spread evenly over the voltages the interval
covers (from its first to its last reading, widened by the voltage resolution: a reading V means a
true voltage within V +- resolution/2), deposited exactly on a fine grid, and the density is
smoothed with a Gaussian of standard deviation ``smoothing_V``. The result integrates exactly to
each half cycle's capacity, needs no monotonic voltage, no interpolation of Q(V) and no derivative
of noisy data, and all half cycles are computed in a few ``bincount`` calls and one filter call
(which is why it is fast enough for files with thousands of cycles).

Each half cycle's density is kept on its own stretch of the common grid (its voltages, widened by
the kernel's reach): a file of 290,000 short half cycles would otherwise hold a dense grid of every
half cycle on the whole voltage axis (556 MB for 16 copies of a real Neware file); the stretches hold
what the half cycles cover. Inside its stretch a row is computed exactly as on the dense grid (the
same deposits, the same sums), in blocks of rows so that no step holds more than a block at once.

Why spread and not bin at the interval's mean voltage: logs sampled sparsely (a point every few
mV) or with quantised voltages (1-5 mV steps are common in Maccor and LAND files) put the charge
of a flat plateau on a comb of discrete voltages, which a narrow kernel turns into ripples that a
peak finder reads as peaks. Spreading removes the comb at its source; the kernel is then never
narrower than the resolution (``smoothing_V="auto"``: the larger of 7.5 mV and twice the
resolution, reported in ``parameters``).

Constant-voltage holds are excluded by default: there all charge flows at one voltage and dQ/dV
is not defined.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.ndimage import gaussian_filter1d

from redoxmap.cycling.read import cell_metadata
from redoxmap.cycling.segmentation import intervals
from redoxmap.cycling.selection import DIRECTIONS, active_rows, group_starts
from redoxmap.defaults import DQDV_SMOOTHING_V, DQDV_VOLTAGE_STEP_V
from redoxmap.errors import AnalysisError
from redoxmap.results import DataView


@dataclass(repr=False)
class DqdvResult(DataView):
    """dQ/dV of several half cycles, each on its own stretch of one voltage grid (``plot()`` draws
    them; a notebook shows a summary).

    Attributes
    ----------
    voltage_V : numpy.ndarray
        Bin centres of the common grid, shape ``(n_voltages,)``.
    values : numpy.ndarray
        The half cycles' densities one after the other (row ``k`` covers the bins
        ``windows[k, 0]`` to ``windows[k, 1]`` of the grid, zero outside), in ``unit``; negative for
        discharge.
    windows : numpy.ndarray
        ``(n_half_cycles, 2)`` first and stop bin of each row.
    half_cycles : pandas.DataFrame
        ``half_cycle``, ``cycle``, ``direction``, ``min_voltage_V``, ``max_voltage_V`` of each row.
    unit : str
        ``"mAh/g/V"`` when the mass is known, else ``"mAh/V"``.
    parameters : dict
        The settings used.
    offsets : numpy.ndarray
        Where each row starts in ``values`` (and, last, where the last row ends); set from ``windows``.
    """

    voltage_V: np.ndarray
    values: np.ndarray = field(repr=False)
    windows: np.ndarray = field(repr=False)
    half_cycles: pd.DataFrame
    unit: str
    parameters: dict = field(default_factory=dict)
    offsets: np.ndarray = field(init=False, repr=False)

    title = "dQ/dV"

    def summary(self) -> dict:
        """Half cycles, the cycles they belong to, the voltage range and unit, the settings."""
        cycles = sorted({int(c) for c in self.half_cycles["cycle"]})
        shown = ", ".join(map(str, cycles[:8])) + (f", ... ({len(cycles)} cycles)" if len(cycles) > 8 else "")
        return {"half cycles": len(self.half_cycles), "cycles": shown,
                "voltage range": f"{self.voltage_V.min():.3f}-{self.voltage_V.max():.3f} V", "unit": self.unit,
                **{k: v for k, v in self.parameters.items() if not isinstance(v, (list, tuple, dict))}}

    def __repr__(self) -> str:
        return f"DqdvResult({len(self.half_cycles)} half cycles, {self.unit})"

    def _draw(self, ax) -> None:
        from matplotlib import colormaps

        cycles = sorted({int(c) for c in self.half_cycles["cycle"]})[:12]
        colors = {c: colormaps["viridis"](k / max(len(cycles) - 1, 1)) for k, c in enumerate(cycles)}
        for k, info in enumerate(self.half_cycles.itertuples(index=False)):
            if info.cycle in colors:
                ax.plot(self.voltage_V, self.row(k), lw=0.9, color=colors[info.cycle],
                        label=f"cycle {info.cycle}" if info.direction == "charge" or k == 0 else None)
        ax.axhline(0.0, color="0.6", lw=0.5)
        ax.set_xlabel("Voltage (V)")
        ax.set_ylabel(f"dQ/dV ({self.unit})")
        ax.legend(fontsize=6.5)

    @property
    def column(self) -> str:
        """Column name of the values in :meth:`to_frame`."""
        return "dqdv_mAh_g_V" if self.unit == "mAh/g/V" else "dqdv_mAh_V"

    def __post_init__(self) -> None:
        self.offsets = np.concatenate([[0], np.cumsum(self.windows[:, 1] - self.windows[:, 0])])

    def row(self, k: int) -> np.ndarray:
        """Row ``k`` on the whole grid (zero outside its stretch), shape ``(n_voltages,)``."""
        start, stop = self.windows[k]
        out = np.zeros(len(self.voltage_V))
        out[start:stop] = self.values[self.offsets[k]:self.offsets[k + 1]]
        return out

    @property
    def dqdv(self) -> np.ndarray:
        """Every row on the whole grid, ``(n_half_cycles, n_voltages)``: for a few half cycles (a figure),
        not for a file of thousands (use :meth:`row` or :meth:`to_frame`)."""
        return np.array([self.row(k) for k in range(len(self.windows))]).reshape(len(self.windows),
                                                                                 len(self.voltage_V))

    def select(self, keep: np.ndarray) -> DqdvResult:
        """The rows where ``keep`` (a boolean per half cycle) is true."""
        keep = np.asarray(keep, bool)
        offsets = self.offsets
        parts = [self.values[offsets[k]:offsets[k + 1]] for k in np.flatnonzero(keep)]
        return DqdvResult(self.voltage_V, np.concatenate(parts) if parts else np.zeros(0), self.windows[keep],
                          self.half_cycles.loc[keep].reset_index(drop=True), self.unit, self.parameters)

    def to_frame(self) -> pd.DataFrame:
        """Long table: ``half_cycle``, ``cycle``, ``direction``, ``voltage_V`` and the values.

        Only voltages inside each half cycle's own range (plus the kernel's reach) are kept.
        """
        reach = 3.0 * self.parameters.get("smoothing_V", 0.0)
        lengths = self.windows[:, 1] - self.windows[:, 0]
        rows = np.repeat(np.arange(len(lengths)), lengths)
        bins = np.arange(lengths.sum()) - np.repeat(self.offsets[:-1], lengths) + np.repeat(self.windows[:, 0], lengths)
        voltage = self.voltage_V[bins]
        lo = self.half_cycles["min_voltage_V"].to_numpy()[rows] - reach
        hi = self.half_cycles["max_voltage_V"].to_numpy()[rows] + reach
        inside = (voltage >= lo) & (voltage <= hi)
        frame = self.half_cycles.iloc[rows[inside]][["half_cycle", "cycle", "direction"]].reset_index(drop=True)
        frame["voltage_V"] = voltage[inside]
        frame[self.column] = self.values[inside]
        return frame


def constant_voltage_rows(table: pd.DataFrame, *, tolerance_V: float = 0.003) -> np.ndarray:
    """Records in a constant-voltage hold at the end of a half cycle.

    A record is in a CV hold when its voltage is within ``tolerance_V`` of its half
    cycle's extreme (the maximum on charge, the minimum on discharge) and its current
    has fallen below 95 % of the half cycle's largest.
    """
    codes = table["state"].cat.codes.to_numpy()
    idx = np.flatnonzero((codes == 1) | (codes == 2))
    out = np.zeros(len(table), dtype=bool)
    if not len(idx):
        return out
    hc = table["half_cycle"].to_numpy()[idx]
    voltage = table["voltage_V"].to_numpy(dtype=float)[idx]
    current = np.abs(table["current_A"].to_numpy(dtype=float)[idx])
    starts = group_starts(hc)
    lengths = np.diff(np.append(starts, len(idx)))
    charge = codes[idx][starts] == 1
    v_ext = np.where(charge, np.maximum.reduceat(voltage, starts), np.minimum.reduceat(voltage, starts))
    i_max = np.maximum.reduceat(current, starts)
    v_ext, i_max = np.repeat(v_ext, lengths), np.repeat(i_max, lengths)
    out[idx] = (np.abs(voltage - v_ext) <= tolerance_V) & (current < 0.95 * i_max)
    return out


DEFAULT_SMOOTHING_V = 0.0075


def voltage_resolution(voltage: np.ndarray) -> float:
    """The voltage step a log is quantised to (V), or 0 for a log that is not: the smallest common
    step when nine in ten changes between consecutive readings are whole multiples of it (1 mV
    for a log rounded to 1 mV), else 0 (a continuous log sampled sparsely is not quantised)."""
    steps = np.abs(np.diff(np.asarray(voltage, float)))
    steps = steps[steps > 1e-9]
    if len(steps) < 10:
        return 0.0
    quantum = float(np.percentile(steps, 5))
    ratio = steps / quantum
    whole = np.abs(ratio - np.round(ratio)) < 0.05
    return quantum if whole.mean() >= 0.9 else 0.0


def _ramp_deposits(x: np.ndarray, weight: np.ndarray, origin: float, step: float, rows: np.ndarray,
                   n_edges: int, shift: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices and weights that, summed and integrated twice along a row, give ``weight * (e - x)+``
    at every grid edge e (the exact second difference of a ramp starting between two edges), for rows
    whose first column is grid edge ``shift``."""
    m = np.floor((x - origin) / step).astype(np.int64)
    t = origin + (m + 1) * step - x  # distance to the next edge, in (0, step]
    index = np.concatenate([rows * n_edges + m - shift + 1, rows * n_edges + m - shift + 2])
    return index, np.concatenate([weight * t, weight * (step - t)])


def dqdv(
    table: pd.DataFrame,
    *,
    cycles: Iterable[int] | None = None,
    directions: Iterable[str] = DIRECTIONS,
    voltage_step_V: float = DQDV_VOLTAGE_STEP_V,
    smoothing_V: float | str = DQDV_SMOOTHING_V,
    exclude_cv: bool = True,
    voltage_range: tuple[float, float] | None = None,
) -> DqdvResult:
    """dQ/dV of every chosen half cycle.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from :func:`redoxmap.read_cycling`.
    cycles : iterable of int, optional
        Cycles to include; all if omitted.
    directions : iterable of str
        ``"charge"`` and/or ``"discharge"``.
    voltage_step_V : float
        Grid spacing in V.
    smoothing_V : float or "auto"
        Standard deviation of the Gaussian kernel in V (0 for none); ``"auto"``: the larger of
        7.5 mV and twice the log's voltage resolution.
    exclude_cv : bool
        Leave constant-voltage holds out (see :func:`constant_voltage_rows`).
    voltage_range : (float, float), optional
        Grid limits in V; the data's range if omitted.

    Returns
    -------
    DqdvResult
        ``parameters`` holds the smoothing used and the voltage resolution found.

    Examples
    --------
    >>> import redoxmap
    >>> table = redoxmap.read_cycling(redoxmap.demo_source() / "cycling" / "neware_test_2.ndax",
    ...                               active_mass_mg=5.0)
    >>> result = dqdv(table, cycles=[1, 2])
    >>> result.half_cycles[["cycle", "direction"]].values.tolist()
    [[1, 'charge'], [1, 'discharge'], [2, 'charge'], [2, 'discharge']]
    >>> result.unit
    'mAh/g/V'
    """
    voltage = table["voltage_V"].to_numpy(dtype=float)
    resolution = voltage_resolution(voltage)
    if smoothing_V == "auto":
        smoothing_V = max(DEFAULT_SMOOTHING_V, 2 * resolution)
    if not isinstance(smoothing_V, (int, float)) or voltage_step_V <= 0 or smoothing_V < 0:
        raise AnalysisError("voltage_step_V must be positive and smoothing_V 'auto' or not negative")
    meta = cell_metadata(table)
    mask = active_rows(table, cycles=cycles, directions=directions)
    dq, v_mid = intervals(table)
    mask &= dq > 0
    if exclude_cv:
        mask &= ~constant_voltage_rows(table)
    idx = np.flatnonzero(mask)
    if not len(idx):
        raise AnalysisError("no charge passed in the chosen half cycles", path=meta.source_file)
    hc = table["half_cycle"].to_numpy()[idx]
    # The interval ending at record i runs from the previous reading of its half cycle to reading i.
    previous = np.where(idx > 0, voltage[np.maximum(idx - 1, 0)], voltage[idx])
    same = (idx > 0) & (table["half_cycle"].to_numpy()[np.maximum(idx - 1, 0)] == hc)
    start = np.where(same, previous, voltage[idx])
    low = np.minimum(start, voltage[idx]) - resolution / 2
    high = np.maximum(start, voltage[idx]) + resolution / 2
    lo, hi = voltage_range if voltage_range is not None else (low.min(), high.max())
    pad = 4.0 * smoothing_V + 2 * voltage_step_V
    n_bins = int(np.ceil((hi - lo + 2 * pad) / voltage_step_V)) + 1
    origin = lo - pad
    inside = (low >= origin) & (high <= origin + (n_bins - 1) * voltage_step_V)
    if not inside.all():
        idx, hc, low, high = idx[inside], hc[inside], low[inside], high[inside]

    # Records are in time order, so half cycles are contiguous: no sort needed.
    starts = group_starts(hc)
    local = np.cumsum(np.concatenate([[False], hc[1:] != hc[:-1]]))
    ids = hc[starts]
    charge = table["state"].cat.codes.to_numpy()[idx[starts]] == 1
    # Sign (negative on discharge), units (mAh or mAh/g) and the bin width go into the
    # weights, so the density comes out in its final units.
    scale = 1000.0 / meta.active_mass_g if meta.active_mass_g else 1000.0
    q = dq[idx] * np.where(charge, scale, -scale)[local]
    reach = int(4.0 * smoothing_V / voltage_step_V + 0.5) + 2  # the kernel's radius, and the ramps' two edges
    first = np.floor((np.minimum.reduceat(low, starts) - origin) / voltage_step_V).astype(np.int64) - reach
    last = np.floor((np.maximum.reduceat(high, starts) - origin) / voltage_step_V).astype(np.int64) + 1 + reach
    windows = np.column_stack([np.clip(first, 0, n_bins), np.clip(last, 0, n_bins)])
    values = _densities(low, high, q, local, windows, origin, voltage_step_V, smoothing_V)

    v_mid_chosen = v_mid[idx]
    info = pd.DataFrame({
        "half_cycle": ids,
        "cycle": table["cycle"].to_numpy()[idx[starts]],
        "direction": np.where(charge, "charge", "discharge"),
        "min_voltage_V": np.minimum.reduceat(v_mid_chosen, starts),
        "max_voltage_V": np.maximum.reduceat(v_mid_chosen, starts),
    })
    return DqdvResult(
        voltage_V=origin + voltage_step_V * (np.arange(n_bins) + 0.5),
        values=values,
        windows=windows,
        half_cycles=info,
        unit="mAh/g/V" if meta.active_mass_g else "mAh/V",
        parameters={"voltage_step_V": voltage_step_V, "smoothing_V": float(smoothing_V),
                    "voltage_resolution_V": resolution, "exclude_cv": exclude_cv},
    )


BLOCK_CELLS = 4_000_000  # grid cells (rows x bins) a block of half cycles may hold at once: 32 MB


def _densities(low, high, q, local, windows, origin: float, step: float, smoothing_V: float) -> np.ndarray:
    """Each half cycle's smoothed density over its window of the grid, concatenated: the intervals'
    charge spread exactly over the bins they cover (ramps deposited as second differences and summed
    twice), then the Gaussian kernel; computed in blocks of consecutive half cycles."""
    n_rows = len(windows)
    widths = windows[:, 1] - windows[:, 0]
    row_of = np.searchsorted(local, np.arange(n_rows + 1))  # each half cycle's intervals: row_of[k]:row_of[k+1]
    out, begin = [], 0
    while begin < n_rows:
        end = begin + 1
        while end < n_rows and (end + 1 - begin) * widths[begin:end + 1].max() <= BLOCK_CELLS:
            end += 1
        out.extend(_block(low, high, q, local, windows, row_of, begin, end, origin, step, smoothing_V))
        begin = end
    return np.concatenate(out) if out else np.zeros(0)


def _block(low, high, q, local, windows, row_of, begin: int, end: int, origin: float, step: float,
           smoothing_V: float) -> list[np.ndarray]:
    """The rows ``begin:end`` (see :func:`_densities`), each cut to its window."""
    span = slice(row_of[begin], row_of[end])
    low, high, q, rows = low[span], high[span], q[span], local[span] - begin
    first = windows[begin:end, 0]
    n_rows, width = end - begin, int((windows[begin:end, 1] - first).max())
    shift = first[rows]  # each interval's row starts its window at this bin
    n_edges = width + 3
    size = high - low
    wide = size > 1e-12
    slope = q[wide] / size[wide]
    index_a, weight_a = _ramp_deposits(low[wide], slope, origin, step, rows[wide], n_edges, shift[wide])
    index_b, weight_b = _ramp_deposits(high[wide], -slope, origin, step, rows[wide], n_edges, shift[wide])
    second = np.bincount(np.concatenate([index_a, index_b]), weights=np.concatenate([weight_a, weight_b]),
                         minlength=n_rows * n_edges).reshape(n_rows, n_edges)
    # float even when no interval spans a voltage change (numpy's bincount of nothing is integer)
    cumulative = np.cumsum(np.cumsum(second, axis=1, dtype=float), axis=1)  # charge below each edge
    density = np.diff(cumulative[:, :width + 1], axis=1)
    if (~wide).any():  # an interval without a voltage change: its charge where it was logged
        bins = np.floor((low[~wide] - origin) / step).astype(np.int64) - shift[~wide]
        density += np.bincount(rows[~wide] * width + bins, weights=q[~wide],
                               minlength=n_rows * width).reshape(n_rows, width)
    density /= step
    if smoothing_V > 0:
        gaussian_filter1d(density, smoothing_V / step, axis=1, mode="constant", truncate=4.0, output=density)
    return [density[k, :windows[begin + k, 1] - first[k]] for k in range(n_rows)]
