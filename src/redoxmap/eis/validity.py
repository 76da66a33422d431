"""Does a spectrum deserve a fit? The linear Kramers-Kronig test of Schoenleber et al.

Schoenleber, Klotz and Ivers-Tiffee, Electrochim. Acta 131, 20 (2014): the spectrum is fitted
by a chain of M RC elements with time constants fixed on a log grid over the measured
range (plus a series resistance and inductance), a linear least-squares problem. M grows
until the over-fitting measure ``mu = 1 - sum|R_k < 0| / sum|R_k >= 0|`` falls below ``c``
(0.85), among chains whose residual is within twice the best one (a short chain
fitted to sharp arcs rings and gives negative R_k before it fits). A causal, linear, stable
system is represented within its noise; residuals that stay larger, or drift with frequency,
mean the spectrum violates Kramers-Kronig (drift, non-linearity, a changing cell) and its fit
parameters should not be trusted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from redoxmap.defaults import KK_THRESHOLD
from redoxmap.errors import AnalysisError
from redoxmap.results import DataView


@dataclass
class KramersKronig(DataView):
    """Result of the linear Kramers-Kronig test (``plot()`` draws the residuals; a notebook shows the
    figures).

    Attributes
    ----------
    n_rc : int
        RC elements used (M).
    mu : float
        The over-fitting measure at M.
    residual_real, residual_imag : numpy.ndarray
        ``(Z - Z_KK) / |Z|`` per frequency.
    max_residual, rms_residual : float
        Of both parts together (fractions, not %).
    valid : bool
        ``max_residual <= threshold``.
    threshold : float
    frequency_Hz, z_kk : numpy.ndarray
    """

    n_rc: int
    mu: float
    residual_real: np.ndarray = field(repr=False)
    residual_imag: np.ndarray = field(repr=False)
    max_residual: float
    rms_residual: float
    valid: bool
    threshold: float
    frequency_Hz: np.ndarray = field(repr=False)
    z_kk: np.ndarray = field(repr=False)

    def summary(self) -> dict:
        """Scalars as plain values."""
        return {"n_rc": self.n_rc, "mu": self.mu, "max_residual": self.max_residual,
                "rms_residual": self.rms_residual, "valid": self.valid, "threshold": self.threshold}

    title = "Kramers-Kronig test"

    def _draw(self, ax) -> None:
        ax.semilogx(self.frequency_Hz, 100 * self.residual_real, "o-", ms=2.5, lw=0.7, label="real")
        ax.semilogx(self.frequency_Hz, 100 * self.residual_imag, "s-", ms=2.5, lw=0.7, label="imaginary")
        for sign in (-1, 1):
            ax.axhline(sign * 100 * self.threshold, color="0.6", lw=0.6, ls="--")
        ax.set_xlabel("Frequency (Hz)")
        ax.set_ylabel("Residual (% of |Z|)")
        ax.set_title(f"{'valid' if self.valid else 'not valid'}: max {100 * self.max_residual:.2g} %, M = {self.n_rc}",
                     loc="left", fontsize="small")
        ax.legend(fontsize=6.5)


def _design(w: np.ndarray, taus: np.ndarray, inductance: bool, capacitance: bool = False) -> np.ndarray:
    """Complex columns: R_inf, the RC elements, i w (inductance) and 1/(i w) (series capacitance)."""
    columns = [np.ones_like(w, dtype=complex)] + [1 / (1 + 1j * w * t) for t in taus]
    if inductance:
        columns.append(1j * w)
    if capacitance:
        columns.append(1 / (1j * w))
    return np.column_stack(columns)


def kramers_kronig(frequency_Hz, z, *, c: float = 0.85, threshold: float = KK_THRESHOLD, max_rc: int | None = None,
                   inductance: bool = True, capacitance: bool = True) -> KramersKronig:
    """Linear Kramers-Kronig test with the mu criterion.

    Parameters
    ----------
    frequency_Hz, z : array-like
    c : float
        Stop adding RC elements once mu <= c.
    threshold : float
        Largest acceptable |residual| (fraction of |Z|); 1 % by default, a common noise level
        of modern potentiostats. Spectra above it are flagged.
    max_rc : int, optional
        Upper limit of M (default: 50, or the number of frequencies if fewer).
    inductance : bool
        Include a series inductance (cables, at high frequency).
    capacitance : bool
        Include a series capacitance: a blocking or diffusion tail at low frequency rises beyond
        any RC element of the measured range (Schoenleber et al. add it for this reason).

    Examples
    --------
    >>> import redoxmap
    >>> from redoxmap.eis import read_impedance
    >>> spectrum = read_impedance(redoxmap.demo_source() / "eis" / "impedance_py_example.csv")[0]
    >>> check = kramers_kronig(spectrum.frequency_Hz, spectrum.z_ohm)
    >>> bool(check.valid), check.max_residual < 0.01
    (True, True)
    """
    f = np.asarray(frequency_Hz, float)
    z = np.asarray(z, complex)
    if len(f) < 5:
        raise AnalysisError(f"{len(f)} points are too few for a Kramers-Kronig test")
    w = 2 * np.pi * f
    weight = 1 / np.abs(z)
    target = np.concatenate([z.real * weight, z.imag * weight])
    fits = []
    for m in range(1, min(max_rc or 50, len(f)) + 1):
        taus = np.logspace(np.log10(1 / w.max()), np.log10(1 / w.min()), m)
        A = _design(w, taus, inductance, capacitance)
        x = np.linalg.lstsq(np.vstack([A.real * weight[:, None], A.imag * weight[:, None]]), target, rcond=None)[0]
        r = x[1:1 + m]
        positive = np.abs(r[r >= 0]).sum()
        mu = 1 - np.abs(r[r < 0]).sum() / positive if positive > 0 else 0.0
        z_m = A @ x
        fits.append((m, float(mu), z_m, float(np.sqrt(np.mean(np.abs((z - z_m) / np.abs(z)) ** 2)))))
        floor = min(fit[3] for fit in fits)
        first = next((fit[0] for fit in fits if fit[3] <= 2 * floor and fit[1] <= c), None)
        if first is not None and m >= first + 5:  # five longer chains did not halve the residual
            break
    # Sharp (ideal RC) processes make a short chain ring, so mu can dip below c while the
    # chain still underfits; only chains within twice the best residual are candidates,
    # and the shortest of those with mu <= c is taken (Schoenleber's criterion).
    floor = min(fit[3] for fit in fits)
    candidates = [fit for fit in fits if fit[3] <= 2 * floor and fit[1] <= c]
    m, mu, z_kk, _ = candidates[0] if candidates else min(fits, key=lambda fit: fit[3])
    residual = (z - z_kk) / np.abs(z)
    both = np.concatenate([residual.real, residual.imag])
    worst = float(np.abs(both).max())
    return KramersKronig(m, float(mu), residual.real, residual.imag, worst, float(np.sqrt(np.mean(both ** 2))),
                         worst <= threshold, threshold, f, z_kk)
