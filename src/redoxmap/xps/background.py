"""Inelastic backgrounds of photoelectron spectra: Shirley (iterative) and Tougaard.

Both are written on an ascending binding-energy axis: electrons that lost energy appear at
*higher* binding energy than their peak, so the background at ``E`` grows with the signal
at binding energies below ``E``.

* **Shirley** (D. A. Shirley, *Phys. Rev. B* 5 (1972) 4709): the background at ``E`` is
  proportional to the peak area below ``E``; iterated until self-consistent, anchored to the
  mean of a few points at each end.
* **Tougaard** (S. Tougaard, *Surf. Interface Anal.* 25 (1997) 137): the background is the
  signal convolved with a universal inelastic cross-section ``K(T) = B T / ((C - T^2)^2 + D T^2)``
  of the energy loss ``T``; ``U2`` (``C = -1643 eV^2``, ``D = 0``, i.e. ``B T / (1643 + T^2)^2``)
  for metals and most inorganic solids, ``U3`` (``C = 551 eV^2``, ``D = 436 eV^2``) for polymers
  and other materials with a sharp plasmon, as CasaXPS names them. ``B`` is set so that the
  background meets the data at the high-binding-energy end.

The same two operators serve the fit (:mod:`redoxmap.xps.fit`), where the background is
built from the *model* peaks and its scale fitted with them ("active" backgrounds).
"""

from __future__ import annotations

import numpy as np

TOUGAARD_CROSS_SECTIONS = {"U2": (-1643.0, 0.0), "U3": (551.0, 436.0)}
"""``(C, D)`` in eV^2 of the universal cross-sections (Tougaard 1997)."""


def end_levels(intensity: np.ndarray, points: int = 3) -> tuple[float, float]:
    """Mean intensity of the first and the last ``points`` points (the low- and high-BE anchors)."""
    points = max(1, min(points, len(intensity) // 4))
    return float(np.mean(intensity[:points])), float(np.mean(intensity[-points:]))


def cumulative_area(binding_energy: np.ndarray, signal: np.ndarray) -> np.ndarray:
    """Area of ``signal`` from the low-BE end up to each point (trapezoids): the Shirley operator."""
    steps = np.diff(binding_energy) * (signal[1:] + signal[:-1]) / 2.0
    return np.concatenate([[0.0], np.cumsum(steps)])


def shirley(binding_energy, intensity, *, end_points: int = 3, tolerance: float = 1e-7,
            max_iterations: int = 100) -> np.ndarray:
    """Iterative Shirley background.

    Parameters
    ----------
    binding_energy, intensity : array-like
        Ascending binding energies and the measured intensity.
    end_points : int
        Points averaged at each end for the anchors.

    Returns
    -------
    numpy.ndarray
        The background at each energy.
    """
    energy = np.asarray(binding_energy, dtype=float)
    y = np.asarray(intensity, dtype=float)
    low, high = end_levels(y, end_points)
    background = np.full_like(y, low)
    scale = max(np.ptp(y), 1e-300)
    for _ in range(max_iterations):
        area = cumulative_area(energy, y - background)
        if area[-1] == 0:
            break
        updated = low + (high - low) * area / area[-1]
        converged = np.max(np.abs(updated - background)) < tolerance * scale
        background = updated
        if converged:
            break
    return background


def tougaard_kernel(losses: np.ndarray, cross_section: str | tuple[float, ...] = "U2") -> np.ndarray:
    """``T / ((C - T^2)^2 + D T^2)`` for losses ``T > 0`` (the cross-section without its ``B``).

    ``cross_section`` is a name (``"U2"``, ``"U3"``) or ``(C, D)`` in eV², or ``(C, D, T0)`` with a
    smallest loss ``T0`` in eV below which the cross-section is zero (CasaXPS's fourth Tougaard
    parameter: the band gap of an insulator).
    """
    values = TOUGAARD_CROSS_SECTIONS[cross_section] if isinstance(cross_section, str) else tuple(cross_section)
    c, d = values[:2]
    gap = values[2] if len(values) > 2 else 0.0
    t = np.asarray(losses, dtype=float)
    return np.where((t > 0) & (t >= gap), t / ((c - t * t) ** 2 + d * t * t), 0.0)


def tougaard_operator(binding_energy: np.ndarray, signal: np.ndarray,
                      cross_section: str | tuple[float, float] = "U2") -> np.ndarray:
    """``sum over E' < E of K(E - E') signal(E') dE'`` (unit ``B``), on the spectrum's own grid.

    A spectrum on a uniform grid (what analysers record) is convolved in one call; any other
    grid gets the direct sum.
    """
    energy = np.asarray(binding_energy, dtype=float)
    steps = np.diff(energy)
    if len(steps) and np.allclose(steps, steps[0], rtol=1e-4):
        step = steps[0]
        kernel = tougaard_kernel(step * np.arange(len(energy)), cross_section)
        return np.convolve(signal, kernel)[: len(energy)] * step
    weights = np.gradient(energy)
    losses = energy[:, None] - energy[None, :]
    return (tougaard_kernel(losses, cross_section) * (signal * weights)[None, :]).sum(axis=1)


def tougaard(binding_energy, intensity, *, cross_section: str | tuple[float, float] = "U2",
             coefficient: float | None = None, end_points: int = 3) -> np.ndarray:
    """Tougaard background: the low-binding-energy level plus ``B`` times the signal above it convolved
    with the cross-section.

    Parameters
    ----------
    cross_section : {"U2", "U3"} or (C, D)
    coefficient : float, optional
        The cross-section's ``B`` in eV² (CasaXPS states it with a fit model); by default ``B`` makes
        the background meet the data at the high-binding-energy end.

    Returns
    -------
    numpy.ndarray
    """
    energy = np.asarray(binding_energy, dtype=float)
    y = np.asarray(intensity, dtype=float)
    low, high = end_levels(y, end_points)
    shape = tougaard_operator(energy, y - low, cross_section)
    if coefficient is not None:
        return low + coefficient * shape
    anchor = np.mean(shape[-max(1, min(end_points, len(y) // 4)):])
    return low + (high - low) * shape / anchor if anchor else np.full_like(y, low)


def linear(binding_energy, intensity, *, end_points: int = 3) -> np.ndarray:
    """A straight line between the two end anchors."""
    energy = np.asarray(binding_energy, dtype=float)
    low, high = end_levels(np.asarray(intensity, dtype=float), end_points)
    return low + (high - low) * (energy - energy[0]) / (energy[-1] - energy[0])


BACKGROUNDS = {"shirley": shirley, "tougaard": tougaard, "linear": linear}
