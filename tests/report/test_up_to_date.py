"""A second report of an unchanged study does nothing: its fingerprint covers every file the manifest
names, the parameters and the options, and anything that changed (a file's time, an option, a lost
figure, a failed task) makes the report again."""

from __future__ import annotations

import json
import os
import re

import pytest
from typer.testing import CliRunner

from redoxmap.cli import app
from redoxmap.demo import copy_demo_study
from redoxmap.resources import demo_source
from redoxmap.study import load_study
from redoxmap.study.fingerprint import input_files, study_fingerprint
from tests.conftest import cells_study

runner = CliRunner()


@pytest.fixture
def one_cell(tmp_path):
    """A study of one small real cycler file."""
    (tmp_path / "cycling").mkdir()
    (tmp_path / "cycling" / "arbin.csv").write_bytes((demo_source() / "cycling" / "arbin_example.csv").read_bytes())
    (tmp_path / "study.toml").write_text('[study]\nname = "one cell"\n[[sample]]\nname = "A"\n'
                                         '[sample.files]\ncycling = "cycling/arbin.csv"\n')
    return tmp_path


def _report(folder, *options):
    result = runner.invoke(app, ["report", str(folder), "--no-progress", "--no-store", *options])
    assert result.exit_code == 0, result.output
    return result.output, (folder / "report" / "index.html").stat().st_mtime_ns


def test_the_fingerprint_covers_every_file_the_manifest_names(tmp_path):
    """The demo study names cycler, impedance, diffraction and XAS files, XAS references as lists of
    repeated scans among them: each quoted path of study.toml that is a file is one of the inputs."""
    manifest = copy_demo_study(tmp_path / "study")
    named = {(manifest.parent / text).resolve() for text in re.findall(r'"([^"]+)"', manifest.read_text())
             if (manifest.parent / text).is_file()}
    study = load_study(manifest)
    assert len(named) > 20 and set(input_files(study)) == named


def test_a_second_report_of_an_unchanged_study_does_nothing(one_cell):
    output, written = _report(one_cell)
    assert "Report written" in output
    first = json.loads((one_cell / "report" / "report.json").read_text())["fingerprint"]
    assert first and len(first) == 64

    output, again = _report(one_cell)
    assert "Up to date" in output and again == written  # not a page rewritten

    data = one_cell / "cycling" / "arbin.csv"
    stat = data.stat()
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # the file saved again
    output, redone = _report(one_cell)
    assert "Report written" in output and redone > written
    assert json.loads((one_cell / "report" / "report.json").read_text())["fingerprint"] != first

    assert "Report written" in _report(one_cell, "--force")[0]
    assert "Report written" in _report(one_cell, "--print-figures")[0]  # another option: another report
    assert "Up to date" in _report(one_cell, "--print-figures")[0]


def test_a_lost_figure_or_an_edited_parameter_makes_the_report_again(one_cell):
    _report(one_cell)
    recorded = json.loads((one_cell / "report" / "report.json").read_text())
    figure = next(name for s in recorded["sections"] for f in s["figures"] for name in f.values())
    (one_cell / "report" / figure).unlink()
    assert "Report written" in _report(one_cell)[0]

    before = study_fingerprint(load_study(one_cell))
    manifest = one_cell / "study.toml"
    manifest.write_text(manifest.read_text() + "[cycling]\nvoltage_step_V = 0.005\n")
    assert study_fingerprint(load_study(one_cell)) != before
    assert "Report written" in _report(one_cell)[0]


def test_a_report_json_of_another_shape_is_not_up_to_date(one_cell):
    from redoxmap.report import up_to_date

    _report(one_cell)
    path = one_cell / "report" / "report.json"
    recorded = json.loads(path.read_text())
    study = load_study(one_cell)
    assert up_to_date(study, one_cell / "report") == one_cell / "report" / "index.html"
    for damaged in ({**recorded, "pages": ["index.html"]}, {**recorded, "sections": "x"}, [1, 2]):
        path.write_text(json.dumps(damaged))
        assert up_to_date(study, one_cell / "report") is None
    path.write_text("{not json")
    assert up_to_date(study, one_cell / "report") is None
    assert "Report written" in _report(one_cell)[0]


