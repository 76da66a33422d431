"""The report of the demo study: files, tables, figures, failures; and the page in a browser."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest

from redoxmap.report import write_report
from redoxmap.resources import demo_source
from redoxmap.study import SerialExecutor, load_study, run_study
from tests.conftest import require_program, sha256


@pytest.fixture(scope="module")
def demo_report(demo_run):
    """The demo's report (from the suite's one demo run) and the demo study analysed again here."""
    folder, _ = demo_run
    result = run_study(load_study(folder / "study"), executor=SerialExecutor(progress=False))
    return folder / "report" / "index.html", result


@pytest.fixture(scope="module")
def damaged_report(tmp_path_factory, echem):
    """A small study with a good cycler file and a truncated one: one failure does not stop the report."""
    folder = tmp_path_factory.mktemp("damaged")
    (folder / "cycling").mkdir()
    good = folder / "cycling" / "arbin.csv"
    good.write_bytes((demo_source() / "cycling" / "arbin_example.csv").read_bytes())
    broken = folder / "cycling" / "broken.ndax"
    broken.write_bytes((echem / "navani" / "test.ndax").read_bytes()[:3000])
    (folder / "study.toml").write_text(
        '[study]\nname = "one good, one damaged"\n[[sample]]\nname = "Arbin [good]"\n[sample.files]\n'
        'cycling = "cycling/arbin.csv"\n[[sample]]\nname = "Damaged"\n[sample.files]\ncycling = "cycling/broken.ndax"\n'
    )
    inputs = {p: sha256(p) for p in (folder / "cycling").iterdir()}
    result = run_study(load_study(folder), executor=SerialExecutor(progress=False))
    index = write_report(result, folder / "report", workers=1, print_figures=True)
    return index, result, inputs


def test_report_files_exist(damaged_report):
    index, _result, _ = damaged_report
    out = index.parent
    summary = json.loads((out / "report.json").read_text())
    assert [s["id"] for s in summary["sections"]] == ["findings", "cycling"]
    section = summary["sections"][1]
    for files in section["figures"]:
        assert (out / files["png"]).stat().st_size > 10_000 and (out / files["svg"]).exists()
    for files in section["tables"].values():
        assert (out / files["csv"]).exists()
        pd.read_parquet(out / files["parquet"])
    assert [f["file"] for f in section["failures"]] == ["Damaged"]
    assert any("mAh only" in w["warning"] for w in section["warnings"])
    assert not list(out.rglob("*.tmp"))
    timings = summary["timings_s"]  # each phase's wall time, the analysis' then the report's
    assert next(iter(timings)) == "cycling: read and analyse" and "figures drawn and saved (the rest)" in timings
    assert all(seconds >= 0 for seconds in timings.values())
    # the tasks' own time is part of their phase's (one process: nothing runs beside them)
    assert 0 < summary["task_seconds"]["cycling"] <= timings["cycling: read and analyse"]


def test_report_files_are_readable_by_others(damaged_report):
    """Files follow the umask (0644 for 022), not the owner-only mode of a temporary file."""
    index, _, _ = damaged_report
    mask = os.umask(0)
    os.umask(mask)
    for path in [index, *index.parent.rglob("*.png"), *index.parent.rglob("*.csv")]:
        assert path.stat().st_mode & 0o777 == 0o666 & ~mask, path


def test_report_does_not_touch_inputs(damaged_report, demo_run):
    _, _, inputs = damaged_report
    assert {p: sha256(p) for p in inputs} == inputs
    folder, _ = demo_run  # the demo's copies are byte for byte the packaged files after its report
    for path in (folder / "study" / "cycling").iterdir():
        assert sha256(path) == sha256(demo_source() / "cycling" / path.name), path


def test_xas_section_of_the_demo(demo_report):
    """Mn3O4 against the MnO/Mn2O3/MnO2 references; CuO's O K pre-peak in TEY and PFY."""
    index, _result = demo_report
    valence = pd.read_parquet(index.parent / "tables" / "xas_valence.parquet")
    assert valence.loc[0, "sample"] == "Mn3O4 (hausmannite)"
    assert abs(valence.loc[0, "valence"] - 8 / 3) < 0.10
    oxygen = pd.read_parquet(index.parent / "tables" / "xas_activation.parquet").set_index("mode")
    assert abs(oxygen.loc["tey", "A_center_eV"] - 530.0) < 0.25
    assert abs(oxygen.loc["pfy", "A_center_eV"] - 530.0) < 0.25


