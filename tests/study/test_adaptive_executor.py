"""Serial or a local cluster from the tasks' measured cost: the prediction and the decision against the arithmetic
done by hand, the stated and measured cluster costs, and phases that really move to a cluster of two workers."""

from __future__ import annotations

import json
import os
import re
from datetime import date, timedelta

import pytest

from redoxmap.errors import AnalysisError, RedoxmapError
from redoxmap.processes import fork_available, retire_processes, running_processes, shared_processes, usable_cores
from redoxmap.study.adaptive_executor import (
    STATED_START_SECONDS,
    AdaptiveExecutor,
    ClusterCosts,
    cluster_costs,
    costs_file,
    forked_costs,
    record_cluster_costs,
)
from redoxmap.study.executor import Task, TaskOutcome
from tests.study._dask_tasks import a_function, die_unless_in, wait_then_pid, wait_then_square

TWO_FORKED = fork_available() and usable_cores() >= 2


@pytest.fixture(autouse=True)
def _fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("REDOXMAP_CACHE", str(tmp_path))


@pytest.fixture
def _no_fork_hazard(monkeypatch):
    """These tasks sleep and compute nothing: polars, which this test process may have started, is not theirs."""
    from redoxmap import processes

    monkeypatch.setattr(processes, "FORK_UNSAFE_MODULES", ())


def test_the_prediction_runs_rounds_of_parallel_tasks_or_the_clients_cost_whichever_is_longer():
    costs = ClusterCosts(8, 7, 5.0, 1.4, 0.005, "given")
    # 18 tasks of 1 s: 3 rounds of 7 at 1.4 s after a 5 s start; running already, no start
    assert costs.seconds(18, 1.0, started=False) == pytest.approx(5 + 3 * 1.4)
    assert costs.seconds(18, 1.0, started=True) == pytest.approx(3 * 1.4)
    # one task left of 10 s cannot take less than itself in a worker: 5 + 14 s
    assert costs.seconds(1, 10.0, started=False) == pytest.approx(19.0)
    # 1,000 tasks of 1 ms: the client's 5 ms each (5 s) outlast the workers' 143 rounds of 1.4 ms (0.2 s)
    assert costs.seconds(1000, 0.001, started=True) == pytest.approx(5.0)


def test_the_stated_costs_keep_a_core_for_the_client_and_scheduler():
    two, eight = cluster_costs(2, cores=2), cluster_costs(8, cores=8)
    assert (two.parallel, eight.parallel) == (1, 7)
    assert two.start_seconds == STATED_START_SECONDS == 5.0 and two.slowdown == 1.4 and two.overhead_seconds == 0.005
    assert two.source.startswith("stated") and "bench_scale" in two.source
    # two cores: one task at a time, 1.4x slower, never sooner than here
    assert two.seconds(1000, 0.3, started=True) > 1000 * 0.3


def test_measured_costs_are_read_back_for_this_host_cores_and_workers_until_they_expire():
    record_cluster_costs(ClusterCosts(2, 3, 3.25, 1.1, 0.002, "measured"), cores=4)
    measured = cluster_costs(2, cores=4)
    assert (measured.start_seconds, measured.slowdown, measured.overhead_seconds) == (3.25, 1.1, 0.002)
    assert measured.parallel == 2 and measured.source.startswith("measured on this machine")
    assert cluster_costs(3, cores=4).source.startswith("stated") and cluster_costs(2, cores=8).source.startswith(
        "stated")
    assert cluster_costs(2, cores=4, today=date.today() + timedelta(days=91)).source.startswith("stated")
    costs_file().write_text("{not json")  # a damaged cache decides nothing: the stated costs do
    assert cluster_costs(2, cores=4).source.startswith("stated")


def _measured(*seconds: float) -> list[TaskOutcome]:
    return [TaskOutcome(f"task {i}", value=i, seconds=s) for i, s in enumerate(seconds)]


