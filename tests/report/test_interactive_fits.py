"""A campaign sample's impedance and XAS fits drawn by the browser hold the numbers of the fits: on the demo's real
impedance spectrum (impedance.py's example) and the real Mn K spectra of the XAS Data Library, checked against
the fits' own arrays combined by hand (residuals from data and fit, the LCF as its weighted components), and an
Arrhenius line against its slope worked out from E_a."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from redoxmap.report import interactive
from redoxmap.report import interactive_fits as browser
from redoxmap.resources import demo_source


@pytest.fixture(scope="module")
def impedance():
    from redoxmap.errors import RedoxmapWarning
    from redoxmap.study.analyses.eis import ImpedanceEntry, analyze_eis

    path = demo_source() / "eis" / "impedance_py_example.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RedoxmapWarning)
        return analyze_eis("cell", [ImpedanceEntry([path], "pristine"), ImpedanceEntry([path], "charged")])


def test_impedance_residuals_are_data_minus_fit_over_the_modulus(impedance):
    fit = impedance.fits[1]
    kk = impedance.kk[impedance.resistances["index"].iloc[1]]
    traces = browser.eis_residuals_figure(impedance, [1], "r", "t", "c").spec["data"]
    by_hand = 100 * (fit.z_data - fit.z_fit) / np.hypot(fit.z_data.real, fit.z_data.imag)
    real, imaginary, kramers_kronig = traces
    scale = np.abs(by_hand).max()
    assert real["line"]["color"] == interactive.nyquist_figure(impedance, 1).spec["data"][2]["line"]["color"]
    assert real["x"] == pytest.approx(fit.frequency_Hz, rel=1e-5) and min(real["x"]) > 0  # every decade on the log axis
    assert real["y"] == pytest.approx(by_hand.real, abs=1e-5 * scale)
    assert imaginary["y"] == pytest.approx(by_hand.imag, abs=1e-5 * scale) and imaginary["line"]["dash"] == "dash"
    assert kramers_kronig["line"]["dash"] == "dot" and len(kramers_kronig["x"]) == len(kk.frequency_Hz)


def test_the_nyquist_plot_names_the_fitted_circuit(impedance):
    """As the static Nyquist plot's legend does, in the caption (a legend entry that long ran past a phone's
    screen): every spectrum's data and fit in the legend, the circuit named once."""
    figure = interactive.nyquist_figure(impedance, 0)
    names = [trace["name"] for trace in figure.spec["data"]]
    assert names == [name for fit in impedance.fits for name in (f"{fit.label}: data", f"{fit.label}: fit")]
    circuit = impedance.fits[0].circuit
    assert {fit.circuit for fit in impedance.fits} == {circuit} and figure.caption.count(circuit) == 1

def test_the_drt_marks_its_peaks_on_a_log_time_axis(impedance):
    figure = browser.drt_figure(impedance.drts, "d", "t", "c")
    curve, peaks = figure.spec["data"][:2]
    state, result = impedance.drts[0]
    assert curve["name"] == state and figure.spec["layout"]["xaxis"]["type"] == "log"
    assert len(peaks["x"]) == len(result.peaks) >= 1 and peaks["marker"]["symbol"] == "triangle-down"
    assert curve["x"] == pytest.approx(result.tau_s, rel=1e-5) and min(curve["x"]) > 0  # log τ: no value lost
    tallest = int(np.argmax(result.gamma_ohm))
    assert max(curve["y"]) == pytest.approx(result.gamma_ohm[tallest], rel=1e-5)


def test_resistances_carry_their_errors_on_a_log_axis(impedance):
    figure = browser.resistances_figure(impedance, "k", "t", "c")
    series, *pairs = figure.spec["data"]
    table = impedance.resistances
    assert series["y"] == pytest.approx(table["R0_ohm"].to_numpy(), rel=1e-5)
    assert pairs[0]["error_y"]["array"] == pytest.approx(table["R_1_stderr_ohm"].to_numpy(), rel=1e-5)
    assert figure.spec["layout"]["yaxis"]["type"] == "log" and series["x"] == [0.0, 1.0]


