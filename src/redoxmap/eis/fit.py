"""Fit equivalent circuits to impedance spectra: complex least squares with analytic Jacobians.

Strictly positive parameters are fitted on a log scale (resistances and capacitances
span decades), CPE exponents between 0 and 1. Every spectrum is seeded from its own data
(high-frequency intercept, arc apex frequencies and widths, the low-frequency tail), from a
few variations of that guess and from the user's own start; all starts of all spectra are
solved together by the batched Levenberg-Marquardt of :mod:`redoxmap.batch_lm`.

The search guards against the ways such fits stop short:

* **exchange symmetry**: two blocks of the same kind (``p(R1,CPE1)``, ``p(R2,CPE2)``) started
  alike stay alike under a gradient step, on a symmetric saddle; every start that gives them
  (nearly) equal values is also tried with their time constants a decade apart;
* **saddles and shallow local minima**: the best solution of each spectrum is perturbed and
  refitted (0.3 decades on positive parameters, 0.05 on exponents) until a round brings no
  improvement, so that a point the optimiser stopped at without being a minimum is left;
* **several minima**: how many distinct minima the starts ended in is reported with the fit.
* **elements switched off**: where the best solution has an element at a bound (a Warburg or a resistor
  at zero), every start is run again with that element held near the data's guess (half and one and a
  half decades), then released: a valley the free starts could not reach from a dead element is found that way.

RC pairs are then sorted by time constant and labelled. Standard errors come from the
covariance scaled by the reduced chi-square (the convention of :mod:`redoxmap.batch_lm`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.signal import find_peaks

from redoxmap.batch_lm import fit_batch
from redoxmap.defaults import EIS_STARTS, EIS_WEIGHTING
from redoxmap.eis.circuits import Circuit
from redoxmap.errors import AnalysisError, FitWarning, warn
from redoxmap.fitting import SCALED
from redoxmap.palette import COLORS
from redoxmap.results import FitResult, axes_for

WEIGHTINGS = ("modulus", "proportional", "unit")
LN10 = np.log(10.0)
# Capacitance ranges of Irvine, Sinclair and West, Adv. Mater. 2, 132 (1990), for a cell
# constant near 1 cm^-1: (upper bound in F, the phenomenon).
CAPACITANCE_RANGES = [(1e-11, "bulk"), (1e-8, "grain boundary"), (1e-7, "surface layer / interphase"),
                      (1e-5, "electrode interface (double layer)"), (np.inf, "electrochemical reaction / storage")]


@dataclass
class CircuitFit(FitResult):
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
    starts : int
        Starts tried (data-seeded, the user's, their symmetry-broken copies and the polishing
        perturbations).
    errors : str
        The convention of the standard errors (:mod:`redoxmap.fitting`: the weights are relative,
        so the covariance is scaled by the reduced chi-square).
    minima : int
        Distinct minima those starts ended in (chi-square apart by more than 0.1 %); more than one
        says the landscape has other valleys, the best of which is reported.
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
    starts: int = 1
    minima: int = 1
    errors: str = SCALED

    @property
    def values(self) -> dict[str, float]:
        """Parameter name -> fitted value."""
        return dict(zip(self.parameters["name"], self.parameters["value"]))

    @property
    def residuals(self) -> np.ndarray:
        """``(Z_data - Z_fit) / |Z_data|`` (complex)."""
        return (self.z_data - self.z_fit) / np.abs(self.z_data)

    title = "Equivalent-circuit fit"

    def summary(self) -> dict:
        """Parameters, fit quality, RC pairs and notes as plain values (a JSON-ready dict)."""
        return {"circuit": self.circuit, "label": self.label, "weighting": self.weighting,
                "chi_square": self.chi_square, "reduced_chi_square": self.reduced_chi_square,
                "parameters": self.parameters.to_dict(orient="records"), "rc": self.rc.to_dict(orient="records"),
                "starts": self.starts, "minima": self.minima, "errors": self.errors, "notes": list(self.notes)}

    def _parameters(self) -> pd.DataFrame:
        """Every element's parameters with standard errors and units."""
        return self.parameters.rename(columns={"name": "parameter"})[["parameter", "value", "stderr", "unit",
                                                                      "at_bound"]]

    def statistics(self) -> dict:
        """Chi-square and its reduced value (of the weighted residuals), weighting, points, the starts
        tried and the distinct minima they ended in, and the error convention."""
        return {"chi_square": self.chi_square, "reduced_chi_square": self.reduced_chi_square,
                "weighting": self.weighting, "points": len(self.frequency_Hz), "starts": self.starts,
                "minima": self.minima, "errors": self.errors}

    def _draw(self, ax) -> None:
        """The Nyquist plot of data and fit, on equal axes."""
        ax.plot(self.z_data.real, -self.z_data.imag, "o", ms=3, mfc="none", color=COLORS[0], label="data")
        ax.plot(self.z_fit.real, -self.z_fit.imag, "-", color=COLORS[1], lw=1.2, label=self.circuit)
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_xlabel("Z' (Ω)")
        ax.set_ylabel("−Z'' (Ω)")
        ax.legend(loc="upper left")

    def plot_bode(self, ax=None):
        """|Z| (left axis) and the phase (right axis) of data and fit against frequency.

        Returns
        -------
        matplotlib.axes.Axes
            The |Z| axes (the phase axes is its twin).
        """
        ax = axes_for(ax)
        ax.loglog(self.frequency_Hz, np.abs(self.z_data), "o", ms=3, mfc="none", color=COLORS[0])
        ax.loglog(self.frequency_Hz, np.abs(self.z_fit), "-", color=COLORS[1], lw=1.0)
        ax.set_ylabel("|Z| (Ω)")
        ax.set_xlabel("Frequency (Hz)")
        phase = ax.twinx()
        phase.semilogx(self.frequency_Hz, -np.degrees(np.angle(self.z_data)), "s", ms=2.5, mfc="none",
                       color=COLORS[2])
        phase.semilogx(self.frequency_Hz, -np.degrees(np.angle(self.z_fit)), "-", color=COLORS[2], lw=0.8)
        phase.set_ylabel("−phase (°)", color=COLORS[2])
        return ax

    def plot_residuals(self, ax=None):
        """Relative residuals of the real and imaginary parts (%) against frequency.

        Returns
        -------
        matplotlib.axes.Axes
        """
        ax = axes_for(ax, (4.0, 1.8))
        relative = self.residuals
        ax.semilogx(self.frequency_Hz, 100 * relative.real, "o-", ms=2, lw=0.6, color=COLORS[0], label="Δ'")
        ax.semilogx(self.frequency_Hz, 100 * relative.imag, "s-", ms=2, lw=0.6, color=COLORS[1], label="Δ''")
        ax.axhline(0, color="0.7", lw=0.5)
        ax.set_xlabel("Frequency (Hz)")
        ax.set_ylabel("Residual (%)")
        ax.legend(ncol=3, fontsize=6)
        return ax


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


