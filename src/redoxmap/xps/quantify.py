"""From fitted areas to composition: charge correction, relative sensitivity factors, atomic fractions.

Atomic fractions follow ``x_i = (A_i / RSF_i) / sum_j (A_j / RSF_j)``. The default sensitivity
factors are Scofield's photoionisation cross-sections for Al Kα relative to C 1s (J. H.
Scofield, *J. Electron Spectrosc. Relat. Phenom.* 8 (1976) 129), the table CasaXPS ships
as "Scofield"; they include no analyser transmission or inelastic-mean-free-path correction,
so pass your instrument's factors (``rsf=``) for absolute compositions. Shares *within* one
region (the decomposition products of S 2p) need no sensitivity factor at all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from redoxmap.defaults import ADVENTITIOUS_CARBON_EV  # the charge reference unless another is given
from redoxmap.errors import AnalysisError, DataWarning, warn

SCOFIELD_AL_KALPHA = {
    "C 1s": 1.00, "O 1s": 2.93, "N 1s": 1.80, "F 1s": 4.43, "Li 1s": 0.0568, "S 2p": 1.68, "P 2p": 1.19,
    "Cl 2p": 2.29, "Mn 2p": 13.91, "Ni 2p": 22.18, "Co 2p": 19.16, "Fe 2p": 16.42, "Al 2p": 0.537,
    "Si 2p": 0.817,
}
"""Scofield cross-sections (Al Kα, relative to C 1s; both spin-orbit lines of a doublet)."""



def charge_shift(c1s, *, reference_eV: float = ADVENTITIOUS_CARBON_EV) -> tuple[float, float]:
    """The shift that puts adventitious carbon at ``reference_eV``, with its standard error.

    The C 1s region is fitted with C-C/C-H, C-O and O-C=O (shared width, Shirley background);
    the C-C/C-H position gives the shift.

    Parameters
    ----------
    c1s : XpsSpectrum
        The C 1s region of the same sample and session.
    reference_eV : float
        Where adventitious C-C/C-H is put (284.8 eV by default; some labs use 285.0 or 284.6).

    Returns
    -------
    (float, float)
        Shift in eV (add it to every binding energy) and its standard error.
    """
    import dataclasses

    import numpy as np

    from redoxmap.xps.components import preset
    from redoxmap.xps.fit import fit_xps

    peak = float(c1s.binding_energy_eV[np.argmax(c1s.intensity_cps)])
    offset = peak - ADVENTITIOUS_CARBON_EV
    components = tuple(dataclasses.replace(c, position_eV=c.position_eV + offset, window_eV=1.0)
                       for c in preset("adventitious-C1s"))
    fit = fit_xps(c1s, components, background_check=False)
    row = fit.table.iloc[0]
    return reference_eV - float(row.position_eV), float(row.position_stderr_eV)


def charge_correct(spectra: Sequence, *, reference_region: str = "C 1s", reference_eV: float = ADVENTITIOUS_CARBON_EV,
                   shift_eV: float | None = None) -> tuple[list, float, float]:
    """Shift every region of one sample by the charge correction from its C 1s region.

    Parameters
    ----------
    spectra : sequence of XpsSpectrum
        The regions of one measurement (one file).
    reference_region : str
        The region holding the reference line.
    reference_eV : float
        Where the reference line goes.
    shift_eV : float, optional
        A known shift (from another reference, e.g. the electrolyte's own PS4 line): applied as is.

    Returns
    -------
    (list of XpsSpectrum, float, float)
        The shifted regions, the shift and its standard error (0 for a given shift).
    """
    from redoxmap.io.xps_files import select_region

    if shift_eV is None:
        shift_eV, error = charge_shift(select_region(list(spectra), reference_region), reference_eV=reference_eV)
    else:
        error = 0.0
    if abs(shift_eV) > 10:
        warn(f"a charge correction of {shift_eV:+.2f} eV is unusually large: check the reference region "
                      "and the energy axis", DataWarning)
    return [s.shifted(shift_eV) for s in spectra], float(shift_eV), float(error)


def corrected_intensity(area: float, *, rsf: float, transmission: float = 1.0, kinetic_energy_eV: float | None = None,
                        imfp_exponent: float = 0.0) -> float:
    """An area divided by the sensitivity factor, the analyser's transmission and the inelastic mean free
    path's energy dependence: ``A / (RSF T KE^x)``, CasaXPS's ``Area/(RSF*T*MFP)``.

    Parameters
    ----------
    area : float
        A component's or a region's area (intensity x eV).
    rsf : float
        Relative sensitivity factor (Scofield's cross-section for Al Kα: :data:`SCOFIELD_AL_KALPHA`).
    transmission : float
        The analyser's transmission at the line's energy (the file's column, or 1).
    kinetic_energy_eV : float, optional
        The line's kinetic energy, for the mean free path ``KE^x``.
    imfp_exponent : float
        ``x``: 0 (no correction, CasaXPS's default), about 0.6-0.75 for the mean free path of most solids
        (Seah and Dench; TPP-2M), as Thermo Avantage applies with Scofield factors.

    Examples
    --------
    CasaXPS's quantification of the FeO Fe 2p main line (area 63400.62 CPS eV, RSF 16.42, T 2.699):

    >>> round(corrected_intensity(63400.62, rsf=16.42, transmission=2.699064), 2)
    1430.56
    """
    if not rsf > 0:
        raise AnalysisError(f"a sensitivity factor must be positive, not {rsf}")
    factor = rsf * transmission * (kinetic_energy_eV ** imfp_exponent if imfp_exponent else 1.0)
    return float(area / factor)


def quantify(fits, *, rsf: Mapping[str, float] | None = None, imfp_exponent: float = 0.0):
    """Atomic percentages from fitted regions: each component's area over its region's sensitivity
    factor, the analyser's transmission at its position (where the file gives it) and ``KE^x``.

    Parameters
    ----------
    fits : sequence of XpsFit
        One fit per region (``C 1s``, ``O 1s``, ``Mn 2p``...) of one measurement.
    rsf : mapping, optional
        Sensitivity factors by region, overriding Scofield's Al Kα table.
    imfp_exponent : float
        See :func:`corrected_intensity`.

    Returns
    -------
    pandas.DataFrame
        Per component: ``region``, ``component``, ``area``, ``rsf``, ``transmission``, ``corrected``,
        ``atomic_percent``, ``atomic_percent_stderr``; and a row per region (``component`` empty) with its
        sum.
    """
    import pandas as pd

    factors = {_key(k): v for k, v in {**SCOFIELD_AL_KALPHA, **(rsf or {})}.items()}
    rows = []
    for fit in fits:
        key = _key(fit.region)
        if key not in factors:
            raise AnalysisError(f"no sensitivity factor for {fit.region!r}: pass rsf={{{fit.region!r}: ...}} "
                                "(--rsf on the command line)")
        for row in fit.table.itertuples():
            transmission = fit.transmission_at(row.position_eV)
            kinetic = (fit.excitation_energy_eV - row.position_eV + fit.charge_shift_eV
                       if fit.excitation_energy_eV else None)
            if imfp_exponent and kinetic is None:
                raise AnalysisError(f"{fit.region}: the mean free path correction needs the excitation energy")
            scale = corrected_intensity(1.0, rsf=factors[key], transmission=transmission, kinetic_energy_eV=kinetic,
                                        imfp_exponent=imfp_exponent)
            rows.append({"region": fit.region, "component": row.component, "area": row.area, "rsf": factors[key],
                         "transmission": transmission, "corrected": row.area * scale,
                         "corrected_stderr": row.area_stderr * scale})
    frame = pd.DataFrame(rows)
    total = frame["corrected"].sum()
    frame["atomic_percent"] = 100 * frame["corrected"] / total
    # d x_i / d c_j = (delta_ij - x_i) / total, components independent
    errors = frame["corrected_stderr"].to_numpy()
    fractions = frame["corrected"].to_numpy() / total
    frame["atomic_percent_stderr"] = [100 * math.sqrt(sum(((1.0 if j == i else 0.0) - fractions[i]) ** 2 * e ** 2
                                                          for j, e in enumerate(errors))) / total
                                      for i in range(len(frame))]
    regions = frame.groupby("region", sort=False).agg(area=("area", "sum"), rsf=("rsf", "first"),
                                                        corrected=("corrected", "sum")).reset_index()
    regions["component"] = ""
    regions["atomic_percent"] = 100 * regions["corrected"] / total
    return pd.concat([frame, regions], ignore_index=True)


def atomic_fractions(areas: Mapping[str, tuple[float, float]], *, rsf: Mapping[str, float] | None = None):
    """Atomic fractions from regions' total areas (no transmission or mean free path correction: use
    :func:`quantify` on the fits for those).

    Parameters
    ----------
    areas : mapping of region name to (area, standard error)
    rsf : mapping, optional
        Sensitivity factors by region (Scofield's Al Kα table for the ones not given).

    Returns
    -------
    pandas.DataFrame
        ``region``, ``area``, ``rsf``, ``atomic_fraction``, ``atomic_fraction_stderr``.
    """
    import pandas as pd

    factors = {**SCOFIELD_AL_KALPHA, **(rsf or {})}
    missing = [r for r in areas if _key(r) not in {_key(k) for k in factors}]
    if missing:
        raise AnalysisError(f"no sensitivity factor for {', '.join(missing)}: pass rsf={{...}} "
                            "(--rsf on the command line)")
    lookup = {_key(k): v for k, v in factors.items()}
    corrected = {r: (a / lookup[_key(r)], e / lookup[_key(r)]) for r, (a, e) in areas.items()}
    total = sum(a for a, _ in corrected.values())
    rows = []
    for region, (value, error) in corrected.items():
        fraction = value / total
        # d x_i / d a_j = (delta_ij - x_i) / total, areas independent
        variance = sum(((1.0 if r == region else 0.0) - fraction) ** 2 * e ** 2 for r, (_, e) in corrected.items())
        rows.append((region, areas[region][0], lookup[_key(region)], fraction, math.sqrt(variance) / total))
    return pd.DataFrame(rows, columns=["region", "area", "rsf", "atomic_fraction", "atomic_fraction_stderr"])


def _key(region: str) -> str:
    return "".join(str(region).split()).lower()