def test_structure_section_of_the_demo(demo_report):
    """The Li2MnO3 mixture: the (003)-type peak at 18.70 deg and (020) at 20.85 deg (XRD-AutoAnalyzer's
    own listing), and the d-spacing check against Li2MnO3's CIF cell."""
    index, _result = demo_report
    peaks = pd.read_parquet(index.parent / "tables" / "xrd_peaks.parquet").set_index("peak")
    assert abs(peaks.loc["003", "center_deg"] - 18.70) < 0.01 and abs(peaks.loc["020", "center_deg"] - 20.85) < 0.01
    check = pd.read_parquet(index.parent / "tables" / "xrd_consistency.parquet").set_index("peak")
    assert check.loc["020", "hkl"] == "0 2 0" and abs(check.loc["020", "d_ref_A"] - 8.532 / 2) < 1e-3
    summary = pd.read_parquet(index.parent / "tables" / "xrd_summary.parquet").iloc[0]
    assert 0 < summary["ratio_020_003"] < 0.5 and summary["ratio_020_003_stderr"] > 0


def test_impedance_section_of_the_demo(demo_report):
    """impedance.py's battery spectrum: valid by Kramers-Kronig, R0 near Z' where -Z'' crosses zero; a
    liquid Li-ion cell, so its arcs are numbered, not named for a solid-state cell's interfaces."""
    index, result = demo_report
    table = pd.read_parquet(index.parent / "tables" / "eis_resistances.parquet").iloc[0]
    spectrum = result.sections["eis"][0].value.spectra[0]
    crossing = spectrum.z_ohm.real[np.argmin(np.abs(spectrum.z_ohm.imag[:20]))]
    assert table["kk_valid"] and abs(table["R0_ohm"] - crossing) < 0.1 * crossing
    assert table["label_2"] == "arc 2 (slowest)" and table["R_2_stderr_ohm"] > 0


def test_model_section_of_the_demo_fits_the_virtual_cells(demo_report):
    """The demo's two virtual cells come from known model parameters; the model section finds them."""
    index, _result = demo_report
    truth = json.loads((index.parent.parent / "study" / "virtual" / "truth.json").read_text())["parameters"]
    parameters = pd.read_parquet(index.parent / "tables" / "model_parameters.parquet").set_index("name")
    for name, row in parameters.iterrows():
        assert abs(row["value"] - truth[name]) <= max(3 * row["stderr"], 1e-3 * abs(row["value"])), name


def test_model_section_shows_held_out_predictions_with_intervals(demo_report):
    """The reference protocol's held-out numbers, each with its interval, against the published measurements."""
    index, _result = demo_report
    held_out = pd.read_parquet(index.parent / "tables" / "model_held_out_table.parquet")
    assert list(held_out["measured"]) == [0.13, 0.26, 0.29, 0.42, 257.8]
    assert (held_out["low_95"] < held_out["predicted"]).all() and (held_out["predicted"] < held_out["high_95"]).all()
    html = (index.parent / "model.html").read_text()
    assert "Reference study, held out:" in html and 'id="fig-model_held_out"' in html


def test_model_section_shows_the_surface_reaction_evidence(demo_run):
    """The virtual study's report: its cells' XPS family shares and DEMS lattice-oxygen losses stand beside the
    model's surface reaction, each with its cell's temperature."""
    index = demo_run[0] / "virtual" / "report" / "index.html"
    evidence = pd.read_parquet(index.parent / "tables" / "model_surface_evidence.parquet")
    assert set(evidence["sample"]) >= {"virtual LLO-30", "virtual LLO-50"}
    assert set(evidence.dropna(subset=["temperature_C"])["temperature_C"]) == {30.0, 50.0}
    assert evidence["measured"].str.endswith("(XPS)").any() and evidence["measured"].str.endswith("(DEMS)").any()
    assert "XPS and DEMS measured" in (index.parent / "model.html").read_text()