@pytest.mark.parametrize(("remaining", "started", "pays"), [(3, False, False), (40, False, True), (1, True, False),
                                                            (3, True, True)])
def test_the_cluster_is_chosen_where_the_arithmetic_says_it_pays(remaining, started, pays):
    """By hand, with 0.5 s a task (the second's: the first holds imports), 2 at a time, a 3.9 s start, the client's
    1 ms a task, and a move where the cluster takes less than 0.8 of the time here:
    * 3 left, slow-down 1.2: 3.9 + 2 rounds x 0.6 = 5.1 s against 0.8 x 1.5 = 1.2 s: stays;
    * 40 left: 3.9 + 20 x 0.6 = 15.9 s against 0.8 x 20 = 16 s: moves;
    * running already, 1 left: 0.6 s against 0.4 s: stays (one task is not sooner done in a slower worker);
    * running already, 3 left, slow-down 1.1: 2 x 0.55 = 1.1 s against 1.2 s: moves."""
    pytest.importorskip("distributed")
    slowdown = 1.1 if (remaining, started) == (3, True) else 1.2
    start = 3.9
    executor = AdaptiveExecutor(workers=2, progress=False, costs=ClusterCosts(2, 2, start, slowdown, 0.001, "given"))
    executor._cluster = object() if started else None  # as if a phase had started it
    decided = executor._prediction(_measured(3.0, 0.5), remaining)
    assert (decided is not None) is pays
    if pays:
        serial, cluster = decided
        assert serial == pytest.approx(remaining * 0.5)
        rounds = -(-remaining // 2)
        assert cluster == pytest.approx((0 if started else start) + rounds * 0.5 * slowdown)
    executor._cluster = None


def test_cheap_tasks_stay_serial_whatever_the_cluster_is_and_say_why():
    # a fast cluster (start 1 s, 4 at a time, no slow-down) cannot repay its start with 1 ms tasks
    executor = AdaptiveExecutor(workers=4, progress=False, costs=ClusterCosts(4, 4, 1.0, 1.0, 0.0, "given"))
    outcomes = executor.map(wait_then_square, [Task(f"t{v}", (v, 0.001)) for v in range(6)], description="cheap")
    assert [o.value for o in outcomes] == [v * v for v in range(6)]
    (decision,) = executor.decisions
    assert decision.startswith("cheap: 6 tasks serially in") and "start 1.0 s, 4 at a time" in decision
    assert executor.start_seconds_once() is None and executor.client is None and not costs_file().exists()


def test_workers_below_one_are_refused():
    with pytest.raises(AnalysisError, match="at least 1"):
        AdaptiveExecutor(workers=0)


def test_a_cluster_that_does_not_start_leaves_the_rest_serial_and_says_why(monkeypatch):
    pytest.importorskip("distributed")
    from redoxmap.study import adaptive_executor

    def refuse(self):
        raise RedoxmapError("cannot reach the Dask scheduler of the local cluster: no port")

    monkeypatch.setattr(adaptive_executor.DaskExecutor, "start", refuse)
    executor = AdaptiveExecutor(workers=2, progress=False, costs=ClusterCosts(2, 2, 0.0, 1.0, 0.0, "given"))
    outcomes = executor.map(wait_then_square, [Task(f"t{v}", (v, 0.02)) for v in range(8)], description="phase")
    assert [o.value for o in outcomes] == [v * v for v in range(8)]
    assert executor.decisions[-1].startswith("phase: 8 tasks serially; after 2 the local cluster did not start")
    again = executor.map(wait_then_square, [Task(f"u{v}", (v, 0.02)) for v in range(4)], description="next")
    assert [o.value for o in again] == [v * v for v in range(4)] and "did not start" in executor.decisions[-1]


@pytest.mark.slow
def test_a_costly_phase_moves_to_a_cluster_and_its_measured_costs_are_kept():
    pytest.importorskip("distributed")
    # tasks of 0.4 s that leave the cores idle; a (given) start of 1 s, 2 at a time, no slow-down: after two tasks
    # the other 22 take 8.8 s here and 1 + 11 x 0.4 = 5.4 s on the cluster, so they move
    executor = AdaptiveExecutor(workers=2, progress=False, costs=ClusterCosts(2, 2, 1.0, 1.0, 0.001, "given"))
    with executor:
        outcomes = executor.map(wait_then_square, [Task(f"t{v}", (v, 0.4)) for v in range(24)], description="costly")
        assert executor.start_seconds_once() > 0 and executor.start_seconds_once() is None
        assert executor.client is not None
    assert [o.label for o in outcomes] == [f"t{v}" for v in range(24)]
    assert [o.value for o in outcomes] == [v * v for v in range(24)]
    (decision,) = executor.decisions
    assert decision.startswith("costly: 2 tasks serially") and "then the other 22, predicted at 5.4 s" in decision
    kept = next(iter(json.loads(costs_file().read_text()).values()))
    # a sleeping task takes as long in a worker; what the client adds per task is small
    assert kept["slowdown"] == pytest.approx(1.0, abs=0.15) and 0 <= kept["overhead_seconds"] < 0.1
    assert kept["start_seconds"] > 0


def test_run_study_records_each_runs_own_decisions_and_counts_a_cluster_start_once(tmp_path, echem):
    """A study of two copies of a cycler file, analysed twice with one executor (that never moves: its cluster
    would cost 100 s to start): each result holds its own run's decision only."""
    import shutil

    from redoxmap.study import load_study, run_study

    (tmp_path / "cycling").mkdir()
    for k in (1, 2):
        shutil.copy(echem / "navani" / "test.ndax", tmp_path / "cycling" / f"c{k}.ndax")
    samples = "".join(f'[[sample]]\nname = "c{k}"\n[sample.files]\ncycling = "cycling/c{k}.ndax"\n' for k in (1, 2))
    (tmp_path / "study.toml").write_text('[study]\nname = "two"\n' + samples)
    executor = AdaptiveExecutor(workers=2, progress=False, costs=ClusterCosts(2, 2, 100.0, 1.0, 0.0, "given"))
    first = run_study(load_study(tmp_path), executor=executor, store=False)
    second = run_study(load_study(tmp_path), executor=executor, store=False)
    assert len(first.execution) == len(second.execution) == 1
    assert first.execution[0].startswith("cycling analysis: 2 tasks serially")
    assert "Dask cluster started" not in first.timings_s


def test_the_forked_processes_cost_their_first_imports_then_rounds_of_slower_tasks():
    """By hand: 2 processes on 2 cores, tasks 1.2x slower there, 0.25 s for their first tasks' imports."""
    costs = forked_costs(2, cores=2)
    assert costs.seconds(7, 0.5, started=False) == pytest.approx(0.25 + 4 * 0.6)
    assert costs.seconds(7, 0.5, started=True) == pytest.approx(4 * 0.6)
    assert forked_costs(4, cores=2).parallel == 2  # no more at once than the cores


@pytest.mark.skipif(not TWO_FORKED, reason="two forked processes on two cores: Linux with 2 usable cores")
@pytest.mark.parametrize(("tasks", "moves"), [(4, False), (10, True)])
@pytest.mark.usefixtures("_no_fork_hazard")
def test_a_phase_moves_to_the_reports_forked_processes_where_the_arithmetic_says_it_pays(tasks, moves):
    """0.3 s tasks (p: the second's measured time), Dask out of reach (its start given as 100 s), 2 processes on
    2 cores, 1.2x slower there, 0.25 s for their first imports, a move below 0.8 of the time here: after two
    tasks here, 2 left take 0.25 + 1.2p there against 0.8 x 2p (stays while p < 0.625 s); 8 left take
    0.25 + 4 x 1.2p against 0.8 x 8p (moves once p > 0.16 s). Results come back in order, the moved ones from
    the other processes."""
    executor = AdaptiveExecutor(workers=2, progress=False, costs=ClusterCosts(2, 2, 100.0, 1.0, 0.0, "given"))
    with shared_processes(2) as pool:
        outcomes = executor.map(wait_then_pid, [Task(f"t{k}", (0.3,)) for k in range(tasks)], description="phase")
        workers = set(pool._processes)
    assert [o.label for o in outcomes] == [f"t{k}" for k in range(tasks)] and all(o.ok for o in outcomes)
    assert {o.value for o in outcomes[:2]} == {os.getpid()}
    elsewhere = {o.value for o in outcomes[2:]}
    assert (elsewhere <= workers) if moves else (elsewhere == {os.getpid()})
    (decision,) = executor.decisions
    per_task = outcomes[1].seconds
    if moves:
        found = re.search(r"then the other 8, predicted at ([\d.]+) s in the report's 2 forked processes against "
                          r"([\d.]+) s here", decision)
        assert decision.startswith("phase: 2 tasks serially") and found, decision
        assert float(found[1]) == pytest.approx(0.25 + 4 * 1.2 * per_task, abs=0.051)
        assert float(found[2]) == pytest.approx(8 * per_task, abs=0.051)
    else:  # the 2 left after the first two: 0.25 + 1.2p there against 2p here
        found = re.search(r"the 2 after the first 2 would take ([\d.]+) s in the report's 2 forked processes "
                          r"against ([\d.]+) s here, and move only below 0.8 of that", decision)
        assert decision.startswith("phase: 4 tasks serially") and found, decision
        per_task = sum(o.seconds for o in outcomes[1:]) / 3  # the note's: all but the first
        assert float(found[1]) == pytest.approx(0.25 + 1.2 * per_task, abs=0.051)
        assert float(found[2]) == pytest.approx(2 * per_task, abs=0.051)
    assert executor.client is None


def _counted(record: str, label: str, seconds: float, unpicklable: bool):
    """Writes down that it ran, sleeps, and returns its label, or a local function that does not pickle."""
    with open(record, "a") as runs:
        runs.write(label + "\n")
    wait_then_square(0, seconds)
    return a_function(label) if unpicklable else label


@pytest.mark.skipif(not TWO_FORKED, reason="two forked processes on two cores: Linux with 2 usable cores")
@pytest.mark.usefixtures("_no_fork_hazard")
def test_from_a_result_that_does_not_pickle_the_rest_finishes_here_and_nothing_done_before_runs_twice(tmp_path):
    """Two tasks measured here (0.4 s), eight moved (0.05 s); the sixth of them (t7) returns what does not pickle:
    it and those after it run here, the three before it are kept from the processes (run once), and a task that
    was already running there when the phase stopped may run twice."""
    record = tmp_path / "runs.txt"
    executor = AdaptiveExecutor(workers=1, progress=False)
    tasks = [Task(f"t{k}", (str(record), f"t{k}", 0.4 if k < 2 else 0.05, k == 7)) for k in range(10)]
    with shared_processes(2):
        outcomes = executor.map(_counted, tasks, description="phase")
    assert [o.label for o in outcomes] == [t.label for t in tasks] and all(o.ok for o in outcomes)
    assert [o.value() if callable(o.value) else o.value for o in outcomes] == [t.label for t in tasks]
    runs = record.read_text().split()
    assert all(runs.count(f"t{k}") == 1 for k in range(7)), runs
    assert all(1 <= runs.count(f"t{k}") <= 2 for k in range(7, 10)), runs
    assert re.search(r"phase: 2 tasks serially, 5 in the report's 2 forked processes, then the other 3 serially: "
                     r"\w*(Pickling|Attribute|Type)Error", executor.decisions[-1]), executor.decisions[-1]


@pytest.mark.skipif(not TWO_FORKED, reason="two forked processes on two cores: Linux with 2 usable cores")
@pytest.mark.usefixtures("_no_fork_hazard")
def test_a_process_that_dies_leaves_the_rest_here_and_the_figures_fork_processes_of_their_own(tmp_path):
    """Each task kills any process but this one: the moved ones kill the forked processes and are run here
    instead; the pool is no longer shared, so the figures that follow are drawn by new processes."""
    from redoxmap.report.figure_cache import Drawing
    from redoxmap.report.rendering import figure_pool, submit
    from redoxmap.report.style import figure_style
    from tests.report.test_rendering import where_drawn

    executor = AdaptiveExecutor(workers=1, progress=False)
    parent = os.getpid()
    record = tmp_path / "drawn.json"
    with shared_processes(2) as pool:
        dead = set(pool._processes)
        outcomes = executor.map(_slow_then_die_unless_in, [Task(f"t{k}", (parent, k < 2)) for k in range(10)],
                                description="phase")
        assert running_processes() is None
        with figure_pool(2), figure_style() as plt:
            submit(Drawing(where_drawn, record), tmp_path, "fig", plt=plt).result(timeout=120)
    assert [o.value for o in outcomes] == [parent] * 10
    assert "serially: a process died" in executor.decisions[-1]
    assert json.loads(record.read_text())["pid"] not in dead | {parent}


def _slow_then_die_unless_in(parent: int, slow: bool) -> int:
    if slow:
        wait_then_square(0, 0.4)
    return die_unless_in(parent)


@pytest.mark.skipif(not TWO_FORKED, reason="two forked processes on two cores: Linux with 2 usable cores")
@pytest.mark.usefixtures("_no_fork_hazard")
def test_the_first_imports_are_counted_until_a_phase_of_the_same_task_function_ran_in_the_processes():
    """By hand: 8 tasks of 0.5 s (the second measured), 2 at a time, 1.2x slower: 4 x 0.6 = 2.4 s there, and
    0.25 s more for a task function no phase ran there yet, against 8 x 0.5 = 4 s here."""
    executor = AdaptiveExecutor(workers=1, progress=False)
    with shared_processes(2):
        executor.map(wait_then_pid, [Task(f"t{k}", (0.3,)) for k in range(10)], description="first phase")
        assert "forked processes" in executor.decisions[-1] and "took" in executor.decisions[-1]
        same = executor._forked_prediction(wait_then_pid, _measured(3.0, 0.5), 8)
        other = executor._forked_prediction(wait_then_square, _measured(3.0, 0.5), 8)
    assert same == pytest.approx((4.0, 2.4)) and other == pytest.approx((4.0, 2.65))


def _sees_shared(queue) -> None:
    queue.put(running_processes() is None)


@pytest.mark.skipif(not TWO_FORKED, reason="two forked processes on two cores: Linux with 2 usable cores")
def test_a_retired_pool_is_unshared_in_every_context_and_a_process_forked_here_never_sees_it():
    import contextvars
    import multiprocessing

    with shared_processes(2):
        context = contextvars.copy_context()  # e.g. where asyncio.to_thread runs a study
        fork = multiprocessing.get_context("fork")
        queue = fork.Queue()
        child = fork.Process(target=_sees_shared, args=(queue,))
        child.start()
        assert queue.get(timeout=60) is True  # its copy of the pool is not the pool
        child.join(timeout=60)
        assert running_processes() is not None
        context.run(retire_processes)
        assert running_processes() is None


@pytest.mark.skipif(not TWO_FORKED, reason="two forked processes on two cores: Linux with 2 usable cores")
def test_processes_forked_after_polars_was_imported_take_no_task_and_the_decision_says_why():
    """Costly tasks that would move (as in the test above) stay here where polars was imported before the fork:
    a forked process cannot use its thread pool once the parent started it."""
    pytest.importorskip("polars")
    executor = AdaptiveExecutor(workers=1, progress=False)
    with shared_processes(2):
        outcomes = executor.map(wait_then_pid, [Task(f"t{k}", (0.3,)) for k in range(10)], description="phase")
    assert {o.value for o in outcomes} == {os.getpid()}
    (decision,) = executor.decisions
    assert "none go to the report's processes: they were forked after polars was imported here" in decision
