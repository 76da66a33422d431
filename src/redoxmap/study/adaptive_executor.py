"""Serial or a local Dask cluster, chosen from what the study's tasks are measured to cost.

A rule of thumb ("parallel from 40 tasks and 4 cores") decides wrongly both ways: forty 10 ms tasks
never repay a cluster's ~5 s start, and four 10-minute fits do on any machine with idle cores.
:class:`AdaptiveExecutor` starts every phase serially and times its tasks as they run. After each
task it compares what the remaining ones would take serially with what they would take on a local
cluster (its start, unless it already runs, and its throughput against one process) and moves them
to the cluster as soon as that is measurably shorter.

The cluster's costs are measured on the machine where they are known: a local cluster's start and
its throughput against one process are written to ``cluster_costs.json`` in redoxmap's cache folder
whenever an adaptive run used one, and read back by the next run on the same number of cores and
workers. Until then they are stated estimates, each with its source (:func:`cluster_costs`).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from redoxmap.study.dask_executor import DEFAULT_TIMEOUT_S, DaskExecutor
from redoxmap.study.executor import Task, TaskOutcome, progress_bar, run_task

STATED_START_SECONDS = 5.0
"""A local cluster's start when none was measured here: 4.9 s on a 2-core machine (``benchmarks/bench_scale.py``:
one file took 5.8 s on Dask against 0.9 s serially)."""
STATED_WORKER_SLOWDOWN = 1.4
"""How much longer a task takes in a worker process than in the main one when none was measured here: 0.41–0.61 s
against 0.27–0.33 s for the same cycling task (``benchmarks/bench_scale.py``, 2 cores)."""
SWITCH_MARGIN = 0.8
"""The cluster is used only when it is predicted to take at most this share of the serial time: the estimate of a
task's cost from the first few is rough, and a cluster that gains less is not worth its memory."""
MEASURED_BEFORE_DECIDING = 2
"""Tasks run serially before the first comparison: one task's time includes the imports of a cold process."""


@dataclass(frozen=True)
class ClusterCosts:
    """What a local cluster of ``workers`` processes costs on this machine.

    Attributes
    ----------
    workers : int
    start_seconds : float
        Wall time to start the cluster, s.
    speedup : float
        The cluster's throughput against one process, start excluded: a phase of ``n`` tasks of ``t``
        seconds each (serially) takes ``n t / speedup`` on it.
    source : str
        Where both numbers come from (a measurement here, with its date, or the stated estimate's reasons).
    """

    workers: int
    start_seconds: float
    speedup: float
    source: str

    def seconds(self, remaining: int, task_seconds: float, *, started: bool) -> float:
        """Predicted wall time of ``remaining`` tasks of ``task_seconds`` each on the cluster, s (its start
        included unless ``started``)."""
        return (0.0 if started else self.start_seconds) + remaining * task_seconds / self.speedup


def costs_file() -> Path:
    """Where measured cluster costs are kept: ``$REDOXMAP_CACHE``, else ``$XDG_CACHE_HOME/redoxmap``, else
    ``~/.cache/redoxmap``, then ``cluster_costs.json``."""
    folder = os.environ.get("REDOXMAP_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") \
        / "redoxmap"
    return Path(folder) / "cluster_costs.json"


def _machine_key(workers: int, cores: int) -> str:
    return f"{cores} cores, {workers} workers"


def cluster_costs(workers: int, *, cores: int | None = None) -> ClusterCosts:
    """The costs of a local cluster of ``workers`` processes on this machine: the last measured here, else
    stated estimates.

    The estimate keeps one core for the client and the scheduler (the analyses' results are received and
    unpickled there) and slows each task by :data:`STATED_WORKER_SLOWDOWN`, so its speed-up is
    ``min(workers, cores - 1) / 1.4``: 0.71 on 2 cores, where a cluster never pays (measured: 0.84× at 100
    files, 0.92× at 1,000, start included), and 2.1 on 4 cores.

    Parameters
    ----------
    workers : int
    cores : int, optional
        Defaults to ``os.cpu_count()``.

    Returns
    -------
    ClusterCosts
    """
    cores = cores or os.cpu_count() or 1
    try:
        recorded = json.loads(costs_file().read_text()).get(_machine_key(workers, cores))
    except (OSError, ValueError, AttributeError):
        recorded = None  # none measured, or a file this version cannot read: the estimate decides
    if isinstance(recorded, dict) and {"start_seconds", "speedup", "measured"} <= set(recorded):
        return ClusterCosts(workers, float(recorded["start_seconds"]), float(recorded["speedup"]),
                            f"measured on this machine {recorded['measured']}")
    return ClusterCosts(workers, STATED_START_SECONDS, max(min(workers, cores - 1), 0.1) / STATED_WORKER_SLOWDOWN,
                        f"estimated: one of {cores} cores for the client and scheduler, tasks "
                        f"{STATED_WORKER_SLOWDOWN}x slower in a worker (benchmarks/bench_scale.py)")


def record_cluster_costs(costs: ClusterCosts, *, cores: int | None = None) -> None:
    """Keep measured costs for the next run on this machine (a cache: failing to write it loses nothing)."""
    path = costs_file()
    cores = cores or os.cpu_count() or 1
    try:
        known = json.loads(path.read_text()) if path.exists() else {}
        if not isinstance(known, dict):
            known = {}
    except (OSError, ValueError):
        known = {}
    entry = {key: value for key, value in asdict(costs).items() if key in ("start_seconds", "speedup")}
    known[_machine_key(costs.workers, cores)] = {**entry, "measured": datetime.now(UTC).date().isoformat()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(known, indent=1))
        temporary.replace(path)
    except OSError:
        pass