def initial_guess(circuit: Circuit, frequency_Hz, z, assignment: tuple[int, ...] | None = None,
                  unseen: str = "below") -> np.ndarray:
    """Start values from the data: intercept, arcs (apex frequency and width), tails.

    RC blocks take the arcs in order from high to low frequency (or in the ``assignment`` given,
    a permutation of the blocks: which block meets which arc). A block without an arc of its own
    (an arc too small or too close to another to show an apex) is placed a decade below the last
    arc with its width (``unseen="below"``), or a decade above the first with a tenth of its width
    (``"above"``).
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
    if assignment is not None:
        pairs = [pairs[i] for i in assignment]
    if unseen == "above" and len(pairs) > len(arcs):
        extra = len(pairs) - len(arcs)
        arcs = [(arcs[0][0] * 10 ** (extra - j), 0.1 * arcs[0][1]) for j in range(extra)] + arcs
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


MAX_ASSIGNMENTS = 6  # ways of assigning the arcs to the blocks tried (all of them for up to three blocks)


def _starts(circuit: Circuit, frequency_Hz, z, n: int, rng) -> np.ndarray:
    """``n`` starts from the data: the guess for every assignment of the arcs to the RC blocks (a
    block may own the high- or the low-frequency arc: the fits of the two assignments lie in
    different valleys), then random variations of them (each positive parameter x 10^U(-1, 1))."""
    import itertools

    positive = circuit.positive
    pairs = circuit.rc_pairs()
    kinds, orders = set(), []
    for order in itertools.permutations(range(len(pairs))):
        signature = tuple(pairs[i][1].kind for i in order)  # blocks of one kind: the same assignment
        if signature not in kinds:
            kinds.add(signature)
            orders.append(order)
        if len(orders) == MAX_ASSIGNMENTS:
            break
    guesses = [_to_theta(initial_guess(circuit, frequency_Hz, z, order, unseen), positive)
               for unseen in ("below", "above") for order in orders]
    guesses = list({tuple(np.round(g, 6)): g for g in guesses}.values())  # "above" equals "below" when no arc is unseen
    starts = list(guesses[:n])
    for k in range(n - len(starts)):
        base = guesses[k % len(guesses)]
        starts.append(base + np.where(positive, rng.uniform(-1, 1, len(base)), 0.0))
    return np.array(starts)


SYMMETRIC_DECADES = 0.1  # blocks whose log-parameters all agree this well start on a symmetric saddle
SPREAD_DECADES = 1.0  # time constants of such blocks are set this far apart


def _break_symmetry(theta: np.ndarray, circuit: Circuit) -> np.ndarray | None:
    """A copy of a start with interchangeable blocks that start alike moved a decade apart in time
    constant (R and C, or R and Q, each by half of it); None when no blocks start alike."""
    changed = theta.copy()
    moved = False
    for group in circuit.exchangeable_blocks():
        values = np.array([[theta[r.start], theta[c.start]] for r, c in group])
        if np.ptp(values, axis=0).max() > SYMMETRIC_DECADES:
            continue
        for rank, (resistor, capacitor) in enumerate(group):
            offset = SPREAD_DECADES * (rank - (len(group) - 1) / 2)
            changed[resistor.start] += offset / 2
            changed[capacitor.start] += offset / 2
        moved = True
    return changed if moved else None


DEAD_DECADES = 3.0  # a positive parameter this far from the data's guess has left the spectrum's scale


def _perturbations(theta: np.ndarray, guess: np.ndarray, positive: np.ndarray, lower, upper, n: int,
                   rng) -> np.ndarray:
    """Neighbours of a solution to restart from: ``n`` random ones (0.3 decades on positive parameters,
    0.05 on the others) and, where parameters went dead (at a bound, or decades from the data's guess:
    an element switched off, which no small step revives), the solution with them put back at the
    guess, and random neighbours of that."""
    scale = np.where(positive, 0.3, 0.05)
    out = [theta[None, :] + rng.normal(size=(n, len(theta))) * scale[None, :]]
    span = np.maximum(upper - lower, 1e-12)
    dead = (np.minimum(theta - lower, upper - theta) < 1e-6 * span) | (
        positive & (np.abs(theta - guess) > DEAD_DECADES)
    )
    if dead.any():  # back at the guess, and a decade or two either side of it (one of them may be the valley)
        for decades in (0.0, -1.0, 1.0, 2.0):
            revived = np.where(dead, guess + np.where(positive, decades, 0.0), theta)
            out += [revived[None, :], revived[None, :] + rng.normal(size=(max(n // 2, 1), len(theta))) * scale[None, :]]
    return np.vstack(out)


@dataclass
class _Problem:
    """One spectrum's data arranged for the batched solver (padded to the longest spectrum)."""

    frequency: np.ndarray
    z: np.ndarray
    weight: np.ndarray
    n_points: int


