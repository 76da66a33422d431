"""Type stub of the lazy exports of redoxmap.eis.

Written by ``python -m redoxmap._lazy``; tests/test_stubs.py keeps it true.
"""

from redoxmap.eis.circuits import Circuit as Circuit
from redoxmap.eis.circuits import Element as Element
from redoxmap.eis.circuits import Parallel as Parallel
from redoxmap.eis.circuits import Series as Series
from redoxmap.eis.fit import CircuitFit as CircuitFit
from redoxmap.eis.fit import effective_capacitance as effective_capacitance
from redoxmap.eis.fit import fit_circuit as fit_circuit
from redoxmap.eis.fit import fit_circuits as fit_circuits
from redoxmap.eis.fit import initial_guess as initial_guess
from redoxmap.eis.fit import solid_state_labels as solid_state_labels
from redoxmap.eis.relaxation import DrtResult as DrtResult
from redoxmap.eis.relaxation import drt as drt
from redoxmap.eis.relaxation import gcv_curve as gcv_curve
from redoxmap.eis.temperature import arrhenius as arrhenius
from redoxmap.eis.validity import KramersKronig as KramersKronig
from redoxmap.eis.validity import kramers_kronig as kramers_kronig
from redoxmap.io.eis_files import ImpedanceSpectrum as ImpedanceSpectrum
from redoxmap.io.eis_files import read_impedance as read_impedance
from redoxmap.io.eis_files import read_spectrum as read_spectrum

__all__ = [
    "Circuit",
    "CircuitFit",
    "DrtResult",
    "Element",
    "ImpedanceSpectrum",
    "KramersKronig",
    "Parallel",
    "Series",
    "arrhenius",
    "drt",
    "effective_capacitance",
    "fit_circuit",
    "fit_circuits",
    "gcv_curve",
    "initial_guess",
    "kramers_kronig",
    "read_impedance",
    "read_spectrum",
    "solid_state_labels",
]
