"""A figure is drawn again only when what it is drawn from changed: its key is the same in every process for
the same inputs (real cycler files, fits with ``uncertainties`` and lmfit objects, tables in other memory
layouts), another for other inputs, and a report keeps the figures whose key it finds beside their files."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from redoxmap.cli import app
from redoxmap.report.figure_cache import Drawing, KeyMemo
from redoxmap.resources import demo_source

runner = CliRunner()

KEY_OF_A_REAL_CELL = """
import sys
from redoxmap import read_cycling
from redoxmap.report import cycling_figures as figs
from redoxmap.report.figure_cache import Drawing, KeyMemo
from redoxmap.study.analyses.cycling import analyze_cycling

import pickle

table = read_cycling(sys.argv[1], active_mass_mg=float(sys.argv[2]))
analysis = analyze_cycling(table)
returned = pickle.loads(pickle.dumps(analysis))  # as a Dask worker returns it: shared objects and layout differ
key = Drawing(figs.dqdv_figure, analysis).key(print_quality=False)
assert Drawing(figs.dqdv_figure, returned).key(print_quality=False) == key
print(key)
"""


def _key_in_a_new_process(path, mass_mg: float, seed: str) -> str:
    environment = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", KEY_OF_A_REAL_CELL, str(path), str(mass_mg)], check=True,
                          capture_output=True, text=True, env=environment)
    return done.stdout.strip().splitlines()[-1]


def test_a_real_cells_key_is_the_same_in_every_process_and_another_for_another_mass():
    """The Maccor export: its activation fit holds lmfit parameters and ``uncertainties`` numbers, whose
    pickles differ from process to process; the key does not (other hash seeds included), nor after the
    analysis went through pickle as a Dask worker's result does."""
    path = demo_source() / "cycling" / "maccor_three.txt"
    first, second = _key_in_a_new_process(path, 5.0, "1"), _key_in_a_new_process(path, 5.0, "2")
    assert len(first) == 32 and first == second
    assert _key_in_a_new_process(path, 5.5, "1") != first


def _figure(plt, *args, **kwargs):  # the function a Drawing names; never drawn here
    raise AssertionError("not drawn")


def _key(*args, **kwargs) -> str | None:
    return Drawing(_figure, *args, **kwargs).key(print_quality=False)


def test_equal_values_give_one_key_and_other_values_another():
    from uncertainties import ufloat

    frame = pd.DataFrame({"a": np.arange(5.0), "b": np.arange(5), "c": np.ones(5)})
    rebuilt = pd.concat([frame[["a"]], frame[["b"]], frame[["c"]]], axis=1)  # three blocks, not two
    assert rebuilt._mgr.nblocks != frame._mgr.nblocks
    assert _key(frame) == _key(rebuilt)
    matrix = np.arange(6.0).reshape(2, 3)
    assert _key(matrix) == _key(np.asfortranarray(matrix)) != _key(matrix.T)
    assert _key(frame) != _key(frame.assign(c=2.0))
    assert _key(ufloat(1.0, 0.1)) == _key(ufloat(1.0, 0.1))  # two numbers with their own random tags
    assert _key(ufloat(1.0, 0.1)) != _key(ufloat(1.0, 0.2))
    assert _key(frame, title="A") != _key(frame, title="B")
    assert Drawing(_figure, frame).key(print_quality=True) != _key(frame)
    assert _key(lambda x: x) is None  # what does not pickle is drawn every time
    memo = KeyMemo()
    first = Drawing(_figure, [frame, matrix], frame).key(print_quality=False, memo=memo)
    assert first == _key([frame, matrix], frame) and len(memo.objects) == 3  # each object pickled once
    assert Drawing(_figure, [frame, matrix], frame).key(print_quality=False, memo=memo) == first
    assert _key([frame, matrix]) != _key((frame, matrix)) != _key([frame], matrix)


def test_a_functions_code_defaults_and_the_matplotlib_settings_are_in_the_key():
    import matplotlib

    def thin(plt, x, width=1.0):
        return x

    def thick(plt, x, width=2.0):
        return x

    thick.__qualname__ = thin.__qualname__  # the same name, other defaults
    assert Drawing(thin, 1).key(print_quality=False) != Drawing(thick, 1).key(print_quality=False)

    def other(plt, x, width=1.0):
        return x + 1

    other.__qualname__ = thin.__qualname__  # the same name and defaults, other code
    assert Drawing(thin, 1).key(print_quality=False) != Drawing(other, 1).key(print_quality=False)
    outside = Drawing(thin, 1).key(print_quality=False)
    with matplotlib.rc_context({"lines.linewidth": 3.5}):  # a user's matplotlibrc or style
        assert Drawing(thin, 1).key(print_quality=False) != outside
    assert Drawing(thin, 1).key(print_quality=False) == outside


