"""Timing and memory helpers shared by the benchmarks."""

from __future__ import annotations

import threading
import time


def best(function, repeat: int = 3) -> tuple[float, object]:
    """The shortest of ``repeat`` wall-clock runs of ``function()`` (seconds) and its last value."""
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return min(times), value


def interleaved(first, second, repeat: int = 5, *, round_s: float = 0.0) -> tuple[dict, dict]:
    """Time two callables alike: one warm-up call of each, then ``repeat`` rounds of A then B.

    ``round_s``: each round calls a callable as many times as fill about that many seconds (at least once,
    the same number for both, from the warm-up) and counts the time per call, so that a call of a
    millisecond is not one timer sample among the machine's noise.

    Returns
    -------
    (dict, dict)
        For each: ``median`` and ``spread`` (max - min) in seconds per call and its last ``value``.
    """
    import statistics

    start = time.perf_counter()
    first(), second()
    calls = max(1, int(round_s / max(time.perf_counter() - start, 1e-9) * 2)) if round_s else 1
    times = ([], [])
    values = [None, None]
    for _ in range(repeat):
        for index, function in enumerate((first, second)):
            start = time.perf_counter()
            for _ in range(calls):
                values[index] = function()
            times[index].append((time.perf_counter() - start) / calls)
    return tuple({"median": statistics.median(t), "spread": max(t) - min(t), "value": v}
                 for t, v in zip(times, values))


def threads_note() -> str:
    """The BLAS thread setting the run used (benchmarks state it)."""
    import os

    keys = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    set_ = {k: os.environ[k] for k in keys if k in os.environ}
    from redoxmap.processes import usable_cores

    return f"BLAS threads: {set_ or 'library default'}; cores: {usable_cores()} usable of {os.cpu_count()}"


def _sample_peak(stop: threading.Event, out: list, children: bool) -> None:
    import psutil

    me = psutil.Process()
    total = single = 0
    while not stop.is_set():
        try:
            sizes = [me.memory_info().rss]
            if children:
                sizes += [c.memory_info().rss for c in me.children(recursive=True)]
        except psutil.Error:
            sizes = [0]
        total, single = max(total, sum(sizes)), max(single, max(sizes))
        time.sleep(0.05)
    out.append((total, single))


def with_peak_memory(function, *, children: bool = True) -> tuple[float, dict, object]:
    """Run ``function()`` once: wall time (s); the peak resident memory (MiB, psutil, sampled every
    0.05 s) of this process and its child processes together (``total``) and of the largest single
    process among them (``process``: the main process or one worker), and this process's before the
    call (``start``); and the function's value."""
    import psutil

    before = psutil.Process().memory_info().rss
    stop, peak = threading.Event(), []
    watcher = threading.Thread(target=_sample_peak, args=(stop, peak, children))
    watcher.start()
    start = time.perf_counter()
    try:
        value = function()
    finally:
        elapsed = time.perf_counter() - start
        stop.set()
        watcher.join()
    return elapsed, {"total": peak[0][0] / 2**20, "process": peak[0][1] / 2**20, "start": before / 2**20}, value