def _solve(circuit: Circuit, problems: list[_Problem], thetas: list[np.ndarray], lower, upper):
    """Run the batched solver on start ``thetas[i]`` (a 2-D array of starts) of every problem ``i``;
    returns the fit and the problem each row belongs to."""
    positive = circuit.positive
    rows = [(i, t) for i, starts in enumerate(thetas) for t in starts]
    owner = np.array([i for i, _ in rows])
    F = np.array([problems[i].frequency for i in owner])
    Zd = np.array([problems[i].z for i in owner])
    S = np.array([problems[i].weight for i in owner])
    theta0 = np.clip(np.array([t for _, t in rows]), lower, upper)

    def residuals(theta, index):
        params = _from_theta(theta, positive)
        z, dz = circuit.impedance(params, F[index], jacobian=True)
        scale = np.where(positive, params * LN10, 1.0)[:, None, :]
        dz = dz * scale  # d/dtheta
        r = np.concatenate([(Zd[index] - z).real, (Zd[index] - z).imag], axis=1) * S[index]
        J = np.concatenate([dz.real, dz.imag], axis=1) * S[index][:, :, None]
        return r, J

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        result = fit_batch(residuals, theta0, lower, upper, np.array([problems[i].n_points for i in owner]),
                           max_iterations=300, tolerance=1e-10, statistical_tolerance=1e-3)
    return result, owner


