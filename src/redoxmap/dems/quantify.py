"""From ion currents to µmol of gas per gram, on the cycler's clock.

The steps, each stated in the result:

1. **Alignment**: the cycler's file and the mass spectrometer's recording run on different
   clocks; ``MS time = cycler time + offset``. The offset is the one given, else the one
   Zilien measured for that potentiostat file, else the difference of the two files' start
   times.
2. **Baseline**: the mean ion current of a quiet window (given; by default the recording before
   the cycler's first current, or its first tenth) is subtracted; its scatter is the noise.
3. **Inlet delay**: gas leaving the cathode at ``t`` reaches the spectrometer at ``t + delay``.
4. **Headspace lag**: the cell's headspace, swept by the carrier, is a stirred volume with time
   constant ``tau = V / flow``: the measured flow is the produced one convolved with
   ``exp(-t/tau)/tau``, so ``rate = measured + tau * d(measured)/dt`` (derivative by a
   Savitzky-Golay filter). Totals over a closed interval hardly change; rates and onsets do.
5. **Rates and totals**: ``n_dot = I / F`` (:mod:`redoxmap.dems.calibration`), integrated over each
   half cycle; per gram of active material. Errors: the baseline noise integrated over the
   interval, and the calibration's relative error, in quadrature.
6. **What it means**: each gas's onset voltage in a charge (first sustained rate above three
   times the noise), the O2-equivalent charge (4 e- per O2: 1 µmol/g = 0.1072 mAh/g) against
   the region III capacity, and the lattice oxygen lost (2 O per O2; CO2 counted only if asked,
   as 2 O per CO2, an upper bound: its oxygen may come from the electrolyte or carbonate).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from redoxmap.dems.calibration import FARADAY_C_MOL
from redoxmap.errors import AnalysisError, DataWarning, warn
from redoxmap.results import FitResult

MAH_G_PER_UMOL_G_O2 = 4 * FARADAY_C_MOL * 1e-6 / 3.6
"""O2-equivalent charge of 1 µmol/g of O2 (4 electrons per molecule) in mAh/g: 0.1072."""


@dataclass(repr=False)
class GasEvolution(FitResult):
    """Gas evolution of a cell: rates on a time grid, totals per half cycle and what they mean.

    Attributes
    ----------
    source_file : str
    gases : tuple of str
    time_s : numpy.ndarray
        The grid, on the cycler's clock (s).
    rates_mol_s : numpy.ndarray
        One row per gas: baseline-, delay- and lag-corrected molar flow (mol/s).
    noise_mol_s : dict
        Baseline scatter of each gas's rate.
    voltage_V, current_A : numpy.ndarray
        The cycler's record on the grid (empty without a cycler file).
    totals : pandas.DataFrame
        Per half cycle and gas: ``half_cycle``, ``cycle``, ``direction``, ``gas``, ``amount_umol``,
        ``amount_umol_g``, ``amount_stderr_umol_g``, ``onset_V``; and for O2 ``o2_equivalent_mAh_g``,
        ``region_III_mAh_g``.
    assumptions : dict
    active_mass_g : float or None
    notes : list of str
    """

    bounded = False  # integrals, not a fit with bounds

    title = "Gas evolution (DEMS)"

    source_file: str
    gases: tuple
    time_s: np.ndarray
    rates_mol_s: np.ndarray
    noise_mol_s: dict
    voltage_V: np.ndarray
    current_A: np.ndarray
    totals: object
    assumptions: dict
    active_mass_g: float | None = None
    notes: list = field(default_factory=list)

    def __repr__(self) -> str:
        return (
            f"GasEvolution({Path(self.source_file).name!r}, gases {', '.join(self.gases)}, {len(self.totals)} totals)"
        )

    def rate_nmol_min(self, gas: str) -> np.ndarray:
        """A gas's rate in nmol/min on :attr:`time_s`."""
        return self.rates_mol_s[self.gases.index(gas)] * 1e9 * 60

    def _parameters(self):
        """The amount of each gas per half cycle with its standard error, in µmol/g (µmol without an
        active mass)."""
        import pandas as pd

        per_gram = self.active_mass_g is not None
        rows = [(f"{r.gas}, {r.direction} {r.cycle}", r.amount_umol_g if per_gram else r.amount_umol,
                 r.amount_stderr_umol_g if per_gram else r.amount_stderr_umol, "µmol/g" if per_gram else "µmol")
                for r in self.totals.itertuples()]
        return pd.DataFrame(rows, columns=["parameter", "value", "stderr", "unit"])

    def statistics(self) -> dict:
        """The assumptions of the analysis (offsets, delay, lag, baseline, sensitivities...) and each
        gas's baseline noise in nmol/min."""
        return {**self.assumptions, **{f"noise {gas} (nmol/min)": v * 6e10 for gas, v in self.noise_mol_s.items()}}

    def lattice_oxygen(self):
        """Lattice oxygen lost per half cycle: O atoms from O2 (2 per molecule) and, if the analysis
        was asked to count it, from CO2 (2 per molecule, an upper bound).

        Returns
        -------
        pandas.DataFrame
            ``half_cycle``, ``cycle``, ``direction``, ``oxygen_umol_g``, ``oxygen_stderr_umol_g``, ``counts_co2``.
        """
        import pandas as pd

        counted = ["O2"] + (["CO2"] if self.assumptions.get("count_co2") else [])
        rows = []
        for (half, cycle, direction), group in self.totals.groupby(["half_cycle", "cycle", "direction"], sort=True):
            chosen = group[group["gas"].isin(counted)]
            rows.append((half, cycle, direction, 2 * chosen["amount_umol_g"].sum(),
                         2 * math.sqrt((chosen["amount_stderr_umol_g"] ** 2).sum()), "CO2" in counted))
        return pd.DataFrame(rows, columns=["half_cycle", "cycle", "direction", "oxygen_umol_g",
                                           "oxygen_stderr_umol_g", "counts_co2"])

    def _draw(self, ax) -> None:
        from redoxmap.palette import COLORS

        hours = self.time_s / 3600
        for index, gas in enumerate(self.gases):
            ax.plot(hours, self.rate_nmol_min(gas), lw=0.9, color=COLORS[index % len(COLORS)], label=gas)
        ax.axhline(0, color="0.7", lw=0.5)
        ax.set_xlabel("Time (h)")
        ax.set_ylabel("Gas rate (nmol/min)")
        ax.legend(fontsize="x-small", frameon=False)

    def plot_cell(self, figure=None):
        """Voltage, current and gas rates on one time axis (as the reference study's Fig. S15).

        Returns
        -------
        matplotlib.figure.Figure
        """
        if figure is None:
            import matplotlib.pyplot as plt

            figure = plt.figure(figsize=(4.0, 5.0), layout="constrained")
        voltage_ax, current_ax, gas_ax = figure.subplots(3, 1, sharex=True, gridspec_kw={"height_ratios": [2, 1, 2]})
        hours = self.time_s / 3600
        if len(self.voltage_V):
            voltage_ax.plot(hours, self.voltage_V, color="black", lw=0.9)
            current_ax.plot(hours, self.current_A * 1e3, color="0.3", lw=0.9)
        voltage_ax.set_ylabel("Voltage (V)")
        current_ax.set_ylabel("Current (mA)")
        self._draw(gas_ax)
        return figure


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(str(text).replace("Z", ""))
    except ValueError:
        return None


