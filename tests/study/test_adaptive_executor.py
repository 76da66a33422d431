"""Serial or a local cluster from the tasks' measured cost: the decision against the arithmetic done by hand,
the stated and measured cluster costs, and a phase that really moves to a cluster of two workers."""

from __future__ import annotations

import json

import pytest

from redoxmap.study.adaptive_executor import (
    STATED_START_SECONDS,
    STATED_WORKER_SLOWDOWN,
    AdaptiveExecutor,
    ClusterCosts,
    cluster_costs,
    costs_file,
    record_cluster_costs,
)
from redoxmap.study.executor import Task, TaskOutcome
from tests.study._dask_tasks import wait_then_square


@pytest.fixture(autouse=True)
def _fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("REDOXMAP_CACHE", str(tmp_path))


def test_the_stated_costs_keep_a_core_for_the_client_and_slow_each_task():
    two, four = cluster_costs(2, cores=2), cluster_costs(4, cores=4)
    assert two.start_seconds == STATED_START_SECONDS == 5.0
    assert two.speedup == pytest.approx(1 / 1.4) and four.speedup == pytest.approx(3 / 1.4)
    assert "estimated" in two.source and "bench_scale" in two.source
    # 20 tasks of 1 s: serially 20 s; on 4 cores 5 + 20 / (3 / 1.4) = 14.33 s
    assert four.seconds(20, 1.0, started=False) == pytest.approx(5 + 20 * STATED_WORKER_SLOWDOWN / 3)
    assert four.seconds(20, 1.0, started=True) == pytest.approx(20 * 1.4 / 3)


def test_measured_costs_are_read_back_for_the_same_cores_and_workers_only():
    record_cluster_costs(ClusterCosts(2, 3.25, 1.6, "measured"), cores=4)
    measured = cluster_costs(2, cores=4)
    assert (measured.start_seconds, measured.speedup) == (3.25, 1.6)
    assert measured.source.startswith("measured on this machine")
    assert "estimated" in cluster_costs(3, cores=4).source and "estimated" in cluster_costs(2, cores=8).source
    costs_file().write_text("{not json")  # a damaged cache decides nothing: the estimate does
    assert "estimated" in cluster_costs(2, cores=4).source


def _measured(*seconds: float) -> list[TaskOutcome]:
    return [TaskOutcome(f"task {i}", value=i, seconds=s) for i, s in enumerate(seconds)]


@pytest.mark.parametrize(("remaining", "pays"), [(3, False), (40, True)])
def test_the_cluster_is_chosen_where_the_arithmetic_says_it_pays(remaining, pays):
    pytest.importorskip("distributed")
    # 0.5 s a task, start 4 s, speed-up 2: 3 left take 1.5 s here, 4 + 0.75 there; 40 take 20 s here,
    # 4 + 10 = 14 s there, under 0.8 x 20 = 16 s
    executor = AdaptiveExecutor(workers=2, progress=False, costs=ClusterCosts(2, 4.0, 2.0, "given"))
    assert executor._pays(_measured(0.4, 0.6), remaining) is pays


def test_cheap_tasks_stay_serial_and_say_why():
    executor = AdaptiveExecutor(workers=2, progress=False, costs=ClusterCosts(2, 5.0, 0.71, "given"))
    outcomes = executor.map(wait_then_square, [Task(f"t{v}", (v, 0.001)) for v in range(6)], description="cheap")
    assert [o.value for o in outcomes] == [v * v for v in range(6)]
    (decision,) = executor.decisions
    assert decision.startswith("cheap: 6 tasks serially")
    assert executor.start_seconds_once() is None and not costs_file().exists()


@pytest.mark.slow
def test_a_costly_phase_moves_to_a_cluster_and_its_measured_costs_are_kept():
    pytest.importorskip("distributed")
    # tasks of 0.4 s that leave the cores idle; a (stated) start of 1 s and speed-up of 2: after two tasks the
    # other 22 take 8.8 s here and 1 + 4.4 s on the cluster, so they move
    executor = AdaptiveExecutor(workers=2, progress=False, costs=ClusterCosts(2, 1.0, 2.0, "given"))
    with executor:
        outcomes = executor.map(wait_then_square, [Task(f"t{v}", (v, 0.4)) for v in range(24)], description="costly")
        assert executor.start_seconds_once() > 0 and executor.start_seconds_once() is None
    assert [o.label for o in outcomes] == [f"t{v}" for v in range(24)]
    assert [o.value for o in outcomes] == [v * v for v in range(24)]
    (decision,) = executor.decisions
    assert decision.startswith("costly: 2 tasks serially") and "22 on 2 local Dask workers" in decision
    kept = next(iter(json.loads(costs_file().read_text()).values()))
    # two sleeping workers run the 22 tasks about twice as fast as one process (less what sending them costs)
    assert 1.2 < kept["speedup"] < 2.2 and kept["start_seconds"] > 0
