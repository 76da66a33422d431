"""Forked worker processes for CPU-bound work whose inputs and results pickle: a report's analyses and
figures, the particle model's refits.

A forked process starts with its parent's imports, so a task costs its own work and its pickles, not
a fresh interpreter's start (a spawned process would import numpy, pandas and scipy again: about a
second here). Fork is used on Linux only: on macOS a fork is unsafe with the system's libraries.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from itertools import islice


def worker_setup() -> None:
    """In each worker process: Ctrl-C is the parent's to handle (it shuts the pool down), and the process ends
    with its parent if that is killed (Linux's parent-death signal), instead of finishing its task alone."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    """BLAS limited to one thread in this process while the block runs (threadpoolctl), so that processes forked
    inside it compute with one each.

    A pool has as many processes as the cores, and a process forked outside this would inherit a BLAS sized for
    all of them: an impedance fit, many small linear-algebra calls, took 0.13–0.14 s in one forked process and
    0.15–0.30 s in each of two against 0.072 s here; forked inside it, 0.076–0.081 s in each of two (2 cores,
    2026-12-07). A Dask nanny starts its workers with one BLAS thread each the same way
    (``distributed.nanny.pre-spawn-environ``). The limit is set here, before the fork, not in the forked
    process: where other threads of this process were computing with BLAS at the fork, setting it there hung
    the forked process, and so did a matrix product there with the inherited threads (OpenBLAS's locks are
    copied as those threads held them); with one thread inherited, 20 pools forked beside 4 such threads all
    ran their product (a script, 2026-12-07).
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # an install without it (a dependency since 2026-12-07): slower, not broken
        yield
        return
    with threadpool_limits(1, user_api="blas"):
        yield


def usable_cores() -> int:
    """The cores this process may run on: its CPU affinity, as a batch system or ``taskset`` sets it (a job given
    2 of a node's 64 cores has 2), else the machine's count where there is no affinity (not Linux).

    Returns
    -------
    int
    """
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def fork_available() -> bool:
    """Whether worker processes are forked here.

    Returns
    -------
    bool
        True on Linux; on macOS a fork is unsafe with the system's libraries, and Windows has none.
    """
    return "fork" in multiprocessing.get_all_start_methods() and sys.platform.startswith("linux")


def forked_pool(workers: int, *, initializer: Callable[[], None] = worker_setup) -> ProcessPoolExecutor | None:
    """A pool of ``workers`` forked processes, started now, each with one BLAS thread; or None where there is
    one worker, no fork (:func:`fork_available`), or the fork fails now (memory, a process limit).

    Parameters
    ----------
    workers : int
        Processes in the pool.
    initializer : callable, optional
        Run once in each process as it starts (default :func:`worker_setup`).

    Returns
    -------
    concurrent.futures.ProcessPoolExecutor or None
        None: run the work in this process.
    """
    if workers <= 1 or not fork_available():
        return None
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=initializer)
    try:
        with _one_blas_thread():
            pool.submit(int).result()  # with fork, the first task starts every process of the pool
    except Exception:  # noqa: BLE001 - no fork now: the work runs here
        pool.shutdown(wait=False, cancel_futures=True)
        return None
    return pool


FORK_UNSAFE_MODULES = ("polars",)
"""Libraries whose own thread pool a forked process cannot use once the parent has started it: polars (its
rayon pool's threads are not copied by the fork, and the forked process waits for them for ever: a Neware file
read through fastnda hung so in a test run, and a polars filter in a plain script). A pool forked after one of
them was imported here takes no analysis task (:func:`fork_hazard`), only figures (drawn without them)."""


@dataclass
class _Shared:
    """The pool of a :func:`shared_processes` block, its size, the process that forked it (a process forked
    from that one inherits the context, not the pool's use) and the :data:`FORK_UNSAFE_MODULES` imported
    before the fork. ``pool`` is cleared by :func:`retire_processes` in every context that holds this object."""

    pool: ProcessPoolExecutor | None
    workers: int
    owner: int
    unsafe: tuple[str, ...]