REVIVAL_HOLDS_DECADES = (0.0, 0.5, 1.5)  # a stuck element restarts held within these decades of its guess


def _revive(circuit: Circuit, problem: _Problem, best: tuple, starts: np.ndarray, lower, upper):
    """Restart a fit whose best solution has an element switched off at a bound (a Warburg or resistor at
    zero): every data-derived start with that element at its guess and held within each of
    ``REVIVAL_HOLDS_DECADES`` of it, then released. Returns the better ``(result, row)`` and the
    chi-squares tried, or None."""
    result, row = best
    positive = circuit.positive
    values = _from_theta(result.params[row], positive)
    ideal = np.array([n.endswith("_alpha") for n in circuit.parameter_names]) & (values >= 1.0 - 1e-9)
    stuck = np.flatnonzero(result.at_bound[row] & ~ideal & positive)
    if not len(stuck):
        return None
    guess = starts[0]
    candidates, tried = [], []
    for decades in REVIVAL_HOLDS_DECADES:
        held, ceiling = lower.copy(), upper.copy()
        held[stuck] = np.maximum(lower[stuck], guess[stuck] - decades)
        ceiling[stuck] = np.minimum(upper[stuck], guess[stuck] + decades + 1e-9)
        revived = starts.copy()
        revived[:, stuck] = guess[stuck]
        first, _ = _solve(circuit, [problem], [np.clip(revived, held, ceiling)], held, ceiling)
        released, _ = _solve(circuit, [problem], [first.params], lower, upper)
        chi2 = np.where(np.isfinite(released.chi_square), released.chi_square, np.inf)
        tried += list(chi2)
        candidates.append((float(chi2.min()), released, int(np.argmin(chi2))))
    chi2, released, index = min(candidates, key=lambda c: c[0])
    if chi2 < result.chi_square[row] * (1 - 1e-7) - 1e-300:
        return (released, index), tried
    return best, tried


def _distinct(chi_square: np.ndarray, relative: float = 1e-3) -> int:
    """How many distinct minima a set of final chi-squares holds (apart by more than ``relative``)."""
    values = np.sort(chi_square[np.isfinite(chi_square)])
    if not len(values):
        return 0
    return 1 + int(np.sum(np.diff(values) > relative * np.maximum(values[1:], 1e-300)))


