"""Type stub of the lazy exports of redoxmap.xps.

Written by ``python -m redoxmap._lazy``; tests/test_stubs.py keeps it true.
"""

from redoxmap.io.xps_files import XpsSpectrum as XpsSpectrum
from redoxmap.io.xps_files import read_xps as read_xps
from redoxmap.io.xps_files import select_region as select_region
from redoxmap.xps.background import TOUGAARD_CROSS_SECTIONS as TOUGAARD_CROSS_SECTIONS
from redoxmap.xps.background import shirley as shirley
from redoxmap.xps.background import tougaard as tougaard
from redoxmap.xps.components import Component as Component
from redoxmap.xps.components import PRESETS as PRESETS
from redoxmap.xps.components import SPIN_ORBIT_SPLITTING_EV as SPIN_ORBIT_SPLITTING_EV
from redoxmap.xps.components import doublet as doublet
from redoxmap.xps.components import preset as preset
from redoxmap.xps.fit import XpsFit as XpsFit
from redoxmap.xps.fit import fit_xps as fit_xps
from redoxmap.xps.lineshapes import gaussian_lorentzian_product as gaussian_lorentzian_product
from redoxmap.xps.lineshapes import parse_line_shape as parse_line_shape
from redoxmap.xps.lineshapes import pseudo_voigt as pseudo_voigt
from redoxmap.xps.quantify import ADVENTITIOUS_CARBON_EV as ADVENTITIOUS_CARBON_EV
from redoxmap.xps.quantify import SCOFIELD_AL_KALPHA as SCOFIELD_AL_KALPHA
from redoxmap.xps.quantify import atomic_fractions as atomic_fractions
from redoxmap.xps.quantify import charge_correct as charge_correct
from redoxmap.xps.quantify import charge_shift as charge_shift
from redoxmap.xps.series import XpsSeries as XpsSeries
from redoxmap.xps.series import fit_xps_series as fit_xps_series

__all__ = [
    "ADVENTITIOUS_CARBON_EV",
    "Component",
    "PRESETS",
    "SCOFIELD_AL_KALPHA",
    "SPIN_ORBIT_SPLITTING_EV",
    "TOUGAARD_CROSS_SECTIONS",
    "XpsFit",
    "XpsSeries",
    "XpsSpectrum",
    "atomic_fractions",
    "charge_correct",
    "charge_shift",
    "doublet",
    "fit_xps",
    "fit_xps_series",
    "gaussian_lorentzian_product",
    "parse_line_shape",
    "preset",
    "pseudo_voigt",
    "read_xps",
    "select_region",
    "shirley",
    "tougaard",
]
