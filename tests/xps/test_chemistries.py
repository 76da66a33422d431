"""XPS for any chemistry: user components and ties, presets of every region, CasaXPS's LA/LF line shapes
against a published CasaXPS fit, quantification with transmission, survey identification, Avantage exports."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from redoxmap.errors import AnalysisError, FitWarning
from redoxmap.io.xps_files import XpsSpectrum, read_xps, select_region
from redoxmap.xps.casaxps import casa_model
from redoxmap.xps.components import (
    PRESETS,
    Component,
    components_from_records,
    parse_component,
    preset,
    read_components,
)
from redoxmap.xps.fit import fit_xps
from redoxmap.xps.lineshapes import parse_line_shape
from redoxmap.xps.quantify import corrected_intensity, quantify
from redoxmap.xps.survey import identify_elements

FEO = "FAIRmat-NFDI+pynxtools-xps/tests/data/vms_analysis/FeO_analyzed.vms"


@pytest.fixture(scope="module")
def feo(data):
    return select_region(read_xps(data / "xps" / FEO), "Fe 2p")


def _gauss(x, center, area, fwhm):
    sigma = fwhm / (2 * math.sqrt(2 * math.log(2)))
    return area * np.exp(-0.5 * ((x - center) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))


def test_the_published_casaxps_feo_fit_is_reproduced(feo):
    """The CasaXPS model stored in FeO_analyzed.vms (U 3 Tougaard with B = 335.4, 2 LF(0.54,10,80,100,6) main
    lines and 2 SGL(30) satellites) refitted here: positions within 0.1 eV, widths within 2.5 %, the main
    lines' areas within 2 % and every area within two of its standard errors of CasaXPS's."""
    model = casa_model(feo)
    assert model.background == "tougaard" and model.fit_options["tougaard_b"] == pytest.approx(335.44588)
    with warnings.catch_warnings():
        # a satellite sits at its stored position limit, as in CasaXPS
        warnings.filterwarnings("ignore", ".* stopped at its bound", FitWarning)
        fit = fit_xps(feo, model.components, window=model.window, background=model.background,
                      background_check=False, **model.fit_options)
    stored = pd.DataFrame(model.stored)
    assert np.abs(fit.table["position_eV"] - stored["position_eV"]).max() < 0.1
    assert np.abs(fit.table["fwhm_eV"] / stored["fwhm_eV"] - 1).max() < 0.025
    main = [0, 2]  # the LF lines
    assert np.abs(fit.table["area"].iloc[main].to_numpy() / stored["area"].iloc[main].to_numpy() - 1).max() < 0.02
    assert (np.abs(fit.table["area"] - stored["area"]) < 2 * fit.table["area_stderr"]).all()


def test_casaxps_quantification_of_feo_with_its_transmission(feo):
    """The published results CSV: Area/(RSF*T*MFP) = raw area / (16.42 x the file's transmission at the line)
    for its four components (1430.56, 671.00, 958.37, 355.03)."""
    published = [(709.03, 63400.62, 1430.56), (715.73, 29867.34, 671.00), (722.18, 42839.74, 958.37),
                 (730.22, 15954.51, 355.03)]
    for position, area, corrected in published:
        found = corrected_intensity(area, rsf=16.42, transmission=feo.transmission_at(position))
        assert found == pytest.approx(corrected, rel=1e-3)


def test_la_and_lf_shapes_have_unit_area_and_tail_to_high_binding_energy():
    x = np.linspace(-60, 60, 24001)
    for text in ("LA(1.1,2.4,2)", "LA(1.53,243)", "LF(0.54,10,80,100,6)", "LF(0.9,1.1,50,300,3)"):
        shape = parse_line_shape(text)
        y = shape(x, 0.0, 1.0)
        assert np.trapezoid(y, x) == pytest.approx(1.0, abs=2e-3), text
    tail = parse_line_shape("LF(0.54,10,80,100,6)")(x, 0.0, 1.0)
    assert np.trapezoid(x * tail, x) > 0.5  # the mean lies on the high-BE side
    with pytest.raises(AnalysisError, match="line shape"):
        parse_line_shape("LQ(1,2)")


def test_user_components_with_ties_recover_a_numpy_f1s():
    """F 1s of LiF (685.3 eV) and C-F (688.0 eV, area 0.6 of LiF's) built with numpy; components from TOML
    records, the C-F area tied to LiF's: the free area and the positions come back."""
    x = np.linspace(680, 694, 561)
    truth = _gauss(x, 685.3, 5000.0, 1.7) + _gauss(x, 688.0, 3000.0, 1.7) + 200.0
    counts = 50.0
    rng = np.random.default_rng(5)
    y = rng.poisson(truth * counts) / counts
    spectrum = XpsSpectrum(x, y, "F 1s", counts_per_unit=counts)
    components = components_from_records([
        {"name": "LiF", "position_eV": 685.0, "position_range_eV": [684.0, 686.5], "fwhm_eV": 1.5,
         "width_group": "F", "line_shape": "SGL(0)"},
        {"name": "C-F", "position_eV": 688.2, "position_range_eV": [687.0, 689.5], "width_group": "F",
         "line_shape": "SGL(0)", "area_of": ["LiF", 0.6]}])
    fit = fit_xps(spectrum, components, background="linear", background_check=False)
    table = fit.table.set_index("component")
    assert table.loc["LiF", "position_eV"] == pytest.approx(685.3, abs=0.03)
    assert table.loc["C-F", "position_eV"] == pytest.approx(688.0, abs=0.05)
    assert table.loc["LiF", "area"] == pytest.approx(5000.0, rel=0.03)
    assert table.loc["C-F", "area"] == pytest.approx(0.6 * table.loc["LiF", "area"], rel=1e-9)
    assert table.loc["LiF", "fwhm_eV"] == pytest.approx(1.7, rel=0.03)


def test_component_definitions_refuse_what_cannot_work(tmp_path):
    with pytest.raises(AnalysisError, match="unknown keys"):
        components_from_records([{"name": "a", "position_eV": 1.0, "colour": "red"}])
    with pytest.raises(AnalysisError, match="not a component"):
        components_from_records([{"name": "a", "position_eV": 1.0, "area_of": ["b", 0.5]}])
    with pytest.raises(AnalysisError, match="circle"):
        components_from_records([{"name": "a", "position_eV": 1.0, "area_of": ["b", 0.5]},
                                 {"name": "b", "position_eV": 2.0, "area_of": ["a", 2.0]}])
    with pytest.raises(AnalysisError, match="NAME@POSITION"):
        parse_component("LiF")
    assert parse_component("LiF@684.5-686:1.6").fwhm_eV == 1.6
    (tmp_path / "c.toml").write_text('[["F 1s"]]\nname = "LiF"\nposition_eV = 685.3\n')
    assert read_components(tmp_path / "c.toml", region="F 1s")[0].name == "LiF"
    with pytest.raises(AnalysisError, match="none for the region"):
        read_components(tmp_path / "c.toml", region="O 1s")


def test_a_preset_of_another_region_is_refused_with_the_regions_range(feo):
    with pytest.raises(
        AnalysisError, match=r"lie at 15\d\.\d-17\d\.\d eV, but the region 'Fe 2p' spans 694.0-750.0 eV"
    ):
        fit_xps(feo, "argyrodite-S2p")


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_cites_its_sources_and_fits_its_own_envelope(name):
    """Each preset's components at their own positions, built with numpy (Gaussians, doublets at the
    degeneracy's ratio), are fitted back without error, every component where it was put."""
    components = preset(name)
    assert all(c.citation or c.family == "adventitious" for c in components), name
    low = min(c.energy_span[0] for c in components) - 8
    high = max(c.energy_span[1] for c in components) + 8
    x = np.arange(low, high, 0.05)
    y = np.full_like(x, 100.0)
    areas, widths = {}, {}
    for c in components:  # one width per width group, as the fit has it
        widths.setdefault(c.width_group or c.name, c.fwhm_eV)
    for c in components:
        areas[c.name] = (0.6 * areas[c.area_of[0]]) if c.area_of else 1000.0 * (1 + len(areas) % 3)
        area = areas[c.area_of[0]] * c.area_of[1] if c.area_of else areas[c.name]
        position = c.position_eV
        width = widths[c.width_group or c.name]
        y = y + _gauss(x, position, area / (1 + c.minor_ratio), width)
        if c.minor_ratio:
            y = y + _gauss(x, position + c.splitting_eV, area * c.minor_ratio / (1 + c.minor_ratio), width)
    fit = fit_xps(XpsSpectrum(x, y, name), name, background="linear", line_shape="SGL(0)", background_check=False)
    assert fit.statistics()["r_factor"] < 1e-3
    assert np.abs(fit.table["position_eV"].to_numpy() - [c.position_eV for c in components]).max() < 0.1


def test_one_family_holding_every_component_has_a_share_of_one():
    """Every component of adventitious C 1s counts toward one family: its share is exactly 1 (the variance of
    -1e-19 under a square root that crashed the CLI is clipped)."""
    x = np.linspace(280, 295, 301)
    y = 100 + _gauss(x, 284.8, 3000, 1.3) + _gauss(x, 286.4, 800, 1.3) + _gauss(x, 288.9, 400, 1.3)
    fit = fit_xps(XpsSpectrum(x, y, "C 1s"), "adventitious-C1s", background_check=False)
    family = fit.family_shares()
    assert len(family) == 1 and family["share"].iat[0] == pytest.approx(1.0) and family["share_stderr"].iat[0] < 1e-9


def test_quantify_regions_into_atomic_percent():
    """Two regions built with numpy: O 1s and C 1s with areas in the ratio of their Scofield factors times
    1 : 2 atoms: 33.3 and 66.7 atomic %."""
    x_o = np.linspace(524, 540, 321)
    x_c = np.linspace(278, 294, 321)
    o = XpsSpectrum(x_o, 10 + _gauss(x_o, 529.5, 2.93 * 1000, 1.3), "O 1s")
    c = XpsSpectrum(x_c, 10 + _gauss(x_c, 284.8, 1.00 * 2000, 1.3), "C 1s")
    fits = [fit_xps(o, [Component("O", 529.5, width_group=None)], line_shape="SGL(0)", background="linear",
                    background_check=False),
            fit_xps(c, [Component("C", 284.8, width_group=None)], line_shape="SGL(0)", background="linear",
                    background_check=False)]
    table = quantify(fits).set_index("region")
    regions = table[table["component"] == ""]
    assert regions.loc["O 1s", "atomic_percent"] == pytest.approx(100 / 3, rel=1e-3)
    assert regions.loc["C 1s", "atomic_percent"] == pytest.approx(200 / 3, rel=1e-3)


@pytest.mark.parametrize(("path", "present"), [
    ("cheminfo+vamas/src/parser/__tests__/data/polyethyleneglycol.vms", {"C", "O"}),
    ("FAIRmat-NFDI+pynxtools-xps/tests/data/specs_xy/MgFe2O4_small.xy", {"Mg", "Fe", "O", "C"}),
    ("cheminfo+vamas/src/parser/__tests__/data/single_sample.vms", {"I", "Pb"}),
    ("hidecode221b+LG4X/Example/0-150W.vms", {"W", "O", "C"}),
])
def test_survey_elements_are_those_the_file_measured_regions_of(data, path, present):
    """Each survey's file also holds detail regions of the elements its authors found (PEG: C, O; MgFe2O4:
    Mg, Fe, O; a lead-iodide film: I, Pb; W/Ni: W, O, C): they are identified, each with a second line."""
    spectrum = read_xps(data / "xps" / path)[0]
    found = identify_elements(spectrum)
    identified = set(found[found["status"] == "identified"]["element"])
    assert present <= identified, found
    assert len(identified - present) <= 1
    with pytest.raises(AnalysisError, match="survey spans hundreds"):
        identify_elements(XpsSpectrum(np.linspace(280, 295, 100), np.ones(100), "C 1s"))


def test_avantage_workbook_and_text_exports(tmp_path):
    """Both layouts Avantage writes (built here as the exports are laid out; no public file of either is in
    ../shared/data): regions named as XPS names them, counts on an ascending binding energy, and the
    instrument's own fit kept beside them."""
    from openpyxl import Workbook

    be = np.linspace(295, 280, 151)
    counts = 1000 + 5000 * np.exp(-0.5 * ((be - 284.8) / 0.6) ** 2)
    book = Workbook()
    sheet = book.active
    sheet.title = "C1s Scan"
    sheet.append(["Axis", "Energy", "Elements=", 191])
    sheet.append(["Binding Energy (E)", None, None, None, "C1s C-C", "Backgnd.", "Envelope", "Residuals"])
    sheet.append(["eV", None, "Counts / s", None, "Counts / s", "Counts / s", "Counts / s", "Counts / s"])
    for b, c in zip(be, counts):
        sheet.append([float(b), None, float(c), None, float(c), 1000.0, float(c), 0.0])
    book.create_sheet("Peak Table").append(["Name", "Peak BE"])
    book.save(tmp_path / "thermo.xlsx")
    spectra = read_xps(tmp_path / "thermo.xlsx")
    assert [s.region for s in spectra] == ["C 1s"]
    assert spectra[0].binding_energy_eV[0] == pytest.approx(280.0)
    assert list(spectra[0].metadata["instrument_fit"].columns) == ["binding_energy_eV", "C1s C-C", "Backgnd.",
                                                                   "Envelope", "Residuals"]
    text = "BE_S 2p 4\tS 2p 4\tS 2p 4 Peak 1\tBE_P 2p 3\tP 2p 3\n" + "\n".join(
        f"{170 - 0.1 * k:.2f}\t{100 + k}\t{50 + k}\t{140 - 0.1 * k:.2f}\t{80 + k}" for k in range(100))
    (tmp_path / "thermo.txt").write_text(text)
    spectra = read_xps(tmp_path / "thermo.txt")
    assert [s.region for s in spectra] == ["S 2p", "P 2p"]
    assert "S 2p 4 Peak 1" in spectra[0].metadata["instrument_fit"].columns
