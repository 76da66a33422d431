"""Cycle-resolved model of spatially asynchronous activation in a Li-rich cathode particle.

A sphere of radius R (the domain that activates as a unit) is resolved in depth z from its
surface, on a grid a fraction of a nanometre fine at the surface and geometric inwards.
State: ``a(z)``, the activated fraction of the Li2MnO3 domains at depth z, and ``u``, the
utilisation of transition-metal redox (reached in the first charge).

Per charge at temperature T:

* delithiation reaches depth z with weight ``E(z) = exp(-integral_0^z dz'/l(z'))``, with a
  penetration length ``l = l_u(T) [1 + (rho - 1) a]`` that grows where material has activated
  (activated material carries Li better: each cycle reaches deeper, the moving front);
* ``a <- 1 - (1 - a) exp(-kappa(T) E(z))``;
* ``kappa(T) = kappa_ref A(T) exp(-alpha F eta_int(T) / (R_g T))``, ``A(T)`` Arrhenius, and
  ``eta_int(T) = eta_ref (R_int(T) / R_int(T_ref)) / phi_c`` the interfacial loss that eats into
  the margin between the cut-off and the oxygen plateau (zero in a liquid cell).

Outputs per cycle: the discharge capacity ``u Q_TM + Q_O <a>`` split into TM and O parts
(``<a>`` the volume average), the depth profile and the front (where a = 1/2), and what each
XAS mode sees: ``r_max`` times the average of a weighted by ``exp(-z/lambda)`` (lambda ~4 nm for
TEY, 100-200 nm for the bulk modes), and at the surface the oxygen that takes over the charge of
a surface layer losing its TM redox (:mod:`redoxmap.model.surface`). numpy only: 40 cycles take
well under 10 ms.

``u`` multiplies the TM part only: it is what a separate measurement gives, the share of the
Ni2+/Co3+ redox done by the end of the first charge (the bulk Ni valence after it, 2.04 -> 3.30 at
30 °C: 0.63 of the two electrons), while the oxygen part is already counted where delithiation
reaches, by a(z). (Scaling the oxygen part by u as well would need Q_O above 300 mAh/g to give
the reference study's 285 mAh/g at 50 °C, more than the 250 mAh/g that extracting all 1.2 Li
leaves beside Q_TM.) A liquid cell is the limit of full contact and no interfacial loss:
``u = 1`` and ``eta_int = 0``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd

from redoxmap.model.surface import surface_deactivation, surface_oxygen_excess

FARADAY = 96485.33212
GAS_CONSTANT = 8.314462618
T_REF_K = 303.15  # 30 °C, the reference study's lower temperature
# Ni2+ -> Ni4+ and Co3+ -> Co4+ in Li1.2Ni0.16Co0.08Mn0.56O2: (2 x 0.16 + 0.08) F / M, M = 85.45 g/mol.
Q_TM_MAH_G = 125.8


class ParameterSet:
    """What the models' frozen parameter dataclasses share: a dict view and modified copies."""

    def to_dict(self) -> dict:
        """Every parameter by name."""
        return asdict(self)

    def with_values(self, **values):
        """A copy with some parameters changed."""
        return replace(self, **values)


@dataclass(frozen=True)
class ActivationParameters(ParameterSet):
    """Parameters of the cycle-resolved model (units in the names).

    Attributes
    ----------
    kappa_ref : float
        Activation rate per charge at the surface, at T_ref, without interfacial loss.
    activation_energy_eV : float
        Arrhenius energy of kappa.
    l_ref_nm : float
        Penetration length of delithiation into unactivated material at T_ref.
    l_activation_energy_eV : float
        Arrhenius energy of that length (Li transport).
    rho : float
        How much farther delithiation reaches in activated material (l ratio).
    eta_ref_V : float
        Interfacial voltage loss at T_ref with the reference contact (phi_c = 1); 0 for a liquid cell.
    r_int_activation_energy_eV : float
        Arrhenius energy of the interfacial resistance (eta_int scales with it).
    phi_c : float
        Contacted fraction of the particle surface (relative to the reference composite).
    alpha : float
        Transfer coefficient in exp(-alpha F eta / R T).
    u_ref : float
        TM utilisation at T_ref (reached in the first charge).
    u_activation_energy_eV : float
        Arrhenius energy of the TM utilisation (capped at 1).
    q_o_mAh_g : float
        Oxygen capacity of fully activated material.
    q_tm_mAh_g : float
        TM capacity (from the composition).
    r_max : float
        Oxygen activation index r of fully activated material.
    radius_nm : float
        Radius of the domain that activates as a unit.
    mn_reduction : float
        Drop of the Mn valence from 4 in fully activated material (oxygen loss leaves Mn reduced;
        the reference study's bulk Mn goes 3.99 -> 3.91 with its bulk activation at 50 °C).
    surface_loss_per_cycle : float
        Share of the surface layer that loses its TM redox per charge at T_ref (Arrhenius with
        ``activation_energy_eV``); from the surface TM valence, not fitted
        (:func:`redoxmap.model.surface.surface_loss_from_valence`). 0: no surface process.
    """

    kappa_ref: float = 0.25
    activation_energy_eV: float = 0.6
    l_ref_nm: float = 40.0
    l_activation_energy_eV: float = 0.4
    rho: float = 8.0
    eta_ref_V: float = 0.05
    r_int_activation_energy_eV: float = 0.3
    phi_c: float = 1.0
    alpha: float = 0.5
    u_ref: float = 0.8
    u_activation_energy_eV: float = 0.2
    q_o_mAh_g: float = 170.0
    q_tm_mAh_g: float = Q_TM_MAH_G
    r_max: float = 0.45
    radius_nm: float = 1000.0
    mn_reduction: float = 0.1
    surface_loss_per_cycle: float = 0.0


