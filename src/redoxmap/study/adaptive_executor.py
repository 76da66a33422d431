"""Serial, the report's forked processes or a local Dask cluster, chosen from what the study's tasks are
measured to cost.

A rule of thumb ("parallel from 40 tasks and 4 cores") decides wrongly both ways: forty 10 ms tasks
never repay a cluster's start, and a few long fits do on a machine with idle cores. :class:`AdaptiveExecutor`
starts every phase serially and times its tasks as they run. After each task it compares what the remaining
ones would take serially with what they would take on a local cluster (:meth:`ClusterCosts.seconds`: its
start unless it runs already, the tasks in rounds of as many as run at once, each slower in a worker, and
the client's own cost per task) and moves them there as soon as that is measurably shorter.

The cluster's costs are measured on the machine where they are known: whenever a phase moved, the start,
the slow-down of a task in a worker and the client's cost per task are written to ``cluster_costs.json`` in
redoxmap's cache folder (:func:`costs_file`), per host, cores and workers, and read back by later runs for
:data:`MEASUREMENT_DAYS` days. Until then they are stated, each with its source (:func:`cluster_costs`).

Where a report has forked its processes already (:func:`redoxmap.processes.shared_processes`: they draw its
figures after the analyses, and sit idle until then), the remaining tasks may go to them instead: they cost no
start beyond the imports a task makes on first use, and nothing is sent through a scheduler
(:func:`forked_costs`). On two cores, where a Dask cluster never pays, they are what uses the second core
during the analyses.
"""

from __future__ import annotations

import functools
import json
import math
import os
import platform
import time
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from statistics import median
from typing import Any, NamedTuple

from redoxmap.errors import AnalysisError, RedoxmapError
from redoxmap.processes import fork_hazard, ordered_map, retire_processes, running_processes, usable_cores
from redoxmap.study.dask_executor import DEFAULT_TIMEOUT_S, DaskExecutor
from redoxmap.study.executor import SerialExecutor, Task, TaskOutcome, progress_bar, run_task

STATED_START_SECONDS = 5.0
"""A local cluster's start, its workers' imports included, when none was measured here: a study of one file
took 5.8 s on 2 Dask workers against 0.9 s serially (``benchmarks/bench_scale.py``, 2 cores)."""
STATED_WORKER_SLOWDOWN = 1.4
"""How much longer a task takes in a worker process than in the main one when none was measured here: 0.41–0.61 s
against 0.27–0.33 s for the same cycling task (``benchmarks/bench_scale.py``, 2 cores)."""
STATED_OVERHEAD_SECONDS = 0.005
"""The client's cost per task when none was measured here: Dask's documentation gives about 0.2 ms a task for its
threaded scheduler and up to 1 ms for the distributed one ("Shared Memory", "Best Practices"), and the client also
sends the task and receives and unpickles its result (a study keeps results slim)."""
SWITCH_MARGIN = 0.8
"""The cluster is used only when it is predicted to take less than this share of the serial time: the estimate of
a task's cost from the first few is rough, and a cluster that gains less is not worth its memory."""
MEASURED_BEFORE_DECIDING = 2
"""Tasks run serially before the first comparison: the first one's time includes a cold process's imports, so the
cost of a task is taken from the others."""
FORKED_SLOWDOWN = 1.2
"""How much longer a task takes in one of the report's forked processes than here, with all of them busy (each
with one BLAS thread): a cycling task of ``NewareNDA/test_2.ndax`` took 0.17–0.19 s in each of 2 forked
processes against 0.14–0.15 s here, an impedance fit 0.071–0.075 s against 0.070–0.072 s (2 cores, 2026-12-07:
the processes share the cores' caches and memory); the larger is stated."""
FORKED_START_SECONDS = 0.25
"""What the forked processes' first tasks cost beyond the others: the imports a task makes on first use (a
reader's decoder, lmfit) that were not made before the fork. Measured as above: the cycling task's first took
0.38–0.39 s in each process against 0.17–0.19 s, the impedance fit's 0.15–0.18 s against 0.07 s."""
FORKED_OVERHEAD_SECONDS = 0.002
"""This process's own cost per task run in the forked processes: unpickling the result (1.6 ms for that cycling
task's analysis; the pickling is the worker's)."""
PROCESSES = "the report's processes"
"""Where :class:`AdaptiveExecutor` moves a phase's tasks, besides ``"Dask"``."""
MEASUREMENT_DAYS = 90
"""Measured costs older than this are not used (a machine changes, and a cost measured under load would otherwise
keep the cluster unused, and so unmeasured, for good)."""