def test_a_report_with_a_failed_task_is_never_up_to_date(one_cell):
    broken = one_cell / "cycling" / "broken.csv"
    broken.write_text("not a cycler file\n")
    manifest = one_cell / "study.toml"
    manifest.write_text(manifest.read_text()
                        + '[[sample]]\nname = "B"\n[sample.files]\ncycling = "cycling/broken.csv"\n')
    for _ in range(2):
        result = runner.invoke(app, ["report", str(one_cell), "--no-progress", "--no-store"])
        assert result.exit_code == 0 and "Report written" in result.output, result.output
        assert json.loads((one_cell / "report" / "report.json").read_text())["fingerprint"] is None


def test_a_sample_dropped_from_the_study_takes_its_page_and_figures_with_it(tmp_path):
    """Seven real cycler files give each cell a page of its own (its figures drawn by Matplotlib with
    ``--print-figures``); with the seventh dropped from the manifest, its page, figures and their key records are
    removed, and nothing else: a file the user put in the report's folder stays."""
    cells_study(tmp_path, 7)
    _report(tmp_path, "--print-figures")
    report = tmp_path / "report"
    (report / "notes.txt").write_text("mine")
    assert (report / "cycling-7.html").is_file() and (report / "figures" / "cycling_cell7_dqdv.key.json").is_file()

    cells_study(tmp_path, 6)
    _report(tmp_path, "--print-figures")
    assert not (report / "cycling-7.html").exists()
    assert not list((report / "figures").glob("cycling_cell7_*"))
    assert (report / "cycling-6.html").is_file() and (report / "notes.txt").read_text() == "mine"
    recorded = json.loads((report / "report.json").read_text())
    listed = {name for s in recorded["sections"] for f in s["figures"] for name in f.values()}
    assert all((report / name).is_file() for name in listed)
    saved = {f"figures/{p.name}" for pattern in ("*.png", "*.svg") for p in (report / "figures").glob(pattern)}
    assert saved == listed  # no figure left that the report does not list


def test_the_one_file_version_is_removed_once_no_longer_asked_for(one_cell):
    _report(one_cell, "--single-file")
    single = one_cell / "report" / "report-single.html"
    assert single.is_file()
    assert json.loads((one_cell / "report" / "report.json").read_text())["single_file"] == "report-single.html"
    _report(one_cell)  # another option: written again, without it
    assert not single.exists() and (one_cell / "report" / "index.html").is_file()


def test_a_report_json_edited_to_list_files_elsewhere_removes_none_of_them(one_cell, tmp_path_factory):
    """Stale files are only those a report listed inside its own folder: a report.json edited to name a file
    beside the report (``../``) or an absolute path leaves both in place when the report is written again."""
    _report(one_cell)
    path = one_cell / "report" / "report.json"
    outside = tmp_path_factory.mktemp("elsewhere") / "keep.txt"
    outside.write_text("not the report's")
    beside = one_cell / "study.toml"
    recorded = json.loads(path.read_text())
    recorded["pages"] = {**recorded["pages"], "x": "../study.toml", "y": str(outside)}
    path.write_text(json.dumps(recorded))
    manifest_text = beside.read_text()
    assert "Report written" in _report(one_cell, "--force")[0]
    assert outside.read_text() == "not the report's" and beside.read_text() == manifest_text


def test_a_warning_alike_for_many_files_is_printed_once(tmp_path):
    """Five copies of a real Arbin export given a 5 mg mass each warn alike (a specific capacity that implies a
    unit slip): the command prints it once, with how many more files said it; the report lists every one."""
    cells_study(tmp_path, 5)
    result = runner.invoke(app, ["report", str(tmp_path), "--no-progress", "--no-store"])
    assert result.exit_code == 0, result.output
    slips = [line for line in result.output.splitlines() if "specific capacity reaches" in line]
    assert len(slips) == 1 and slips[0].startswith("warning: ") and "c1.csv" in slips[0], result.output
    assert slips[0].endswith("(and 4 more like it: the report lists each)")
    recorded = json.loads((tmp_path / "report" / "report.json").read_text())
    listed = [w["file"] for s in recorded["sections"] for w in s["warnings"] if "specific capacity" in w["warning"]]
    assert len(listed) == 5
