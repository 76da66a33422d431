"""Which elements a survey spectrum shows: its peaks matched against a table of core-level lines.

The line table is xraydb's (the Elam tables, from the X-Ray Data Booklet: binding energies of the
elements' core levels relative to the Fermi level of the metal), with solid-state values where the table
holds a free molecule's (its O, N, F and Cl levels are referenced to the vacuum level and lie 10-14 eV
too high for a solid) and C 1s at adventitious carbon's 284.8 eV. Oxidised metals sit 1-4 eV above
their metal's line, which the matching tolerance allows for.

A survey's peaks are found on its background-subtracted, smoothed intensity (prominence above the
noise). An element is *identified* when the line that is strongest for its atomic number (1s up to
Mg, 2p to Sr, 3d to Yb, 4f beyond) matches a peak and, where a second line of it lies in the window
and should be resolved (its spin-orbit partner, or the next shell), that one does too; *possible* when
only its main line matches. Each peak counts for one element at most (the best-matched). The spectrum
is charge-referenced on its C 1s peak first, when there is one within 280-292 eV.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from redoxmap.errors import AnalysisError
from redoxmap.xps.quantify import ADVENTITIOUS_CARBON_EV

# xraydb level names -> photoemission names
_LEVELS = {"K": "1s", "L1": "2s", "L2": "2p1/2", "L3": "2p3/2", "M1": "3s", "M2": "3p1/2", "M3": "3p3/2",
           "M4": "3d3/2", "M5": "3d5/2", "N4": "4d3/2", "N5": "4d5/2", "N6": "4f5/2", "N7": "4f7/2"}
# Solid-state binding energies (eV) where the table holds a free molecule's or the solid differs most
# (Moulder et al., Handbook of XPS, 1992: oxides, fluorides, nitrides, chlorides)
_SOLID = {("C", "1s"): ADVENTITIOUS_CARBON_EV, ("N", "1s"): 400.0, ("O", "1s"): 530.5, ("F", "1s"): 685.5,
          ("Cl", "2p3/2"): 199.0, ("Cl", "2p1/2"): 200.6, ("Cl", "2s"): 270.0, ("Li", "1s"): 55.5}
# Auger lines excited by Al Kα (binding-energy scale), which a survey shows and no core level explains
AUGER_AL_KALPHA = {"O KLL": 978.0, "C KLL": 1223.0, "N KLL": 1107.0, "F KLL": 832.0, "Na KLL": 497.0}


def main_level(z: int) -> str:
    """The core level whose photoemission line is strongest for Al Kα at atomic number ``z``."""
    if z <= 12:
        return "1s"
    if z <= 38:
        return "2p3/2"
    if z <= 70:
        return "3d5/2"
    return "4f7/2"


_CONFIRMING = {"1s": ("2s",), "2p3/2": ("2p1/2", "3p3/2", "2s"), "3d5/2": ("3d3/2", "3p3/2"),
               "4f7/2": ("4f5/2", "4d5/2")}


@functools.lru_cache(maxsize=1)
def line_table(max_z: int = 92) -> pd.DataFrame:
    """Core-level binding energies by element: ``element``, ``z``, ``level``, ``binding_energy_eV``,
    ``main`` (the level :func:`main_level` names)."""
    import xraydb

    rows = []
    for z in range(3, max_z + 1):
        element = xraydb.atomic_symbol(z)
        edges = xraydb.xray_edges(element)
        for name, level in _LEVELS.items():
            if name in edges:
                energy = _SOLID.get((element, level), float(edges[name].energy))
                rows.append({"element": element, "z": z, "level": level, "binding_energy_eV": energy,
                             "main": level == main_level(z)})
    return pd.DataFrame(rows)


def find_survey_peaks(binding_energy, intensity, *, prominence_sigma: float = 8.0) -> pd.DataFrame:
    """Peaks of a survey: ``binding_energy_eV``, ``height`` (above the local background) and
    ``prominence_sigma`` (in units of the spectrum's noise)."""
    from scipy.ndimage import gaussian_filter1d, minimum_filter1d
    from scipy.signal import find_peaks

    energy, y = np.asarray(binding_energy, float), np.asarray(intensity, float)
    step = float(np.median(np.diff(energy)))
    if not step > 0:
        raise AnalysisError("the survey's binding energies do not increase")
    smooth = gaussian_filter1d(y, max(0.6 / step, 1.0))
    background = gaussian_filter1d(minimum_filter1d(smooth, max(int(25 / step), 3)), max(10 / step, 1.0))
    signal = smooth - np.minimum(background, smooth)
    second = np.diff(y, 2)
    noise = max(float(np.median(np.abs(second - np.median(second))) / 0.6745 / np.sqrt(6)), 1e-12)
    peaks, found = find_peaks(signal, prominence=prominence_sigma * noise, distance=max(int(1.5 / step), 1))
    return pd.DataFrame({"binding_energy_eV": energy[peaks], "height": signal[peaks],
                         "prominence_sigma": found["prominences"] / noise}).sort_values(
        "height", ascending=False, ignore_index=True)


def identify_elements(spectrum, *, shift_window_eV: tuple[float, float] = (-1.5, 6.0),
                      prominence_sigma: float = 8.0) -> pd.DataFrame:
    """The elements a survey spectrum shows.

    Parameters
    ----------
    spectrum : XpsSpectrum
        A survey (a wide region), on its binding-energy axis.
    shift_window_eV : (float, float)
        How far a peak may lie from a metal's tabulated line: oxidised metals lie up to a few eV above it,
        hardly below. Light elements, tabulated as solids, get ±2.5 eV.
    prominence_sigma : float
        A peak must stand this many noise levels above its surroundings.

    Returns
    -------
    pandas.DataFrame
        Per element: ``element``, ``line``, ``expected_eV``, ``found_eV``, ``confirmed_by`` (its other
        lines found at their tabulated distance from the main line, as ``level@eV``), ``status``
        (``"identified"``: the main line and a confirming line, or a light element's only line within 2.5
        eV of its solid-state value; ``"possible"``: the main line only), ``height``; the table's ``attrs``
        hold ``charge_shift_eV`` and the unexplained peaks.

    Raises
    ------
    AnalysisError
        For a spectrum that spans less than 300 eV (a region, not a survey).
    """
    energy, y = spectrum.binding_energy_eV, spectrum.intensity_cps
    if energy[-1] - energy[0] < 300:
        raise AnalysisError(f"{spectrum.region!r} spans {energy[-1] - energy[0]:.0f} eV: a survey spans hundreds "
                            "(fit a region with `redoxmap xps fit` instead)")
    peaks = find_survey_peaks(energy, y, prominence_sigma=prominence_sigma)
    carbon = peaks[(peaks["binding_energy_eV"] > 280) & (peaks["binding_energy_eV"] < 292)]
    shift = ADVENTITIOUS_CARBON_EV - float(carbon["binding_energy_eV"].iat[0]) if len(carbon) else 0.0
    positions = peaks["binding_energy_eV"].to_numpy() + shift
    heights = peaks["height"].to_numpy()
    hv = spectrum.excitation_energy_eV or 1486.6
    table = line_table()
    table = table[(table["binding_energy_eV"] > energy[0] + shift) & (table["binding_energy_eV"] < min(
        energy[-1] + shift, hv - 20))]
    candidates = []
    for element, lines in table.groupby("element", sort=False):
        main = lines[lines["main"]]
        if main.empty:
            continue
        expected = float(main["binding_energy_eV"].iat[0])
        light = bool(main["z"].iat[0] <= 9) or (element, main["level"].iat[0]) in _SOLID
        low, high = (-2.5, 2.5) if light else shift_window_eV
        offsets = positions - expected
        inside = np.flatnonzero((offsets >= low) & (offsets <= high))
        if not len(inside):
            continue
        hit = int(inside[np.argmax(heights[inside])])
        confirmations = []
        for level in _CONFIRMING[main["level"].iat[0]]:
            other = lines[lines["level"] == level]
            if other.empty:
                continue
            separation = float(other["binding_energy_eV"].iat[0]) - expected
            if abs(separation) < 1.5:  # not resolved from the main line
                continue
            near = np.abs(positions - (positions[hit] + separation))
            if near.min() <= 1.5:
                confirmations.append(f"{level}@{positions[int(np.argmin(near))]:.1f}")
        status = "identified" if confirmations or (light and main["z"].iat[0] <= 9) else "possible"
        candidates.append({"element": element, "line": main["level"].iat[0], "expected_eV": expected,
                           "found_eV": float(positions[hit]), "peak": hit, "confirmed_by": ", ".join(confirmations),
                           "height": float(heights[hit]), "status": status,
                           "score": (status == "identified", len(confirmations), heights[hit])})
    chosen, used = [], set()
    for candidate in sorted(candidates, key=lambda c: c["score"], reverse=True):
        if candidate["peak"] in used:
            continue
        used.add(candidate["peak"])
        chosen.append(candidate)
    columns = ["element", "line", "expected_eV", "found_eV", "confirmed_by", "status", "height"]
    frame = pd.DataFrame(chosen, columns=[*columns, "peak", "score"])[columns].sort_values(
        ["status", "height"], ascending=[True, False], ignore_index=True)
    auger = {i for i, p in enumerate(positions) if any(abs(p - e) <= 3.0 for e in AUGER_AL_KALPHA.values())}
    frame.attrs["charge_shift_eV"] = shift
    frame.attrs["unexplained_eV"] = [float(p) for i, p in enumerate(positions) if i not in used and i not in auger]
    return frame