@dataclass(frozen=True)
class ClusterCosts:
    """What a local cluster of ``workers`` processes costs on this machine (or the report's forked processes:
    :func:`forked_costs`, where the start is their first tasks' imports and the client is this process).

    Attributes
    ----------
    workers : int
        Its worker processes (one thread each).
    parallel : int
        How many tasks run at once: the workers, at most the cores less one for the client and scheduler.
    start_seconds : float
        Wall time to start it, its workers' imports included, s.
    slowdown : float
        A task's time in a worker over its time in this process.
    overhead_seconds : float
        The client's own time per task (sending it, receiving and unpickling its result), s; serial.
    source : str
        Where the numbers come from: a measurement here with its date, or the stated estimates' sources.
    """

    workers: int
    parallel: int
    start_seconds: float
    slowdown: float
    overhead_seconds: float
    source: str

    def seconds(self, remaining: int, task_seconds: float, *, started: bool) -> float:
        """Predicted wall time of ``remaining`` tasks of ``task_seconds`` each (serially, here) on the cluster:
        its start unless ``started``, then rounds of :attr:`parallel` tasks, each :attr:`slowdown` times slower,
        or the client's :attr:`overhead_seconds` per task, whichever is longer.

        Examples
        --------
        >>> ClusterCosts(4, 3, 5.0, 1.5, 0.005, "stated").seconds(20, 1.0, started=False)  # 5 + 7 rounds of 1.5 s
        15.5
        """
        rounds = math.ceil(remaining / max(self.parallel, 1))
        return (0.0 if started else self.start_seconds) + max(rounds * task_seconds * self.slowdown,
                                                               remaining * self.overhead_seconds)


def costs_file() -> Path:
    """Where measured cluster costs are kept: ``cluster_costs.json`` in the folder ``$REDOXMAP_CACHE``, else
    ``$XDG_CACHE_HOME/redoxmap``, else ``~/.cache/redoxmap``. Deleting it goes back to the stated costs."""
    folder = os.environ.get("REDOXMAP_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") \
        / "redoxmap"
    return Path(folder) / "cluster_costs.json"


def _machine_key(workers: int, cores: int) -> str:
    return f"{platform.node()}: {cores} cores, {workers} workers"


def cluster_costs(workers: int, *, cores: int | None = None, today: date | None = None) -> ClusterCosts:
    """The costs of a local cluster of ``workers`` processes here: the last measured on this host with as many
    cores and workers within :data:`MEASUREMENT_DAYS` days, else the stated ones.

    The stated ones run ``min(workers, cores - 1)`` tasks at once (one core for the client and the scheduler),
    each :data:`STATED_WORKER_SLOWDOWN` times slower, after a :data:`STATED_START_SECONDS` start. On 2 cores that
    is one task at a time, 1.4 times slower: a cluster never pays there (``benchmarks/bench_scale.py`` measured
    0.93–0.95 times one process's throughput, start excluded, for 100 and 1,000 files). On 8 cores it is 7 at a
    time: twenty 1 s tasks take 5 + 3 × 1.4 = 9.2 s against 20 s.

    Parameters
    ----------
    workers : int
    cores : int, optional
        Defaults to :func:`usable_cores`.
    today : datetime.date, optional
        The date a measurement's age is counted to (default: today, UTC).

    Returns
    -------
    ClusterCosts
    """
    cores = cores or usable_cores()
    parallel = max(min(workers, cores - 1), 1)
    today = today or datetime.now(UTC).date()
    try:
        recorded = json.loads(costs_file().read_text()).get(_machine_key(workers, cores))
        age = (today - date.fromisoformat(recorded["measured"])).days
        return ClusterCosts(workers, parallel, float(recorded["start_seconds"]), float(recorded["slowdown"]),
                            float(recorded["overhead_seconds"]), f"measured on this machine {recorded['measured']}") \
            if age <= MEASUREMENT_DAYS else _stated(workers, parallel, cores)
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return _stated(workers, parallel, cores)  # none measured, or a file this version cannot read


