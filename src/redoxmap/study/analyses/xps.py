"""The interface chemistry of a sample by XPS: its regions fitted in every state, shares by family."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from redoxmap.defaults import ADVENTITIOUS_CARBON_EV, XPS_BACKGROUND, XPS_LINE_SHAPE
from redoxmap.errors import ReadError
from redoxmap.io.xps_files import read_xps, select_region
from redoxmap.xps.fit import XpsFit, fit_xps
from redoxmap.xps.quantify import charge_correct


@dataclass
class XpsEntry:
    """One XPS file of a sample, in one state."""

    file: Path
    state: str = "as measured"
    cycle: int | None = None
    temperature_C: float | None = None
    shift_eV: float | None = None


@dataclass
class XpsAnalysis:
    """A sample's XPS fits.

    Attributes
    ----------
    name : str
    fits : list of (state, region, XpsFit)
    shares : pandas.DataFrame
        Per state and region: ``state``, ``cycle``, ``temperature_C``, ``region``, ``family``, ``share``,
        ``share_stderr``, ``charge_shift_eV``, ``file``.
    notes : list of str
    """

    name: str
    fits: list = field(default_factory=list, repr=False)
    shares: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list = field(default_factory=list)


def analyze_xps(name: str, entries: list[XpsEntry], *, regions, presets: dict, components: dict | None = None,
                background: str = XPS_BACKGROUND,
                fit_background: bool = True, line_shape: str = XPS_LINE_SHAPE, charge_reference: str = "C 1s",
                reference_eV: float = ADVENTITIOUS_CARBON_EV, temperature_C: float | None = None) -> XpsAnalysis:
    """Fit every named region of every file of a sample with its preset.

    A file without one of the regions is noted, not an error; the charge correction comes from the
    entry's ``shift_eV``, else the file's adventitious C 1s (``charge_reference``), else none (noted).
    """
    result = XpsAnalysis(name)
    components = components or {}
    rows = []
    for entry in entries:
        spectra = read_xps(entry.file)
        names = {s.region.replace(" ", "").lower() for s in spectra}
        shift, shift_error = 0.0, 0.0
        if entry.shift_eV is not None:
            spectra, shift, shift_error = charge_correct(spectra, shift_eV=entry.shift_eV)
        elif charge_reference and charge_reference.replace(" ", "").lower() in names:
            spectra, shift, shift_error = charge_correct(spectra, reference_region=charge_reference,
                                                         reference_eV=reference_eV)
        elif charge_reference:
            result.notes.append(f"{entry.file.name}: no {charge_reference} region: binding energies not charge-"
                                "corrected")
        for region in regions:
            try:
                spectrum = select_region(spectra, region, path=entry.file)
            except ReadError:  # a file holds only some of the regions
                result.notes.append(f"{entry.file.name}: no {region} region")
                continue
            fit: XpsFit = fit_xps(spectrum, components.get(region) or presets[region], background=background,
                                  fit_background=fit_background, line_shape=line_shape)
            result.fits.append((entry.state, region, fit))  # a component at its bound warned in fit_xps
            for family in fit.family_shares().itertuples():
                rows.append({"state": entry.state, "cycle": entry.cycle,
                             "temperature_C": entry.temperature_C if entry.temperature_C is not None else temperature_C,
                             "region": region, "family": family.family, "share": family.share,
                             "share_stderr": family.share_stderr, "charge_shift_eV": shift,
                             "charge_shift_stderr_eV": shift_error, "file": entry.file.name})
    result.shares = pd.DataFrame(rows)
    return result
