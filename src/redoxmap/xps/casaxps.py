"""A CasaXPS fit model, as CasaXPS stores it in a VAMAS file, turned into redoxmap's components.

CasaXPS writes each region (its limits, background and Tougaard cross-section) and each component (line
shape, area, FWHM and position with their limits and links) into the block's comment lines
(:func:`redoxmap.io.vamas.casa_annotations`). Energies there are on the file's abscissa, kinetic energy
for most files, after CasaXPS's own calibration: ``BE = hv - KE + shift``. A link ties a quantity to the
component of that index: an area or FWHM times a factor, a position plus an offset in kinetic energy
(so minus that offset in binding energy).

:func:`casa_model` gives what :func:`redoxmap.xps.fit.fit_xps` needs to refit the same model, so that a
published CasaXPS fit can be reproduced and checked.
"""

from __future__ import annotations

from dataclasses import dataclass

from redoxmap.errors import AnalysisError
from redoxmap.xps.components import Component

# CasaXPS background names -> redoxmap's, with the Tougaard cross-section's (C, D) where one is named
_BACKGROUNDS = {"shirley": "shirley", "linear": "linear", "tougaard": "tougaard"}


@dataclass(frozen=True)
class CasaModel:
    """A region's CasaXPS model in redoxmap's terms.

    Attributes
    ----------
    components : tuple of Component
        Named ``"<name> (<index>)"`` where CasaXPS gave several the same name.
    window : (float, float)
        The region's binding-energy limits.
    background : str
        ``"shirley"``, ``"tougaard"`` or ``"linear"``.
    fit_options : dict
        The other keywords of :func:`redoxmap.xps.fit.fit_xps` (a fixed background; the Tougaard
        cross-section and its ``B``).
    stored : list of dict
        The components' stored values on the binding-energy scale: ``position_eV``, ``fwhm_eV``, ``area``.
    rsf : float
        The region's relative sensitivity factor.
    """

    components: tuple
    window: tuple[float, float]
    background: str
    fit_options: dict
    stored: list
    rsf: float


def casa_model(spectrum, *, region: int = 0) -> CasaModel:
    """The CasaXPS model stored with a spectrum read from VAMAS.

    Parameters
    ----------
    spectrum : XpsSpectrum
        Read by :func:`redoxmap.io.read_xps` from a VAMAS file CasaXPS saved a fit in.
    region : int
        Which of the block's CasaXPS regions (the first by default).

    Raises
    ------
    AnalysisError
        When the spectrum holds no CasaXPS model, or its excitation energy is unknown.
    """
    casa = spectrum.metadata.get("casaxps") or {}
    if not casa.get("regions") or not casa.get("components"):
        raise AnalysisError(f"{spectrum.source_file}: {spectrum.region} holds no CasaXPS fit model (no CASA region "
                            "and component lines)")
    kinetic = spectrum.metadata.get("energy_axis_in_file", "kinetic") != "binding"
    hv = spectrum.excitation_energy_eV
    if kinetic and hv is None:
        raise AnalysisError(f"{spectrum.source_file}: the CasaXPS model is on kinetic energy and the file gives no "
                            "excitation energy")
    shift = casa.get("calibration_shift_eV", 0.0)

    def to_binding(value: float) -> float:
        return (hv - value + shift) if kinetic else value + shift

    chosen = casa["regions"][region]
    raw = casa["components"]
    counts = {}
    for record in raw:
        counts[record["name"]] = counts.get(record["name"], 0) + 1
    names = [f"{r['name']} ({k})" if counts[r["name"]] > 1 else r["name"] for k, r in enumerate(raw)]
    components, stored = [], []
    for k, record in enumerate(raw):
        position = to_binding(record["position"])
        low, high = sorted(to_binding(v) for v in record["position_limits"])
        ties = {}
        for key, tie in (("area", "area_of"), ("fwhm", "fwhm_of"), ("position", "position_of")):
            link = record.get(f"{key}_link")
            if link is not None and 0 <= link[0] < len(raw) and link[0] != k:
                factor = -link[1] if key == "position" and kinetic else link[1]
                ties[tie] = (names[link[0]], factor)
        components.append(Component(
            names[k], position, window_eV=0.0, position_range_eV=(low, high), fwhm_eV=record["fwhm"],
            fwhm_bounds_eV=tuple(sorted(record["fwhm_limits"])), width_group=None, family=record["name"],
            line_shape=record["line_shape"], citation="CasaXPS model stored in the file", **ties))
        stored.append({"component": names[k], "position_eV": position, "fwhm_eV": record["fwhm"],
                       "area": record["area"]})
    window = tuple(sorted(to_binding(v) for v in chosen["limits"]))
    name = chosen["background"].lower()
    background = next((ours for key, ours in _BACKGROUNDS.items() if key in name), None)
    if background is None:
        raise AnalysisError(f"{spectrum.source_file}: CasaXPS background {chosen['background']!r} is not one redoxmap "
                            f"fits ({', '.join(_BACKGROUNDS)})")
    options = {"fit_background": False}
    parameters = chosen.get("background_parameters") or []
    if background == "tougaard" and len(parameters) >= 3:
        # B, C, D and (a fourth number) the smallest loss T0 below which the cross-section is zero: it makes
        # CasaXPS's exported background of the FeO example to 0.05 % (without it, 0.8 %)
        options.update(cross_section=tuple(parameters[1:4]), tougaard_b=parameters[0])
    return CasaModel(tuple(components), window, background, options, stored, chosen.get("rsf", float("nan")))
