"""Gas evolution of a cell (DEMS, EC-MS): sensitivity factors, rates and totals per half cycle on
the cycler's clock, onset voltages and the lattice oxygen that leaves as gas."""

from redoxmap._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "redoxmap.io.ms_files": ["MsRecording", "read_ms"],
    "redoxmap.dems.calibration": ["Sensitivity", "calibrate_faradaic", "calibrate_gas", "carrier_molar_flow",
                                  "load_calibration", "save_calibration"],
    "redoxmap.dems.quantify": ["GasEvolution", "MAH_G_PER_UMOL_G_O2", "cycler_offset", "quantify_gases"],
    "redoxmap.dems.virtual": ["simulate_dems_cell"],
})
