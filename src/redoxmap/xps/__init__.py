"""Photoelectron spectroscopy of the interface: S 2p and P 2p of a sulfide electrolyte and its
decomposition, fitted with the physics built in (spin-orbit doublets, Shirley and Tougaard
backgrounds), quantified with sensitivity factors, and followed across a series."""

from redoxmap._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "redoxmap.io.xps_files": ["XpsSpectrum", "read_xps", "select_region"],
    "redoxmap.xps.background": ["shirley", "tougaard", "TOUGAARD_CROSS_SECTIONS"],
    "redoxmap.xps.components": ["Component", "PRESETS", "SPIN_ORBIT_SPLITTING_EV", "doublet", "preset"],
    "redoxmap.xps.fit": ["XpsFit", "fit_xps"],
    "redoxmap.xps.lineshapes": ["gaussian_lorentzian_product", "parse_line_shape", "pseudo_voigt"],
    "redoxmap.xps.quantify": ["ADVENTITIOUS_CARBON_EV", "SCOFIELD_AL_KALPHA", "atomic_fractions", "charge_correct",
                              "charge_shift"],
    "redoxmap.xps.series": ["XpsSeries", "fit_xps_series"],
})