def fit_circuits(spectra, circuit: str | Circuit, *, weighting: str = EIS_WEIGHTING, initial=None,
                 starts: int = EIS_STARTS, seed: int = 0, labels: list[str] | None = None,
                 arc_names: str = "time constant", polish: int = 6, max_rounds: int = 4) -> list[CircuitFit]:
    """Fit one circuit to many spectra at once.

    Parameters
    ----------
    spectra : sequence
        :class:`~redoxmap.io.eis_files.ImpedanceSpectrum` objects or ``(frequency_Hz, z)`` pairs.
    circuit : str or Circuit
    weighting : {"modulus", "proportional", "unit"}
        Residuals divided by |Z|, by |Z'| and |Z''| separately, or not at all.
    initial : array-like, optional
        Your own start values: always tried, beside the data-derived starts.
    starts : int
        Data-derived starts per spectrum: the data guess and random variations of it (0 with
        ``initial``: only your start values, and their symmetry-broken copy).
    arc_names : {"time constant", "solid-state"}
        How the RC arcs are named: numbered by time constant, or as an all-solid-state cell's
        (bulk / grain boundary, interface, charge transfer; :func:`solid_state_labels`).
    polish : int
        Perturbed restarts around each spectrum's best solution per round (0: none).
    max_rounds : int
        Polishing rounds at most; a round that improves no spectrum ends them.

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
    if starts == 0 and initial is None:
        raise AnalysisError("starts = 0 needs initial values")
    k = len(circuit)
    rng = np.random.default_rng(seed)
    n_max = max(len(f) for f, _, _ in data)
    positive = circuit.positive
    low, high = circuit.bounds
    lower, upper = _to_theta(low, positive), np.where(positive, np.log10(high), high)
    problems, first = [], []
    for f, z, label in data:
        if 2 * len(f) <= k:
            raise AnalysisError(f"{len(f)} impedance points cannot fix {k} parameters of {circuit.text}"
                                + (f" ({label})" if label else ""))
        pad = n_max - len(f)
        sigma_re, sigma_im = _sigma(z, weighting)
        problems.append(_Problem(np.concatenate([f, np.full(pad, f[-1])]), np.concatenate([z, np.full(pad, z[-1])]),
                                 np.concatenate([1 / sigma_re, np.zeros(pad), 1 / sigma_im, np.zeros(pad)]),
                                 2 * len(f)))
        guesses = list(_starts(circuit, f, z, starts, rng)) if starts else []
        if initial is not None:
            guesses.append(_to_theta(np.asarray(initial, float), positive))
        guesses += [b for b in (_break_symmetry(g, circuit) for g in guesses) if b is not None]
        first.append(np.clip(np.array(guesses), lower, upper))
    result, owner = _solve(circuit, problems, first, lower, upper)
    best, tried, finals = [], [len(g) for g in first], [[] for _ in data]
    for index in range(len(data)):
        rows = np.flatnonzero(owner == index)
        chi2 = np.where(np.isfinite(result.chi_square[rows]), result.chi_square[rows], np.inf)
        finals[index] += list(chi2)
        row = rows[int(np.argmin(chi2))]
        best.append((result, row))
    todo = list(range(len(data))) if polish else []
    for _ in range(max_rounds if polish else 0):
        if not todo:
            break
        neighbours = [_perturbations(best[i][0].params[best[i][1]], first[i][0], positive, lower, upper, polish, rng)
                      for i in todo]
        trial, owner = _solve(circuit, [problems[i] for i in todo], neighbours, lower, upper)
        improved = []
        for position, index in enumerate(todo):
            rows = np.flatnonzero(owner == position)
            chi2 = np.where(np.isfinite(trial.chi_square[rows]), trial.chi_square[rows], np.inf)
            finals[index] += list(chi2)
            tried[index] += len(rows)
            current = best[index][0].chi_square[best[index][1]]
            if chi2.min() < current * (1 - 1e-7) - 1e-300:
                best[index] = (trial, rows[int(np.argmin(chi2))])
                improved.append(index)
        todo = improved
    for index in range(len(data)):
        revived = _revive(circuit, problems[index], best[index], first[index], lower, upper)
        if revived is not None:
            best[index] = revived[0]
            finals[index] += revived[1]
            tried[index] += len(revived[1])
    fits = []
    for index, (f, z, label) in enumerate(data):
        fit = _result(circuit, *best[index], f, z, weighting, labels[index] if labels else label, arc_names)
        fit.starts, fit.minima = tried[index], _distinct(np.array(finals[index]))
        fits.append(fit)
    return fits


def fit_circuit(spectrum, circuit: str | Circuit, **options) -> CircuitFit:
    """Fit a circuit to one spectrum (see :func:`fit_circuits` for the options).

    Examples
    --------
    The example spectrum of impedance.py (bundled with the demo), with its own circuit:

    >>> import redoxmap
    >>> from redoxmap.eis import read_impedance
    >>> spectrum = read_impedance(redoxmap.demo_source() / "eis" / "impedance_py_example.csv")[0]
    >>> fit = fit_circuit(spectrum, "R0-p(R1,CPE1)-W1")
    >>> table = fit.parameter_table().set_index("parameter")
    >>> print(round(table.loc["R0", "value"], 4), table.loc["R0", "unit"])
    0.0158 Ohm
    >>> fit.statistics()["points"]
    66
    """
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
        warn(f"{label or circuit.text}: {note}", FitWarning)
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
