"""The Dask executor on a 2-process local cluster: same results as the serial executor, and a crashing, a
hanging and a failing task each become a failed outcome without taking innocent tasks down."""

from __future__ import annotations

import warnings

import pytest

from redoxmap.study import SerialExecutor, load_study, run_study
from redoxmap.study.executor import Task

pytest.importorskip("distributed")

from redoxmap.study.dask_executor import DaskExecutor, choose_executor
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


def test_the_demo_study_gives_the_same_results_on_dask(demo_run, cluster):
    study = load_study(demo_run[0] / "study")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        serial = run_study(study, executor=SerialExecutor(progress=False))
        parallel = run_study(study, executor=cluster)
    assert set(serial.sections) == set(parallel.sections)
    for modality, outcomes in serial.sections.items():
        other = parallel.sections[modality]
        assert [o.label for o in outcomes] == [o.label for o in other]
        assert [o.ok for o in outcomes] == [o.ok for o in other]
    for ours, theirs in zip(serial.sections["cycling"], parallel.sections["cycling"]):
        if ours.ok:
            assert ours.value.summary.equals(theirs.value.summary)


def test_the_executor_is_chosen_by_size_and_by_request():
    assert isinstance(choose_executor(5), SerialExecutor)
    assert isinstance(choose_executor(5, workers=1), SerialExecutor)
    assert isinstance(choose_executor(5, workers=2), DaskExecutor)
    assert isinstance(choose_executor(5, scheduler="tcp://127.0.0.1:1"), DaskExecutor)
    with pytest.raises(ValueError, match="not both"):
        DaskExecutor(workers=2, scheduler="tcp://127.0.0.1:1")


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
