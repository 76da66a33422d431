"""A reversible cyclic voltammogram computed exactly (Crank-Nicolson), independently of redoxmap.

R -> O + e at a planar electrode, semi-infinite diffusion with equal diffusion coefficients, Nernstian
surface: C_R(0, t) = C* / (1 + exp(F (E - E0) / R T)). The concentration of R is integrated in time by
the Crank-Nicolson scheme on a uniform grid out to six diffusion lengths of the whole run; the current is
the flux at the surface, i = F A D dC_R/dx (x = 0), positive (anodic) while R is oxidised.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_banded

FARADAY, GAS = 96485.33212, 8.314462618


def reversible_cv(rate_V_s: float, *, diffusion_cm2_s: float = 1e-5, concentration_mol_cm3: float = 1e-6,
                  area_cm2: float = 0.07, e0_V: float = 0.0, start_V: float = -0.3, switch_V: float = 0.4,
                  temperature_K: float = 298.15, step_V: float = 0.0005, points: int = 1500):
    """Time (s), potential (V) and current (A) of one cycle start -> switch -> start."""
    up = np.arange(start_V, switch_V, step_V)
    potential = np.concatenate([up, np.arange(switch_V, start_V - step_V / 2, -step_V)])
    dt = step_V / rate_V_s
    time = np.arange(len(potential)) * dt
    length = 6 * np.sqrt(diffusion_cm2_s * time[-1])
    dx = length / points
    lam = diffusion_cm2_s * dt / dx ** 2
    c = np.full(points + 1, concentration_mol_cm3)  # R at x = 0 .. L
    n = points - 1  # interior unknowns 1 .. points-1 (x = L stays at C*)
    banded = np.zeros((3, n))
    banded[0, 1:] = -lam / 2
    banded[1, :] = 1 + lam
    banded[2, :-1] = -lam / 2
    f = FARADAY / (GAS * temperature_K)
    current = np.empty(len(potential))
    surface_old = concentration_mol_cm3 / (1 + np.exp(f * (potential[0] - e0_V)))
    c[0] = surface_old
    for k, e in enumerate(potential):
        surface = concentration_mol_cm3 / (1 + np.exp(f * (e - e0_V)))
        right = (lam / 2) * c[:-2] + (1 - lam) * c[1:-1] + (lam / 2) * c[2:]
        right[0] += (lam / 2) * surface
        right[-1] += (lam / 2) * c[-1]
        c[1:-1] = solve_banded((1, 1), banded, right)
        c[0] = surface
        # second-order one-sided derivative at the surface
        gradient = (-3 * c[0] + 4 * c[1] - c[2]) / (2 * dx)
        current[k] = FARADAY * area_cm2 * diffusion_cm2_s * gradient
    return time, potential, current


def randles_sevcik(rate_V_s: float, *, diffusion_cm2_s: float = 1e-5, concentration_mol_cm3: float = 1e-6,
                   area_cm2: float = 0.07, temperature_K: float = 298.15) -> float:
    """The reversible peak current 0.4463 F A C sqrt(F v D / R T) (n = 1), in A."""
    return 0.4463 * FARADAY * area_cm2 * concentration_mol_cm3 * np.sqrt(
        FARADAY * rate_V_s * diffusion_cm2_s / (GAS * temperature_K))