def cycler_offset(recording, cycling) -> tuple[float, str]:
    """``MS time = cycler time + offset``: the offset and how it was found.

    Raises
    ------
    AnalysisError
        When neither a measured offset nor both start times are known.
    """
    meta = cycling.attrs.get("redoxmap", {}) if cycling is not None else {}
    source = Path(meta.get("source_file", "") or "")
    stem = Path(recording.source_file).stem
    if recording.offsets_s and source.name.startswith(stem):
        number = re.match(r"_(\d{2})", source.name[len(stem):])
        if number and number.group(1) in recording.offsets_s:
            return recording.offsets_s[
                number.group(1)
            ], f"measured by the MS program for potentiostat file {number.group(1)}"
    cycler_start = _parse_time(meta.get("file_metadata", {}).get("start_time"))
    ms_start = _parse_time(recording.start_time)
    if cycler_start and ms_start:
        return (cycler_start - ms_start).total_seconds(), "difference of the two files' start times"
    raise AnalysisError(f"cannot align {source.name or 'the cycler file'} with {Path(recording.source_file).name}: "
                        "no measured offset and not both start times; pass offset_s (--offset-s on the command line)")


def _savgol_derivative(values: np.ndarray, step: float, window_s: float) -> np.ndarray:
    from scipy.signal import savgol_filter

    points = max(5, round(window_s / step) | 1)  # odd, at least 5
    if points > len(values):
        points = len(values) if len(values) % 2 else len(values) - 1
    if points < 5:
        return np.gradient(values, step)
    return savgol_filter(values, points, 2, deriv=1, delta=step)


