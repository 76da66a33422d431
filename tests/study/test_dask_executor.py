"""The Dask executor on a 2-process local cluster: same results as the serial executor, and a crashing, a
hanging and a failing task each become a failed outcome without taking innocent tasks down."""

from __future__ import annotations

import json
import warnings

import pytest

from redoxmap.study import SerialExecutor, load_study, run_study
from redoxmap.study.executor import Task

pytest.importorskip("distributed")

from redoxmap.study.adaptive_executor import AdaptiveExecutor, choose_executor
from redoxmap.study.dask_executor import DaskExecutor
from tests.study._dask_tasks import square_or_die


@pytest.fixture(scope="module")
def cluster():
    with DaskExecutor(workers=2, timeout_s=8, progress=False) as executor:
        yield executor


def test_a_crash_a_hang_and_an_error_are_outcomes_and_innocent_tasks_finish(cluster):
    values = [1, 2, -1, 3, 4, -2, 5, -3, 6, 7, 8, 9]
    outcomes = cluster.map(square_or_die, [Task(f"task {v}", (v,)) for v in values])
    assert [o.label for o in outcomes] == [f"task {v}" for v in values]  # the tasks' order
    for value, outcome in zip(values, outcomes):
        if value >= 0:
            assert outcome.ok and outcome.value == value * value
    crashed, hung, failed = (outcomes[values.index(v)] for v in (-1, -2, -3))
    assert crashed.error_type == "KilledWorker" and "died" in crashed.error
    assert hung.error_type == "Timeout" and "8 s" in hung.error
    assert failed.error_type == "ValueError" and "a bad file" in failed.error
    again = cluster.map(square_or_die, [Task("after", (11,))])  # the cluster still works
    assert again[0].value == 121


def test_the_demo_study_gives_the_same_results_on_dask(demo_run):
    """On a cluster of its own: the 8 s task limit of the other tests' cluster (for the hanging task) is
    shorter than the model's task (its reference protocol refits the model 20 times)."""
    study = load_study(demo_run[0] / "study")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Port .* is already in use", UserWarning)  # distributed's dashboard
        serial = run_study(study, executor=SerialExecutor(progress=False))
        with DaskExecutor(workers=2, progress=False) as cluster:
            parallel = run_study(study, executor=cluster)
    assert set(serial.sections) == set(parallel.sections)
    for modality, outcomes in serial.sections.items():
        other = parallel.sections[modality]
        assert [o.label for o in outcomes] == [o.label for o in other]
        assert [o.ok for o in outcomes] == [o.ok for o in other]
    for ours, theirs in zip(serial.sections["cycling"], parallel.sections["cycling"]):
        if ours.ok:
            assert ours.value.per_cycle.equals(theirs.value.per_cycle)


def test_the_executor_is_chosen_by_request_else_by_measured_cost():
    assert isinstance(choose_executor(), AdaptiveExecutor)
    assert isinstance(choose_executor(workers=1), SerialExecutor)
    assert isinstance(choose_executor(workers=2), DaskExecutor)
    assert isinstance(choose_executor(scheduler="tcp://127.0.0.1:1"), DaskExecutor)
    with pytest.raises(ValueError, match="not both"):
        DaskExecutor(workers=2, scheduler="tcp://127.0.0.1:1")


def test_a_reused_cluster_reports_its_start_once():
    started_before = DaskExecutor(workers=2)
    started_before.start_seconds = 4.2  # as start() records it, before the first run asks
    assert started_before.start_seconds_once() == 4.2 and started_before.start_seconds_once() is None
    started_lazily = DaskExecutor(workers=2)
    assert started_lazily.start_seconds_once() is None  # the first run: its first phase holds the start
    started_lazily.start_seconds = 3.0
    assert started_lazily.start_seconds_once() is None  # a second run did not pay for it


def test_report_runs_on_workers_from_the_command_line_and_the_manifest(tmp_path, echem):
    import shutil

    from typer.testing import CliRunner

    from redoxmap.cli import app

    folder = tmp_path / "study"
    (folder / "cycling").mkdir(parents=True)
    source = next((echem / "NewareNDA").rglob("test_2.ndax"))
    for k in range(3):
        shutil.copy(source, folder / "cycling" / f"cell_{k}.ndax")
    samples = "".join(f'\n[[sample]]\nname = "cell {k}"\n[sample.files]\ncycling = "cycling/cell_{k}.ndax"\n'
                      for k in range(3))
    (folder / "study.toml").write_text('[study]\nname = "three cells"\nworkers = 2\ntask_timeout_s = 300\n' + samples)
    assert load_study(folder).execution == {"workers": 2, "task_timeout_s": 300}
    result = CliRunner().invoke(app, ["report", str(folder), "--no-progress", "--json"])
    assert result.exit_code == 0, result.output
    assert '"cycling"' in result.stdout and "failed" not in result.output
    recorded = json.loads(result.stdout)
    assert next(iter(recorded["timings_s"])) == "Dask cluster started"  # measured, and shown first
    assert recorded["task_seconds"]["cycling"] > 0  # three tasks' time on the workers


@pytest.mark.slow
def test_report_on_a_running_scheduler_with_workers_in_another_folder(tmp_path, echem, monkeypatch):
    """`dask scheduler` and `dask worker` started as processes of their own, the worker in another folder:
    a study named by a relative path still reports, because its files are resolved before they leave."""
    import json
    import shutil
    import subprocess
    import sys
    import time

    from typer.testing import CliRunner

    from redoxmap.cli import app

    folder = tmp_path / "here" / "study"
    (folder / "cycling").mkdir(parents=True)
    source = next((echem / "NewareNDA").rglob("test_2.ndax"))
    for k in range(2):
        shutil.copy(source, folder / "cycling" / f"c{k}.ndax")
    (folder / "study.toml").write_text("".join(f'[[sample]]\nname = "c{k}"\n[sample.files]\ncycling = '
                                               f'"cycling/c{k}.ndax"\n' for k in range(2)))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    address_file = tmp_path / "scheduler.json"
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    scheduler = subprocess.Popen([*dask, "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                  "--scheduler-file", str(address_file)], cwd=elsewhere,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = None
    try:
        for _ in range(120):
            if address_file.is_file() and address_file.stat().st_size:
                break
            time.sleep(0.5)
        address = json.loads(address_file.read_text())["address"]
        worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers", "1",
                                   "--nthreads", "1", "--no-dashboard"], cwd=elsewhere,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        monkeypatch.chdir(tmp_path / "here")
        result = CliRunner().invoke(app, ["report", "study", "--scheduler", address, "--no-progress", "--json",
                                          "--no-store"])
        assert result.exit_code == 0, result.output
        assert "failed" not in result.output and (folder / "report" / "index.html").is_file()
    finally:
        for process in (worker, scheduler):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
