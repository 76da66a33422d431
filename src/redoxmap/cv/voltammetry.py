"""Cyclic voltammetry: sweeps, peaks, and what the scan-rate dependence of the peaks says.

* Sweeps are split where the potential reverses; each has a direction (anodic: rising
  potential) and a scan rate (median |dE/dt|).
* Peaks per sweep: a local maximum of a positive current on an anodic sweep (a minimum of a negative one
  on a cathodic sweep) above its baseline: the previous sweep's diffusion tail extrapolated in time
  after a reversal (Nicholson's baseline for the reverse peak), else a line through the flattest stretch
  before the wave, clear of an opening transient; each with its error; per cycle the peak separation and
  E1/2. A sweep without such an extremum has no peak.
* Across scan rates: b from log|i_p| against log v (b = 1 surface-limited / capacitive, b = 0.5
  diffusion-limited); D from the Randles-Sevcik slope of i_p against v^1/2 (weighted by the peaks' errors),
  ``i_p = 0.4463 n F A C sqrt(n F v D / (R T))`` (reversible, planar, semi-infinite diffusion),
  with a warning where the peak separation shows the couple is not reversible; and the
  capacitive/diffusive split ``i(E) = k1 v + k2 v^1/2`` of Dunn and co-workers (Wang et al.,
  J. Phys. Chem. C 111, 14925, 2007).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.ndimage import uniform_filter1d

from redoxmap.errors import AnalysisError, DataWarning, ReadError, warn

FARADAY = 96485.33212  # C/mol
GAS_CONSTANT = 8.314462618  # J/(mol K)


@dataclass
class Voltammogram:
    """A CV record: time (s), potential (V), current (A; positive = anodic) and metadata."""

    time_s: np.ndarray = field(repr=False)
    potential_V: np.ndarray = field(repr=False)
    current_A: np.ndarray = field(repr=False)
    attrs: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The source file's name (``"cv"`` when the record has none): the record's name in tables and figures."""
        return Path(self.attrs.get("source_file", "cv")).name


MIN_RECORDS = 10  # the fewest points of one sweep (sweeps() asks as many of each)


def read_voltammogram(path: str | PathLike, *, scan_rate_mV_s: float | None = None,
                      format: str | None = None) -> Voltammogram:
    """Read a CV record.

    Parameters
    ----------
    path : path-like
        Any potentiostat file redoxmap's cycler readers know (BioLogic CV/CVA ``.mpt``/``.mpr``,
        ...), or a table of potential (V) and current (A) with an optional time column.
    scan_rate_mV_s : float, optional
        The scan rate; it replaces the file's time base (keeping its sweep shape), and a
        table without time needs it.
    format : str, optional
        Force a reader by name (see ``redoxmap formats``).
    """
    from redoxmap.io.potential_table import swept_time
    from redoxmap.io.registry import detect_reader

    path = Path(path)
    reader = detect_reader(path, modality=("cycling", "cv"), format=format)
    options = {"scan_rate_mV_s": scan_rate_mV_s} if "scan_rate_mV_s" in reader.options else {}
    raw = reader.read(path, **options)
    table = raw.table
    time, potential, current = (table[c].to_numpy(float) for c in ("time_s", "voltage_V", "current_A"))
    if len(time) < MIN_RECORDS:
        raise ReadError(f"{len(time)} potential-current records: no sweep (truncated?)", path=path)
    if scan_rate_mV_s and len(time) > 1:  # the user's rate wins; keep the file's sweep shape
        time = swept_time(potential, scan_rate_mV_s)
    attrs = {"source_file": str(path), "format": reader.name}
    if raw.metadata.get("stated_scan_rate_mV_s"):
        attrs["stated_scan_rate_mV_s"] = raw.metadata["stated_scan_rate_mV_s"]
    return Voltammogram(time, potential, current, attrs)