_SHARED: ContextVar[_Shared | None] = ContextVar("redoxmap_shared_processes", default=None)


@contextmanager
def shared_processes(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    """Fork ``workers`` processes now and share them inside the block (:func:`running_processes`): a report's
    analyses (:class:`redoxmap.study.AdaptiveExecutor`) and then its figures run in the same processes, forked
    once, before the analyses fill this process's memory.

    Parameters
    ----------
    workers : int
        Processes in the pool.

    Yields
    ------
    concurrent.futures.ProcessPoolExecutor or None
        The pool, started; None where :func:`forked_pool` gives none or the fork fails now (memory, a process
        limit): the work then runs where it would without the block.
    """
    unsafe = tuple(name for name in FORK_UNSAFE_MODULES if name in sys.modules)
    pool = forked_pool(workers)
    if pool is None:
        yield None
        return
    token = _SHARED.set(_Shared(pool, workers, os.getpid(), unsafe))
    try:
        yield pool
    finally:
        _SHARED.reset(token)
        pool.shutdown(wait=True, cancel_futures=True)


def running_processes() -> tuple[ProcessPoolExecutor, int] | None:
    """The pool of the enclosing :func:`shared_processes` block and its number of processes.

    Returns
    -------
    tuple of (concurrent.futures.ProcessPoolExecutor, int) or None
        None outside such a block, after :func:`retire_processes`, and in a process forked from the one that
        started the pool (its copy of the pool is not the pool).
    """
    shared = _SHARED.get()
    if shared is None or shared.pool is None or shared.owner != os.getpid():
        return None
    return shared.pool, shared.workers


def fork_hazard() -> str | None:
    """Why the running pool (:func:`running_processes`) must not take analysis tasks, or None where it may.

    Returns
    -------
    str or None
        A sentence naming the :data:`FORK_UNSAFE_MODULES` this process had imported when it forked the pool
        (their thread pools do not survive a fork); None where it imported none of them, or no pool runs.
    """
    shared = _SHARED.get()
    if shared is None or not shared.unsafe:
        return None
    return (f"they were forked after {', '.join(shared.unsafe)} was imported here, whose thread pool a forked "
            "process cannot use")


def retire_processes() -> None:
    """Stop sharing the current pool (one of its processes died: every later task on it would fail); what comes
    after forks processes of its own or runs here. The pool is still shut down where its block ends."""
    shared = _SHARED.get()
    if shared is not None:
        shared.pool = None


def ordered_map(executor: ProcessPoolExecutor | None, function: Callable, items: Iterable, *,
                ahead: int) -> Iterator:
    """``function`` over ``items``, results in the items' order, with at most ``ahead`` calls submitted to
    ``executor`` beyond the one awaited (the builtin ``map`` where ``executor`` is None).

    ``Executor.map`` submits every item at once; a consumer that stops early (an interval that has kept
    the refits it needs) would leave them all to run. Here items are taken from ``items`` only as results
    are awaited, at most ``ahead`` calls are wasted, and those not started are cancelled when the iterator
    is closed (those running finish: the pool's shutdown waits for them).

    Parameters
    ----------
    executor : concurrent.futures.ProcessPoolExecutor or None
        Where the calls run (None: here, one after the other).
    function : callable
        Called with each item; it and the items must pickle.
    items : iterable
    ahead : int
        Calls submitted beyond the one awaited: the pool's workers less one keeps every worker busy.

    Yields
    ------
    object
        ``function(item)`` for each item, in order.

    Examples
    --------
    >>> list(ordered_map(None, abs, [-1, 2, -3], ahead=2))
    [1, 2, 3]
    """
    if executor is None:
        yield from map(function, items)
        return
    remaining = iter(items)
    pending = deque(executor.submit(function, item) for item in islice(remaining, ahead + 1))
    try:
        while pending:
            result = pending.popleft().result()
            for item in remaining:  # one more submitted, if any is left
                pending.append(executor.submit(function, item))
                break
            yield result
    finally:
        for future in pending:
            future.cancel()
