"""Fuzzing every reader: damaged copies of the real files in ../shared/data (truncated, flipped, zeroed,
non-UTF-8 bytes, 4 MB lines, 10 MB runs of blanks inside header lines, NaN-only, empty and 1e308 tables,
duplicated headers, damaged, escaping and 1.5 GB zip members, XML entity bombs, external entities and
unknown encodings, a link to /dev/zero in the file's place, and other measurements' files under this
family's names) either read into valid numbers or are refused with a redoxmap error naming the file,
each within a deadline and a memory bound.

The default run draws a few hundred cases per format family; ``slow`` (CI) runs 1,000 or more per family.
A failing case is named ``family:file:mutation:seed`` and rebuilt exactly by :class:`Case`.
"""

from __future__ import annotations

import random

import pytest

from tests.conftest import _data_root
from tests.fuzz import mutations
from tests.fuzz.harness import Case, run_cases

DATA = _data_root()
ECHEM, XRD_EIS, XAS = DATA / "echem", DATA / "xrd_eis", DATA / "xas"
SOURCES = {
    "cycling": [ECHEM / "yadg" / "gcpl.issue_211.mpt", ECHEM / "yadg" / "mb.issue_95.de.mpt",
                ECHEM / "navani" / "00_test_02_MB_C01.mpr", ECHEM / "fastnda" / "21_10_7_85.ndax",
                ECHEM / "battery-data-toolkit" / "arbin_example.csv", ECHEM / "cellpy" / "maccor_three.txt",
                ECHEM / "cellpy" / "batmo_bdf.csv", ECHEM / "beep" / "2017-05-09_test-TC-contact_CH33.csv",
                ECHEM / "navani" / "bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx",
                DATA / "eis" / "bcliang+gamry-parser" / "tests" / "chronoa_de_data.dta"],
    "cv": [XRD_EIS / "kevinsmia1939+PySimpleCV" / "example_data" / "example_CV.csv",
           ECHEM / "ixdat" / "Pt_poly_cv_CUT.mpt"],
    "eis": [XRD_EIS / "ECSHackWeek+impedance.py" / "data" / name for name in
            ("exampleData.csv", "exampleDataGamry.DTA", "exampleDataZPlot.z", "exampleDataVersaStudio.par")]
           + [XRD_EIS / "AUTODIAL+AutoEIS" / "src" / "autoeis" / "assets" / "data.pssession",
              XRD_EIS / "AUTODIAL+AutoEIS" / "src" / "autoeis" / "assets" / "battery_data.npy",
              DATA / "eis" / "kbknudsen+PyEIS" / "Tutorials" / "data" / "ex1.mpt",
              XRD_EIS / "dgbowl+yadg" / "tests" / "test_x_eclab" / "peis.mpr"],
    "xas": [XAS / "XraySpectroscopy+XASDataLibrary" / "data" / "Mn" / "MnO_rt_01.xdi",
            XAS / "xinhuolin+MnEdgeNet" / "test_Mn_spectra" / "Data3_MnO.csv",
            XAS / "xraypy+xraylarch" / "mn_cpmnco3.dat", XAS / "xraypy+xraylarch" / "NiO.prj",
            XAS / "alexeip100+flexpes-nexafs" / "src" / "flexpes_nexafs" / "library.h5",
            XAS / "xraypy+xraylarch" / "examples" / "xafsdata" / "beamlines" / "ESRF_SNBL_2013.dat",
            XAS / "xraypy+xraylarch" / "examples" / "xafsdata" / "AthenaProjectFiles" / "Ni_FeNiS20_RT.prj",
            XAS / "Anselmoo+spectrafit" / "Examples" / "athena.nor"],
    "xrd": [XRD_EIS / "njszym+XRD-AutoAnalyzer" / "Example" / "Spectra" / "TiO2.xy",
            XRD_EIS / "thomasgredig+rigakuXRD" / "inst" / "extdata" / "MB120718Si3.ras",
            XRD_EIS / "FAIRmat-NFDI+readers-xrd" / "tests" / "data" / "TwoTheta_scan_powder.rasx",
            XRD_EIS / "FAIRmat-NFDI+readers-xrd" / "tests" / "data" / "m54313_om2th_10.xrdml",
            XRD_EIS / "jrneilson+dara" / "dataset" / "precursor_mixture" / "Nb2O5_CuO_LiCoO2.12-min.xrdml"],
    "images": [DATA / "images" / "hyperspy+rosettasciio" / "rsciio" / "tests" / "data" / name
               for name in ("tiff/test_dm_image_um_unit.dm3", "tiff/tiff_Zeiss_SEM/test_tiff_Zeiss_SEM_512pix.tif",
                            "mrc/HAADFscan.mrc", "tia/old/64x64_TEM_images_acquire_1.ser")]
              + [DATA / "images" / "ercius+openNCEM" / "ncempy" / "data" / "STEM HAADF Diffraction Micro.emd"],
    "xps": [DATA / "xps" / "matkrin+vamas" / "tests" / "test_files" / "xps_eis.vms",
            DATA / "xps" / "FAIRmat-NFDI+pynxtools-xps" / "tests" / "data" / "vms_irregular" / "irregular.vms",
            DATA / "xps" / "FAIRmat-NFDI+pynxtools-xps" / "tests" / "data" / "specs_xy" / "MgFe2O4_small.xy",
            DATA / "xps" / "hidecode221b+LG4X" / "Example" / "C1s_sample.csv"],
    "sem": [DATA / "images" / "hyperspy+rosettasciio" / "rsciio" / "tests" / "data" / "bruker"
            / "30x30_instructively_packed_16bit_compressed.bcf"],
    "dems": [DATA / "dems" / "ixdat+ixdat-large-test-files" / "failing_datasets" / "2024-01-17 15_21_57 ec-included"
             / "2024-01-17 15_21_57 ec-included.tsv",
             DATA / "dems" / "ScottSoren+EC_MS" / "_tests_" / "20C02_Spectrum_demo" / "1_SEM_5E-6.dat",
             DATA / "dems" / "hyperspy+rosettasciio" / "rsciio" / "tests" / "data" / "quadstar" / "airdemo.sac"],
}
SOURCES["xrd"].append(XRD_EIS / "thomasgredig+rigakuXRD" / "inst" / "extdata" / "2Theta.asc")
SOURCES["images"] += [
    DATA / "images" / "hyperspy+rosettasciio" / "rsciio" / "tests" / "data" / "tiff" / "tiff_FEI_Helios" / name
    for name in ("FEI-Helios-navcam.tif", "FEI-Helios-Ebeam-16bits.tif")
]
_ZILIEN = DATA / "dems" / "ixdat+ixdat-large-test-files" / "zilien_version_2" / "2022-09-19 11_27_59 test-1"
SOURCES["cv"].append(_ZILIEN / "2022-09-19 11_27_59 test-21_01_01_CV_C01.mpt")
# Other measurements' files under this family's names: read as this family only if they are it.
FOREIGN = {
    "xas": [_ZILIEN / "2022-09-19 11_27_59 test-21.tsv",
            DATA / "dems" / "SpectroInlets+application-notes-data" / "CO_strip_application_note" / "data"
            / "ecdata_part1_COstrip_11-11-21.csv"],
    "eis": [XRD_EIS / "njszym+XRD-AutoAnalyzer" / "Example" / "Spectra" / "Li2MnO3+MnO+TiO2.xy"],
    "xrd": [_ZILIEN / "2022-09-19 11_27_59 test-21_01_01_CV_C01.mpt"],
}
ZIP_SUFFIXES = (".ndax", ".xlsx", ".rasx", ".brml")
XML_SUFFIXES = (".xrdml",)
BINARY_SUFFIXES = (".mpr", ".npy", ".h5", ".dm3", ".tif", ".prj", ".mrc", ".ser", ".emd", ".sac", ".bcf",
                   *ZIP_SUFFIXES)
