"""XAS fixtures: the real reference spectra, calibrated, merged and normalised once."""

from __future__ import annotations

import pytest

from redoxmap.xas import load_merged, normalize

MN_K = {"MnO": 2.0, "Mn2O3": 3.0, "MnO2": 4.0}


@pytest.fixture(scope="session")
def xas(data):
    return data / "xas"


@pytest.fixture(scope="session")
def mn_k(xas):
    """Merged, Mn-foil-calibrated, normalised Mn K-edge spectra of the four oxides."""
    folder = xas / "XraySpectroscopy+XASDataLibrary" / "data" / "Mn"
    spectra = {}
    for stem in [*MN_K, "Mn3O4"]:
        energy, mu = load_merged([folder / f"{stem}_rt_0{k}.xdi" for k in (1, 2, 3)],
                                 reference_e0_eV=6539.0)
        spectra[stem] = (energy, normalize(energy, mu, edge="Mn-K"))
    return spectra