def arrhenius_factor(energy_eV: float, temperature_K: float) -> float:
    """``exp(-E/R (1/T - 1/T_ref))``: a rate at T relative to 30 °C (E in eV)."""
    return float(np.exp(-energy_eV * FARADAY / GAS_CONSTANT * (1 / temperature_K - 1 / T_REF_K)))


def depth_edges(radius_nm: float, *, surface_step_nm: float = 0.25, points: int = 160) -> np.ndarray:
    """Cell boundaries (nm from the surface, ``points + 1`` of them) for a depth grid.

    Cells grow geometrically from ``surface_step_nm`` at the surface so that ``points`` of them
    fill the radius (the ratio found by bisection); both models resolve the surface this way.
    """
    ratio = 1.0
    if radius_nm > surface_step_nm * points:
        lo, hi = 1.0, 2.0
        while surface_step_nm * (hi ** points - 1) / (hi - 1) < radius_nm:
            hi *= 2
        for _ in range(60):
            ratio = 0.5 * (lo + hi)
            if surface_step_nm * (ratio ** points - 1) / (ratio - 1) < radius_nm:
                lo = ratio
            else:
                hi = ratio
    widths = surface_step_nm * ratio ** np.arange(points)
    widths *= radius_nm / widths.sum()
    return np.concatenate([[0.0], np.cumsum(widths)])


def depth_grid(radius_nm: float, *, surface_step_nm: float = 0.25, points: int = 160) -> tuple[np.ndarray, np.ndarray]:
    """Depths (cell centres, nm) from the surface and the sphere-shell volume fraction of each cell
    (the cells of :func:`depth_edges`)."""
    edges = depth_edges(radius_nm, surface_step_nm=surface_step_nm, points=points)
    centres = 0.5 * (edges[1:] + edges[:-1])
    volume = (radius_nm - edges[:-1]) ** 3 - (radius_nm - edges[1:]) ** 3
    return centres, volume / volume.sum()


def probe_weights(depth_nm: np.ndarray, volume: np.ndarray, probe_nm: float) -> np.ndarray:
    """What an XAS mode of probing depth ``probe_nm`` sees of each cell: volume x exp(-z/lambda), normalised."""
    weights = volume * np.exp(-depth_nm / probe_nm)
    return weights / weights.sum()


def front_depth(a: np.ndarray, depth_nm: np.ndarray) -> float:
    """The activation front: the deepest cell with a >= 1/2 (NaN before the surface gets there)."""
    half = np.flatnonzero(a >= 0.5)
    return float(depth_nm[half[-1]]) if len(half) else float("nan")


@dataclass
class ActivationRun:
    """The model's cycle-by-cycle output.

    Attributes
    ----------
    table : pandas.DataFrame
        Per cycle: ``cycle``, ``temperature_C``, ``capacity_mAh_g``, ``capacity_tm_mAh_g``,
        ``capacity_o_mAh_g``, ``activated_fraction`` (volume), ``front_nm`` (deepest a >= 1/2; NaN before
        the surface reaches it),
        ``r_tey``, ``r_bulk`` (after that cycle's charge; TEY with the surface process),
        ``surface_deactivated`` (share of the surface layer without TM redox), ``mn_valence_tey``,
        ``mn_valence_bulk`` (4 minus ``mn_reduction`` times the mode-weighted activation).
    depth_nm : numpy.ndarray
    profiles : numpy.ndarray
        a(z) after each charge, ``(cycles, depth)``.
    """

    table: pd.DataFrame
    depth_nm: np.ndarray = field(repr=False)
    profiles: np.ndarray = field(repr=False)
    parameters: ActivationParameters | None = None


