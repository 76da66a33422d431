"""Differential capacity dQ/dV per half cycle on a common voltage grid.

Method: the charge passed in each logged interval is binned by the interval's mean
voltage (bin width ``voltage_step_V``) and the histogram is convolved with a Gaussian
of standard deviation ``smoothing_V``. The result is a kernel density estimate of
charge over voltage: it integrates exactly to the half cycle's capacity, needs no
monotonic voltage, no interpolation of Q(V) and no derivative of noisy data, and
all half cycles are computed in one ``bincount`` and one filter call (which is why
it is fast enough for files with thousands of cycles).

Tuning: ``smoothing_V`` sets the resolution (a peak narrower than about 2.4 sigma
is broadened to that width); raise it for noisy or coarsely logged data, lower it
for sharp staging peaks. ``voltage_step_V`` only needs to be a fraction of it.
Constant-voltage holds are excluded by default: there all charge flows at one
voltage and dQ/dV is not defined.
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
from redoxmap.errors import AnalysisError


@dataclass
class DqdvResult:
    """dQ/dV of several half cycles on one voltage grid.

    Attributes
    ----------
    voltage_V : numpy.ndarray
        Bin centres, shape ``(n_voltages,)``.
    dqdv : numpy.ndarray
        Shape ``(n_half_cycles, n_voltages)``, in ``unit``; negative for discharge.
    half_cycles : pandas.DataFrame
        ``half_cycle``, ``cycle``, ``direction`` of each row of ``dqdv``.
    unit : str
        ``"mAh/g/V"`` when the mass is known, else ``"mAh/V"``.
    parameters : dict
        The settings used.
    """

    voltage_V: np.ndarray
    dqdv: np.ndarray
    half_cycles: pd.DataFrame
    unit: str
    parameters: dict = field(default_factory=dict)

    @property
    def column(self) -> str:
        """Column name of the values in :meth:`to_frame`."""
        return "dqdv_mAh_g_V" if self.unit == "mAh/g/V" else "dqdv_mAh_V"

    def to_frame(self) -> pd.DataFrame:
        """Long table: ``half_cycle``, ``cycle``, ``direction``, ``voltage_V`` and the values.

        Only voltages inside each half cycle's own range (plus the kernel's reach) are kept.
        """
        _n_half, _n_v = self.dqdv.shape
        reach = 3.0 * self.parameters.get("smoothing_V", 0.0)
        lo = self.half_cycles["min_voltage_V"].to_numpy()[:, None] - reach
        hi = self.half_cycles["max_voltage_V"].to_numpy()[:, None] + reach
        inside = (self.voltage_V[None, :] >= lo) & (self.voltage_V[None, :] <= hi)
        rows, cols = np.nonzero(inside)
        frame = self.half_cycles.iloc[rows][["half_cycle", "cycle", "direction"]].reset_index(drop=True)
        frame["voltage_V"] = self.voltage_V[cols]
        frame[self.column] = self.dqdv[rows, cols]
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


def dqdv(
    table: pd.DataFrame,
    *,
    cycles: Iterable[int] | None = None,
    directions: Iterable[str] = DIRECTIONS,
    voltage_step_V: float = 0.005,
    smoothing_V: float = 0.0075,
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
    smoothing_V : float
        Standard deviation of the Gaussian kernel in V (0 for the raw histogram).
    exclude_cv : bool
        Leave constant-voltage holds out (see :func:`constant_voltage_rows`).
    voltage_range : (float, float), optional
        Grid limits in V; the data's range if omitted.

    Returns
    -------
    DqdvResult

    Examples
    --------
    >>> result = dqdv(table, cycles=[1, 2, 10])  # doctest: +SKIP
    >>> result.to_frame().head()  # doctest: +SKIP
    """
    if voltage_step_V <= 0 or smoothing_V < 0:
        raise AnalysisError("voltage_step_V must be positive and smoothing_V not negative")
    meta = cell_metadata(table)
    mask = active_rows(table, cycles=cycles, directions=directions)
    dq, v_mid = intervals(table)
    mask &= dq > 0
    if exclude_cv:
        mask &= ~constant_voltage_rows(table)
    idx = np.flatnonzero(mask)
    if not len(idx):
        raise AnalysisError("no charge passed in the chosen half cycles", path=meta.source_file)
    v = v_mid[idx]
    lo, hi = voltage_range if voltage_range is not None else (v.min(), v.max())
    pad = 4.0 * smoothing_V
    n_bins = int(np.ceil((hi - lo + 2 * pad) / voltage_step_V)) + 1
    origin = lo - pad
    bins = np.floor((v - origin) / voltage_step_V + 0.5).astype(np.int64)
    inside = (bins >= 0) & (bins < n_bins)
    if not inside.all():
        idx, v, bins = idx[inside], v[inside], bins[inside]

    # Records are in time order, so half cycles are contiguous: no sort needed.
    hc = table["half_cycle"].to_numpy()[idx]
    starts = group_starts(hc)
    local = np.cumsum(np.concatenate([[False], hc[1:] != hc[:-1]]))
    ids = hc[starts]
    charge = table["state"].cat.codes.to_numpy()[idx[starts]] == 1
    # Sign (negative on discharge), units (mAh or mAh/g) and the bin width go into the
    # weights, so the histogram comes out of bincount in its final units.
    scale = 1000.0 / meta.active_mass_g if meta.active_mass_g else 1000.0
    per_half = np.where(charge, scale, -scale) / voltage_step_V
    density = np.bincount(local * n_bins + bins, weights=dq[idx] * per_half[local],
                          minlength=len(ids) * n_bins).reshape(len(ids), n_bins)
    if smoothing_V > 0:
        gaussian_filter1d(density, smoothing_V / voltage_step_V, axis=1, mode="constant",
                          truncate=4.0, output=density)

    info = pd.DataFrame({
        "half_cycle": ids,
        "cycle": table["cycle"].to_numpy()[idx[starts]],
        "direction": np.where(charge, "charge", "discharge"),
        "min_voltage_V": np.minimum.reduceat(v, starts),
        "max_voltage_V": np.maximum.reduceat(v, starts),
    })
    return DqdvResult(
        voltage_V=origin + voltage_step_V * np.arange(n_bins),
        dqdv=density,
        half_cycles=info,
        unit="mAh/g/V" if meta.active_mass_g else "mAh/V",
        parameters={"voltage_step_V": voltage_step_V, "smoothing_V": smoothing_V,
                    "exclude_cv": exclude_cv},
    )
