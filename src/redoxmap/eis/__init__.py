"""Impedance: reading spectra, equivalent circuits and their fits, distribution of relaxation
times, Kramers-Kronig validity, and Arrhenius fits of resistances."""

from redoxmap._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "redoxmap.io.eis_files": ["ImpedanceSpectrum", "read_impedance", "read_spectrum"],
    "redoxmap.eis.circuits": ["Circuit", "Element", "Parallel", "Series"],
    "redoxmap.eis.fit": ["CircuitFit", "effective_capacitance", "fit_circuit", "fit_circuits", "initial_guess",
                         "solid_state_labels"],
    "redoxmap.eis.relaxation": ["DrtResult", "drt", "gcv_curve"],
    "redoxmap.eis.validity": ["KramersKronig", "kramers_kronig"],
    "redoxmap.eis.temperature": ["arrhenius"],
})
