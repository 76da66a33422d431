"""Studies of many files on Dask: a local process cluster, or a cluster the user runs.

:class:`DaskExecutor` implements the executor interface (:mod:`redoxmap.study.executor`) on
dask.distributed: one task per file (or per sample's analysis), results gathered as they complete
and put back in manifest order, the same progress bar, failures as outcomes. What a prototype
taught (with Dask's default of three allowed failures, one task that crashed its worker took
16 of 19 innocent tasks down and could hang the run) is built in:

* **allowed failures 0**: a task whose worker dies is not retried blindly on the next worker;
* **innocent tasks resubmitted once**: the tasks lost with a dying worker are submitted again, once;
  a task lost twice is the culprit and becomes a failed outcome ("its worker died");
* **a timeout per task**: a task still running after ``timeout_s`` becomes a failed outcome, and
  the worker that runs it is restarted (on a local cluster) so that the run goes on;
* **results released as they arrive**, so memory stays bounded by the tasks in flight.

Files are passed as paths: a remote cluster (``scheduler="tcp://host:8786"``) needs the study on
a filesystem its workers share (NFS, Lustre, a mounted bucket).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any

from redoxmap.errors import AnalysisError, RedoxmapError
from redoxmap.study.executor import Task, TaskOutcome, progress_bar, run_task

DEFAULT_TIMEOUT_S = 3600.0


class DaskExecutor:
    """Runs tasks on a Dask cluster.

    Parameters
    ----------
    workers : int, optional
        Start a local cluster of this many single-threaded worker processes for the run (closed at
        the end).
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``); it is never shut down.
    timeout_s : float
        A task still running after this long fails (and its local worker is restarted).
    progress : bool
        Show a progress bar.
    memory_limit : str or float
        Memory per local worker (Dask's syntax, ``"2GiB"``; ``"auto"``: the machine's share).

    Attributes
    ----------
    start_seconds : float or None
        How long starting the local cluster (or connecting to the scheduler) took; None before it started.

    Examples
    --------
    >>> from redoxmap.study import run_study
    >>> with DaskExecutor(workers=2) as executor:              # doctest: +SKIP
    ...     result = run_study("my-study/", executor=executor)
    """

    def __init__(self, *, workers: int | None = None, scheduler: str | None = None,
                 timeout_s: float = DEFAULT_TIMEOUT_S, progress: bool = True, memory_limit="auto") -> None:
        if (workers is None) == (scheduler is None):
            raise AnalysisError("give workers= (a local cluster) or scheduler= (a running one), not both or neither")
        if workers is not None and workers < 1:
            raise AnalysisError(f"workers must be at least 1, not {workers}")
        self.workers, self.scheduler, self.timeout_s = workers, scheduler, float(timeout_s)
        self.progress, self.memory_limit = progress, memory_limit
        self._cluster = self._client = None
        self.start_seconds: float | None = None
        self._start_reported = False

    # ------------------------------------------------------------------ lifetime

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        """Connect (or start the local cluster); called by :meth:`map` if needed."""
        if self._client is not None:
            return
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError as exc:
            from redoxmap.errors import MissingDependencyError

            raise MissingDependencyError('running on Dask needs dask.distributed: pip install "redoxmap[dask]"') \
                from exc
        clock = time.perf_counter()
        dask.config.set({"distributed.scheduler.allowed-failures": 0,
                         "distributed.worker.daemon": False})  # a worker's own processes (figures) are allowed
        try:
            if self.workers is not None:
                self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                             memory_limit=self.memory_limit, dashboard_address=None,
                                             silence_logs=50)
                self._client = Client(self._cluster)
            else:
                self._client = Client(self.scheduler, timeout="20s")
        except OSError as exc:
            raise RedoxmapError(f"cannot reach the Dask scheduler {self.scheduler or 'of the local cluster'}: {exc}") \
                from exc
        self.start_seconds = time.perf_counter() - clock

    def start_seconds_once(self) -> float | None:
        """:attr:`start_seconds` the first time it is asked for, None after: a run that reuses the cluster
        another run started did not pay for its start."""
        seconds, self._start_reported = (None if self._start_reported else self.start_seconds), True
        return seconds

    @property
    def client(self):
        """The ``distributed.Client`` (connected on first use): other work, such as a report's figures
        (:func:`redoxmap.write_report`), can be submitted to the same cluster."""
        self.start()
        return self._client

    def close(self) -> None:
        """Close the client, and the local cluster if this executor started it (never a user's cluster)."""
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None

    # ------------------------------------------------------------------ work

    def map(self, function: Callable[..., Any], tasks: Sequence[Task], *, description: str = "") -> list[TaskOutcome]:
        """Run every task; outcomes in the tasks' order, failures (a dead worker, a timeout) as outcomes."""
        if not tasks:
            return []
        self.start()
        from contextlib import nullcontext


        outcomes: list[TaskOutcome | None] = [None] * len(tasks)
        attempts = [0] * len(tasks)
        queue = list(range(len(tasks)))
        # as many tasks in flight as the cluster has threads: a task submitted is a task running, so its
        # time is measured from its start, and results are released as they come (bounded memory)
        slots = max(1, sum(w.get("nthreads", 1) for w in self._client.scheduler_info()["workers"].values()))
        pending: dict = {}
        started: dict = {}
        done_count = 0
        bar = progress_bar(description or "working", len(tasks)) if self.progress else nullcontext(None)
        with bar as update:
            while queue or pending:
                while queue and len(pending) < slots:
                    index = queue.pop(0)
                    future = self._submit(function, tasks[index], index, attempts)
                    pending[future], started[future] = index, time.monotonic()
                for future in self._wait_some(list(pending)):
                    index = pending.pop(future)
                    started.pop(future, None)
                    outcome = self._collect(future, tasks[index])
                    future.release()
                    if outcome is None and attempts[index] < 2:  # lost with a dying worker: once more
                        queue.insert(0, index)
                        continue
                    outcomes[index] = outcome or TaskOutcome(
                        tasks[index].label, error="its worker died twice while running it (a crash in a reader or "
                        "an analysis: run the file alone to see why)", error_type="KilledWorker")
                    done_count += 1
                    if update:
                        update(done_count, len(tasks), tasks[index].label)
                for future, since in list(started.items()):
                    if time.monotonic() - since > self.timeout_s and future in pending:
                        index = pending.pop(future)
                        started.pop(future)
                        self._stop(future)
                        outcomes[index] = TaskOutcome(tasks[index].label, error=f"did not finish within "
                                                      f"{self.timeout_s:g} s (timeout_s)", error_type="Timeout")
                        done_count += 1
                        if update:
                            update(done_count, len(tasks), tasks[index].label)
        return outcomes

    def _submit(self, function, task: Task, index: int, attempts: list[int]):
        attempts[index] += 1
        return self._client.submit(run_task, function, task, pure=False, retries=0,
                                   key=f"redoxmap-{os.getpid()}-{index}-{attempts[index]}-{time.monotonic_ns()}")

    def _wait_some(self, futures: list) -> list:
        from distributed import wait

        try:
            result = wait(futures, timeout=min(1.0, self.timeout_s), return_when="FIRST_COMPLETED")
        except TimeoutError:  # none finished within the poll: check the deadlines and wait again
            return []
        return list(result.done)

    @staticmethod
    def _collect(future, task: Task) -> TaskOutcome | None:
        """The task's outcome; None when its worker died under it (to be resubmitted)."""
        if future.status == "finished":
            return future.result()
        try:
            future.result()
        except Exception as exc:  # noqa: BLE001 - a worker's death, a cancelled task, an unpicklable value
            if type(exc).__name__ == "KilledWorker":
                return None
            return TaskOutcome(task.label, error=f"failed on the cluster: {type(exc).__name__}: {str(exc)[:200]}",
                               error_type=type(exc).__name__)
        return TaskOutcome(task.label, error="cancelled", error_type="Cancelled")

    def _stop(self, future) -> None:
        """Cancel a task that ran too long; on a local cluster, restart the worker that runs it."""
        holders = [w for w, keys in self._client.processing().items() if future.key in keys]
        future.cancel()
        if self._cluster is not None and holders:
            try:
                self._client.restart_workers(holders, timeout=60)
            except Exception as exc:  # noqa: BLE001 - the nanny replaces a worker that does not restart, in time
                import logging

                logging.getLogger("redoxmap").warning("restarting Dask worker(s) %s failed: %s", holders, exc)