def test_tables_hold_every_cell_and_units(demo_report):
    index, _result = demo_report
    summary = pd.read_parquet(index.parent / "tables" / "cycling_summary.parquet")
    assert set(summary["cell"]) == {"Neware 54 cycles", "Maccor 14 cycles", "Arbin 2 cycles",
                                    "Graphite half cell (LAND, BDF)", "virtual LLO-30", "virtual LLO-50"}
    assert {"charge_capacity_mAh", "discharge_capacity_mAh", "coulombic_efficiency_pct"} <= set(summary)


def test_chemistry_names_only_where_the_study_says_so(demo_report):
    """dQ/dV peaks are named Ox1-Ox4 / Red1-Red3 only for the Li-rich (virtual) cells, not for the real
    graphite, Neware, Maccor and Arbin cells."""
    index, _result = demo_report
    peaks = pd.read_parquet(index.parent / "tables" / "cycling_peaks.parquet")
    named = peaks.dropna(subset=["label"])
    assert set(named["cell"]) <= {"virtual LLO-30", "virtual LLO-50"} and not named.empty


def _entry_bytes(index) -> int:
    """The entry page and every image it shows."""
    import re

    html = index.read_text(encoding="utf-8")
    images = set(re.findall(r'<img src="([^"#:]+)"', html))
    return len(html.encode()) + sum((index.parent / src).stat().st_size for src in images)


