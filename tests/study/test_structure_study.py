"""A study with diffraction (ex situ, in situ) and micrographs, from manifest to report section."""

from __future__ import annotations

import json
import shutil
import textwrap

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from redoxmap.report import write_report
from redoxmap.study import SerialExecutor, load_study, run_study
from tests.tem.test_fringes import PIXEL_NM, fringes


@pytest.fixture(scope="module")
def structure_report(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("structure")
    xrd = data / "xrd_eis"
    shutil.copy(xrd / "njszym+XRD-AutoAnalyzer" / "Example" / "Spectra" / "Li2MnO3+MnO+TiO2.xy", folder / "li2mno3.xy")
    scans = sorted((xrd / "jrneilson+dara" / "dataset" / "precursor_mixture").glob("*LiCoO2.12-min.xrdml"))
    for scan in scans:
        shutil.copy(scan, folder / scan.name)
    shutil.copy(data / "echem" / "navani" / "test.ndax", folder / "cell.ndax")
    Image.fromarray(fringes([0.427, 0.232], [0.3, 1.4]).astype(np.float32)).save(folder / "hrtem.tif")
    scan_list = ", ".join(f'"{s.name}"' for s in scans)
    (folder / "study.toml").write_text(textwrap.dedent(f"""
        [study]
        name = "structure"
        [xrd]
        peaks = [{{label = "003", phase = "R-3m", hkl = [0, 0, 3], near = 18.7}},
                 {{label = "020", phase = "C2/m", hkl = [0, 2, 0], near = 20.85}}]
        half_width_deg = 0.4
        [images]
        pixel_nm = {PIXEL_NM}
        [[sample]]
        name = "LLO"
        [sample.files]
        xrd = [{{file = "li2mno3.xy", state = "pristine"}},
               {{file = [{scan_list}], series = true, cycling = "cell.ndax", time_offset_s = 60}}]
        images = [{{file = "hrtem.tif", state = "4 cycles", boxes = {{bulk = [0, 0, 256, 256]}}}}]
    """))
    result = run_study(load_study(folder), executor=SerialExecutor(progress=False))
    index = write_report(result, folder / "report")
    return index, result


def test_every_structure_task_ran(structure_report):
    _, result = structure_report
    assert set(result.sections) >= {"xrd", "images"}
    assert not result.failures(), [o.error for o in result.failures()]


def test_structure_section_figures_and_tables(structure_report):
    index, _ = structure_report
    summary = json.loads((index.parent / "report.json").read_text())
    section = next(s for s in summary["sections"] if s["id"] == "structure")
    assert {"xrd_summary", "xrd_peaks", "xrd_consistency", "xrd_series_1", "tem_spots"} <= set(section["tables"])
    figures = {f["preview"].split("/")[-1] for f in section["figures"]}
    assert {f"{name}.preview.png" for name in ("xrd_patterns", "xrd_series_map_1", "xrd_series_trends_1",
                                                "tem_fft_1_1")} <= figures
    lattice = pd.read_parquet(index.parent / "tables" / "xrd_summary.parquet").iloc[0]
    assert lattice["c_A"] == pytest.approx(3 * 4.741, abs=0.01)  # Li2MnO3 (001) at 18.70 deg, as a (003)
    series = pd.read_parquet(index.parent / "tables" / "xrd_series_1.parquet")
    assert len(series) == 3 and np.all(np.diff(series["time_s"]) > 0) and series["time_s"].iloc[0] == 60
    spots = pd.read_parquet(index.parent / "tables" / "tem_spots.parquet")
    assert set(spots["region"]) == {"bulk"} and spots["d_nm"].max() == pytest.approx(0.427, rel=5e-3)
    assert "Structure" in index.read_text()


def test_a_study_with_impedance_and_cv(tmp_path, data):
    from tests.cv.test_voltammetry import simulated_cv

    shutil.copy(data / "xrd_eis" / "ECSHackWeek+impedance.py" / "data" / "exampleData.csv", tmp_path / "eis.csv")
    for rate in (0.005, 0.02, 0.08):
        record = simulated_cv(rate, diffusive=1e-3, capacitive=1e-3)
        np.savetxt(tmp_path / f"cv_{rate * 1e3:g}.csv", np.column_stack([record.potential_V, record.current_A,
                                                                          record.time_s]), delimiter=",")
    (tmp_path / "study.toml").write_text(textwrap.dedent("""
        [eis]
        circuit = "L0-R0-p(R1,CPE1)-p(R2,CPE2)-W1"
        [[sample]]
        name = "cell"
        temperature_C = 30
        [sample.files]
        eis = [{file = "eis.csv", state = "discharged"}]
        cv = [{file = ["cv_5.csv", "cv_20.csv", "cv_80.csv"]}]
    """))
    result = run_study(load_study(tmp_path), executor=SerialExecutor(progress=False))
    index = write_report(result, tmp_path / "report")
    assert not result.failures(), [o.error for o in result.failures()]
    summary = json.loads((index.parent / "report.json").read_text())
    ids = [s["id"] for s in summary["sections"]]
    assert ids == ["findings", "eis", "cv"]
    b_values = pd.read_parquet(next((index.parent / "tables").glob("cv_b_values_*.parquet")))
    assert np.allclose(b_values["b"], 0.5, atol=0.02)
