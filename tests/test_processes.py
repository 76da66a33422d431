"""Forked worker processes: results in order, every item once, and few calls wasted by a consumer that stops."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from redoxmap.processes import fork_available, forked_pool, ordered_map

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked pools are Linux only")


def _pid_and_square(value: int) -> tuple[int, int]:
    return os.getpid(), value * value


def test_one_worker_runs_in_this_process():
    assert forked_pool(1) is None
    assert list(ordered_map(None, abs, [-2, 3], ahead=4)) == [2, 3]


@pytest.mark.parametrize("ahead", [0, 1, 3, 50])
def test_every_item_once_in_order_from_other_processes(ahead):
    """The truth is the builtin map's; a first version dropped the item after the first ``ahead + 1`` (a zip
    that had already taken it from the iterator)."""
    pool = forked_pool(2)
    try:
        results = list(ordered_map(pool, _pid_and_square, range(12), ahead=ahead))
    finally:
        pool.shutdown()
    assert [square for _, square in results] == [k * k for k in range(12)]
    assert os.getpid() not in {pid for pid, _ in results}


def test_a_consumer_that_stops_leaves_the_rest_unsubmitted():
    """Items are taken from the iterable only as results are awaited: after three results with two ahead, at
    most six items were taken (Executor.map would have taken all 100)."""
    taken = []

    def items():
        for k in range(100):
            taken.append(k)
            yield k
    pool = forked_pool(2)
    try:
        results = ordered_map(pool, _pid_and_square, items(), ahead=2)
        first = [next(results)[1] for _ in range(3)]
        results.close()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    assert first == [0, 1, 4]
    assert len(taken) <= 6


def _blas_threads() -> list[int]:
    from threadpoolctl import threadpool_info

    return [library["num_threads"] for library in threadpool_info() if library["user_api"] == "blas"]


@pytest.mark.skipif(not fork_available(), reason="forked processes on Linux only")
def test_a_forked_pool_starts_its_processes_with_one_blas_thread_and_leaves_this_ones_blas_alone():
    """Truth from threadpoolctl itself: the processes report one BLAS thread; this process what it had before."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(2, user_api="blas"):  # as on a machine of two cores or more
        here = _blas_threads()
        pool = forked_pool(2)
        try:
            assert pool is not None and len(pool._processes) == 2  # started at once
            assert [pool.submit(_blas_threads).result(timeout=60) for _ in range(4)] == [[1] * len(here)] * 4
        finally:
            pool.shutdown()
        assert _blas_threads() == here


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
                    reason="needs CPU affinity (Linux) and two cores or more to use")
def test_a_report_draws_in_as_many_processes_as_the_cores_it_may_use_not_the_machines():
    """A batch job given one core of a larger machine (``taskset -c N``, as a scheduler pins it) forks one drawing
    process, not one per core of the machine: the affinity is read in a child pinned to one of the cores this
    process may use (core 0 need not be one of them)."""
    script = ("import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); "
              "from redoxmap.processes import usable_cores; from redoxmap.report.rendering import default_workers; "
              "print(usable_cores(), default_workers())")
    cores, drawing = map(int, subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                                      check=True).stdout.split())
    assert (cores, drawing) == (1, 1)