class AdaptiveExecutor:
    """Runs each phase serially and moves its remaining tasks to a local Dask cluster when their measured
    cost says the cluster finishes them sooner.

    Parameters
    ----------
    workers : int, optional
        The local cluster's size; defaults to the machine's cores (at most 8).
    progress : bool
        Show a progress bar.
    timeout_s : float
        On the cluster, a task running longer fails (:class:`DaskExecutor`).
    costs : ClusterCosts, optional
        The cluster's costs; defaults to :func:`cluster_costs` (measured here, else estimated).

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
    ['cycling analysis: 16 tasks serially: 0.31 s a task (measured on 2) ...']
    """

    def __init__(self, *, workers: int | None = None, progress: bool = True, timeout_s: float = DEFAULT_TIMEOUT_S,
                 costs: ClusterCosts | None = None) -> None:
        self.workers = workers or min(os.cpu_count() or 1, 8)
        self.progress, self.timeout_s = progress, timeout_s
        self.costs = costs or cluster_costs(self.workers)
        self.decisions: list[str] = []
        self._cluster: DaskExecutor | None = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the local cluster if a phase started one."""
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def start_seconds_once(self) -> float | None:
        """The cluster's start the first time it is asked for after a phase started one (:func:`run_study`)."""
        return self._cluster.start_seconds_once() if self._cluster is not None else None

    def map(self, function: Callable[..., Any], tasks: Sequence[Task], *, description: str = "") -> list[TaskOutcome]:
        """Run every task, serially until the measured cost says the rest is sooner done on the cluster.

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
        bar = progress_bar(label, len(tasks)) if self.progress else nullcontext(lambda *shown: None)
        with bar as update:
            for task in tasks:
                update(len(outcomes), len(tasks), task.label)
                outcomes.append(run_task(function, task))
                remaining = len(tasks) - len(outcomes)
                if remaining and len(outcomes) >= MEASURED_BEFORE_DECIDING and self._pays(outcomes, remaining):
                    break
            update(len(outcomes), len(tasks), "")
        serial_seconds = time.perf_counter() - clock
        rest = tasks[len(outcomes):]
        if not rest:
            self.decisions.append(self._serial_note(label, outcomes, serial_seconds))
            return outcomes
        return outcomes + self._on_cluster(function, rest, label, outcomes)

    def _pays(self, outcomes: list[TaskOutcome], remaining: int) -> bool:
        if self.workers < 2 or not _dask_installed():
            return False
        per_task = sum(o.seconds for o in outcomes) / len(outcomes)
        on_cluster = self.costs.seconds(remaining, per_task, started=self._cluster is not None)
        return on_cluster < SWITCH_MARGIN * remaining * per_task

    def _serial_note(self, label: str, outcomes: list[TaskOutcome], seconds: float) -> str:
        per_task = sum(o.seconds for o in outcomes) / len(outcomes)
        if self.workers < 2 or not _dask_installed():
            why = "one worker" if self.workers < 2 else "dask.distributed is not installed"
            return f"{label}: {len(outcomes)} tasks serially in {seconds:.1f} s ({per_task:.3g} s a task; {why})"
        cluster = self.costs.seconds(len(outcomes), per_task, started=self._cluster is not None)
        return (f"{label}: {len(outcomes)} tasks serially in {seconds:.1f} s ({per_task:.3g} s a task); on "
                f"{self.workers} local Dask workers they would take {cluster:.1f} s (start "
                f"{0.0 if self._cluster is not None else self.costs.start_seconds:.1f} s, speed-up "
                f"{self.costs.speedup:.2f}x one process: {self.costs.source})")

    def _on_cluster(self, function, rest: Sequence[Task], label: str, measured: list[TaskOutcome]) -> list[TaskOutcome]:
        started_before = self._cluster is not None
        if not started_before:
            self._cluster = DaskExecutor(workers=self.workers, progress=self.progress, timeout_s=self.timeout_s)
            self._cluster.start()
        clock = time.perf_counter()
        outcomes = self._cluster.map(function, rest, description=f"{label} (on {self.workers} Dask workers)")
        seconds = time.perf_counter() - clock
        per_task = sum(o.seconds for o in measured) / len(measured)
        speedup = len(rest) * per_task / seconds if seconds > 0 else self.costs.speedup
        start = self.costs.start_seconds if started_before else float(self._cluster.start_seconds or 0.0)
        self.costs = ClusterCosts(self.workers, start, speedup, "measured on this machine by this run")
        record_cluster_costs(self.costs)
        self.decisions.append(
            f"{label}: {len(measured)} tasks serially ({per_task:.3g} s a task), then {len(rest)} on {self.workers} "
            f"local Dask workers in {seconds:.1f} s" + ("" if started_before else f" after a {start:.1f} s start")
            + f": {speedup:.2f}x one process")
        return outcomes


def choose_executor(*, workers: int | None = None, scheduler: str | None = None, progress: bool = True,
                    timeout_s: float = DEFAULT_TIMEOUT_S):
    """The executor for a run: what the user asked for (a running cluster's ``scheduler``; ``workers`` = 1,
    serial; more, a local cluster of that many), else an :class:`AdaptiveExecutor` that decides from the tasks'
    measured cost.

    Returns
    -------
    SerialExecutor, DaskExecutor or AdaptiveExecutor
    """
    from redoxmap.study.executor import SerialExecutor

    if scheduler:
        return DaskExecutor(scheduler=scheduler, progress=progress, timeout_s=timeout_s)
    if workers is not None:
        return SerialExecutor(progress=progress) if workers <= 1 else DaskExecutor(
            workers=workers, progress=progress, timeout_s=timeout_s)
    return AdaptiveExecutor(progress=progress, timeout_s=timeout_s)


def _dask_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("distributed") is not None