@pytest.mark.slow
def test_reports_in_a_real_browser(demo_run):
    """Headless Chromium (Debian's package, driven by Playwright): both reports of the demo open with the
    answer (the map and a verdict table, within 2,700 px at 1440x900 and 2 MB with its images); every
    evidence link lands on one figure or table; every figure of every page enlarges to at least 600 px;
    no table is wider than the page without a sticky first column; no page scrolls sideways at 1440 or
    390 px; no temperature without its degree sign, no three-digit significance; no script errors."""
    import re

    chromium = require_program("chromium", "chromium")
    from playwright.sync_api import sync_playwright

    folder, _ = demo_run
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        phone = browser.new_page(viewport={"width": 390, "height": 844})
        errors = []
        for tab in (page, phone):
            tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            tab.on("pageerror", lambda e: errors.append(str(e)))
        for index, virtual in ((folder / "report" / "index.html", False),
                               (folder / "virtual" / "report" / "index.html", True)):
            summary = json.loads((index.parent / "report.json").read_text())
            assert summary["sections"][0]["id"] == "findings"
            page.goto(index.as_uri(), wait_until="load")
            assert page.locator("main section").first.get_attribute("id") == "answer"
            rows = page.locator("table.verdict-table tbody tr")
            assert rows.count() >= 1
            # The demo's real O K spectra are one state per probe: no activation to judge, so only the
            # virtual study (charged states in both probes) earns an oxygen verdict.
            assert ("O redox" in page.locator("table.verdict-table").inner_text()) == virtual
            if virtual:
                image = page.locator("#fig-findings_map img")
                assert image.is_visible() and image.evaluate("img => img.naturalWidth") > 1000
                assert page.evaluate("document.documentElement.scrollHeight") <= 2700
                assert "simulated" in rows.first.inner_text()
            else:  # the real cycler files conclude something, and the simulated cells say what they are
                real = [
                    rows.nth(k).inner_text() for k in range(rows.count()) if "simulated" not in rows.nth(k).inner_text()
                ]
                assert real, "no verdict about a real file"
            assert _entry_bytes(index) <= 2_000_000
            links = page.locator("table.verdict-table a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
            for link in links:
                target, anchor = link.split("#")
                html = (index.parent / target).read_text(encoding="utf-8")
                assert re.search(rf'id="{anchor}"', html) and anchor.startswith(("fig-", "tab-")), link
            for name in summary["pages"].values():
                url = (index.parent / name).as_uri()
                for tab in (page, phone):
                    tab.goto(url, wait_until="load")
                    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (name, tab)
                text = page.locator("body").inner_text()
                assert not re.search(r"\d C\b(?![-/])", text.replace(" 1 C", "")), name
                assert not re.search(r"\d{3,}(\.\d+)?σ", text), name
                plots = page.locator("div.plot").count()  # interactive figures: drawn by the bundled plotly.js
                if plots:
                    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot').length === {plots}")
                for figure_id in page.locator("figure:not(.interactive)").evaluate_all(
                    "fs => fs.map(f => f.id.slice(4))"
                ):
                    page.goto(f"{url}#zoom-{figure_id}")
                    zoomed = page.locator(f"#zoom-{figure_id} img")
                    zoomed.wait_for(state="visible")
                    page.wait_for_function("id => document.querySelector('#zoom-' + id + ' img').complete",
                                           arg=figure_id)
                    assert zoomed.bounding_box()["width"] >= 600, figure_id
                page.goto(url, wait_until="load")
                tables = page.locator("table.data")
                for k in range(tables.count()):
                    table = tables.nth(k)
                    wide = table.evaluate("t => t.scrollWidth > t.parentElement.clientWidth + 1")
                    sticky = table.evaluate("t => getComputedStyle(t.rows[0].cells[0]).position === 'sticky'")
                    assert sticky or not wide, (name, k)
            figures = [f for section in summary["sections"] for f in section["figures"]]
            pages = [(index.parent / name).read_text(encoding="utf-8") for name in summary["pages"].values()
                     if name != "index.html"]
            shown = sum(len(re.findall(r'<figure id="fig-[^"]*" class="(?![^"]*interactive)', html)) for html in pages)
            assert shown == len(figures)
            interactive = [i for section in summary["sections"] for i in section["interactive"]]
            assert len(interactive) >= 2 and sum(html.count('class="plot"') for html in pages) == len(interactive)
            assert "plotly" not in index.read_text(encoding="utf-8")  # the entry page stays light
        page.goto((folder / "virtual" / "report" / "index.html").as_uri(), wait_until="load")
        page.screenshot(path=str(folder / "virtual" / "report" / "screenshot.png"), full_page=False)
        browser.close()
    assert errors == []


def test_page_figures_are_screen_resolution_unless_print_figures_are_asked_for(damaged_report, tmp_path):
    """By default a report writes the previews its pages show (no 300 dpi PNG, no SVG) and says how to get
    them; with print_figures (damaged_report's) both are there beside each preview."""
    from PIL import Image

    _, result, _ = damaged_report
    index = write_report(result, tmp_path / "report", workers=1)
    figures = tmp_path / "report" / "figures"
    previews = sorted(figures.glob("*.preview.png"))
    assert previews and not list(figures.glob("*.svg")) and all(p.name.endswith(".preview.png")
                                                              for p in figures.glob("*.png"))
    for preview in previews:
        with Image.open(preview) as image:
            assert image.width <= 1600
    page = (index.parent / "cycling.html").read_text()
    assert "PNG (300 dpi)" not in page and "--print-figures" in page
    assert "PNG (300 dpi)" in (damaged_report[0].parent / "cycling.html").read_text()


def test_an_entry_page_without_the_map_figure_says_where_its_numbers_are(demo_report, tmp_path, monkeypatch):
    """Beyond the map figure's row limit the entry page names the file of the map's numbers, and report.json names
    that file (not a figure's title) as the note's file."""
    from redoxmap.report import findings_section

    monkeypatch.setattr(findings_section, "MAP_FIGURE_ROWS", 0)  # the demo map has rows
    _, result = demo_report
    index = write_report(result, tmp_path / "report", workers=1)
    page = index.read_text()
    assert "The activation map figure is not drawn" in page and 'href="tables/activation_map.nc"' in page
    assert 'id="findings_map"' not in page
    summary = json.loads((tmp_path / "report" / "report.json").read_text())
    named = [w["file"] for s in summary["sections"] for w in s["warnings"] if "map figure is not drawn" in w["warning"]]
    assert named == ["tables/activation_map.nc"] and (tmp_path / "report" / named[0]).is_file()