def kappa(parameters: ActivationParameters, temperature_K: float, *, liquid: bool = False) -> float:
    """Activation rate per charge at the surface at a temperature."""
    eta = 0.0 if liquid else parameters.eta_ref_V * arrhenius_factor(-parameters.r_int_activation_energy_eV,
                                                               temperature_K) / max(parameters.phi_c, 1e-9)
    return float(parameters.kappa_ref * arrhenius_factor(parameters.activation_energy_eV, temperature_K)
                 * np.exp(-parameters.alpha * FARADAY * eta / (GAS_CONSTANT * temperature_K)))


def tm_utilisation(parameters: ActivationParameters, temperature_K: float) -> float:
    """The share of the TM redox reached in a charge at a temperature (Arrhenius, capped at 1)."""
    return min(parameters.u_ref * arrhenius_factor(parameters.u_activation_energy_eV, temperature_K), 1.0)


def simulate_cycles(parameters: ActivationParameters, cycles: int = 40, *, temperature_C=30.0,
                    liquid: bool = False, tey_nm: float = 4.0, bulk_nm: float = 150.0,
                    initial_profile: np.ndarray | None = None) -> ActivationRun:
    """Run the cycle-resolved model.

    Parameters
    ----------
    parameters : ActivationParameters
    cycles : int
    temperature_C : float or sequence
        One temperature, or one per cycle (a cell moved from 30 to 50 °C after two cycles).
    liquid : bool
        A liquid-electrolyte cell: full contact and no interfacial loss (u = 1, eta_int = 0).
    tey_nm, bulk_nm : float
        Probing depths of the surface (TEY) and bulk (iPFY/TFY) modes.
    initial_profile : numpy.ndarray, optional
        a(z) to start from (default: unactivated).

    Examples
    --------
    The same cell at 30 and 50 °C with the default parameters: activation is faster when warmer.

    >>> run_30 = simulate_cycles(ActivationParameters(), cycles=20, temperature_C=30)
    >>> run_50 = simulate_cycles(ActivationParameters(), cycles=20, temperature_C=50)
    >>> list(run_30.table.columns[:3])
    ['cycle', 'temperature_C', 'capacity_mAh_g']
    >>> bool(run_50.table["capacity_mAh_g"].iloc[-1] > run_30.table["capacity_mAh_g"].iloc[-1])
    True
    """
    temperatures = np.broadcast_to(np.asarray(temperature_C, float), (cycles,)) + 273.15
    p = parameters
    depth, volume = depth_grid(p.radius_nm)
    spacing = np.diff(np.concatenate([[0.0], depth]))  # steps from the surface to each cell centre
    tey_weight, bulk_weight = probe_weights(depth, volume, tey_nm), probe_weights(depth, volume, bulk_nm)
    a = np.zeros_like(depth) if initial_profile is None else np.array(initial_profile, float)
    profiles = np.empty((cycles, len(depth)))
    utilisation = np.array([1.0 if liquid else tm_utilisation(p, t) for t in temperatures])
    deactivated = surface_deactivation([p.surface_loss_per_cycle * arrhenius_factor(p.activation_energy_eV, t)
                                        for t in temperatures])
    surface_excess = surface_oxygen_excess(deactivated, tm_utilisation=utilisation, q_tm_mAh_g=p.q_tm_mAh_g,
                                           q_o_mAh_g=p.q_o_mAh_g, r_max=p.r_max)
    rows = []
    for n in range(cycles):
        t = temperatures[n]
        l_u = p.l_ref_nm * arrhenius_factor(p.l_activation_energy_eV, t)
        length = l_u * (1 + (p.rho - 1) * a)
        reach = np.exp(-np.cumsum(spacing / length))
        a = 1 - (1 - a) * np.exp(-kappa(p, t, liquid=liquid) * reach)
        profiles[n] = a
        mean_a = float(volume @ a)
        capacity_tm, capacity_o = utilisation[n] * p.q_tm_mAh_g, p.q_o_mAh_g * mean_a
        rows.append({"cycle": n + 1, "temperature_C": t - 273.15, "capacity_mAh_g": capacity_tm + capacity_o,
                     "capacity_tm_mAh_g": capacity_tm, "capacity_o_mAh_g": capacity_o, "activated_fraction": mean_a,
                     "front_nm": front_depth(a, depth),
                     "r_tey": p.r_max * float(tey_weight @ a) + surface_excess[n],
                     "r_bulk": p.r_max * float(bulk_weight @ a), "surface_deactivated": deactivated[n],
                     "mn_valence_tey": 4 - p.mn_reduction * float(tey_weight @ a),
                     "mn_valence_bulk": 4 - p.mn_reduction * float(bulk_weight @ a)})
    return ActivationRun(pd.DataFrame(rows), depth, profiles, parameters)
