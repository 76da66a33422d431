"""Fit equivalent circuits to impedance spectra: complex least squares with analytic Jacobians.

Strictly positive parameters are fitted on a log scale (resistances and capacitances
span decades), CPE exponents between 0 and 1. Every spectrum is seeded from its own data
(high-frequency intercept, arc apex frequencies and widths, the low-frequency tail) and
from a few variations of that guess; all starts of all spectra are solved together by the
batched Levenberg-Marquardt of :mod:`redoxmap.batch_lm`, and the best start of each
spectrum is kept. RC pairs are then sorted by time constant and labelled.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.signal import find_peaks

from redoxmap.batch_lm import fit_batch
from redoxmap.eis.circuits import Circuit
from redoxmap.errors import AnalysisError, FitWarning

WEIGHTINGS = ("modulus", "proportional", "unit")
LN10 = np.log(10.0)
# Capacitance ranges of Irvine, Sinclair and West, Adv. Mater. 2, 132 (1990), for a cell
# constant near 1 cm^-1: (upper bound in F, the phenomenon).
CAPACITANCE_RANGES = [(1e-11, "bulk"), (1e-8, "grain boundary"), (1e-7, "surface layer / interphase"),
                      (1e-5, "electrode interface (double layer)"), (np.inf, "electrochemical reaction / storage")]


@dataclass
class CircuitFit:
    """A circuit fitted to one spectrum.

    Attributes
    ----------
    circuit : str
    parameters : pandas.DataFrame
        ``name``, ``value``, ``stderr``, ``unit``, ``at_bound``.
    chi_square, reduced_chi_square : float
        Of the weighted residuals (``weighting``).
    rc : pandas.DataFrame
        RC pairs by increasing time constant: ``resistor``, ``capacitor``, ``R_ohm`` (+ stderr),
        ``C_eff_F``, ``tau_s``, ``f_apex_Hz``, ``label``, ``capacitance_range``.
    frequency_Hz, z_data, z_fit : numpy.ndarray
    notes : list of str
    label : str
    """

    circuit: str
    parameters: pd.DataFrame
    chi_square: float
    reduced_chi_square: float
    weighting: str
    rc: pd.DataFrame
    frequency_Hz: np.ndarray = field(repr=False)
    z_data: np.ndarray = field(repr=False)
    z_fit: np.ndarray = field(repr=False)
    notes: list[str] = field(default_factory=list)
    label: str = ""

    @property
    def values(self) -> dict[str, float]:
        """Parameter name -> fitted value."""
        return dict(zip(self.parameters["name"], self.parameters["value"]))

    @property
    def residuals(self) -> np.ndarray:
        """``(Z_data - Z_fit) / |Z_data|`` (complex)."""
        return (self.z_data - self.z_fit) / np.abs(self.z_data)

    def to_dict(self) -> dict:
        """Parameters, fit quality, RC pairs and notes as plain values."""
        return {"circuit": self.circuit, "label": self.label, "weighting": self.weighting,
                "chi_square": self.chi_square, "reduced_chi_square": self.reduced_chi_square,
                "parameters": self.parameters.to_dict(orient="records"), "rc": self.rc.to_dict(orient="records"),
                "notes": list(self.notes)}


def _sigma(z: np.ndarray, weighting: str) -> tuple[np.ndarray, np.ndarray]:
    if weighting == "modulus":
        m = np.abs(z)
        return m, m
    if weighting == "proportional":
        floor = 1e-3 * np.abs(z)
        return np.maximum(np.abs(z.real), floor), np.maximum(np.abs(z.imag), floor)
    if weighting == "unit":
        return np.ones(len(z)), np.ones(len(z))
    raise AnalysisError(f"weighting must be one of {', '.join(WEIGHTINGS)}, not {weighting!r}")


def initial_guess(circuit: Circuit, frequency_Hz, z) -> np.ndarray:
    """Start values from the data: intercept, arcs (apex frequency and width), tails.

    RC blocks take the arcs in order from high to low frequency; a block without an arc of
    its own is placed a decade below the last one.
    """
    f = np.asarray(frequency_Hz, float)
    z = np.asarray(z, complex)
    order = np.argsort(-f)
    f, z = f[order], z[order]
    minus_imag = -z.imag
    capacitive = minus_imag > 0
    r_inf = float(z.real[capacitive][0]) if capacitive.any() else float(z.real.min())
    r_inf = max(r_inf, 1e-6 * np.abs(z).max())
    smooth = np.convolve(minus_imag, np.ones(3) / 3, mode="same")
    apexes, _ = find_peaks(smooth, prominence=0.02 * max(np.ptp(smooth), 1e-30))
    arcs = [(f[i], max(2 * minus_imag[i], 1e-3 * np.abs(z).max())) for i in apexes]
    span = max(float(z.real.max() - r_inf), 1e-3 * np.abs(z).max())
    if not arcs:
        arcs = [(f[len(f) // 2], span)]
    guess = np.zeros(len(circuit))
    assigned = {}
    pairs = circuit.rc_pairs()
    for k, (resistor, capacitor) in enumerate(pairs):
        if k < len(arcs):
            f_apex, width = arcs[k]
        else:
            f_apex, width = arcs[-1][0] / 10 ** (k - len(arcs) + 1), arcs[-1][1]
        guess[resistor.start] = width
        tau = 1 / (2 * np.pi * f_apex)
        if capacitor.kind == "C":
            guess[capacitor.start] = tau / width
        else:
            guess[capacitor.start:capacitor.start + 2] = [tau ** 0.85 / width, 0.85]
        assigned.update({resistor.name: True, capacitor.name: True})
    w_low = 2 * np.pi * f[-1]
    first_resistor = True
    for element in circuit.elements:
        if element.name in assigned:
            continue
        k = element.start
        if element.kind == "R":
            guess[k] = r_inf if first_resistor else span / 4
            first_resistor = False
        elif element.kind == "C":
            guess[k] = 1 / (w_low * max(minus_imag[-1], 1e-3 * span))
        elif element.kind == "CPE":
            guess[k:k + 2] = [1 / (w_low * max(minus_imag[-1], 1e-3 * span)), 0.85]
        elif element.kind == "L":
            guess[k] = max(-minus_imag[0], 1e-3 * r_inf) / (2 * np.pi * f[0])
        elif element.kind == "W":
            guess[k] = max(minus_imag[-1], 1e-3 * span) * np.sqrt(w_low)
        elif element.kind in ("Wo", "Ws"):
            guess[k:k + 2] = [max(span / 2, 1e-6), 1 / (2 * np.pi * f[-1]) * 3]
    return guess


def _to_theta(params, positive):
    return np.where(positive, np.log10(np.clip(params, 1e-300, None)), params)


def _from_theta(theta, positive):
    return np.where(positive, 10.0 ** np.where(positive, theta, 0.0), theta)


def _starts(guess: np.ndarray, circuit: Circuit, n: int, rng) -> np.ndarray:
    """The data guess and ``n - 1`` variations (each positive parameter x 10^U(-1, 1))."""
    positive = circuit.positive
    theta = _to_theta(guess, positive)
    starts = [theta]
    for _ in range(max(n, 1) - 1):
        trial = theta + np.where(positive, rng.uniform(-1, 1, len(theta)), 0.0)
        starts.append(trial)
    return np.array(starts)


def fit_circuits(spectra, circuit: str | Circuit, *, weighting: str = "modulus", initial=None,
                 starts: int = 8, seed: int = 0, labels: list[str] | None = None,
                 arc_names: str = "time constant") -> list[CircuitFit]:
    """Fit one circuit to many spectra at once.

    Parameters
    ----------
    spectra : sequence
        :class:`~redoxmap.io.eis_files.ImpedanceSpectrum` objects or ``(frequency_Hz, z)`` pairs.
    circuit : str or Circuit
    weighting : {"modulus", "proportional", "unit"}
        Residuals divided by |Z|, by |Z'| and |Z''| separately, or not at all.
    initial : array-like, optional
        Your own start values (added to the data-derived starts).
    starts : int
        Starts per spectrum: the data guess and random variations of it (0 with ``initial``:
        only your start values).
    arc_names : {"time constant", "solid-state"}
        How the RC arcs are named: numbered by time constant, or as an all-solid-state cell's
        (bulk / grain boundary, interface, charge transfer; :func:`solid_state_labels`).

    Returns
    -------
    list of CircuitFit

    Raises
    ------
    AnalysisError
        For more parameters than data points, or a circuit that does not parse.
    """
    circuit = circuit if isinstance(circuit, Circuit) else Circuit(circuit)
    data = [(s.frequency_Hz, s.z_ohm, s.label) if hasattr(s, "z_ohm") else (np.asarray(s[0], float),
                                                                              np.asarray(s[1], complex), "")
            for s in spectra]
    if not data:
        raise AnalysisError("no spectra to fit")
    k = len(circuit)
    rng = np.random.default_rng(seed)
    n_max = max(len(f) for f, _, _ in data)
    positive = circuit.positive
    low, high = circuit.bounds
    lower, upper = _to_theta(low, positive), np.where(positive, np.log10(high), high)
    F, Zd, S, theta0, owner, n_points = [], [], [], [], [], []
    for index, (f, z, label) in enumerate(data):
        if 2 * len(f) <= k:
            raise AnalysisError(f"{len(f)} impedance points cannot fix {k} parameters of {circuit.text}"
                                + (f" ({label})" if label else ""))
        pad = n_max - len(f)
        sigma_re, sigma_im = _sigma(z, weighting)
        weight = np.concatenate([1 / sigma_re, np.zeros(pad), 1 / sigma_im, np.zeros(pad)])
        guesses = _starts(initial_guess(circuit, f, z), circuit, starts, rng)[:starts]
        if initial is not None:
            guesses = np.vstack([guesses, _to_theta(np.asarray(initial, float), positive)[None]])
        if not len(guesses):
            raise AnalysisError("starts = 0 needs initial values")
        for theta in guesses:
            F.append(np.concatenate([f, np.full(pad, f[-1])]))
            Zd.append(np.concatenate([z, np.full(pad, z[-1])]))
            S.append(weight)
            theta0.append(np.clip(theta, lower, upper))
            owner.append(index)
            n_points.append(2 * len(f))
    F, Zd, S, theta0 = np.array(F), np.array(Zd), np.array(S), np.array(theta0)

    def residuals(theta, rows):
        params = _from_theta(theta, positive)
        z, dz = circuit.impedance(params, F[rows], jacobian=True)
        scale = np.where(positive, params * LN10, 1.0)[:, None, :]
        dz = dz * scale  # d/dtheta
        r = np.concatenate([(Zd[rows] - z).real, (Zd[rows] - z).imag], axis=1) * S[rows]
        J = np.concatenate([dz.real, dz.imag], axis=1) * S[rows][:, :, None]
        return r, J

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        result = fit_batch(residuals, theta0, lower, upper, np.array(n_points), max_iterations=300,
                           tolerance=1e-10, statistical_tolerance=1e-3)
    owner = np.array(owner)
    fits = []
    for index, (f, z, label) in enumerate(data):
        rows = np.flatnonzero(owner == index)
        chi2 = np.where(np.isfinite(result.chi_square[rows]), result.chi_square[rows], np.inf)
        best = rows[int(np.argmin(chi2))]
        fits.append(_result(circuit, result, best, f, z, weighting, labels[index] if labels else label, arc_names))
    return fits


def fit_circuit(spectrum, circuit: str | Circuit, **options) -> CircuitFit:
    """Fit a circuit to one spectrum (see :func:`fit_circuits` for the options)."""
    return fit_circuits([spectrum], circuit, **options)[0]


def _result(circuit: Circuit, result, row: int, f, z, weighting: str, label: str, arc_names: str) -> CircuitFit:
    positive = circuit.positive
    theta = result.params[row]
    values = _from_theta(theta, positive)
    stderr = np.where(positive, values * LN10 * result.stderr[row], result.stderr[row])
    # A CPE exponent of exactly 1 is an ideal capacitor, not a fit pushed against a wall.
    ideal = np.array([n.endswith("_alpha") for n in circuit.parameter_names]) & (values >= 1.0 - 1e-9)
    pinned = result.at_bound[row] & ~ideal
    parameters = pd.DataFrame({"name": circuit.parameter_names, "value": values, "stderr": stderr,
                               "unit": circuit.units, "at_bound": pinned})
    z_fit = circuit.impedance(values, f)
    notes = []
    if pinned.any():
        notes.append(f"at a bound: {', '.join(parameters['name'][pinned])}")
    if not result.converged[row]:
        notes.append("did not converge")
    relative = np.abs(stderr / values)
    loose = parameters["name"][(relative > 1.0) & np.isfinite(relative)]
    if len(loose):
        notes.append(f"undetermined (error > 100 %): {', '.join(loose)}")
    for name, value in zip(circuit.parameter_names, values):
        if name.endswith("_alpha") and value < 0.5:
            notes.append(f"{name} = {value:.2f}: below 0.5 a CPE is more diffusion than capacitance")
    fit = CircuitFit(circuit.text, parameters, float(result.chi_square[row]), float(result.reduced_chi_square[row]),
                     weighting, _rc_table(circuit, values, stderr, arc_names), f, z, z_fit, notes, label)
    for note in notes:
        warnings.warn(f"{label or circuit.text}: {note}", FitWarning, stacklevel=3)
    return fit


def effective_capacitance(q: float, alpha: float, r: float) -> float:
    """C of a CPE in parallel with R: ``(Q R)^(1/alpha) / R`` (Hsu and Mansfeld, Corrosion 57, 747, 2001)."""
    return (q * r) ** (1 / alpha) / r


def _rc_table(circuit: Circuit, values, stderr, arc_names: str = "time constant") -> pd.DataFrame:
    rows = []
    for resistor, capacitor in circuit.rc_pairs():
        r = values[resistor.start]
        if capacitor.kind == "C":
            c = values[capacitor.start]
        else:
            c = effective_capacitance(values[capacitor.start], values[capacitor.start + 1], r)
        tau = r * c
        rows.append({"resistor": resistor.name, "capacitor": capacitor.name, "R_ohm": r,
                     "R_stderr_ohm": stderr[resistor.start], "C_eff_F": c, "tau_s": tau,
                     "f_apex_Hz": 1 / (2 * np.pi * tau),
                     "capacitance_range": next(name for limit, name in CAPACITANCE_RANGES if c < limit)})
    table = pd.DataFrame(rows, columns=["resistor", "capacitor", "R_ohm", "R_stderr_ohm", "C_eff_F", "tau_s",
                                        "f_apex_Hz", "capacitance_range"])
    table = table.sort_values("tau_s", ignore_index=True)
    names = solid_state_labels(len(table)) if arc_names == "solid-state" else _labels(len(table))
    table.insert(len(table.columns), "label", names)
    return table


def _labels(n: int) -> list[str]:
    """Arcs by time constant, named for nothing but that (a liquid cell's arcs are not a solid-state
    cell's; see :func:`solid_state_labels`)."""
    if n == 1:
        return ["arc 1"]
    return [f"arc {k + 1}" + (" (fastest)" if k == 0 else " (slowest)" if k == n - 1 else "") for k in range(n)]


def solid_state_labels(n: int) -> list[str]:
    """The arcs of an all-solid-state cell by time constant: the fastest is bulk/grain boundary, the
    slowest charge transfer, those between interfaces (the reference study's R_bulk, R_int, R_ct)."""
    if n == 0:
        return []
    if n == 1:
        return ["charge transfer"]
    return ["bulk / grain boundary", *(["interface"] * (n - 2)), "charge transfer"]