def test_lmfit_parameters_and_a_maps_history_do_not_change_the_key():
    import lmfit
    import xarray as xr

    def parameters(value):
        made = lmfit.Parameters()
        made.add("a", value=value, min=0)
        made.add("b", expr="2*a")
        return made

    assert _key(parameters(1.0)) == _key(parameters(1.0)) != _key(parameters(1.5))
    dataset = xr.Dataset({"x": ("state", [1.0, 2.0])}, attrs={"title": "map", "history": "made at 10:00"})
    later = dataset.assign_attrs(history="made at 11:00")
    assert _key(dataset) == _key(later) != _key(dataset.assign(x=("state", [1.0, 3.0])))


@pytest.fixture
def two_cells(tmp_path):
    """Two real cycler files with masses, so that each has its profiles, dQ/dV, regions and peaks drawn."""
    (tmp_path / "cycling").mkdir()
    for name in ("arbin_example.csv", "maccor_three.txt"):
        (tmp_path / "cycling" / name).write_bytes((demo_source() / "cycling" / name).read_bytes())
    (tmp_path / "study.toml").write_text(
        '[study]\nname = "two cells"\n[model]\nrun = false\n'
        '[[sample]]\nname = "A"\nactive_mass_mg = 5.0\n[sample.files]\ncycling = "cycling/arbin_example.csv"\n'
        '[[sample]]\nname = "B"\nactive_mass_mg = 5.0\n[sample.files]\ncycling = "cycling/maccor_three.txt"\n')
    return tmp_path


def _report(folder, *options) -> dict:
    result = runner.invoke(app, ["report", str(folder), "--no-progress", "--no-store", "--workers", "1", *options])
    assert result.exit_code == 0, result.output
    return json.loads((folder / "report" / "report.json").read_text())


def _saved_times(folder) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (folder / "report" / "figures").glob("*.preview.png")}


def test_a_report_draws_only_the_figures_whose_inputs_changed(two_cells):
    first = _report(two_cells)
    drawn = first["figures"]["drawn"]
    assert drawn >= 9 and first["figures"]["kept"] == 0
    saved = _saved_times(two_cells)
    assert len(saved) == drawn

    data = two_cells / "cycling" / "arbin_example.csv"
    os.utime(data, ns=(data.stat().st_atime_ns, data.stat().st_mtime_ns + 10**9))  # saved again, same content
    again = _report(two_cells)
    assert again["figures"] == {"drawn": 0, "kept": drawn}
    assert _saved_times(two_cells) == saved  # not a figure rewritten

    manifest = two_cells / "study.toml"
    heavier = manifest.read_text().replace('name = "B"\nactive_mass_mg = 5.0', 'name = "B"\nactive_mass_mg = 6.0')
    manifest.write_text(heavier)
    changed = _report(two_cells)
    now = _saved_times(two_cells)
    redrawn = {name for name in now if now[name] != saved[name]}
    assert all(name.startswith("cycling_cell2_") for name in redrawn if "cell" in name)
    assert {"cycling_cell2_profiles.preview.png", "cycling_cell2_dqdv.preview.png"} <= redrawn
    assert "cycling_capacity.preview.png" in redrawn  # the comparison of both cells, whose one input changed
    assert not any(name.startswith("cycling_cell1_") for name in redrawn)
    assert changed["figures"]["drawn"] == len(redrawn) and changed["figures"]["kept"] == drawn - len(redrawn)


def test_force_draws_every_figure_and_a_lost_file_is_drawn_again(two_cells):
    drawn = _report(two_cells)["figures"]["drawn"]
    assert _report(two_cells, "--force")["figures"] == {"drawn": drawn, "kept": 0}

    (two_cells / "report" / "figures" / "cycling_cell1_dqdv.preview.png").unlink()
    (two_cells / "report" / "figures" / "cycling_cell2_profiles.key.json").write_text("{not json")
    data = two_cells / "cycling" / "maccor_three.txt"
    os.utime(data, ns=(data.stat().st_atime_ns, data.stat().st_mtime_ns + 10**9))
    again = _report(two_cells)
    assert again["figures"] == {"drawn": 2, "kept": drawn - 2}
    assert (two_cells / "report" / "figures" / "cycling_cell1_dqdv.preview.png").is_file()


@pytest.mark.slow
def test_the_virtual_study_reported_again_in_another_process_draws_no_figure(demo_run, tmp_path):
    """Every modality of the demo's virtual study (XAS with O K fits, XPS, DEMS, SEM, EIS, XRD, cycling, the
    model), reported in a new process with another hash seed after its files were saved again: every figure
    is kept. (Its copy in another folder first redraws the figures of tables that name their source file.)"""
    import shutil

    copy = tmp_path / "virtual"
    shutil.copytree(demo_run[0] / "virtual", copy)

    def report(seed: str) -> dict:
        subprocess.run([sys.executable, "-c", "from redoxmap.cli import main; main()", "report", str(copy),
                        "--no-progress", "--workers", "1"], check=True, capture_output=True,
                       env={**os.environ, "PYTHONHASHSEED": seed})
        return json.loads((copy / "report" / "report.json").read_text())["figures"]

    first = report("3")
    for path in (copy / "cycling").iterdir():
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert report("7") == {"drawn": 0, "kept": first["drawn"] + first["kept"]}