def _stated(workers: int, parallel: int, cores: int) -> ClusterCosts:
    return ClusterCosts(workers, parallel, STATED_START_SECONDS, STATED_WORKER_SLOWDOWN, STATED_OVERHEAD_SECONDS,
                        f"stated: {parallel} of {cores} cores for tasks, the start, slow-down and client's cost "
                        "of benchmarks/bench_scale.py and Dask's documentation")


def forked_costs(workers: int, *, cores: int | None = None) -> ClusterCosts:
    """What running tasks in ``workers`` forked processes that are running already costs.

    Their first tasks' imports (:data:`FORKED_START_SECONDS`; none once a phase of the same task function ran
    there), as many tasks at once as there are processes (at most the cores), each :data:`FORKED_SLOWDOWN` times
    slower, and :data:`FORKED_OVERHEAD_SECONDS` of this process's time per task.

    Parameters
    ----------
    workers : int
        The processes.
    cores : int, optional
        Defaults to :func:`usable_cores`.

    Returns
    -------
    ClusterCosts
        Stated, with their source.

    Examples
    --------
    >>> forked_costs(2, cores=2).seconds(10, 0.5, started=False)  # 0.25 s, then 5 rounds of 0.6 s
    3.25
    """
    parallel = max(min(workers, cores or usable_cores()), 1)
    return ClusterCosts(workers, parallel, FORKED_START_SECONDS, FORKED_SLOWDOWN, FORKED_OVERHEAD_SECONDS,
                        f"stated: {parallel} at a time, each task {FORKED_SLOWDOWN}x slower, their first tasks' "
                        f"imports {FORKED_START_SECONDS} s, measured with NewareNDA/test_2.ndax on 2 cores")


def record_cluster_costs(costs: ClusterCosts, *, cores: int | None = None) -> None:
    """Keep measured costs for the next runs on this machine (a cache: failing to write it loses nothing).

    Parameters
    ----------
    costs : ClusterCosts
    cores : int, optional
        Defaults to :func:`usable_cores`.
    """
    from redoxmap.io.tables import atomic_write

    path = costs_file()
    try:
        known = json.loads(path.read_text()) if path.exists() else {}
    except (OSError, ValueError):
        known = {}
    known = known if isinstance(known, dict) else {}
    known[_machine_key(costs.workers, cores or usable_cores())] = {
        "start_seconds": round(costs.start_seconds, 3), "slowdown": round(costs.slowdown, 3),
        "overhead_seconds": round(costs.overhead_seconds, 5), "measured": datetime.now(UTC).date().isoformat()}
    try:
        atomic_write(path, lambda tmp: tmp.write_text(json.dumps(known, indent=1)))
    except OSError:
        pass


