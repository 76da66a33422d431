"""Virtual XPS of a sulfide electrolyte at a cathode interface, with known truth.

The decomposition of Li6PS5Cl at the cathode grows with cycling and temperature (the reference
study's S 2p and P 2p). Here its oxidised share after ``n`` charges at temperature ``T`` is
``f = f_max (1 - exp(-k(T) n))`` with ``k(T) = k_30 exp(-Ea/R (1/T - 1/303.15 K))``
(``f_max = 0.5``, ``k_30 = 0.03`` per cycle, ``Ea = 45 kJ/mol``: a diffusion-limited layer that
saturates), split 60 : 40 between bridging P-S-P sulfur and sulfite/sulfate; the rest is the
electrolyte's PS4(3-). The S 2p region is written with the argyrodite preset's positions, a
Shirley-type step, Poisson counts, and a charging shift that the adventitious C 1s region
written beside it reveals.
"""

from __future__ import annotations

import math

import numpy as np

from redoxmap.io.xps_files import XpsSpectrum
from redoxmap.xps.background import cumulative_area
from redoxmap.xps.components import preset
from redoxmap.xps.lineshapes import pseudo_voigt

F_MAX, K_30, EA_J_MOL = 0.5, 0.03, 45_000.0
COUNTS_PER_UNIT = 2.0  # dwell x scans (s)


def decomposition_shares(cycle: int, temperature_C: float) -> dict[str, float]:
    """The truth: family shares of S 2p after ``cycle`` charges at ``temperature_C``."""
    rate = K_30 * math.exp(-EA_J_MOL / 8.314462618 * (1 / (temperature_C + 273.15) - 1 / 303.15))
    oxidised = F_MAX * (1 - math.exp(-rate * cycle))
    return {"electrolyte": 1 - oxidised, "oxidised sulfur": 0.6 * oxidised, "sulfite/sulfate": 0.4 * oxidised}


def _lines(energy, components, areas, fwhm=1.0):
    total = np.zeros_like(energy)
    for component, area in zip(components, areas):
        ratio = component.minor_ratio
        total += area * (pseudo_voigt(energy, component.position_eV, fwhm, 0.3)
                         + ratio * pseudo_voigt(energy, component.position_eV + component.splitting_eV, fwhm, 0.3)) \
            / (1 + ratio)
    return total


def virtual_regions(
    shares: dict[str, float], *, charge_shift_eV: float, rng, area: float = 8000.0
) -> list[XpsSpectrum]:
    """C 1s and S 2p regions of one measurement, shifted by ``-charge_shift_eV`` (the sample charged).

    Returns
    -------
    list of XpsSpectrum
        Counts on uniform grids, ``counts_per_unit`` known (Poisson errors).
    """
    s2p = {c.name: c for c in preset("argyrodite-S2p")}
    chosen = [s2p["PS4(3-)"], s2p["P-S-P (P2Sx, P2S5)"], s2p["sulfate SO4(2-)"]]
    areas = [area * shares["electrolyte"], area * shares["oxidised sulfur"], area * shares["sulfite/sulfate"]]
    energy = np.round(np.arange(155.0, 172.0, 0.1), 6)
    peaks = _lines(energy - charge_shift_eV, chosen, areas)
    expected = 400 + peaks + 0.04 * cumulative_area(energy, peaks)
    carbon_energy = np.round(np.arange(280.0, 295.0, 0.1), 6)
    carbon = 6000 * pseudo_voigt(carbon_energy - charge_shift_eV, 284.8, 1.2, 0.3) \
        + 900 * pseudo_voigt(carbon_energy - charge_shift_eV, 286.3, 1.2, 0.3) + 300.0
    meta = {"collection_time_s": COUNTS_PER_UNIT, "scans": 1}
    return [XpsSpectrum(carbon_energy, rng.poisson(carbon * COUNTS_PER_UNIT) / COUNTS_PER_UNIT, "C 1s",
                        counts_per_unit=COUNTS_PER_UNIT, metadata=dict(meta)),
            XpsSpectrum(energy, rng.poisson(expected * COUNTS_PER_UNIT) / COUNTS_PER_UNIT, "S 2p",
                        counts_per_unit=COUNTS_PER_UNIT, metadata=dict(meta))]