def quantify_gases(recording, sensitivities, *, cycling=None, active_mass_g: float | None = None,
                   offset_s: float | None = None, delay_s: float = 0.0, lag_s: float = 0.0,
                   baseline_window_s: tuple[float, float] | None = None, count_co2: bool = False) -> GasEvolution:
    """Quantify the gases of a DEMS/EC-MS recording, aligned with the cell's cycler file.

    Parameters
    ----------
    recording : MsRecording
    sensitivities : sequence of Sensitivity
        One per gas (``calibrate_gas``, ``calibrate_faradaic`` or ``load_calibration``).
    cycling : pandas.DataFrame, optional
        The cell's record from :func:`redoxmap.read_cycling` (half cycles, voltage, mass).
    active_mass_g : float, optional
        Active material in the cathode (g); from the cycler record's mass if omitted.
    offset_s : float, optional
        ``MS time = cycler time + offset``; found by :func:`cycler_offset` if omitted.
    delay_s : float
        Transit time from the cell to the spectrometer.
    lag_s : float
        Headspace time constant (volume / flow); 0 for no correction.
    baseline_window_s : (float, float), optional
        Quiet window on the MS clock.
    count_co2 : bool
        Count CO2's oxygen as lattice oxygen lost.

    Returns
    -------
    GasEvolution

    Examples
    --------
    A virtual cell whose oxygen release is known (:func:`redoxmap.dems.simulate_dems_cell`):

    >>> import tempfile
    >>> from pathlib import Path
    >>> from redoxmap import read_cycling
    >>> from redoxmap.dems import load_calibration, read_ms, simulate_dems_cell
    >>> folder = Path(tempfile.mkdtemp())
    >>> truth = simulate_dems_cell(folder, temperature_C=50)
    >>> gases = quantify_gases(read_ms(folder / "ms.csv"), load_calibration(folder / "calibration.json"),
    ...                        cycling=read_cycling(folder / "cycler.csv", active_mass_mg=truth["active_mass_mg"]),
    ...                        offset_s=truth["offset_s"], delay_s=truth["delay_s"], lag_s=truth["lag_s"])
    >>> o2 = gases.totals.query("gas == 'O2' and direction == 'charge'").iloc[0]
    >>> print(f"{o2.amount_umol_g:.0f} ± {o2.amount_stderr_umol_g:.1f} umol/g (true: {truth['O2_umol_g']:.0f})")
    84 ± 0.8 umol/g (true: 84)
    """
    sensitivities = list(sensitivities)
    if not sensitivities:
        raise AnalysisError("at least one sensitivity factor (gas) is needed")
    notes = []
    if cycling is not None and offset_s is None:
        offset_s, how = cycler_offset(recording, cycling)
    else:
        how = "given" if offset_s is not None else "none (no cycler file)"
        offset_s = offset_s or 0.0
    series = {}
    for s in sensitivities:
        time_s, signal = recording.signal(s.mz)
        series[s.gas] = (time_s - offset_s - delay_s, signal)  # on the cycler's clock, at the cell
    step = max(float(np.median(np.diff(t))) for t, _ in series.values())
    start = max(t[0] for t, _ in series.values())
    end = min(t[-1] for t, _ in series.values())
    if not end > start + 10 * step:
        raise AnalysisError("the gases' channels overlap for less than ten samples", path=recording.source_file)
    grid = np.arange(start, end, step)
    if cycling is not None:
        cycler_time = cycling["time_s"].to_numpy()
        active = cycling["state"].to_numpy() != "rest"
        first_current = cycler_time[active][0] if active.any() else cycler_time[0]
    if baseline_window_s is not None:
        quiet = (grid >= baseline_window_s[0] - offset_s - delay_s) & (
            grid <= baseline_window_s[1] - offset_s - delay_s
        )
        baseline_how = f"given window {baseline_window_s} s (MS clock)"
    elif cycling is not None and (grid < first_current).sum() >= 10:
        quiet = grid < first_current
        baseline_how = "the recording before the cycler's first current"
    else:
        quiet = grid < grid[0] + 0.1 * (grid[-1] - grid[0])
        baseline_how = "the first tenth of the recording"
        notes.append("no quiet period before the current: the baseline is the first tenth of the recording; "
                     "give baseline_window_s if gas was already evolving")
    if quiet.sum() < 5:
        raise AnalysisError("the baseline window holds fewer than 5 samples", path=recording.source_file)
    rates, noise = [], {}
    for s in sensitivities:
        time_s, signal = series[s.gas]
        on_grid = np.interp(grid, time_s, signal)
        on_grid = on_grid - on_grid[quiet].mean()
        if lag_s > 0:
            on_grid = on_grid + lag_s * _savgol_derivative(on_grid, step, max(lag_s / 3, 5 * step))
        rate = on_grid / s.value_C_mol
        rates.append(rate)
        noise[s.gas] = float(np.std(rate[quiet], ddof=1))
    rates = np.array(rates)
    if cycling is not None:
        voltage = np.interp(grid, cycler_time, cycling["voltage_V"].to_numpy(), left=np.nan, right=np.nan)
        current = np.interp(grid, cycler_time, cycling["current_A"].to_numpy(), left=np.nan, right=np.nan)
        if active_mass_g is None:
            mass_mg = cycling.attrs.get("redoxmap", {}).get("active_mass_mg")
            active_mass_g = mass_mg / 1000 if mass_mg else None
    else:
        voltage = current = np.array([])
    if active_mass_g is None:
        warn(f"{recording.source_file}: no active mass: gas amounts are in µmol, not µmol/g",
                      DataWarning)
    totals = _totals(grid, step, rates, noise, sensitivities, cycling, active_mass_g, voltage)
    if lag_s == 0:
        notes.append("no headspace-lag correction (lag_s=0): rates and onsets lag the cell")
    assumptions = {"offset_s": offset_s, "offset_from": how, "delay_s": delay_s, "lag_s": lag_s,
                   "baseline": baseline_how, "count_co2": count_co2, "grid_step_s": step,
                   "sensitivities": {s.gas: f"m/z {s.mz:g}, {s.value_C_mol:.4g} ± {s.stderr_C_mol:.2g} C/mol "
                                             f"({s.method})" for s in sensitivities}}
    return GasEvolution(recording.source_file, tuple(s.gas for s in sensitivities), grid, rates, noise, voltage,
                        current, totals, assumptions, active_mass_g, notes)