def sweeps(cv: Voltammogram, *, min_points: int = 10) -> pd.DataFrame:
    """Sweeps between potential reversals.

    Returns
    -------
    pandas.DataFrame
        ``sweep``, ``cycle`` (an anodic and the following cathodic sweep), ``direction``
        ("anodic"/"cathodic"), ``start``, ``stop`` (indices), ``E_start_V``, ``E_stop_V``,
        ``scan_rate_mV_s``.

    Raises
    ------
    AnalysisError
        When the record holds fewer than two sweeps (a CV needs a reversal).
    """
    potential = np.asarray(cv.potential_V, float)
    dE = np.diff(uniform_filter1d(potential, 5, mode="nearest"))
    sign = np.sign(dE)
    for k in range(1, len(sign)):  # flat steps keep the previous direction
        if sign[k] == 0:
            sign[k] = sign[k - 1]
    turns = np.flatnonzero(np.diff(sign) != 0) + 1
    bounds = [0, *turns.tolist(), len(potential) - 1]
    rows = []
    for a, b in itertools.pairwise(bounds):
        if b - a < min_points:
            continue
        duration = cv.time_s[b] - cv.time_s[a]
        rate = abs(potential[b] - potential[a]) / duration if duration > 0 else np.nan
        rows.append({"start": a, "stop": b, "direction": "anodic" if potential[b] > potential[a] else "cathodic",
                     "E_start_V": potential[a], "E_stop_V": potential[b], "scan_rate_mV_s": 1e3 * rate})
    table = pd.DataFrame(rows)
    if len(table) < 2:
        raise AnalysisError(f"{len(table)} sweep(s): a cyclic voltammogram needs at least one reversal",
                            path=cv.attrs.get("source_file"))
    table.insert(0, "sweep", np.arange(len(table)))
    first_anodic = int(np.argmax(table["direction"] == "anodic"))
    table.insert(1, "cycle", np.maximum((table["sweep"] - first_anodic) // 2 + 1, 0))
    return table


def _noise(current: np.ndarray) -> float:
    """The point-to-point noise of a current (robust: second differences)."""
    second = np.diff(current, 2)
    if len(second) < 3:
        return 0.0
    return float(np.median(np.abs(second - np.median(second))) / 0.6745 / np.sqrt(6))


def _flat_baseline(potential, current, *, skip: float = 0.03, width: float = 0.12, search: float = 0.45):
    """A line through the flattest stretch of the first part of a sweep (before its wave): the window of
    ``width`` of the points, within the first ``search`` and after the first ``skip`` (an opening
    transient), whose current changes least per volt. Returns the line's coefficients, their covariance,
    and the window's potentials."""
    n = len(potential)
    size = max(int(width * n), 5)
    first, last = max(int(skip * n), 1), max(int(search * n) - size, 2)
    best = None
    for a in range(first, max(last, first + 1), max(size // 4, 1)):
        part = slice(a, a + size)
        if np.ptp(potential[part]) <= 0:
            continue
        coefficients, covariance = np.polyfit(potential[part], current[part], 1, cov="unscaled")
        residual = current[part] - np.polyval(coefficients, potential[part])
        scale = float(residual @ residual / max(size - 2, 1))
        cost = abs(coefficients[0]) * np.ptp(potential[part]) + np.sqrt(scale)
        if best is None or cost < best[0]:
            best = (cost, coefficients, covariance * scale, (float(potential[part][0]), float(potential[part][-1])))
    if best is None:
        raise AnalysisError("a sweep without a potential range to fit a baseline on")
    return best[1:]


PEAK_SIGMA = 5.0  # a peak stands this many noise levels above its baseline
DIFFUSION_TAIL = 0.15  # a forward current still this share of its peak at the switch is a diffusion tail


def _extremum(current, excess, sign: float, noise: float):
    """Index of the largest excess at a local extremum of the current (smoothed over 2 % of the sweep)
    with the sweep's sign, or None."""
    n = len(current)
    smooth = uniform_filter1d(current, max(int(0.02 * n), 3), mode="nearest")
    edge = max(int(0.02 * n), 2)
    interior = np.arange(edge, n - edge)
    extremum = (sign * smooth[interior] >= sign * smooth[interior - 1]) & \
        (sign * smooth[interior] >= sign * smooth[interior + 1])
    candidates = interior[extremum & (sign * current[interior] > 0) & (excess[interior] > PEAK_SIGMA * noise)]
    return int(candidates[np.argmax(excess[candidates])]) if len(candidates) else None


def _sweep_peak(potential, current, direction: str, forward: dict | None = None) -> dict:
    """The peak of one sweep: a local extremum of the current with the sign of the sweep (a maximum of a
    positive current on an anodic sweep, a minimum of a negative one on a cathodic sweep), measured above
    its baseline, with the baseline's error; NaN where there is none.

    The first sweep's baseline is a line through the flattest stretch before its wave, clear of an opening
    transient. A sweep that reverses one with a peak (``forward``: that peak and its baseline) and starts on
    that wave's diffusion tail (a forward current still ``DIFFUSION_TAIL`` of its peak at the switch), which
    no line describes, has Nicholson's peak current (Anal. Chem. 38, 1406 (1966)),
    ``i_rev = (i_rev)0 + 0.485 (i_sw)0 + 0.086 i_fwd``, from the reverse peak and the switching current
    measured against the forward sweep's baseline: exact for a reversible couple, indicative otherwise.
    A sweep starting where the forward current has died away has its own flat-stretch baseline.
    """
    sign = 1.0 if direction == "anodic" else -1.0
    n = len(potential)
    noise = max(_noise(current), 1e-300)
    empty = {"E_peak_V": np.nan, "i_peak_A": np.nan, "i_peak_stderr_A": np.nan, "i_raw_A": np.nan}
    if forward is not None and -sign * (current[0] - np.polyval(forward["coefficients"], potential[0])) \
            < DIFFUSION_TAIL * abs(forward["i_peak_A"]):
        forward = None  # the forward current has died away by the switch: no diffusion tail to start on
    if forward is not None:
        background = np.polyval(forward["coefficients"], potential)
        relative = current - background
        k = _extremum(current, sign * relative, sign, noise)
        if k is None:
            return {**empty, "baseline": "Nicholson (1966), reverse of a peak"}
        switching = -sign * relative[0]  # the forward process's current at the switch, in the forward direction
        height = sign * relative[k] + 0.485 * switching + 0.086 * abs(forward["i_peak_A"])
        error = float(np.hypot(np.hypot(noise, 0.086 * forward["i_peak_stderr_A"]),
                               np.sqrt(1.485) * forward["background_stderr"]))
        return {"E_peak_V": float(potential[k]), "i_peak_A": sign * float(height), "i_peak_stderr_A": error,
                "i_raw_A": float(current[k]), "baseline": "Nicholson (1966), reverse of a peak",
                "baseline_from_V": np.nan, "baseline_to_V": np.nan}
    coefficients, covariance, window = _flat_baseline(potential, current)
    baseline = np.polyval(coefficients, potential)
    design = np.column_stack([potential, np.ones(n)])
    baseline_error = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", design, covariance, design), 0, None))
    k = _extremum(current, sign * (current - baseline), sign, noise)
    found = {"baseline": "line through the flattest stretch before the wave", "baseline_from_V": window[0],
             "baseline_to_V": window[1], "coefficients": coefficients,
             "background_stderr": float(np.median(baseline_error))}
    if k is None:
        return {**empty, **found}
    return {**found, "E_peak_V": float(potential[k]), "i_peak_A": float(current[k] - baseline[k]),
            "i_peak_stderr_A": float(np.hypot(baseline_error[k], noise)), "i_raw_A": float(current[k])}


def cv_peaks(cv: Voltammogram) -> pd.DataFrame:
    """Anodic and cathodic peak of every sweep, and per cycle the separation and E1/2.

    Returns
    -------
    pandas.DataFrame
        Per sweep: ``sweep``, ``cycle``, ``direction``, ``scan_rate_mV_s``, ``E_peak_V``, ``i_peak_A``
        (above the baseline, signed) and ``i_peak_stderr_A``, ``i_raw_A``, ``baseline`` (how it was
        made) with ``baseline_from_V``/``baseline_to_V`` (the stretch a line was fitted on), and per
        cycle ``delta_Ep_V``, ``E_half_V``. A sweep without a local extremum of its own sign above the
        noise has NaN: no peak is reported.
    """
    table = sweeps(cv)
    rows, forward = [], None
    for sweep in table.itertuples():
        part = slice(sweep.start, sweep.stop + 1)
        reverses = forward is not None and np.isfinite(forward["i_peak_A"]) and forward["direction"] != sweep.direction
        found = _sweep_peak(cv.potential_V[part], cv.current_A[part], sweep.direction, forward if reverses else None)
        if "coefficients" in found:  # a sweep with its own baseline: the forward sweep of the next one
            forward = {**found, "direction": sweep.direction}
        elif reverses:
            forward = None  # the next sweep starts a new cycle on its own baseline
        rows.append({"sweep": sweep.sweep, "cycle": sweep.cycle, "direction": sweep.direction,
                     "scan_rate_mV_s": sweep.scan_rate_mV_s,
                     **{k: v for k, v in found.items() if k not in ("coefficients", "background_stderr")}})
    peaks = pd.DataFrame(rows)
    by_cycle = peaks.pivot_table(index="cycle", columns="direction", values="E_peak_V")
    if {"anodic", "cathodic"} <= set(by_cycle.columns):
        separation = (by_cycle["anodic"] - by_cycle["cathodic"]).rename("delta_Ep_V")
        half = ((by_cycle["anodic"] + by_cycle["cathodic"]) / 2).rename("E_half_V")
        peaks = peaks.merge(pd.concat([separation, half], axis=1), left_on="cycle", right_index=True, how="left")
    return peaks


@dataclass
class ScanRateAnalysis:
    """What the peaks of CVs at several scan rates say.

    Attributes
    ----------
    peaks : pandas.DataFrame
        One row per record and direction (the last full cycle of each record).
    b_values : pandas.DataFrame
        Per direction: ``b`` and its standard error from log|i_p| = b log v + a.
    diffusion : pandas.DataFrame
        Per direction: Randles-Sevcik slope (A (V/s)^-1/2, + stderr), intercept, and ``D_cm2_s``
        (+ stderr) under the stated assumptions (``n``, ``area_cm2``, ``concentration_mol_cm3``,
        ``temperature_C``); NaN where those are not given.
    capacitive : pandas.DataFrame
        Per scan rate: the capacitive fraction of the anodic charge, ``k1 v / i``.
    notes : list of str
    """

    peaks: pd.DataFrame
    b_values: pd.DataFrame
    diffusion: pd.DataFrame
    capacitive: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    records: list[Voltammogram] = field(default_factory=list, repr=False)


def _origin_fit(x, y, errors):
    """A line through the origin weighted by the points' errors: slope and its standard error, scaled by
    the reduced chi-square where the points scatter more than their errors allow (the project's convention
    for known errors; unit weights where the errors are unknown, or zero to the precision of the data, as
    for an exact simulation, where their squares would underflow)."""
    from redoxmap.fitting import error_scale

    errors = np.asarray(errors, float)
    precision = 1e-12 * float(np.max(np.abs(y))) if len(y) else 0.0
    known = bool(np.all(np.isfinite(errors) & (errors > precision)))
    weights = 1 / errors ** 2 if known else np.ones_like(x)
    slope = float(np.sum(weights * x * y) / np.sum(weights * x * x))
    residual = y - slope * x
    dof = max(len(x) - 1, 1)
    reduced = float(np.sum(weights * residual ** 2) / dof)
    variance = 1 / float(np.sum(weights * x * x))
    scale = error_scale(reduced, errors_known=known, dof=dof)
    return slope, float(np.sqrt(variance * scale))


def _line_fit(x, y):
    """Least-squares line with standard errors of slope and intercept."""
    A = np.column_stack([x, np.ones_like(x)])
    coefficients, residual, *_ = np.linalg.lstsq(A, y, rcond=None)
    dof = max(len(x) - 2, 1)
    sigma2 = float(residual[0]) / dof if len(residual) and len(x) > 2 else 0.0
    covariance = np.linalg.inv(A.T @ A) * sigma2
    return coefficients, np.sqrt(np.diag(covariance))


def analyze_scan_rates(records: list[Voltammogram], *, n: float = 1.0, area_cm2: float | None = None,
                       concentration_mol_cm3: float | None = None, temperature_C: float = 25.0,
                       intercept: bool = False) -> ScanRateAnalysis:
    """b-values, Randles-Sevcik diffusion coefficients and the capacitive share across scan rates.

    Parameters
    ----------
    records : list of Voltammogram
        CVs of one electrode at different scan rates (one rate per record).
    n : float
        Electrons per molecule (Randles-Sevcik).
    area_cm2, concentration_mol_cm3 : float, optional
        Electrode area and bulk concentration; D is reported only with both.
    temperature_C : float
    intercept : bool
        Fit i_p = slope v^1/2 + intercept (else through the origin).

    Examples
    --------
    Sweeps whose peak current grows as the square root of the scan rate (diffusion-limited): b = 0.5.

    >>> import numpy as np
    >>> def cv(rate_mV_s):
    ...     up = np.linspace(3.0, 4.5, 301)
    ...     potential = np.concatenate([up, up[::-1]])
    ...     time = np.arange(len(potential)) * 0.005 / (rate_mV_s / 1000)
    ...     anodic = np.arange(len(potential)) < len(up)
    ...     centre = np.where(anodic, 3.95, 3.92)
    ...     shape = np.exp(-0.5 * ((potential - centre) / 0.05) ** 2)
    ...     return Voltammogram(time, potential, np.where(anodic, 1, -1) * 1e-3 * np.sqrt(rate_mV_s) * shape)
    >>> result = analyze_scan_rates([cv(v) for v in (0.1, 0.2, 0.5, 1.0)])
    >>> result.b_values[["direction", "b"]].round(3).values.tolist()
    [['anodic', 0.5], ['cathodic', 0.5]]
    """
    if len(records) < 2:
        raise AnalysisError("a scan-rate analysis needs CVs at two or more scan rates")
    rows = []
    for record in records:
        peaks = cv_peaks(record)
        last = peaks[peaks["cycle"] == peaks.loc[peaks["cycle"] > 0, "cycle"].max()] if (peaks["cycle"] > 0).any() \
            else peaks
        for peak in last.itertuples():
            rows.append({"record": record.label, "direction": peak.direction, "scan_rate_mV_s": peak.scan_rate_mV_s,
                         "E_peak_V": peak.E_peak_V, "i_peak_A": peak.i_peak_A, "i_peak_stderr_A": peak.i_peak_stderr_A,
                         "baseline": peak.baseline, "delta_Ep_V": getattr(peak, "delta_Ep_V", np.nan)})
    table = pd.DataFrame(rows).sort_values(["direction", "scan_rate_mV_s"], ignore_index=True)
    if table["scan_rate_mV_s"].round(6).nunique() < 2:
        raise AnalysisError("the records share one scan rate; give CVs at different rates")
    notes, b_rows, d_rows = [], [], []
    temperature = temperature_C + 273.15
    for direction, group in table.groupby("direction"):
        group = group.dropna(subset=["i_peak_A"])
        if len(group) < 2:
            continue
        v = group["scan_rate_mV_s"].to_numpy() * 1e-3
        ip = np.abs(group["i_peak_A"].to_numpy())
        (b, a), (b_err, _) = _line_fit(np.log10(v), np.log10(ip))
        b_rows.append({"direction": direction, "b": b, "b_stderr": b_err, "log10_a": a})
        root = np.sqrt(v)
        if intercept:
            (slope, offset), (slope_err, offset_err) = _line_fit(root, ip)
        else:
            slope, slope_err = _origin_fit(root, ip, group["i_peak_stderr_A"].to_numpy(float))
            offset, offset_err = 0.0, np.nan
        d, d_err = np.nan, np.nan
        if area_cm2 and concentration_mol_cm3:
            # i_p = 0.4463 n F A C sqrt(n F D / (R T)) sqrt(v)  ->  D = (slope / (0.4463 n F A C))^2 R T / (n F)
            k = 0.4463 * n * FARADAY * area_cm2 * concentration_mol_cm3
            d = (slope / k) ** 2 * GAS_CONSTANT * temperature / (n * FARADAY)
            d_err = 2 * d * slope_err / slope
        d_rows.append({"direction": direction, "slope_A_per_sqrtV_s": slope, "slope_stderr": slope_err,
                       "intercept_A": offset, "intercept_stderr_A": offset_err, "D_cm2_s": d, "D_stderr_cm2_s": d_err,
                       "n": n, "area_cm2": area_cm2, "concentration_mol_cm3": concentration_mol_cm3,
                       "temperature_C": temperature_C})
    separation = table["delta_Ep_V"].dropna()
    reversible_limit = 2.3 * GAS_CONSTANT * temperature / (n * FARADAY)  # 59 mV / n at 25 °C
    if len(separation) and separation.median() > 1.5 * reversible_limit:
        notes.append(f"peak separation {1e3 * separation.median():.0f} mV exceeds 1.5 x {1e3 * reversible_limit:.0f} "
                     "mV / n: the couple is not reversible, so Randles-Sevcik D is only indicative")
    for row in b_rows:
        if not 0.4 <= row["b"] <= 1.1:
            notes.append(f"{row['direction']} b = {row['b']:.2f} lies outside 0.5-1: check the peak assignment")
    capacitive = _capacitive(records)
    if not capacitive.empty and (capacitive["capacitive_fraction"] > 1.05).any():
        notes.append("the capacitive share exceeds 1: i = k1 v + k2 v^1/2 does not describe these records "
                     "(different electrodes or changing ones?)")
    result = ScanRateAnalysis(table, pd.DataFrame(b_rows), pd.DataFrame(d_rows), capacitive, notes, records)
    for note in notes:
        warn(note, DataWarning)
    return result


def _capacitive(records: list[Voltammogram], points: int = 200) -> pd.DataFrame:
    """k1 v / i on a common potential grid of the last anodic sweeps (Dunn's method)."""
    curves, rates = [], []
    for record in records:
        table = sweeps(record)
        anodic = table[table["direction"] == "anodic"]
        if anodic.empty:
            continue
        sweep = anodic.iloc[-1]
        part = slice(int(sweep.start), int(sweep.stop) + 1)
        curves.append((record.potential_V[part], record.current_A[part]))
        rates.append(sweep.scan_rate_mV_s * 1e-3)
    if len(curves) < 2:
        return pd.DataFrame()
    lo = max(c[0].min() for c in curves)
    hi = min(c[0].max() for c in curves)
    grid = np.linspace(lo, hi, points)
    currents = np.array([np.interp(grid, e, i) for e, i in curves])  # (rates, points)
    v = np.array(rates)
    # i / v^1/2 = k1 v^1/2 + k2 at each potential: a line across the scan rates.
    design = np.column_stack([np.sqrt(v), np.ones_like(v)])
    k1 = np.linalg.lstsq(design, (currents / np.sqrt(v)[:, None]), rcond=None)[0][0]  # k2 is the diffusive part
    rows = []
    for rate, current in zip(v, currents):
        capacitive = np.trapezoid(np.abs(k1 * rate), grid)
        total = np.trapezoid(np.abs(current), grid)
        rows.append({"scan_rate_mV_s": 1e3 * rate, "capacitive_fraction": capacitive / total if total else np.nan})
    return pd.DataFrame(rows)