def test_an_arrhenius_line_falls_with_its_activation_energy():
    """Truth: ln(1/R) falls by E_a / k_B per unit of 1/T: 0.5 eV is a slope of −5.802 K per 1000/T."""
    temperatures = np.array([25.0, 45.0, 65.0])
    table = pd.DataFrame({"temperature_C": temperatures, "R_1_ohm": [100.0, 40.0, 18.0]})
    arrhenius = pd.DataFrame({"resistance": ["R_1_ohm"], "label": ["interface"], "Ea_eV": [0.5],
                              "Ea_stderr_eV": [0.05]})
    figure = browser.arrhenius_figure(SimpleNamespace(resistances=table, arrhenius=arrhenius), "a", "t", "c")
    points, line = figure.spec["data"]
    assert points["y"] == pytest.approx(-np.log(table["R_1_ohm"].to_numpy()), rel=1e-5)
    slope = (line["y"][-1] - line["y"][0]) / (line["x"][-1] - line["x"][0])
    assert slope == pytest.approx(-5.802, rel=1e-3) and points["name"] == "interface: 0.50 ± 0.05 eV"


def test_an_lcf_shows_its_fit_as_the_sum_of_its_weighted_components(data):
    from redoxmap.study.analyses.xas import SpectrumEntry, XasSettings, analyze_xas, prepare_references

    folder = demo_source() / "xas"
    references = prepare_references([
        (SpectrumEntry([folder / f"{name}_rt_0{k}.xdi" for k in (1, 2, 3)], "Mn-K", "transmission",
                       reference_e0_eV=6539.0), name, valence)
        for name, valence in (("MnO", 2), ("Mn2O3", 3), ("MnO2", 4))])
    sample = SpectrumEntry([folder / f"Mn3O4_rt_0{k}.xdi" for k in (1, 2, 3)], "Mn-K", "transmission", "as made",
                           reference_e0_eV=6539.0)
    analysis = analyze_xas("Mn3O4", [sample], references=references, pristine={}, settings=XasSettings(bootstrap=0))
    fit = next(iter(analysis.fits.values()))
    traces = browser.lcf_figure(fit, "l", "t", "c").spec["data"]
    data_trace, fit_trace, *components, residual = traces
    assert fit_trace["name"].startswith("fit: v = ") and residual["yaxis"] == "y2"
    assert data_trace["y"] == pytest.approx(fit.data, abs=1e-5 * np.abs(fit.data).max())
    assert residual["y"] == pytest.approx(fit.data - fit.fit, abs=1e-5 * np.abs(fit.data).max())
    assert len(components) == int((fit.weights > 0).sum()) >= 2
    shown_sum = np.sum([c["y"] for c in components], axis=0)
    assert shown_sum == pytest.approx(fit.fit, abs=2e-3 * np.abs(fit.fit).max())


def test_an_o_k_pre_edge_fills_each_named_peak_over_its_residual(quiet):
    """Truth: a numpy spectrum of two Gaussian pre-edge peaks (A at 529.5 eV, B at 531.0 eV) on an arctan step."""
    from redoxmap.xas.oxygen import fit_pre_edge

    energy = np.linspace(525.0, 545.0, 801)
    mu = (0.6 * np.exp(-0.5 * ((energy - 529.5) / 0.5) ** 2) + 0.3 * np.exp(-0.5 * ((energy - 531.0) / 0.5) ** 2)
          + 0.5 + np.arctan((energy - 536.0) / 1.0) / np.pi)
    fit = fit_pre_edge(energy, mu, peaks=("A", "B"))
    _, _, *peaks, residual = browser.oxygen_fit_figure(fit, "o", "t", "c").spec["data"]
    assert [p["name"] for p in peaks] == ["peak A", "peak B"] and all(p["fill"] == "tozeroy" for p in peaks)
    assert max(peaks[0]["y"]) == pytest.approx(0.6, rel=0.05) and max(peaks[1]["y"]) == pytest.approx(0.3, rel=0.05)
    assert residual["y"] == pytest.approx(fit.data - fit.fit, abs=1e-6)


