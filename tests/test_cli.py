"""The command line: help with examples, JSON output, tables, clear errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from redoxmap.cli import app

runner = CliRunner()
COMMANDS = [
    [],
    ["demo"],
    ["report"],
    ["map"],
    ["convert"],
    ["formats"],
    ["cycling"],
    ["cycling", "summary"],
    ["cycling", "dqdv"],
    ["cycling", "regions"],
    ["cycling", "capacity-rise"],
    ["cycling", "plot"],
    ["xas"],
    ["xas", "normalize"],
    ["xas", "valence"],
    ["xas", "edge"],
    ["xas", "oxygen"],
    ["xas", "depth"],
    ["xrd"],
    ["xrd", "peaks"],
    ["xrd", "lattice"],
    ["xrd", "series"],
    ["tem"],
    ["tem", "fft"],
    ["eis"],
    ["eis", "fit"],
    ["eis", "kk"],
    ["eis", "drt"],
    ["eis", "series"],
    ["cv"],
    ["cv", "analyze"],
    ["model"],
    ["model", "simulate"],
    ["model", "validate"],
    ["model", "fit"],
    ["model", "whatif"],
    ["simulate"],
    ["simulate", "study"],
    ["simulate", "campaign"],
    ["xps"],
    ["xps", "regions"],
    ["xps", "fit"],
    ["xps", "series"],
    ["dems"],
    ["dems", "channels"],
    ["dems", "calibrate"],
    ["dems", "quantify"],
    ["sem"],
    ["sem", "analyze"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "redoxmap")
def test_every_command_has_help(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    if len(command) == 2 or command in (["demo"], ["report"], ["map"], ["convert"], ["formats"]):
        assert "Example" in result.output


def test_summary_json(echem):
    result = runner.invoke(app, ["cycling", "summary", str(echem / "navani" / "test.ndax"),
                                 "--mass-mg", "2.5", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["cell"]["active_mass_mg"] == 2.5
    assert body["rows"][0]["cycle"] >= 0 and "discharge_capacity_mAh_g" in body["rows"][0]


def test_summary_table_to_parquet_and_csv(echem, tmp_path):
    for name in ("s.parquet", "s.csv"):
        out = tmp_path / name
        result = runner.invoke(app, ["cycling", "summary", str(echem / "navani" / "test.ndax"), "-o", str(out)])
        assert result.exit_code == 0, result.output
        frame = pd.read_parquet(out) if name.endswith("parquet") else pd.read_csv(out)
        assert "coulombic_efficiency_pct" in frame


def test_dqdv_peaks_regions_activation(echem, tmp_path):
    file = str(echem / "NewareNDA" / "BTS85-36-6-5-110-20240424.ndax")
    peaks = runner.invoke(app, ["cycling", "dqdv", file, "--cycles", "1,2", "--peaks", "--json"])
    assert peaks.exit_code == 0, peaks.output
    assert json.loads(peaks.stdout)["rows"]
    regions = runner.invoke(app, ["cycling", "regions", file, "--bounds", "2.0,3.0", "--json"])
    assert {r["region"] for r in json.loads(regions.stdout)["rows"]} == {"I", "II", "III"}
    fit = runner.invoke(app, ["cycling", "capacity-rise", file, "-m", "10", "--json"])
    assert fit.exit_code == 0, fit.output
    assert json.loads(fit.stdout)["rows"][0]["unit"] == "mAh/g"
    figure = tmp_path / "dqdv.svg"
    plot = runner.invoke(app, ["cycling", "plot", file, "--kind", "dqdv", "-o", str(figure)])
    assert plot.exit_code == 0 and figure.read_text().startswith("<?xml")


def test_convert_to_bdf_round_trip(echem, tmp_path):
    import redoxmap

    out = tmp_path / "cell.bdf.parquet"
    result = runner.invoke(app, ["convert", str(echem / "navani" / "test.ndax"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(out)
    assert list(frame.columns[:3]) == ["Test Time / s", "Voltage / V", "Current / A"]
    again = redoxmap.read_cycling(out, active_mass_mg=1.0)
    first = redoxmap.read_cycling(echem / "navani" / "test.ndax", active_mass_mg=1.0)
    pd.testing.assert_series_equal(again["capacity_Ah"], first["capacity_Ah"], check_exact=False)


def test_bad_file_gives_one_line_error_and_exit_1(tmp_path):
    bad = tmp_path / "empty.ndax"
    bad.write_bytes(b"")
    result = runner.invoke(app, ["cycling", "summary", str(bad)])
    assert result.exit_code == 1
    assert "error:" in result.output and "empty.ndax" in result.output
    assert "Traceback" not in result.output


def test_formats_lists_readers():
    result = runner.invoke(app, ["formats", "--json"])
    rows = json.loads(result.stdout)["rows"]
    names = {r["format"] for r in rows}
    assert {"biologic-mpt", "biologic-mpr", "neware", "arbin-csv", "maccor", "landt-csv", "bdf", "csv"} <= names
    assert {(r["modality"], r["format"]) for r in rows} >= {("xrd", "xrdml"), ("xrd", "brml"), ("xas", "athena"),
                                                          ("images", "dm")}


def test_demo_command_writes_report(demo_run):
    folder, output = demo_run
    assert (folder / "report" / "index.html").exists()
    assert "Report written" in output
    # The complete virtual study beside it: every section, and the truth its numbers come from.
    virtual = folder / "virtual"
    sections = [s["id"] for s in json.loads((virtual / "report" / "report.json").read_text())["sections"]]
    assert sections == ["findings", "cycling", "xas", "structure", "eis", "interface", "microstructure", "model"]
    assert (virtual / "truth.json").exists() and "Virtual study" in output
    assert (virtual / "report" / "tables" / "activation_map.nc").stat().st_size > 10_000


def test_demo_keeps_an_edited_manifest(tmp_path):
    """The demo invites editing its study.toml: a second run keeps an edited one (with a warning) and
    refreshes an untouched one."""
    import warnings

    from redoxmap.demo import copy_demo_study
    from redoxmap.errors import RedoxmapWarning

    manifest = copy_demo_study(tmp_path / "study")
    fresh = manifest.read_text()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert copy_demo_study(tmp_path / "study").read_text() == fresh  # untouched: refreshed, no warning
    manifest.write_text(fresh.replace('name = "Arbin 2 cycles"', 'name = "my Arbin cell"'))
    with pytest.warns(RedoxmapWarning, match="edited"):
        copy_demo_study(tmp_path / "study")
    assert 'name = "my Arbin cell"' in manifest.read_text()


def test_a_demo_whose_edited_study_fails_every_task_exits_with_an_error(tmp_path):
    """As a report does: the demo's study.toml, edited to a file that is no cycler's, is reported (the report
    says why) and the command fails before it makes the virtual study."""
    from redoxmap.demo import copy_demo_study

    study = copy_demo_study(tmp_path / "study").parent
    (study / "cell.ndax").write_bytes(b"not a cycler file at all\n" * 40)
    (study / "study.toml").write_text('[study]\nname = "broken"\n[[sample]]\nname = "A"\n'
                                      '[sample.files]\ncycling = "cell.ndax"\n')
    result = runner.invoke(app, ["demo", str(tmp_path), "--no-progress"])
    assert result.exit_code == 1 and "every analysis task failed (1)" in result.output
    assert (tmp_path / "report" / "index.html").is_file() and not (tmp_path / "virtual").exists()


def _mn_scans(data, stem: str) -> str:
    """Comma-joined paths of the three Mn K-edge scans of an oxide."""
    folder = data / "xas" / "XraySpectroscopy+XASDataLibrary" / "data" / "Mn"
    return ",".join(str(folder / f"{stem}_rt_0{k}.xdi") for k in (1, 2, 3))


def test_xas_valence_json(data):
    def scans(stem):
        return _mn_scans(data, stem)

    result = runner.invoke(app, ["xas", "valence", *scans("Mn3O4").split(","), "--ref", f"{scans('MnO')}=2",
                                 "--ref", f"{scans('Mn2O3')}=3", "--ref", f"{scans('MnO2')}=4",
                                 "--edge", "Mn-K", "--reference-e0", "6539", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert abs(body["valence"] - 8 / 3) < 0.1
    assert sum(body["weights"].values()) == pytest.approx(1.0)
    assert any(not row["represented"] for row in body["self_check"])


def test_xas_depth_json():
    result = runner.invoke(app, ["xas", "depth", "--tey", "3.84+-0.02", "--bulk", "3.99+-0.02", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    # The surface layer is more reduced than TEY shows; the bulk is about what iPFY shows.
    assert body["surface"] < 3.84 and body["bulk"] == pytest.approx(3.99, abs=0.01)


def test_xas_bad_channel_is_one_line(data):
    file = data / "xas" / "XraySpectroscopy+XASDataLibrary" / "data" / "Mn" / "MnO_rt_01.xdi"
    result = runner.invoke(app, ["xas", "normalize", str(file), "--mode", "pfy"])
    assert result.exit_code == 1 and "no raw channels for pfy" in result.output and "Traceback" not in result.output


def test_xas_edge_position_valence(data):
    def scans(stem):
        return _mn_scans(data, stem)

    result = runner.invoke(app, ["xas", "edge", *scans("Mn3O4").split(","), "--ref", f"{scans('MnO')}=2",
                                 "--ref", f"{scans('Mn2O3')}=3", "--ref", f"{scans('MnO2')}=4",
                                 "--reference-e0", "6539", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert abs(body["valence"] - 8 / 3) < max(body["valence_stderr"], 0.15)


def test_xas_window_is_relative_to_the_edge_as_in_the_manifest(data):
    """--window -20,60 is the manifest's fit_window_eV and the default; energies given the older way
    (6520,6600 for an E0 near 6540) are read as energies, with a warning that gives the relative form."""
    def scans(stem):
        return _mn_scans(data, stem)

    def valence(*window):
        result = runner.invoke(app, ["xas", "valence", *scans("Mn3O4").split(","), "--ref", f"{scans('MnO')}=2",
                                     "--ref", f"{scans('Mn2O3')}=3", "--ref", f"{scans('MnO2')}=4", "--edge", "Mn-K",
                                     "--reference-e0", "6539", "--json", *window])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["valence"], result.stderr

    default, _ = valence()
    relative, _ = valence("--window", "-20,60")
    absolute, warning = valence("--window", "6520,6600")
    assert relative == default
    assert "relative to E0" in warning and abs(absolute - default) < 0.05


def test_xas_reference_without_valence_is_a_clear_error(data):
    result = runner.invoke(app, ["xas", "valence", *_mn_scans(data, "Mn3O4").split(","), "--ref",
                                 _mn_scans(data, "MnO"), "--edge", "Mn-K"])
    assert result.exit_code == 1 and "FILE=VALENCE" in result.output and "Traceback" not in result.output


XRD_DATA = ("xrd_eis", "jrneilson+dara", "dataset", "precursor_mixture")


def test_xrd_peaks_json_and_figure(data, tmp_path):
    pattern = data.joinpath(*XRD_DATA, "Nb2O5_CuO_LiCoO2.12-min.xrdml")
    figure = tmp_path / "fits.png"
    result = runner.invoke(app, ["xrd", "peaks", str(pattern), "--near", "18.99,45.3", "--json", "--plot", str(figure)])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["wavelength_A"] == pytest.approx(1.540598) and len(body["rows"]) == 2
    assert abs(body["rows"][0]["center_deg"] - 18.99) < 0.02 and body["references"][0]["d_A"] > 4.6
    assert figure.stat().st_size > 10_000


def test_xrd_lattice_of_licoo2_agrees_with_its_literature_cell(data):
    """LiCoO2 (R-3m): a = 2.8156 A, c = 14.0542 A (Akimoto et al., J. Solid State Chem. 141, 298, 1998);
    five indexed peaks of a lab scan of a mixture, with a zero shift refined."""
    pattern = data.joinpath(*XRD_DATA, "Nb2O5_CuO_LiCoO2.12-min.xrdml")
    arguments = ["xrd", "lattice", str(pattern), "--zero-shift", "--json"]
    for peak in ("0,0,3=19.0", "1,0,1=37.4", "1,0,4=45.3", "0,1,8=65.5", "1,1,0=66.4"):
        arguments += ["--hkl", peak]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    params = json.loads(result.stdout)["params"]
    assert params["a"] == pytest.approx(2.8156, rel=1.5e-3) and params["c"] == pytest.approx(14.0542, rel=1.5e-3)


def test_xrd_series_table(data, tmp_path):
    scans = sorted(data.joinpath(*XRD_DATA).glob("*LiCoO2.12-min.xrdml"))
    out = tmp_path / "series.csv"
    result = runner.invoke(app, ["xrd", "series", *map(str, scans), "--near", "19.0,20.8", "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert len(table) == len(scans) and table["c_A"].between(13.9, 14.1).all()  # LiCoO2, no zero correction
    by_hand = 3 * 1.540598 / (2 * np.sin(np.radians(table["center_003_deg"] / 2)))
    np.testing.assert_allclose(table["c_A"], by_hand, rtol=1e-9)


def test_tem_fft_with_boxes_and_candidates(tmp_path):
    from PIL import Image

    from tests.tem.test_fringes import PIXEL_NM, fringes

    path = tmp_path / "particle.png"
    image = fringes([0.427, 0.232], [0.3, 1.4])
    Image.fromarray(((image - image.min()) / np.ptp(image) * 255).astype(np.uint8)).save(path)
    result = runner.invoke(app, ["tem", "fft", str(path), "--pixel-nm", str(PIXEL_NM), "--box", "bulk=0,0,512,512",
                                 "--candidate", "Li2MnO3 (020)=0.427", "--candidate", "spinel (222)=0.232", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert {r["phase"] for r in rows} == {"Li2MnO3 (020)", "spinel (222)"}
    missing = runner.invoke(app, ["tem", "fft", str(path)])
    assert missing.exit_code == 1 and "no pixel size" in missing.output


EIS_DATA = ("xrd_eis", "ECSHackWeek+impedance.py", "data")


def test_eis_fit_kk_and_drt_commands(data, tmp_path):
    spectrum = data.joinpath(*EIS_DATA, "exampleData.csv")
    figure = tmp_path / "fit.png"
    result = runner.invoke(
        app,
        [
            "eis",
            "fit",
            str(spectrum),
            "--solid-state",
            "--circuit",
            "L0-R0-p(R1,CPE1)-p(R2,CPE2)-W1",
            "--json",
            "--plot",
            str(figure),
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["kramers_kronig"]["valid"] and [r["label"] for r in body["rc"]][-1] == "charge transfer"
    assert figure.stat().st_size > 10_000
    kk = runner.invoke(app, ["eis", "kk", str(data.joinpath(*EIS_DATA, "exampleDataGamry.DTA")), "--json"])
    assert kk.exit_code == 0 and json.loads(kk.stdout)["rows"][0]["valid"] is False
    drt_out = tmp_path / "drt.csv"
    result = runner.invoke(app, ["eis", "drt", str(spectrum), "-o", str(drt_out), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["lambda_method"] == "GCV" and len(pd.read_csv(drt_out)) >= 60
    bad = runner.invoke(app, ["eis", "fit", str(spectrum), "--circuit", "R0-p(R1,C1"])
    assert bad.exit_code == 1 and "character" in bad.output


def test_eis_series_with_temperatures_gives_activation_energies(tmp_path):
    from redoxmap.eis import Circuit
    from redoxmap.eis.temperature import BOLTZMANN_EV

    circuit = Circuit("R0-p(R1,C1)-p(R2,C2)")
    f = np.logspace(5, -2, 50)
    files = []
    for temperature in (30, 40, 50):
        kT = BOLTZMANN_EV * (temperature + 273.15)
        z = circuit.impedance([2, 1e-3 * np.exp(0.3 / kT), 1e-6, 1e-4 * np.exp(0.6 / kT), 1e-3], f)
        path = tmp_path / f"cell_{temperature}C.csv"
        np.savetxt(path, np.column_stack([f, z.real, z.imag]), delimiter=",")
        files.append(str(path))
    result = runner.invoke(app, ["eis", "series", *files, "--circuit", "R0-p(R1,C1)-p(R2,C2)", "--solid-state",
                                 "--temperature", "30,40,50", "--json", "--plot", str(tmp_path / "arrhenius.png")])
    assert result.exit_code == 0, result.output
    energies = {row["label"]: row["Ea_eV"] for row in json.loads(result.stdout)["arrhenius"]}
    assert energies["bulk / grain boundary"] == pytest.approx(0.3, abs=0.01)
    assert energies["charge transfer"] == pytest.approx(0.6, abs=0.01)
    assert (tmp_path / "arrhenius.png").stat().st_size > 10_000


def test_cv_analyze_simulated_records_from_files(tmp_path):
    from tests.cv.test_voltammetry import simulated_cv

    files = []
    for rate in (0.005, 0.02, 0.08):
        record = simulated_cv(rate, diffusive=1e-3, capacitive=1e-3)
        path = tmp_path / f"cv_{rate * 1e3:g}.csv"
        np.savetxt(path, np.column_stack([record.potential_V, record.current_A, record.time_s]), delimiter=",")
        files.append(str(path))
    result = runner.invoke(app, ["cv", "analyze", *files, "--json", "--plot", str(tmp_path / "cv.png")])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert all(abs(row["b"] - 0.5) < 0.02 for row in body["b_values"])
    assert (tmp_path / "cv.png").stat().st_size > 10_000


def test_model_simulate_and_fit_commands(tmp_path):
    result = runner.invoke(app, ["model", "simulate", "--cycles", "20", "--temperature", "30", "--temperature", "50",
                                 "--set", "phi_c=0.5", "--json", "--plot", str(tmp_path / "capacity.png")])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["parameters"]["phi_c"] == 0.5 and len(body["rows"]) == 40
    assert (tmp_path / "capacity.png").stat().st_size > 10_000
    observations = tmp_path / "observations.json"
    rows = [row for row in body["rows"] if row["cycle"] in (1, 5, 10, 20)]
    observations.write_text(json.dumps([{"kind": "capacity", "value": r["capacity_mAh_g"], "stderr": 1.0,
                                         "temperature_C": r["temperature_C"], "cycle": r["cycle"]} for r in rows]))
    fitted = runner.invoke(app, ["model", "fit", str(observations), "--vary", "r_int_ohm_g,q_o_mAh_g",
                                 "--set", "phi_c=0.5", "--json"])
    assert fitted.exit_code == 0, fitted.output
    values = {row["name"]: row["value"] for row in json.loads(fitted.stdout)["rows"]}
    assert values["r_int_ohm_g"] == pytest.approx(6.9, rel=1e-3) and values["q_o_mAh_g"] == pytest.approx(168, rel=1e-3)
    bad = runner.invoke(app, ["model", "simulate", "--set", "nonsense=1"])
    assert bad.exit_code != 0 and "unknown parameter" in bad.output


def test_model_validate_prints_held_out_predictions_with_intervals(tmp_path):
    result = runner.invoke(app, ["model", "validate", "--draws", "20", "--json", "--plot", str(tmp_path / "held.png")])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    rows = {row["observation"]: row for row in body["rows"]}
    assert rows["capacity, 30 °C, cycle 1, liquid"]["measured"] == 257.8
    assert all(row["low_95"] <= row["predicted"] <= row["high_95"] for row in rows.values())
    assert {row["name"] for row in body["fixed"]} >= {"mn_reduction", "surface_loss_per_cycle", "contact_fraction"}
    # Draws left out are said apart from the misses: they are about the intervals, not a disagreement.
    assert "draws_left_out" in body and not any("left out" in note for note in body["notes"])
    # A diffusivity of ~1e-13 cm2/s reaches a script as that number (a fixed count of decimals wrote 0.0).
    fitted = {row["name"]: row for row in body["fit"]}
    assert 1e-15 < fitted["diffusivity_cm2_s"]["value"] < 1e-11
    assert fitted["diffusivity_cm2_s"]["stderr"] == pytest.approx(
        fitted["diffusivity_cm2_s"]["value"] * fitted["diffusivity_cm2_s"]["relative_error"], rel=1e-6)
    assert (tmp_path / "held.png").stat().st_size > 10_000
    text = runner.invoke(app, ["model", "validate", "--draws", "0"])
    assert text.exit_code == 0 and "Fixed from separate measurements" in text.output
    # --refit is the particle model's: the cycle-resolved protocol refits every draw already
    refused = runner.invoke(app, ["model", "validate", "--refit", "--draws", "0"])
    assert refused.exit_code == 2 and "--time-resolved" in refused.output


def test_model_whatif_and_fit_of_a_study(tmp_path):
    result = runner.invoke(app, ["model", "whatif", "--change", "phi_c=0.3,1,3", "--cycles", "20", "--json"])
    assert result.exit_code == 0, result.output
    rows = [r for r in json.loads(result.stdout)["rows"] if r["cycle"] == 20]
    fractions = [r["activated_fraction"] for r in rows]
    assert fractions == sorted(fractions)  # better contact, more activation
    simulated = runner.invoke(app, ["simulate", "study", str(tmp_path / "virtual"), "--cycles", "20"])
    assert simulated.exit_code == 0, simulated.output
    # the radius set to the truth: the study's SEM measures it within its error (±11 %), which moves R_int by ~2 %
    fitted = runner.invoke(app, ["model", "fit", str(tmp_path / "virtual"), "--vary", "r_int_ohm_g,q_o_mAh_g",
                                 "--set", "radius_nm=1000", "--json"])
    assert fitted.exit_code == 0, fitted.output
    values = {r["name"]: r["value"] for r in json.loads(fitted.stdout)["rows"]}
    assert values["r_int_ohm_g"] == pytest.approx(6.9, rel=0.02) and values["q_o_mAh_g"] == pytest.approx(168, rel=0.01)


def test_time_resolved_simulation_writes_a_cycler_record(tmp_path):
    record = tmp_path / "particle.bdf.csv"
    result = runner.invoke(app, ["model", "simulate", "--time-resolved", "--cycles", "2", "--temperature", "50",
                                 "--record", str(record), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert len(rows) == 2 and rows[1]["discharge_capacity_mAh_g"] > rows[0]["discharge_capacity_mAh_g"] * 0.9
    from redoxmap.cycling import read_cycling

    table = read_cycling(record, active_mass_mg=1000.0)
    assert table["voltage_V"].max() == pytest.approx(4.7, abs=0.01)


def test_time_resolved_whatif_and_fits(tmp_path):
    """A slower charge activates more; the particle model fits listed observations and a study's cells
    (their capacities and region III charge, from the cycling analysis)."""
    result = runner.invoke(app, ["model", "whatif", "--time-resolved", "--change", "c_rate=0.05,0.1", "--cycles", "2",
                                 "--json", "--plot", str(tmp_path / "rate.png")])
    assert result.exit_code == 0, result.output
    last = [r for r in json.loads(result.stdout)["rows"] if r["cycle"] == 2]
    assert last[0]["activated_fraction"] > last[1]["activated_fraction"]
    assert (tmp_path / "rate.png").stat().st_size > 10_000
    from redoxmap.model import CellParameters, Observation, predict_time_resolved

    truth = CellParameters(q_o_mAh_g=150.0, r_int_ohm_g=2.0)  # a small interface loss: a smooth regime
    template = [Observation(kind, 0.0, 1.0, 50, 1) for kind in ("capacity", "region_iii")]
    values = predict_time_resolved(truth, template)
    observations = tmp_path / "observations.json"
    observations.write_text(json.dumps([{"kind": o.kind, "value": v, "stderr": 1.0, "temperature_C": 50, "cycle": 1}
                                        for o, v in zip(template, values)]))
    fitted = runner.invoke(app, ["model", "fit", str(observations), "--time-resolved", "--vary", "q_o_mAh_g",
                                 "--set", "r_int_ohm_g=2", "--json"])
    assert fitted.exit_code == 0, fitted.output
    assert json.loads(fitted.stdout)["rows"][0]["value"] == pytest.approx(150.0, rel=2e-3)
    assert runner.invoke(app, ["simulate", "study", str(tmp_path / "virtual"), "--cycles", "2"]).exit_code == 0
    study = runner.invoke(app, ["model", "fit", str(tmp_path / "virtual"), "--time-resolved", "--vary", "q_o_mAh_g",
                                "--json"])
    assert study.exit_code == 0, study.output
    kinds = {(r["kind"], r["temperature_C"]) for r in json.loads(study.stdout)["residuals"]}
    assert kinds == {("capacity", 30.0), ("capacity", 50.0), ("region_iii", 30.0), ("region_iii", 50.0)}


def test_map_command_prints_verdicts_and_writes_the_map(demo_run, tmp_path):
    virtual = demo_run[0] / "virtual"
    result = runner.invoke(app, ["map", str(virtual), "--json", "-o", str(tmp_path / "map.nc"), "--no-progress"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    o_redox = [v for v in body["verdicts"] if v["couple"] == "O" and v["aspect"] == "summary"
               and v["sample"] in ("virtual LLO-30", "virtual LLO-50")]  # the cells with spectra by probe
    assert len(o_redox) == 2 and {v["sample"]: v["where"] for v in o_redox} == {
        "virtual LLO-30": "surface-first", "virtual LLO-50": "higher at the surface"}
    assert all(v["robustness"]["floor"] == "r" and "changes_above" in v["robustness"] for v in o_redox)
    assert {"summary", "differences", "kinetics", "onsets", "leads", "budget", "map", "missing"} <= set(body)
    again = runner.invoke(app, ["map", str(tmp_path / "map.nc")])
    assert again.exit_code == 0 and "O redox: since charge 1, higher at the surface" in again.output
    bad = runner.invoke(app, ["map", str(virtual), "-o", str(tmp_path / "map.txt")])
    assert bad.exit_code == 1 and "map.txt" in bad.output and ".nc" in bad.output


def test_messages_keep_their_brackets(tmp_path):
    """Rich markup must not eat brackets: file names and extras such as redoxmap[biologic] stay whole."""
    missing = tmp_path / "cell[1] [biologic].mpr"
    result = runner.invoke(app, ["cycling", "summary", str(missing)])
    assert result.exit_code == 1 and "cell[1] [biologic].mpr" in result.output


def test_invalid_option_values_are_refused():
    result = runner.invoke(app, ["xas", "oxygen", "spectrum.txt", "--mode", "banana"])
    assert result.exit_code == 2 and "banana" in result.output
    result = runner.invoke(app, ["eis", "fit", "x.csv", "--weighting", "loud"])
    assert result.exit_code == 2 and "modulus" in result.output


def test_xrd_peaks_without_a_reference_or_a_peak(data):
    """A real peak with no built-in reference (25.3 deg) and a window without a peak (80 deg) are results,
    not tracebacks."""
    file = data / "xrd_eis" / "njszym+XRD-AutoAnalyzer" / "Example" / "Spectra" / "Li2MnO3+MnO+TiO2.xy"
    for near in ("25.3", "80"):
        result = runner.invoke(app, ["xrd", "peaks", str(file), "--near", near, "--json"])
        assert result.exit_code == 0, result.output
        body = json.loads(result.stdout)
        assert len(body["references"]) == 1 and body["references"][0]["phase"] is None


def test_simulate_study_writes_a_study_with_its_truth(tmp_path):
    result = runner.invoke(app, ["simulate", "study", str(tmp_path / "v"), "--cycles", "3"])
    assert result.exit_code == 0, result.output
    truth = json.loads((tmp_path / "v" / "truth.json").read_text())
    # two cells at 30 and 50 C, and the better-mixed composite the model predicts from its SEM
    assert len(truth["cells"]) == 3 and all(len(c["capacity_mAh_g"]) == 3 for c in truth["cells"].values())
    assert 'chemistry = "li-rich"' in (tmp_path / "v" / "study.toml").read_text()


def test_a_command_shows_warnings_its_way_only_while_it_runs():
    """The CLI's one-line warning display is scoped to the command: a notebook or test that calls it
    keeps its own display afterwards."""
    import warnings

    before = warnings.showwarning
    assert runner.invoke(app, ["formats"]).exit_code == 0
    assert warnings.showwarning is before


def test_a_report_of_a_study_whose_every_task_failed_exits_with_an_error(tmp_path):
    """The report is written (it lists the failures), but the command says the run analysed nothing."""
    (tmp_path / "cell.ndax").write_bytes(b"not a cycler file at all\n" * 40)
    (tmp_path / "study.toml").write_text('[study]\nname = "broken"\n[[sample]]\nname = "A"\n'
                                         '[sample.files]\ncycling = "cell.ndax"\n')
    result = runner.invoke(app, ["report", str(tmp_path), "--no-progress", "--no-store"])
    assert result.exit_code == 1 and "every analysis task failed (1)" in result.output
    assert (tmp_path / "report" / "index.html").is_file()


def test_a_study_named_by_a_relative_path_gives_absolute_files(tmp_path, monkeypatch):
    """Files resolved before they leave this process: a Dask worker in another folder opens them too."""
    import redoxmap

    (tmp_path / "study" / "cycling").mkdir(parents=True)
    (tmp_path / "study" / "cycling" / "c0.csv").write_text("time_s,voltage_V,current_A\n0,3,0.001\n")
    (tmp_path / "study" / "study.toml").write_text('[[sample]]\nname = "A"\n[sample.files]\n'
                                                   'cycling = "cycling/c0.csv"\n')
    monkeypatch.chdir(tmp_path)
    study = redoxmap.load_study("study")
    assert study.samples[0].files["cycling"][0].is_absolute() and study.path.is_absolute()


def test_json_rows_keep_every_float_and_write_missing_values_and_times_plainly():
    import pandas as pd

    from redoxmap.cli.common import records

    frame = pd.DataFrame({"d_cm2_s": [1.6123e-13, float("nan")], "when": [pd.Timestamp("2026-12-06 15:00"), pd.NaT],
                          "took": [pd.Timedelta(seconds=90), pd.NaT], "n": [1, 2]})
    rows = json.loads(json.dumps(records(frame), allow_nan=False))
    assert rows == [{"d_cm2_s": 1.6123e-13, "when": "2026-12-06T15:00:00", "took": 90.0, "n": 1},
                    {"d_cm2_s": None, "when": None, "took": None, "n": 2}]


def _two_forked_processes() -> bool:
    from redoxmap.processes import fork_available, usable_cores

    return fork_available() and usable_cores() >= 2


@pytest.mark.skipif(not _two_forked_processes(), reason="two forked processes on two cores: Linux with 2 cores")
def test_report_moves_a_costly_phase_to_its_forked_processes_and_writes_what_the_serial_run_writes(
        tmp_path, monkeypatch):
    """The default `redoxmap report` with the forked processes made nearly free in its cost model (no first
    imports, 0.01 of a task's time here), so that a cycling phase of six copies of an Arbin CSV export moves after
    its two measured tasks: every table of the cycling section is the one `--workers 1` writes, analysing each
    file here (to 1e-9). (Polars, which this test process may have started, is not used by that reader: the
    fork-unsafe list is emptied for it.)"""
    import shutil

    from redoxmap import processes
    from redoxmap.report import rendering
    from redoxmap.resources import demo_source
    from redoxmap.study import adaptive_executor

    monkeypatch.setattr(adaptive_executor, "FORKED_START_SECONDS", 0.0)
    monkeypatch.setattr(adaptive_executor, "FORKED_SLOWDOWN", 0.01)
    monkeypatch.setattr(processes, "FORK_UNSAFE_MODULES", ())
    monkeypatch.setattr(rendering, "default_workers", lambda: 2)
    study = tmp_path / "study"
    study.mkdir()
    samples = []
    for k in range(6):
        shutil.copy(demo_source() / "cycling" / "arbin_example.csv", study / f"c{k}.csv")
        samples.append(f'[[sample]]\nname = "c{k}"\nactive_mass_mg = 5\n[sample.files]\ncycling = "c{k}.csv"\n')
    (study / "study.toml").write_text("".join(samples))
    for out, options in (("moved", []), ("serial", ["--workers", "1"])):
        result = runner.invoke(app, ["report", str(study), "-o", str(tmp_path / out), "--no-progress", "--no-store",
                                     *options])
        assert result.exit_code == 0, result.output
    (moved,) = json.loads((tmp_path / "moved" / "report.json").read_text())["execution"]
    assert moved.startswith("cycling analysis: 2 tasks serially") and "then the other 4" in moved, moved
    assert "in the report's 2 forked processes" in moved and "took" in moved
    tables = sorted(path.name for path in (tmp_path / "serial" / "tables").glob("cycling_*.parquet"))
    assert len(tables) >= 5
    for name in tables:  # to the last digits a fit's linear algebra may change with its BLAS threads
        moved_table, serial_table = (pd.read_parquet(tmp_path / run / "tables" / name) for run in ("moved", "serial"))
        pd.testing.assert_frame_equal(moved_table, serial_table, check_exact=False, rtol=1e-9, obj=name)


def test_report_forks_its_drawing_processes_before_the_analyses(tmp_path, monkeypatch, echem):
    """`redoxmap report` forks the figures' processes first (they would start with the analyses' memory), and they
    are running while the analyses run: the wiring of `drawing_processes` into the command (whether the figures
    are then drawn in them is `tests/report/test_rendering.py`'s)."""
    import shutil
    from contextlib import contextmanager

    import redoxmap.study
    from redoxmap.processes import running_processes
    from redoxmap.report import rendering

    shutil.copy(echem / "NewareNDA" / "TestFile.nda", tmp_path / "cell.nda")
    (tmp_path / "study.toml").write_text('[[sample]]\nname = "A"\n[sample.files]\ncycling = "cell.nda"\n')
    events = []
    forked, analyse = rendering.drawing_processes, redoxmap.study.run_study

    @contextmanager
    def spy(workers=None):
        with forked(2):
            events.append(("forked", running_processes() is not None))
            yield

    def run_study(*args, **kwargs):
        events.append(("analysed", running_processes() is not None))
        return analyse(*args, **kwargs)

    monkeypatch.setattr(rendering, "drawing_processes", spy)
    monkeypatch.setattr(redoxmap.study, "run_study", run_study)
    monkeypatch.setattr(rendering, "default_workers", lambda: 2)
    result = runner.invoke(app, ["report", str(tmp_path), "--no-progress", "--no-store", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert events == [("forked", True), ("analysed", True)]


def test_alike_warnings_are_printed_once_and_others_each():
    """Hand-made truth: four files with the same unit slip at different capacities merge into one line; three alike
    stay three; lines that differ in a name holding a digit (Mn 2p and Mn 3p), in a sign, or before their first
    colon with no number apart stay apart."""
    from redoxmap.cli.common import grouped_warnings

    slips = [f"cycling/c{k}.csv: specific capacity reaches {2000 + k}.5 mAh/g with an active mass of 5 mg"
             for k in range(1, 5)]
    few = [f"cell {k}: capacity falls over the cycles" for k in range(1, 4)]
    apart = [f"s{k}.xps: Mn {k + 1}p: the background ends at a peak" for k in range(1, 5)]
    signs = [f"x{k}: a shift of {sign}0.4 eV" for k, sign in ((1, "+"), (2, "-"), (3, "+"), (4, "+"), (5, "+"))]
    lines = grouped_warnings(slips + few + apart + signs)
    assert [line for line in lines if "specific capacity" in line] == [
        f"{slips[0]} (and 3 more like it: the report lists each)"]
    assert [line for line in lines if "capacity falls" in line] == few
    assert [line for line in lines if "background" in line] == apart
    assert [line for line in lines if "shift" in line] == [
        "x1: a shift of +0.4 eV (and 3 more like it: the report lists each)", signs[1]]
    assert lines == sorted(lines)