class AdaptiveExecutor:
    """Runs each phase serially and moves its remaining tasks to the report's forked processes (where they run:
    :func:`redoxmap.processes.shared_processes`) or to a local Dask cluster, whichever their measured cost says
    finishes them soonest, if either is sooner than here.

    Parameters
    ----------
    workers : int, optional
        The local Dask cluster's size; defaults to the usable cores (at most 8). The report's forked processes
        are as many as they are, whatever this says.
    progress : bool
        Show a progress bar.
    timeout_s : float
        On the cluster, a task running longer fails (:class:`DaskExecutor`).
    costs : ClusterCosts, optional
        The cluster's costs; defaults to :func:`cluster_costs` (measured here, else stated).

    Attributes
    ----------
    decisions : list of str
        Per phase, how it ran and the numbers that decided it.

    Examples
    --------
    >>> from redoxmap.study import AdaptiveExecutor, run_study
    >>> with AdaptiveExecutor() as executor:                 # doctest: +SKIP
    ...     result = run_study("my-study/", executor=executor)
    >>> result.execution                                      # doctest: +SKIP
    ['cycling analysis: 16 tasks serially in 1.1 s (0.0706 s a task); on 2 local Dask workers ...']
    """

    def __init__(self, *, workers: int | None = None, progress: bool = True, timeout_s: float = DEFAULT_TIMEOUT_S,
                 costs: ClusterCosts | None = None) -> None:
        if workers is not None and workers < 1:
            raise AnalysisError(f"workers must be at least 1, not {workers}")
        self.workers = workers or min(usable_cores(), 8)
        self.progress, self.timeout_s = progress, timeout_s
        self.costs = costs or cluster_costs(self.workers)
        self.decisions: list[str] = []
        self._cluster: DaskExecutor | None = None
        self._forked_warm: list[tuple] = []  # (pool, task function's name): a phase of it ran in the pool
        self._unavailable = None if self.workers > 1 and _dask_installed() else (
            "one worker" if self.workers < 2 else "dask.distributed is not installed")

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the local cluster if a phase started one."""
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    @property
    def client(self):
        """The started cluster's ``distributed.Client``, so that a report's figures go to it too; None while no
        phase moved to Dask (the report's own processes draw them)."""
        return self._cluster.client if self._cluster is not None else None

    def start_seconds_once(self) -> float | None:
        """The cluster's start the first time it is asked for after a phase started one (:func:`run_study`)."""
        return self._cluster.start_seconds_once() if self._cluster is not None else None

    def map(self, function: Callable[..., Any], tasks: Sequence[Task], *, description: str = "") -> list[TaskOutcome]:
        """Run every task, serially until the measured cost says the rest is sooner done in the report's forked
        processes or on the Dask cluster.

        Returns
        -------
        list of TaskOutcome
            One per task, in order.
        """
        if not tasks:
            return []
        label = description or "working"
        outcomes: list[TaskOutcome] = []
        clock = time.perf_counter()
        move = None
        with self._progress(label, len(tasks)) as update:
            for task in tasks:
                update(len(outcomes), len(tasks), task.label)
                outcomes.append(run_task(function, task))
                move = self._move(function, outcomes, len(tasks) - len(outcomes))
                if move is not None:
                    update(len(outcomes), len(tasks), f"the other {len(tasks) - len(outcomes)} move to {move.where}")
                    break
            else:
                update(len(outcomes), len(tasks), "")
        if move is None:
            self.decisions.append(self._serial_note(function, label, outcomes, time.perf_counter() - clock))
            return outcomes
        rest = tasks[len(outcomes):]
        if move.where == PROCESSES:
            return outcomes + self._in_processes(function, rest, label, outcomes, move)
        return outcomes + self._on_cluster(function, rest, label, outcomes, move)

    def _progress(self, label: str, total: int):
        """A progress bar, or a stand-in that shows nothing."""
        return progress_bar(label, total) if self.progress else nullcontext(lambda *shown: None)

    def _move(self, function, outcomes: list[TaskOutcome], remaining: int) -> _Move | None:
        """Where the remaining tasks finish soonest, if anywhere sooner than here: the report's forked processes or
        the Dask cluster."""
        options = [_Move(where, *predicted) for where, predicted in (
            (PROCESSES, self._forked_prediction(function, outcomes, remaining)),
            ("Dask", self._prediction(outcomes, remaining))) if predicted is not None]
        return min(options, key=lambda option: option.there, default=None)

    def _forked_prediction(self, function, outcomes: list[TaskOutcome], remaining: int) -> tuple[float, float] | None:
        """``(serial, forked)`` predicted seconds of the remaining tasks where the report's forked processes
        (:func:`redoxmap.processes.running_processes`) pay, else None."""
        running = running_processes()
        if running is None or fork_hazard() is not None:
            return None
        return _paying(forked_costs(running[1]), outcomes, remaining, started=self._warm(running[0], function))

    def _prediction(self, outcomes: list[TaskOutcome], remaining: int) -> tuple[float, float] | None:
        """``(serial, cluster)`` predicted seconds of the remaining tasks where the cluster pays, else None."""
        if self._unavailable:
            return None
        return _paying(self.costs, outcomes, remaining, started=self._cluster is not None)

    def _warm(self, pool, function) -> bool:
        """Whether a phase of ``function`` ran in ``pool`` (the imports it makes on first use are made there)."""
        return (pool, _name(function)) in self._forked_warm

    def _serial_note(self, function, label: str, outcomes: list[TaskOutcome], seconds: float) -> str:
        per_task = _task_cost(outcomes)
        head = f"{label}: {len(outcomes)} tasks serially in {seconds:.1f} s ({per_task:.3g} s a task"
        running, hazard = running_processes(), fork_hazard()
        forked, left = "", len(outcomes) - MEASURED_BEFORE_DECIDING  # the most left at a decision
        if running is not None and hazard is not None:
            forked = f"; none go to the report's processes: {hazard}"
        elif running is not None and left <= 0:
            forked = f"; too few to measure before moving any to the report's {running[1]} forked processes"
        elif running is not None:
            costs = forked_costs(running[1])
            there = costs.seconds(left, per_task, started=self._warm(running[0], function))
            forked = (f"; the {left} after the first {MEASURED_BEFORE_DECIDING} would take {there:.1f} s in the "
                      f"report's {running[1]} forked processes against {left * per_task:.1f} s here, and move only "
                      f"below {SWITCH_MARGIN} of that ({costs.source})")
        if self._unavailable:
            return f"{head}; {self._unavailable}{forked})"
        cluster = self.costs.seconds(len(outcomes), per_task, started=self._cluster is not None)
        c = self.costs
        return (f"{head}); on {self.workers} local Dask workers they would take {cluster:.1f} s ("
                f"{'running' if self._cluster is not None else f'start {c.start_seconds:.1f} s'}, {c.parallel} at "
                f"a time, each {c.slowdown:.2f}x slower, {c.overhead_seconds * 1000:.3g} ms a task for the client: "
                f"{c.source}){forked}")

    def _in_processes(self, function, rest: Sequence[Task], label: str, measured: list[TaskOutcome],
                      move: _Move) -> list[TaskOutcome]:
        """The remaining tasks in the report's forked processes, in order; from the first that cannot go there
        (a function or result that does not pickle) or after a process died, the rest here (those already
        sent there, up to two a process, may then run twice). No task has a time limit there, as here."""
        pool, workers = running_processes()
        clock = time.perf_counter()
        outcomes: list[TaskOutcome] = []
        stopped = None
        with self._progress(f"{label} (the other {len(rest)} in {workers} processes)", len(rest)) as update:
            try:
                # two tasks a process in flight: one slow task at the head leaves the others theirs to go on with
                for outcome in ordered_map(pool, _run_task, [(function, task) for task in rest],
                                           ahead=2 * workers - 1):
                    outcomes.append(outcome)
                    update(len(outcomes), len(rest), outcome.label)
            except BrokenProcessPool as exc:
                retire_processes()  # the figures fork processes of their own
                stopped = f"a process died ({exc})"
            except Exception as exc:  # noqa: BLE001 - a task's own errors are its outcome: this is the transport's
                stopped = f"{type(exc).__name__}: {exc}"
        if outcomes:
            self._forked_warm.append((pool, _name(function)))
        if stopped is not None:
            left = rest[len(outcomes):]
            self.decisions.append(f"{label}: {len(measured)} tasks serially, {len(outcomes)} in the report's "
                                  f"{workers} forked processes, then the other {len(left)} serially: {stopped}")
            return outcomes + SerialExecutor(progress=self.progress).map(function, left, description=label)
        self.decisions.append(
            f"{label}: {len(measured)} tasks serially ({_task_cost(measured):.3g} s a task), then the other "
            f"{len(rest)}, predicted at {move.there:.1f} s in the report's {workers} forked processes against "
            f"{move.serial:.1f} s here ({forked_costs(workers).source}), took {time.perf_counter() - clock:.1f} s "
            "there")
        return outcomes

    def _on_cluster(self, function, rest: Sequence[Task], label: str, measured: list[TaskOutcome],
                    move: _Move) -> list[TaskOutcome]:
        started_before = self._cluster is not None
        if not started_before:
            try:
                self._cluster = DaskExecutor(workers=self.workers, progress=self.progress, timeout_s=self.timeout_s)
                self._cluster.start()
            except RedoxmapError as exc:  # a broken install, a port that cannot be bound: the rest runs here
                self._cluster, self._unavailable = None, f"the local cluster did not start ({exc})"
                outcomes = SerialExecutor(progress=self.progress).map(function, rest, description=label)
                self.decisions.append(f"{label}: {len(measured) + len(rest)} tasks serially; after "
                                      f"{len(measured)} {self._unavailable}")
                return outcomes
        clock = time.perf_counter()
        outcomes = self._cluster.map(function, rest, description=f"{label} (the other {len(rest)} on "
                                                                  f"{self.workers} Dask workers)")
        seconds = time.perf_counter() - clock
        start = self.costs.start_seconds if started_before else float(self._cluster.start_seconds or 0.0)
        decision = (f"{label}: {len(measured)} tasks serially ({_task_cost(measured):.3g} s a task), then the other "
                    f"{len(rest)}, predicted at {move.there:.1f} s on {self.workers} local Dask workers against "
                    f"{move.serial:.1f} s here ({self.costs.source}), took {seconds:.1f} s there"
                    + ("" if started_before else f" after a {start:.1f} s start"))
        learned = self._learn(outcomes, measured, seconds, start)
        self.decisions.append(decision + (f"; measured: each task {learned.slowdown:.2f}x slower there, "
                                          f"{learned.overhead_seconds * 1000:.3g} ms a task for the client"
                                          if learned else ""))
        return outcomes

    def _learn(self, outcomes: list[TaskOutcome], measured: list[TaskOutcome], seconds: float,
               start: float) -> ClusterCosts | None:
        """Measure the cluster's costs from a phase it ran, and keep them (returned) where the phase says enough: at
        least two rounds of finished tasks (a task that failed fast says nothing of the others' cost)."""
        finished = [o.seconds for o in outcomes if o.ok]
        here = [o.seconds for o in measured[1:] if o.ok] or [o.seconds for o in measured if o.ok]
        parallel = self.costs.parallel
        if len(finished) < 2 * parallel or not here or median(here) <= 0:
            return None
        slowdown = median(finished) / median(here)
        working = math.ceil(len(finished) / parallel) * median(finished)  # the rounds' own time
        overhead = max(seconds - working, 0.0) / len(outcomes)
        self.costs = ClusterCosts(self.workers, parallel, start, slowdown, overhead, "measured on this machine now")
        record_cluster_costs(self.costs)
        return self.costs


def _run_task(item: tuple[Callable[..., Any], Task]) -> TaskOutcome:
    """:func:`run_task` of a ``(function, task)`` pair, in a forked process."""
    return run_task(*item)


def _name(function) -> str:
    """A task function's full name (its module and qualified name)."""
    return f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', repr(function))}"


class _Move(NamedTuple):
    """Where a phase's remaining tasks go (:data:`PROCESSES` or ``"Dask"``), and their predicted seconds here and
    there."""

    where: str
    serial: float
    there: float


def _paying(costs: ClusterCosts, outcomes: list[TaskOutcome], remaining: int, *,
            started: bool) -> tuple[float, float] | None:
    """``(serial, there)`` predicted seconds of the remaining tasks where ``costs`` say they finish in less than
    :data:`SWITCH_MARGIN` of the time here, else None (nothing left, or too few tasks measured to say)."""
    if not remaining or len(outcomes) < MEASURED_BEFORE_DECIDING:
        return None
    per_task = _task_cost(outcomes)
    serial, there = remaining * per_task, costs.seconds(remaining, per_task, started=started)
    return (serial, there) if there < SWITCH_MARGIN * serial else None


def _task_cost(outcomes: list[TaskOutcome]) -> float:
    """A task's cost here: the mean of those after the first (whose time holds a cold process's imports)."""
    timed = outcomes[1:] if len(outcomes) > 1 else outcomes
    return sum(o.seconds for o in timed) / len(timed)


def choose_executor(*, workers: int | None = None, scheduler: str | None = None, progress: bool = True,
                    timeout_s: float = DEFAULT_TIMEOUT_S):
    """The executor for a run: what the user asked for, else one that decides from the tasks' measured cost.

    Parameters
    ----------
    workers : int, optional
        1: serially; more: a local cluster of that many processes. None: an :class:`AdaptiveExecutor`.
    scheduler : str, optional
        The address of a running Dask scheduler (``tcp://host:8786``): its cluster.
    progress : bool
        Show progress bars.
    timeout_s : float
        On Dask, a task running longer fails.

    Returns
    -------
    SerialExecutor, DaskExecutor or AdaptiveExecutor

    Examples
    --------
    >>> type(choose_executor(workers=1)).__name__
    'SerialExecutor'
    """
    if scheduler:
        return DaskExecutor(scheduler=scheduler, progress=progress, timeout_s=timeout_s)
    if workers is not None:
        if workers < 1:
            raise AnalysisError(f"workers must be at least 1, not {workers}")
        return SerialExecutor(progress=progress) if workers == 1 else DaskExecutor(
            workers=workers, progress=progress, timeout_s=timeout_s)
    return AdaptiveExecutor(progress=progress, timeout_s=timeout_s)


@functools.cache
def _dask_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("distributed") is not None
