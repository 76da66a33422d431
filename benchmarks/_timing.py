"""Timing helper shared by the benchmarks."""

from __future__ import annotations

import time


def best(function, repeat: int = 3) -> tuple[float, object]:
    """The shortest of ``repeat`` wall-clock runs of ``function()`` (seconds) and its last value."""
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return min(times), value


def interleaved(first, second, repeat: int = 5) -> tuple[dict, dict]:
    """Time two callables alike: one warm-up call of each, then ``repeat`` rounds of A then B.

    Returns
    -------
    (dict, dict)
        For each: ``median`` and ``spread`` (max - min) in seconds and its last ``value``.
    """
    import statistics

    first(), second()
    times = ([], [])
    values = [None, None]
    for _ in range(repeat):
        for index, function in enumerate((first, second)):
            start = time.perf_counter()
            values[index] = function()
            times[index].append(time.perf_counter() - start)
    return tuple({"median": statistics.median(t), "spread": max(t) - min(t), "value": v}
                 for t, v in zip(times, values))


def threads_note() -> str:
    """The BLAS thread setting the run used (benchmarks state it)."""
    import os

    keys = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    set_ = {k: os.environ[k] for k in keys if k in os.environ}
    return f"BLAS threads: {set_ or 'library default'}; cores: {os.cpu_count()}"
