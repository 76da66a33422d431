"""Time-resolved model: one particle under galvanostatic cycling between voltage cut-offs.

The sphere of radius R is cut into shells that are thin at the surface (``surface_step_nm``)
and grow geometrically inwards (the grid of the cycle-resolved model, so both resolve the few
nanometres a TEY spectrum sees). State per shell: ``x``, the extracted charge as a fraction of
the full capacity Q_Mn + Q_TM + Q_O, and ``a``, the activated fraction of its Li2MnO3 domains.

* Vacancies diffuse (finite volumes): ``dx/dt = (1/r^2) d/dr (r^2 D dx/dr)`` with
  ``D = D_0(T) [1 + (rho - 1) a]`` (activated material carries Li better), fed at the surface
  by the applied current.
* Local open-circuit potential: the Mn3+/4+ couple that oxygen loss opens (``Q_Mn a``, with
  ``Q_Mn = 176 mAh/g x mn_reduction``: the cycle-resolved model's channel) from 2.7 to 3.0 V; the
  TM reservoir (a share Q_TM of the capacity) on a slope from 3.0 to 4.3 V (the potential falls
  steeply below the Mn, where every site is lithiated); the activated oxygen reservoir (Q_O a)
  on to 4.45 V; beyond what is available the potential climbs steeply through the plateau
  ``U_plateau`` (4.5 V). The domains activate on charge with Tafel kinetics in the local
  potential, ``da/dt = k_a(T) (1 - a) exp((U - U_plateau) / w)`` (w = 50 mV at 30 °C: tenfold per
  115 mV; RT / alpha F, so in proportion to T): fast on the plateau, slowly on the TM slope below it.
  Activating adds oxygen capacity, which pulls U back down: the plateau of the first charge. It
  also opens the Mn reservoir reduced (the oxygen that leaves reduces Mn: the bulk Mn falls from
  3.99 to 3.91 in the first charge at 50 °C), at the bottom of the shell's charge, so the holes
  already there first oxidise it and the current must pass that charge again: the first charge
  carries the Mn too, and no discharge gives back more than its charge passed.
  (A threshold law, zero below the plateau, makes the model bistable: either the first charge
  sustains a plateau and activates most of what it reaches, or nothing activates at all; no
  parameter gives the slow, cycle-by-cycle activation of a cell at 30 °C.) Every corner of
  U(x) is rounded over 0.2 % of the capacity: a kink would make the stiff solver crawl, and
  the rounding is far below what a cycler resolves.
* Oxygen hysteresis: what the charge put on oxygen is given back on discharge
  ``oxygen_hysteresis_V`` lower (0.9 V: Li-rich oxides oxidise their oxygen at 4.3-4.5 V and
  reduce it around 3.4-3.6 V), amid the TM slope rather than at its top. Each shell remembers the
  oxygen holes of the last charge (``x - f_Mn a - f_TM`` at its end), and on discharge its potential is the
  one at which the TM slope and that oxygen, each with its own potential, hold ``x`` between them
  (:func:`discharge_potential`). Transport is Fickian in ``x`` and activation runs on charge only,
  so the branch moves the terminal voltage alone: the discharge's oxygen reduction lands in dQ/dV
  near 3.45 V, as in measured cells, instead of mirroring the 4.3-4.45 V charge.
* Terminal voltage: surface U + Butler-Volmer overpotential on the contacted fraction phi_c of
  the surface (``eta = 2 R T / F asinh(i / (2 i0 phi_c))``) + ``I R_int(T)``.

Charge at the given C-rate to the upper cut-off, discharge to the lower one, and again, each
half cycle solved by ``scipy.integrate.solve_ivp`` with LSODA (stiff BDF with automatic
switching; its step loop is compiled, which here makes it about twice as fast as the pure-Python
BDF) given the analytic Jacobian and the cut-offs as events. It yields the voltage curve of
every cycle, so the cycling analysis (capacities by region, dQ/dV) can be run on it as on a
measured cell; the per-cycle table also gives the region III charge (above the lower bound of the
cycling analysis' region III) and what each XAS mode would see, the surface with the surface
process of :mod:`redoxmap.model.surface` (its TM utilisation: the surface shell's at the top of
charge).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.integrate import solve_ivp
from scipy.special import expit

from redoxmap.cycling.regions import DEFAULT_REGIONS
from redoxmap.errors import AnalysisError
from redoxmap.model.arrhenius import FARADAY, GAS_CONSTANT, arrhenius_factor, tafel_width
from redoxmap.model.cycle_model import (
    DRIVE_CAP,
    ONE_C_MA_G,
    Q_MN_PER_VALENCE_MAH_G,
    Q_TM_MAH_G,
    TM_SPAN_V,
    TM_START_V,
    ParameterSet,
    depth_edges,
    front_depth,
    interface_resistance,
    probe_weights,
)
from redoxmap.model.surface import surface_deactivation, surface_oxygen_excess

REGION_III_V = next(r.low_V for r in DEFAULT_REGIONS if r.name == "III")

O_SPAN_V = 0.15  # activated oxygen from 4.3 to 4.45 V
MN_SPAN_V = 0.3  # the Mn3+/4+ couple oxygen loss opens, from 2.7 to 3.0 V: below the Ni/Co slope
BEYOND_V = 100.0  # volts per unit of the capacity beyond every available site
LITHIATED_V = 200.0  # volts per unit below x = 0 (every site lithiated)
ROUNDING = 0.002  # corners of U(x) rounded over this fraction of the capacity
TM_ONLY_MARGIN = 12 * ROUNDING  # below f_TM by this much, the rounded oxygen terms are < exp(-12)
DRIVE_V = 0.05  # Tafel width of the activation kinetics (RT / alpha F at 30 °C, alpha = 1/2)


@dataclass(frozen=True)
class CellParameters(ParameterSet):
    """Parameters of the time-resolved model (units in the names).

    The defaults of the diffusivity, activation rate and energy, interfacial resistance and its
    energy, r_max and Q_O are the model fitted to the reference study's capacities at 30 and 50 °C and
    its bulk r-values (:func:`redoxmap.model.validation.validate_reference`), rounded; the others are
    set, not fitted.

    Attributes
    ----------
    radius_um : float
        Radius of the domain that activates as a unit.
    diffusivity_cm2_s, diffusion_activation_energy_eV : float
        Vacancy diffusivity in unactivated material at 30 °C and its Arrhenius energy.
    rho : float
        Diffusivity ratio of activated to unactivated material.
    k_activation_per_h, activation_energy_eV : float
        Activation rate at the plateau potential at 30 °C, and its Arrhenius energy.
    u_plateau_V : float
        Oxygen plateau of the first charge, above which domains activate.
    q_o_mAh_g, q_tm_mAh_g : float
        Oxygen capacity of fully activated material; TM capacity.
    exchange_current_mA_g, phi_c : float
        Butler-Volmer exchange current (per gram) and contacted fraction of the surface.
    r_int_ohm_g, r_int_activation_energy_eV : float
        Interfacial resistance times active mass at 30 °C and phi_c = 1
        (``I R = (mA/g)(ohm g)`` mV) and its Arrhenius energy.
    r_max : float
        O activation index r of fully activated material (for the XAS modes).
    mn_reduction : float
        Drop of the Mn valence from 4 in fully activated material: the Mn3+/4+ capacity it opens is
        ``176 mAh/g x mn_reduction`` (the cycle-resolved model's parameter of the same name; 0.1 from
        the reference study's bulk Mn valence, 3.99 -> 3.91 after the first charge at 50 °C).
    oxygen_hysteresis_V : float
        How far below the top of the TM slope (4.3 V, where the charge starts on the oxygen) the oxygen
        the charge oxidised starts to be reduced on discharge (stated: the voltage hysteresis of oxygen
        redox in Li-rich layered oxides, oxidised at 4.3-4.5 V and reduced near 3.4-3.6 V; Assat and
        Tarascon, Nat. Energy 3, 373 (2018); not measured in the reference study). From 0.15 to 1.3 V:
        the oxygen's 0.15 V window is reduced within the TM slope (the discharge branch has no room for
        it above the slope's top), so the smallest hysteresis is 0.15 V, not 0.
    surface_loss_per_cycle, surface_reaction_energy_eV : float
        Share of the surface layer that loses its TM redox per charge at 30 °C, and the Arrhenius
        energy of that reaction with the electrolyte (the cycle-resolved model's parameters of the
        same names; :mod:`redoxmap.model.surface`). 0: no surface process.
    tafel_width_V : float
        Potential per e-fold of the activation rate at 30 °C (RT / alpha F, proportional to T; the cycle-resolved
        model's parameter of the same name).
    tey_nm, bulk_nm : float
        Probing depths of the surface (TEY) and bulk (iPFY/TFY) XAS modes (the cycle-resolved model's).
    shells, surface_step_nm : int, float
        Depth grid: number of shells and the thickness of the outermost one.
    """

    radius_um: float = 1.0
    diffusivity_cm2_s: float = 5.2e-13
    diffusion_activation_energy_eV: float = 0.4
    rho: float = 8.0
    k_activation_per_h: float = 0.30
    activation_energy_eV: float = 0.28
    u_plateau_V: float = 4.5
    q_o_mAh_g: float = 145.0
    q_tm_mAh_g: float = Q_TM_MAH_G
    exchange_current_mA_g: float = 50.0
    phi_c: float = 1.0
    r_int_ohm_g: float = 10.3
    r_int_activation_energy_eV: float = 0.04
    r_max: float = 0.233
    mn_reduction: float = 0.1
    oxygen_hysteresis_V: float = 0.9
    surface_loss_per_cycle: float = 0.0
    surface_reaction_energy_eV: float = 0.3
    tafel_width_V: float = DRIVE_V
    tey_nm: float = 4.5
    bulk_nm: float = 150.0
    shells: int = 24
    surface_step_nm: float = 2.0


def _rounded_max0(z, gradient: bool):
    """max(z, 0) with its corner rounded over ROUNDING (z in capacity fractions), and its slope if asked."""
    return ROUNDING * np.logaddexp(0.0, z / ROUNDING), (expit(z / ROUNDING) if gradient else None)


def capacity_fractions(parameters: CellParameters) -> tuple[float, float, float, float]:
    """The full capacity ``Q_Mn + Q_TM + Q_O`` (mAh/g) and each reservoir's share of it, in that order."""
    p = parameters
    q_mn = Q_MN_PER_VALENCE_MAH_G * p.mn_reduction
    total = q_mn + p.q_tm_mAh_g + p.q_o_mAh_g
    return total, q_mn / total, p.q_tm_mAh_g / total, p.q_o_mAh_g / total


def _manganese(x, a, parameters: CellParameters, gradient: bool):
    """What both branches share below the Ni/Co slope: the charge past the Mn reservoir ``x - f_Mn a`` and
    the potential's Mn and wall terms, with their slopes if asked.

    The Mn slope (MN_SPAN_V over ``f_Mn a``) is the TM slope's term ``TM_SPAN_V x'/f_TM`` plus
    ``c max(-x', 0)``, ``c = TM_SPAN_V / f_TM - MN_SPAN_V / reach``, ``reach = f_Mn a + floor`` (the floor,
    where nothing is activated, makes it as steep as the wall); below ``x = 0`` every site is lithiated:
    the wall ``-(LITHIATED_V / f_TM - MN_SPAN_V / reach) max(-x, 0)`` makes the slope there
    ``LITHIATED_V / f_TM`` whatever ``a`` is (without Mn, the model before the channel). Returns ``x'``,
    the terms, and with ``gradient`` d terms / dx' (at fixed x), d / dx (at fixed x'), d / da (at fixed x').
    """
    _, f_mn, f_tm, _ = capacity_fractions(parameters)
    reach = f_mn * a + MN_SPAN_V * f_tm / LITHIATED_V
    shifted = x - f_mn * a
    mn_slope = MN_SPAN_V / reach
    c = TM_SPAN_V / f_tm - mn_slope
    steeper = LITHIATED_V / f_tm - mn_slope  # >= 0: reach is at least the floor
    below, s_below = _rounded_max0(-shifted, gradient)
    wall, s_wall = _rounded_max0(-x, gradient)
    terms = c * below - steeper * wall
    if not gradient:
        return shifted, terms
    return shifted, terms, -c * s_below, steeper * s_wall, mn_slope * f_mn / reach * (below - wall)


def open_circuit_potential(x, a, parameters: CellParameters, *, gradient: bool = False):
    """Local open-circuit potential (V) on charge of shells with extracted fraction ``x`` and activation
    ``a``: Mn, then TM, then activated oxygen (see the module docstring).

    Parameters
    ----------
    x, a : numpy.ndarray
        Extracted charge (fraction of :func:`capacity_fractions`' total) and activation of each shell.
    parameters : CellParameters
    gradient : bool
        Also return dU/dx and dU/da (for the solver's Jacobian).

    Returns
    -------
    numpy.ndarray, or (U, dU/dx, dU/da)
    """
    p = parameters
    _, f_mn, f_tm, f_o = capacity_fractions(p)
    floor = 0.02 * f_o  # a barely activated shell gets no vertical step
    width = f_o * a  # oxygen capacity activated in the shell
    if gradient:
        shifted, low_terms, dlow_dshift, dlow_dx, dlow_da = _manganese(x, a, p, True)
    else:
        shifted, low_terms = _manganese(x, a, p, False)
    if np.max(shifted) < f_tm - TM_ONLY_MARGIN:
        # Every shell below its oxygen: the oxygen terms are below 1e-6 V, so they are not computed
        # (on charge, about half of the solver's calls).
        u = TM_START_V + TM_SPAN_V * shifted / f_tm + low_terms
        if not gradient:
            return u
        du_dshift = TM_SPAN_V / f_tm + dlow_dshift
        return u, du_dshift + dlow_dx, dlow_da - f_mn * du_dshift
    o_part, s_o = _rounded_max0(shifted - f_tm, gradient)  # charge beyond the TM sites
    extra, s_extra = _rounded_max0(width - floor, gradient)
    # Charge beyond the activated oxygen too: max(0, o - w), rounded and shifted to be exactly zero
    # at o = 0 (a rounded max of a rounded max would otherwise lift an unactivated shell's U by
    # BEYOND_V x ROUNDING ln 2 / f_o, a quarter of a volt, over its whole TM slope).
    over, s_over = _rounded_max0(o_part - width, gradient)
    offset, s_offset = _rounded_max0(-width, gradient)
    over = over - offset
    filled, denom = o_part - over, floor + extra
    u = (TM_START_V + TM_SPAN_V * (shifted - o_part) / f_tm + low_terms
         + O_SPAN_V * filled / denom + BEYOND_V * over / f_o)
    if not gradient:
        return u
    du_do = O_SPAN_V * (1 - s_over) / denom + BEYOND_V * s_over / f_o
    du_dshift = TM_SPAN_V * (1 - s_o) / f_tm + du_do * s_o + dlow_dshift
    d_over_dw = s_offset - s_over
    du_dw = O_SPAN_V * (-d_over_dw / denom - filled * s_extra / denom ** 2) + BEYOND_V * d_over_dw / f_o
    return u, du_dshift + dlow_dx, du_dw * f_o + dlow_da - f_mn * du_dshift


def discharge_potential(x, a, oxygen_holes, parameters: CellParameters):
    """Local potential (V) on discharge of shells with extracted fraction ``x`` and activation ``a`` that
    ended their last charge with ``oxygen_holes`` (fractions of the capacity) on oxygen.

    The TM slope (3.0-4.3 V over ``f_TM``) and the oxygen holes, reduced over ``O_SPAN_V`` starting
    ``oxygen_hysteresis_V`` below the top of that slope, share ``x`` at one potential: the inverse of
    ``x(U) = f_TM (U - 3.0) / 1.3 + y clip((U - U_o) / O_SPAN_V, 0, 1)``. Below ``U_o`` and above
    ``U_o + O_SPAN_V`` it runs along the TM slope; between, flatter by the oxygen's share; below the TM
    slope, the Mn (2.7-3.0 V) as on charge; past the holes the charge made, a wall. Without oxygen holes it
    is :func:`open_circuit_potential`'s Mn and TM slopes, so a shell that never reached its oxygen on
    charge is discharged as it was charged. Corners rounded as there.

    Parameters
    ----------
    x, a : numpy.ndarray
        Extracted charge (fraction of :func:`capacity_fractions`' total) and activation of each shell.
    oxygen_holes : numpy.ndarray or float
        What the last charge put on oxygen (:meth:`ParticleModel.end_charge`).
    parameters : CellParameters

    Returns
    -------
    numpy.ndarray
    """
    p = parameters
    _, _, f_tm, f_o = capacity_fractions(p)
    x, low_terms = _manganese(x, a, p, False)  # from here on, x is the charge past the Mn reservoir
    holes = np.maximum(np.asarray(oxygen_holes, float), 0.0)
    onset = np.clip(TM_START_V + TM_SPAN_V - p.oxygen_hysteresis_V, TM_START_V, TM_START_V + TM_SPAN_V - O_SPAN_V)
    tm_per_volt = f_tm / TM_SPAN_V
    o_per_volt = holes / O_SPAN_V
    x_onset = tm_per_volt * (onset - TM_START_V)
    x_done = x_onset + tm_per_volt * O_SPAN_V + holes
    flattening = o_per_volt / (tm_per_volt * (tm_per_volt + o_per_volt))  # 1/slope of TM alone minus of both
    shared = _rounded_max0(x - x_onset, False)[0] - _rounded_max0(x - x_done, False)[0]
    # Past every hole the charge made: a wall, its rounded corner set beyond the start of the discharge (at the
    # corner itself it would lift the first point by BEYOND_V x ROUNDING ln 2 / f_o, a quarter of a volt).
    beyond = _rounded_max0(x - f_tm - holes - 6 * ROUNDING, False)[0]
    return TM_START_V + x / tm_per_volt - flattening * shared + low_terms + BEYOND_V * beyond / f_o


def _drive(u, plateau_V, width_V, gradient: bool = False):
    """Activation drive ``exp((U - U_plateau) / w)``, ``w`` the Tafel width, and its slope if asked."""
    z = (u - plateau_V) / width_V
    drive = np.exp(np.minimum(z, DRIVE_CAP))
    return drive, (np.where(z < DRIVE_CAP, drive / width_V, 0.0) if gradient else None)


class ParticleModel:
    """The particle's equations for one temperature (see the module docstring).

    State ``[x_0 .. x_{n-1}, a_0 .. a_{n-1}]``, shell 0 at the centre and shell n-1 at the surface.
    """

    def __init__(self, p: CellParameters, temperature_C: float):
        self.p = p
        t = temperature_C + 273.15
        self.temperature_K = t
        n = p.shells
        self.n = n
        radius_nm = p.radius_um * 1e3
        depth = depth_edges(radius_nm, surface_step_nm=p.surface_step_nm, points=n)
        edges = (radius_nm - depth[::-1]) * 1e-7  # radii (cm) from the centre outwards
        volume = edges[1:] ** 3 - edges[:-1] ** 3
        self.volume_fraction = volume / volume.sum()
        self.depth_nm = 0.5 * (depth[1:] + depth[:-1])[::-1]  # shell centres, in state order
        centres = 0.5 * (edges[1:] + edges[:-1])
        conductance = 3 * edges[1:-1] ** 2 / np.diff(centres)  # face area / distance (4 pi and volume's 1/3 cancel)
        self.inner_gain = conductance / volume[:-1]  # a face's flux per unit D dx, into the shell inside it
        self.outer_gain = conductance / volume[1:]
        self._inner_gain4, self._outer_gain4 = np.tile(self.inner_gain, 4), np.tile(self.outer_gain, 4)
        self.d0 = p.diffusivity_cm2_s * arrhenius_factor(p.diffusion_activation_energy_eV, t)
        self.k_activation = p.k_activation_per_h / 3600 * arrhenius_factor(p.activation_energy_eV, t)
        self.width = tafel_width(p.tafel_width_V, t)
        self.r_int = interface_resistance(p, t)
        self.q_total, self.f_mn, self.f_tm, _ = capacity_fractions(p)
        # The current extracts charge through the surface shell: d<x>/dt = I / (3600 Q_total).
        self.feed = 1 / (3600 * self.q_total) / self.volume_fraction[-1]
        # Where each face's terms go in the flattened Jacobian: the rows of the shells inside and
        # outside it, the columns of their x and a (np.bincount adds the terms two faces share).
        xi = np.arange(n - 1)
        columns = np.concatenate([xi + 1, xi, xi + n, xi + n + 1])
        self._face_index = np.concatenate([np.tile(xi, 4) * 2 * n + columns, np.tile(xi + 1, 4) * 2 * n + columns])
        self._diagonal = np.arange(n)
        self.oxygen_holes = np.zeros(n)  # what the last charge left on oxygen, per shell (the discharge branch)

    def end_charge(self, state) -> None:
        """Remember what a finished charge left on oxygen (holes beyond the TM sites) for the discharge."""
        n = self.n
        self.oxygen_holes = np.maximum(state[:n] - self.f_mn * state[n:] - self.f_tm, 0.0)

    def rhs(self, _t, state, current_mA_g):
        """d[x, a]/dt at a constant current (mA per gram; positive = charging)."""
        n, p = self.n, self.p
        x, a = state[:n], state[n:]
        d = self.d0 * (1 + (p.rho - 1) * a)
        flux = 2 * d[1:] * d[:-1] / (d[1:] + d[:-1]) * (x[1:] - x[:-1])  # vacancies move towards the centre
        rate = np.zeros(2 * n)
        rate[:n - 1] = flux * self.inner_gain
        rate[1:n] -= flux * self.outer_gain
        rate[n - 1] += current_mA_g * self.feed
        if current_mA_g > 0:
            drive, _ = _drive(open_circuit_potential(x, a, p), p.u_plateau_V, self.width)
            rate[n:] = self.k_activation * (1 - a) * drive
        return rate

    def jacobian(self, _t, state, current_mA_g):
        """The analytic Jacobian of :meth:`rhs` (dense: 2n x 2n is small)."""
        n, p = self.n, self.p
        x, a = state[:n], state[n:]
        slope = self.d0 * (p.rho - 1)
        d = self.d0 + slope * a
        total = d[1:] + d[:-1]
        face_d = 2 * d[1:] * d[:-1] / total
        gap = x[1:] - x[:-1]
        # d flux / d (x outside, x inside, a inside, a outside)
        terms = np.concatenate([face_d, -face_d, 2 * d[1:] ** 2 / total ** 2 * slope * gap,
                                2 * d[:-1] ** 2 / total ** 2 * slope * gap])
        weights = np.concatenate([terms * self._inner_gain4, -terms * self._outer_gain4])
        jac = np.bincount(self._face_index, weights, minlength=4 * n * n).reshape(2 * n, 2 * n)
        if current_mA_g > 0:
            u, du_dx, du_da = open_circuit_potential(x, a, p, gradient=True)
            drive, d_drive = _drive(u, p.u_plateau_V, self.width, gradient=True)
            k, i = self.k_activation, self._diagonal
            jac[n + i, i] = k * (1 - a) * d_drive * du_dx
            jac[n + i, n + i] = k * ((1 - a) * d_drive * du_da - drive)
        return jac

    def voltage(self, state, current_mA_g):
        """Terminal voltage of one state ``(2n,)`` or of states in columns ``(2n, m)``: on discharge (a
        negative current) with the oxygen the last charge left (:meth:`end_charge`, :func:`discharge_potential`)."""
        n = self.n
        if current_mA_g < 0:
            u = discharge_potential(state[n - 1], state[2 * n - 1], self.oxygen_holes[n - 1], self.p)
        else:
            u = open_circuit_potential(state[n - 1], state[2 * n - 1], self.p)
        thermal = 2 * GAS_CONSTANT * self.temperature_K / FARADAY
        eta = thermal * np.arcsinh(current_mA_g / (2 * self.p.exchange_current_mA_g * max(self.p.phi_c, 1e-9)))
        return u + eta + current_mA_g * self.r_int * 1e-3


def _time_above(times, voltage, level) -> float:
    """Time the voltage spends at or above ``level`` (linear between the samples)."""
    low, high = np.minimum(voltage[:-1], voltage[1:]), np.maximum(voltage[:-1], voltage[1:])
    share = np.clip((high - level) / np.maximum(high - low, 1e-12), 0.0, 1.0)
    return float(np.diff(times) @ share)


def simulate_time_resolved(parameters: CellParameters | None = None, cycles: int = 5, *, temperature_C: float = 30.0,
                           c_rate: float = 0.1, upper_V: float = 4.7, lower_V: float = 2.0,
                           points_per_half: int = 200, tey_nm: float | None = None, bulk_nm: float | None = None,
                           tolerance: float = 1e-4) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cycle the particle galvanostatically between cut-offs.

    Parameters
    ----------
    parameters : CellParameters, optional
    cycles : int
    temperature_C, c_rate : float
        Cell temperature; current in C (1 C = 250 mA/g).
    upper_V, lower_V : float
        Cut-offs of charge and discharge.
    points_per_half : int
        Samples of the voltage record per half cycle (evenly in time).
    tey_nm, bulk_nm : float, optional
        Probing depths of the surface and bulk XAS modes, if not the parameters'.
    tolerance : float
        The solver's relative tolerance (absolute: 1e-3 of it); capacities after 40 cycles are
        within 0.1 % of a 1e-7 solution at the default.

    Returns
    -------
    record : pandas.DataFrame
        ``time_s``, ``voltage_V``, ``current_A`` (per gram of active material; positive =
        charging), ``cycle``: a cycler table for the cycling analysis.
    cycles : pandas.DataFrame
        Per cycle: ``charge_capacity_mAh_g``, ``discharge_capacity_mAh_g``,
        ``region_iii_charge_mAh_g`` (charge passed above the region III bound), ``activated_fraction``
        (volume average), ``activated_surface``, ``activated_centre``, ``front_nm`` and ``r_tey``,
        ``r_bulk`` (the O activation index each XAS mode would see after that charge).

    Raises
    ------
    AnalysisError
        When the solver fails, or a half cycle never reaches its cut-off (parameters outside the
        model's range).
    """
    p = parameters or CellParameters()
    if cycles < 1 or c_rate <= 0 or not lower_V < upper_V:
        raise AnalysisError(f"the particle model needs cycles >= 1, a positive C-rate and lower < upper cut-off "
                            f"(got {cycles}, {c_rate}, {lower_V}-{upper_V} V)")
    if not O_SPAN_V <= p.oxygen_hysteresis_V <= TM_SPAN_V:
        raise AnalysisError(f"oxygen_hysteresis_V must lie between {O_SPAN_V} and {TM_SPAN_V} V (the oxygen is "
                            f"reduced within the TM slope), not {p.oxygen_hysteresis_V}")
    model = ParticleModel(p, temperature_C)
    n = p.shells
    tey = probe_weights(model.depth_nm, model.volume_fraction, p.tey_nm if tey_nm is None else tey_nm)
    bulk = probe_weights(model.depth_nm, model.volume_fraction, p.bulk_nm if bulk_nm is None else bulk_nm)
    state = np.zeros(2 * n)
    current = c_rate * ONE_C_MA_G
    horizon = 3600 * model.q_total / current * 2.5  # longer than any half cycle can last
    records, rows, clock = [], [], 0.0
    deactivated = surface_deactivation(np.full(cycles, p.surface_loss_per_cycle * arrhenius_factor(
        p.surface_reaction_energy_eV, temperature_C + 273.15)))
    for cycle in range(1, cycles + 1):
        row = {"cycle": cycle, "temperature_C": temperature_C}
        for sign, limit, name in ((1.0, upper_V, "charge"), (-1.0, lower_V, "discharge")):
            i = sign * current

            def cutoff(_t, y, i=i, limit=limit):
                return model.voltage(y, i) - limit
            cutoff.terminal = True
            solution = solve_ivp(model.rhs, (0, horizon), state, args=(i,), method="LSODA", events=cutoff,
                                 jac=model.jacobian, rtol=tolerance, atol=tolerance * 1e-3, dense_output=True)
            if solution.status != 1:
                reason = solution.message if solution.status < 0 else f"{limit} V was never reached"
                raise AnalysisError(f"particle model, cycle {cycle} {name} at {temperature_C:g} °C: {reason}")
            end = solution.t[-1]
            times = np.linspace(0, end, points_per_half)
            voltage = model.voltage(solution.sol(times), i)
            records.append(pd.DataFrame({"time_s": clock + times, "voltage_V": voltage, "current_A": i * 1e-3,
                                         "cycle": cycle}))
            clock += end + 1.0
            state = solution.y[:, -1]
            row[f"{name}_capacity_mAh_g"] = current * end / 3600
            if name == "charge":
                model.end_charge(state)
                row["region_iii_charge_mAh_g"] = current * _time_above(times, voltage, REGION_III_V) / 3600
                past_mn = state[n - 1] - model.f_mn * state[2 * n - 1]
                surface_tm = min(max(past_mn / model.f_tm, 0.0), 1.0)  # TM redox done in the surface shell
        a = np.clip(state[n:], 0, 1)
        row.update(activated_fraction=float(model.volume_fraction @ a), activated_surface=float(a[-1]),
                   activated_centre=float(a[0]), front_nm=front_depth(a[::-1], model.depth_nm[::-1]),
                   r_tey=p.r_max * float(tey @ a) + float(surface_oxygen_excess(
                       deactivated[cycle - 1], tm_utilisation=surface_tm, q_tm_mAh_g=p.q_tm_mAh_g,
                       q_o_mAh_g=p.q_o_mAh_g, r_max=p.r_max)),
                   r_bulk=p.r_max * float(bulk @ a), surface_deactivated=deactivated[cycle - 1])
        rows.append(row)
    return pd.concat(records, ignore_index=True), pd.DataFrame(rows)
