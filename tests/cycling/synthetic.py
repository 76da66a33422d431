"""Synthetic cycler records with known truth, built piece by piece."""

from __future__ import annotations

import numpy as np
import pandas as pd


class Protocol:
    """Append constant-current, constant-voltage and rest steps; every step's charge is exact."""

    def __init__(self, dt: float = 10.0, v0: float = 3.0):
        self.t, self.v, self.i = [0.0], [v0], [0.0]
        self.dt = dt

    def _add(self, n: int, voltage, current):
        start = self.t[-1]
        self.t.extend(start + self.dt * np.arange(1, n + 1))
        self.v.extend(np.broadcast_to(voltage, n))
        self.i.extend(np.broadcast_to(current, n))
        return self

    def cc(self, current_A: float, hours: float, v_start: float, v_end: float):
        n = round(hours * 3600 / self.dt)
        return self._add(n, np.linspace(v_start, v_end, n), current_A)

    def cv(self, voltage: float, current_start: float, hours: float, tau_h: float = 0.3):
        n = round(hours * 3600 / self.dt)
        t = self.dt * np.arange(1, n + 1) / 3600.0
        return self._add(n, voltage, current_start * np.exp(-t / tau_h))

    def rest(self, hours: float, voltage: float):
        return self._add(round(hours * 3600 / self.dt), voltage, 0.0)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({"time_s": self.t, "voltage_V": self.v, "current_A": self.i})


def cathode_cycles(n_cycles: int = 3, current: float = 1e-3, hours: float = 2.0) -> pd.DataFrame:
    """CC charge 3.0 -> 4.5 V, rest, CC discharge back, rest; ``current * hours`` Ah each way."""
    p = Protocol()
    for _ in range(n_cycles):
        p.cc(current, hours, 3.0, 4.5).rest(0.5, 4.4).cc(-current, hours, 4.4, 3.0).rest(0.5, 3.1)
    return p.frame()
