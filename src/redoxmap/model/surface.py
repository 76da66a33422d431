"""The surface process both activation models share: the surface layer loses its TM redox, and
oxygen carries the charge it no longer does.

Physical argument
-----------------
At the surface (the few nanometres a TEY spectrum sees) activated oxygen can leave the lattice:
O2 is released (DEMS), the layer densifies towards spinel or rock salt (HRTEM), and the TM
it leaves behind are reduced and no longer take part in the redox (Mn2+/Mn3+ growing in TEY,
the surface Ni after a charge falling from 3.39 to 2.62 and 2.50 over 12 and 22 cycles at
50 °C). Each charge converts a fixed share ``gamma`` of what is left of the layer, so the
deactivated fraction after the n-th charge is ``d_n = 1 - exp(-sum_{k<n} gamma_k)`` (zero after
the first charge: the surface Ni of the first charge is the reference).

The layer is still delithiated to the cut-off on every charge, so by charge neutrality the holes
the lost TM redox no longer takes (``u Q_TM d`` in mAh/g) are taken by oxygen: oxidised O^n-
species that the pre-peak B of the O K edge counts. Fully activated oxygen (capacity ``Q_O``)
gives ``r_max``, so the surface r rises by ``r_max u Q_TM d / Q_O``: oxygen redox at the surface
keeps growing after the bulk has saturated, with no new parameter beyond ``gamma``.

``gamma`` is not fitted to the surface r (held out): it comes from a separate measurement, the
surface (TEY) TM valence after numbered charges (:func:`surface_loss_from_valence`). The rate is
that of the sulfide electrolyte reducing the charged oxide (XPS: SOx, TM-S; DEMS: O2): in both
models it has its own Arrhenius energy (``surface_reaction_energy_eV``), fixed by the rates at two
temperatures where the valences were followed over charges at both, stated otherwise
(:func:`surface_reaction_from_valences`). The layer is a few
nanometres thick: the bulk modes (100-200 nm) give it under 3 % of their weight, so the bulk r and
the capacity are left as the bulk model gives them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from redoxmap.errors import AnalysisError
from redoxmap.model.arrhenius import arrhenius_factor, arrhenius_fit


def surface_deactivation(loss_per_cycle) -> np.ndarray:
    """The deactivated fraction of the surface layer after each charge.

    Parameters
    ----------
    loss_per_cycle : array_like
        ``gamma`` of each cycle (it depends on that cycle's temperature).

    Returns
    -------
    numpy.ndarray
        ``d_n = 1 - exp(-sum_{k<n} gamma_k)``: 0 after the first charge.
    """
    gamma = np.asarray(loss_per_cycle, float)
    lost = np.concatenate([[0.0], np.cumsum(gamma)[:-1]]) if gamma.size else gamma
    return -np.expm1(-lost)


def surface_oxygen_excess(deactivated, *, tm_utilisation, q_tm_mAh_g: float, q_o_mAh_g: float,
                          r_max: float) -> np.ndarray:
    """The rise of the surface r from oxygen taking the holes of the deactivated TM redox:
    ``r_max u Q_TM d / Q_O`` (see the module docstring)."""
    return r_max * np.asarray(tm_utilisation, float) * q_tm_mAh_g * np.asarray(deactivated, float) / q_o_mAh_g


def surface_loss_from_valence(
    cycles, valences, stderr, *, pristine: float, electrons: float = 2.0
) -> tuple[float, float]:
    """The surface loss per cycle ``gamma`` (and its standard error) from the surface TM valence after
    numbered charges at one temperature.

    The TM utilisation of the layer after charge n is ``(v_n - pristine) / electrons`` (Ni2+ to
    Ni4+: two electrons) and falls as ``u_1 exp(-gamma (n - 1))``; ``u_1`` and ``gamma`` are fitted
    by weighted least squares to the valences.

    Parameters
    ----------
    cycles : array_like of int
        The charges after which the spectra were taken (the first one included).
    valences, stderr : array_like
        Surface (TEY) valence after each and its standard error.
    pristine : float
        Valence of the uncharged material.
    electrons : float
        Electrons per TM between the discharged and fully charged state.

    Raises
    ------
    AnalysisError
        With fewer than two charges, no charge after the first, a valence that is not a number or an
        error that is not positive.
    """
    cycles, valences, stderr = (np.asarray(v, float) for v in (cycles, valences, stderr))
    if not (cycles.shape == valences.shape == stderr.shape) or not np.all(np.isfinite(valences)) \
            or not np.all(stderr > 0):
        raise AnalysisError("the surface loss needs one finite valence and one positive error per charge")
    if len(cycles) < 2 or np.all(cycles == cycles.min()):
        raise AnalysisError("the surface loss needs the surface valence after at least two different charges")
    first = (valences[np.argmin(cycles)] - pristine) / electrons

    def residuals(x):
        u1, gamma = x
        return (pristine + electrons * u1 * np.exp(-gamma * (cycles - 1)) - valences) / stderr
    solution = least_squares(residuals, [max(first, 1e-3), 0.05], bounds=([0.0, 0.0], [1.0, 5.0]))
    jac = solution.jac
    dof = max(len(cycles) - 2, 0)
    scale = max(1.0, float(solution.fun @ solution.fun) / dof) if dof else 1.0
    covariance = np.linalg.pinv(jac.T @ jac) * scale
    return float(solution.x[1]), float(np.sqrt(max(covariance[1, 1], 0.0)))


def surface_reaction_from_valences(valences: pd.DataFrame, *, pristine: float, stated_energy_eV: float,
                                   electrons: float = 2.0, pristine_stderr: float = 0.0, fit_energy: bool = True,
                                   what: str = "surface (TEY) TM valence") -> dict[str, tuple[float, float, str]]:
    """The surface reaction's rate at 30 °C and its Arrhenius energy from the surface TM valence after
    numbered charges.

    At each temperature with valences after two different charges or more, the loss per cycle there
    (:func:`surface_loss_from_valence`; the pristine valence's error added by moving it one standard error
    each way). With two such temperatures or more (and ``fit_energy``), the rate at 30 °C and the energy come
    from them (:func:`redoxmap.model.arrhenius.arrhenius_fit`); otherwise each rate is brought to 30 °C with the
    stated energy and their inverse-variance mean taken (the energy's own error is not in it: a draw of the
    energy moves the rate at 30 °C, see :func:`redoxmap.model.fit.parameter_draws`).

    Parameters
    ----------
    valences : pandas.DataFrame
        ``temperature_C``, ``cycle`` (the charge after which the spectrum was taken), ``valence`` and
        ``valence_stderr``.
    pristine : float
        The uncharged material's valence.
    stated_energy_eV : float
        The reaction's energy where the valences do not measure it.
    electrons : float
        Electrons per TM between the discharged and charged state (Ni2+/4+: 2).
    pristine_stderr : float
        The pristine valence's standard error.
    fit_energy : bool
        Whether valences at two temperatures fix the energy (False: the stated one stands, as a user's does).
    what : str
        What the valences are, for the sources.

    Returns
    -------
    dict
        ``{"surface_loss_per_cycle": (value, stderr, source)}`` (at 30 °C), and
        ``"surface_reaction_energy_eV"`` likewise where two temperatures measure it.

    Raises
    ------
    AnalysisError
        When no temperature has valences after two different charges, or a rate is not positive.
    """
    rates = []
    for temperature in rate_temperatures(valences):
        rows = valences[valences["temperature_C"] == temperature]
        gamma, error = surface_loss_from_valence(rows["cycle"], rows["valence"], rows["valence_stderr"],
                                                 pristine=pristine, electrons=electrons)
        if pristine_stderr > 0:
            moved = [surface_loss_from_valence(rows["cycle"], rows["valence"], rows["valence_stderr"],
                                               pristine=pristine + step, electrons=electrons)[0]
                     for step in (-pristine_stderr, pristine_stderr)]
            error = float(np.hypot(error, 0.5 * abs(moved[1] - moved[0])))
        if not gamma > 0:
            raise AnalysisError(f"the {what} at {temperature:g} °C does not fall over charges {sorted(rows['cycle'])}"
                                " (a loss rate of 0): the surface reaction's rate cannot be measured from it")
        rates.append((float(temperature), gamma, error, sorted(int(c) for c in rows["cycle"].unique())))
    if not rates:
        raise AnalysisError(f"the surface reaction needs the {what} after two different charges at one "
                            f"temperature at least (got charges {sorted(set(valences['cycle'].astype(int)))})")
    measured = "; ".join(f"charges {', '.join(map(str, charges))} at {t:g} °C ({gamma:.3g} +- {error:.2g} per cycle)"
                         for t, gamma, error, charges in rates)
    if len(rates) >= 2 and fit_energy:
        fit = arrhenius_fit(*zip(*[(t, gamma, error) for t, gamma, error, _ in rates]))
        source = f"{what} after {measured}: the rates at {len(rates)} temperatures"
        return {"surface_loss_per_cycle": (fit.value_ref, fit.value_ref_stderr, source),
                "surface_reaction_energy_eV": (fit.energy_eV, fit.energy_stderr_eV, source)}
    scales = np.array([arrhenius_factor(stated_energy_eV, t + 273.15) for t, _, _, _ in rates])
    at_30 = np.array([gamma for _, gamma, _, _ in rates]) / scales
    errors = np.array([error for _, _, error, _ in rates]) / scales
    weights = 1 / errors ** 2
    source = f"{what} after {measured}, converted to 30 °C with the reaction's stated energy ({stated_energy_eV:g} eV)"
    return {"surface_loss_per_cycle": (float(weights @ at_30 / weights.sum()), float(weights.sum() ** -0.5), source)}


def rate_temperatures(valences: pd.DataFrame) -> list[float]:
    """The temperatures (°C) at which ``valences`` measure a loss rate: those with valences after two different
    charges or more.

    Parameters
    ----------
    valences : pandas.DataFrame
        As :func:`surface_reaction_from_valences` takes them.

    Returns
    -------
    list of float
    """
    counts = valences.groupby("temperature_C")["cycle"].nunique()
    return [float(t) for t in counts.index[counts >= 2]]


@dataclass(frozen=True)
class SurfaceValences:
    """A study's surface TM valence after numbered charges: what fixes its surface reaction
    (:func:`surface_reaction_from_valences`).

    Attributes
    ----------
    valences : pandas.DataFrame
        ``temperature_C``, ``cycle``, ``valence``, ``valence_stderr`` (and ``sample``).
    pristine, pristine_stderr : float
        The uncharged material's valence at that edge and probing depth, and its error.
    what : str
        What was measured, for the sources (``"surface (TEY) Ni-L3 valence"``).
    electrons : float
        Electrons per TM between the discharged and charged state.
    """

    valences: pd.DataFrame
    pristine: float
    pristine_stderr: float
    what: str
    electrons: float = 2.0

    def reaction(self, stated_energy_eV: float, *, fit_energy: bool = True) -> dict[str, tuple[float, float, str]]:
        """:func:`surface_reaction_from_valences` of these valences.

        Parameters
        ----------
        stated_energy_eV : float
            The energy where the valences do not measure it.
        fit_energy : bool
            Whether valences at two temperatures fix the energy.

        Returns
        -------
        dict
        """
        what = f"{self.what} (pristine {self.pristine:.3g} +- {self.pristine_stderr:.2g})"
        return surface_reaction_from_valences(self.valences, pristine=self.pristine, stated_energy_eV=stated_energy_eV,
                                              electrons=self.electrons, pristine_stderr=self.pristine_stderr,
                                              fit_energy=fit_energy, what=what)
