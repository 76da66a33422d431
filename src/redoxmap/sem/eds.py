"""Element maps from an EDS spectrum cube: net counts of named X-ray lines.

For each element, the counts in a window around its line are summed and a background under
the window is subtracted, estimated from two side windows (a straight line between their
means per pixel, the usual "net counts" of EDS mapping software). The window is ±1.2 FWHM of
the detector's resolution at that energy (Mn Kα 130 eV, scaling as ``sqrt(FWHM_noise² + 2.5 ε F E)``
with the Fano factor of silicon), so a line keeps ~99 % of its counts; overlapping lines (S Kα
and Mo Lα, Mn Kβ and Fe Kα) are not deconvolved: pick lines that do not overlap in your sample.

Line energies (keV) are the Kα1 (or Lα1 for heavy elements) emission energies of Bearden's
tables (J. A. Bearden, *Rev. Mod. Phys.* 39 (1967) 78), rounded to the eV.
"""

from __future__ import annotations

import math

import numpy as np

from redoxmap.errors import AnalysisError

LINE_KEV = {
    "C": 0.277, "N": 0.392, "O": 0.525, "F": 0.677, "Na": 1.041, "Mg": 1.254, "Al": 1.487, "Si": 1.740,
    "P": 2.013, "S": 2.307, "Cl": 2.622, "K": 3.314, "Ca": 3.692, "Ti": 4.511, "V": 4.952, "Cr": 5.415,
    "Mn": 5.899, "Fe": 6.404, "Co": 6.930, "Ni": 7.478, "Cu": 8.048, "Zn": 8.639, "Zr": 2.042, "Nb": 2.166,
    "Mo": 2.293, "In": 3.287, "La": 4.651, "W": 1.775,
}
"""X-ray line used for each element's map (keV): Kα1, or Lα1 for Zr and heavier, Mα for W."""

_FANO, _PAIR_EV = 0.115, 3.64  # silicon


def detector_fwhm_keV(energy_keV: float, *, fwhm_at_mn_keV: float = 0.130) -> float:
    """FWHM of a silicon-drift detector's peak at an energy, from its FWHM at Mn Kα (5.899 keV)."""
    fano = 2.3548 ** 2 * _FANO * _PAIR_EV * 1e-3  # keV per keV of line energy, on the FWHM^2
    noise = max(fwhm_at_mn_keV ** 2 - fano * 5.899, 0.0)
    return math.sqrt(noise + fano * energy_keV)


def element_maps(cube: np.ndarray, energy_keV: np.ndarray, elements, *, fwhm_at_mn_keV: float = 0.130,
                 half_width_fwhm: float = 1.2) -> dict[str, np.ndarray]:
    """Net counts of each element's line in every pixel.

    Parameters
    ----------
    cube : numpy.ndarray
        Counts, rows x columns x channels.
    energy_keV : numpy.ndarray
        Energy of each channel.
    elements : iterable of str
        Element symbols (:data:`LINE_KEV` lists the lines).
    fwhm_at_mn_keV : float
        The detector's resolution at Mn Kα.
    half_width_fwhm : float
        Half width of the line window in FWHM.

    Returns
    -------
    dict of str to numpy.ndarray
        Net counts (background-subtracted, never below zero) by element.

    Raises
    ------
    ValueError
        For an element without a tabulated line, or a line outside the spectrum.
    """
    energy = np.asarray(energy_keV, dtype=float)
    step = float(np.median(np.diff(energy)))

    def counts(low, high):
        # only the channels of the window are summed: a cube is often hundreds of MB
        first = int(np.clip(np.searchsorted(energy, low - step / 2), 0, len(energy)))
        last = int(np.clip(np.searchsorted(energy, high + step / 2), 0, len(energy)))
        return cube[:, :, first:last].sum(axis=2, dtype=float), max(last - first, 0)

    maps = {}
    for element in elements:
        if element not in LINE_KEV:
            raise AnalysisError(f"no X-ray line tabulated for {element!r}; known: {', '.join(sorted(LINE_KEV))}")
        line = LINE_KEV[element]
        half = half_width_fwhm * detector_fwhm_keV(line, fwhm_at_mn_keV=fwhm_at_mn_keV)
        if line - 2 * half < energy[0] or line + 2 * half > energy[-1]:
            raise AnalysisError(f"the {element} line at {line} keV lies outside the spectrum "
                             f"({energy[0]:.2f}-{energy[-1]:.2f} keV)")
        peak, width = counts(line - half, line + half)
        low, low_width = counts(line - 2 * half, line - half)
        high, high_width = counts(line + half, line + 2 * half)
        background = (low / max(low_width, 1) + high / max(high_width, 1)) / 2 * width
        maps[element] = np.clip(peak - background, 0, None)
    return maps
