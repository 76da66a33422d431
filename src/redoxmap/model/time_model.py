"""Time-resolved model: one particle under galvanostatic cycling between voltage cut-offs.

The sphere of radius R is cut into shells of equal thickness (method of lines). State per
shell: ``x``, the extracted charge as a fraction of the full capacity Q_TM + Q_O, and ``a``,
the activated fraction of its Li2MnO3 domains.

* Vacancies diffuse: ``dx/dt = (1/r^2) d/dr (r^2 D dx/dr)`` with ``D = D_0(T) [1 + (rho - 1) a]``
  (activated material carries Li better), fed at the surface by the applied current.
* Local open-circuit potential: the TM reservoir (a share Q_TM of the capacity) on a slope
  from 3.0 to 4.3 V (falling steeply below it when every site is lithiated); the activated
  oxygen reservoir (Q_O a) on to 4.45 V; beyond what is available the potential climbs
  steeply through the plateau ``U_plateau`` (4.5 V), where the domains activate: ``da/dt = k_a(T) (1 - a) max(0, U - U_plateau) / 50 mV``.
  Activating adds oxygen capacity, which pulls U back down: the plateau of the first charge.
* Terminal voltage: surface U + Butler-Volmer overpotential on the contacted fraction phi_c of
  the surface (``eta = 2 R T / F asinh(i / (2 i0 phi_c))``) + ``I R_int(T)``.

Charge at the given C-rate to the upper cut-off, discharge to the lower one, and again, each
half cycle solved by ``scipy.integrate.solve_ivp`` (BDF, a stiff solver, with the cut-offs as
events and the Jacobian's sparsity given). It yields the voltage curve of every cycle, so
the cycling analysis (capacities by region, dQ/dV) can be run on it as on a measured cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.integrate import solve_ivp
from scipy.sparse import bmat, diags

from redoxmap.model.cycle_model import (
    FARADAY,
    GAS_CONSTANT,
    Q_TM_MAH_G,
    ParameterSet,
    arrhenius_factor,
)

ONE_C_MA_G = 250.0  # the reference study's 1 C


@dataclass(frozen=True)
class CellParameters(ParameterSet):
    """Parameters of the time-resolved model (units in the names)."""

    radius_um: float = 1.0
    diffusivity_cm2_s: float = 2e-14
    diffusion_activation_energy_eV: float = 0.4
    rho: float = 8.0
    k_activation_per_h: float = 0.3
    activation_energy_eV: float = 0.6
    u_plateau_V: float = 4.5
    q_o_mAh_g: float = 170.0
    q_tm_mAh_g: float = Q_TM_MAH_G
    exchange_current_mA_g: float = 50.0
    phi_c: float = 1.0
    r_int_ohm_g: float = 2.0  # interfacial resistance x active mass (ohm g): I R = (mA/g)(ohm g) mV
    r_int_activation_energy_eV: float = 0.3
    shells: int = 24


def _ocv(x, a, p: CellParameters):
    """Local open-circuit potential (V) of shells with extracted fraction ``x`` and activation ``a``.

    Continuous in x (a jump would make the stiff solver crawl): TM sites from 3.0 to 4.3 V,
    activated oxygen on to 4.45 V (over at least 2 % of the oxygen capacity, so that a barely
    activated shell has no vertical step), then a steep rise where no site is left, through the
    plateau at which the domains activate; below x = 0 (all lithiated) a steep fall.
    """
    total = p.q_tm_mAh_g + p.q_o_mAh_g
    f_tm, f_o = p.q_tm_mAh_g / total, p.q_o_mAh_g / total
    tm = np.where(x < 0, 3.0 + 200.0 * x / f_tm, 3.0 + 1.3 * np.minimum(x / f_tm, 1.0))
    o_part = np.maximum(x - f_tm, 0.0)
    width = f_o * a
    o_potential = (0.15 * np.minimum(o_part, width) / np.maximum(width, 0.02 * f_o)
                   + 100.0 * np.maximum(o_part - width, 0.0) / f_o)
    return tm + o_potential


class ParticleModel:
    """The particle's equations for one temperature and current (see the module docstring)."""

    def __init__(self, p: CellParameters, temperature_C: float):
        self.p = p
        t = temperature_C + 273.15
        self.temperature_K = t
        n = p.shells
        self.n = n
        radius_cm = p.radius_um * 1e-4
        edges = np.linspace(0, radius_cm, n + 1)
        self.volume = (edges[1:] ** 3 - edges[:-1] ** 3)
        self.volume_fraction = self.volume / self.volume.sum()
        self.face_area = edges[1:-1] ** 2  # between shells (4 pi omitted on both sides)
        self.spacing = radius_cm / n
        self.d0 = p.diffusivity_cm2_s * arrhenius_factor(p.diffusion_activation_energy_eV, t)
        self.k_activation = p.k_activation_per_h / 3600 * arrhenius_factor(p.activation_energy_eV, t)
        self.r_int = p.r_int_ohm_g * arrhenius_factor(-p.r_int_activation_energy_eV, t) / max(p.phi_c, 1e-9)
        self.q_total = p.q_tm_mAh_g + p.q_o_mAh_g
        # Jacobian sparsity: x couples to neighbours and its own a; a to its own x and a.
        tri = diags([1.0, 1.0, 1.0], [-1, 0, 1], shape=(n, n), dtype=float)
        eye = diags([1.0], [0], shape=(n, n), dtype=float)
        self.sparsity = bmat([[tri, eye], [eye, eye]]).tocsc()

    def rhs(self, _t, state, current_mA_g):
        n, p = self.n, self.p
        x, a = state[:n], state[n:]
        d = self.d0 * (1 + (p.rho - 1) * np.clip(a, 0, 1))
        d_face = 2 * d[1:] * d[:-1] / (d[1:] + d[:-1])
        flux = d_face * self.face_area * (x[1:] - x[:-1]) / self.spacing  # vacancies move towards the centre
        dx = np.zeros(n)
        dx[:-1] += flux / self.volume[:-1] * 3
        dx[1:] -= flux / self.volume[1:] * 3
        # The current extracts charge through the surface shell: d<x>/dt = I / (3600 Q_total).
        dx[-1] += current_mA_g / (3600 * self.q_total) / self.volume_fraction[-1]
        u = _ocv(x, np.clip(a, 0, 1), p)
        drive = np.clip((u - p.u_plateau_V) / 0.05, 0, None)
        da = self.k_activation * (1 - np.clip(a, 0, 1)) * drive * (current_mA_g > 0)
        return np.concatenate([dx, da])

    def voltage(self, state, current_mA_g):
        n = self.n
        u = _ocv(state[n - 1], np.clip(state[2 * n - 1], 0, 1), self.p)
        thermal = 2 * GAS_CONSTANT * self.temperature_K / FARADAY
        eta = thermal * np.arcsinh(current_mA_g / (2 * self.p.exchange_current_mA_g * max(self.p.phi_c, 1e-9)))
        return u + eta + current_mA_g * self.r_int * 1e-3