DEFAULT_CASES, SLOW_CASES = 150, 1000


def _mutations_for(path, family: str | None = None) -> list[str]:
    if family is not None and path in FOREIGN.get(family, ()):
        return list(mutations.RENAMES)
    suffix = path.suffix.lower()
    names = list(mutations.BINARY_MUTATIONS if suffix in BINARY_SUFFIXES else mutations.TEXT_MUTATIONS)
    names.append("link_dev_zero")
    if suffix in ZIP_SUFFIXES:
        names += list(mutations.ZIP_MUTATIONS)
    if suffix in XML_SUFFIXES:
        names += list(mutations.XML_MUTATIONS)
    return names


def cases_for(family: str, count: int) -> list[Case]:
    """``count`` cases of a family, spread over its files and mutations (deterministic)."""
    sources = SOURCES[family] + FOREIGN.get(family, [])
    pool = [Case(family, source, mutation, seed) for seed in range(64) for source in SOURCES[family]
            for mutation in _mutations_for(source)]
    random.Random(family).shuffle(pool)
    chosen = pool[:count]
    # Every (file, mutation) pair at least once, whatever the count.
    seen = {(c.source, c.mutation) for c in chosen}
    chosen += [Case(family, s, m, 0) for s in sources for m in _mutations_for(s, family) if (s, m) not in seen]
    return chosen


def _check(outcomes) -> None:
    failed = [o for o in outcomes if o.failed]
    listing = "\n".join(f"{o.kind:8s} {o.case.id}: {o.detail}" for o in failed[:40])
    assert not failed, f"{len(failed)} of {len(outcomes)} cases failed:\n{listing}"


@pytest.mark.parametrize("family", list(SOURCES))
def test_damaged_files_are_read_or_refused(family):
    _check(run_cases(cases_for(family, DEFAULT_CASES)))


@pytest.mark.slow
@pytest.mark.parametrize("family", list(SOURCES))
def test_many_damaged_files_are_read_or_refused(family):
    _check(run_cases(cases_for(family, SLOW_CASES)[DEFAULT_CASES:]))


ZIP_SOURCES = [(family, source) for family, sources in SOURCES.items() for source in sources
               if source.suffix.lower() in ZIP_SUFFIXES]


@pytest.mark.parametrize(("family", "source"), [
    pytest.param(family, source, marks=() if source.suffix == ".ndax" else pytest.mark.slow)
    for family, source in ZIP_SOURCES], ids=lambda value: getattr(value, "name", value))
def test_a_zip_bomb_is_refused_before_it_is_unpacked(family, source):
    """A container whose largest member unpacks to 1.5 GB (a Neware .ndax; under slow also an Excel
    workbook and a Rigaku .rasx): refused within the memory bound."""
    _check(run_cases([Case(family, source, "zip_bomb", 0)], timeout_s=60))