def _six_samples(folder):
    """Six samples, each with the demo's real Mn K (LCF against three references), O K (pre-edge) and impedance
    spectra: enough for each to get a page of its own."""
    import shutil

    for kind in ("xas", "eis"):
        shutil.copytree(demo_source() / kind, folder / kind)
    manifest = [('[study]\nname = "six samples"\n[model]\nrun = false\n[xas]\nreference_e0_eV = 6539.0\n'
                 'o_k_peaks = ["A"]\no_k_window_eV = [527.0, 531.0]\nreferences = [\n')]
    for name, valence in (("MnO", 2), ("Mn2O3", 3), ("MnO2", 4)):
        manifest.append(f'  {{file = ["xas/{name}_rt_01.xdi", "xas/{name}_rt_02.xdi"], edge = "Mn-K", '
                        f'mode = "transmission", valence = {valence}, name = "{name}"}},\n')
    manifest.append("]\n")
    for k in range(1, 7):
        manifest.append(
            f'[[sample]]\nname = "s{k}"\n[sample.files]\n'
            'xas = [{file = ["xas/Mn3O4_rt_01.xdi", "xas/Mn3O4_rt_02.xdi"], edge = "Mn-K", mode = "transmission", '
            'state = "as made"}, {file = "xas/CuO_O-K_TEY.txt", edge = "O-K", mode = "tey", state = "as made"}]\n'
            'eis = [{file = "eis/impedance_py_example.csv", state = "as measured"}]\n')
    (folder / "study.toml").write_text("".join(manifest))
    return folder


def _report(folder, *options):
    from typer.testing import CliRunner

    from redoxmap.cli import app

    result = CliRunner().invoke(app, ["report", str(folder), "--no-progress", "--no-store", "--workers", "1",
                                      *options])
    assert result.exit_code == 0, result.output
    return folder / "report"


def test_a_campaigns_sample_pages_draw_their_fits_in_the_browser_unless_print_figures(tmp_path):
    """Each of six samples gets a page of its own whose fits the browser draws, and no sample figure is drawn;
    with ``--print-figures`` Matplotlib draws them as before."""
    import json

    _six_samples(tmp_path)
    report = _report(tmp_path)
    recorded = json.loads((report / "report.json").read_text())
    pages = {s["id"]: s for s in recorded["sections"]}
    xas_page, eis_page = pages["xas-1"], pages["eis-1"]
    assert not xas_page["figures"] and not eis_page["figures"]
    assert {"xas_lcf_1", "xas_ok_2"} <= set(xas_page["interactive"])
    assert {"eis_nyquist_1_interactive", "eis_residuals_1", "eis_drt_1"} <= set(eis_page["interactive"])
    html = (report / recorded["pages"]["eis-1"]).read_text()
    assert html.count('interactive printed"') == len(eis_page["interactive"])
    assert not list((report / "figures").glob("xas_lcf_*")) and not list((report / "figures").glob("eis_drt_*"))

    _report(tmp_path, "--print-figures")
    pages = {s["id"]: s for s in json.loads((report / "report.json").read_text())["sections"]}
    listed = {f["svg"] for page in ("xas-1", "eis-1") for f in pages[page]["figures"]}
    assert {"figures/xas_lcf_1.svg", "figures/xas_ok_2.svg", "figures/eis_drt_1.svg"} <= listed
    assert all((report / name).is_file() for name in listed)


@pytest.mark.slow
def test_the_browser_draws_the_impedance_and_xas_sample_pages(tmp_path):
    """Headless Chromium (Debian's package, driven by Playwright) opens a sample's impedance and XAS pages at 1440
    and 390 px: every plot is drawn, none scrolls the page sideways, no script error."""
    from playwright.sync_api import sync_playwright

    from tests.conftest import require_program

    chromium = require_program("chromium", "chromium")
    report = _report(_six_samples(tmp_path))
    errors = []
    with sync_playwright() as p:
        browser_process = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        for width, height in ((1440, 900), (390, 844)):
            tab = browser_process.new_page(viewport={"width": width, "height": height})
            tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            tab.on("pageerror", lambda e: errors.append(str(e)))
            for name in ("eis-1.html", "xas-1.html"):
                tab.goto((report / name).as_uri(), wait_until="load")
                plots = tab.locator("div.plot").count()
                assert plots >= 2, name
                tab.wait_for_function(f"document.querySelectorAll('.js-plotly-plot').length === {plots}")
                assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (name, width)
                widths = tab.locator("div.plot").evaluate_all("ps => ps.map(p => p.getBoundingClientRect().width)")
                assert min(widths) > 0.5 * min(width, 560), (name, width, widths)  # a readable plot, not a sliver
        browser_process.close()
    assert errors == []