def simulate_time_resolved(parameters: CellParameters | None = None, cycles: int = 5, *, temperature_C: float = 30.0,
                           c_rate: float = 0.1, upper_V: float = 4.7, lower_V: float = 2.0,
                           points_per_half: int = 200) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cycle the particle galvanostatically between cut-offs.

    Returns
    -------
    record : pandas.DataFrame
        ``time_s``, ``voltage_V``, ``current_A`` (per gram of active material; positive =
        charging), ``cycle``: a cycler table for the cycling analysis.
    cycles : pandas.DataFrame
        Per cycle: charge and discharge capacity (mAh/g), activated fraction (volume average,
        and at the surface and centre shells).
    """
    p = parameters or CellParameters()
    model = ParticleModel(p, temperature_C)
    n = p.shells
    state = np.concatenate([np.zeros(n), np.zeros(n)])
    current = c_rate * ONE_C_MA_G
    records, rows, clock = [], [], 0.0
    for cycle in range(1, cycles + 1):
        row = {"cycle": cycle}
        for sign, limit, name in ((1.0, upper_V, "charge"), (-1.0, lower_V, "discharge")):
            i = sign * current

            def cutoff(_t, y, i=i, limit=limit):
                return model.voltage(y, i) - limit
            cutoff.terminal = True
            start_x = model.volume_fraction @ state[:n]
            horizon = 3600 * model.q_total / current * 1.5  # longer than any half cycle can last
            solution = solve_ivp(model.rhs, (0, horizon), state, args=(i,), method="BDF", events=cutoff,
                                 jac_sparsity=model.sparsity, rtol=1e-4, atol=1e-7,
                                 t_eval=None, dense_output=True)
            end = solution.t[-1]
            times = np.linspace(0, end, points_per_half)
            states = solution.sol(times)
            voltage = np.array([model.voltage(states[:, k], i) for k in range(points_per_half)])
            records.append(pd.DataFrame({"time_s": clock + times, "voltage_V": voltage, "current_A": i * 1e-3,
                                         "cycle": cycle}))
            clock += end + 1.0
            state = solution.y[:, -1]
            row[f"{name}_capacity_mAh_g"] = abs(model.volume_fraction @ state[:n] - start_x) * model.q_total
        a = np.clip(state[n:], 0, 1)
        row.update(activated_fraction=float(model.volume_fraction @ a), activated_surface=float(a[-1]),
                   activated_centre=float(a[0]))
        rows.append(row)
    return pd.concat(records, ignore_index=True), pd.DataFrame(rows)
