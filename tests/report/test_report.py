"""The report of the demo study: files, tables, figures, failures; and the page in a browser."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from redoxmap.demo import copy_demo_study
from redoxmap.report import write_report
from redoxmap.study import SerialExecutor, load_study, run_study
from tests.conftest import sha256


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory, echem):
    folder = tmp_path_factory.mktemp("demo")
    manifest = copy_demo_study(folder / "study")
    # Add a damaged file to show that one failure does not stop the report.
    broken = folder / "study" / "cycling" / "broken.ndax"
    broken.write_bytes((echem / "navani" / "test.ndax").read_bytes()[:3000])
    text = manifest.read_text() + '\n[[sample]]\nname = "Damaged"\n[sample.files]\ncycling = "cycling/broken.ndax"\n'
    manifest.write_text(text)
    inputs = {p: sha256(p) for p in (folder / "study" / "cycling").iterdir()}
    result = run_study(load_study(manifest), executor=SerialExecutor(progress=False))
    index = write_report(result, folder / "report")
    return index, result, inputs


def test_report_files_exist(demo_report):
    index, _result, _ = demo_report
    out = index.parent
    summary = json.loads((out / "report.json").read_text())
    section = summary["sections"][0]
    assert section["id"] == "cycling"
    for files in section["figures"]:
        assert (out / files["png"]).stat().st_size > 10_000 and (out / files["svg"]).exists()
    for files in section["tables"].values():
        assert (out / files["csv"]).exists()
        pd.read_parquet(out / files["parquet"])
    assert [f["file"] for f in section["failures"]] == ["Damaged"]
    assert any("mAh only" in w["warning"] for w in section["warnings"])


def test_xas_section_of_the_demo(demo_report):
    """Mn3O4 against the MnO/Mn2O3/MnO2 references; CuO's O K pre-peak in TEY and PFY."""
    index, _result, _ = demo_report
    valence = pd.read_parquet(index.parent / "tables" / "xas_valence.parquet")
    assert valence.loc[0, "sample"] == "Mn3O4 (hausmannite)"
    assert abs(valence.loc[0, "valence"] - 8 / 3) < 0.10
    oxygen = pd.read_parquet(index.parent / "tables" / "xas_activation.parquet").set_index("mode")
    assert abs(oxygen.loc["tey", "A_center_eV"] - 530.0) < 0.25
    assert abs(oxygen.loc["pfy", "A_center_eV"] - 530.0) < 0.25


def test_structure_section_of_the_demo(demo_report):
    """The Li2MnO3 mixture: the (003)-type peak at 18.70 deg and (020) at 20.85 deg (XRD-AutoAnalyzer's
    own listing), and the d-spacing check against Li2MnO3's CIF cell."""
    index, _result, _ = demo_report
    peaks = pd.read_parquet(index.parent / "tables" / "xrd_peaks.parquet").set_index("peak")
    assert abs(peaks.loc["003", "center_deg"] - 18.70) < 0.01 and abs(peaks.loc["020", "center_deg"] - 20.85) < 0.01
    check = pd.read_parquet(index.parent / "tables" / "xrd_consistency.parquet").set_index("peak")
    assert check.loc["020", "hkl"] == "0 2 0" and abs(check.loc["020", "d_ref_A"] - 8.532 / 2) < 1e-3
    summary = pd.read_parquet(index.parent / "tables" / "xrd_summary.parquet").iloc[0]
    assert 0 < summary["ratio_020_003"] < 0.5 and summary["ratio_020_003_stderr"] > 0


def test_impedance_section_of_the_demo(demo_report):
    """impedance.py's battery spectrum: valid by Kramers-Kronig, R0 near Z' where -Z'' crosses zero."""
    index, result, _ = demo_report
    table = pd.read_parquet(index.parent / "tables" / "eis_resistances.parquet").iloc[0]
    spectrum = result.sections["eis"][0].value.spectra[0]
    crossing = spectrum.z_ohm.real[np.argmin(np.abs(spectrum.z_ohm.imag[:20]))]
    assert table["kk_valid"] and abs(table["R0_ohm"] - crossing) < 0.1 * crossing
    assert table["label_2"] == "charge transfer" and table["R_2_stderr_ohm"] > 0


def test_model_section_of_the_demo_fits_the_virtual_cells(demo_report):
    """The demo's two virtual cells come from known model parameters; the model section finds them."""
    index, _result, _ = demo_report
    truth = json.loads((index.parent.parent / "study" / "virtual" / "truth.json").read_text())["parameters"]
    parameters = pd.read_parquet(index.parent / "tables" / "model_parameters.parquet").set_index("name")
    for name, row in parameters.iterrows():
        assert abs(row["value"] - truth[name]) <= max(3 * row["stderr"], 1e-3 * abs(row["value"])), name


def test_tables_hold_every_cell_and_units(demo_report):
    index, _result, _ = demo_report
    summary = pd.read_parquet(index.parent / "tables" / "cycling_summary.parquet")
    assert set(summary["cell"]) == {"Neware 54 cycles", "Maccor 14 cycles", "Arbin 2 cycles",
                                    "Graphite half cell (LAND, BDF)", "virtual LLO-30", "virtual LLO-50"}
    assert {"charge_capacity_mAh", "discharge_capacity_mAh", "coulombic_efficiency_pct"} <= set(summary)
    assert not list(index.parent.rglob("*.tmp"))


def test_report_does_not_touch_inputs(demo_report):
    _, _, inputs = demo_report
    assert {p: sha256(p) for p in inputs} == inputs


def _chromium() -> str | None:
    return shutil.which("chromium") or (os.path.exists("/usr/bin/chromium") and "/usr/bin/chromium") or None


def test_report_in_a_real_browser(demo_report):
    """Headless Chromium (Debian's package, driven by Playwright) loads the page cleanly."""
    chromium = _chromium()
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have Debian's chromium (installed by .ci/run)")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    index, _result, _ = demo_report
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(Path(index).as_uri(), wait_until="load")
        images = page.locator("figure img")
        sections = json.loads((index.parent / "report.json").read_text())["sections"]
        figures = [f for section in sections for f in section["figures"]]
        assert [s["id"] for s in sections] == ["cycling", "xas", "structure", "eis", "model"]
        assert images.count() == len(figures) >= 12
        for k in range(images.count()):
            image = images.nth(k)
            image.scroll_into_view_if_needed()
            assert image.is_visible()
            assert image.evaluate("img => img.complete && img.naturalWidth > 500")
        tables = page.locator("table.data")
        assert tables.count() >= 7
        for k in range(tables.count()):
            tables.nth(k).scroll_into_view_if_needed()
            assert tables.nth(k).is_visible()
        assert page.locator(".failures").is_visible()
        assert "Damaged" in page.locator(".failures").inner_text()
        page.screenshot(path=str(index.parent / "screenshot.png"), full_page=False)
        browser.close()
    assert errors == []
