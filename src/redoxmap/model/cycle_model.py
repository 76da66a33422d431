"""Cycle-resolved model of spatially asynchronous activation, driven by the interface.

A sphere of radius R (the domain that activates as a unit) is resolved in depth z from its
surface, on a grid a fraction of a nanometre fine at the surface and geometric inwards.
State: ``a(z)``, the activated fraction of the Li2MnO3 domains at depth z.

Mechanism (per charge at temperature T and C-rate I, the reference study's: polarisation at the
solid-solid interfaces keeps the particle below the oxygen plateau)
------------------------------------------------------------------------------------------------
* **The interface** takes ``eta(T) = I R_int(T) / phi_c`` of the cut-off voltage (``R_int`` times
  the active mass, ohm g, Arrhenius with its own energy; zero in a liquid cell), so the particle's
  surface ends the charge at ``U_s = V_cut - eta``: a margin ``m = U_s - U_plateau`` above (or, when
  negative, below) the oxygen plateau.
* **Transport inside the particle** lowers the local potential from the surface inwards by
  ``delta(z) = s g int_r^R r' / (3 D(r') chi) dr'``: the pseudo-steady drop of a sphere charged
  at ``g = I / (3600 Q)`` through the fraction ``chi`` of its surface in contact with the
  electrolyte (``contact_fraction x phi_c``; 1 in a liquid cell, which wets the whole surface),
  with the slope ``s`` of the open-circuit potential of the TM sites (1.3 V over Q_TM, the time
  model's) and the diffusivity ``D(T) [1 + (rho - 1) a]`` (the time model's parameter of that name;
  each model fits its own value). Dividing by ``chi`` is a crude stand-in for the constriction of
  the current at the contacts. A liquid cell, charged through its whole surface, keeps the outer
  shells that hold most of the volume within its 0.2 V margin and activates 97 % in its first charge
  (its centre stays 0.7 V behind); a composite charged through a third of it does not.
* **Activation** follows the Tafel law of the time model in the local potential:
  ``a <- 1 - (1 - a) exp(-A(T) exp((m - delta(z)) / w))`` in four sub-steps per charge (so that
  material activated early in a charge carries Li better for the rest of it), with ``w`` the Tafel
  width (RT / alpha F: the transfer coefficient appears only through it) and ``A(T)`` the
  Arrhenius factor of the activation step. ``plateau_V`` is where one charge activates 63 % of the
  unactivated domains.

Outputs per cycle: the discharge capacity split into its Ni/Co part ``u Q_TM`` (``u`` the share of
that redox the cell reaches, from bulk evidence), its Mn3+/4+ part (the Mn reduced by oxygen loss:
``mn_reduction <a>`` electrons per Mn, 0.56 Mn per formula unit) and its oxygen part ``Q_O <a>``;
the charge spent activating (``Q_O`` times the rise of ``<a>``: the plateau of that charge); the depth
profile and the front (where a = 1/2); what each XAS mode sees (``r_max`` times the average of a
weighted by ``exp(-z/lambda)``, lambda ~4.5 nm for TEY, 100-200 nm for the bulk modes; at the surface
with the surface chemistry of :mod:`redoxmap.model.surface`). numpy only: 40 cycles take a few
milliseconds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd

from redoxmap.model.arrhenius import arrhenius_factor, tafel_width
from redoxmap.model.surface import surface_deactivation, surface_oxygen_excess

# Ni2+ -> Ni4+ and Co3+ -> Co4+ in Li1.2Ni0.16Co0.08Mn0.56O2: (2 x 0.16 + 0.08) F / M, M = 85.45 g/mol.
Q_TM_MAH_G = 125.8
Q_MN_PER_VALENCE_MAH_G = 0.56 * Q_TM_MAH_G / 0.40  # 0.56 Mn per formula unit, per unit of Mn valence
TM_START_V, TM_SPAN_V = 3.0, 1.3  # the open-circuit potential of the TM sites: a slope from 3.0 to 4.3 V
ONE_C_MA_G = 250.0  # the reference study's 1 C
DRIVE_CAP = 12.0  # Tafel drive capped at exp(12), far above any cut-off: no overflow
SUBSTEPS = 4  # sub-steps of a charge, so that transport improves where material activated earlier in it


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

    The defaults are the reference protocol's (:func:`redoxmap.model.validation.validate_reference`):
    the fitted ones rounded, the others the stated values of
    :data:`redoxmap.model.validation.REFERENCE_FIXED`, which lists each one's source and error.

    Attributes
    ----------
    r_int_ohm_g : float
        Interfacial resistance times the active mass at 30 °C with the reference contact
        (``I R = (mA/g)(ohm g)`` mV); zero in a liquid cell.
    r_int_activation_energy_eV : float
        Arrhenius energy of that resistance.
    phi_c : float
        Contact of the composite relative to the reference composite (1): it scales both the
        interface's resistance and the area Li enters the particle through.
    contact_fraction : float
        Fraction of the particle surface in contact with the electrolyte in the reference composite.
    plateau_V : float
        Local potential of the oxygen plateau: one charge there activates 63 % of what is unactivated.
    tafel_width_V : float
        Potential per e-fold of the activation rate at 30 °C (RT / alpha F; proportional to T at other
        temperatures, :func:`redoxmap.model.arrhenius.tafel_width`).
    activation_energy_eV : float
        Arrhenius energy of the activation step at a given local potential.
    diffusivity_cm2_s, diffusion_activation_energy_eV : float
        Li diffusivity in unactivated material at 30 °C and its Arrhenius energy (the time model's
        parameter of the same name).
    rho : float
        Diffusivity ratio of activated to unactivated material.
    u_ref, u_activation_energy_eV : float
        Share of the Ni/Co redox the cell reaches at 30 °C (capped at 1) and its Arrhenius energy.
    u_liquid : float
        That share in a liquid cell, whose electrolyte wets every particle.
    q_o_mAh_g : float
        Oxygen capacity of fully activated material.
    q_tm_mAh_g : float
        Ni/Co capacity (from the composition).
    mn_reduction : float
        Drop of the Mn valence from 4 in fully activated material: oxygen loss leaves Mn reduced,
        and that Mn3+/4+ couple then takes part in the redox (``Q_MN_PER_VALENCE_MAH_G`` per unit).
    r_max : float
        Oxygen activation index r of fully activated material.
    radius_nm : float
        Radius of the domain that activates as a unit.
    tey_nm, bulk_nm : float
        Probing depths of the surface (TEY) and bulk (iPFY/TFY) XAS modes.
    surface_loss_per_cycle : float
        Share of the surface layer the electrolyte reduces per charge at 30 °C (:mod:`redoxmap.model.surface`;
        0: no surface chemistry).
    surface_reaction_energy_eV : float
        Arrhenius energy of that reaction.
    """

    r_int_ohm_g: float = 6.9
    r_int_activation_energy_eV: float = 0.15
    phi_c: float = 1.0
    contact_fraction: float = 0.3
    plateau_V: float = 4.5
    tafel_width_V: float = 0.05
    activation_energy_eV: float = 0.0
    diffusivity_cm2_s: float = 1.6e-13
    diffusion_activation_energy_eV: float = 0.4
    rho: float = 8.0
    u_ref: float = 0.75
    u_activation_energy_eV: float = 0.023
    u_liquid: float = 0.95
    q_o_mAh_g: float = 168.0
    q_tm_mAh_g: float = Q_TM_MAH_G
    mn_reduction: float = 0.1
    r_max: float = 0.22
    radius_nm: float = 1000.0
    tey_nm: float = 4.5
    bulk_nm: float = 150.0
    surface_loss_per_cycle: float = 0.0
    surface_reaction_energy_eV: float = 0.3


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
        Per cycle: ``cycle``, ``temperature_C``, the discharge capacity ``capacity_mAh_g`` and its
        Ni/Co, Mn3+/4+ and oxygen parts (``capacity_tm_mAh_g``, ``capacity_mn_mAh_g``,
        ``capacity_o_mAh_g``), ``activation_charge_mAh_g`` (oxygen activated in that charge: its plateau),
        ``overpotential_V`` (the interface's) and ``margin_V`` (how far the surface ends above the
        plateau), ``activated_fraction`` (volume), ``front_nm`` (deepest a >= 1/2; NaN before
        the surface reaches it),
        ``r_tey``, ``r_bulk`` (after that cycle's charge; TEY with the surface chemistry),
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


def interface_resistance(parameters: ParameterSet, temperature_K: float) -> float:
    """``R_int(T) / phi_c`` in ohm g: the interface's resistance times the active mass at a temperature,
    in either model (both name their parameters ``r_int_ohm_g``, ``r_int_activation_energy_eV`` and
    ``phi_c``). An impedance fit's charge-transfer resistance times the cell's active mass measures it.

    Parameters
    ----------
    parameters : ActivationParameters or CellParameters
    temperature_K : float

    Returns
    -------
    float
    """
    resistance = parameters.r_int_ohm_g * arrhenius_factor(-parameters.r_int_activation_energy_eV, temperature_K)
    return resistance / max(parameters.phi_c, 1e-9)


def interface_overpotential(parameters: ActivationParameters, temperature_K: float, *, c_rate: float = 0.1,
                            liquid: bool = False) -> float:
    """``eta = I R_int(T) / phi_c`` in volts: what the interface takes of the cut-off (0 in a liquid cell)."""
    if liquid:
        return 0.0
    return c_rate * ONE_C_MA_G * interface_resistance(parameters, temperature_K) * 1e-3


def transport_weights(parameters: ActivationParameters, depth_nm: np.ndarray, temperature_K: float, *,
                      c_rate: float = 0.1, liquid: bool = False) -> np.ndarray:
    """Each depth cell's share of the transport drop in unactivated material (V): the running sum over
    the cells from the surface, each divided by ``1 + (rho - 1) a``, is :func:`transport_drop`."""
    p = parameters
    radius_cm = (p.radius_nm - depth_nm) * 1e-7
    step_cm = np.diff(depth_nm, prepend=0.0) * 1e-7
    contact = 1.0 if liquid else min(p.contact_fraction * max(p.phi_c, 1e-9), 1.0)  # at most the whole surface
    diffusivity = p.diffusivity_cm2_s * arrhenius_factor(p.diffusion_activation_energy_eV, temperature_K)
    volts_per_unit = TM_SPAN_V * c_rate * ONE_C_MA_G / (3600 * p.q_tm_mAh_g)  # s g: slope x charging rate
    return volts_per_unit * radius_cm * step_cm / (3 * diffusivity * contact)


def transport_drop(parameters: ActivationParameters, a: np.ndarray, depth_nm: np.ndarray, temperature_K: float, *,
                   c_rate: float = 0.1, liquid: bool = False) -> np.ndarray:
    """How far below the surface's the local potential of each depth cell is at the end of a charge (V).

    The pseudo-steady drop of a sphere charged at a constant current through the fraction ``chi`` of
    its surface in contact with the electrolyte: the flux through radius r carries the charge of the
    sphere inside it, ``g r / 3``, against the local diffusivity ``D(T) [1 + (rho - 1) a]``, and the
    open-circuit slope of the TM sites turns the concentration drop into volts (see the module docstring).
    """
    weights = transport_weights(parameters, depth_nm, temperature_K, c_rate=c_rate, liquid=liquid)
    return np.cumsum(weights / (1 + (parameters.rho - 1) * a))


def tm_utilisation(parameters: ActivationParameters, temperature_K: float) -> float:
    """The share of the Ni/Co redox reached in a charge at a temperature (Arrhenius, capped at 1)."""
    return min(parameters.u_ref * arrhenius_factor(parameters.u_activation_energy_eV, temperature_K), 1.0)


def charge_step(parameters: ActivationParameters, a: np.ndarray, depth_nm: np.ndarray, temperature_K: float, *,
                c_rate: float = 0.1, upper_V: float = 4.7, liquid: bool = False) -> tuple[np.ndarray, float]:
    """One charge: the activation profile after it, and the interfacial overpotential it ran at (V)."""
    p = parameters
    eta = interface_overpotential(p, temperature_K, c_rate=c_rate, liquid=liquid)
    margin = upper_V - eta - p.plateau_V
    rate = arrhenius_factor(p.activation_energy_eV, temperature_K) / SUBSTEPS
    weights = transport_weights(p, depth_nm, temperature_K, c_rate=c_rate, liquid=liquid)
    width = tafel_width(p.tafel_width_V, temperature_K)
    for _ in range(SUBSTEPS):
        drop = np.cumsum(weights / (1 + (p.rho - 1) * a))
        drive = np.exp(np.minimum((margin - drop) / width, DRIVE_CAP))
        a = 1 - (1 - a) * np.exp(-rate * drive)
    return a, eta


def simulate_cycles(parameters: ActivationParameters, cycles: int = 40, *, temperature_C=30.0,
                    liquid: bool = False, c_rate: float = 0.1, upper_V: float = 4.7,
                    initial_profile: np.ndarray | None = None) -> ActivationRun:
    """Run the cycle-resolved model.

    Parameters
    ----------
    parameters : ActivationParameters
    cycles : int
    temperature_C : float or sequence
        One temperature, or one per cycle (a cell moved from 30 to 50 °C after two cycles).
    liquid : bool
        A liquid-electrolyte cell: the whole surface wetted, no interfacial loss, the Ni/Co redox reached
        as ``u_liquid`` says (eta = 0, chi = 1).
    c_rate, upper_V : float
        The charge's current in C (1 C = 250 mA/g) and its cut-off.
    initial_profile : numpy.ndarray, optional
        a(z) to start from (default: unactivated).

    Examples
    --------
    The same cell at 30 and 50 °C: activation is faster when warmer, because the interface takes less.

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
    tey_weight, bulk_weight = probe_weights(depth, volume, p.tey_nm), probe_weights(depth, volume, p.bulk_nm)
    a = np.zeros_like(depth) if initial_profile is None else np.array(initial_profile, float)
    profiles = np.empty((cycles, len(depth)))
    utilisation = np.array([p.u_liquid if liquid else tm_utilisation(p, t) for t in temperatures])
    deactivated = surface_deactivation([p.surface_loss_per_cycle * arrhenius_factor(p.surface_reaction_energy_eV, t)
                                        for t in temperatures])
    surface_excess = surface_oxygen_excess(deactivated, tm_utilisation=utilisation, q_tm_mAh_g=p.q_tm_mAh_g,
                                           q_o_mAh_g=p.q_o_mAh_g, r_max=p.r_max)
    start = float(volume @ a)
    overpotential = np.empty(cycles)
    for n, t in enumerate(temperatures):
        a, overpotential[n] = charge_step(p, a, depth, t, c_rate=c_rate, upper_V=upper_V, liquid=liquid)
        profiles[n] = a
    mean_a, seen_tey, seen_bulk = profiles @ volume, profiles @ tey_weight, profiles @ bulk_weight
    capacity_tm = utilisation * p.q_tm_mAh_g
    capacity_mn = Q_MN_PER_VALENCE_MAH_G * p.mn_reduction * mean_a
    capacity_o = p.q_o_mAh_g * mean_a
    table = pd.DataFrame({
        "cycle": np.arange(1, cycles + 1), "temperature_C": temperatures - 273.15,
        "capacity_mAh_g": capacity_tm + capacity_mn + capacity_o, "capacity_tm_mAh_g": capacity_tm,
        "capacity_mn_mAh_g": capacity_mn, "capacity_o_mAh_g": capacity_o,
        "activation_charge_mAh_g": p.q_o_mAh_g * np.diff(mean_a, prepend=start), "overpotential_V": overpotential,
        "margin_V": upper_V - overpotential - p.plateau_V, "activated_fraction": mean_a,
        "front_nm": [front_depth(profile, depth) for profile in profiles],
        "r_tey": p.r_max * seen_tey + surface_excess, "r_bulk": p.r_max * seen_bulk,
        "surface_deactivated": deactivated, "mn_valence_tey": 4 - p.mn_reduction * seen_tey,
        "mn_valence_bulk": 4 - p.mn_reduction * seen_bulk})
    return ActivationRun(table, depth, profiles, parameters)