def _totals(grid, step, rates, noise, sensitivities, cycling, mass_g, voltage):
    import pandas as pd

    windows = []
    if cycling is not None:
        for half, group in cycling[cycling["half_cycle"] > 0].groupby("half_cycle", sort=True):
            states = group["state"][group["state"].isin(["charge", "discharge"])]
            direction = states.mode().iloc[0] if len(states) else "rest"
            windows.append((int(half), int(group["cycle"].iloc[0]), direction,
                            float(group["time_s"].iloc[0]), float(group["time_s"].iloc[-1])))
        region_three = _region_three(cycling)
    else:
        windows.append((0, 0, "whole record", float(grid[0]), float(grid[-1])))
        region_three = {}
    rows = []
    for half, cycle, direction, begin, finish in windows:
        inside = (grid >= begin) & (grid <= finish)
        if inside.sum() < 2 or begin < grid[0] - step or finish > grid[-1] + step:
            continue  # a half cycle the recording does not cover from start to end has no total
        for s, rate in zip(sensitivities, rates):
            amount = float(np.trapezoid(rate[inside], grid[inside])) * 1e6  # µmol
            random = noise[s.gas] * step * math.sqrt(inside.sum()) * 1e6
            error = math.hypot(random, abs(amount) * s.stderr_C_mol / s.value_C_mol)
            onset = _onset(grid[inside], rate[inside], noise[s.gas], voltage[inside] if len(voltage) else None) \
                if direction == "charge" else math.nan
            per_gram = amount / mass_g if mass_g else math.nan
            row = {"half_cycle": half, "cycle": cycle, "direction": direction, "gas": s.gas, "amount_umol": amount,
                   "amount_stderr_umol": error, "amount_umol_g": per_gram,
                   "amount_stderr_umol_g": error / mass_g if mass_g else math.nan, "onset_V": onset}
            if s.gas == "O2":
                row["o2_equivalent_mAh_g"] = per_gram * MAH_G_PER_UMOL_G_O2
                row["region_III_mAh_g"] = region_three.get(half, math.nan)
            rows.append(row)
    return pd.DataFrame(rows)


def _region_three(cycling) -> dict:
    from redoxmap.cycling.regions import region_capacities

    try:
        table = region_capacities(cycling)
    except Exception:  # noqa: BLE001 - a record without voltage regions simply has no region III figure
        return {}
    if "capacity_mAh_g" not in table:
        return {}
    three = table[table["region"] == "III"]
    return dict(zip(three["half_cycle"].astype(int), three["capacity_mAh_g"]))


def _onset(time_s, rate, noise, voltage, sustained: int = 3) -> float:
    """Voltage where the rate first stays above three times its noise for ``sustained`` samples."""
    above = rate > 3 * noise
    if voltage is None or not above.any():
        return math.nan
    run = np.convolve(above.astype(int), np.ones(sustained, dtype=int), mode="valid") == sustained
    hits = np.flatnonzero(run)
    return float(voltage[hits[0]]) if len(hits) else math.nan
