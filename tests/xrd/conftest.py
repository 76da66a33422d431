"""XRD fixtures: the real diffraction files and the Li2MnO3-containing pattern."""

from __future__ import annotations

import warnings

import pytest

from redoxmap.errors import DataWarning
from redoxmap.xrd import read_pattern


@pytest.fixture(scope="session")
def xrd(data):
    return data / "xrd_eis"


@pytest.fixture(scope="session")
def li2mno3(xrd):
    """The real Cu K-alpha pattern of a Li2MnO3 + MnO + TiO2 mixture (no wavelength in the file)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", ".*no wavelength in the file", DataWarning)  # an .xy file names no wavelength
        return read_pattern(xrd / "njszym+XRD-AutoAnalyzer" / "Example" / "Spectra" / "Li2MnO3+MnO+TiO2.xy")


@pytest.fixture(scope="session")
def licoo2(xrd):
    """A real lab pattern (PANalytical Aeris, XRDML 2.2) of a mixture holding LiCoO2."""
    return read_pattern(xrd / "jrneilson+dara" / "dataset" / "precursor_mixture" / "Nb2O5_CuO_LiCoO2.12-min.xrdml")
