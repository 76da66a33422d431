"""Sensitivity factors of a mass spectrometer: from a calibration gas, or from a Faradaic reaction.

A sensitivity factor ``F`` (C/mol, i.e. A of ion current per mol/s of gas) turns a
baseline-subtracted ion current into a molar flow: ``n_dot = I_mz / F``.

* **Calibration gas**: a known mole fraction ``x`` of the gas in the carrier flowing at a
  molar flow ``n_dot_carrier``: ``F = (S - S_baseline) / (x * n_dot_carrier)``.
* **Faradaic**: a reaction that makes the gas with a known number of electrons per molecule at
  a known current ``I``: ``F = (S - S_baseline) / (I / (z * Faraday))``.

The carrier's molar flow follows from its volumetric flow by the ideal gas law at the
temperature and pressure the flow controller refers to, **25 °C and 101.325 kPa by default**:
1 mL/min of Ar is then 6.81e-7 mol/s (say so when your controller uses 0 °C, where it is
7.44e-7). Each factor's standard error combines the scatter of the calibration plateau and of
its baseline (standard errors of their means, with the number of independent points reduced for
the autocorrelation of the signal).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np

from redoxmap.errors import AnalysisError

FARADAY_C_MOL = 96485.33212
GAS_CONSTANT_J_MOL_K = 8.314462618
REFERENCE_TEMPERATURE_K = 298.15
REFERENCE_PRESSURE_PA = 101325.0


def carrier_molar_flow(flow_mL_min: float, *, temperature_K: float = REFERENCE_TEMPERATURE_K,
                       pressure_Pa: float = REFERENCE_PRESSURE_PA) -> float:
    """Molar flow (mol/s) of a gas flowing at ``flow_mL_min`` at the given reference conditions.

    Examples
    --------
    >>> round(carrier_molar_flow(1.0) * 1e7, 2)
    6.81
    """
    return pressure_Pa * flow_mL_min * 1e-6 / 60.0 / (GAS_CONSTANT_J_MOL_K * temperature_K)


@dataclass
class Sensitivity:
    """A gas's sensitivity factor at one m/z.

    Attributes
    ----------
    gas : str
    mz : float
    value_C_mol : float
        Ion current per molar flow (A per mol/s).
    stderr_C_mol : float
    method : str
        ``"calibration gas"`` or ``"faradaic"``.
    conditions : dict
        What it was measured with (mole fraction, flow, temperature, pressure, current, windows).
    """

    gas: str
    mz: float
    value_C_mol: float
    stderr_C_mol: float
    method: str
    conditions: dict = field(default_factory=dict)

    @property
    def relative_error(self) -> float:
        """The standard error relative to the value (infinite for a zero value)."""
        return self.stderr_C_mol / self.value_C_mol if self.value_C_mol else math.inf


def save_calibration(sensitivities, path: str | PathLike) -> Path:
    """Write sensitivity factors to a JSON file (atomically) for reuse.

    Returns
    -------
    pathlib.Path
    """
    from redoxmap.io.tables import atomic_write

    path = Path(path)
    text = json.dumps({"redoxmap_dems_calibration": 1, "sensitivities": [asdict(s) for s in sensitivities]}, indent=1)
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return path


def load_calibration(path: str | PathLike) -> list[Sensitivity]:
    """Read sensitivity factors saved by :func:`save_calibration`.

    Raises
    ------
    AnalysisError
        For a file that is not a saved calibration.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return [Sensitivity(**entry) for entry in data["sensitivities"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise AnalysisError(f"{path}: not a redoxmap DEMS calibration ({exc})") from exc


def mean_with_error(values: np.ndarray) -> tuple[float, float]:
    """Mean and its standard error, the number of independent points reduced for lag-1 autocorrelation."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) < 3:
        raise AnalysisError(f"{len(values)} points in a window: at least 3 are needed")
    mean = float(values.mean())
    deviation = values - mean
    variance = float(np.mean(deviation ** 2))
    rho = float(np.mean(deviation[1:] * deviation[:-1]) / variance) if variance > 0 else 0.0
    effective = len(values) * (1 - rho) / (1 + rho) if -1 < rho < 1 else len(values)
    return mean, math.sqrt(variance * len(values) / (len(values) - 1) / max(effective, 1.0))


def window_values(time_s, values, window_s: tuple[float, float]) -> np.ndarray:
    """The values whose times lie in ``[start, end]``."""
    time_s = np.asarray(time_s)
    inside = (time_s >= window_s[0]) & (time_s <= window_s[1])
    return np.asarray(values)[inside]


def _step(recording, mz, window_s, baseline_window_s) -> tuple[float, float, dict]:
    time_s, signal = recording.signal(mz)
    plateau, plateau_error = mean_with_error(window_values(time_s, signal, window_s))
    baseline, baseline_error = mean_with_error(window_values(time_s, signal, baseline_window_s))
    step = plateau - baseline
    if step <= 0:
        raise AnalysisError(f"m/z {mz:g}: the calibration window's signal ({plateau:.3g}) is not above its "
                            f"baseline ({baseline:.3g})")
    return step, math.hypot(plateau_error, baseline_error), {"window_s": list(window_s),
                                                              "baseline_window_s": list(baseline_window_s)}


def calibrate_gas(recording, *, gas: str, mz: float, mole_fraction: float, flow_mL_min: float,
                  window_s: tuple[float, float], baseline_window_s: tuple[float, float],
                  temperature_K: float = REFERENCE_TEMPERATURE_K,
                  pressure_Pa: float = REFERENCE_PRESSURE_PA) -> Sensitivity:
    """Sensitivity factor from a calibration gas flowing through the cell's headspace.

    Parameters
    ----------
    recording : MsRecording
    gas : str
    mz : float
    mole_fraction : float
        Of the gas in the calibration mixture.
    flow_mL_min : float
        Total flow at the reference conditions.
    window_s, baseline_window_s : (float, float)
        Times (s, the recording's clock) of the calibration plateau and of the baseline before it.

    Returns
    -------
    Sensitivity
    """
    if not 0 < mole_fraction <= 1:
        raise AnalysisError(f"mole fraction must be in (0, 1], not {mole_fraction}")
    step, error, windows = _step(recording, mz, window_s, baseline_window_s)
    flow = mole_fraction * carrier_molar_flow(flow_mL_min, temperature_K=temperature_K, pressure_Pa=pressure_Pa)
    return Sensitivity(gas, float(mz), step / flow, error / flow, "calibration gas",
                       {"mole_fraction": mole_fraction, "flow_mL_min": flow_mL_min, "temperature_K": temperature_K,
                        "pressure_Pa": pressure_Pa, "source_file": recording.source_file, **windows})


def calibrate_faradaic(recording, *, gas: str, mz: float, current_A: float, electrons: int,
                       window_s: tuple[float, float], baseline_window_s: tuple[float, float]) -> Sensitivity:
    """Sensitivity factor from a reaction that makes the gas at a known current
    (e.g. O2 from water oxidation on a Pt electrode: 4 electrons per O2).

    Returns
    -------
    Sensitivity
    """
    if current_A == 0 or electrons <= 0:
        raise AnalysisError("a Faradaic calibration needs a non-zero current and a positive number of electrons")
    step, error, windows = _step(recording, mz, window_s, baseline_window_s)
    flow = abs(current_A) / (electrons * FARADAY_C_MOL)
    return Sensitivity(gas, float(mz), step / flow, error / flow, "faradaic",
                       {"current_A": current_A, "electrons": electrons, "source_file": recording.source_file,
                        **windows})
