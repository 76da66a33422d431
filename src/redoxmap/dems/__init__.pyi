"""Type stub of the lazy exports of redoxmap.dems.

Written by ``python -m redoxmap._lazy``; tests/test_stubs.py keeps it true.
"""

from redoxmap.dems.calibration import Sensitivity as Sensitivity
from redoxmap.dems.calibration import calibrate_faradaic as calibrate_faradaic
from redoxmap.dems.calibration import calibrate_gas as calibrate_gas
from redoxmap.dems.calibration import carrier_molar_flow as carrier_molar_flow
from redoxmap.dems.calibration import load_calibration as load_calibration
from redoxmap.dems.calibration import save_calibration as save_calibration
from redoxmap.dems.quantify import GasEvolution as GasEvolution
from redoxmap.dems.quantify import MAH_G_PER_UMOL_G_O2 as MAH_G_PER_UMOL_G_O2
from redoxmap.dems.quantify import cycler_offset as cycler_offset
from redoxmap.dems.quantify import quantify_gases as quantify_gases
from redoxmap.dems.virtual import simulate_dems_cell as simulate_dems_cell
from redoxmap.io.ms_files import MsRecording as MsRecording
from redoxmap.io.ms_files import read_ms as read_ms

__all__ = [
    "GasEvolution",
    "MAH_G_PER_UMOL_G_O2",
    "MsRecording",
    "Sensitivity",
    "calibrate_faradaic",
    "calibrate_gas",
    "carrier_molar_flow",
    "cycler_offset",
    "load_calibration",
    "quantify_gases",
    "read_ms",
    "save_calibration",
    "simulate_dems_cell",
]
